package docket_test

import (
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/docket"
)

func str(s string) *string { return &s }

func validInput() docket.FindingInput {
	return docket.FindingInput{Title: str("Prompt injection through tool output"), Description: str("Details."),
		Category: str("safeguard_bypass"), Severity: str("high"), TLP: str("TLP:AMBER")}
}

func TestFindingInputValidation(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*docket.FindingInput)
		field string
	}{
		{"valid", func(*docket.FindingInput) {}, ""},
		{"atlas technique", func(in *docket.FindingInput) { in.AtlasTechnique = str("AML.T0043") }, ""},
		{"atlas sub-technique", func(in *docket.FindingInput) { in.AtlasTechnique = str("AML.T0043.002") }, ""},
		{"atlas cleared", func(in *docket.FindingInput) { in.AtlasTechnique = str("") }, ""},
		{"every TLP 2.0 label", func(in *docket.FindingInput) { in.TLP = str("TLP:AMBER+STRICT") }, ""},
		{"embargo", func(in *docket.FindingInput) { in.EmbargoUntil = str("2027-01-15") }, ""},
		{"atlas without T", func(in *docket.FindingInput) { in.AtlasTechnique = str("AML.0043") }, "atlas_technique"},
		{"atlas five digits", func(in *docket.FindingInput) { in.AtlasTechnique = str("AML.T00431") }, "atlas_technique"},
		{"atlas two-digit sub", func(in *docket.FindingInput) { in.AtlasTechnique = str("AML.T0043.02") }, "atlas_technique"},
		{"atlas with a newline", func(in *docket.FindingInput) { in.AtlasTechnique = str("AML.T0043\n") }, "atlas_technique"},
		{"TLP:WHITE is TLP 1.0", func(in *docket.FindingInput) { in.TLP = str("TLP:WHITE") }, "tlp"},
		{"TLP without prefix", func(in *docket.FindingInput) { in.TLP = str("RED") }, "tlp"},
		{"unknown category", func(in *docket.FindingInput) { in.Category = str("misc") }, "category"},
		{"unknown severity", func(in *docket.FindingInput) { in.Severity = str("Critical") }, "severity"},
		{"embargo not a date", func(in *docket.FindingInput) { in.EmbargoUntil = str("2026-13-01") }, "embargo_until"},
		{"title blank", func(in *docket.FindingInput) { in.Title = str(" ") }, "title"},
		{"title too long", func(in *docket.FindingInput) { in.Title = str(strings.Repeat("é", 201)) }, "title"},
		{"description blank", func(in *docket.FindingInput) { in.Description = str("") }, "description"},
		{"description not UTF-8", func(in *docket.FindingInput) { in.Description = str("\xff") }, "description"},
		{"description with NUL", func(in *docket.FindingInput) { in.Description = str("a\x00b") }, "description"},
		{"evidence too long", func(in *docket.FindingInput) { in.Evidence = str(strings.Repeat("e", docket.MaxFindingText+1)) }, "evidence"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validInput()
			c.edit(&in)
			f := &docket.Finding{Title: "before"}
			err := in.Required()
			if err == nil {
				err = in.Apply(f)
			}
			if c.field == "" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			e := docket.AsError(err)
			if e == nil || e.Code != docket.EUnprocessable || e.Field != c.field {
				t.Fatalf("want 422 naming %s, got %v", c.field, err)
			}
			if f.Title != "before" {
				t.Fatal("a failed Apply changed the finding")
			}
		})
	}
	for _, missing := range []string{"title", "description", "category", "severity", "tlp"} {
		in := validInput()
		switch missing {
		case "title":
			in.Title = nil
		case "description":
			in.Description = nil
		case "category":
			in.Category = nil
		case "severity":
			in.Severity = nil
		case "tlp":
			in.TLP = nil
		}
		if e := docket.AsError(in.Required()); e == nil || e.Field != missing {
			t.Errorf("missing %s: %v", missing, e)
		}
	}
}

