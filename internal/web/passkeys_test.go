package web_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/config"
)

// The ceremonies in a real browser, with Chromium's virtual authenticator,
// are in internal/browsertest (passkeys_test.go); these are what a browser
// cannot be made to send.

func atLocalhost(c *config.Config) { c.BaseURL = "http://localhost:8080" }

// passkeyOptions is a ceremony's options as the page's script reads them.
type passkeyOptions struct {
	Ceremony string `json:"ceremony"`
	Options  struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
			RP        struct {
				ID string `json:"id"`
			} `json:"rp"`
			RPID string `json:"rpId"`
			User struct {
				ID string `json:"id"`
			} `json:"user"`
			AuthenticatorSelection struct {
				ResidentKey      string `json:"residentKey"`
				UserVerification string `json:"userVerification"`
			} `json:"authenticatorSelection"`
			UserVerification string            `json:"userVerification"`
			AllowCredentials []json.RawMessage `json:"allowCredentials"`
		} `json:"publicKey"`
	} `json:"options"`
}

func readOptions(t *testing.T, p page) passkeyOptions {
	t.Helper()
	if p.Code != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("passkey options: %d %s %.300s", p.Code, p.Header.Get("Content-Type"), p.Body)
	}
	var o passkeyOptions
	if err := json.Unmarshal([]byte(p.Body), &o); err != nil {
		t.Fatal(err)
	}
	if o.Ceremony == "" || len(o.Options.PublicKey.Challenge) < 22 {
		t.Fatalf("a ceremony without an id or a challenge: %s", p.Body)
	}
	return o
}

// TestPasskeysNeedAHostName: without base_url, or with an IP address as its
// host (which browsers refuse as a passkey's site), the account page says
// why passkeys are off and offers none, and a ceremony is refused with 409.
func TestPasskeysNeedAHostName(t *testing.T) {
	for _, base := range []string{"", "http://127.0.0.1:8080"} {
		ts := newTestServer(t, func(c *config.Config) { c.BaseURL = base })
		ts.addUser("rev", "reviewer", "Agency")
		b := ts.signInPage(ts.users["rev"].Email)
		acc := b.get("/account")
		wantPage(t, acc, http.StatusOK)
		if strings.Contains(acc.Body, `id="passkey-enrol"`) || !strings.Contains(acc.Body, `id="passkeys-off"`) {
			t.Fatalf("base_url %q: the account page offers passkeys, or does not say why not", base)
		}
		res := b.do(http.MethodPost, "/account/passkeys/options", url.Values{"csrf_token": {acc.csrf()}})
		if res.Code != http.StatusConflict || !strings.Contains(res.Body, `"conflict"`) {
			t.Fatalf("base_url %q: options: %d %.200s", base, res.Code, res.Body)
		}
		if login := ts.browser().get("/login"); strings.Contains(login.Body, `action="/login/passkey"`) {
			t.Fatalf("base_url %q: the sign-in page offers a passkey", base)
		}
	}
}

