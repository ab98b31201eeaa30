package app

import (
	"context"
	"fmt"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// AmendmentStore keeps the amendments of cases, and ends a clock that a
// material change restarts.
type AmendmentStore interface {
	CreateAmendment(m *docket.Amendment) error
	AmendmentByID(id string) (*docket.Amendment, error)
	// UpdateAmendment stores a resolution, zero values included.
	UpdateAmendment(m *docket.Amendment) error
	// ListAmendments returns a case's amendments, oldest first.
	ListAmendments(caseID string) ([]docket.Amendment, error)
	// PendingAmendment returns the case's pending material change (404 when none).
	PendingAmendment(caseID string) (*docket.Amendment, error)
	// EndClock marks one of a case's clocks ended, with why.
	EndClock(caseID string, seq int, at time.Time, reason string) error
}

// pendingAmendment returns the case's pending material change, or nil.
func pendingAmendment(tx casesTx, caseID string) (*docket.Amendment, error) {
	m, err := tx.Amendments().PendingAmendment(caseID)
	if docket.ErrorCode(err) == docket.ENotFound {
		return nil, nil
	}
	return m, err
}

// Amend files a lab's amendment of a submitted case (lab members of the case's
// lab, in the open states: 404, 403, 409, then 422 naming the field). A new
// weights digest is a material change: the amendment stays pending until a
// lead resolves it, and a second one meanwhile is refused (409 naming the
// first). An amendment of the summary or the planned release date only is
// applied at once, and the release conflict is recomputed.
func (s *Cases) Amend(ctx context.Context, a docket.Actor, caseID string, in docket.AmendmentInput) (*docket.Amendment, error) {
	var m *docket.Amendment
	_, err := s.caseAction(ctx, a, caseID, docket.ActAmend, func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error) {
		c := acc.Case
		if in.WeightsDigest != nil {
			pending, err := pendingAmendment(tx, caseID)
			if err != nil {
				return "", nil, err
			}
			if pending != nil {
				return "", nil, docket.PendingConflict(pending, "another digest cannot be filed")
			}
		}
		var err error
		if m, err = in.Amendment(c); err != nil {
			return "", nil, err
		}
		m.ID, m.CreatedBy, m.CreatedAt = newID(), a.UserID, s.Now()
		if !m.Material() {
			m.Apply(c)
		}
		if err := tx.Amendments().CreateAmendment(m); err != nil {
			return "", nil, err
		}
		return "amendment.filed", m.AuditChanges(), nil
	})
	return m, err
}

// ResolveAmendment answers a pending material change (review leads, after
// attesting, while the case is open: 404, 403, 409; 409 when the amendment
// is no longer pending; then 422 naming the field). Accepting applies the
// amendment; with restart_clock the review starts again on the new digest:
// the current clock ends and is kept as history with its stops, and a new
// one starts with day 0 the local date of the resolution (stopped at once
// if an information request is still open). Rejecting applies nothing.
func (s *Cases) ResolveAmendment(ctx context.Context, a docket.Actor, id string, r docket.AmendmentResolution) (*docket.Amendment, error) {
	var m *docket.Amendment
	err := s.read(ctx, func(tx casesTx) error {
		var err error
		m, err = tx.Amendments().AmendmentByID(id)
		return err
	})
	if err != nil {
		return nil, notFoundAs(err, "amendment")
	}
	_, err = s.caseAction(ctx, a, m.CaseID, docket.ActResolveAmendment, func(tx casesTx, acc docket.CaseAccess) (string, docket.Changes, error) {
		var err error
		if m, err = tx.Amendments().AmendmentByID(id); err != nil {
			return "", nil, err
		}
		if m.Status != docket.AmendmentPending {
			return "", nil, docket.AmendmentState(m)
		}
		outcome, err := r.Validate()
		if err != nil {
			return "", nil, err
		}
		now := s.Now()
		m.Note, m.ResolvedBy, m.ResolvedAt = *r.Note, a.UserID, &now
		ch := docket.Changes{"amendment_id": m.ID, "outcome": outcome, "old_digest": m.OldDigest,
			"new_digest": m.NewDigest, "restart_clock": *r.RestartClock}.Secret("note", *r.Note)
		c := acc.Case
		if outcome == docket.ResolveReject {
			m.Status = docket.AmendmentRejected
		} else {
			m.Status = docket.AmendmentAccepted
			m.Apply(c)
			if *r.RestartClock {
				m.RestartClock = true
				if err := s.restartClock(tx, c, m, now, ch); err != nil {
					return "", nil, err
				}
			}
		}
		if err := tx.Amendments().UpdateAmendment(m); err != nil {
			return "", nil, err
		}
		return "amendment.resolved", ch, nil
	})
	if err != nil {
		return nil, notFoundAs(err, "amendment")
	}
	return m, nil
}

// restartClock ends the case's current clock at now and starts a new one on
// the same settings: day 0 is the local date of now, and earlier stops no
// longer count. A request still open stops the new clock at once.
func (s *Cases) restartClock(tx casesTx, c *docket.Case, m *docket.Amendment, now time.Time, ch docket.Changes) error {
	k := &c.Clock
	if _, err := s.closeOpenStop(tx, c, now); err != nil {
		return err
	}
	if err := tx.Amendments().EndClock(c.ID, k.Seq, now, fmt.Sprintf("restarted: amendment %s accepted the weights digest %s", m.ID, m.NewDigest)); err != nil {
		return err
	}
	seq := k.Seq + 1
	base := clock.BaseDue(now, k.WindowDays, k.Location())
	if err := tx.Cases().CreateClock(&docket.ClockRecord{CaseID: c.ID, Seq: seq, StartedAt: now, WindowDays: k.WindowDays,
		Timezone: k.Timezone, BaseDueAt: base}); err != nil {
		return err
	}
	k.Seq, k.StartedAt, k.BaseDueAt, k.ClosedStopped, k.OpenStopAt = seq, &now, &base, 0, nil
	ch.Set("clock", "restarted").Set("clock_seq", seq).Set("base_due_at", base.UnixMilli())
	if !k.PauseOnInfoRequest {
		return nil
	}
	reqs, err := tx.Cases().ListInfoRequests(c.ID)
	if err != nil {
		return err
	}
	for _, r := range reqs {
		if r.Status == docket.RequestOpen {
			k.OpenStopAt = &now
			ch.Set("clock_stopped_for", r.ID)
			return tx.Cases().CreateStop(&docket.ClockStop{ID: newID(), CaseID: c.ID, ClockSeq: seq, StartedAt: now,
				Reason: "information request", InfoRequestID: r.ID})
		}
	}
	return nil
}

// ListAmendments lists a case's amendments, oldest first, to those who read
// its content (404; 403 for compliance officers; 409 before attesting).
func (s *Cases) ListAmendments(ctx context.Context, a docket.Actor, caseID string) ([]docket.Amendment, error) {
	var out []docket.Amendment
	err := s.read(ctx, func(tx casesTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CanReadAmendments(); err != nil {
			return err
		}
		out, err = tx.Amendments().ListAmendments(caseID)
		return err
	})
	return out, err
}
