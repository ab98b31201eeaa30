package app

import (
	"context"
	"time"

	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// ApprovalStore keeps the changes to accounts that wait for a review lead's
// approval (docket.Approval).
type ApprovalStore interface {
	CreateApproval(p *docket.Approval) error
	// ApprovalByID returns a change with the names of its requester, decider
	// and organisation; 404 when no change has the id.
	ApprovalByID(id string) (*docket.Approval, error)
	// DecideApproval stores the decision (status, decider, instant) of a
	// pending change and forgets its password hash; 409 when the change was
	// decided meanwhile.
	DecideApproval(p *docket.Approval) error
	// ListApprovals lists changes newest first, with the names ApprovalByID
	// reads; 422 on a cursor it did not give.
	ListApprovals(f ApprovalFilter, p Page) ([]docket.Approval, string, error)
}

// ApprovalFilter narrows a list of changes; nil fields do not narrow it.
type ApprovalFilter struct {
	Status      *string
	RequestedBy *string
	UserID      *string
	Email       *string
}

// approvalTx is what the approvals service does inside one transaction: its
// own table, the accounts it changes and their sessions, the audit chain
// and the inbox. Its use cases see the transaction through this view only
// (read and write below), never the whole Tx.
type approvalTx interface {
	Approvals() ApprovalStore
	Audit() AuditStore
	Users() UserStore
	Notifications() NotifyStore
	Factors() FactorStore
}

// Approvals is the two-person rule of account administration: a change that
// would let an account read case content waits until a review lead other
// than its requester approves it, and is applied in the transaction that
// approves it. The administrators' use cases (admin.go) put such changes
// here instead of applying them; the command line's `docket user create`
// still applies at once, so that a new deployment can get its first lead.
type Approvals struct {
	store Store
	now   func() time.Time
	// auditKey hashes confidential values in its audit events; New gives it the Service's.
	auditKey []byte
}

// ApprovalOptions are what NewApprovals needs besides the store.
type ApprovalOptions struct {
	// Now is the clock (default time.Now), the same as the Service's.
	Now func() time.Time
}

// NewApprovals builds the approvals service over the application's store.
func NewApprovals(store Store, o ApprovalOptions) *Approvals {
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Approvals{store: store, now: o.Now}
}

// Now returns the service's current instant, UTC to the millisecond.
func (p *Approvals) Now() time.Time { return clock.Ms(p.now()) }

func (p *Approvals) read(ctx context.Context, fn func(approvalTx) error) error {
	return p.store.Read(ctx, func(tx Tx) error { return fn(tx) })
}

func (p *Approvals) write(ctx context.Context, fn func(approvalTx) error) error {
	return p.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}

// request stores ap as a pending change requested by the administrator a,
// inside the caller's transaction, audits it and puts an item in the inbox
// of every active review lead and compliance officer. One change of a kind
// waits for a user at a time, and one create for an e-mail address (409).
func (p *Approvals) request(tx approvalTx, a docket.Actor, ap *docket.Approval) error {
	if !docket.CanAdminister(a.Role) {
		return docket.Forbidden()
	}
	pending := docket.ApprovalPending
	f := ApprovalFilter{Status: &pending, UserID: &ap.UserID}
	if ap.Kind == docket.ApprovalUserCreate {
		f = ApprovalFilter{Status: &pending, Email: &ap.Email}
	}
	waiting, _, err := tx.Approvals().ListApprovals(f, Page{Limit: 20})
	if err != nil {
		return err
	}
	for _, w := range waiting {
		switch {
		case ap.Kind == docket.ApprovalUserCreate && w.Kind == docket.ApprovalUserCreate:
			return docket.Errorf(docket.EConflict, "a user with this e-mail is waiting for a review lead's approval already")
		case w.Kind == ap.Kind:
			return docket.Errorf(docket.EConflict, "a change of this kind to this user is waiting for a review lead's approval already")
		}
	}
	ap.ID, ap.RequestedBy, ap.RequestedAt, ap.Status = newID(), a.UserID, p.Now(), docket.ApprovalPending
	ap.DecidedBy, ap.DecidedAt = "", nil
	if err := tx.Approvals().CreateApproval(ap); err != nil {
		return err
	}
	ch := docket.Changes{"kind": ap.Kind, "user_id": ap.UserID}
	if ap.Kind == docket.ApprovalUserCreate {
		ch.Set("email", ap.Email).Set("org_id", ap.OrgID)
	}
	if ap.Role != "" {
		ch.Set("role", string(ap.Role))
	}
	if ap.FromRole != "" {
		ch.Set("from_role", string(ap.FromRole))
	}
	if ap.SetsPassword && ap.Kind != docket.ApprovalUserCreate {
		ch.Secret("password", "reset")
	}
	if err := appendAudit(tx.Audit(), p.auditKey, ap.RequestedAt, a, "approval.requested", "approval", ap.ID, "", ch); err != nil {
		return err
	}
	return p.notify(tx, ap)
}

// notify puts the change in the inbox of every active review lead and
// compliance officer but its requester.
func (p *Approvals) notify(tx approvalTx, ap *docket.Approval) error {
	var rows []docket.Notification
	for _, role := range []docket.Role{docket.RoleReviewLead, docket.RoleCompliance} {
		users, err := tx.Notifications().ActiveUsers(role)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.ID == ap.RequestedBy {
				continue
			}
			n := docket.Notification{ID: newID(), InboxID: newID(),
				Key:      docket.NotificationKey(docket.RuleApprovalRequested, ap.ID, ap.RequestedAt, "", 0, u.ID),
				GroupKey: docket.GroupKey(docket.RuleApprovalRequested, ap.ID, ap.RequestedAt, ""),
				Rule:     docket.RuleApprovalRequested, Kind: docket.KindApproval, SubjectType: "approval", SubjectID: ap.ID,
				RecipientID: u.ID, DeadlineAt: ap.RequestedAt, DueAt: ap.RequestedAt, CreatedAt: ap.RequestedAt,
				State: "pending"}
			n.Mail = docket.MailOf(u.EmailDelivery, n, false)
			rows = append(rows, n)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.Notifications().InsertNotifications(rows)
	return err
}

// List lists changes newest first: every change to review leads and
// compliance officers, an administrator's own requests to it (403 for other
// roles). f.Status, when set, is one of the states (422 on status).
func (p *Approvals) List(ctx context.Context, a docket.Actor, f ApprovalFilter, pg Page) ([]docket.Approval, string, error) {
	if !docket.CanSeeApprovals(a.Role) {
		return nil, "", docket.Forbidden()
	}
	if f.Status != nil && !docket.OneOf(*f.Status, docket.ApprovalStatuses) {
		return nil, "", docket.Unacceptable("status", "must be one of pending, approved, rejected")
	}
	if !docket.CanSeeAllApprovals(a.Role) {
		f.RequestedBy = &a.UserID
	}
	var out []docket.Approval
	var next string
	err := p.read(ctx, func(tx approvalTx) error {
		var err error
		out, next, err = tx.Approvals().ListApprovals(ApprovalFilter{Status: f.Status, RequestedBy: f.RequestedBy},
			Page{Limit: clampLimit(pg.Limit), Cursor: pg.Cursor})
		return err
	})
	for i := range out {
		out[i].PasswordHash = "" // never leaves the service
	}
	return out, next, err
}

// Approve applies a pending change and records who approved it, in one
// transaction with their audit events; the user's sessions end when its role
// or password changes. Only a review lead other than the requester approves
// (403); a decided change is 409 naming its state, a missing one 404; a
// change that no longer fits (its e-mail taken meanwhile, the user's role or
// password changed since, the requester no longer an active administrator)
// is 409 saying why, and nothing is written.
func (p *Approvals) Approve(ctx context.Context, a docket.Actor, id string) (*docket.Approval, error) {
	return p.decide(ctx, a, id, docket.ApprovalApproved)
}

// Reject refuses a pending change: nothing of it is applied, and its password
// hash is forgotten. Who may, and the errors, are Approve's.
func (p *Approvals) Reject(ctx context.Context, a docket.Actor, id string) (*docket.Approval, error) {
	return p.decide(ctx, a, id, docket.ApprovalRejected)
}

func (p *Approvals) decide(ctx context.Context, a docket.Actor, id, status string) (*docket.Approval, error) {
	if !docket.CanDecideApprovals(a.Role) {
		return nil, docket.Forbidden()
	}
	var ap *docket.Approval
	err := p.write(ctx, func(tx approvalTx) error {
		var err error
		if ap, err = tx.Approvals().ApprovalByID(id); err != nil {
			return err
		}
		if err := ap.CheckDecision(a); err != nil {
			return err
		}
		now := p.Now()
		hash := ap.PasswordHash
		ap.Status, ap.DecidedBy, ap.DecidedAt, ap.PasswordHash = status, a.UserID, &now, ""
		if err := tx.Approvals().DecideApproval(ap); err != nil {
			return err
		}
		if err := appendAudit(tx.Audit(), p.auditKey, now, a, "approval."+status, "approval", ap.ID, "",
			docket.Changes{"kind": ap.Kind, "user_id": ap.UserID, "requested_by": ap.RequestedBy}); err != nil {
			return err
		}
		if status != docket.ApprovalApproved {
			return nil
		}
		return p.apply(tx, a, ap, hash, now)
	})
	if err != nil {
		return nil, err
	}
	return ap, nil
}

// apply makes the approved change, audited as the approving lead's with the
// change's id: the user created, or its role or password changed and its
// sessions ended. A change that no longer fits is 409 saying why.
func (p *Approvals) apply(tx approvalTx, a docket.Actor, ap *docket.Approval, hash string, now time.Time) error {
	stale := func(format string, args ...any) error {
		return docket.Errorf(docket.EConflict, "the change cannot be applied: "+format+"; reject it, and request it again if it is still wanted", args...)
	}
	requester, err := tx.Users().UserByID(ap.RequestedBy)
	if err != nil && docket.ErrorCode(err) != docket.ENotFound {
		return err
	}
	if err != nil || requester.Disabled || requester.Role != docket.RoleAdmin {
		return stale("its requester is no longer an active administrator")
	}
	ch := docket.Changes{"approval_id": ap.ID, "requested_by": ap.RequestedBy}
	if ap.Kind == docket.ApprovalUserCreate {
		org, err := tx.Users().OrgByID(ap.OrgID)
		if docket.ErrorCode(err) == docket.ENotFound {
			return stale("its organisation does not exist")
		} else if err != nil {
			return err
		}
		if docket.CheckRoleInOrg(ap.Role, org.Kind) != nil {
			return stale("a %s cannot belong to %s", ap.Role, org.Name)
		}
		if _, err := tx.Users().UserByEmail(ap.Email); err == nil {
			return stale("a user with the e-mail %s exists now", ap.Email)
		} else if docket.ErrorCode(err) != docket.ENotFound {
			return err
		}
		u := &docket.User{ID: ap.UserID, OrgID: org.ID, Org: *org, Email: ap.Email, Name: ap.Name, Role: ap.Role,
			PasswordHash: hash, PasswordByAdmin: true, CreatedAt: now, UpdatedAt: now}
		if err := tx.Users().CreateUser(u); err != nil {
			return err
		}
		ch.Set("email", u.Email).Set("role", string(u.Role)).Set("org_id", u.OrgID)
		return appendAudit(tx.Audit(), p.auditKey, now, a, "user.created", "user", u.ID, "", ch)
	}
	u, err := tx.Users().UserByID(ap.UserID)
	if docket.ErrorCode(err) == docket.ENotFound {
		return stale("the user does not exist")
	} else if err != nil {
		return err
	}
	if ap.SetsPassword && u.TokenVersion != ap.UserVersion {
		return stale("the account changed since it was requested (a new password, role or state)")
	}
	switch ap.Kind {
	case docket.ApprovalUserRole:
		if u.Role != ap.FromRole {
			return stale("the user's role changed since it was requested (it is %s now)", u.Role)
		}
		if docket.CheckRoleInOrg(ap.Role, u.Org.Kind) != nil {
			return stale("a %s cannot belong to %s", ap.Role, u.Org.Name)
		}
		if u.PasswordByAdmin && !ap.SetsPassword {
			return stale("the account's password was set by an administrator since, and the change does not say so")
		}
		ch.Set("role", map[string]string{"from": string(u.Role), "to": string(ap.Role)})
		u.Role = ap.Role
	case docket.ApprovalUserPassword:
	case docket.ApprovalUserFactors:
		factors, err := tx.Factors().UserFactors(u.ID)
		if err != nil {
			return err
		}
		for _, f := range factors {
			if f.ConfirmedAt != nil && f.ConfirmedAt.After(ap.RequestedAt) {
				return stale("the user added a second factor since it was requested")
			}
		}
		if err := tx.Factors().DeleteUserFactors(u.ID); err != nil {
			return err
		}
		u.MFAEnrolled = false
		ch.Set("factors", "removed")
	default:
		return docket.Errorf(docket.EInternal, "no such kind of change: %s", ap.Kind)
	}
	if ap.SetsPassword {
		u.PasswordHash, u.PasswordByAdmin = hash, true
		ch.Secret("password", "reset")
	}
	if err := endSessions(tx.Users(), u, now); err != nil {
		return err
	}
	u.UpdatedAt = now
	if err := tx.Users().UpdateUser(u); err != nil {
		return err
	}
	return appendAudit(tx.Audit(), p.auditKey, now, a, "user.updated", "user", u.ID, "", ch)
}

// sessionEnder is the part of a transaction that revokes a user's tokens.
type sessionEnder interface {
	RevokeUserTokens(userID string, kind auth.Kind, at time.Time) error
}

// endSessions ends every session and API token of u (API sessions, page
// sessions, programs' tokens): its token version moves on, so that tokens
// issued before stop working once u is stored, and the rows are revoked, so
// that none is listed as live. A password change, a role change and
// disabling all call it.
func endSessions(tx sessionEnder, u *docket.User, at time.Time) error {
	u.TokenVersion++
	for _, k := range []auth.Kind{auth.KindSession, auth.KindPage, auth.KindAPIToken} {
		if err := tx.RevokeUserTokens(u.ID, k, at); err != nil {
			return err
		}
	}
	return nil
}
