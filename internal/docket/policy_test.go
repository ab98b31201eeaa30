package docket_test

import (
	"testing"

	"github.com/docket/docket/internal/docket"
)

// TestAdditionsStopWhenTheCaseCloses: every domain check of an addition
// (attachments to the case or a finding, findings, comments, information
// requests, benchmark results, amendments) answers, for every state and
// role, in the order 404 → 403 → 409; a decided or withdrawn case gives the
// one 409 of CheckAddition, to attested and unattested users alike.
func TestAdditionsStopWhenTheCaseCloses(t *testing.T) {
	lab := docket.Actor{UserID: "lab", Role: docket.RoleLabMember, OrgID: "org"}
	rev := docket.Actor{UserID: "rev", Role: docket.RoleReviewer, OrgID: "agency"}
	lead := docket.Actor{UserID: "lead", Role: docket.RoleReviewLead, OrgID: "agency"}
	co := docket.Actor{UserID: "co", Role: docket.RoleCompliance, OrgID: "agency"}
	admin := docket.Actor{UserID: "admin", Role: docket.RoleAdmin, OrgID: "agency"}
	all := []docket.Actor{lab, rev, lead, co, admin}
	agency := []docket.Role{docket.RoleReviewer, docket.RoleReviewLead}
	contentRoles := []docket.Role{docket.RoleLabMember, docket.RoleReviewer, docket.RoleReviewLead}

	checks := []struct {
		name  string
		roles []docket.Role // the roles that ever may
		// draft: the addition is allowed on a draft too (only its lab sees one).
		draft bool
		check func(acc docket.CaseAccess) error
	}{
		{"case attachment", contentRoles, true, func(acc docket.CaseAccess) error {
			return acc.CheckAdd(docket.RoleLabMember, docket.RoleReviewer, docket.RoleReviewLead)
		}},
		{"finding attachment", contentRoles, false, func(acc docket.CaseAccess) error {
			f := &docket.Finding{ID: "f", CaseID: acc.Case.ID, Status: docket.FindingShared, TLP: "TLP:AMBER"}
			return docket.FindingAccess{CaseAccess: acc, Finding: f}.Check(docket.FindAttach)
		}},
		{"finding", agency, false, func(acc docket.CaseAccess) error { return acc.CanRecordFinding() }},
		{"comment", contentRoles, true, func(acc docket.CaseAccess) error { return acc.CheckComment("More.", docket.CommentShared) }},
		{"information request", agency, false, func(acc docket.CaseAccess) error { return acc.Check(docket.ActRequestInfo) }},
		{"benchmark result", agency, false, func(acc docket.CaseAccess) error { return acc.CanRecordBenchmark() }},
		{"amendment", []docket.Role{docket.RoleLabMember}, false, func(acc docket.CaseAccess) error { return acc.Check(docket.ActAmend) }},
	}
	n := 0
	for _, st := range docket.Statuses {
		for _, a := range all {
			for _, attested := range []bool{true, false} {
				c := &docket.Case{ID: "c", OrgID: "org", Status: st, ReviewerIDs: []string{"rev"}}
				acc := docket.CaseAccess{Actor: a, Case: c, Attested: attested}
				for _, x := range checks {
					n++
					err := x.check(acc)
					code, msg := docket.ErrorCode(err), ""
					if e := docket.AsError(err); e != nil {
						msg = e.Message
					}
					may := false
					for _, r := range x.roles {
						may = may || r == a.Role
					}
					agencyRole := a.Role == docket.RoleReviewer || a.Role == docket.RoleReviewLead
					switch {
					case !acc.CanSee():
						if code != docket.ENotFound {
							t.Errorf("%s by %s on a hidden %s case: %v, want 404", x.name, a.Role, st, err)
						}
					case !may:
						if code != docket.EForbidden {
							t.Errorf("%s by %s on a %s case: %v, want 403", x.name, a.Role, st, err)
						}
					case st.Final():
						if want := "the case is " + string(st) + "; nothing can be added to it"; code != docket.EConflict || msg != want {
							t.Errorf("%s by %s (attested %v) on a %s case: %v, want 409 %q", x.name, a.Role, attested, st, err, want)
						}
					case agencyRole && !attested:
						if code != docket.EConflict {
							t.Errorf("%s by an unattested %s on a %s case: %v, want 409", x.name, a.Role, st, err)
						}
					case st.Open() || (st == docket.StatusDraft && x.draft):
						if err != nil {
							t.Errorf("%s by %s on a %s case: %v, want nil", x.name, a.Role, st, err)
						}
					}
				}
			}
		}
	}
	if !docket.StatusSubmitted.AcceptsAdditions() || docket.StatusDecided.AcceptsAdditions() || docket.StatusWithdrawn.AcceptsAdditions() {
		t.Fatal("AcceptsAdditions")
	}
	t.Logf("%d checks", n)
}
