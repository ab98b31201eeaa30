package web_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
)

// Login.gov's acr values: AAL2 counts as a second factor, a phishing-resistant one as both.
const (
	acrAAL1 = "urn:acr.login.gov:auth-only"
	acrAAL2 = "http://idmanagement.gov/ns/assurance/aal/2"
	acrPR   = "http://idmanagement.gov/ns/assurance/aal/2?phishing_resistant=true"
)

// ssoServer is a Docket whose single sign-on goes through p, requiring
// second factors of every agency role.
func ssoServer(t *testing.T, p *provider) *testServer {
	t.Helper()
	ts := newTestServer(t, requireMFA, withSSO(p))
	p.assertedNow = ts.clock.Now
	return ts
}

// withSSO sends single sign-on through p, asking AAL2, and a
// phishing-resistant sign-in for a step-up to TLP:RED.
func withSSO(p *provider) func(*config.Config) {
	return func(c *config.Config) {
		c.BaseURL = "http://docket.test"
		c.OIDC = config.OIDC{Issuer: p.issuer(), ClientID: p.clientID, PrivateKeyFile: p.keyFile,
			Scopes: []string{"openid", "email"}, ACRValues: acrAAL2, DisplayName: "Login.gov", StepUpACRValues: acrPR}
	}
}

// ssoSignIn goes from Docket to the provider and back, as a browser does,
// and returns Docket's answer to the callback. tamper may change the
// callback's address before it is followed.
func ssoSignIn(t *testing.T, b *browser, next string, tamper func(*url.URL)) page {
	t.Helper()
	return ssoFrom(t, b, "/auth/oidc/start?next="+url.QueryEscape(next), tamper)
}

// ssoFrom is ssoSignIn from a start address as a page links it.
func ssoFrom(t *testing.T, b *browser, startPath string, tamper func(*url.URL)) page {
	t.Helper()
	start := b.get(startPath)
	if start.Code != http.StatusFound {
		t.Fatalf("start: %d %.300s", start.Code, start.text())
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Get(start.Location)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusFound || back.Host != "docket.test" || back.Path != "/auth/oidc/callback" {
		t.Fatalf("the provider sent the browser to %q (%d)", res.Header.Get("Location"), res.StatusCode)
	}
	if tamper != nil {
		tamper(back)
	}
	return b.get(back.RequestURI())
}

// TestSingleSignOn: a review lead signs in through the provider with no
// Docket password; an AAL2 acr counts as the second factor the role needs;
// the start asks for PKCE S256, state, nonce and the configured acr.
func TestSingleSignOn(t *testing.T) {
	p := newProvider(t)
	ts := ssoServer(t, p)
	lead := ts.addUser("lead", "review_lead", "Agency")
	p.email, p.acr = strings.ToUpper(lead.Email), acrAAL2 // matched ignoring case

	b := ts.browser()
	login := b.get("/login")
	login.has(t, "Sign in with Login.gov")
	start := b.get("/auth/oidc/start?next=/dashboard")
	u, _ := url.Parse(start.Location)
	q := u.Query()
	for k, v := range map[string]string{"client_id": p.clientID, "response_type": "code", "code_challenge_method": "S256",
		"acr_values": acrAAL2, "redirect_uri": "http://docket.test/auth/oidc/callback"} {
		if q.Get(k) != v {
			t.Errorf("authorize %s = %q, want %q", k, q.Get(k), v)
		}
	}
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if len(q.Get(k)) < 40 {
			t.Errorf("authorize %s = %q: too short to be random", k, q.Get(k))
		}
	}
	done := ssoSignIn(t, b, "/dashboard", nil)
	if done.Code != http.StatusSeeOther || done.Location != "/dashboard" {
		t.Fatalf("callback: %d %q %.400s (provider refused: %v)", done.Code, done.Location, done.text(), p.refusals)
	}
	wantPage(t, b.get("/dashboard"), http.StatusOK)
	if len(p.refusals) != 0 {
		t.Fatalf("the provider refused something: %v", p.refusals)
	}

	// An acr without a second factor: the lead is walked through enrolment.
	p.acr = acrAAL1
	b2 := ts.browser()
	if r := ssoSignIn(t, b2, "/dashboard", nil); r.Code != http.StatusSeeOther {
		t.Fatalf("AAL1 callback: %d %.300s", r.Code, r.text())
	}
	if r := b2.get("/dashboard"); r.Code != http.StatusSeeOther || r.Location != "/account?enrol=1" {
		t.Fatalf("an AAL1 session of a lead on /dashboard: %d %q", r.Code, r.Location)
	}

	// An account made single-sign-on only: its password stops working, the provider still signs it in.
	ada := ts.addUser("ada", "admin", "Agency")
	yes := true
	admin := docket.Actor{UserID: ada.ID, Role: docket.RoleAdmin, OrgID: ada.OrgID, OrgKind: "agency"}
	if _, err := ts.svc.Accounts.UpdateUser(context.Background(), admin, lead.ID, app.UserPatch{SSOOnly: &yes}); err != nil {
		t.Fatal(err)
	}
	if r := ts.do("POST", "/api/v1/auth/token", "", map[string]string{"email": lead.Email, "password": testPassword}); r.Code != http.StatusUnauthorized {
		t.Fatalf("the password of an SSO-only account: %d %s", r.Code, r.Body)
	}
	p.acr = acrAAL2
	b3 := ts.browser()
	if r := ssoSignIn(t, b3, "/dashboard", nil); r.Code != http.StatusSeeOther {
		t.Fatalf("SSO-only account through the provider: %d %.300s", r.Code, r.text())
	}
	wantPage(t, b3.get("/dashboard"), http.StatusOK)
}

