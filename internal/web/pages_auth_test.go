package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/config"
)

func TestSignInThroughTheForm(t *testing.T) {
	w := newWorld(t)
	b := w.browser()
	p := b.get("/login")
	wantPage(t, p, 200)
	p.has(t, "Sign in to Docket", "E-mail address", "Password")
	if !strings.Contains(p.Body, `<label for="email">`) || !strings.Contains(p.Body, `<label for="password">`) {
		t.Fatal("the sign-in inputs lack labels")
	}
	r := b.do("POST", "/login", url.Values{"email": {w.users["co"].Email}, "password": {testPassword}, "csrf_token": {p.csrf()}})
	wantPage(t, r, 303)
	if r.Location != "/" {
		t.Fatalf("went to %q", r.Location)
	}
	var sess *http.Cookie
	for _, c := range r.Cookies {
		if c.Name == "docket_session" {
			sess = c
		}
	}
	if sess == nil {
		t.Fatalf("no session cookie: %v", r.Cookies)
	}
	if !sess.HttpOnly || sess.SameSite != http.SameSiteLaxMode || sess.Path != "/" || sess.Secure {
		t.Fatalf("cookie attributes: %+v", sess)
	}
	if strings.Contains(r.Body, sess.Value) {
		t.Fatal("the token is in the page")
	}
	home := b.get("/")
	wantPage(t, home, 200)
	home.has(t, "co", "Compliance officer", "Countdown", "Sign out")
}

func TestSecureCookiesBehindTLS(t *testing.T) {
	for name, mutate := range map[string]func(*config.Config){
		"always":           func(c *config.Config) { c.Auth.SecureCookies = config.SecureCookiesAlways },
		"auto with https":  func(c *config.Config) { c.BaseURL = "https://docket.example.gov" },
		"auto, https, sub": func(c *config.Config) { c.BaseURL = "https://agency.example.gov/docket/" },
	} {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, mutate)
			ts.addUser("lead", "review_lead", "Agency")
			b := ts.browser()
			p := b.get("/login")
			var nonce *http.Cookie
			for _, c := range p.Cookies {
				nonce = c
			}
			if nonce == nil || nonce.Name != "__Host-docket_login" || !nonce.Secure || !nonce.HttpOnly || nonce.Path != "/" {
				t.Fatalf("the sign-in form's cookie: %+v", nonce)
			}
			r := b.do("POST", "/login", url.Values{"email": {"lead@example.org"}, "password": {testPassword}, "csrf_token": {p.csrf()}})
			wantPage(t, r, 303)
			found := false
			for _, c := range r.Cookies {
				if c.Name == "__Host-docket_session" {
					found = true
					if !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" || c.SameSite != http.SameSiteLaxMode {
						t.Fatalf("session cookie: %+v", c)
					}
				}
				if c.Name == "docket_session" {
					t.Fatal("an unprefixed session cookie behind TLS")
				}
			}
			if !found {
				t.Fatalf("no __Host- session cookie: %v", r.Cookies)
			}
			wantPage(t, b.get("/"), 200)
		})
	}
	// "never" keeps cookies plain even with an https base URL.
	ts := newTestServer(t, func(c *config.Config) {
		c.BaseURL = "https://x.example"
		c.Auth.SecureCookies = config.SecureCookiesNever
	})
	p := ts.browser().get("/login")
	if len(p.Cookies) == 0 || p.Cookies[0].Secure || p.Cookies[0].Name != "docket_login" {
		t.Fatalf("never: %+v", p.Cookies)
	}
}

