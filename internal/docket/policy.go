package docket

import (
	"fmt"
	"strings"
)

// Action names a case lifecycle action, as the routes and the audit trail say it.
type Action string

// The case actions of DESIGN.md's lifecycle table.
const (
	ActEdit             Action = "edit"
	ActDelete           Action = "delete"
	ActSubmit           Action = "submit"
	ActAssign           Action = "assign"
	ActAttest           Action = "attest-no-conflict"
	ActDeclareConflict  Action = "declare-conflict"
	ActRequestInfo      Action = "request-information"
	ActAnswer           Action = "answer"
	ActCancelRequest    Action = "cancel-request"
	ActAmend            Action = "amend"
	ActResolveAmendment Action = "resolve-amendment"
	ActDecide           Action = "decide"
	ActWithdraw         Action = "withdraw"
)

// actionRule says which roles may take an action and in which states.
type actionRule struct {
	roles  []Role
	states []Status
	// content: the actor must have attested no conflict of interest first.
	content bool
	// adds: the action adds to the case, which a decided or withdrawn case refuses.
	adds bool
}

var (
	openStates = []Status{StatusSubmitted, StatusInReview, StatusAwaitingLab}
	nonDraft   = []Status{StatusSubmitted, StatusInReview, StatusAwaitingLab, StatusDecided, StatusWithdrawn}
	agencyWork = []Role{RoleReviewer, RoleReviewLead}
)

// caseActions is the lifecycle table of DESIGN.md, in the order pages list actions.
var caseActions = []struct {
	action Action
	rule   actionRule
}{
	{ActEdit, actionRule{roles: []Role{RoleLabMember}, states: []Status{StatusDraft}}},
	{ActSubmit, actionRule{roles: []Role{RoleLabMember}, states: []Status{StatusDraft}}},
	{ActDelete, actionRule{roles: []Role{RoleLabMember}, states: []Status{StatusDraft}}},
	{ActAssign, actionRule{roles: []Role{RoleReviewLead}, states: openStates}},
	{ActAttest, actionRule{roles: agencyWork, states: nonDraft}},
	{ActDeclareConflict, actionRule{roles: []Role{RoleReviewer}, states: openStates}},
	{ActRequestInfo, actionRule{roles: agencyWork, states: openStates, content: true, adds: true}},
	{ActAnswer, actionRule{roles: []Role{RoleLabMember}, states: []Status{StatusAwaitingLab}}},
	{ActCancelRequest, actionRule{roles: agencyWork, states: []Status{StatusAwaitingLab}, content: true}},
	{ActAmend, actionRule{roles: []Role{RoleLabMember}, states: openStates, adds: true}},
	{ActResolveAmendment, actionRule{roles: []Role{RoleReviewLead}, states: openStates, content: true}},
	{ActDecide, actionRule{roles: []Role{RoleReviewLead}, states: []Status{StatusInReview, StatusAwaitingLab}, content: true}},
	{ActWithdraw, actionRule{roles: []Role{RoleLabMember}, states: openStates}},
}

func ruleFor(a Action) (actionRule, bool) {
	for _, x := range caseActions {
		if x.action == a {
			return x.rule, true
		}
	}
	return actionRule{}, false
}

// CaseAccess is what the policy needs to know about one user and one case.
type CaseAccess struct {
	Actor    Actor
	Case     *Case
	Attested bool // the actor attested no conflict of interest on this case
}

// CanSee reports whether the actor may know the case exists (DESIGN.md "Who sees what").
func (a CaseAccess) CanSee() bool {
	c := a.Case
	switch a.Actor.Role {
	case RoleLabMember:
		return c.OrgID == a.Actor.OrgID
	case RoleReviewer:
		return c.Status != StatusDraft && c.IsReviewer(a.Actor.UserID)
	case RoleReviewLead, RoleCompliance:
		return c.Status != StatusDraft
	}
	return false
}

// CanSeeContent reports whether the actor may read the case's content
// (summary, findings, comments, attachments, benchmark results).
func (a CaseAccess) CanSeeContent() bool {
	if !a.CanSee() {
		return false
	}
	switch a.Actor.Role {
	case RoleLabMember:
		return true
	case RoleReviewer, RoleReviewLead:
		return a.Attested
	}
	return false
}

// CheckContent answers whether the actor may read content: 404 when the case is
// not visible, 403 when the role never may, 409 naming attest-no-conflict when
// the actor has yet to attest.
func (a CaseAccess) CheckContent() error {
	if !a.CanSee() {
		return NotFound("case")
	}
	switch a.Actor.Role {
	case RoleLabMember:
		return nil
	case RoleReviewer, RoleReviewLead:
		if !a.Attested {
			return Errorf(EConflict, "attest no conflict of interest first: POST /api/v1/cases/%s/attest-no-conflict", a.Case.ID)
		}
		return nil
	}
	return Forbidden()
}

