package clock

import (
	"testing"
	"time"
)

const day = 24 * time.Hour

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("LoadLocation(%q): %v", name, err)
	}
	return loc
}

// utc parses an RFC 3339 instant such as "2026-07-03T03:59:59.999Z".
func utc(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v.UTC()
}

// local parses "2006-01-02 15:04:05.000" as a wall time in loc.
func local(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05.000", s, loc)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return v
}

func ptr(t time.Time) *time.Time { return &t }

func isMsUTC(t time.Time) bool {
	return t.Location() == time.UTC && t.Nanosecond()%int(time.Millisecond) == 0
}

func TestBaseDue(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	london := mustLoc(t, "Europe/London")
	tests := []struct {
		name   string
		loc    *time.Location
		start  string // local wall time in loc
		window int
		want   string // UTC
	}{
		// The examples of DESIGN.md.
		{"design summer", ny, "2026-06-02 14:00:00.000", 30, "2026-07-03T03:59:59.999Z"},
		{"design across fall back", ny, "2026-10-20 00:30:00.000", 30, "2026-11-20T04:59:59.999Z"},
		{"design across spring forward", ny, "2026-02-20 23:30:00.000", 30, "2026-03-23T03:59:59.999Z"},
		{"design year end", ny, "2026-12-31 20:00:00.000", 30, "2027-01-31T04:59:59.999Z"},

		// Receipt either side of local midnight.
		{"just before midnight", ny, "2026-06-01 23:59:59.999", 30, "2026-07-02T03:59:59.999Z"},
		{"at midnight", ny, "2026-06-02 00:00:00.000", 30, "2026-07-03T03:59:59.999Z"},
		{"just after midnight", ny, "2026-06-02 00:00:00.001", 30, "2026-07-03T03:59:59.999Z"},

		// Spring forward, 2026-03-08 in New York.
		{"1 day, due on spring-forward day", ny, "2026-03-07 09:00:00.000", 1, "2026-03-09T03:59:59.999Z"},
		{"1 day, received on spring-forward day", ny, "2026-03-08 01:30:00.000", 1, "2026-03-10T03:59:59.999Z"},
		{"1 day, received after the jump", ny, "2026-03-08 03:30:00.000", 1, "2026-03-10T03:59:59.999Z"},
		{"7 days across spring forward", ny, "2026-03-05 12:00:00.000", 7, "2026-03-13T03:59:59.999Z"},
		{"1 day, due the day before", ny, "2026-03-06 12:00:00.000", 1, "2026-03-08T04:59:59.999Z"},

		// Fall back, 2026-11-01 in New York.
		{"1 day, due on fall-back day", ny, "2026-10-31 09:00:00.000", 1, "2026-11-02T04:59:59.999Z"},
		{"1 day, received in the repeated hour", ny, "2026-11-01 01:30:00.000", 1, "2026-11-03T04:59:59.999Z"},
		{"7 days across fall back", ny, "2026-10-28 16:00:00.000", 7, "2026-11-05T04:59:59.999Z"},

		// Europe/London: BST 2026-03-29 to 2026-10-25.
		{"london 30 across BST start", london, "2026-03-20 12:00:00.000", 30, "2026-04-19T22:59:59.999Z"},
		{"london 1 day onto BST start", london, "2026-03-28 23:30:00.000", 1, "2026-03-29T22:59:59.999Z"},
		{"london 7 across BST end", london, "2026-10-20 08:00:00.000", 7, "2026-10-27T23:59:59.999Z"},
		{"london winter", london, "2026-01-10 10:00:00.000", 30, "2026-02-09T23:59:59.999Z"},

		// Leap day.
		{"received on leap day", ny, "2028-02-29 12:00:00.000", 30, "2028-03-31T03:59:59.999Z"},
		{"due on leap day", ny, "2028-02-28 12:00:00.000", 1, "2028-03-01T04:59:59.999Z"},
		{"30 across leap day", ny, "2028-01-31 12:00:00.000", 30, "2028-03-02T04:59:59.999Z"},
		{"30 across Feb, no leap day", ny, "2026-01-31 12:00:00.000", 30, "2026-03-03T04:59:59.999Z"},
		{"365 from leap day", ny, "2028-02-29 12:00:00.000", 365, "2029-03-01T04:59:59.999Z"},

		// Year end.
		{"7 across new year", ny, "2026-12-25 10:00:00.000", 7, "2027-01-02T04:59:59.999Z"},
		{"1 from new year's eve", ny, "2026-12-31 23:59:59.999", 1, "2027-01-02T04:59:59.999Z"},
		{"0 days: end of day 0", ny, "2026-06-02 14:00:00.000", 0, "2026-06-03T03:59:59.999Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := local(t, tc.loc, tc.start)
			got := BaseDue(start, tc.window, tc.loc)
			want := utc(t, tc.want)
			if !got.Equal(want) || !isMsUTC(got) {
				t.Errorf("BaseDue(%s, %d) = %s, want %s", start, tc.window, got.Format(time.RFC3339Nano), tc.want)
			}
			// Same through the Clock.
			c := Clock{StartedAt: Ms(start), WindowDays: tc.window, Location: tc.loc}
			if got := c.BaseDueAt(); !got.Equal(want) {
				t.Errorf("Clock.BaseDueAt = %s, want %s", got, tc.want)
			}
			// It is the last millisecond of its local day.
			if wall := got.In(tc.loc).Format("15:04:05.000"); wall != "23:59:59.999" {
				t.Errorf("base due local wall time %s, want 23:59:59.999", wall)
			}
		})
	}
}