func TestNextStaysOnThisOrigin(t *testing.T) {
	w := newWorld(t)
	cases := map[string]string{
		"/dashboard?band=overdue": "/dashboard?band=overdue",
		"/cases":                  "/cases",
		"":                        "/",
		"//evil.example":          "/",
		"///evil.example":         "/",
		`/\evil.example`:          "/",
		`\\evil.example`:          "/",
		"https://evil.example/":   "/",
		"http:evil.example":       "/",
		"javascript:alert(1)":     "/",
		"/%2F%2Fevil.example":     "/",
		"/%2f%2fevil.example":     "/",
		"/%5Cevil.example":        "/",
		"/%255C%255Cevil.example": "/",
		"/%252F%252Fevil.example": "/",
		"/\t/evil.example":        "/",
		"/\n/evil.example":        "/",
		"evil.example":            "/",
		"/login":                  "/",
		"/logout":                 "/",
		"//":                      "/",
	}
	for next, want := range cases {
		b := w.browser()
		p := b.get("/login?next=" + url.QueryEscape(next))
		wantPage(t, p, 200)
		r := b.do("POST", "/login", url.Values{"email": {w.users["lead"].Email}, "password": {testPassword},
			"next": {next}, "csrf_token": {p.csrf()}})
		if r.Code != 303 || r.Location != want {
			t.Errorf("next %q: %d to %q, want %q", next, r.Code, r.Location, want)
		}
	}
	// A signed-out visit to a page comes back to it after signing in.
	b := w.browser()
	r := b.get("/dashboard?band=critical")
	wantPage(t, r, 303)
	if r.Location != "/login?next="+url.QueryEscape("/dashboard?band=critical") {
		t.Fatalf("redirected to %q", r.Location)
	}
	p := b.get(r.Location)
	if !strings.Contains(p.Body, `name="next" value="/dashboard?band=critical"`) {
		t.Fatalf("the form does not carry next: %s", p.Body)
	}
}

func TestSignInFailuresShowOneGenericMessage(t *testing.T) {
	w := newWorld(t, func(c *config.Config) {
		c.Auth.MaxFailures = 3
		c.Auth.ThrottleBase = time.Hour
		c.Auth.MaxDelay = time.Hour
	})
	b := w.browser()
	try := func(email, password string) page {
		p := b.get("/login")
		return b.do("POST", "/login", url.Values{"email": {email}, "password": {password}, "csrf_token": {p.csrf()}})
	}
	wrong := try(w.users["lab"].Email, "not the password at all")
	wantPage(t, wrong, 401)
	unknown := try("nobody@example.org", "not the password at all")
	wantPage(t, unknown, 401)
	if wrong.text() != unknown.text() {
		t.Fatalf("unknown user and wrong password differ:\n%s\n%s", wrong.text(), unknown.text())
	}
	wrong.has(t, "The e-mail address or password is not right")
	if !strings.Contains(wrong.Body, `value="`+w.users["lab"].Email+`"`) {
		t.Fatal("the e-mail is not kept")
	}
	if strings.Contains(wrong.Body, "not the password at all") {
		t.Fatal("the password is echoed")
	}
	// The third failure from this address starts the throttle: a generic 429.
	try(w.users["lab"].Email, "still wrong, still wrong")
	r := try(w.users["lab"].Email, testPassword)
	wantPage(t, r, 429)
	r.has(t, "Too many sign-in attempts")
	for _, c := range r.Cookies {
		if strings.Contains(c.Name, "session") && c.MaxAge >= 0 {
			t.Fatal("a throttled sign-in got a session")
		}
	}
}

func TestSignInFormNeedsItsToken(t *testing.T) {
	w := newWorld(t)
	good := url.Values{"email": {w.users["lab"].Email}, "password": {testPassword}}
	// No nonce cookie, no token.
	b := w.browser()
	r := b.do("POST", "/login", good)
	wantPage(t, r, 403)
	r.has(t, "The sign-in form had expired")
	// A token from another browser's nonce.
	other := w.browser().get("/login").csrf()
	b = w.browser()
	b.get("/login")
	form := url.Values{"csrf_token": {other}}
	for k, v := range good {
		form[k] = v
	}
	r = b.do("POST", "/login", form)
	wantPage(t, r, 403)
	for _, c := range r.Cookies {
		if strings.Contains(c.Name, "session") {
			t.Fatalf("a session was opened: %+v", c)
		}
	}
}

