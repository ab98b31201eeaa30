// Package clock computes review deadlines: the base due instant of a review
// window, the clock stops caused by open information requests, the due instant,
// the time remaining, the urgency band, and release conflicts.
//
// Instants are UTC truncated to milliseconds. Calendar arithmetic (which day an
// instant falls on, where a day ends) happens in a time zone. Every instant this
// package returns is UTC and a whole number of milliseconds. A nil
// *time.Location is treated as UTC.
//
// The package is pure: it never reads the wall clock; callers pass "now".
package clock

import (
	"fmt"
	"sort"
	"time"
	_ "time/tzdata" // the agency zone must resolve even without a system zoneinfo
)

// Date is a calendar date with no time zone. The zero Date means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses a strict YYYY-MM-DD date: exactly four year digits, two month
// digits and two day digits, naming a date that exists (2026-02-30 is rejected),
// with nothing before or after.
func ParseDate(s string) (Date, error) {
	bad := fmt.Errorf("clock: invalid date %q: want a real date as YYYY-MM-DD", s)
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, bad
	}
	num := func(p string) (int, bool) {
		n := 0
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return 0, false
			}
			n = n*10 + int(p[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[0:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return Date{}, bad
	}
	out := Date{y, time.Month(m), d}
	if out.AddDays(0) != out { // month 13, day 0, February 30, ...
		return Date{}, bad
	}
	return out, nil
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date ("no date").
func (d Date) IsZero() bool { return d == Date{} }

// Before reports whether d is strictly earlier than o.
func (d Date) Before(o Date) bool { return d.compare(o) < 0 }

// After reports whether d is strictly later than o.
func (d Date) After(o Date) bool { return d.compare(o) > 0 }

func (d Date) compare(o Date) int {
	switch {
	case d.Year != o.Year:
		return cmpInt(d.Year, o.Year)
	case d.Month != o.Month:
		return cmpInt(int(d.Month), int(o.Month))
	default:
		return cmpInt(d.Day, o.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AddDays returns the calendar date n days after d (before it when n < 0).
// The result is normalised, so an out-of-range d such as February 30 rolls over.
func (d Date) AddDays(n int) Date {
	y, m, dd := time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC).Date()
	return Date{y, m, dd}
}

// DateOf returns the local calendar date of the instant t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(zone(loc)).Date()
	return Date{y, m, d}
}

// StartOfDay returns the first instant of the local date d in loc, as UTC. That
// is local midnight, except on a day whose midnight is skipped by a clock
// change, where it is the instant of the change (the first local time of that
// day), and on a day whose midnight happens twice, where it is the first one.
func StartOfDay(d Date, loc *time.Location) time.Time {
	loc = zone(loc)
	d = d.AddDays(0)
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	if DateOf(t, loc).Before(d) {
		// Midnight was skipped and time.Date read it with the offset from before
		// the change, landing on the previous day: the day begins at the change.
		_, end := t.ZoneBounds()
		return Ms(end)
	}
	// Midnight may have happened twice and time.Date picked the later one: if
	// the day had already begun before t's zone period started, take midnight
	// with the previous period's offset.
	if begin, _ := t.ZoneBounds(); !begin.IsZero() && begin.After(t.Add(-24*time.Hour)) {
		prev := begin.Add(-time.Nanosecond)
		if DateOf(prev, loc) == d {
			_, off := prev.Zone()
			first := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.FixedZone("", off))
			if first.Before(t) && DateOf(first, loc) == d {
				return Ms(first)
			}
		}
	}
	return Ms(t)
}

// EndOfDay returns the last millisecond of the local date d in loc, as UTC: the
// start of the following local day minus one millisecond.
func EndOfDay(d Date, loc *time.Location) time.Time {
	return StartOfDay(d.AddDays(1), loc).Add(-time.Millisecond)
}

// Ms returns t in UTC, truncated (rounded down) to a whole millisecond, without
// a monotonic clock reading.
func Ms(t time.Time) time.Time {
	return t.UTC().Truncate(time.Millisecond)
}

// BaseDue returns the end of the local day windowDays after day 0, where day 0
// is the local date of start in loc. It is calendar arithmetic, not
// start + windowDays×24h, so daylight-saving changes inside the window do not
// move it off the end of a local day.
func BaseDue(start time.Time, windowDays int, loc *time.Location) time.Time {
	return EndOfDay(DateOf(start, loc).AddDays(windowDays), loc)
}

// Stop is a period during which the review clock does not run.
type Stop struct {
	StartedAt     time.Time
	EndedAt       *time.Time // nil while open
	Reason        string
	InfoRequestID string // the information request that opened the stop
}

// Duration returns the stop's real elapsed time, in whole milliseconds: up to
// EndedAt for a closed stop, up to now for an open one. It is never negative
// (an open stop that starts after now has lasted zero so far).
func (s Stop) Duration(now time.Time) time.Duration {
	end := now
	if s.EndedAt != nil {
		end = *s.EndedAt
	}
	d := Ms(end).Sub(Ms(s.StartedAt))
	if d < 0 {
		return 0
	}
	return d
}

// Clock is one review clock: a window of WindowDays local days after the local
// date of StartedAt, extended by its stops.
type Clock struct {
	StartedAt  time.Time // day 0's instant
	WindowDays int
	Location   *time.Location // nil means UTC
	Stops      []Stop         // chronological; only the last may be open
}

// BaseDueAt returns the deadline before any stop: BaseDue(StartedAt,
// WindowDays, Location).
func (c Clock) BaseDueAt() time.Time {
	return BaseDue(c.StartedAt, c.WindowDays, c.Location)
}

// ClosedStopped returns the summed durations of the closed stops.
func (c Clock) ClosedStopped() time.Duration {
	var sum time.Duration
	for _, s := range c.Stops {
		if s.EndedAt != nil {
			sum += s.Duration(time.Time{})
		}
	}
	return sum
}

// OpenStop returns a copy of the open stop (the last stop, when its EndedAt is
// nil), or nil when the clock is running.
func (c Clock) OpenStop() *Stop {
	if n := len(c.Stops); n > 0 && c.Stops[n-1].EndedAt == nil {
		s := c.Stops[n-1]
		return &s
	}
	return nil
}

// Stopped returns the total stopped time as of now: the closed stops plus the
// open stop's duration so far.
func (c Clock) Stopped(now time.Time) time.Duration {
	sum := c.ClosedStopped()
	if s := c.OpenStop(); s != nil {
		sum += s.Duration(now)
	}
	return sum
}

// DeadlineKey returns the base due instant plus the closed stops only. It
// changes when a stop closes but not while one is open, so it identifies the
// deadline for notification bookkeeping.
func (c Clock) DeadlineKey() time.Time {
	return c.BaseDueAt().Add(c.ClosedStopped())
}

// DueAt returns the deadline as of now: the base due instant plus all stopped
// time so far. While a stop is open it moves later in step with now, so the
// remaining time is frozen; it never decreases as now increases.
func (c Clock) DueAt(now time.Time) time.Time {
	return c.BaseDueAt().Add(c.Stopped(now))
}

// Remaining returns DueAt(now) − now, negative once the deadline has passed.
func (c Clock) Remaining(now time.Time) time.Duration {
	return c.DueAt(now).Sub(Ms(now))
}

// Lapsed reports whether now is after DueAt(now). Whether the case is still
// open (undecided) is the caller's concern.
func (c Clock) Lapsed(now time.Time) bool {
	return Ms(now).After(c.DueAt(now))
}

// Band is a review clock's urgency as shown on dashboards.
type Band string

// The bands, from most to least decisive: Closed, Paused, then by time left.
const (
	OnTrack  Band = "on_track"
	DueSoon  Band = "due_soon"
	Critical Band = "critical"
	Overdue  Band = "overdue"
	Paused   Band = "paused"
	Closed   Band = "closed"
)

// Thresholds are the remaining-time limits for the due_soon and critical bands.
type Thresholds struct {
	DueSoon  time.Duration
	Critical time.Duration
}

// DefaultThresholds returns due_soon at 7 days and critical at 2 days.
func DefaultThresholds() Thresholds {
	return Thresholds{DueSoon: 7 * 24 * time.Hour, Critical: 2 * 24 * time.Hour}
}

// BandFor classifies a clock: Closed if closed; else Paused if paused; else
// Overdue if remaining < 0; else Critical if remaining ≤ th.Critical; else
// DueSoon if remaining ≤ th.DueSoon; else OnTrack.
func BandFor(remaining time.Duration, paused, closed bool, th Thresholds) Band {
	switch {
	case closed:
		return Closed
	case paused:
		return Paused
	case remaining < 0:
		return Overdue
	case remaining <= th.Critical:
		return Critical
	case remaining <= th.DueSoon:
		return DueSoon
	}
	return OnTrack
}

// Band returns the clock's band at now; closed says whether the case is decided
// or withdrawn.
func (c Clock) Band(now time.Time, closed bool, th Thresholds) Band {
	return BandFor(c.Remaining(now), c.OpenStop() != nil, closed, th)
}

// ReleaseConflict reports whether the planned release date is on or before the
// local date (in loc) of due: the lab would ship before the review ends. A zero
// release date never conflicts.
func ReleaseConflict(release Date, due time.Time, loc *time.Location) bool {
	return !release.IsZero() && !release.After(DateOf(due, loc))
}

// Interval is an information request's open period (ClosedAt nil while open).
type Interval struct {
	ID       string
	OpenedAt time.Time
	ClosedAt *time.Time
}

// MergeStops turns information-request intervals (in any order) into
// chronological stops: a stop runs from the moment a request opens while none
// is open to the moment the last open one closes, so overlapping, nested or
// touching requests (one closing at the very millisecond another opens) make
// one stop, named after the request that opened it (the first given, on a tie).
// A stop is open (EndedAt nil) while any of its requests is; only the last stop
// can be. Every stop gets the given reason. A request closed before it opened
// counts as closed when it opened.
func MergeStops(reqs []Interval, reason string) []Stop {
	sorted := make([]Interval, len(reqs))
	copy(sorted, reqs)
	sort.SliceStable(sorted, func(i, j int) bool {
		return Ms(sorted[i].OpenedAt).Before(Ms(sorted[j].OpenedAt))
	})
	var stops []Stop
	var end *time.Time // end of the last stop; nil while it is open
	for _, r := range sorted {
		open := Ms(r.OpenedAt)
		var closed *time.Time
		if r.ClosedAt != nil {
			c := Ms(*r.ClosedAt)
			if c.Before(open) {
				c = open
			}
			closed = &c
		}
		n := len(stops)
		if n > 0 && (end == nil || !open.After(*end)) {
			// Joins the current stop, extending it if it closes later.
			if end != nil && (closed == nil || closed.After(*end)) {
				end = closed
			}
		} else {
			stops = append(stops, Stop{StartedAt: open, Reason: reason, InfoRequestID: r.ID})
			end = closed
		}
		if end != nil {
			e := *end
			stops[len(stops)-1].EndedAt = &e
		} else {
			stops[len(stops)-1].EndedAt = nil
		}
	}
	return stops
}

func zone(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
