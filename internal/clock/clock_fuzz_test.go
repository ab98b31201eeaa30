package clock

import (
	"fmt"
	"sort"
	"testing"
	"time"
)

// fuzzEvent is one request opening (+1) or closing (-1).
type fuzzEvent struct {
	at    time.Time
	delta int
}

// fuzzRequests reads events as a sequence of information-request events after
// start, each a positive gap after the previous one. Byte b waits
// (b+1)×23 min + b ms, then, if b is even or no request is open, opens a
// request; otherwise it closes the open request number (b/2 mod open count).
func fuzzRequests(start time.Time, events []byte) ([]Interval, []fuzzEvent) {
	var reqs []Interval
	var evs []fuzzEvent
	var open []int // indexes into reqs
	at := start
	for i, b := range events {
		at = at.Add(time.Duration(int(b)+1)*23*time.Minute + time.Duration(b)*time.Millisecond)
		if b%2 == 0 || len(open) == 0 {
			reqs = append(reqs, Interval{ID: fmt.Sprintf("ir-%d", i), OpenedAt: at})
			open = append(open, len(reqs)-1)
			evs = append(evs, fuzzEvent{at, +1})
			continue
		}
		k := int(b/2) % len(open)
		closed := at
		reqs[open[k]].ClosedAt = &closed
		open = append(open[:k], open[k+1:]...)
		evs = append(evs, fuzzEvent{at, -1})
	}
	return reqs, evs
}

// oracleStopped is the time up to now during which at least one request was
// open, computed straight from the events.
func oracleStopped(evs []fuzzEvent, now time.Time) time.Duration {
	var sum time.Duration
	n := 0
	for i, e := range evs {
		n += e.delta
		if n == 0 || !now.After(e.at) {
			continue
		}
		end := now
		if i+1 < len(evs) && evs[i+1].at.Before(now) {
			end = evs[i+1].at
		}
		sum += end.Sub(e.at)
	}
	return sum
}

func FuzzClock(f *testing.F) {
	// 2026-06-02 14:00 EDT, no requests.
	f.Add(int64(1780423200000), 30, []byte{})
	// 2026-02-20 23:30 EST, overlapping and touching requests across spring forward.
	f.Add(int64(1771648200000), 30, []byte{200, 10, 201, 3, 255, 7, 9, 0, 1})
	// 2026-12-31 20:00 EST, one request left open over new year.
	f.Add(int64(1798765200000), 7, []byte{60, 61, 40})
	// 2028-02-28 12:00 EST, window 1 across the leap day, nested requests.
	f.Add(int64(1835370000000), 1, []byte{2, 4, 6, 9, 7, 5, 128, 255})

	zones := []struct {
		loc         *time.Location
		wallMidnite bool // every local day starts at 00:00 wall time
	}{
		{mustLoc(f, "America/New_York"), true},
		{mustLoc(f, "Europe/London"), true},
		{mustLoc(f, "America/Havana"), false},   // midnight skipped or repeated
		{mustLoc(f, "America/Santiago"), false}, // midnight skipped
	}

	f.Fuzz(func(t *testing.T, receiptMs int64, window int, events []byte) {
		const lo, hi = 946684800000, 4102444800000 // 2000-01-01 .. 2100-01-01 UTC
		receiptMs = lo + ((receiptMs-lo)%(hi-lo)+(hi-lo))%(hi-lo)
		window = 1 + ((window-1)%400+400)%400
		if len(events) > 64 {
			events = events[:64]
		}
		start := time.UnixMilli(receiptMs).UTC()
		reqs, evs := fuzzRequests(start, events)
		stops := MergeStops(reqs, "info_request")
		checkStops(t, stops, evs)

		// The instants worth looking at: the start, each event and its
		// neighbours, midpoints (possibly between milliseconds), and far later.
		nows := []time.Time{start, start.Add(500 * day)}
		for i, e := range evs {
			nows = append(nows, e.at.Add(-time.Millisecond), e.at, e.at.Add(time.Millisecond))
			if i > 0 {
				nows = append(nows, evs[i-1].at.Add(e.at.Sub(evs[i-1].at)/2))
			}
		}
		sort.Slice(nows, func(i, j int) bool { return nows[i].Before(nows[j]) })

		for _, z := range zones {
			loc := z.loc
			full := Clock{StartedAt: start, WindowDays: window, Location: loc, Stops: stops}

			// Base due is the last millisecond of local day 0 + window.
			base := full.BaseDueAt()
			day0 := DateOf(start, loc)
			if !isMsUTC(base) {
				t.Fatalf("%s: base due %v is not UTC milliseconds", loc, base)
			}
			if got, want := DateOf(base, loc), day0.AddDays(window); got != want {
				t.Fatalf("%s: base due %s falls on %s, want %s (start %s, window %d)", loc, base, got, want, start, window)
			}
			if got, want := DateOf(base.Add(time.Millisecond), loc), day0.AddDays(window+1); got != want {
				t.Fatalf("%s: base due + 1ms %s falls on %s, want %s", loc, base, got, want)
			}
			if next := base.Add(time.Millisecond); !next.Equal(StartOfDay(day0.AddDays(window+1), loc)) {
				t.Fatalf("%s: base due + 1ms %s is not the start of the next day", loc, next)
			}
			if z.wallMidnite {
				if w := base.Add(time.Millisecond).In(loc).Format("15:04:05.000"); w != "00:00:00.000" {
					t.Fatalf("%s: base due + 1ms is %s local, want midnight", loc, w)
				}
			}
			if got, want := full.DeadlineKey(), base.Add(full.ClosedStopped()); !got.Equal(want) || !isMsUTC(got) {
				t.Fatalf("%s: DeadlineKey %s, want %s", loc, got, want)
			}

			// At each instant the clock knows only the requests so far.
			var prevDue, prevNow time.Time
			var prevRemaining time.Duration
			for i, now := range nows {
				c := Clock{StartedAt: start, WindowDays: window, Location: loc, Stops: MergeStops(requestsAt(reqs, now), "info_request")}
				due := c.DueAt(now)
				if !isMsUTC(due) {
					t.Fatalf("DueAt(%s) = %v is not UTC milliseconds", now, due)
				}
				var sum time.Duration
				for _, s := range c.Stops {
					sum += s.Duration(now)
				}
				if got := due.Sub(base); got != sum || got != c.Stopped(now) || got != oracleStopped(evs, Ms(now)) {
					t.Fatalf("DueAt(%s) − base = %s; stop durations %s, Stopped %s, oracle %s",
						now, got, sum, c.Stopped(now), oracleStopped(evs, Ms(now)))
				}
				if got, want := c.DeadlineKey(), base.Add(c.ClosedStopped()); !got.Equal(want) {
					t.Fatalf("DeadlineKey at %s = %s, want %s", now, got, want)
				}
				if i > 0 && due.Before(prevDue) {
					t.Fatalf("DueAt decreased from %s to %s at %s", prevDue, due, now)
				}
				remaining := c.Remaining(now)
				if remaining != due.Sub(Ms(now)) {
					t.Fatalf("Remaining(%s) = %s, want %s", now, remaining, due.Sub(Ms(now)))
				}
				if got := c.Lapsed(now); got != Ms(now).After(due) {
					t.Fatalf("Lapsed(%s) = %v with due %s", now, got, due)
				}
				// Remaining is frozen while a stop that began by the previous
				// instant is still open.
				if s := c.OpenStop(); s != nil && i > 0 && !s.StartedAt.After(prevNow) && remaining != prevRemaining {
					t.Fatalf("Remaining moved from %s at %s to %s at %s during the stop from %s",
						prevRemaining, prevNow, remaining, now, s.StartedAt)
				}
				if b := c.Band(now, false, DefaultThresholds()); (b == Paused) != (c.OpenStop() != nil) {
					t.Fatalf("Band(%s) = %s with open stop %v", now, b, c.OpenStop())
				}
				prevDue, prevNow, prevRemaining = due, now, remaining
			}
		}
	})
}

