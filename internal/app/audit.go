package app

import (
	"context"

	"github.com/docket/docket/internal/docket"
)

// AuditStore appends to and reads the audit chain.
type AuditStore interface {
	// AppendAudit assigns ev its sequence number and previous hash, computes its
	// hash and stores it, serialised against every other append.
	AppendAudit(ev *docket.AuditEvent) error
	// ListAudit returns events in sequence order after the cursor; caseID "" means all.
	ListAudit(caseID string, p Page) ([]docket.AuditEvent, string, error)
	// AuditHead returns the sequence number and hash of the chain's last event.
	AuditHead() (int64, string, error)
	// WalkAudit calls fn for every event in sequence order.
	WalkAudit(fn func(docket.AuditEvent) error) error
}

// AuditReport is the outcome of checking the chain.
type AuditReport struct {
	Count    int64
	BadSeq   int64
	BadEvent string
	Reason   string
}

// VerifyAudit walks the whole chain and reports the first event whose hash, link
// or sequence number does not hold.
func (s *AuditTrail) VerifyAudit(ctx context.Context) (AuditReport, error) {
	var r AuditReport
	prev := ""
	err := s.read(ctx, func(tx auditTx) error {
		var want int64 = 1
		return tx.Audit().WalkAudit(func(ev docket.AuditEvent) error {
			switch {
			case ev.Seq != want:
				r.Reason = "sequence gap: an event before it is missing"
			case ev.PrevHash != prev:
				r.Reason = "its link to the previous event does not match"
			case ev.ComputeHash() != ev.Hash:
				r.Reason = "its content does not match its hash"
			}
			if r.Reason != "" {
				r.BadSeq, r.BadEvent = ev.Seq, ev.ID
				return errStop
			}
			prev, want = ev.Hash, want+1
			r.Count++
			return nil
		})
	})
	if err == errStop {
		err = nil
	}
	if err == nil && r.Reason == "" {
		err = s.read(ctx, func(tx auditTx) error {
			head, hash, err := tx.Audit().AuditHead()
			if err != nil {
				return err
			}
			if head != r.Count || hash != prev {
				r.BadSeq, r.Reason = r.Count+1, "the chain ends early: later events are missing"
				if head < r.Count {
					r.BadSeq, r.Reason = head+1, "the chain head does not match the events"
				}
			}
			return nil
		})
	}
	return r, err
}

var errStop = &docket.Error{Code: "stop"}

// ListCaseAudit returns a case's trail to leads and compliance officers.
func (s *AuditTrail) ListCaseAudit(ctx context.Context, a docket.Actor, caseID string, p Page) ([]docket.AuditEvent, string, error) {
	var out []docket.AuditEvent
	var next string
	err := s.read(ctx, func(tx auditTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if !acc.CanSee() {
			return docket.NotFound("case")
		}
		if !docket.CanSeeAudit(a.Role) {
			return docket.Forbidden()
		}
		out, next, err = tx.Audit().ListAudit(caseID, Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
		return err
	})
	return out, next, err
}

// ListAllAudit returns the whole trail's metadata to compliance officers and admins.
func (s *AuditTrail) ListAllAudit(ctx context.Context, a docket.Actor, p Page) ([]docket.AuditEvent, string, error) {
	if !docket.CanSeeAllAudit(a.Role) {
		return nil, "", docket.Forbidden()
	}
	var out []docket.AuditEvent
	var next string
	err := s.read(ctx, func(tx auditTx) error {
		var err error
		out, next, err = tx.Audit().ListAudit("", Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
		return err
	})
	return out, next, err
}

// AuditDenied records a refused request in the trail, with its error code:
// a role that may not (forbidden), a second factor to enrol, or a TLP:RED
// read refused to a session that must step up (step_up_required), one event
// per refused request.
func (s *AuditTrail) AuditDenied(ctx context.Context, a docket.Actor, method, path string, status int, code string) {
	err := s.write(ctx, func(tx auditTx) error {
		return s.audit(tx, a, "access.denied", "route", method+" "+path, "", docket.Changes{"status": status, "code": code})
	})
	if err != nil {
		s.log.Error("audit denied access", "err", err)
	}
}