func TestDayBoundaries(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	havana := mustLoc(t, "America/Havana")     // DST changes at midnight
	santiago := mustLoc(t, "America/Santiago") // spring forward at midnight
	amman := mustLoc(t, "Asia/Amman")          // 2021: midnight repeated, time.Date picks the later one
	tests := []struct {
		name       string
		loc        *time.Location
		date       string
		start, end string
	}{
		{"ny ordinary", ny, "2026-06-02", "2026-06-02T04:00:00Z", "2026-06-03T03:59:59.999Z"},
		{"ny spring forward (23 h)", ny, "2026-03-08", "2026-03-08T05:00:00Z", "2026-03-09T03:59:59.999Z"},
		{"ny fall back (25 h)", ny, "2026-11-01", "2026-11-01T04:00:00Z", "2026-11-02T04:59:59.999Z"},
		{"utc via nil zone", nil, "2026-06-02", "2026-06-02T00:00:00Z", "2026-06-02T23:59:59.999Z"},
		// Havana skips 00:00-00:59 on 2026-03-08: the day starts at 01:00 CDT.
		{"havana, midnight skipped", havana, "2026-03-08", "2026-03-08T05:00:00Z", "2026-03-09T03:59:59.999Z"},
		{"havana, day before skipped midnight", havana, "2026-03-07", "2026-03-07T05:00:00Z", "2026-03-08T04:59:59.999Z"},
		// Havana repeats 00:00-00:59 on 2026-11-01: the day starts at the first.
		{"havana, midnight repeated", havana, "2026-11-01", "2026-11-01T04:00:00Z", "2026-11-02T04:59:59.999Z"},
		{"havana, day before repeated midnight", havana, "2026-10-31", "2026-10-31T04:00:00Z", "2026-11-01T03:59:59.999Z"},
		{"santiago, midnight skipped", santiago, "2026-09-06", "2026-09-06T04:00:00Z", "2026-09-07T02:59:59.999Z"},
		{"santiago, day before", santiago, "2026-09-05", "2026-09-05T04:00:00Z", "2026-09-06T03:59:59.999Z"},
		{"amman, midnight repeated", amman, "2021-10-29", "2021-10-28T21:00:00Z", "2021-10-29T21:59:59.999Z"},
		{"amman, day before", amman, "2021-10-28", "2021-10-27T21:00:00Z", "2021-10-28T20:59:59.999Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDate(tc.date)
			if err != nil {
				t.Fatal(err)
			}
			s, e := StartOfDay(d, tc.loc), EndOfDay(d, tc.loc)
			if want := utc(t, tc.start); !s.Equal(want) || !isMsUTC(s) {
				t.Errorf("StartOfDay = %s, want %s", s, want)
			}
			if want := utc(t, tc.end); !e.Equal(want) || !isMsUTC(e) {
				t.Errorf("EndOfDay = %s, want %s", e, want)
			}
			// The first and last instants belong to d; their neighbours do not.
			if DateOf(s, tc.loc) != d || DateOf(e, tc.loc) != d {
				t.Errorf("DateOf(start)=%s DateOf(end)=%s, want %s", DateOf(s, tc.loc), DateOf(e, tc.loc), d)
			}
			if DateOf(s.Add(-time.Millisecond), tc.loc) != d.AddDays(-1) || DateOf(e.Add(time.Millisecond), tc.loc) != d.AddDays(1) {
				t.Errorf("neighbours of [%s, %s] are not the adjacent days", s, e)
			}
		})
	}
}