func TestFindingChangesHoldNoText(t *testing.T) {
	in := validInput()
	in.Evidence, in.Component, in.AtlasTechnique = str("Evidence text"), str("Component text"), str("AML.T0043")
	js := auditJSON(t, in.Changes())
	for _, text := range []string{*in.Title, *in.Description, *in.Evidence, *in.Component, *in.AtlasTechnique} {
		if strings.Contains(js, text) {
			t.Errorf("changes carry %q: %s", text, js)
		}
	}
	for _, meta := range []string{`"severity":"high"`, `"tlp":"TLP:AMBER"`, `"description":{"hmac_sha256":`} {
		if !strings.Contains(js, meta) {
			t.Errorf("changes lack %s: %s", meta, js)
		}
	}
}

func TestResponseDueIsTheEndOfALocalDay(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		shared time.Time
		days   int
		want   string
	}{
		{time.Date(2026, 10, 30, 14, 0, 0, 0, ny), 3, "2026-11-03T04:59:59.999Z"},  // across fall-back
		{time.Date(2026, 3, 6, 23, 59, 0, 0, ny), 7, "2026-03-14T03:59:59.999Z"},   // across spring-forward
		{time.Date(2026, 6, 2, 23, 30, 0, 0, ny), 14, "2026-06-17T03:59:59.999Z"},  // the local date, not UTC's
		{time.Date(2026, 12, 31, 20, 0, 0, 0, ny), 30, "2027-01-31T04:59:59.999Z"}, // into a new year
	}
	for _, c := range cases {
		got := docket.ResponseDue(c.shared, c.days, ny)
		if got == nil || got.Format("2006-01-02T15:04:05.000Z") != c.want {
			t.Errorf("%s + %d days: %v, want %s", c.shared, c.days, got, c.want)
		}
	}
	if docket.ResponseDue(time.Now(), 0, ny) != nil {
		t.Error("0 days gives a deadline")
	}
	due := time.Date(2026, 7, 1, 3, 59, 59, 999e6, time.UTC)
	f := &docket.Finding{Status: docket.FindingShared, ResponseDueAt: &due}
	if f.Overdue(due) || !f.Overdue(due.Add(time.Millisecond)) {
		t.Error("overdue is not strictly after the deadline")
	}
	f.Status = docket.FindingLabResponded
	if f.Overdue(due.Add(time.Hour)) {
		t.Error("an answered finding is overdue")
	}
}

