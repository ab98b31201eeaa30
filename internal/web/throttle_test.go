package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/docket"
)

// slowHasher takes tens of milliseconds a check, like production's.
var slowHasher = auth.NewHasher(auth.Params{Memory: 16 * 1024, Time: 3, Threads: 1})

// clientFrom is an HTTP client whose connections leave from the loopback
// address ip, so that the server sees that client address.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

// postToken signs in through a real connection and returns the status and Retry-After.
func postToken(t *testing.T, c *http.Client, base, email, password string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := c.Post(base+"/api/v1/auth/token", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Retry-After")
}

// signInResults counts the audited outcomes of the sign-ins to u's account.
func (ts *testServer) signInResults(u *testUser) map[string]int {
	ts.t.Helper()
	evs, _, err := ts.svc.AuditTrail.ListAllAudit(context.Background(), docket.Actor{Role: docket.RoleAdmin}, pageAll())
	if err != nil {
		ts.t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range evs {
		if e.Action != "auth.sign_in" {
			continue
		}
		var ch struct{ Result, Email string }
		if err := json.Unmarshal([]byte(e.Changes), &ch); err != nil {
			ts.t.Fatalf("changes %q: %v", e.Changes, err)
		}
		if ch.Email == u.Email || (ch.Result == "success" && e.SubjectID == u.ID) {
			out[ch.Result]++
		}
	}
	return out
}

// TestParallelGuessesCountOneByOne sends forty wrong passwords at the same
// instant through the real server: the attempts are reserved one by one
// before the hash check, so no more than auth.max_failures reach it and the
// rest are throttled (429 with Retry-After) or meet the lock. The right
// password sent at that instant once the burst is answered is refused too:
// the guesses used up what the instant allows. (A right password inside a
// burst that reaches the check signs in and starts the count again, as any
// successful sign-in does; the bound is on wrong guesses alone.)
func TestParallelGuessesCountOneByOne(t *testing.T) {
	// A hasher that takes a while, as production's does: the guesses
	// overlap while their passwords are checked.
	ts := newTestServerHashing(t, slowHasher)
	bob := ts.addUser("bob", "reviewer", "Agency")
	srv := httptest.NewServer(ts.h)
	defer srv.Close()
	c := clientFrom("127.0.0.1")
	before := ts.signInResults(bob) // addUser's own sign-in
	const guesses = 40
	start := make(chan struct{})
	codes := make([]int, guesses)
	var wg sync.WaitGroup
	for i := range guesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i], _ = postToken(t, c, srv.URL, bob.Email, "wrong guess "+strconv.Itoa(i))
		}()
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for _, code := range codes {
		count[code]++
	}
	// The audit trail tells what each attempt met: the password check
	// (failed, failed_and_locked), the lock of this address after
	// max_failures (locked: the same 401, against the dummy hash), or the
	// slow-down (429).
	res := ts.signInResults(bob)
	for k, n := range before {
		res[k] -= n
	}
	wrong := res["failed"] + res["failed_and_locked"]
	t.Logf("of %d simultaneous wrong sign-ins: %d reached the password check, %d met the lock, %d were throttled (429); answers %v",
		guesses, wrong, res["locked"], res["throttled"], count)
	if wrong < 1 || wrong > ts.cfg.Auth.MaxFailures {
		t.Errorf("%d wrong passwords reached the password check, want between 1 and auth.max_failures = %d", wrong, ts.cfg.Auth.MaxFailures)
	}
	if res["success"] != 0 || wrong+res["locked"]+res["throttled"] != guesses || res["throttled"] != count[429] ||
		count[401] != wrong+res["locked"] {
		t.Errorf("audited %v, answered %v", res, count)
	}
	// The same instant, the right password: held back like the guesses.
	if code, _ := postToken(t, c, srv.URL, bob.Email, testPassword); code != http.StatusTooManyRequests && code != http.StatusUnauthorized {
		t.Errorf("the right password at the burst's instant answered %d, want 429 or 401", code)
	}
	if n := ts.signInResults(bob)["success"] - before["success"]; n != 0 {
		t.Errorf("%d sign-ins succeeded at the burst's instant", n)
	}
	// Once the lock could have lifted, the owner signs in.
	ts.clock.Advance(ts.cfg.Auth.Lockout + time.Second)
	if code, _ := postToken(t, c, srv.URL, bob.Email, testPassword); code != http.StatusOK {
		t.Errorf("the right password after the lockout answered %d, want 200", code)
	}
}

