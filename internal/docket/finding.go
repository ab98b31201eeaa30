package docket

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/docket/docket/internal/clock"
)

// FindingStatus is where a finding stands in its lifecycle.
type FindingStatus string

// The finding states of DESIGN.md: draft (agency only) → shared → lab_responded
// → resolved or risk_accepted.
const (
	FindingDraft        FindingStatus = "draft"
	FindingShared       FindingStatus = "shared"
	FindingLabResponded FindingStatus = "lab_responded"
	FindingResolved     FindingStatus = "resolved"
	FindingRiskAccepted FindingStatus = "risk_accepted"
)

// FindingStatuses lists every finding state, in lifecycle order.
var FindingStatuses = []FindingStatus{FindingDraft, FindingShared, FindingLabResponded, FindingResolved, FindingRiskAccepted}

// Open reports whether the finding still needs work: draft, shared or lab_responded.
func (s FindingStatus) Open() bool {
	return s == FindingDraft || s == FindingShared || s == FindingLabResponded
}

// Valid reports whether s is a known finding state.
func (s FindingStatus) Valid() bool {
	for _, x := range FindingStatuses {
		if s == x {
			return true
		}
	}
	return false
}

// TLPRed is the Traffic Light Protocol label of findings shared only with named lab users.
const TLPRed = "TLP:RED"

// Enumerations of a finding.
var (
	FindingCategories = []string{"cyber_offense", "vulnerability_discovery", "exploit_development",
		"safeguard_bypass", "weights_security", "data_exfiltration", "other"}
	// Severities, most severe first: the keys of findings.response_days.
	Severities  = []string{"critical", "high", "medium", "low", "informational"}
	TLPLabels   = []string{"TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", TLPRed}
	Resolutions = []string{string(FindingResolved), string(FindingRiskAccepted)}
	atlasRE     = regexp.MustCompile(`^AML\.T\d{4}(\.\d{3})?$`)
)

// Limits on a finding's free text.
const (
	MaxFindingTitle   = 200 // characters
	MaxFindingText    = 50000
	MaxComponent      = 200 // characters
	MaxResolutionNote = 20000
)

// Finding is something the agency found in a model, and what became of it.
type Finding struct {
	ID             string
	CaseID         string
	Status         FindingStatus
	Title          string
	Description    string
	Category       string
	Severity       string
	TLP            string
	AtlasTechnique string
	Component      string
	Evidence       string
	EmbargoUntil   clock.Date
	// AcceptedUntil is the date a risk acceptance ends (zero: none, or an
	// acceptance from before expiry existed).
	AcceptedUntil  clock.Date
	AuthorID       string
	RecipientIDs   []string // the lab users a TLP:RED finding is shared with
	SharedBy       string
	SharedAt       *time.Time
	ResponseDays   int
	ResponseDueAt  *time.Time
	Response       string
	RespondedBy    string
	RespondedAt    *time.Time
	ResolutionNote string
	ResolvedBy     string
	ResolvedAt     *time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time

	// ClearinghouseID is the AICH-YYYY-NNNN id of its Clearinghouse entry, once published.
	ClearinghouseID string
}

