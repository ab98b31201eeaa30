package app

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// CalendarStore keeps the users' calendar feeds and reads the deadlines they list.
type CalendarStore interface {
	// SetCalendarFeed stores the user's feed, replacing any earlier one.
	SetCalendarFeed(f *docket.CalendarFeed) error
	CalendarFeedOf(userID string) (*docket.CalendarFeed, error)
	CalendarFeedByHash(hash string) (*docket.CalendarFeed, error)
	// DeleteCalendarFeed removes the user's feed; false when there was none.
	DeleteCalendarFeed(userID string) (bool, error)
	// FindingDeadlines returns the shared findings of the cases that await the
	// lab's response by a deadline; labViewer set keeps what that lab user sees.
	FindingDeadlines(caseIDs []string, labViewer string) ([]FindingDeadline, error)
	// AcceptanceEnds returns the risk-accepted findings of the cases whose
	// acceptance ends on a date (lab viewer: only those it sees), with that
	// date in DueDate and when it was accepted in SharedAt.
	AcceptanceEnds(caseIDs []string, labViewer string) ([]FindingDeadline, error)
}

// FindingDeadline is a finding's response deadline.
type FindingDeadline struct {
	FindingID string
	CaseID    string
	DueAt     time.Time
	SharedAt  time.Time // when the deadline was set
	// DueDate is a risk acceptance's last date (AcceptanceEnds).
	DueDate clock.Date
}

// Deadline kinds in the calendar feed.
const (
	DeadlineReview  = "review deadline"
	DeadlineFinding = "finding response deadline"
	// DeadlineAcceptance is the end of a finding's risk acceptance: it reopens then.
	DeadlineAcceptance = "risk acceptance ends"
)

// CalendarEntry is one deadline of a feed: which case, what kind, when, and
// when the reminders fall. It names nothing confidential.
type CalendarEntry struct {
	UID        string
	Kind       string
	CaseID     string
	CaseNumber string
	DueAt      time.Time
	Stopped    bool // the case's clock is stopped: the deadline moves later while it is
	Alarms     []time.Time
	// Sequence grows each time the deadline moves (the seconds it moved
	// since it was set: a deadline only ever moves later), and Modified is
	// when the entry last changed, so that calendar apps update the event.
	Sequence int
	Modified time.Time
}

// Calendar is a user's feed at one instant.
type Calendar struct {
	At      time.Time
	Entries []CalendarEntry
}