// TestAPasskeyCeremonyIsKeptToItsOwner: the options ask for a discoverable
// passkey with user verification for this site; the answer of a ceremony
// counts once, within five minutes, for the session that began it; what is
// not a passkey's answer is refused naming the field.
func TestAPasskeyCeremonyIsKeptToItsOwner(t *testing.T) {
	ts := newTestServer(t, atLocalhost)
	rev := ts.addUser("rev", "reviewer", "Agency")
	ts.addUser("rev2", "reviewer", "Agency")
	b := ts.signInPage(rev.Email)
	acc := b.get("/account")
	wantPage(t, acc, http.StatusOK)
	if !strings.Contains(acc.Body, `id="passkey-enrol"`) {
		t.Fatal("the account page offers no passkey at localhost")
	}
	begin := func(b *browser) passkeyOptions {
		t.Helper()
		return readOptions(t, b.do(http.MethodPost, "/account/passkeys/options", url.Values{"csrf_token": {b.get("/account").csrf()}}))
	}
	o := begin(b)
	pk := o.Options.PublicKey
	if pk.RP.ID != "localhost" || pk.AuthenticatorSelection.UserVerification != "required" || pk.AuthenticatorSelection.ResidentKey != "required" {
		t.Fatalf("the options: rp %q, user verification %q, resident key %q", pk.RP.ID, pk.AuthenticatorSelection.UserVerification, pk.AuthenticatorSelection.ResidentKey)
	}
	if id, err := base64.RawURLEncoding.DecodeString(pk.User.ID); err != nil || string(id) != ts.users["rev"].ID {
		t.Fatalf("the user handle is not the user's id: %q", pk.User.ID)
	}
	add := func(b *browser, ceremony, credential string) page {
		t.Helper()
		return b.do(http.MethodPost, "/account/passkeys", url.Values{"csrf_token": {b.get("/account").csrf()},
			"ceremony": {ceremony}, "credential": {credential}, "name": {"laptop"}})
	}
	refused := func(p page, want string) {
		t.Helper()
		if p.Code != http.StatusUnprocessableEntity || !strings.Contains(p.text(), want) {
			t.Fatalf("%d, want 422 saying %q: %s", p.Code, want, p.text()[strings.Index(p.text(), "Second factors"):])
		}
	}
	refused(add(b, o.Ceremony, `{"id":"x"}`), "The passkey was not added: credential is not a passkey's answer")
	// Used once, even by an answer that was refused.
	refused(add(b, o.Ceremony, `{"id":"x"}`), "answers no passkey request of yours that is still open")
	// Another user's session cannot finish it.
	o = begin(b)
	refused(add(ts.signInPage(ts.users["rev2"].Email), o.Ceremony, `{"id":"x"}`), "answers no passkey request of yours")
	// Nor can the owner after five minutes.
	o = begin(b)
	ts.clock.Advance(5*time.Minute + time.Second)
	refused(add(b, o.Ceremony, `{"id":"x"}`), "answers no passkey request of yours that is still open")
	if l := ts.do(http.MethodGet, "/api/v1/me/mfa", rev.Token, nil); !strings.Contains(string(l.Body), `"items":[]`) {
		t.Fatalf("a refused passkey was kept: %s", l.Body)
	}

	// The sign-in page: its token is needed; the options let the browser
	// name the account, and ask for user verification.
	out := ts.browser()
	if res := out.do(http.MethodPost, "/login/passkey/options", url.Values{}); res.Code != http.StatusForbidden || !strings.Contains(res.Body, `"forbidden"`) {
		t.Fatalf("options without the sign-in form's token: %d %.200s", res.Code, res.Body)
	}
	so := readOptions(t, out.do(http.MethodPost, "/login/passkey/options", url.Values{"csrf_token": {out.get("/login").csrf()}}))
	if so.Options.PublicKey.UserVerification != "required" || len(so.Options.PublicKey.AllowCredentials) != 0 || so.Options.PublicKey.RPID != "localhost" {
		t.Fatalf("sign-in options: %+v", so.Options.PublicKey)
	}
	res := out.do(http.MethodPost, "/login/passkey", url.Values{"csrf_token": {out.get("/login").csrf()},
		"ceremony": {so.Ceremony}, "credential": {`{"id":"x"}`}})
	if res.Code != http.StatusUnauthorized || !strings.Contains(res.text(), "That passkey did not sign you in") {
		t.Fatalf("a sign-in with no passkey's answer: %d %.300s", res.Code, res.text())
	}
	for _, c := range res.Cookies {
		if strings.Contains(c.Name, "docket_session") && c.Value != "" {
			t.Fatal("a refused passkey sign-in set a session")
		}
	}
}

// TestALeftoverPendingSignInStaysOnItsStep: after a right password, the
// second step's passkey asks for that account's passkeys; the first step's
// button, with the pending sign-in's cookie still in the browser (the person
// went back), begins a sign-in that names no account.
func TestALeftoverPendingSignInStaysOnItsStep(t *testing.T) {
	ts := newTestServer(t, atLocalhost)
	rev := ts.addUser("rev", "reviewer", "Agency")
	enrolTOTP(t, ts, rev.Token)
	b := ts.browser()
	second := b.post("/login", "/login", url.Values{"email": {rev.Email}, "password": {testPassword}})
	if second.Code != http.StatusOK || !strings.Contains(second.Body, `name="step" value="second"`) {
		t.Fatalf("the second step: %d, its passkey form without its step", second.Code)
	}
	token := second.csrf()
	// The second step: this account has no passkey.
	res := b.do(http.MethodPost, "/login/passkey/options", url.Values{"csrf_token": {token}, "step": {"second"}})
	if res.Code != http.StatusConflict || !strings.Contains(res.Body, "no passkey") {
		t.Fatalf("the second step's options: %d %.200s", res.Code, res.Body)
	}
	// The first step, the pending cookie still there: a sign-in naming nobody.
	o := readOptions(t, b.do(http.MethodPost, "/login/passkey/options", url.Values{"csrf_token": {token}}))
	if len(o.Options.PublicKey.AllowCredentials) != 0 {
		t.Fatalf("the first step's options name credentials: %+v", o.Options.PublicKey.AllowCredentials)
	}
}
