package app

import (
	"context"
	"strings"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// ContentStore keeps what reviewers record on a case: findings, comments and
// attachments.
type ContentStore interface {
	FindingStore
	CommentStore
	AttachmentStore
}

// FindingStore keeps findings and their recipients.
type FindingStore interface {
	CreateFinding(f *docket.Finding) error
	// FindingByID returns the finding with its recipients.
	FindingByID(id string) (*docket.Finding, error)
	// UpdateFinding stores every column of f, zero values included.
	UpdateFinding(f *docket.Finding) error
	SetFindingRecipients(findingID string, userIDs []string) error
	// ListFindings returns a case's findings matching f, oldest first.
	ListFindings(f FindingFilter, p Page) ([]*docket.Finding, string, error)
	// CountFindings counts the open findings of each case by severity, and the
	// overdue ones, in one query; LabViewer set counts only what that lab user sees.
	CountFindings(f FindingCountFilter) (map[string]FindingCounts, error)
}

// FindingFilter narrows a case's findings. LabViewer is set by the service
// from the actor, never by the caller.
type FindingFilter struct {
	CaseID   string
	Status   *docket.FindingStatus
	Severity *string
	// LabViewer keeps what that lab user may see: no drafts, TLP:RED only when named.
	LabViewer string
}

// FindingCountFilter asks for the finding counts of a page of cases.
type FindingCountFilter struct {
	CaseIDs   []string
	LabViewer string
	Now       time.Time
}

// FindingCounts are a case's open findings by severity (draft, shared and
// lab_responded) and how many shared ones are past their response deadline.
type FindingCounts struct {
	Open    map[string]int
	Overdue int
}

// FindingView is a finding as one actor may see it.
type FindingView struct {
	Finding     *docket.Finding
	Allowed     []docket.FindingAction
	Attachments []docket.Attachment
	// StepUpRequired: a TLP:RED finding listed to a session that must sign in
	// again with a passkey or a phishing-resistant single sign-on to read it.
	// Finding is then its Outline, with no attachments and no actions.
	StepUpRequired bool
}

// findingAccess loads a finding and what the policy needs to judge the actor on it.
func (s *core) findingAccess(tx findingReader, a docket.Actor, id string) (docket.FindingAccess, error) {
	f, err := tx.Content().FindingByID(id)
	if err != nil {
		return docket.FindingAccess{}, err
	}
	acc, err := s.caseAccess(tx, a, f.CaseID)
	if err != nil {
		return docket.FindingAccess{}, err
	}
	return docket.FindingAccess{CaseAccess: acc, Finding: f}, nil
}

func (s *core) findingView(tx contentReader, fa docket.FindingAccess) (*FindingView, error) {
	atts, err := tx.Content().AttachmentsOfFindings([]string{fa.Finding.ID})
	if err != nil {
		return nil, err
	}
	return &FindingView{Finding: fa.Finding, Allowed: fa.Allowed(), Attachments: atts[fa.Finding.ID]}, nil
}

// CreateFinding records a draft finding on a case: assigned reviewers and
// leads, after attesting, until the case is decided or withdrawn (404, 403,
// 409 naming the state or attest-no-conflict, then 422 naming the field).
func (s *Findings) CreateFinding(ctx context.Context, a docket.Actor, caseID string, in docket.FindingInput) (*FindingView, error) {
	var v *FindingView
	err := s.write(ctx, func(tx findingsTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CanRecordFinding(); err != nil {
			return err
		}
		if err := checkLabel(a, in); err != nil {
			return err
		}
		if err := in.Required(); err != nil {
			return err
		}
		now := s.Now()
		f := &docket.Finding{ID: newID(), CaseID: caseID, Status: docket.FindingDraft, AuthorID: a.UserID,
			RecipientIDs: []string{}, CreatedAt: now, UpdatedAt: now}
		if err := in.Apply(f); err != nil {
			return err
		}
		if err := tx.Content().CreateFinding(f); err != nil {
			return err
		}
		ch := in.Changes()
		if err := s.recomputeRisk(tx, acc.Case, ch); err != nil {
			return err
		}
		if err := s.audit(tx, a, "finding.created", "finding", f.ID, caseID, ch); err != nil {
			return err
		}
		v, err = s.findingView(tx, docket.FindingAccess{CaseAccess: acc, Finding: f})
		return err
	})
	return v, err
}

// GetFinding returns a finding the actor may read.
func (s *Findings) GetFinding(ctx context.Context, a docket.Actor, id string) (*FindingView, error) {
	var v *FindingView
	err := s.read(ctx, func(tx findingsTx) error {
		fa, err := s.findingAccess(tx, a, id)
		if err != nil {
			return notFoundAs(err, "finding")
		}
		if err := fa.CheckRead(); err != nil {
			return err
		}
		v, err = s.findingView(tx, fa)
		return err
	})
	return v, err
}

// ListFindings lists a case's findings as the actor may see them: labs the
// shared ones of their own cases (TLP:RED only when named), the agency all;
// compliance officers get 403. A TLP:RED finding the session must step up to
// read is listed as its outline (FindingView.StepUpRequired): the list tells
// that it exists, and is never refused whole for it.
func (s *Findings) ListFindings(ctx context.Context, a docket.Actor, caseID string, f FindingFilter, p Page) ([]*FindingView, string, error) {
	var out []*FindingView
	var next string
	err := s.read(ctx, func(tx findingsTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CheckContent(); err != nil {
			return err
		}
		f.CaseID, f.LabViewer = caseID, ""
		if a.Role == docket.RoleLabMember {
			f.LabViewer = a.UserID
		}
		list, n, err := tx.Content().ListFindings(f, Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
		if err != nil {
			return err
		}
		next = n
		ids := make([]string, len(list))
		for i, x := range list {
			ids[i] = x.ID
		}
		atts, err := tx.Content().AttachmentsOfFindings(ids)
		if err != nil {
			return err
		}
		for _, x := range list {
			fa := docket.FindingAccess{CaseAccess: acc, Finding: x}
			if !fa.CanSeeFinding() { // the store filtered already; the policy has the last word
				continue
			}
			if fa.StepUpRequired() {
				out = append(out, &FindingView{Finding: x.Outline(), StepUpRequired: true})
				continue
			}
			out = append(out, &FindingView{Finding: x, Allowed: fa.Allowed(), Attachments: atts[x.ID]})
		}
		return nil
	})
	return out, next, err
}

// findingAction runs one finding action: load, check the policy, apply fn,
// save the finding and write the audit event, all in one transaction.
func (s *Findings) findingAction(ctx context.Context, a docket.Actor, id string, act docket.FindingAction,
	fn func(tx findingsTx, fa docket.FindingAccess) (string, docket.Changes, error)) (*FindingView, error) {
	var v *FindingView
	err := s.write(ctx, func(tx findingsTx) error {
		fa, err := s.findingAccess(tx, a, id)
		if err != nil {
			return notFoundAs(err, "finding")
		}
		if err := fa.Check(act); err != nil {
			return err
		}
		f := fa.Finding
		from := f.Status
		event, ch, err := fn(tx, fa)
		if err != nil {
			return err
		}
		f.UpdatedAt = s.Now()
		if err := tx.Content().UpdateFinding(f); err != nil {
			return err
		}
		if ch == nil {
			ch = docket.Changes{}
		}
		// A new severity, or a finding closed, can move the case's risk tier.
		if err := s.recomputeRisk(tx, fa.Case, ch); err != nil {
			return err
		}
		if f.Status != from {
			ch.Set("status", map[string]string{"from": string(from), "to": string(f.Status)})
		}
		if err := s.audit(tx, a, event, "finding", id, f.CaseID, ch); err != nil {
			return err
		}
		v, err = s.findingView(tx, fa)
		return err
	})
	return v, err
}

// UpdateFinding edits a draft finding (its author or a lead). Labelling it
// TLP:RED takes the session that reading it would (403 step_up_required).
func (s *Findings) UpdateFinding(ctx context.Context, a docket.Actor, id string, in docket.FindingInput) (*FindingView, error) {
	return s.findingAction(ctx, a, id, docket.FindEdit, func(tx findingsTx, fa docket.FindingAccess) (string, docket.Changes, error) {
		if err := checkLabel(a, in); err != nil {
			return "", nil, err
		}
		if err := in.Apply(fa.Finding); err != nil {
			return "", nil, err
		}
		return "finding.updated", in.Changes(), nil
	})
}

// ShareFinding shares a draft with the lab (its author or a lead). A TLP:RED
// finding names the lab users it goes to, and only TLP:RED does; sharing it
// needs a session that may read it (403 step_up_required, FindingAccess.Check). The response
// deadline for the severity is taken from the settings now and computed by the
// case clock's engine in the case's zone.
func (s *Findings) ShareFinding(ctx context.Context, a docket.Actor, id string, recipientIDs []string) (*FindingView, error) {
	return s.findingAction(ctx, a, id, docket.FindShare, func(tx findingsTx, fa docket.FindingAccess) (string, docket.Changes, error) {
		f, c := fa.Finding, fa.Case
		if f.TLP != docket.TLPRed && len(recipientIDs) > 0 {
			return "", nil, docket.Unacceptable("recipient_ids", "only a TLP:RED finding is shared with named recipients; %s goes to the whole lab", f.TLP)
		}
		if f.TLP == docket.TLPRed && len(recipientIDs) == 0 {
			return "", nil, docket.Unacceptable("recipient_ids", "a TLP:RED finding must name the lab users it is shared with")
		}
		seen := map[string]bool{}
		ids := []string{}
		for i, uid := range recipientIDs {
			if seen[uid] {
				return "", nil, docket.Unacceptable("recipient_ids", "entry %d is listed twice", i)
			}
			seen[uid] = true
			u, err := tx.Users().UserByID(uid)
			if err != nil && docket.ErrorCode(err) != docket.ENotFound {
				return "", nil, err
			}
			if err != nil || u.Role != docket.RoleLabMember || u.OrgID != c.OrgID || u.Disabled {
				return "", nil, docket.Unacceptable("recipient_ids", "entry %d is not an active member of the case's lab", i)
			}
			ids = append(ids, uid)
		}
		if err := tx.Content().SetFindingRecipients(f.ID, ids); err != nil {
			return "", nil, err
		}
		now := s.Now()
		loc := s.loc
		if c.Clock.Timezone != "" {
			loc = c.Clock.Location()
		}
		f.RecipientIDs, f.Status, f.SharedBy, f.SharedAt = ids, docket.FindingShared, a.UserID, &now
		f.ResponseDays = s.responseDays[f.Severity]
		f.ResponseDueAt = docket.ResponseDue(now, f.ResponseDays, loc)
		ch := docket.Changes{"tlp": f.TLP, "severity": f.Severity, "response_days": f.ResponseDays, "response_due_at": nil}
		if f.ResponseDueAt != nil {
			ch.Set("response_due_at", f.ResponseDueAt.UnixMilli())
		}
		if len(ids) > 0 {
			ch.Set("recipient_ids", ids)
		}
		// A TLP:RED finding goes to named lab users only: the lab's webhooks do not hear of it.
		if err := s.emit(tx, docket.EventFindingShared, c, "finding", f.ID, f.ResponseDueAt, f.TLP != docket.TLPRed); err != nil {
			return "", nil, err
		}
		return "finding.shared", ch, nil
	})
}

// RespondFinding records the lab's response to a shared finding.
func (s *Findings) RespondFinding(ctx context.Context, a docket.Actor, id, response string) (*FindingView, error) {
	return s.findingAction(ctx, a, id, docket.FindRespond, func(tx findingsTx, fa docket.FindingAccess) (string, docket.Changes, error) {
		if err := docket.ValidateText("response", response, docket.MaxFindingText, true); err != nil {
			return "", nil, err
		}
		now := s.Now()
		f := fa.Finding
		f.Response, f.RespondedBy, f.RespondedAt, f.Status = response, a.UserID, &now, docket.FindingLabResponded
		return "finding.responded", docket.Changes{}.Secret("response", response), nil
	})
}

// ResolveFinding closes a shared or answered finding (leads): resolved, or
// its risk accepted, with a note.
//
// acceptedUntil ("" when not given) is required with risk_accepted: a date
// after today and at most findings.max_risk_acceptance_days ahead (422
// naming accepted_until otherwise); it is refused with resolved.
func (s *Findings) ResolveFinding(ctx context.Context, a docket.Actor, id, resolution, note, acceptedUntil string) (*FindingView, error) {
	return s.findingAction(ctx, a, id, docket.FindResolve, func(tx findingsTx, fa docket.FindingAccess) (string, docket.Changes, error) {
		if !docket.OneOf(resolution, docket.Resolutions) {
			return "", nil, docket.Unacceptable("resolution", "must be one of %s", strings.Join(docket.Resolutions, ", "))
		}
		if err := docket.ValidateText("note", note, docket.MaxResolutionNote, true); err != nil {
			return "", nil, err
		}
		now := s.Now()
		until, err := docket.AcceptedUntil(resolution, acceptedUntil, clock.DateOf(now, s.loc), s.maxAcceptanceDays)
		if err != nil {
			return "", nil, err
		}
		f := fa.Finding
		f.Status, f.ResolutionNote, f.ResolvedBy, f.ResolvedAt = docket.FindingStatus(resolution), note, a.UserID, &now
		f.AcceptedUntil = until
		ch := docket.Changes{"resolution": resolution}.Secret("note", note)
		if !until.IsZero() {
			ch.Set("accepted_until", until.String())
		}
		return "finding.resolved", ch, nil
	})
}

// checkLabel refuses to label a finding TLP:RED from a session that could
// not read it afterwards (403 step_up_required).
func checkLabel(a docket.Actor, in docket.FindingInput) error {
	if in.TLP == nil {
		return nil
	}
	return docket.CheckStepUp(a, *in.TLP)
}

// countFindingsOf counts, for the cases of a list, their open findings by
// severity and their overdue ones, as the actor may count them (labs only
// what they see), in one query.
func countFindingsOf(tx contentReader, a docket.Actor, views []*CaseView, now time.Time) (map[string]FindingCounts, error) {
	f := FindingCountFilter{Now: now}
	if a.Role == docket.RoleLabMember {
		f.LabViewer = a.UserID
	}
	for _, v := range views {
		if (docket.CaseAccess{Actor: a, Case: v.Case}).CanSee() {
			f.CaseIDs = append(f.CaseIDs, v.Case.ID)
		}
	}
	if len(f.CaseIDs) == 0 {
		return map[string]FindingCounts{}, nil
	}
	return tx.Content().CountFindings(f)
}

// notFoundAs renames a 404 so that the answer names what the caller asked
// for, whatever hid it (a missing row or an invisible case).
func notFoundAs(err error, what string) error {
	if docket.ErrorCode(err) == docket.ENotFound {
		return docket.NotFound(what)
	}
	return err
}