// requestsAt is what is known of reqs at now: the requests opened by then,
// open unless they had closed by then.
func requestsAt(reqs []Interval, now time.Time) []Interval {
	var out []Interval
	for _, r := range reqs {
		if r.OpenedAt.After(now) {
			continue
		}
		if r.ClosedAt != nil && r.ClosedAt.After(now) {
			r.ClosedAt = nil
		}
		out = append(out, r)
	}
	return out
}

// checkStops verifies MergeStops' shape: chronological, separated stops, only
// the last open, each starting at a request opening when none was open.
func checkStops(t *testing.T, stops []Stop, evs []fuzzEvent) {
	t.Helper()
	openCount := 0
	starts := map[time.Time]bool{}
	for _, e := range evs {
		if e.delta > 0 && openCount == 0 {
			starts[e.at] = true
		}
		openCount += e.delta
	}
	if len(stops) != len(starts) {
		t.Fatalf("%d stops, want %d", len(stops), len(starts))
	}
	for i, s := range stops {
		if !starts[s.StartedAt] || !isMsUTC(s.StartedAt) || s.InfoRequestID == "" {
			t.Fatalf("stop %d %+v does not start when a request opened with none open", i, s)
		}
		if s.EndedAt == nil {
			if i != len(stops)-1 || openCount == 0 {
				t.Fatalf("stop %d is open, but it is not the last or no request is open", i)
			}
			continue
		}
		if !isMsUTC(*s.EndedAt) || s.EndedAt.Before(s.StartedAt) {
			t.Fatalf("stop %d ends at %v", i, s.EndedAt)
		}
		if i+1 < len(stops) && !stops[i+1].StartedAt.After(*s.EndedAt) {
			t.Fatalf("stops %d and %d touch or overlap", i, i+1)
		}
	}
	if n := len(stops); openCount > 0 && (n == 0 || stops[n-1].EndedAt != nil) {
		t.Fatalf("a request is open but no stop is")
	}
}