// TestSingleSignOnRefusals: every way the answer can be wrong signs nobody
// in, and says why; nobody is ever created.
func TestSingleSignOnRefusals(t *testing.T) {
	p := newProvider(t)
	ts := ssoServer(t, p)
	lead := ts.addUser("lead", "review_lead", "Agency")
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		tok := jwt.NewWithClaims(m, c)
		tok.Header["kid"] = "provider-1"
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	cases := []struct {
		name   string
		email  string
		verify bool
		mutate func(jwt.MapClaims) string
		tamper func(*url.URL)
		status int
		says   string
	}{
		{name: "wrong state", tamper: func(u *url.URL) { q := u.Query(); q.Set("state", "x"+q.Get("state")); u.RawQuery = q.Encode() },
			status: http.StatusBadRequest, says: "does not belong to this browser"},
		{name: "wrong nonce", mutate: func(c jwt.MapClaims) string { c["nonce"] = "another"; return "" }, status: http.StatusUnauthorized, says: "could not be checked"},
		{name: "wrong aud", mutate: func(c jwt.MapClaims) string { c["aud"] = "another-client"; return "" }, status: http.StatusUnauthorized, says: "could not be checked"},
		{name: "wrong iss", mutate: func(c jwt.MapClaims) string { c["iss"] = "https://evil.example"; return "" }, status: http.StatusUnauthorized, says: "could not be checked"},
		{name: "expired", mutate: func(c jwt.MapClaims) string {
			c["exp"], c["iat"] = time.Now().Add(-time.Hour).Unix(), time.Now().Add(-2*time.Hour).Unix()
			return ""
		}, status: http.StatusUnauthorized, says: "could not be checked"},
		{name: "alg none", mutate: func(c jwt.MapClaims) string { return sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, c) },
			status: http.StatusUnauthorized, says: "could not be checked"},
		{name: "HS256 with the public key", mutate: func(c jwt.MapClaims) string {
			return sign(jwt.SigningMethodHS256, []byte(p.clientID), c)
		}, status: http.StatusUnauthorized, says: "could not be checked"},
		{name: "signed by another key", mutate: func(c jwt.MapClaims) string { return sign(jwt.SigningMethodRS256, otherKey, c) },
			status: http.StatusUnauthorized, says: "could not be checked"},
		{name: "email not verified", verify: false, status: http.StatusForbidden, says: "has not verified your e-mail address"},
		{name: "unknown e-mail", email: "stranger@example.org", status: http.StatusForbidden, says: "No Docket account has the e-mail address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p.email, p.acr, p.verified, p.mutate = lead.Email, acrAAL2, true, c.mutate
			if c.email != "" {
				p.email = c.email
			}
			if c.name == "email not verified" {
				p.verified = c.verify
			}
			b := ts.browser()
			r := ssoSignIn(t, b, "/dashboard", c.tamper)
			if r.Code != c.status {
				t.Fatalf("%d, want %d: %.400s", r.Code, c.status, r.text())
			}
			r.has(t, c.says)
			if p := b.get("/dashboard"); p.Code != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
				t.Fatalf("signed in after all: %d %q", p.Code, p.Location)
			}
		})
	}
	p.mutate = nil

	// A replayed code: the provider refuses it, and Docket signs nobody in.
	p.email, p.verified = lead.Email, true
	b := ts.browser()
	var code string
	first := ssoSignIn(t, b, "/", func(u *url.URL) { code = u.Query().Get("code") })
	if first.Code != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d %.300s", first.Code, first.text())
	}
	b2 := ts.browser()
	replay := ssoSignIn(t, b2, "/", func(u *url.URL) { q := u.Query(); q.Set("code", code); u.RawQuery = q.Encode() })
	if replay.Code != http.StatusUnauthorized {
		t.Fatalf("a replayed code: %d %.300s", replay.Code, replay.text())
	}
	if n := strings.Join(p.refusals, "; "); !strings.Contains(n, "code unknown, used") {
		t.Fatalf("the provider saw no replay: %s", n)
	}
	// The callback without the flow's cookie.
	if r := ts.browser().get("/auth/oidc/callback?code=x&state=y"); r.Code != http.StatusBadRequest {
		t.Fatalf("a callback this browser never started: %d", r.Code)
	}
	// Nobody was created: the unknown e-mail has no account.
	ada := ts.addUser("ada", "admin", "Agency")
	all, _, err := ts.svc.Accounts.ListUsers(context.Background(), docket.Actor{UserID: ada.ID, Role: docket.RoleAdmin},
		app.UserFilter{}, app.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range all {
		if u.Email == "stranger@example.org" {
			t.Fatalf("single sign-on created an account for %s", u.Email)
		}
	}
	if len(all) != 2 {
		t.Fatalf("%d users, want the lead and the admin", len(all))
	}
}