func TestPagesRefuseBearerAndTheAPIRefusesTheCookie(t *testing.T) {
	w := newWorld(t)
	// A page with only a valid Bearer token is signed out.
	b := w.browser()
	b.header.Set("Authorization", "Bearer "+w.users["co"].Token)
	r := b.get("/dashboard")
	wantPage(t, r, 303)
	if !strings.HasPrefix(r.Location, "/login") {
		t.Fatalf("went to %q", r.Location)
	}
	r = b.do("POST", "/cases/new", url.Values{"model_name": {"Sneaky"}, "model_version": {"1"}})
	wantPage(t, r, 303)
	// The API ignores the page cookie...
	lab := w.pageAs("lab")
	var token string
	for _, c := range lab.cookies {
		if c.Name == "docket_session" {
			token = c.Value
		}
	}
	req := w.do("GET", "/api/v1/me", "", nil)
	want(t, req, 401)
	api := lab.get("/api/v1/me")
	wantPage(t, api, 401)
	// ...and refuses the page token as a Bearer token.
	want(t, w.do("GET", "/api/v1/me", token, nil), 401)
	want(t, w.do("POST", "/api/v1/cases", token, draftBody("Via cookie")), 401)
	// An API token in the cookie does not open the pages.
	c := w.browser()
	c.cookies["docket_session"] = &http.Cookie{Name: "docket_session", Value: w.users["co"].Token}
	wantPage(t, c.get("/dashboard"), 303)
	// No case was written through any of this.
	if n := caseCount(w, "lab"); n != 0 {
		t.Fatalf("%d cases were written", n)
	}
}

func TestLogoutRevokesTheSession(t *testing.T) {
	w := newWorld(t)
	b := w.pageAs("lead")
	stolen := map[string]string{}
	for k, c := range b.cookies {
		stolen[k] = c.Value
	}
	// Without the token, logout is refused and the session lives on.
	r := b.do("POST", "/logout", url.Values{})
	wantPage(t, r, 403)
	wantPage(t, b.get("/"), 200)
	r = b.post("/", "/logout", nil)
	wantPage(t, r, 303)
	if r.Location != "/login?signed_out=1" {
		t.Fatalf("went to %q", r.Location)
	}
	b.get(r.Location).has(t, "You have signed out.")
	// A copy of the old cookie no longer works.
	c := w.browser()
	for k, v := range stolen {
		c.cookies[k] = &http.Cookie{Name: k, Value: v}
	}
	r = c.get("/")
	wantPage(t, r, 303)
	if !strings.HasPrefix(r.Location, "/login") {
		t.Fatalf("went to %q", r.Location)
	}
}

func TestPageSessionsEndWithPasswordChangeAndDisabling(t *testing.T) {
	w := newWorld(t)
	rev := w.pageAs("rev")
	want(t, w.as("rev", "POST", "/api/v1/me/password", map[string]string{"current_password": testPassword,
		"new_password": "a brand new passphrase"}), 204)
	wantPage(t, rev.get("/"), 303)

	lab := w.pageAs("lab2")
	want(t, w.as("admin", "PATCH", "/api/v1/users/"+w.users["lab2"].ID, map[string]any{"disabled": true}), 200)
	wantPage(t, lab.get("/"), 303)

	co := w.pageAs("co")
	want(t, w.as("admin", "PATCH", "/api/v1/users/"+w.users["co"].ID, map[string]any{"role": "admin"}), 200)
	wantPage(t, co.get("/"), 303)

	// A password set that takes two ends the page sessions once a lead approves it.
	rev2 := w.pageAs("rev2")
	r := w.as("admin", "PATCH", "/api/v1/users/"+w.users["rev2"].ID, map[string]any{"password": "a password the admin set"})
	want(t, r, 201)
	wantPage(t, rev2.get("/"), 200)
	want(t, w.as("lead", "POST", "/api/v1/approvals/"+r.JSON()["id"].(string)+"/approve", nil), 200)
	wantPage(t, rev2.get("/"), 303)
}