// calendarTokenHash is how a feed token is kept: its SHA-256, never the token.
func calendarTokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// CreateCalendarURL makes (or remakes, ending the earlier one) the actor's
// secret calendar feed token: 32 random bytes, returned this once and stored
// hashed. Admins, who see no cases, get 403.
func (s *Accounts) CreateCalendarURL(ctx context.Context, a docket.Actor) (string, time.Time, error) {
	if !docket.CanSubscribeCalendar(a.Role) {
		return "", time.Time{}, docket.Forbidden()
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", time.Time{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.Now()
	err := s.write(ctx, func(tx accountsTx) error {
		u, err := tx.Users().UserByID(a.UserID)
		if err != nil {
			return err
		}
		old, err := tx.Delivery().CalendarFeedOf(a.UserID)
		rotated := err == nil && old != nil
		if err != nil && docket.ErrorCode(err) != docket.ENotFound {
			return err
		}
		if err := tx.Delivery().SetCalendarFeed(&docket.CalendarFeed{UserID: u.ID, TokenHash: calendarTokenHash(token),
			TokenVersion: u.TokenVersion, CreatedAt: now}); err != nil {
			return err
		}
		return s.audit(tx, a, "calendar.url_created", "user", a.UserID, "", docket.Changes{"rotated": rotated})
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return token, now, nil
}

// CalendarURL says whether the actor has a feed, and since when (nil: none).
func (s *Accounts) CalendarURL(ctx context.Context, a docket.Actor) (*docket.CalendarFeed, error) {
	if !docket.CanSubscribeCalendar(a.Role) {
		return nil, docket.Forbidden()
	}
	var f *docket.CalendarFeed
	err := s.read(ctx, func(tx accountsTx) error {
		var err error
		f, err = tx.Delivery().CalendarFeedOf(a.UserID)
		if docket.ErrorCode(err) == docket.ENotFound {
			f, err = nil, nil
		}
		return err
	})
	return f, err
}

// DeleteCalendarURL revokes the actor's feed; revoking none is not an error.
func (s *Accounts) DeleteCalendarURL(ctx context.Context, a docket.Actor) error {
	if !docket.CanSubscribeCalendar(a.Role) {
		return docket.Forbidden()
	}
	return s.write(ctx, func(tx accountsTx) error {
		gone, err := tx.Delivery().DeleteCalendarFeed(a.UserID)
		if err != nil || !gone {
			return err
		}
		return s.audit(tx, a, "calendar.url_revoked", "user", a.UserID, "", nil)
	})
}

// maxFeedCases bounds the cases one feed lists.
const maxFeedCases = 2000

// CalendarFeed returns the deadlines of the feed's user: the open cases it may
// see (lab members: their lab's) with their due dates and alarms at the
// reminder thresholds, and the response deadlines of findings that concern it
// (lab members: the findings they see; a case lead who attested: its cases').
// A token that is unknown, revoked, or from before a password change, a role
// change or disabling answers 404, whatever the reason.
func (s *Accounts) CalendarFeed(ctx context.Context, token string) (*Calendar, error) {
	notFound := docket.NotFound("calendar")
	if token == "" || len(token) > 128 {
		return nil, notFound
	}
	cal := &Calendar{At: s.Now()}
	err := s.read(ctx, func(tx accountsTx) error {
		f, err := tx.Delivery().CalendarFeedByHash(calendarTokenHash(token))
		if err != nil {
			return notFound
		}
		u, err := tx.Users().UserByID(f.UserID)
		if err != nil || u.Disabled || u.TokenVersion != f.TokenVersion || !docket.CanSubscribeCalendar(u.Role) {
			return notFound
		}
		a := docket.Actor{UserID: u.ID, Role: u.Role, OrgID: u.OrgID, OrgKind: u.Org.Kind}
		filter := CaseFilter{OpenOnly: true}
		if err := s.visibility(a, &filter); err != nil {
			return notFound
		}
		var cases []*docket.Case
		for p := (Page{Limit: 200}); len(cases) < maxFeedCases; {
			page, next, err := tx.Cases().ListCases(filter, p)
			if err != nil {
				return err
			}
			cases = append(cases, page...)
			if next == "" {
				break
			}
			p.Cursor = next
		}
		numbers := map[string]string{}
		var labCases, ledCases []string
		for _, c := range cases {
			if !c.Status.Open() || !c.Clock.Started() || !(docket.CaseAccess{Actor: a, Case: c}).CanSee() {
				continue
			}
			numbers[c.ID] = c.Number
			due := c.Clock.DueAt(cal.At)
			// A stopped clock's deadline moves as time passes; a running
			// one's moved last when the case last changed.
			modified := c.UpdatedAt
			if c.Clock.OpenStopAt != nil {
				modified = cal.At
			}
			cal.Entries = append(cal.Entries, CalendarEntry{UID: "case-" + c.ID + "-" + strconv.Itoa(c.Clock.Seq),
				Kind: DeadlineReview, CaseID: c.ID, CaseNumber: c.Number, DueAt: due, Stopped: c.Clock.OpenStopAt != nil,
				Alarms: s.alarms(due, s.reminderDays), Sequence: int(due.Sub(*c.Clock.BaseDueAt) / time.Second), Modified: modified})
			switch {
			case a.Role == docket.RoleLabMember:
				labCases = append(labCases, c.ID)
			case c.LeadID == a.UserID:
				if ok, err := tx.Cases().Attested(c.ID, a.UserID); err != nil {
					return err
				} else if ok {
					ledCases = append(ledCases, c.ID)
				}
			}
		}
		var fds []FindingDeadline
		if len(labCases) > 0 {
			if fds, err = tx.Delivery().FindingDeadlines(labCases, a.UserID); err != nil {
				return err
			}
		}
		if len(ledCases) > 0 {
			led, err := tx.Delivery().FindingDeadlines(ledCases, "")
			if err != nil {
				return err
			}
			fds = append(fds, led...)
		}
		for _, fd := range fds {
			cal.Entries = append(cal.Entries, CalendarEntry{UID: "finding-" + fd.FindingID, Kind: DeadlineFinding,
				CaseID: fd.CaseID, CaseNumber: numbers[fd.CaseID], DueAt: fd.DueAt, Alarms: s.alarms(fd.DueAt, []int{1}),
				Modified: fd.SharedAt})
		}
		// Risk acceptances that end: to the lab and the case lead, who are told then.
		var ends []FindingDeadline
		if len(labCases) > 0 {
			if ends, err = tx.Delivery().AcceptanceEnds(labCases, a.UserID); err != nil {
				return err
			}
		}
		if len(ledCases) > 0 {
			led, err := tx.Delivery().AcceptanceEnds(ledCases, "")
			if err != nil {
				return err
			}
			ends = append(ends, led...)
		}
		for _, fd := range ends {
			due := acceptanceEnd(fd.DueDate, s.loc)
			cal.Entries = append(cal.Entries, CalendarEntry{UID: "acceptance-" + fd.FindingID, Kind: DeadlineAcceptance,
				CaseID: fd.CaseID, CaseNumber: numbers[fd.CaseID], DueAt: due, Alarms: s.alarms(due, []int{s.acceptanceWarningDays}),
				Modified: fd.SharedAt})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(cal.Entries, func(i, j int) bool {
		if !cal.Entries[i].DueAt.Equal(cal.Entries[j].DueAt) {
			return cal.Entries[i].DueAt.Before(cal.Entries[j].DueAt)
		}
		return cal.Entries[i].UID < cal.Entries[j].UID
	})
	return cal, nil
}

// alarms are the instants of the reminders of a deadline, as the sweep
// computes them: notify.reminder_time agency time on the local date N days
// before the deadline's local date.
func (s *Accounts) alarms(due time.Time, days []int) []time.Time {
	h, m := 9, 0
	if hh, mm, ok := strings.Cut(s.reminderTime, ":"); ok {
		h, _ = strconv.Atoi(hh)
		m, _ = strconv.Atoi(mm)
	}
	d := clock.DateOf(due, s.loc)
	var out []time.Time
	for _, n := range days {
		x := d.AddDays(-n)
		if at := time.Date(x.Year, x.Month, x.Day, h, m, 0, 0, s.loc).UTC(); at.Before(due) {
			out = append(out, at)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}
