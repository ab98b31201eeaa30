package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// CaseStore keeps cases, their reviewers, attestations, information requests,
// clocks and stops.
type CaseStore interface {
	CreateCase(c *docket.Case) error
	// CaseByID returns the case with its organisation's name, reviewers and clock summary.
	CaseByID(id string) (*docket.Case, error)
	// CaseWithAttestation is CaseByID, and whether the user attested no conflict on the case.
	CaseWithAttestation(caseID, userID string) (*docket.Case, bool, error)
	// UpdateCase stores every column of c, zero values included.
	UpdateCase(c *docket.Case) error
	DeleteCase(id string) error
	// ListCases returns visible cases matching f, ordered as f.Order says.
	ListCases(f CaseFilter, p Page) ([]*docket.Case, string, error)
	// CountBands counts the visible cases matching f (band filter aside) per band.
	CountBands(f CaseFilter) (map[clock.Band]int, error)
	// NextCaseNumber allocates the next number of the year, gapless.
	NextCaseNumber(year int) (int, error)
	SetReviewers(caseID string, userIDs []string) error
	Attested(caseID, userID string) (bool, error)
	Attest(caseID, userID string, at time.Time) error

	CreateInfoRequest(r *docket.InfoRequest) error
	InfoRequestByID(id string) (*docket.InfoRequest, error)
	UpdateInfoRequest(r *docket.InfoRequest) error
	ListInfoRequests(caseID string) ([]docket.InfoRequest, error)

	CreateClock(r *docket.ClockRecord) error
	ListClocks(caseID string) ([]docket.ClockRecord, error)
	CreateStop(s *docket.ClockStop) error
	EndOpenStop(caseID string, at time.Time) error
	ListStops(caseID string) ([]docket.ClockStop, error)

	CreateDecision(d *docket.Decision) error
	DecisionByCase(caseID string) (*docket.Decision, error)
}

// CaseFilter narrows a case list. The visibility fields are set by the service
// from the actor, never by the caller.
type CaseFilter struct {
	Status   *docket.Status
	Band     *clock.Band
	OrgID    *string
	RiskTier *string
	Q        *string
	// OpenOnly keeps submitted, in_review and awaiting_lab cases.
	OpenOnly bool
	// ByUrgency orders by remaining time (the dashboard); otherwise newest first.
	ByUrgency bool

	// Visibility, from the actor.
	VisibleOrg      string // a lab's own cases, drafts included
	VisibleReviewer string // cases the user is assigned to
	ExcludeDrafts   bool
	Now             time.Time
	Thresholds      clock.Thresholds
}

// caseAccess loads a case and what the policy needs to judge the actor on it.
func (s *core) caseAccess(tx caseReader, a docket.Actor, caseID string) (docket.CaseAccess, error) {
	if a.Role == docket.RoleReviewer || a.Role == docket.RoleReviewLead {
		c, attested, err := tx.Cases().CaseWithAttestation(caseID, a.UserID)
		if err != nil {
			return docket.CaseAccess{}, err
		}
		return docket.CaseAccess{Actor: a, Case: c, Attested: attested}, nil
	}
	c, err := tx.Cases().CaseByID(caseID)
	if err != nil {
		return docket.CaseAccess{}, err
	}
	return docket.CaseAccess{Actor: a, Case: c}, nil
}

// visibleCase loads a case the actor may see, 404 otherwise.
func (s *core) visibleCase(tx caseReader, a docket.Actor, caseID string) (docket.CaseAccess, error) {
	acc, err := s.caseAccess(tx, a, caseID)
	if err != nil {
		return acc, err
	}
	if !acc.CanSee() {
		return acc, docket.NotFound("case")
	}
	return acc, nil
}

// CaseView is a case as one actor may see it at one instant.
type CaseView struct {
	Case     *docket.Case
	Clock    *docket.ClockView
	Content  bool // the actor may read the summary
	Allowed  []docket.Action
	Attested bool
}