// Check decides whether the actor may take the action now: 404 when the case is
// not visible, 403 when the role may never take it, 409 naming the state
// (for an addition to a decided or withdrawn case, as CheckAddition says it;
// otherwise with the actions allowed in it), and 409 naming
// attest-no-conflict when the action needs the content.
func (a CaseAccess) Check(act Action) error {
	if !a.CanSee() {
		return NotFound("case")
	}
	rule, ok := ruleFor(act)
	if !ok || !hasRole(rule.roles, a.Actor.Role) {
		return Forbidden()
	}
	if rule.adds {
		if err := a.Case.CheckAddition(); err != nil {
			return err
		}
	}
	if !hasStatus(rule.states, a.Case.Status) {
		return a.stateConflict()
	}
	if rule.content && !a.Attested {
		return Errorf(EConflict, "attest no conflict of interest first: POST /api/v1/cases/%s/attest-no-conflict", a.Case.ID)
	}
	return nil
}

// AcceptsAdditions reports whether anything may still be added to a case in
// this state: attachments, findings, comments, information requests,
// benchmark results, amendments. A decided or withdrawn case takes nothing more.
func (s Status) AcceptsAdditions() bool { return !s.Final() }

// CheckAddition is the one rule for every addition to a case: nil while the
// case accepts additions, otherwise a 409 (EConflict) naming its state.
func (c *Case) CheckAddition() error {
	if c.Status.AcceptsAdditions() {
		return nil
	}
	return &Error{Code: EConflict, Message: fmt.Sprintf("the case is %s; nothing can be added to it", c.Status)}
}

// CheckAdd decides whether the actor may add to the case's content now, when
// roles are those that ever may: 404 when the case is not visible, 403 for
// any other role, 409 naming the state once the case is decided or withdrawn
// (CheckAddition), then 409 naming attest-no-conflict for a reviewer or lead
// who has yet to attest.
func (a CaseAccess) CheckAdd(roles ...Role) error {
	if !a.CanSee() {
		return NotFound("case")
	}
	if !hasRole(roles, a.Actor.Role) {
		return Forbidden()
	}
	if err := a.Case.CheckAddition(); err != nil {
		return err
	}
	return a.CheckContent()
}

// Allowed lists the actions the actor's role may take in the case's current state.
func (a CaseAccess) Allowed() []Action {
	var out []Action
	for _, x := range caseActions {
		if hasRole(x.rule.roles, a.Actor.Role) && hasStatus(x.rule.states, a.Case.Status) {
			out = append(out, x.action)
		}
	}
	return out
}

func (a CaseAccess) stateConflict() error {
	allowed := a.Allowed()
	names := make([]string, len(allowed))
	for i, x := range allowed {
		names[i] = string(x)
	}
	list := "none"
	if len(names) > 0 {
		list = strings.Join(names, ", ")
	}
	return &Error{Code: EConflict, Message: fmt.Sprintf("the case is %s; allowed now: %s", a.Case.Status, list)}
}

// CanSeeAudit reports whether the role reads case audit trails.
func CanSeeAudit(r Role) bool { return r == RoleReviewLead || r == RoleCompliance }

// CanSeeAllAudit reports whether the role reads the whole trail's metadata.
func CanSeeAllAudit(r Role) bool { return r == RoleCompliance || r == RoleAdmin }

// CanCreateCase reports whether the role files submissions.
func CanCreateCase(r Role) bool { return r == RoleLabMember }

// CanListCases reports whether the role sees any case at all.
func CanListCases(r Role) bool { return r.Valid() && r != RoleAdmin }

// CanForecast reports whether the role reads the notification forecast (its
// own part of it; leads and compliance officers all of it).
func CanForecast(r Role) bool { return ReceivesNotifications(r) }

// ReceivesNotifications reports whether users of the role can ever have a
// notification: every role but the administrator's, who sees no case and
// approves nothing, so has no inbox and no e-mail choice.
func ReceivesNotifications(r Role) bool { return r.Valid() && r != RoleAdmin }

// CanForecastAll reports whether the role sees every recipient's forecast.
func CanForecastAll(r Role) bool { return r == RoleReviewLead || r == RoleCompliance }

// CanAdminister reports whether the role manages organisations and users.
func CanAdminister(r Role) bool { return r == RoleAdmin }

func hasRole(rs []Role, r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func hasStatus(ss []Status, s Status) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// MustEnrolSecondFactor reports whether the actor's role needs a second
// factor (auth.mfa_required_roles) and the session it signed in with used
// none: such an actor may only enrol one, read who it is, and sign out.
func MustEnrolSecondFactor(a Actor) bool { return a.MFARequired && !a.SecondFactor }
