package clock

import (
	"sync"
	"time"
)

// Fake is a clock for tests: it stands at the instant it was given until it
// is set or advanced, and is safe for concurrent use. Its Now is what the
// services take as their injected clock, so that a test stands on any instant.
type Fake struct {
	mu sync.Mutex
	t  time.Time
}

// NewFake returns a clock standing at t (in UTC).
func NewFake(t time.Time) *Fake { return &Fake{t: t.UTC()} }

// Now returns the instant the clock stands at.
func (f *Fake) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }

// Set moves the clock to t (in UTC), forwards or back.
func (f *Fake) Set(t time.Time) { f.mu.Lock(); f.t = t.UTC(); f.mu.Unlock() }

// Advance moves the clock on by d.
func (f *Fake) Advance(d time.Duration) { f.mu.Lock(); f.t = f.t.Add(d); f.mu.Unlock() }
