package docket_test

import (
	"testing"
	"time"

	"github.com/docket/docket/internal/docket"
)

// TestStepUpRequired: only TLP:RED, only while the setting holds, and only
// for a session that is not phishing-resistant, needs the step-up.
func TestStepUpRequired(t *testing.T) {
	for _, c := range []struct {
		tlp             string
		setting, strong bool
		want            bool
	}{
		{"TLP:RED", true, false, true},
		{"TLP:RED", true, true, false},
		{"TLP:RED", false, false, false},
		{"TLP:AMBER+STRICT", true, false, false},
		{"TLP:CLEAR", true, false, false},
	} {
		a := docket.Actor{Role: docket.RoleReviewLead, RedNeedsPhishingResistant: c.setting, PhishingResistant: c.strong,
			SecondFactor: true, AMR: []string{"pwd", "otp"}}
		if got := docket.StepUpRequired(a, c.tlp); got != c.want {
			t.Errorf("%s, setting %v, phishing-resistant %v: %v, want %v", c.tlp, c.setting, c.strong, got, c.want)
		}
		err := docket.CheckStepUp(a, c.tlp)
		if c.want != (docket.ErrorCode(err) == docket.EStepUp) || (err != nil && !c.want) {
			t.Errorf("%s, setting %v, phishing-resistant %v: %v", c.tlp, c.setting, c.strong, err)
		}
	}
	for acr, want := range map[string]bool{
		"http://idmanagement.gov/ns/assurance/aal/2?phishing_resistant=true": true,
		"http://idmanagement.gov/ns/assurance/aal/2?hspd12=true":             true,
		"http://idmanagement.gov/ns/assurance/aal/2":                         false,
		"": false,
	} {
		if got := docket.ACRPhishingResistant(acr); got != want {
			t.Errorf("ACRPhishingResistant(%q) = %v", acr, got)
		}
	}
}

// TestFindingAccessStepsUpLast: on a TLP:RED finding the step-up comes after
// what the policy answered before (404 hidden, 403 a role that may not, 409
// before attesting or a closed case), and before the finding's state; what
// a list may show of it (CheckSee, Outline) keeps its text out.
func TestFindingAccessStepsUpLast(t *testing.T) {
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	c := &docket.Case{ID: "c", OrgID: "lab", Status: docket.StatusInReview, LeadID: "lead"}
	red := &docket.Finding{ID: "f", CaseID: "c", Status: docket.FindingShared, TLP: docket.TLPRed, Title: "T", Description: "D",
		Category: "other", Severity: "critical", Evidence: "E", Component: "C", AuthorID: "rev", RecipientIDs: []string{"lab2"},
		Response: "R", ResolutionNote: "N", SharedAt: &now, ResponseDueAt: &now, CreatedAt: now, UpdatedAt: now}
	weak := func(id string, role docket.Role, org string) docket.Actor {
		return docket.Actor{UserID: id, Role: role, OrgID: org, RedNeedsPhishingResistant: true, SecondFactor: true}
	}
	access := func(a docket.Actor, attested bool) docket.FindingAccess {
		return docket.FindingAccess{CaseAccess: docket.CaseAccess{Actor: a, Case: c, Attested: attested}, Finding: red}
	}
	lead, lab2, lab := weak("lead", docket.RoleReviewLead, "agency"), weak("lab2", docket.RoleLabMember, "lab"), weak("lab", docket.RoleLabMember, "lab")
	for _, x := range []struct {
		name string
		err  error
		code string
	}{
		{"the lead reads", access(lead, true).CheckRead(), docket.EStepUp},
		{"the lead before attesting", access(lead, false).CheckRead(), docket.EConflict},
		{"the named lab user reads", access(lab2, false).CheckRead(), docket.EStepUp},
		{"an unnamed lab user", access(lab, false).CheckRead(), docket.ENotFound},
		{"the named lab user edits", access(lab2, false).Check(docket.FindEdit), docket.EForbidden},
		{"the named lab user responds", access(lab2, false).Check(docket.FindRespond), docket.EStepUp},
		{"the lead edits a shared finding", access(lead, true).Check(docket.FindEdit), docket.EStepUp},
		{"the lead lists it", access(lead, true).CheckSee(), ""},
	} {
		if got := docket.ErrorCode(x.err); got != x.code {
			t.Errorf("%s: %q (%v), want %q", x.name, got, x.err, x.code)
		}
	}
	strong := lead
	strong.PhishingResistant = true
	if err := access(strong, true).Check(docket.FindEdit); docket.ErrorCode(err) != docket.EConflict {
		t.Errorf("a passkey session edits a shared finding: %v, want the state's 409", err)
	}
	if acts := access(lead, true).Allowed(); len(acts) != 0 {
		t.Errorf("a session that must step up may %v", acts)
	}
	o := red.Outline()
	if o.Title != "" || o.Description != "" || o.Category != "" || o.Evidence != "" || o.Component != "" || o.AuthorID != "" ||
		len(o.RecipientIDs) != 0 || o.Response != "" || o.ResolutionNote != "" {
		t.Errorf("the outline carries content: %+v", o)
	}
	if o.ID != red.ID || o.Status != red.Status || o.Severity != red.Severity || o.TLP != red.TLP || o.ResponseDueAt != red.ResponseDueAt {
		t.Errorf("the outline lost what a list shows: %+v", o)
	}
}