func (s *Cases) view(acc docket.CaseAccess) *CaseView {
	return &CaseView{Case: acc.Case, Clock: acc.Case.View(s.Now(), s.th), Content: acc.CanSeeContent(),
		Allowed: acc.Allowed(), Attested: acc.Attested}
}

// GetCase returns a visible case (404 otherwise).
func (s *Cases) GetCase(ctx context.Context, a docket.Actor, id string) (*CaseView, error) {
	var v *CaseView
	// One statement: the case, with the actor's attestation when it has one.
	err := s.readOne(ctx, func(tx casesTx) error {
		acc, err := s.visibleCase(tx, a, id)
		if err != nil {
			return err
		}
		v = s.view(acc)
		return nil
	})
	return v, err
}

// CreateCase files a draft for the actor's lab (lab members only).
func (s *Cases) CreateCase(ctx context.Context, a docket.Actor, in docket.CaseInput) (*CaseView, error) {
	if !docket.CanCreateCase(a.Role) {
		return nil, docket.Forbidden()
	}
	if in.ModelName == nil {
		return nil, docket.Unacceptable("model_name", "is required")
	}
	if in.ModelVersion == nil {
		return nil, docket.Unacceptable("model_version", "is required")
	}
	now := s.Now()
	c := &docket.Case{ID: newID(), OrgID: a.OrgID, Status: docket.StatusDraft, RiskTier: "low",
		CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now}
	c.Clock.PauseOnInfoRequest = s.review.PauseOnInfoRequest
	if err := in.Apply(c); err != nil {
		return nil, err
	}
	var v *CaseView
	err := s.write(ctx, func(tx casesTx) error {
		if err := tx.Cases().CreateCase(c); err != nil {
			return err
		}
		if err := s.audit(tx, a, "case.created", "case", c.ID, c.ID, in.Changes()); err != nil {
			return err
		}
		acc, err := s.caseAccess(tx, a, c.ID)
		v = s.view(acc)
		return err
	})
	return v, err
}

// UpdateCase edits a draft.
func (s *Cases) UpdateCase(ctx context.Context, a docket.Actor, id string, in docket.CaseInput) (*CaseView, error) {
	return s.caseAction(ctx, a, id, docket.ActEdit, func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error) {
		if err := in.Apply(acc.Case); err != nil {
			return "", nil, err
		}
		return "case.updated", in.Changes(), nil
	})
}

// DeleteCase removes a draft.
func (s *Cases) DeleteCase(ctx context.Context, a docket.Actor, id string) error {
	var files []string // the draft's attachments, removed once the rows are gone
	err := s.write(ctx, func(tx casesTx) error {
		acc, err := s.caseAccess(tx, a, id)
		if err != nil {
			return err
		}
		if err := acc.Check(docket.ActDelete); err != nil {
			return err
		}
		atts, err := tx.Content().ListAttachments(id, true)
		if err != nil {
			return err
		}
		for _, at := range atts {
			files = append(files, at.ID)
		}
		if err := tx.Cases().DeleteCase(id); err != nil {
			return err
		}
		return s.audit(tx, a, "case.deleted", "case", id, id, docket.Changes{"model_name": acc.Case.ModelName})
	})
	if err == nil {
		s.removeAttachmentFiles(files)
	}
	return err
}

// caseAction runs one lifecycle action: load, check the policy, apply fn, save
// the case and write the audit event, all in one transaction.
func (s *Cases) caseAction(ctx context.Context, a docket.Actor, id string, act docket.Action,
	fn func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error)) (*CaseView, error) {
	var v *CaseView
	err := s.write(ctx, func(tx casesTx) error {
		acc, err := s.caseAccess(tx, a, id)
		if err != nil {
			return err
		}
		if err := acc.Check(act); err != nil {
			return err
		}
		from := acc.Case.Status
		event, ch, err := fn(tx, acc)
		if err != nil {
			return err
		}
		acc.Case.UpdatedAt = s.Now()
		acc.Case.MarkConflict(acc.Case.UpdatedAt)
		acc.Case.MarkRisk(acc.Case.UpdatedAt)
		if err := tx.Cases().UpdateCase(acc.Case); err != nil {
			return err
		}
		if ch == nil {
			ch = docket.Changes{}
		}
		if acc.Case.Status != from {
			ch.Set("status", map[string]string{"from": string(from), "to": string(acc.Case.Status)})
		}
		if err := s.audit(tx, a, event, "case", id, id, ch); err != nil {
			return err
		}
		if acc, err = s.caseAccess(tx, a, id); err != nil {
			return err
		}
		v = s.view(acc)
		return nil
	})
	return v, err
}

