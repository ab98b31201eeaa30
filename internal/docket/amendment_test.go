package docket_test

import (
	"strings"
	"testing"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

func TestAmendmentInput(t *testing.T) {
	old := "sha256:" + strings.Repeat("ab", 32)
	c := &docket.Case{ID: "c", WeightsDigest: old, Summary: "s"}
	c.PlannedReleaseDate, _ = clock.ParseDate("2026-09-30")
	s := func(v string) *string { return &v }
	newer := "sha256:" + strings.Repeat("cd", 32)

	m, err := docket.AmendmentInput{Summary: s("new")}.Amendment(c)
	if err != nil || m.Status != docket.AmendmentApplied || m.Material() || m.OldDigest != old || strings.Join(m.Changes(), ",") != "summary" {
		t.Fatalf("%+v %v", m, err)
	}
	m, err = docket.AmendmentInput{WeightsDigest: s(newer), PlannedReleaseDate: s("")}.Amendment(c)
	if err != nil || m.Status != docket.AmendmentPending || !m.Material() || m.ReleaseDate == nil || !m.ReleaseDate.IsZero() {
		t.Fatalf("%+v %v", m, err)
	}
	m.Apply(c)
	if c.WeightsDigest != newer || !c.PlannedReleaseDate.IsZero() || c.Summary != "s" {
		t.Fatalf("applied: %+v", c)
	}
	ch := auditJSON(t, m.AuditChanges())
	if !strings.Contains(ch, old) || !strings.Contains(ch, newer) {
		t.Fatalf("audit: %s", ch)
	}
	if ch := auditJSON(t, (&docket.Amendment{Summary: s("secret plans")}).AuditChanges()); strings.Contains(ch, "secret plans") {
		t.Fatalf("the summary is in the audit: %s", ch)
	}
	for _, tc := range []struct {
		in    docket.AmendmentInput
		field string
	}{
		{docket.AmendmentInput{}, ""},
		{docket.AmendmentInput{WeightsDigest: s("sha256:AB")}, "weights_digest"},
		{docket.AmendmentInput{WeightsDigest: s(newer)}, "weights_digest"}, // the case's digest now
		{docket.AmendmentInput{PlannedReleaseDate: s("30/09/2026")}, "planned_release_date"},
		{docket.AmendmentInput{Summary: s(strings.Repeat("x", 20001))}, "summary"},
	} {
		_, err := tc.in.Amendment(c)
		if e := docket.AsError(err); e == nil || e.Code != docket.EUnprocessable || e.Field != tc.field {
			t.Errorf("want 422 on %q, got %v", tc.field, err)
		}
	}
}

func TestAmendmentResolution(t *testing.T) {
	yes, no := true, false
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		r     docket.AmendmentResolution
		want  string
		field string
	}{
		{docket.AmendmentResolution{RestartClock: &yes, Note: s("n")}, "accepted", ""},
		{docket.AmendmentResolution{RestartClock: &no, Note: s("n"), Outcome: s("rejected")}, "rejected", ""},
		{docket.AmendmentResolution{Note: s("n")}, "", "restart_clock"},
		{docket.AmendmentResolution{RestartClock: &yes, Note: s("n"), Outcome: s("rejected")}, "", "restart_clock"},
		{docket.AmendmentResolution{RestartClock: &no}, "", "note"},
		{docket.AmendmentResolution{RestartClock: &no, Note: s("n"), Outcome: s("later")}, "", "outcome"},
	} {
		got, err := tc.r.Validate()
		if tc.field == "" {
			if err != nil || got != tc.want {
				t.Errorf("%+v: %s %v", tc.r, got, err)
			}
			continue
		}
		if e := docket.AsError(err); e == nil || e.Field != tc.field {
			t.Errorf("want an error on %s, got %v", tc.field, err)
		}
	}
}
