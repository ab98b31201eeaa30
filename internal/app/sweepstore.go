package app

import (
	"time"

	"github.com/docket/docket/internal/docket"
)

// SweepStore keeps, per case, the next instant something can fall due for it
// (the sweep plans only the cases whose instant has come), and reads what a
// case's rules need. The database sets a case back to "now" in the
// transaction that changes anything its rules read (migration 0013).
type SweepStore interface {
	// SweepState reads the sweep's settings and the users' change count.
	SweepState() (SweepState, error)
	// SetSweepState records the settings and the users' change count a full
	// plan was made with.
	SetSweepState(fingerprint string, plannedUsers int64) error
	// DueCases returns the cases whose instant is at or before t, with the
	// count of changes their instant was read at.
	DueCases(t time.Time) ([]SweepMark, error)
	// OpenRequestsOf returns the open information requests of the cases.
	OpenRequestsOf(caseIDs []string) ([]docket.InfoRequest, error)
	// SharedFindingsOf returns the shared findings of the cases, with their
	// TLP:RED recipients.
	SharedFindingsOf(caseIDs []string) ([]*docket.Finding, error)
	// SetDue records each case's next instant (SweepNever: none), unless the
	// case changed since its mark was read; it returns how many it recorded.
	SetDue(marks []SweepMark) (int, error)
}

// SweepState is what the sweep knows of its own settings: the fingerprint of
// the settings and the users' change count the last full plan was made with,
// and the users' change count now (who is active in which role).
type SweepState struct {
	Fingerprint  string
	UsersVersion int64
	PlannedUsers int64
}

// SweepMark is a case's next instant and the count of changes it was planned at.
type SweepMark struct {
	CaseID  string
	DueAt   time.Time
	Changes int64
}

// SweepNever is the instant of a case nothing can fall due for again.
var SweepNever = time.UnixMilli(1 << 62).UTC()
