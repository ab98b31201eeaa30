package app

import (
	"context"
	"net/netip"
	"runtime"
	"time"

	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/config"
)

// Sign-in throttling. Three records count failed password checks:
//
//   - the account across every address ("acct:"): only ever slowed down,
//     never by more than auth.max_delay, so that nobody who knows an e-mail
//     address can keep its owner out;
//   - the client address across every account ("ip:"): slowed down the same way;
//   - the account from one address ("pair:"): locked for auth.lockout after
//     auth.max_failures failures; once the account signs in from it, the
//     address is known for knownAddressFor, and attempts from a known address
//     are not held back by the account's slow-down, so that strangers
//     guessing from elsewhere cannot keep the owner out by always taking the
//     next allowed attempt first.
//
// An IPv6 client counts by its /64 prefix, the block one client usually holds.
//
// A failure of the account (and of the account from the address) is
// reserved before the password hash is checked, in the same write
// transaction that reads the records (locked on PostgreSQL), so that parallel
// guesses at one account count one by one. A right password gives its
// reservation back. The address's record counts only failures found, after
// the check: people behind one address (an office, a lab's gateway) may sign
// in at the same instant without slowing each other down. While a lock
// holds, attempts neither count nor extend it; when it lifts, the count
// starts again.

// throttleKeys names the records one attempt counts against; IP is empty
// where the address does not count (a signed-in user's password change).
// SpareKnown spares an address known to the account the account's
// slow-down: true for sign-in, false for a password change, whose caller
// holds a session already.
type throttleKeys struct {
	Acct, IP, Pair string
	SpareKnown     bool
}

func signInKeys(email, clientIP string) throttleKeys {
	addr := throttleAddress(clientIP)
	return throttleKeys{Acct: "acct:" + email, IP: "ip:" + addr, Pair: "pair:" + email + "|" + addr, SpareKnown: true}
}

// knownAddressFor is how long an address the account signed in from stays known.
const knownAddressFor = 30 * 24 * time.Hour

// throttleAddress is the address a client counts as: an IPv4 address as it
// is, an IPv6 address as its /64 prefix.
func throttleAddress(clientIP string) string {
	a, err := netip.ParseAddr(clientIP)
	if err != nil || a.Unmap().Is4() {
		return clientIP
	}
	p, err := a.Prefix(64)
	if err != nil {
		return clientIP
	}
	return p.String()
}

func (k throttleKeys) list() []string {
	if k.IP == "" {
		return []string{k.Acct, k.Pair}
	}
	return []string{k.Acct, k.Pair, k.IP}
}

// gate is what a reservation lets the attempt do.
type gate int

const (
	// gateOpen: a failure is reserved; check the password.
	gateOpen gate = iota
	// gateLocked: the account is locked for this address; refuse after the same work.
	gateLocked
	// gateThrottled: too soon after earlier failures; answer 429 at once.
	gateThrottled
)

// reservation is the outcome of reserveAttempt.
type reservation struct {
	gate gate
	// wait is how long to wait: until the next attempt is allowed (gateThrottled)
	// or until the lock lifts (gateLocked).
	wait time.Duration
	// lockedNow says that this attempt's failure locked the account for its address.
	lockedNow bool
}

// throttlePolicy is the arithmetic of the records, from the auth settings.
type throttlePolicy struct{ cfg config.Auth }

// reserve decides an attempt at now (slowed down by acct, unless spareKnown
// and pair is known, and by ip when not nil; locked by pair) and, when it may
// go on, counts it as a failure of acct and pair.
func (p throttlePolicy) reserve(acct, pair, ip *Throttle, spareKnown bool, now time.Time) reservation {
	var next time.Time
	if !spareKnown || !pair.KnownUntil.After(now) {
		next = acct.NextAllowed
	}
	if ip != nil && ip.NextAllowed.After(next) {
		next = ip.NextAllowed
	}
	if wait := next.Sub(now); wait > 0 {
		return reservation{gate: gateThrottled, wait: wait}
	}
	if pair.LockedUntil.After(now) {
		return reservation{gate: gateLocked, wait: pair.LockedUntil.Sub(now)}
	}
	p.count(acct, now)
	p.count(pair, now)
	pair.NextAllowed = time.Time{} // the pair locks; the account slows down
	r := reservation{gate: gateOpen}
	if pair.Failures >= p.cfg.MaxFailures {
		pair.LockedUntil = now.Add(p.cfg.Lockout)
		pair.Failures = 0
		r.lockedNow = true
	}
	return r
}

