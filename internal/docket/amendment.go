package docket

import (
	"fmt"
	"time"

	"github.com/docket/docket/internal/clock"
)

// AmendmentStatus is where an amendment stands.
type AmendmentStatus string

// The amendment states. An amendment that changes the weights digest (a
// material change) is pending until a lead accepts or rejects it; one that
// changes only the summary or the planned release date is applied at once.
const (
	AmendmentPending  AmendmentStatus = "pending"  // a new digest, waiting for a lead
	AmendmentApplied  AmendmentStatus = "applied"  // summary or release date only, applied when filed
	AmendmentAccepted AmendmentStatus = "accepted" // a lead accepted the new digest; every change applied
	AmendmentRejected AmendmentStatus = "rejected" // a lead refused it; nothing applied
)

// AmendmentStatuses lists every amendment state.
var AmendmentStatuses = []AmendmentStatus{AmendmentPending, AmendmentApplied, AmendmentAccepted, AmendmentRejected}

// Limits of an amendment's text.
const MaxAmendmentNote = 20000

// Amendment is a change the lab makes to a submitted case.
type Amendment struct {
	ID     string
	CaseID string
	Status AmendmentStatus
	// OldDigest is the case's digest when the amendment was filed; NewDigest
	// the digest it asks for, "" when it keeps the digest.
	OldDigest string
	NewDigest string
	// Summary is the new summary; nil when the amendment keeps it.
	Summary *string
	// ReleaseDate is the new planned release date, nil when the amendment
	// keeps it; a zero date clears it.
	ReleaseDate *clock.Date
	CreatedBy   string
	CreatedAt   time.Time
	// The lead's resolution of a material change.
	RestartClock bool
	Note         string
	ResolvedBy   string
	ResolvedAt   *time.Time
}

// Material reports whether the amendment changes the weights digest.
func (m *Amendment) Material() bool { return m.NewDigest != "" }

// Changes names the fields the amendment changes.
func (m *Amendment) Changes() []string {
	var out []string
	if m.NewDigest != "" {
		out = append(out, "weights_digest")
	}
	if m.Summary != nil {
		out = append(out, "summary")
	}
	if m.ReleaseDate != nil {
		out = append(out, "planned_release_date")
	}
	return out
}

// Apply copies the amendment's changes onto the case.
func (m *Amendment) Apply(c *Case) {
	if m.NewDigest != "" {
		c.WeightsDigest = m.NewDigest
	}
	if m.Summary != nil {
		c.Summary = *m.Summary
	}
	if m.ReleaseDate != nil {
		c.PlannedReleaseDate = *m.ReleaseDate
	}
}

// AuditChanges is what the audit trail keeps of a new amendment: both digests
// and the release date as values, the summary only as a hash.
func (m *Amendment) AuditChanges() Changes {
	ch := Changes{"amendment_id": m.ID, "amendment_status": string(m.Status), "old_digest": m.OldDigest}
	if m.NewDigest != "" {
		ch.Set("new_digest", m.NewDigest)
	}
	if m.ReleaseDate != nil {
		v := ""
		if !m.ReleaseDate.IsZero() {
			v = m.ReleaseDate.String()
		}
		ch.Set("planned_release_date", v)
	}
	if m.Summary != nil {
		ch.Secret("summary", *m.Summary)
	}
	return ch
}

// AmendmentInput is what a lab sends to amend a case; nil means "not changed".
// An empty planned_release_date clears the date.
type AmendmentInput struct {
	WeightsDigest      *string `json:"weights_digest"`
	Summary            *string `json:"summary"`
	PlannedReleaseDate *string `json:"planned_release_date"`
}

// Amendment validates the input against the case as it stands and returns the
// amendment it asks for (without id, author or time): pending when it changes
// the digest, applied otherwise. Every failure is a 422 naming its field.
func (in AmendmentInput) Amendment(c *Case) (*Amendment, error) {
	if in.WeightsDigest == nil && in.Summary == nil && in.PlannedReleaseDate == nil {
		return nil, Unacceptable("", "an amendment changes at least one of weights_digest, summary and planned_release_date")
	}
	m := &Amendment{CaseID: c.ID, Status: AmendmentApplied, OldDigest: c.WeightsDigest}
	if in.WeightsDigest != nil {
		d := *in.WeightsDigest
		if !ValidDigest(d) {
			return nil, Unacceptable("weights_digest", "must be sha256: followed by 64 lowercase hex digits")
		}
		if d == c.WeightsDigest {
			return nil, Unacceptable("weights_digest", "is the digest under review already")
		}
		m.NewDigest, m.Status = d, AmendmentPending
	}
	if in.Summary != nil {
		if err := validText("summary", *in.Summary, 20000, false); err != nil {
			return nil, err
		}
		s := *in.Summary
		m.Summary = &s
	}
	if in.PlannedReleaseDate != nil {
		var d clock.Date
		if *in.PlannedReleaseDate != "" {
			var err error
			if d, err = clock.ParseDate(*in.PlannedReleaseDate); err != nil {
				return nil, Unacceptable("planned_release_date", "must be a date YYYY-MM-DD, or empty to clear it")
			}
		}
		m.ReleaseDate = &d
	}
	return m, nil
}

// The outcomes of resolving a material change.
const (
	ResolveAccept = "accepted"
	ResolveReject = "rejected"
)

// AmendmentResolution is a lead's answer to a pending amendment.
type AmendmentResolution struct {
	// RestartClock starts a new review clock on the new digest (accepted only).
	RestartClock *bool   `json:"restart_clock"`
	Note         *string `json:"note"`
	// Outcome is accepted (the default) or rejected.
	Outcome *string `json:"outcome"`
}

// Validate checks the resolution and returns its outcome; every failure is a
// 422 naming its field.
func (r AmendmentResolution) Validate() (string, error) {
	outcome := ResolveAccept
	if r.Outcome != nil {
		outcome = *r.Outcome
	}
	if outcome != ResolveAccept && outcome != ResolveReject {
		return "", Unacceptable("outcome", "must be %s or %s", ResolveAccept, ResolveReject)
	}
	if r.RestartClock == nil {
		return "", Unacceptable("restart_clock", "is required: say whether the review clock starts again on the new digest")
	}
	if *r.RestartClock && outcome == ResolveReject {
		return "", Unacceptable("restart_clock", "a rejected amendment changes nothing, so the clock does not restart")
	}
	if r.Note == nil {
		return "", Unacceptable("note", "is required")
	}
	if err := validText("note", *r.Note, MaxAmendmentNote, true); err != nil {
		return "", err
	}
	return outcome, nil
}

// PendingConflict is the 409 for an action that must wait for a pending
// material change to be resolved.
func PendingConflict(m *Amendment, what string) error {
	return &Error{Code: EConflict, Message: fmt.Sprintf(
		"amendment %s (a new weights digest, %s) is pending; %s until a lead resolves it: POST /api/v1/amendments/%s/resolve",
		m.ID, m.NewDigest, what, m.ID)}
}

// CanReadAmendments checks that the actor may read a case's amendments: those
// who read its content (404, 403 for compliance officers, 409 before attesting).
func (a CaseAccess) CanReadAmendments() error { return a.CheckContent() }

// AmendmentState is the 409 for an amendment that is no longer pending.
func AmendmentState(m *Amendment) error {
	return Errorf(EConflict, "the amendment is %s; nothing more can be done with it", m.Status)
}
