package clock

import (
	"testing"
	"time"
)

// Benchmarks of the clock engine's hot paths: every case view and every
// sweep computes deadlines and bands. Compare runs with benchstat:
// go test -run '^$' -bench . -count 10 ./internal/clock/

var sink any

func benchZone(b *testing.B) *time.Location {
	loc, err := LoadZone("America/New_York")
	if err != nil {
		b.Fatal(err)
	}
	return loc
}

func BenchmarkBaseDue(b *testing.B) {
	loc := benchZone(b)
	start := time.Date(2026, 10, 20, 4, 30, 0, 0, time.UTC) // across the end of daylight saving
	for b.Loop() {
		sink = BaseDue(start, 30, loc)
	}
}

// BenchmarkClockBand is a stopped and restarted clock's band, as a case view computes it.
func BenchmarkClockBand(b *testing.B) {
	loc := benchZone(b)
	start := time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC)
	end := start.Add(50 * time.Hour)
	c := Clock{StartedAt: start, WindowDays: 30, Location: loc, Stops: []Stop{
		{StartedAt: start.Add(24 * time.Hour), EndedAt: &end, Reason: "information request"},
		{StartedAt: start.Add(100 * time.Hour), Reason: "information request"},
	}}
	now := start.Add(20 * 24 * time.Hour)
	th := DefaultThresholds()
	for b.Loop() {
		sink = c.Band(now, false, th)
	}
}

func BenchmarkReleaseConflict(b *testing.B) {
	loc := benchZone(b)
	due := time.Date(2026, 7, 3, 3, 59, 59, 999e6, time.UTC)
	release := Date{Year: 2026, Month: time.July, Day: 2}
	for b.Loop() {
		sink = ReleaseConflict(release, due, loc)
	}
}

// BenchmarkLoadZone is the zone lookup every case's clock makes.
func BenchmarkLoadZone(b *testing.B) {
	for b.Loop() {
		loc, err := LoadZone("America/New_York")
		if err != nil {
			b.Fatal(err)
		}
		sink = loc
	}
}

func TestLoadZoneRemembers(t *testing.T) {
	a, err := LoadZone("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := LoadZone("Europe/Paris"); a != b {
		t.Fatal("the zone was loaded twice")
	}
	if _, err := LoadZone("Not/AZone"); err == nil {
		t.Fatal("an unknown zone loaded")
	}
}