// SubmitCase submits a draft: it takes its number and its clock starts.
func (s *Cases) SubmitCase(ctx context.Context, a docket.Actor, id string) (*CaseView, error) {
	return s.caseAction(ctx, a, id, docket.ActSubmit, func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error) {
		c := acc.Case
		if err := c.ReadyToSubmit(); err != nil {
			return "", nil, err
		}
		now := s.Now()
		year := now.In(s.loc).Year()
		n, err := tx.Cases().NextCaseNumber(year)
		if err != nil {
			return "", nil, err
		}
		c.Number = fmt.Sprintf("DKT-%d-%04d", year, n)
		c.Status = docket.StatusSubmitted
		k := &c.Clock
		k.ReceivedAt, k.StartedAt, k.Seq = &now, &now, 1
		k.WindowDays, k.Timezone = s.review.WindowDays, s.review.Timezone
		k.PauseOnInfoRequest = s.review.PauseOnInfoRequest
		base := clock.BaseDue(now, k.WindowDays, s.loc)
		k.BaseDueAt, k.ClosedStopped, k.OpenStopAt = &base, 0, nil
		err = tx.Cases().CreateClock(&docket.ClockRecord{CaseID: c.ID, Seq: 1, StartedAt: now, WindowDays: k.WindowDays,
			Timezone: k.Timezone, BaseDueAt: base})
		if err == nil {
			err = s.emit(tx, docket.EventCaseSubmitted, c, "case", c.ID, &base, true)
		}
		return "case.submitted", docket.Changes{"number": c.Number, "base_due_at": base.UnixMilli(),
			"window_days": k.WindowDays, "timezone": k.Timezone}, err
	})
}

// Assign replaces the reviewer set and names the case lead (the caller when
// leadID is empty); a submitted case goes into review.
func (s *Cases) Assign(ctx context.Context, a docket.Actor, id string, reviewerIDs []string, leadID string) (*CaseView, error) {
	return s.caseAction(ctx, a, id, docket.ActAssign, func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error) {
		seen := map[string]bool{}
		ids := []string{}
		for i, rid := range reviewerIDs {
			field := fmt.Sprintf("reviewer_ids[%d]", i)
			if seen[rid] {
				return "", nil, docket.Unacceptable(field, "is listed twice")
			}
			seen[rid] = true
			u, err := tx.Users().UserByID(rid)
			if docket.ErrorCode(err) == docket.ENotFound {
				return "", nil, docket.Unacceptable(field, "no such reviewer")
			} else if err != nil {
				return "", nil, err
			}
			if (u.Role != docket.RoleReviewer && u.Role != docket.RoleReviewLead) || u.Disabled {
				return "", nil, docket.Unacceptable(field, "is not an active reviewer or review lead")
			}
			ids = append(ids, rid)
		}
		if leadID == "" {
			leadID = a.UserID
		}
		lead, err := tx.Users().UserByID(leadID)
		if err != nil || lead.Role != docket.RoleReviewLead || lead.Disabled {
			if err != nil && docket.ErrorCode(err) != docket.ENotFound {
				return "", nil, err
			}
			return "", nil, docket.Unacceptable("lead_id", "is not an active review lead")
		}
		if err := tx.Cases().SetReviewers(id, ids); err != nil {
			return "", nil, err
		}
		c := acc.Case
		c.ReviewerIDs, c.LeadID = ids, leadID
		if c.Status == docket.StatusSubmitted {
			c.Status = docket.StatusInReview
		}
		return "case.assigned", docket.Changes{"reviewer_ids": ids, "lead_id": leadID}, nil
	})
}