// Outline is what may be known of a finding without reading it: that it
// exists on its case, its state, severity and label, and its deadline. Never
// its title, text, category, evidence, people, answers or attachments: a
// list shows a TLP:RED finding so to a session that must step up to read it.
func (f *Finding) Outline() *Finding {
	return &Finding{ID: f.ID, CaseID: f.CaseID, Status: f.Status, Severity: f.Severity, TLP: f.TLP,
		RecipientIDs: []string{}, SharedAt: f.SharedAt, ResponseDays: f.ResponseDays, ResponseDueAt: f.ResponseDueAt,
		CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

// IsRecipient reports whether the user is named as a recipient.
func (f *Finding) IsRecipient(userID string) bool {
	for _, id := range f.RecipientIDs {
		if id == userID {
			return true
		}
	}
	return false
}

// Overdue reports whether the lab's response is late at now: the finding is
// shared, has a response deadline, and the deadline has passed.
func (f *Finding) Overdue(now time.Time) bool {
	return f.Status == FindingShared && f.ResponseDueAt != nil && f.ResponseDueAt.Before(now)
}

// ResponseDue returns the response deadline of a finding shared at sharedAt
// with days to respond: the end of the local day days after the local date of
// sharing, computed by the case clock's engine; nil when days is 0 (no deadline).
func ResponseDue(sharedAt time.Time, days int, loc *time.Location) *time.Time {
	if days <= 0 {
		return nil
	}
	due := clock.BaseDue(sharedAt, days, loc)
	return &due
}

// FindingInput carries the fields of a finding the agency sets; nil means "not given".
type FindingInput struct {
	Title          *string `json:"title"`
	Description    *string `json:"description"`
	Category       *string `json:"category"`
	Severity       *string `json:"severity"`
	TLP            *string `json:"tlp"`
	AtlasTechnique *string `json:"atlas_technique"`
	Component      *string `json:"component"`
	Evidence       *string `json:"evidence"`
	EmbargoUntil   *string `json:"embargo_until"`
}

// Required checks that a new finding names everything a finding must have.
func (in FindingInput) Required() error {
	switch {
	case in.Title == nil:
		return Unacceptable("title", "is required")
	case in.Description == nil:
		return Unacceptable("description", "is required")
	case in.Category == nil:
		return Unacceptable("category", "is required")
	case in.Severity == nil:
		return Unacceptable("severity", "is required")
	case in.TLP == nil:
		return Unacceptable("tlp", "is required")
	}
	return nil
}

// Apply validates the given fields and copies them onto f. Every failure is a
// 422 naming its field; f is unchanged on error.
func (in FindingInput) Apply(f *Finding) error {
	next := *f
	if in.Title != nil {
		if err := validName("title", *in.Title, MaxFindingTitle); err != nil {
			return err
		}
		next.Title = strings.TrimSpace(*in.Title)
	}
	if in.Description != nil {
		if err := validText("description", *in.Description, MaxFindingText, true); err != nil {
			return err
		}
		next.Description = *in.Description
	}
	if in.Category != nil {
		if !oneOf(*in.Category, FindingCategories) {
			return Unacceptable("category", "must be one of %s", strings.Join(FindingCategories, ", "))
		}
		next.Category = *in.Category
	}
	if in.Severity != nil {
		if !oneOf(*in.Severity, Severities) {
			return Unacceptable("severity", "must be one of %s", strings.Join(Severities, ", "))
		}
		next.Severity = *in.Severity
	}
	if in.TLP != nil {
		if !oneOf(*in.TLP, TLPLabels) {
			return Unacceptable("tlp", "must be one of %s (TLP 2.0)", strings.Join(TLPLabels, ", "))
		}
		next.TLP = *in.TLP
	}
	if in.AtlasTechnique != nil {
		if *in.AtlasTechnique != "" && !atlasRE.MatchString(*in.AtlasTechnique) {
			return Unacceptable("atlas_technique", "must be a MITRE ATLAS technique id: AML.T and 4 digits, optionally . and 3 digits")
		}
		next.AtlasTechnique = *in.AtlasTechnique
	}
	if in.Component != nil {
		if *in.Component != "" {
			if err := validName("component", *in.Component, MaxComponent); err != nil {
				return err
			}
		}
		next.Component = strings.TrimSpace(*in.Component)
	}
	if in.Evidence != nil {
		if err := validText("evidence", *in.Evidence, MaxFindingText, false); err != nil {
			return err
		}
		next.Evidence = *in.Evidence
	}
	if in.EmbargoUntil != nil {
		next.EmbargoUntil = clock.Date{}
		if *in.EmbargoUntil != "" {
			d, err := clock.ParseDate(*in.EmbargoUntil)
			if err != nil {
				return Unacceptable("embargo_until", "must be a date YYYY-MM-DD")
			}
			next.EmbargoUntil = d
		}
	}
	*f = next
	return nil
}

// Changes lists the fields the input sets, for the audit trail: the
// enumerations and the embargo date as values, every text only as a hash.
func (in FindingInput) Changes() Changes {
	ch := Changes{}
	set := func(name string, p *string) {
		if p != nil {
			ch.Set(name, *p)
		}
	}
	secret := func(name string, p *string) {
		if p != nil {
			ch.Secret(name, *p)
		}
	}
	set("category", in.Category)
	set("severity", in.Severity)
	set("tlp", in.TLP)
	set("embargo_until", in.EmbargoUntil)
	secret("title", in.Title)
	secret("description", in.Description)
	secret("atlas_technique", in.AtlasTechnique)
	secret("component", in.Component)
	secret("evidence", in.Evidence)
	return ch
}

// validText checks a free text of at most max bytes: valid UTF-8, and not
// blank when required.
func validText(field, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return Unacceptable(field, "is required")
	}
	if len(s) > max {
		return Unacceptable(field, "must be at most %d bytes", max)
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return Unacceptable(field, "must be UTF-8 text")
	}
	return nil
}

// ValidateText checks a free text of at most max bytes (422 naming field).
func ValidateText(field, s string, max int, required bool) error {
	return validText(field, s, max, required)
}

// FindingAction names what can be done with a finding.
type FindingAction string

// The finding actions, as the routes name them.
const (
	FindEdit    FindingAction = "edit"
	FindShare   FindingAction = "share"
	FindRespond FindingAction = "respond"
	FindResolve FindingAction = "resolve"
	FindAttach  FindingAction = "attach"
)

// FindingActions lists the finding actions in the order pages show them.
var FindingActions = []FindingAction{FindEdit, FindShare, FindRespond, FindResolve, FindAttach}

// findingRules: which roles may take each action, in which states. Edit and
// share are further limited to the author among reviewers.
var findingRules = map[FindingAction]struct {
	roles  []Role
	states []FindingStatus
	// adds: the action adds to the case, which a decided or withdrawn case refuses.
	adds bool
}{
	FindEdit:    {agencyWork, []FindingStatus{FindingDraft}, false},
	FindShare:   {agencyWork, []FindingStatus{FindingDraft}, false},
	FindRespond: {[]Role{RoleLabMember}, []FindingStatus{FindingShared}, false},
	FindResolve: {[]Role{RoleReviewLead}, []FindingStatus{FindingShared, FindingLabResponded}, false},
	FindAttach:  {[]Role{RoleLabMember, RoleReviewer, RoleReviewLead}, []FindingStatus{FindingDraft, FindingShared, FindingLabResponded}, true},
}

// CanRecordFinding checks that the actor may record a new finding on the
// case: 404 when the case is not visible, 403 for roles that never record
// findings (labs, compliance officers), 409 naming the state once the case is
// decided or withdrawn, 409 naming attest-no-conflict before attesting.
func (a CaseAccess) CanRecordFinding() error { return a.CheckAdd(agencyWork...) }

// CanRecord checks that the actor is of the roles that record findings and
// benchmark results on the case, whatever its state: 404 when the case is
// not visible, 403 for labs and compliance officers, 409 naming
// attest-no-conflict before attesting.
func (a CaseAccess) CanRecord() error {
	if err := a.CheckContent(); err != nil {
		return err
	}
	if a.Actor.Role != RoleReviewer && a.Actor.Role != RoleReviewLead {
		return Forbidden()
	}
	return nil
}

// FindingAccess is what the policy needs to judge one actor on one finding.
type FindingAccess struct {
	CaseAccess
	Finding *Finding
}

// CanSeeFinding reports whether the actor may know the finding exists: a lab
// sees the findings shared with its organisation (a TLP:RED one only when
// named as a recipient), never drafts; assigned reviewers and leads see all;
// compliance officers see that it exists (its counts) but never its content.
func (a FindingAccess) CanSeeFinding() bool {
	if !a.CaseAccess.CanSee() {
		return false
	}
	if a.Actor.Role != RoleLabMember {
		return true
	}
	f := a.Finding
	if f.Status == FindingDraft {
		return false
	}
	return f.TLP != TLPRed || f.IsRecipient(a.Actor.UserID)
}

// CheckRead answers whether the actor may read the finding: 404 when it is
// not visible, 403 for roles that never read findings, 409 naming
// attest-no-conflict when the actor has yet to attest, then 403
// step_up_required for a TLP:RED finding this session is not strong enough
// for (StepUpRequired).
func (a FindingAccess) CheckRead() error {
	if err := a.CheckSee(); err != nil {
		return err
	}
	return CheckStepUp(a.Actor, a.Finding.TLP)
}

// CheckSee is CheckRead but for the step-up: whether the finding may be
// listed to the actor, as its Outline when StepUpRequired.
func (a FindingAccess) CheckSee() error {
	if !a.CanSeeFinding() {
		return NotFound("finding")
	}
	return a.CaseAccess.CheckContent()
}

// StepUpRequired reports whether the actor must sign in again with a
// passkey or a phishing-resistant single sign-on to read the finding.
func (a FindingAccess) StepUpRequired() bool { return StepUpRequired(a.Actor, a.Finding.TLP) }

// Check decides whether the actor may take the action on the finding now:
// 404 when it is not visible, 403 when the role may never take it (or a
// reviewer acts on another's finding where only the author may), 409 naming
// the case's state for an addition (an attachment) to a decided or withdrawn
// case, 409 naming attest-no-conflict, 403 step_up_required on a TLP:RED
// finding (every action answers with the finding, or adds to it), then 409
// naming the finding's state and the actions allowed in it.
func (a FindingAccess) Check(act FindingAction) error {
	rule, ok := findingRules[act]
	if ok && rule.adds && a.CanSeeFinding() && hasRole(rule.roles, a.Actor.Role) {
		// A closed case takes nothing more, attested or not.
		if err := a.Case.CheckAddition(); err != nil {
			return err
		}
	}
	if err := a.CheckSee(); err != nil {
		return err
	}
	if !ok || !hasRole(rule.roles, a.Actor.Role) {
		return Forbidden()
	}
	if (act == FindEdit || act == FindShare) && a.Actor.Role == RoleReviewer && a.Finding.AuthorID != a.Actor.UserID {
		return &Error{Code: EForbidden, Message: "only the finding's author or a review lead may do this"}
	}
	if err := CheckStepUp(a.Actor, a.Finding.TLP); err != nil {
		return err
	}
	for _, s := range rule.states {
		if s == a.Finding.Status {
			return nil
		}
	}
	return a.findingConflict()
}

// Allowed lists the finding actions the actor may take now.
func (a FindingAccess) Allowed() []FindingAction {
	var out []FindingAction
	for _, act := range FindingActions {
		if a.Check(act) == nil {
			out = append(out, act)
		}
	}
	return out
}

func (a FindingAccess) findingConflict() error {
	var names []string
	for _, act := range FindingActions {
		rule := findingRules[act]
		if !hasRole(rule.roles, a.Actor.Role) {
			continue
		}
		for _, s := range rule.states {
			if s == a.Finding.Status {
				names = append(names, string(act))
			}
		}
	}
	list := "none"
	if len(names) > 0 {
		list = strings.Join(names, ", ")
	}
	return &Error{Code: EConflict, Message: fmt.Sprintf("the finding is %s; allowed now: %s", a.Finding.Status, list)}
}

// AcceptedUntil validates a resolution's accepted_until (text as sent, ""
// when not given): required with risk_accepted, a date after today and at
// most maxDays ahead; refused with any other resolution. Failures are 422s
// naming accepted_until.
func AcceptedUntil(resolution, text string, today clock.Date, maxDays int) (clock.Date, error) {
	if resolution != string(FindingRiskAccepted) {
		if text != "" {
			return clock.Date{}, Unacceptable("accepted_until", "is only given with the resolution risk_accepted")
		}
		return clock.Date{}, nil
	}
	if text == "" {
		return clock.Date{}, Unacceptable("accepted_until", "is required with risk_accepted: the date the acceptance ends (YYYY-MM-DD)")
	}
	d, err := clock.ParseDate(text)
	if err != nil {
		return clock.Date{}, Unacceptable("accepted_until", "must be a date YYYY-MM-DD")
	}
	if !d.After(today) {
		return clock.Date{}, Unacceptable("accepted_until", "must be after today (%s)", today)
	}
	if last := today.AddDays(maxDays); d.After(last) {
		return clock.Date{}, Unacceptable("accepted_until", "must be at most %d days ahead (%s at the latest)", maxDays, last)
	}
	return d, nil
}
