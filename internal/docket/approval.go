package docket

import "time"

// Administration takes two: an administrator manages accounts but never reads
// cases, and must not be able to give itself that power. A change that would
// let an account read case content (creating a reviewer or a review lead,
// raising a user to one of those roles, setting such a user's password) is
// stored as an Approval and takes effect only when a review lead other than
// the requester approves it.

// The kinds of change that wait for approval.
const (
	ApprovalUserCreate   = "user.create"   // a new reviewer or review lead
	ApprovalUserRole     = "user.role"     // a user raised to reviewer or review lead (and maybe a new password)
	ApprovalUserPassword = "user.password" // a new password for a reviewer or review lead
	ApprovalUserFactors  = "user.factors"  // a reviewer's or review lead's second factors removed
)

// ApprovalKinds lists every kind of change that waits for approval.
var ApprovalKinds = []string{ApprovalUserCreate, ApprovalUserRole, ApprovalUserPassword, ApprovalUserFactors}

// The states of a change that waits for approval.
const (
	ApprovalPending  = "pending"  // waiting for a review lead
	ApprovalApproved = "approved" // approved by a lead, and applied in the same transaction
	ApprovalRejected = "rejected" // refused by a lead; nothing applied
)

// ApprovalStatuses lists every state of a change that waits for approval.
var ApprovalStatuses = []string{ApprovalPending, ApprovalApproved, ApprovalRejected}

// Approval is a change to an account that waits for a review lead's approval.
type Approval struct {
	ID   string
	Kind string
	// UserID is the user the change is about; for a create, the id the user
	// will get.
	UserID      string
	RequestedBy string
	RequestedAt time.Time
	Status      string
	// DecidedBy and DecidedAt are the lead who approved or rejected it, and when.
	DecidedBy string
	DecidedAt *time.Time
	// Email, Name and OrgID are the user's: the new user's for a create, the
	// user's when the change was requested otherwise.
	Email string
	Name  string
	OrgID string
	// Role is the role the user will have (a create or a role change);
	// FromRole the user's role when a role change was requested.
	Role     Role
	FromRole Role
	// SetsPassword says the change sets a password; PasswordHash is its hash
	// (never the password), kept only while the change is pending.
	SetsPassword bool
	PasswordHash string
	// UserVersion is the user's token version when a password change was
	// requested: a later password, role or state change conflicts with it.
	UserVersion int
	// RequesterName, DeciderName and OrgName are filled by reads, for display.
	RequesterName string
	DeciderName   string
	OrgName       string
}

// ReadsContent reports whether the role reads case content: giving an
// account such a role, or its password, takes a review lead's approval.
func (r Role) ReadsContent() bool { return r == RoleReviewer || r == RoleReviewLead }

// CanSeeApprovals reports whether the role reads the list of changes that
// wait for approval: leads and compliance officers all of them, admins their own.
func CanSeeApprovals(r Role) bool {
	return r == RoleReviewLead || r == RoleCompliance || r == RoleAdmin
}

// CanSeeAllApprovals reports whether the role reads every requester's changes.
func CanSeeAllApprovals(r Role) bool { return r == RoleReviewLead || r == RoleCompliance }

// CanDecideApprovals reports whether the role approves or rejects changes.
func CanDecideApprovals(r Role) bool { return r == RoleReviewLead }

// CheckDecision says whether the actor may approve or reject the change now:
// only a review lead (403), never the one who requested it nor the one it
// changes (403), and only while it is pending (409 naming its state).
func (p *Approval) CheckDecision(a Actor) error {
	if !CanDecideApprovals(a.Role) {
		return Forbidden()
	}
	if a.UserID == p.RequestedBy {
		return &Error{Code: EForbidden, Message: "the requester of a change cannot approve or reject it; another review lead must"}
	}
	if a.UserID == p.UserID {
		return &Error{Code: EForbidden, Message: "a change to your own account is approved or rejected by another review lead"}
	}
	if p.Status != ApprovalPending {
		return Errorf(EConflict, "the change is %s already", p.Status)
	}
	return nil
}
