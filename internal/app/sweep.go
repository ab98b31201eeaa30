package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/docket/docket/internal/docket"
)

// The sweep plans only the cases whose kept instant has come (SweepStore):
// each plan notes, per case, the first instant after now at which one of its
// rules falls due, and the database sets a case back to "now" whenever
// anything its rules read changes. So a sweep with nothing due reads one
// index range, whatever the number of cases and of repeating escalations.
// A change to the settings the rules use, or to who is active in which role,
// plans every open case again once.

// Sweep decides, from the database state alone, what is due now and writes it
// to the outbox in one transaction: exactly one row per key. Only the holder
// of the sweep lease does anything. It is safe to run after any downtime.
func (s *Delivery) Sweep(ctx context.Context, holder string) (res SweepResult, err error) {
	defer func(start time.Time) { s.observeSweep(start, res, err) }(time.Now())
	now := s.Now()
	fingerprint := s.sweepFingerprint()
	var (
		due   []Occurrence
		marks []SweepMark
		ids   []string
		state SweepState
		full  bool
	)
	err = s.read(ctx, func(tx deliveryTx) error {
		h, err := tx.Notifications().LeaseHolder(SweepLease, now)
		if err != nil || h != holder {
			return err
		}
		res.Held = true
		if state, err = tx.Sweep().SweepState(); err != nil {
			return err
		}
		// Every case that is not closed for good, when the rules' inputs changed.
		full = state.Fingerprint != fingerprint || state.PlannedUsers != state.UsersVersion
		upTo := now
		if full {
			upTo = SweepNever.Add(-time.Millisecond)
		}
		if marks, err = tx.Sweep().DueCases(upTo); err != nil {
			return err
		}
		ids = make([]string, len(marks))
		for i, m := range marks {
			ids[i] = m.CaseID
		}
		p, err := s.newPlanner(tx, now, now)
		if err != nil {
			return err
		}
		p.next = map[string]time.Time{}
		if err := p.planCases(ids); err != nil {
			return err
		}
		// What this sweep holds back is made at now, after every digest due
		// by now: it waits for the recipient's next one.
		digests, err := p.digests(nil)
		if err != nil {
			return err
		}
		p.out = append(p.out, digests...)
		for i := range marks {
			marks[i].DueAt = SweepNever
			if at, ok := p.next[marks[i].CaseID]; ok {
				marks[i].DueAt = at
			}
		}
		if due, err = unsent(tx, latestDue(p.out, now)); err != nil {
			return err
		}
		return p.firstMessages(due)
	})
	// A lapse to state is among the cases planned (marks), so no case
	// planned and nothing due leaves nothing to write.
	if err != nil || !res.Held || (len(due) == 0 && len(marks) == 0 && !full) {
		return res, err
	}
	res.Due = len(due)
	err = s.write(ctx, func(tx deliveryTx) error {
		// Whoever lost the lease since the read writes nothing.
		if h, err := tx.Notifications().LeaseHolder(SweepLease, now); err != nil || h != holder {
			res.Held = false
			return err
		}
		rows := make([]docket.Notification, len(due))
		for i, o := range due {
			n := o.Notification
			n.ID, n.InboxID, n.CreatedAt, n.State = newID(), newID(), now, "pending"
			rows[i] = n
		}
		if len(rows) > 0 {
			var err error
			if res.Inserted, err = tx.Notifications().InsertNotifications(rows); err != nil {
				return err
			}
		}
		// A lapse is stated once, signed, in the same transaction.
		var err error
		if res.Statements, err = s.statements.issueLapseStatements(tx, now, ids); err != nil {
			return err
		}
		// So is a risk acceptance that ended: its finding reopens once.
		if res.Reopened, err = s.reopenExpiredAcceptances(tx, now, ids); err != nil {
			return err
		}
		// A case changed since the read keeps its mark at "now": it is planned again.
		if _, err := tx.Sweep().SetDue(marks); err != nil {
			return err
		}
		if full {
			return tx.Sweep().SetSweepState(fingerprint, state.UsersVersion)
		}
		return nil
	})
	return res, err
}

// reopenExpiredAcceptances reopens, as shared with a fresh response deadline
// for its severity, each risk-accepted finding of the cases of ids whose
// acceptance has ended by now (00:00 agency time on accepted_until), while its
// case is open: audited, the case's risk tier recomputed. A finding reopens
// once: afterwards it is shared, no longer accepted.
func (s *Delivery) reopenExpiredAcceptances(tx deliveryTx, now time.Time, ids []string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	findings, err := tx.Sweep().SharedFindingsOf(ids)
	if err != nil {
		return 0, err
	}
	n := 0
	cases := map[string]*docket.Case{}
	for _, f := range findings {
		if f.Status != docket.FindingRiskAccepted || f.AcceptedUntil.IsZero() || acceptanceEnd(f.AcceptedUntil, s.loc).After(now) {
			continue
		}
		c, ok := cases[f.CaseID]
		if !ok {
			if c, err = tx.Cases().CaseByID(f.CaseID); err != nil {
				return n, err
			}
			cases[f.CaseID] = c
		}
		if !c.Status.Open() {
			continue
		}
		days := s.findings.ResponseDays[f.Severity]
		f.Status, f.SharedAt, f.ResponseDays = docket.FindingShared, &now, days
		f.ResponseDueAt = docket.ResponseDue(now, days, s.loc)
		f.ResolvedBy, f.ResolvedAt, f.UpdatedAt = "", nil, now
		if err := tx.Content().UpdateFinding(f); err != nil {
			return n, err
		}
		ch := docket.Changes{"status": string(docket.FindingShared), "accepted_until": f.AcceptedUntil.String()}
		if f.ResponseDueAt != nil {
			ch.Set("response_due_at", f.ResponseDueAt.UTC().Format(time.RFC3339))
		}
		if err := s.recomputeRisk(tx, c, ch); err != nil {
			return n, err
		}
		if err := s.audit(tx, docket.System(), "finding.acceptance_expired", "finding", f.ID, f.CaseID, ch); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// planCases runs every rule of the cases of ids: the case's own, its open
// information requests' and its shared findings'.
func (p *planner) planCases(ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	byID, err := p.tx.Notifications().CasesByID(ids)
	if err != nil {
		return err
	}
	cases := make([]*docket.Case, 0, len(byID))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			cases = append(cases, c)
		}
	}
	reqs, err := p.tx.Sweep().OpenRequestsOf(ids)
	if err != nil {
		return err
	}
	findings, err := p.tx.Sweep().SharedFindingsOf(ids)
	if err != nil {
		return err
	}
	return p.rules(cases, reqs, findings)
}

// sweepFingerprint names the settings the rules use: when it changes, every
// open case is planned again.
func (s *Delivery) sweepFingerprint() string {
	n := s.notify
	h := sha256.Sum256([]byte(fmt.Sprintf("v1|%s|%s|%v|%s|%d|%d|%s|%s|%d", n.ReminderTime, n.DigestTime, n.ReminderDays,
		n.UnassignedAfter, n.InfoRequestLabDays, n.InfoRequestLeadDays, n.EscalationRepeat, s.loc, s.findings.AcceptanceWarningDays)))
	return hex.EncodeToString(h[:8])
}