// Attest records that the actor has no conflict of interest; the case's
// content opens to it.
func (s *Cases) Attest(ctx context.Context, a docket.Actor, id string) (*CaseView, error) {
	return s.caseAction(ctx, a, id, docket.ActAttest, func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error) {
		if acc.Attested {
			return "case.attested", docket.Changes{"again": true}, nil
		}
		return "case.attested", nil, tx.Cases().Attest(id, a.UserID, s.Now())
	})
}

// DeclareConflict takes the reviewer off the case.
func (s *Cases) DeclareConflict(ctx context.Context, a docket.Actor, id, reason string) (*CaseView, error) {
	return s.caseAction(ctx, a, id, docket.ActDeclareConflict, func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error) {
		if err := docket.ValidateName("reason", reason, 2000); err != nil {
			return "", nil, err
		}
		c := acc.Case
		var rest []string
		for _, r := range c.ReviewerIDs {
			if r != a.UserID {
				rest = append(rest, r)
			}
		}
		if err := tx.Cases().SetReviewers(id, rest); err != nil {
			return "", nil, err
		}
		c.ReviewerIDs = rest
		return "case.conflict_declared", docket.Changes{}.Secret("reason", reason), nil
	})
}

// RequestInfo opens an information request: the case awaits the lab and, when
// its snapshot says so, the clock stops if it was running. 404, 403, 409
// naming the state (a decided or withdrawn case takes nothing more) or
// attest-no-conflict, then 422 naming the question.
func (s *Cases) RequestInfo(ctx context.Context, a docket.Actor, id, question string) (*docket.InfoRequest, error) {
	var r *docket.InfoRequest
	_, err := s.caseAction(ctx, a, id, docket.ActRequestInfo, func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error) {
		if strings.TrimSpace(question) == "" {
			return "", nil, docket.Unacceptable("question", "is required")
		}
		if len(question) > 20000 {
			return "", nil, docket.Unacceptable("question", "must be at most 20000 bytes")
		}
		now := s.Now()
		r = &docket.InfoRequest{ID: newID(), CaseID: id, Question: question, Status: docket.RequestOpen,
			OpenedBy: a.UserID, OpenedAt: now}
		if err := tx.Cases().CreateInfoRequest(r); err != nil {
			return "", nil, err
		}
		c := acc.Case
		c.Status = docket.StatusAwaitingLab
		ch := docket.Changes{"info_request_id": r.ID}.Secret("question", question)
		if c.Clock.PauseOnInfoRequest && c.Clock.OpenStopAt == nil {
			c.Clock.OpenStopAt = &now
			ch.Set("clock", "stopped")
			if err := tx.Cases().CreateStop(&docket.ClockStop{ID: newID(), CaseID: id, ClockSeq: c.Clock.Seq, StartedAt: now,
				Reason: "information request", InfoRequestID: r.ID}); err != nil {
				return "", nil, err
			}
		}
		if err := s.emit(tx, docket.EventInfoRequestOpened, c, "info_request", r.ID, nil, true); err != nil {
			return "", nil, err
		}
		return "info_request.opened", ch, nil
	})
	return r, err
}

// closeOpenStop ends the open stop, if any, adding its length to the closed stops.
func (s *Cases) closeOpenStop(tx casesTx, c *docket.Case, now time.Time) (bool, error) {
	k := &c.Clock
	if k.OpenStopAt == nil {
		return false, nil
	}
	k.ClosedStopped += now.Sub(*k.OpenStopAt)
	k.OpenStopAt = nil
	return true, tx.Cases().EndOpenStop(c.ID, now)
}

