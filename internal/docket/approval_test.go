package docket_test

import (
	"testing"

	"github.com/docket/docket/internal/docket"
)

// TestApprovalDecisionRules: only a review lead decides, never the one who
// requested the change (even a lead), and only while the change is pending.
func TestApprovalDecisionRules(t *testing.T) {
	p := &docket.Approval{ID: "a", RequestedBy: "lead-1", Status: docket.ApprovalPending}
	for _, tc := range []struct {
		actor docket.Actor
		code  string
	}{
		{docket.Actor{UserID: "lead-2", Role: docket.RoleReviewLead}, ""},
		{docket.Actor{UserID: "lead-1", Role: docket.RoleReviewLead}, docket.EForbidden},
		{docket.Actor{UserID: "admin", Role: docket.RoleAdmin}, docket.EForbidden},
		{docket.Actor{UserID: "co", Role: docket.RoleCompliance}, docket.EForbidden},
		{docket.Actor{UserID: "rev", Role: docket.RoleReviewer}, docket.EForbidden},
		{docket.Actor{UserID: "lab", Role: docket.RoleLabMember}, docket.EForbidden},
	} {
		if got := docket.ErrorCode(p.CheckDecision(tc.actor)); got != tc.code {
			t.Errorf("%s (%s): %q, want %q", tc.actor.UserID, tc.actor.Role, got, tc.code)
		}
	}
	for _, status := range []string{docket.ApprovalApproved, docket.ApprovalRejected} {
		p.Status = status
		err := p.CheckDecision(docket.Actor{UserID: "lead-2", Role: docket.RoleReviewLead})
		if de := docket.AsError(err); de == nil || de.Code != docket.EConflict || de.Message != "the change is "+status+" already" {
			t.Errorf("%s: %v", status, err)
		}
	}
	for _, r := range docket.Roles {
		if want := r == docket.RoleReviewer || r == docket.RoleReviewLead; r.ReadsContent() != want {
			t.Errorf("%s reads content: %v", r, r.ReadsContent())
		}
	}
}