// TestParallelGuessesOnThePasswordChange: the same for the current password of
// a password change, from a session kept open.
func TestParallelGuessesOnThePasswordChange(t *testing.T) {
	ts := newTestServerHashing(t, slowHasher)
	bob := ts.addUser("bob", "reviewer", "Agency")
	srv := httptest.NewServer(ts.h)
	defer srv.Close()
	const guesses = 40
	start := make(chan struct{})
	codes := make([]int, guesses)
	var wg sync.WaitGroup
	for i := range guesses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := `{"current_password":"wrong guess ` + strconv.Itoa(i) + `","new_password":"a brand new passphrase"}`
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/me/password", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+bob.Token)
			<-start
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	close(start)
	wg.Wait()
	count := map[int]int{}
	for _, code := range codes {
		count[code]++
	}
	t.Logf("of %d simultaneous password changes: %d checked (422), %d throttled (429)", guesses, count[422], count[429])
	if count[422] > ts.cfg.Auth.MaxFailures || count[422]+count[429] != guesses {
		t.Errorf("answers %v: no more than %d may reach the password check", count, ts.cfg.Auth.MaxFailures)
	}
}

// TestLockIsPerAccountAndAddress: guesses from 127.0.0.2 lock the account
// there only; from 127.0.0.3 the right password is only slowed down (never by
// more than auth.max_delay). Attempts during the lock neither count nor
// extend it, and after it lifts the count starts again.
func TestLockIsPerAccountAndAddress(t *testing.T) {
	ts := newTestServer(t)
	bob := ts.addUser("bob", "reviewer", "Agency")
	srv := httptest.NewServer(ts.h)
	defer srv.Close()
	attacker, owner := clientFrom("127.0.0.2"), clientFrom("127.0.0.3")
	maxDelay := ts.cfg.Auth.MaxDelay
	for i := range ts.cfg.Auth.MaxFailures {
		if i > 0 {
			ts.clock.Advance(maxDelay)
		}
		if code, _ := postToken(t, attacker, srv.URL, bob.Email, "guess "+strconv.Itoa(i)); code != 401 {
			t.Fatalf("guess %d: %d", i, code)
		}
	}
	lockedAt := ts.clock.Now()
	// From the owner's address, right after the last guess, the right
	// password waits at most max_delay.
	code, retry := postToken(t, owner, srv.URL, bob.Email, testPassword)
	waited := time.Duration(0)
	if code == 429 {
		secs, err := strconv.Atoi(retry)
		if err != nil {
			t.Fatalf("Retry-After %q", retry)
		}
		waited = time.Duration(secs) * time.Second
		if waited > maxDelay {
			t.Fatalf("the owner was told to wait %s, more than auth.max_delay %s", waited, maxDelay)
		}
		ts.clock.Advance(waited)
		code, _ = postToken(t, owner, srv.URL, bob.Email, testPassword)
	}
	if code != 200 {
		t.Fatalf("the right password from another address: %d", code)
	}
	t.Logf("the right password from a second address was refused for %s (auth.max_delay %s); the first address stays locked", waited, maxDelay)
	// From the attacker's address the right password is refused: locked.
	if code, _ := postToken(t, attacker, srv.URL, bob.Email, testPassword); code != 401 {
		t.Fatalf("the right password from the locked address: %d", code)
	}
	// Guesses during the lock did not extend it: it lifts lockout after it began.
	for i := range 5 {
		ts.clock.Advance(time.Minute)
		postToken(t, attacker, srv.URL, bob.Email, "more guesses "+strconv.Itoa(i))
	}
	ts.clock.Set(lockedAt.Add(ts.cfg.Auth.Lockout).Add(time.Second))
	// After it lifts, one wrong guess does not lock it again.
	if code, _ := postToken(t, attacker, srv.URL, bob.Email, "one more guess"); code != 401 {
		t.Fatalf("a guess after the lock: %d", code)
	}
	if code, _ := postToken(t, attacker, srv.URL, bob.Email, testPassword); code != 200 {
		t.Fatalf("the right password after the lock lifted and one more guess: %d", code)
	}
	res := ts.signInResults(bob)
	// One failure locked the address; six attempts met the lock (the right
	// password and five guesses), none of them counted.
	if res["locked"] != 6 || res["failed_and_locked"] != 1 {
		t.Errorf("audited %v: want 6 attempts refused by the lock and 1 failure that locked it", res)
	}
}