// closeRequest answers or cancels one open request; when none stays open the
// case goes back to review (or to submitted when nobody is assigned) and the
// stop ends. A request the actor may not see answers exactly as one that does
// not exist: 404 "information request not found", and no request. On any
// other error the request is returned as it was read, so that a page can
// show the form again on its case.
func (s *Cases) closeRequest(ctx context.Context, a docket.Actor, reqID string, act docket.Action, apply func(r *docket.InfoRequest) (string, docket.Changes, error)) (*docket.InfoRequest, error) {
	var r *docket.InfoRequest
	var caseID string
	err := s.read(ctx, func(tx casesTx) error {
		var err error
		r, err = tx.Cases().InfoRequestByID(reqID)
		if err == nil {
			caseID = r.CaseID
		}
		return err
	})
	if err != nil {
		return nil, notFoundAs(err, "information request")
	}
	_, err = s.caseAction(ctx, a, caseID, act, func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error) {
		var err error
		if r, err = tx.Cases().InfoRequestByID(reqID); err != nil {
			return "", nil, err
		}
		if r.Status != docket.RequestOpen {
			return "", nil, docket.Errorf(docket.EConflict, "the information request is %s; nothing more can be done with it", r.Status)
		}
		event, ch, err := apply(r)
		if err != nil {
			return "", nil, err
		}
		now := s.Now()
		r.ClosedBy, r.ClosedAt = a.UserID, &now
		if err := tx.Cases().UpdateInfoRequest(r); err != nil {
			return "", nil, err
		}
		open, err := tx.Cases().ListInfoRequests(caseID)
		if err != nil {
			return "", nil, err
		}
		stillOpen := 0
		for _, x := range open {
			if x.Status == docket.RequestOpen {
				stillOpen++
			}
		}
		ch.Set("info_request_id", r.ID)
		if stillOpen == 0 {
			c := acc.Case
			c.Status = docket.StatusInReview
			if len(c.ReviewerIDs) == 0 && c.LeadID == "" {
				c.Status = docket.StatusSubmitted
			}
			ended, err := s.closeOpenStop(tx, c, now)
			if err != nil {
				return "", nil, err
			}
			if ended {
				ch.Set("clock", "resumed")
			}
		}
		return event, ch, nil
	})
	if err = notFoundAs(err, "information request"); docket.ErrorCode(err) == docket.ENotFound {
		return nil, err // a hidden case: nothing of the request leaves
	}
	return r, err
}

// AnswerInfoRequest records the lab's answer (lab members of the case's lab,
// while it awaits the lab): 404 "information request not found" for a request
// the actor may not see, 403, 409 naming the state or a request no longer
// open, then 422 naming the answer.
func (s *Cases) AnswerInfoRequest(ctx context.Context, a docket.Actor, reqID, answer string) (*docket.InfoRequest, error) {
	return s.closeRequest(ctx, a, reqID, docket.ActAnswer, func(r *docket.InfoRequest) (string, docket.Changes, error) {
		if strings.TrimSpace(answer) == "" {
			return "", nil, docket.Unacceptable("answer", "is required")
		}
		if len(answer) > 50000 {
			return "", nil, docket.Unacceptable("answer", "must be at most 50000 bytes")
		}
		r.Answer, r.Status = answer, docket.RequestAnswered
		return "info_request.answered", docket.Changes{}.Secret("answer", answer), nil
	})
}

// CancelInfoRequest withdraws an open request (assigned reviewers and leads,
// after attesting): 404 "information request not found" for a request the
// actor may not see, 403, then 409 naming the state, a request no longer
// open, or attest-no-conflict.
func (s *Cases) CancelInfoRequest(ctx context.Context, a docket.Actor, reqID string) (*docket.InfoRequest, error) {
	return s.closeRequest(ctx, a, reqID, docket.ActCancelRequest, func(r *docket.InfoRequest) (string, docket.Changes, error) {
		r.Status = docket.RequestCancelled
		return "info_request.cancelled", docket.Changes{}, nil
	})
}

