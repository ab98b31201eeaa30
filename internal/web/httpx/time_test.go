package httpx

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestTimestampsAsFormatWritesThem: ts writes what Format writes with the
// API's layout, for instants all over the calendar and in any zone.
func TestTimestampsAsFormatWritesThem(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ny, _ := time.LoadLocation("America/New_York")
	instants := []time.Time{
		time.Date(2026, 7, 3, 3, 59, 59, 999e6, time.UTC),
		time.Date(2026, 11, 1, 1, 30, 0, 0, ny),
		time.Date(2000, 2, 29, 23, 59, 59, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 3, 1, 0, 0, 0, 0, time.UTC),
		{},
	}
	for range 10000 {
		instants = append(instants, time.UnixMilli(rng.Int64N(1<<45)).In(ny))
	}
	for _, at := range instants {
		if got, want := Instant(at), at.UTC().Format(InstantLayout); got != want {
			t.Fatalf("ts(%v) = %q, Format gives %q", at, got, want)
		}
	}
}

func BenchmarkTimestamp(b *testing.B) {
	at := time.Date(2026, 7, 3, 3, 59, 59, 999e6, time.UTC)
	for b.Loop() {
		_ = Instant(at)
	}
}
