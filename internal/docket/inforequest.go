package docket

import (
	"strings"
	"time"
)

// Information request states.
const (
	RequestOpen      = "open"
	RequestAnswered  = "answered"
	RequestCancelled = "cancelled"
)

// InfoRequest is a question the agency asks the lab; while one is open the
// case awaits the lab and, by default, its clock stops.
type InfoRequest struct {
	ID       string
	CaseID   string
	Question string
	Answer   string
	Status   string
	OpenedBy string
	OpenedAt time.Time
	ClosedBy string
	ClosedAt *time.Time
}

// ClockStop is one stored stop of a case's clock.
type ClockStop struct {
	ID            string
	CaseID        string
	ClockSeq      int
	StartedAt     time.Time
	EndedAt       *time.Time
	Reason        string
	InfoRequestID string
}

// ClockRecord is one clock a case has had; a restart ends the current one.
type ClockRecord struct {
	CaseID     string
	Seq        int
	StartedAt  time.Time
	WindowDays int
	Timezone   string
	BaseDueAt  time.Time
	EndedAt    *time.Time
	EndReason  string
}

// CheckDecision checks what a lead decides: one of Outcomes, and a
// rationale (422 naming the field).
func CheckDecision(outcome, rationale string) error {
	if !OneOf(outcome, Outcomes) {
		return Unacceptable("outcome", "must be one of %s", strings.Join(Outcomes, ", "))
	}
	if strings.TrimSpace(rationale) == "" {
		return Unacceptable("rationale", "is required")
	}
	if len(rationale) > 50000 {
		return Unacceptable("rationale", "must be at most 50000 bytes")
	}
	return nil
}

// Decision is how a review ended.
type Decision struct {
	CaseID        string
	Outcome       string
	Rationale     string
	Conditions    string
	WeightsDigest string
	DecidedBy     string
	DecidedAt     time.Time
}