// count adds a failure at now to t; a failure older than the lockout is forgotten.
func (p throttlePolicy) count(t *Throttle, now time.Time) {
	if now.Sub(t.LastFailure) > p.cfg.Lockout {
		t.Failures = 0
	}
	t.Failures++
	t.LastFailure = now
	t.NextAllowed = time.Time{}
	if d := p.delay(t.Failures); d > 0 {
		t.NextAllowed = now.Add(d)
	}
}

// delay grows with the failures: none for the first two, then throttle_base
// doubling up to max_delay.
func (p throttlePolicy) delay(failures int) time.Duration {
	if failures < 3 {
		return 0
	}
	d := p.cfg.ThrottleBase
	for i := 3; i < failures && d < p.cfg.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.cfg.MaxDelay)
}

// throttleTx is what the sign-in records need of a write transaction.
type throttleTx interface {
	LockThrottles(keys ...string) ([]Throttle, error)
	SaveThrottle(t Throttle) error
}

// throttle keeps the sign-in records inside the callers' write
// transactions: the policy, and the clock it reads once the records are locked.
type throttle struct {
	policy throttlePolicy
	now    func() time.Time
}

// reserve locks the records of keys inside tx, decides the attempt, and
// stores what it counted. The instant is read once the records are locked,
// so that an attempt that waited for them is not judged by a clock read
// before another's failure.
func (t throttle) reserve(tx throttleTx, keys throttleKeys) (reservation, error) {
	acct, pair, ip, err := t.lock(tx, keys)
	if err != nil {
		return reservation{}, err
	}
	r := t.policy.reserve(acct, pair, ip, keys.SpareKnown, t.now())
	if r.gate != gateOpen {
		return r, nil
	}
	return r, saveThrottles(tx, acct, pair)
}

// countAddressFailure counts a failed password check against the client
// address of keys inside tx (nothing when the address does not count).
func (t throttle) countAddressFailure(tx throttleTx, keys throttleKeys) error {
	if keys.IP == "" {
		return nil
	}
	ts, err := tx.LockThrottles(keys.IP)
	if err != nil {
		return err
	}
	t.policy.count(&ts[0], t.now())
	return tx.SaveThrottle(ts[0])
}

// giveBack returns a right password's reservation inside tx: the account's
// records start again, and the address is known to the account.
func (t throttle) giveBack(tx throttleTx, keys throttleKeys) error {
	return saveThrottles(tx, &Throttle{Key: keys.Acct}, &Throttle{Key: keys.Pair, KnownUntil: t.now().Add(knownAddressFor)})
}

func (t throttle) lock(tx throttleTx, keys throttleKeys) (acct, pair, ip *Throttle, err error) {
	ts, err := tx.LockThrottles(keys.list()...)
	if err != nil {
		return nil, nil, nil, err
	}
	acct, pair = &ts[0], &ts[1]
	if keys.IP != "" {
		ip = &ts[2]
	}
	return acct, pair, ip, nil
}

func saveThrottles(tx throttleTx, ts ...*Throttle) error {
	for _, t := range ts {
		if err := tx.SaveThrottle(*t); err != nil {
			return err
		}
	}
	return nil
}

// passwordChecker runs password checks in a bounded number of slots, so
// that a flood of sign-ins cannot run more memory-hard checks at once than
// the machine holds.
type passwordChecker struct {
	hasher *auth.Hasher
	slots  chan struct{}
	// wait is how long a check waits for a slot.
	wait time.Duration
}

func newPasswordChecker(h *auth.Hasher) *passwordChecker {
	return &passwordChecker{hasher: h, slots: make(chan struct{}, 2*runtime.GOMAXPROCS(0)), wait: 5 * time.Second}
}

// verify checks a password against hash (the dummy hash when hash is empty);
// a check that finds no slot within its wait is refused as throttled.
func (p *passwordChecker) verify(ctx context.Context, hash, password string) (bool, error) {
	wait := time.NewTimer(p.wait)
	defer wait.Stop()
	select {
	case p.slots <- struct{}{}:
	case <-wait.C:
		return false, &ThrottledError{RetryAfter: time.Second}
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-p.slots }()
	return p.hasher.Verify(hash, password), nil
}
