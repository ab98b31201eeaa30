package docket_test

import (
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

func TestPublishable(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	embargo, _ := clock.ParseDate("2026-12-01")
	from := time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC) // 00:00 EST
	base := docket.Finding{Status: docket.FindingShared, TLP: "TLP:GREEN"}
	for _, tc := range []struct {
		name   string
		change func(*docket.Finding)
		now    time.Time
		reason string // "" means publishable
	}{
		{"shared green", func(*docket.Finding) {}, from, ""},
		{"clear", func(f *docket.Finding) { f.TLP = "TLP:CLEAR" }, from, ""},
		{"lab responded", func(f *docket.Finding) { f.Status = docket.FindingLabResponded }, from, ""},
		{"resolved", func(f *docket.Finding) { f.Status = docket.FindingResolved }, from, ""},
		{"risk accepted", func(f *docket.Finding) { f.Status = docket.FindingRiskAccepted }, from, ""},
		{"draft", func(f *docket.Finding) { f.Status = docket.FindingDraft }, from, "draft"},
		{"amber", func(f *docket.Finding) { f.TLP = "TLP:AMBER" }, from, "TLP:AMBER"},
		{"amber strict", func(f *docket.Finding) { f.TLP = "TLP:AMBER+STRICT" }, from, "TLP:AMBER+STRICT"},
		{"red", func(f *docket.Finding) { f.TLP = "TLP:RED" }, from, "TLP:RED"},
		{"embargo, a millisecond early", func(f *docket.Finding) { f.EmbargoUntil = embargo }, from.Add(-time.Millisecond), "embargo until 2026-12-01"},
		{"embargo, at midnight", func(f *docket.Finding) { f.EmbargoUntil = embargo }, from, ""},
		{"published", func(f *docket.Finding) { f.ClearinghouseID = "AICH-2026-0007" }, from, "AICH-2026-0007"},
	} {
		f := base
		tc.change(&f)
		err := docket.Publishable(&f, tc.now, ny)
		switch {
		case tc.reason == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.reason != "" && (docket.ErrorCode(err) != docket.EConflict || !strings.Contains(err.Error(), tc.reason)):
			t.Errorf("%s: want 409 naming %q, got %v", tc.name, tc.reason, err)
		}
	}
}

func TestPublishEntry(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2027, 1, 1, 3, 0, 0, 0, time.UTC) // 22:00 EST on 31 December 2026
	f := &docket.Finding{ID: "f", Category: "exploit_development", Severity: "high", TLP: "TLP:CLEAR", AtlasTechnique: "AML.T0051"}
	c := &docket.Case{ID: "c", OrgName: "Frontier Labs", ModelName: "Atlas", ModelVersion: "2.0"}
	s := func(v string) *string { return &v }
	yes, no := true, false
	in := docket.PublishInput{Subject: s("ai_system"), VulnerabilityName: s(" Escape "), ShortDescription: s("d"),
		RequiredAction: s("a"), DueDate: s("2026-12-31"), RedactLab: &no}
	e, err := in.Entry(f, c, now, ny)
	if err != nil || e.VendorProject != "Frontier Labs" || e.Product != "Atlas 2.0" || e.VulnerabilityName != "Escape" ||
		e.DateAdded.String() != "2026-12-31" || e.Severity != "high" || e.AtlasTechnique != "AML.T0051" {
		t.Fatalf("%+v %v", e, err)
	}
	in.RedactLab = &yes
	if e, _ := in.Entry(f, c, now, ny); e.VendorProject != "withheld" || e.Product != "withheld" {
		t.Fatalf("redacted: %+v", e)
	}
	tp := docket.PublishInput{Subject: s("third_party"), VulnerabilityName: s("n"), ShortDescription: s("d"),
		RequiredAction: s("a"), DueDate: s("2027-02-01"), AffectedVendor: s("Acme"), AffectedProduct: s("httpd"), CVEID: s("CVE-2026-123456")}
	if e, err := tp.Entry(f, c, now, ny); err != nil || e.VendorProject != "Acme" || e.CVEID != "CVE-2026-123456" {
		t.Fatalf("third party: %+v %v", e, err)
	}
	for _, tc := range []struct {
		in    docket.PublishInput
		field string
	}{
		{docket.PublishInput{}, "subject"},
		{func() docket.PublishInput { x := in; x.DueDate = s("2026-12-30"); return x }(), "due_date"},
		{func() docket.PublishInput { x := in; x.RedactLab = nil; return x }(), "redact_lab"},
		{func() docket.PublishInput { x := in; x.AffectedVendor = s("Acme"); return x }(), "affected_vendor"},
		{func() docket.PublishInput { x := tp; x.AffectedProduct = nil; return x }(), "affected_product"},
		{func() docket.PublishInput { x := tp; x.CVEID = s("CVE-1-2"); return x }(), "cve_id"},
		{func() docket.PublishInput { x := in; x.Notes = s(strings.Repeat("n", 2001)); return x }(), "notes"},
	} {
		_, err := tc.in.Entry(f, c, now, ny)
		if e := docket.AsError(err); e == nil || e.Field != tc.field {
			t.Errorf("want an error on %s, got %v", tc.field, err)
		}
	}
}

func TestCatalogVersion(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	if v := docket.CatalogVersion(nil, 0, ny); v != "0000.00.00.0" {
		t.Errorf("empty: %s", v)
	}
	at := time.Date(2027, 1, 1, 3, 0, 0, 0, time.UTC) // still 31 December in New York
	if v := docket.CatalogVersion(&at, 4, ny); v != "2026.12.31.4" {
		t.Errorf("version %s", v)
	}
}