// ListInfoRequests returns a case's requests to those who may read its content.
func (s *Cases) ListInfoRequests(ctx context.Context, a docket.Actor, caseID string) ([]docket.InfoRequest, error) {
	var out []docket.InfoRequest
	err := s.read(ctx, func(tx casesTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CheckContent(); err != nil {
			return err
		}
		out, err = tx.Cases().ListInfoRequests(caseID)
		return err
	})
	return out, err
}

// endReview closes every open request and ends the clock of a case that is
// being decided or withdrawn.
func (s *Cases) endReview(tx casesTx, a docket.Actor, c *docket.Case, to docket.Status) error {
	now := s.Now()
	reqs, err := tx.Cases().ListInfoRequests(c.ID)
	if err != nil {
		return err
	}
	for i := range reqs {
		r := &reqs[i]
		if r.Status != docket.RequestOpen {
			continue
		}
		r.Status, r.ClosedBy, r.ClosedAt = docket.RequestCancelled, a.UserID, &now
		if err := tx.Cases().UpdateInfoRequest(r); err != nil {
			return err
		}
	}
	if _, err := s.closeOpenStop(tx, c, now); err != nil {
		return err
	}
	c.Status, c.ClosedAt = to, &now
	return nil
}

// DecisionInput is the lead's decision.
type DecisionInput struct {
	Outcome    string  `json:"outcome"`
	Rationale  string  `json:"rationale"`
	Conditions *string `json:"conditions"`
}

// Decide ends the review with an outcome. While a material change is pending
// no decision can be made (409 naming the amendment). The decision and its
// signed statement name the weights digest they were made on.
func (s *Cases) Decide(ctx context.Context, a docket.Actor, id string, in DecisionInput) (*CaseView, error) {
	issued := false
	v, err := s.caseAction(ctx, a, id, docket.ActDecide, func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error) {
		issued = false
		if pending, err := pendingAmendment(tx, id); err != nil || pending != nil {
			if err == nil {
				err = docket.PendingConflict(pending, "no decision can be made")
			}
			return "", nil, err
		}
		if err := docket.CheckDecision(in.Outcome, in.Rationale); err != nil {
			return "", nil, err
		}
		cond := ""
		if in.Conditions != nil {
			cond = *in.Conditions
		}
		c := acc.Case
		if err := s.endReview(tx, a, c, docket.StatusDecided); err != nil {
			return "", nil, err
		}
		d := &docket.Decision{CaseID: id, Outcome: in.Outcome, Rationale: in.Rationale, Conditions: cond,
			WeightsDigest: c.WeightsDigest, DecidedBy: a.UserID, DecidedAt: s.Now()}
		if err := tx.Cases().CreateDecision(d); err != nil {
			return "", nil, err
		}
		if err := s.emit(tx, docket.EventCaseDecided, c, "case", id, nil, true); err != nil {
			return "", nil, err
		}
		st, err := s.statements.issueStatement(tx, c, docket.StatementDecision, d, d.DecidedAt)
		if err != nil {
			return "", nil, err
		}
		ch := docket.Changes{"outcome": in.Outcome, "weights_digest": c.WeightsDigest}.Secret("rationale", in.Rationale)
		if st != nil {
			ch.Set("statement_id", st.ID).Set("statement_kid", st.KeyID)
			issued = true
		}
		return "case.decided", ch, nil
	})
	if err == nil && issued && s.obs != nil {
		s.obs.ObserveStatements(docket.StatementDecision, 1)
	}
	return v, err
}

// Withdraw ends the review at the lab's request.
func (s *Cases) Withdraw(ctx context.Context, a docket.Actor, id, reason string) (*CaseView, error) {
	return s.caseAction(ctx, a, id, docket.ActWithdraw, func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error) {
		if err := docket.ValidateName("reason", reason, 5000); err != nil {
			return "", nil, err
		}
		if err := s.endReview(tx, a, acc.Case, docket.StatusWithdrawn); err != nil {
			return "", nil, err
		}
		return "case.withdrawn", docket.Changes{}.Secret("reason", reason), nil
	})
}
