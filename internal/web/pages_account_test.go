package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAccountPage: every role has its account page, with its own details and
// nobody else's.
func TestAccountPage(t *testing.T) {
	w := newWorld(t)
	for _, user := range []string{"lab", "rev", "lead", "co", "admin"} {
		p := w.pageAs(user).get("/account")
		wantPage(t, p, 200)
		p.has(t, "Your account", user+"@example.org", "Change your password", "API tokens")
		if user == "admin" {
			p.hasNot(t, "Calendar feed") // administrators see no deadlines
		} else {
			p.has(t, "Calendar feed")
		}
		if user != "lab" {
			p.hasNot(t, "lab@example.org")
		}
	}
}

// TestChangePasswordPage: a wrong current password or a short new one is
// shown beside its field and changes nothing; without the CSRF token nothing
// changes; a change ends every session, this one too, and only the new
// password signs in.
func TestChangePasswordPage(t *testing.T) {
	w := newWorld(t)
	b := w.pageAs("rev")
	other := w.pageAs("rev") // a second session of the same user
	const next = "a brand new passphrase"

	p := b.post("/account", "/account/password", url.Values{"current_password": {"not my password"}, "new_password": {next}})
	wantPage(t, p, 422)
	p.has(t, "Your current password is not your current password", "Nothing was changed")
	p = b.post("/account", "/account/password", url.Values{"current_password": {testPassword}, "new_password": {"short"}})
	wantPage(t, p, 422)
	p.has(t, "The new password must be at least 12 characters")
	p = b.do(http.MethodPost, "/account/password", url.Values{"current_password": {testPassword}, "new_password": {next}})
	wantPage(t, p, 403)
	w.signIn("rev@example.org", testPassword) // still the old password

	p = b.post("/account", "/account/password", url.Values{"current_password": {testPassword}, "new_password": {next}})
	if p.Code != http.StatusSeeOther || p.Location != "/login?password_changed=1" {
		t.Fatalf("change: %d %q", p.Code, p.Location)
	}
	b.get(p.Location).has(t, "Your password is changed")
	for name, br := range map[string]*browser{"this session": b, "another session": other} {
		if r := br.get("/account"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
			t.Errorf("%s after the change: %d %q", name, r.Code, r.Location)
		}
	}
	if r := w.do("POST", "/api/v1/auth/token", "", map[string]string{"email": "rev@example.org", "password": testPassword}); r.Code != 401 {
		t.Errorf("the old password: %d", r.Code)
	}
	w.signIn("rev@example.org", next)
}

var tokenRE = regexp.MustCompile(`id="new-token" class="secret" type="text" readonly value="([^"]+)"`)

// TestAPITokenPage: a token made on the page is shown once, works on the
// API, is listed by name only, and stops working when revoked; nobody
// revokes another user's token.
func TestAPITokenPage(t *testing.T) {
	w := newWorld(t)
	b := w.pageAs("lab")
	p := b.post("/account", "/account/api-tokens", url.Values{"name": {""}, "days": {"30"}})
	wantPage(t, p, 422)
	p.has(t, "The name")
	p = b.post("/account", "/account/api-tokens", url.Values{"name": {"export"}, "days": {"7"}})
	wantPage(t, p, 422)
	p.has(t, "The lifetime must be one of the lifetimes offered")

	p = b.post("/account", "/account/api-tokens", url.Values{"name": {"nightly export"}, "days": {"30"}})
	wantPage(t, p, 201)
	if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q on the page showing the token", cc)
	}
	m := tokenRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no token on the page: %s", p.text())
	}
	token := m[1]
	want(t, w.do("GET", "/api/v1/me", token, nil), 200)
	list := w.do("GET", "/api/v1/api-tokens", token, nil)
	want(t, list, 200)
	item := list.JSON()["items"].([]any)[0].(map[string]any)
	if item["name"] != "nightly export" {
		t.Fatalf("token list: %s", list.Body)
	}
	id := item["id"].(string)
	again := b.get("/account")
	again.has(t, "nightly export")
	if strings.Contains(again.Body, token) {
		t.Fatal("the token is shown a second time")
	}

	// Another user, even an administrator, cannot revoke it: 404.
	p = w.pageAs("admin").post("/account", "/account/api-tokens/"+id+"/revoke", nil)
	wantPage(t, p, 404)
	want(t, w.do("GET", "/api/v1/me", token, nil), 200)

	p = b.post("/account", "/account/api-tokens/"+id+"/revoke", nil)
	if p.Code != http.StatusSeeOther || p.Location != "/account?done=token-revoked" {
		t.Fatalf("revoke: %d %q", p.Code, p.Location)
	}
	b.get(p.Location).has(t, "The API token is revoked", "You have no API token")
	want(t, w.do("GET", "/api/v1/me", token, nil), 401)
}

