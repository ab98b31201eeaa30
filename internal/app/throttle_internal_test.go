package app

import (
	"context"
	"testing"
	"time"

	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/config"
)

// TestThrottleAddress: IPv4 clients count by their address, IPv6 clients by
// their /64, so that one client cannot rotate through its block.
func TestThrottleAddress(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":                "203.0.113.7",
		"::ffff:203.0.113.7":         "::ffff:203.0.113.7",
		"2001:db8:1:2:3:4:5:6":       "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff:0:1": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":            "2001:db8:1:3::/64",
		"not an address":             "not an address",
	} {
		if got := throttleAddress(in); got != want {
			t.Errorf("throttleAddress(%q) = %q, want %q", in, got, want)
		}
	}
	a, b := signInKeys("x@example.org", "2001:db8::1"), signInKeys("x@example.org", "2001:db8::ffff")
	if a != b {
		t.Errorf("two addresses of one /64 count apart: %+v %+v", a, b)
	}
}

// TestKnownAddressIsSparedTheAccountSlowDown: strangers' failures slow the
// account down everywhere but where it signed in lately, where only the lock
// of that address holds; a password change is never spared.
func TestKnownAddressIsSparedTheAccountSlowDown(t *testing.T) {
	p := throttlePolicy{config.Default().Auth}
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	acct := &Throttle{Key: "acct:x", Failures: 9, LastFailure: now, NextAllowed: now.Add(30 * time.Second)}
	known := &Throttle{Key: "pair:x|known", KnownUntil: now.Add(time.Hour)}
	stranger := &Throttle{Key: "pair:x|new"}
	if r := p.reserve(acct, known, nil, true, now); r.gate != gateOpen {
		t.Fatalf("a known address waited: %+v", r)
	}
	acct.NextAllowed = now.Add(30 * time.Second)
	if r := p.reserve(acct, stranger, nil, true, now); r.gate != gateThrottled || r.wait > p.cfg.MaxDelay {
		t.Fatalf("a new address: %+v", r)
	}
	if r := p.reserve(acct, known, nil, false, now); r.gate != gateThrottled {
		t.Fatalf("not sparing the known address: %+v", r)
	}
	known.LockedUntil = now.Add(time.Minute)
	if r := p.reserve(acct, known, nil, true, now); r.gate != gateLocked {
		t.Fatalf("a known address's own lock: %+v", r)
	}
}

// TestPasswordChecksAreBounded: when every slot is taken, a password check
// waits its while and is then refused as throttled, without hashing.
func TestPasswordChecksAreBounded(t *testing.T) {
	p := newPasswordChecker(auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1}))
	p.wait = 20 * time.Millisecond
	if ok, err := p.verify(context.Background(), "", "x"); ok || err != nil {
		t.Fatalf("a free slot: %v %v", ok, err)
	}
	for range cap(p.slots) {
		p.slots <- struct{}{}
	}
	_, err := p.verify(context.Background(), "", "x")
	if _, throttled := IsThrottled(err); !throttled {
		t.Fatalf("every slot taken: %v, want throttled", err)
	}
	<-p.slots
	if _, err := p.verify(context.Background(), "", "x"); err != nil {
		t.Fatalf("a slot freed: %v", err)
	}
}