// TestSimultaneousSignInsFromOneAddress: people behind one address (an
// office's gateway) signing in at the same instant do not slow each other
// down: only failures count against an address.
func TestSimultaneousSignInsFromOneAddress(t *testing.T) {
	ts := newTestServer(t)
	var users []*testUser
	for i := range 6 {
		u := ts.addUser("staff"+strconv.Itoa(i), "lab_member", "Frontier")
		users = append(users, u, u) // each signs in twice at once, as from two programs
	}
	srv := httptest.NewServer(ts.h)
	defer srv.Close()
	c := clientFrom("127.0.0.1")
	start := make(chan struct{})
	codes := make([]int, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i], _ = postToken(t, c, srv.URL, u.Email, testPassword)
		}()
	}
	close(start)
	wg.Wait()
	for i, code := range codes {
		if code != 200 {
			t.Errorf("%s signing in beside 11 others from one address: %d", users[i].Email, code)
		}
	}
}

// TestStrangersCannotKeepTheOwnerOut: strangers guessing from three
// addresses keep the account slowed down, always first to the next allowed
// attempt; from an address it signed in from lately, the owner gets in at
// once, every time.
func TestStrangersCannotKeepTheOwnerOut(t *testing.T) {
	ts := newTestServer(t)
	bob := ts.addUser("bob", "reviewer", "Agency")
	srv := httptest.NewServer(ts.h)
	defer srv.Close()
	owner := clientFrom("127.0.0.3")
	if code, _ := postToken(t, owner, srv.URL, bob.Email, testPassword); code != 200 {
		t.Fatalf("the owner's first sign-in: %d", code)
	}
	strangers := []*http.Client{clientFrom("127.0.0.4"), clientFrom("127.0.0.5"), clientFrom("127.0.0.6")}
	// The strangers slow the account down to the longest delay first.
	for i := range 9 {
		postToken(t, strangers[i/3], srv.URL, bob.Email, "warm-up guess "+strconv.Itoa(i))
		ts.clock.Advance(ts.cfg.Auth.MaxDelay)
	}
	refused := 0
	for round := range 12 {
		// A stranger takes each opening the moment it comes.
		for _, s := range strangers {
			if code, _ := postToken(t, s, srv.URL, bob.Email, "guess "+strconv.Itoa(round)); code == 401 {
				break
			}
		}
		if code, _ := postToken(t, owner, srv.URL, bob.Email, testPassword); code != 200 {
			refused++
		}
		ts.clock.Advance(ts.cfg.Auth.MaxDelay)
	}
	if refused > 0 {
		t.Fatalf("the owner was refused %d of 12 times from an address it signed in from", refused)
	}
	// From a new address the account is slowed down, at most max_delay.
	code, retry := postToken(t, clientFrom("127.0.0.7"), srv.URL, bob.Email, testPassword)
	if code == 429 {
		if secs, _ := strconv.Atoi(retry); time.Duration(secs)*time.Second > ts.cfg.Auth.MaxDelay {
			t.Fatalf("Retry-After %s over auth.max_delay", retry)
		}
	}
}

// TestSignInWithNoAddressRecordsNoText: what is typed in the e-mail field
// when it is no e-mail address (a password typed one field too early) gets
// the same answer as an unknown user and reaches the audit trail only as a
// keyed hash.
func TestSignInWithNoAddressRecordsNoText(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", "admin", "Agency")
	unknown := ts.signInFrom("10.2.0.1", "nobody@example.org", testPassword)
	typed := ts.signInFrom("10.2.0.2", "my very secret passphrase", testPassword)
	if typed.Code != 401 || typed.Body != unknown.Body {
		t.Fatalf("not an address: %d %s; unknown user: %d %s", typed.Code, typed.Body, unknown.Code, unknown.Body)
	}
	trail := ts.as("ada", "GET", "/api/v1/audit?limit=200", nil).Body
	if strings.Contains(trail, "secret passphrase") || strings.Contains(trail, "nobody@example.org") {
		t.Fatalf("the trail holds what was typed: %s", trail)
	}
}