var calendarRE = regexp.MustCompile(`id="new-calendar" class="secret" type="text" readonly value="([^"]+)"`)

// TestCalendarPage: the calendar address is shown once; replacing it ends the
// old one, turning it off ends it.
func TestCalendarPage(t *testing.T) {
	w := newWorld(t)
	b := w.pageAs("lead")
	b.get("/account").has(t, "You have no calendar address", "Make a calendar address")
	feed := func(u string) int {
		t.Helper()
		parsed, err := url.Parse(u)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		w.srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", parsed.Path, nil))
		return rec.Code
	}
	made := func() string {
		t.Helper()
		p := b.post("/account", "/account/calendar-url", nil)
		wantPage(t, p, 201)
		if cc := p.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q on the page showing the address", cc)
		}
		m := calendarRE.FindStringSubmatch(p.Body)
		if m == nil {
			t.Fatalf("no address on the page: %s", p.text())
		}
		return m[1]
	}
	first := made()
	if !strings.Contains(first, "/calendar/") || feed(first) != 200 {
		t.Fatalf("the address %q does not serve the feed", first)
	}
	p := b.get("/account")
	p.has(t, "Your calendar address was made on", "Replace the address")
	if strings.Contains(p.Body, first) {
		t.Fatal("the address is shown a second time")
	}
	second := made()
	if feed(first) != 404 || feed(second) != 200 {
		t.Fatalf("after replacing: old %d, new %d", feed(first), feed(second))
	}
	p = b.post("/account", "/account/calendar-url/delete", nil)
	if p.Code != http.StatusSeeOther || p.Location != "/account?done=calendar-off" {
		t.Fatalf("turn off: %d %q", p.Code, p.Location)
	}
	if feed(second) != 404 {
		t.Fatal("the address still serves the feed after it was turned off")
	}
}

// TestPasswordChangeGuessesAreThrottled: wrong current passwords count as
// failed sign-ins of the account: from the third the next try waits (429 with
// Retry-After, on the API and the page), each is audited, and the right
// password then goes through and clears the count.
func TestPasswordChangeGuessesAreThrottled(t *testing.T) {
	w := newWorld(t)
	rev := w.pageAs("rev") // signed in before the guesses: a throttled account signs in later
	const next = "a brand new passphrase"
	guess := func(current string) response {
		return w.as("rev", "POST", "/api/v1/me/password", map[string]string{"current_password": current, "new_password": next})
	}
	for i := range 3 {
		if r := guess("guess number " + strconv.Itoa(i)); r.Code != 422 || r.ErrorField() != "current_password" {
			t.Fatalf("guess %d: %d %s", i, r.Code, r.Body)
		}
	}
	r := guess(testPassword)
	if r.Code != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("after three wrong guesses: %d %q", r.Code, r.Header.Get("Retry-After"))
	}
	p := w.pageAs("lead") // another account, from the same address, is not slowed down by this one
	wantPage(t, p.get("/account"), 200)
	if pg := rev.post("/account", "/account/password", url.Values{"current_password": {testPassword}, "new_password": {next}}); pg.Code != 429 {
		t.Fatalf("the page while throttled: %d", pg.Code)
	}
	audit := w.as("admin", "GET", "/api/v1/audit?limit=200", nil)
	// Three wrong passwords and two throttled tries.
	if n := strings.Count(audit.Body, `"user.password_change_refused"`); n != 5 {
		t.Errorf("%d refused changes audited, want 5", n)
	}
	w.clock.Advance(time.Minute)
	want(t, guess(testPassword), 204)
	w.signIn("rev@example.org", next)
}