func TestMsAndDateOf(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	in := time.Date(2026, 6, 2, 14, 0, 0, 123456789, ny)
	got := Ms(in)
	if !isMsUTC(got) || !got.Equal(utc(t, "2026-06-02T18:00:00.123Z")) {
		t.Errorf("Ms = %s", got)
	}
	if got := Ms(time.Now()); got != got.Round(0) {
		t.Errorf("Ms kept a monotonic reading")
	}
	// 2027-01-01T01:00Z is still 2026-12-31 in New York.
	if got, want := DateOf(utc(t, "2027-01-01T01:00:00Z"), ny), (Date{2026, 12, 31}); got != want {
		t.Errorf("DateOf = %s, want %s", got, want)
	}
	if got, want := DateOf(utc(t, "2027-01-01T01:00:00Z"), nil), (Date{2027, 1, 1}); got != want {
		t.Errorf("DateOf(nil zone) = %s, want %s", got, want)
	}
}

func TestParseDate(t *testing.T) {
	good := []struct {
		in   string
		want Date
	}{
		{"2026-06-02", Date{2026, 6, 2}},
		{"2028-02-29", Date{2028, 2, 29}},
		{"2000-02-29", Date{2000, 2, 29}},
		{"1999-12-31", Date{1999, 12, 31}},
		{"9999-12-31", Date{9999, 12, 31}},
	}
	for _, tc := range good {
		got, err := ParseDate(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("String() = %q, want %q", got.String(), tc.in)
		}
	}
	bad := []string{
		"", "2026-02-30", "2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
		"2026-01-00", "2026-1-5", "2026-01-5", "26-01-05", "02026-01-05", "2026/01/05",
		"2026-01-05 ", " 2026-01-05", "2026-01-05T00:00:00Z", "2026-01-05x", "+026-01-05",
		"2026--1-05", "2026-0a-05", "２０２６-01-05", "2026-01-0５",
	}
	for _, in := range bad {
		if d, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", in, d)
		}
	}
}

func TestDateMethods(t *testing.T) {
	a, b := Date{2026, 12, 31}, Date{2027, 1, 1}
	if !a.Before(b) || a.After(b) || !b.After(a) || b.Before(a) || a.Before(a) || a.After(a) {
		t.Error("Before/After disagree with the calendar")
	}
	if !(Date{2026, 5, 31}).Before(Date{2026, 6, 1}) || !(Date{2026, 6, 1}).Before(Date{2026, 6, 2}) {
		t.Error("Before ignores month or day")
	}
	if !(Date{}).IsZero() || a.IsZero() {
		t.Error("IsZero")
	}
	if got := (Date{2028, 2, 28}).AddDays(1); got != (Date{2028, 2, 29}) {
		t.Errorf("AddDays = %s", got)
	}
	if got := (Date{2027, 1, 1}).AddDays(-1); got != (Date{2026, 12, 31}) {
		t.Errorf("AddDays(-1) = %s", got)
	}
}