// The policy, pure: who may do what with a finding in each state.
func TestFindingPolicy(t *testing.T) {
	c := &docket.Case{ID: "c", OrgID: "lab", Status: docket.StatusInReview, ReviewerIDs: []string{"rev", "rev2"}}
	actor := func(id string, role docket.Role, org string) docket.Actor {
		return docket.Actor{UserID: id, Role: role, OrgID: org}
	}
	users := map[string]docket.CaseAccess{
		"lab":     {Actor: actor("lab", docket.RoleLabMember, "lab"), Case: c},
		"named":   {Actor: actor("named", docket.RoleLabMember, "lab"), Case: c},
		"rival":   {Actor: actor("rival", docket.RoleLabMember, "other"), Case: c},
		"author":  {Actor: actor("rev", docket.RoleReviewer, "agency"), Case: c, Attested: true},
		"rev2":    {Actor: actor("rev2", docket.RoleReviewer, "agency"), Case: c, Attested: true},
		"rev3":    {Actor: actor("rev3", docket.RoleReviewer, "agency"), Case: c, Attested: true},
		"lead":    {Actor: actor("lead", docket.RoleReviewLead, "agency"), Case: c, Attested: true},
		"newlead": {Actor: actor("lead2", docket.RoleReviewLead, "agency"), Case: c},
		"co":      {Actor: actor("co", docket.RoleCompliance, "agency"), Case: c},
		"admin":   {Actor: actor("admin", docket.RoleAdmin, "agency"), Case: c},
	}
	// Expected codes per user for: read, edit, share, respond, resolve, attach.
	type row map[string][6]int
	table := []struct {
		status docket.FindingStatus
		tlp    string
		want   row
	}{
		{docket.FindingDraft, "TLP:AMBER", row{
			"lab": {404, 404, 404, 404, 404, 404}, "author": {0, 0, 0, 403, 403, 0}, "rev2": {0, 403, 403, 403, 403, 0},
			"rev3": {404, 404, 404, 404, 404, 404}, "lead": {0, 0, 0, 403, 409, 0}, "newlead": {409, 409, 409, 409, 409, 409},
			"co": {403, 403, 403, 403, 403, 403}, "admin": {404, 404, 404, 404, 404, 404}, "rival": {404, 404, 404, 404, 404, 404}}},
		{docket.FindingShared, "TLP:AMBER", row{
			"lab": {0, 403, 403, 0, 403, 0}, "author": {0, 409, 409, 403, 403, 0}, "lead": {0, 409, 409, 403, 0, 0}}},
		{docket.FindingShared, docket.TLPRed, row{
			"lab": {404, 404, 404, 404, 404, 404}, "named": {0, 403, 403, 0, 403, 0}}},
		{docket.FindingLabResponded, "TLP:GREEN", row{
			"lab": {0, 403, 403, 409, 403, 0}, "lead": {0, 409, 409, 403, 0, 0}}},
		{docket.FindingRiskAccepted, "TLP:GREEN", row{
			"lab": {0, 403, 403, 409, 403, 409}, "lead": {0, 409, 409, 403, 409, 409}, "co": {403, 403, 403, 403, 403, 403}}},
	}
	codeOf := func(err error) int {
		switch docket.ErrorCode(err) {
		case "":
			return 0
		case docket.ENotFound:
			return 404
		case docket.EForbidden:
			return 403
		case docket.EConflict:
			return 409
		}
		return 500
	}
	acts := []docket.FindingAction{docket.FindEdit, docket.FindShare, docket.FindRespond, docket.FindResolve, docket.FindAttach}
	for _, tc := range table {
		f := &docket.Finding{ID: "f", CaseID: "c", AuthorID: "rev", Status: tc.status, TLP: tc.tlp, RecipientIDs: []string{"named"}}
		for user, want := range tc.want {
			fa := docket.FindingAccess{CaseAccess: users[user], Finding: f}
			got := [6]int{codeOf(fa.CheckRead())}
			for i, act := range acts {
				got[i+1] = codeOf(fa.Check(act))
			}
			if got != want {
				t.Errorf("%s %s finding, %s: got %v, want %v (read, edit, share, respond, resolve, attach)", tc.status, tc.tlp, user, got, want)
			}
		}
	}
}

func TestCommentPolicy(t *testing.T) {
	c := &docket.Case{ID: "c", OrgID: "lab", Status: docket.StatusInReview, ReviewerIDs: []string{"rev"}}
	lab := docket.CaseAccess{Actor: docket.Actor{UserID: "lab", Role: docket.RoleLabMember, OrgID: "lab"}, Case: c}
	rev := docket.CaseAccess{Actor: docket.Actor{UserID: "rev", Role: docket.RoleReviewer}, Case: c, Attested: true}
	co := docket.CaseAccess{Actor: docket.Actor{UserID: "co", Role: docket.RoleCompliance}, Case: c}
	for _, x := range []struct {
		acc       docket.CaseAccess
		body, vis string
		code      string
	}{
		{lab, "Hi", docket.CommentShared, ""},
		{lab, "Hi", docket.CommentInternal, docket.EUnprocessable},
		{rev, "Hi", docket.CommentInternal, ""},
		{rev, "", docket.CommentInternal, docket.EUnprocessable},
		{co, "Hi", docket.CommentInternal, docket.EForbidden},
	} {
		if got := docket.ErrorCode(x.acc.CheckComment(x.body, x.vis)); got != x.code {
			t.Errorf("%s posting %s %q: %q, want %q", x.acc.Actor.Role, x.vis, x.body, got, x.code)
		}
	}
	internal := &docket.Comment{Visibility: docket.CommentInternal}
	if lab.CanSeeComment(internal) || !rev.CanSeeComment(internal) {
		t.Error("internal comments: wrong readers")
	}
}