func TestStopDuration(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	tests := []struct {
		name string
		stop Stop
		now  time.Time
		want time.Duration
	}{
		// Noon to noon across spring forward is 23 real hours, across fall back 25.
		{"across spring forward", Stop{StartedAt: local(t, ny, "2026-03-07 12:00:00.000"), EndedAt: ptr(local(t, ny, "2026-03-08 12:00:00.000"))}, time.Time{}, 23 * time.Hour},
		{"across fall back", Stop{StartedAt: local(t, ny, "2026-10-31 12:00:00.000"), EndedAt: ptr(local(t, ny, "2026-11-01 12:00:00.000"))}, time.Time{}, 25 * time.Hour},
		{"open, so far", Stop{StartedAt: utc(t, "2026-06-10T00:00:00Z")}, utc(t, "2026-06-11T06:00:00.5Z"), 30*time.Hour + 500*time.Millisecond},
		{"open, sub-ms truncated", Stop{StartedAt: utc(t, "2026-06-10T00:00:00Z")}, utc(t, "2026-06-10T00:00:01.0009999Z"), 1000 * time.Millisecond},
		{"open, now before start", Stop{StartedAt: utc(t, "2026-06-10T00:00:00Z")}, utc(t, "2026-06-09T00:00:00Z"), 0},
		{"closed, now ignored", Stop{StartedAt: utc(t, "2026-06-10T00:00:00Z"), EndedAt: ptr(utc(t, "2026-06-10T01:00:00Z"))}, utc(t, "2030-01-01T00:00:00Z"), time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.stop.Duration(tc.now); got != tc.want {
				t.Errorf("Duration = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestClockWithStops(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	start := utc(t, "2026-02-20T18:00:00Z") // 13:00 EST; base due 2026-03-23T03:59:59.999Z
	base := utc(t, "2026-03-23T03:59:59.999Z")
	// A stop spanning spring forward: 23 real hours, not 24.
	dst := Stop{StartedAt: local(t, ny, "2026-03-07 12:00:00.000"), EndedAt: ptr(local(t, ny, "2026-03-08 12:00:00.000")), InfoRequestID: "ir-1"}
	short := Stop{StartedAt: utc(t, "2026-03-10T10:00:00Z"), EndedAt: ptr(utc(t, "2026-03-10T10:30:00.250Z")), InfoRequestID: "ir-2"}
	open := Stop{StartedAt: utc(t, "2026-03-15T00:00:00Z"), InfoRequestID: "ir-3"}

	c := Clock{StartedAt: start, WindowDays: 30, Location: ny, Stops: []Stop{dst, short}}
	closed := 23*time.Hour + 30*time.Minute + 250*time.Millisecond
	now := utc(t, "2026-03-12T00:00:00Z")
	if got := c.ClosedStopped(); got != closed {
		t.Errorf("ClosedStopped = %s, want %s", got, closed)
	}
	if c.OpenStop() != nil {
		t.Error("OpenStop != nil with every stop closed")
	}
	if got, want := c.DueAt(now), base.Add(closed); !got.Equal(want) || !isMsUTC(got) {
		t.Errorf("DueAt = %s, want %s", got, want)
	}
	if got, want := c.DeadlineKey(), base.Add(closed); !got.Equal(want) {
		t.Errorf("DeadlineKey = %s, want %s", got, want)
	}
	if got, want := c.Remaining(now), base.Add(closed).Sub(now); got != want {
		t.Errorf("Remaining = %s, want %s", got, want)
	}

	// Open a third stop: remaining is frozen, the due instant moves with now,
	// the deadline key does not.
	c.Stops = append(c.Stops, open)
	if s := c.OpenStop(); s == nil || s.InfoRequestID != "ir-3" {
		t.Fatalf("OpenStop = %+v, want ir-3", s)
	}
	frozen := base.Add(closed).Sub(open.StartedAt)
	for _, at := range []string{"2026-03-15T00:00:00Z", "2026-03-15T00:00:00.001Z", "2026-03-20T13:14:15.161Z", "2026-04-30T00:00:00Z"} {
		now := utc(t, at)
		if got := c.Remaining(now); got != frozen {
			t.Errorf("Remaining(%s) = %s, want frozen %s", at, got, frozen)
		}
		if got, want := c.DueAt(now), base.Add(closed+now.Sub(open.StartedAt)); !got.Equal(want) {
			t.Errorf("DueAt(%s) = %s, want %s", at, got, want)
		}
		if got, want := c.Stopped(now), closed+now.Sub(open.StartedAt); got != want {
			t.Errorf("Stopped(%s) = %s, want %s", at, got, want)
		}
		if got, want := c.DeadlineKey(), base.Add(closed); !got.Equal(want) {
			t.Errorf("DeadlineKey while open = %s, want %s", got, want)
		}
		if c.Lapsed(now) {
			t.Errorf("Lapsed(%s) while stopped with time left", at)
		}
		if b := c.Band(now, false, DefaultThresholds()); b != Paused {
			t.Errorf("Band(%s) = %s, want paused", at, b)
		}
	}
	// OpenStop returns a copy.
	c.OpenStop().InfoRequestID = "changed"
	if c.Stops[2].InfoRequestID != "ir-3" {
		t.Error("OpenStop aliases the clock's stops")
	}
}

func TestLapse(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	c := Clock{StartedAt: local(t, ny, "2026-06-02 14:00:00.000"), WindowDays: 30, Location: ny}
	due := utc(t, "2026-07-03T03:59:59.999Z")
	tests := []struct {
		now    time.Time
		lapsed bool
		band   Band
	}{
		{due.Add(-time.Millisecond), false, Critical},
		{due, false, Critical},
		{due.Add(time.Millisecond), true, Overdue},
		{due.Add(40 * day), true, Overdue},
	}
	for _, tc := range tests {
		if got := c.Lapsed(tc.now); got != tc.lapsed {
			t.Errorf("Lapsed(%s) = %v, want %v", tc.now, got, tc.lapsed)
		}
		if got := c.Band(tc.now, false, DefaultThresholds()); got != tc.band {
			t.Errorf("Band(%s) = %s, want %s", tc.now, got, tc.band)
		}
		if got := c.Band(tc.now, true, DefaultThresholds()); got != Closed {
			t.Errorf("Band(%s, closed) = %s, want closed", tc.now, got)
		}
	}
	if got := c.Remaining(due.Add(90 * time.Minute)); got != -90*time.Minute {
		t.Errorf("Remaining after due = %s, want -1h30m", got)
	}
}

func TestReleaseConflict(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	c := Clock{StartedAt: local(t, ny, "2026-06-02 14:00:00.000"), WindowDays: 30, Location: ny}
	// Base due is 2026-07-02 23:59:59.999 EDT.
	release := Date{2026, 7, 3}
	now := utc(t, "2026-06-20T12:00:00Z")
	if ReleaseConflict(release, c.DueAt(now), ny) {
		t.Error("conflict before any stop")
	}
	// A 1-hour stop pushes the deadline to 2026-07-03 00:59:59.999 local: conflict.
	c.Stops = []Stop{{StartedAt: utc(t, "2026-06-10T12:00:00Z"), EndedAt: ptr(utc(t, "2026-06-10T13:00:00Z"))}}
	if !ReleaseConflict(release, c.DueAt(now), ny) {
		t.Errorf("no conflict after the stop moved due to %s", c.DueAt(now).In(ny))
	}

	tests := []struct {
		name    string
		release Date
		due     string
		loc     *time.Location
		want    bool
	}{
		{"release the day after", Date{2026, 7, 3}, "2026-07-03T03:59:59.999Z", ny, false},
		{"release on the due date", Date{2026, 7, 2}, "2026-07-03T03:59:59.999Z", ny, true},
		{"release before", Date{2026, 6, 1}, "2026-07-03T03:59:59.999Z", ny, true},
		{"due date is local, not UTC", Date{2026, 7, 3}, "2026-07-03T03:59:59.999Z", nil, true},
		{"no release date", Date{}, "2026-07-03T03:59:59.999Z", ny, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ReleaseConflict(tc.release, utc(t, tc.due), tc.loc); got != tc.want {
				t.Errorf("ReleaseConflict = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBandFor(t *testing.T) {
	th := DefaultThresholds()
	if th.DueSoon != 7*day || th.Critical != 2*day {
		t.Fatalf("DefaultThresholds = %+v", th)
	}
	ms := time.Millisecond
	tests := []struct {
		remaining      time.Duration
		paused, closed bool
		want           Band
	}{
		{30 * day, false, false, OnTrack},
		{7*day + ms, false, false, OnTrack},
		{7 * day, false, false, DueSoon},
		{2*day + ms, false, false, DueSoon},
		{2 * day, false, false, Critical},
		{ms, false, false, Critical},
		{0, false, false, Critical},
		{-ms, false, false, Overdue},
		{-30 * day, false, false, Overdue},
		{-ms, true, false, Paused},
		{30 * day, true, false, Paused},
		{-ms, true, true, Closed},
		{30 * day, false, true, Closed},
	}
	for _, tc := range tests {
		if got := BandFor(tc.remaining, tc.paused, tc.closed, th); got != tc.want {
			t.Errorf("BandFor(%s, paused=%v, closed=%v) = %s, want %s", tc.remaining, tc.paused, tc.closed, got, tc.want)
		}
	}
	custom := Thresholds{DueSoon: 3 * day, Critical: day}
	if got := BandFor(3*day, false, false, custom); got != DueSoon {
		t.Errorf("custom thresholds: %s", got)
	}
	if got := BandFor(day+ms, false, false, custom); got != DueSoon {
		t.Errorf("custom thresholds: %s", got)
	}

	// Through a clock, at the exact thresholds.
	ny := mustLoc(t, "America/New_York")
	c := Clock{StartedAt: local(t, ny, "2026-06-02 14:00:00.000"), WindowDays: 30, Location: ny}
	due := c.BaseDueAt()
	for _, tc := range []struct {
		now  time.Time
		want Band
	}{
		{due.Add(-7*day - ms), OnTrack},
		{due.Add(-7 * day), DueSoon},
		{due.Add(-2*day - ms), DueSoon},
		{due.Add(-2 * day), Critical},
		{due, Critical},
		{due.Add(ms), Overdue},
	} {
		if got := c.Band(tc.now, false, th); got != tc.want {
			t.Errorf("Band(due%+v) = %s, want %s", tc.now.Sub(due), got, tc.want)
		}
	}
}

func TestMergeStops(t *testing.T) {
	t0 := utc(t, "2026-06-10T00:00:00Z")
	h := time.Hour
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	closedAt := func(d time.Duration) *time.Time { return ptr(at(d)) }
	const open = -1 // want.end of a stop still open
	type want struct {
		id         string
		start, end time.Duration // offsets from t0
	}
	tests := []struct {
		name string
		reqs []Interval
		want []want
	}{
		{"none", nil, nil},
		{"one closed", []Interval{{"a", at(1 * h), closedAt(3 * h)}}, []want{{"a", 1 * h, 3 * h}}},
		{"one open", []Interval{{"a", at(1 * h), nil}}, []want{{"a", 1 * h, open}}},
		{"overlapping", []Interval{{"a", at(1 * h), closedAt(5 * h)}, {"b", at(3 * h), closedAt(8 * h)}}, []want{{"a", 1 * h, 8 * h}}},
		{"overlapping, given out of order", []Interval{{"b", at(3 * h), closedAt(8 * h)}, {"a", at(1 * h), closedAt(5 * h)}}, []want{{"a", 1 * h, 8 * h}}},
		{"touching", []Interval{{"a", at(1 * h), closedAt(3 * h)}, {"b", at(3 * h), closedAt(6 * h)}}, []want{{"a", 1 * h, 6 * h}}},
		{"nested", []Interval{{"a", at(1 * h), closedAt(10 * h)}, {"b", at(2 * h), closedAt(4 * h)}}, []want{{"a", 1 * h, 10 * h}}},
		{"disjoint", []Interval{{"a", at(1 * h), closedAt(2 * h)}, {"b", at(3 * h), closedAt(4 * h)}}, []want{{"a", 1 * h, 2 * h}, {"b", 3 * h, 4 * h}}},
		{"disjoint by 1ms", []Interval{{"a", at(1 * h), closedAt(2*h - time.Millisecond)}, {"b", at(2 * h), closedAt(4 * h)}}, []want{{"a", 1 * h, 2*h - time.Millisecond}, {"b", 2 * h, 4 * h}}},
		{"open swallows later", []Interval{{"a", at(1 * h), nil}, {"b", at(2 * h), closedAt(3 * h)}}, []want{{"a", 1 * h, open}}},
		{"later open keeps it open", []Interval{{"a", at(1 * h), closedAt(5 * h)}, {"b", at(2 * h), nil}}, []want{{"a", 1 * h, open}}},
		{"closed then open", []Interval{{"a", at(1 * h), closedAt(2 * h)}, {"b", at(5 * h), nil}}, []want{{"a", 1 * h, 2 * h}, {"b", 5 * h, open}}},
		{"chain", []Interval{{"a", at(1 * h), closedAt(4 * h)}, {"b", at(3 * h), closedAt(6 * h)}, {"c", at(6 * h), closedAt(7 * h)}, {"d", at(9 * h), closedAt(10 * h)}}, []want{{"a", 1 * h, 7 * h}, {"d", 9 * h, 10 * h}}},
		{"same opening, first given names it", []Interval{{"b", at(1 * h), closedAt(2 * h)}, {"a", at(1 * h), closedAt(3 * h)}}, []want{{"b", 1 * h, 3 * h}}},
		{"closed before opened", []Interval{{"a", at(4 * h), closedAt(2 * h)}}, []want{{"a", 4 * h, 4 * h}}},
		{"sub-millisecond truncated", []Interval{{"a", at(h + 999*time.Microsecond), closedAt(2*h + 1500*time.Microsecond)}}, []want{{"a", 1 * h, 2*h + time.Millisecond}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := MergeStops(tc.reqs, "info_request")
			if len(got) != len(tc.want) {
				t.Fatalf("got %d stops %+v, want %d", len(got), got, len(tc.want))
			}
			for i, w := range tc.want {
				s := got[i]
				if s.InfoRequestID != w.id || s.Reason != "info_request" || !s.StartedAt.Equal(at(w.start)) || !isMsUTC(s.StartedAt) {
					t.Errorf("stop %d = %+v, want %+v", i, s, w)
				}
				if w.end == open {
					if s.EndedAt != nil {
						t.Errorf("stop %d ended at %s, want open", i, *s.EndedAt)
					}
				} else if s.EndedAt == nil || !s.EndedAt.Equal(at(w.end)) || !isMsUTC(*s.EndedAt) {
					t.Errorf("stop %d ended at %v, want %s", i, s.EndedAt, at(w.end))
				}
			}
		})
	}

	// Stops own their end instants: mutating one does not touch the input.
	end := at(2 * h)
	stops := MergeStops([]Interval{{"a", at(1 * h), &end}}, "r")
	*stops[0].EndedAt = at(9 * h)
	if !end.Equal(at(2 * h)) {
		t.Error("MergeStops aliases the request's ClosedAt")
	}
}

func TestOverlappingRequestsOnAClock(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	c := Clock{StartedAt: local(t, ny, "2026-06-02 14:00:00.000"), WindowDays: 30, Location: ny}
	base := c.BaseDueAt()
	t0 := utc(t, "2026-06-10T12:00:00Z")
	c.Stops = MergeStops([]Interval{
		{"a", t0, ptr(t0.Add(5 * time.Hour))},
		{"b", t0.Add(2 * time.Hour), ptr(t0.Add(9 * time.Hour))},
	}, "info_request")
	if len(c.Stops) != 1 {
		t.Fatalf("got %d stops, want 1", len(c.Stops))
	}
	// Overlap counted once: 9 hours, not 5+7.
	if got, want := c.DueAt(t0.Add(30*day)), base.Add(9*time.Hour); !got.Equal(want) {
		t.Errorf("DueAt = %s, want %s", got, want)
	}
}
