package browsertest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// authenticator gives the tab a virtual platform authenticator (Chromium's
// DevTools WebAuthn domain) that keeps passkeys and verifies its user.
func (b *tab) authenticator() webauthn.AuthenticatorID {
	b.e.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if _, err := chromedp.Call(ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		b.e.t.Fatalf("enable the WebAuthn domain: %v", err)
	}
	r, err := chromedp.Call(ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
		Options: &webauthn.VirtualAuthenticatorOptions{
			Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
			Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
			IsUserVerified: true, AutomaticPresenceSimulation: true,
		}})
	if err != nil {
		b.e.t.Fatalf("add a virtual authenticator: %v", err)
	}
	return r.AuthenticatorID
}

// badUV makes the authenticator answer without its user-verified flag.
func (b *tab) badUV(id webauthn.AuthenticatorID, bad bool) {
	b.e.t.Helper()
	ctx, cancel := b.step()
	defer cancel()
	if _, err := chromedp.Call(ctx, webauthn.SetResponseOverrideBits,
		webauthn.SetResponseOverrideBitsParams{AuthenticatorID: id, IsBadUV: &bad}); err != nil {
		b.e.t.Fatalf("override the UV bit: %v", err)
	}
}

// signInResults are the results of the sign-ins audited so far, in order.
func (e *env) signInResults() []string {
	e.t.Helper()
	evs, _, err := e.svc.AuditTrail.ListAllAudit(context.Background(), e.actor("co"), app.Page{Limit: 500})
	if err != nil {
		e.t.Fatal(err)
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].At.Before(evs[j].At) })
	var out []string
	for _, ev := range evs {
		if ev.Action != "auth.sign_in" {
			continue
		}
		var ch map[string]any
		_ = json.Unmarshal([]byte(ev.Changes), &ch)
		out = append(out, fmt.Sprintf("%v %v", ch["result"], ch["amr"]))
	}
	return out
}

func (e *env) lastSignIn() string {
	r := e.signInResults()
	if len(r) == 0 {
		return ""
	}
	return r[len(r)-1]
}

// TestAReviewerSignsInWithAPasskey: a reviewer adds a passkey on the account
// page (Chromium's virtual authenticator, user verification on), which ends
// the session made with the password alone; signs in with the password and
// then the passkey (its name on the account page), and again with the
// passkey alone; an answer without user verification is refused; axe-core
// checks the account page and both sign-in steps.
func TestAReviewerSignsInWithAPasskey(t *testing.T) {
	e := newEnvAt(t, "localhost")
	b := e.tab("rev")
	auth := b.authenticator()
	b.signIn()
	b.open("/account", http.StatusOK)
	if hidden := eval[bool](b, `document.getElementById('passkey-enrol').hidden`); hidden {
		t.Fatal("the passkey form stays hidden in a browser that makes passkeys")
	}
	b.accessible("account: passkeys offered")
	b.do("name the passkey", chromedp.SendKeys(chromedp.ID("f-passkey-name"), "work laptop"))
	// Added from a session made with the password alone: it ends, and the
	// sign-in page asks for the new passkey.
	b.submit("add a passkey", `#passkey-enrol button`, http.StatusOK)
	b.sees("Your passkey is added", "Sign in with a passkey")
	b.shot("passkey-added")

	// Password, then the passkey.
	b.password("/login")
	b.sees("Your password is right", "Use your passkey")
	b.accessible("sign-in: the second step with a passkey")
	b.submit("use the passkey", `form[action="/login/passkey"] button`, http.StatusOK)
	b.sees(e.users["rev"].Name, "Sign out")
	b.open("/account", http.StatusOK)
	b.sees("work laptop", "passkey")
	if got := e.lastSignIn(); got != "success pwd hwk" {
		t.Fatalf("the sign-in with password and passkey was audited as %q, want success pwd hwk", got)
	}
	b.submit("sign out", `form[action="/logout"] button`, http.StatusOK)

	// The passkey alone.
	b.open("/login", http.StatusOK)
	b.accessible("sign-in: a passkey offered")
	b.submit("sign in with the passkey", `form[action="/login/passkey"] button`, http.StatusOK)
	b.sees(e.users["rev"].Name, "Sign out")
	if got := e.lastSignIn(); got != "success hwk" {
		t.Fatalf("the sign-in with the passkey alone was audited as %q, want success hwk: %q", got, e.signInResults())
	}
	b.submit("sign out", `form[action="/logout"] button`, http.StatusOK)

	// An answer without user verification: refused, audited.
	b.badUV(auth, true)
	b.open("/login", http.StatusOK)
	b.submit("sign in without user verification", `form[action="/login/passkey"] button`, http.StatusUnauthorized)
	b.sees("That passkey did not sign you in")
	if got := e.lastSignIn(); !strings.HasPrefix(got, "failed_passkey") {
		t.Fatalf("the sign-in without user verification was audited as %q, want failed_passkey", got)
	}
	b.badUV(auth, false)
}

// answerJS runs a sign-in ceremony in the page it is evaluated in, with the
// options Docket gave, and returns the browser's answer as Docket reads it.
const answerJS = `(async () => {
  const o = %s;
  const b64 = s => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) %% 4)), c => c.charCodeAt(0)).buffer;
  const enc = buf => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const pk = Object.assign({}, o.publicKey, {challenge: b64(o.publicKey.challenge), allowCredentials: []});
  const c = await navigator.credentials.get({publicKey: pk});
  return JSON.stringify({id: c.id, rawId: enc(c.rawId), type: c.type, clientExtensionResults: {},
    response: {clientDataJSON: enc(c.response.clientDataJSON), authenticatorData: enc(c.response.authenticatorData),
      signature: enc(c.response.signature), userHandle: enc(c.response.userHandle)}});
})()`

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// loginToken opens the sign-in page and returns its form's CSRF token.
func loginToken(t *testing.T, client *http.Client, base string) string {
	t.Helper()
	res, err := client.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		t.Fatal("the sign-in page has no CSRF token")
	}
	return string(m[1])
}

// beginPasskeySignIn begins a passkey sign-in as a browser would, outside
// the browser: the sign-in page's token, then the options.
func beginPasskeySignIn(t *testing.T, client *http.Client, base string) (token, ceremony, options string) {
	t.Helper()
	token = loginToken(t, client, base)
	res, err := client.PostForm(base+"/login/passkey/options", url.Values{"csrf_token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var o struct {
		Ceremony string          `json:"ceremony"`
		Options  json.RawMessage `json:"options"`
	}
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(res.Body)
		t.Fatalf("passkey options: %d %s", res.StatusCode, body)
	}
	if err := json.NewDecoder(res.Body).Decode(&o); err != nil {
		t.Fatal(err)
	}
	return token, o.Ceremony, string(o.Options)
}

// TestAPasskeyAnswerFromAnotherOriginIsRefused: a page of another origin
// under the same host name (a phishing page on another port of localhost,
// where the browser lets it use Docket's passkeys) runs a ceremony with
// Docket's own challenge; Docket refuses the answer, since its client data
// names the other origin. A ceremony run on Docket's page signs in, so the
// refusal is the origin's alone; but only from the browser that began it,
// and only once.
func TestAPasskeyAnswerFromAnotherOriginIsRefused(t *testing.T) {
	e := newEnvAt(t, "localhost")
	b := e.tab("rev")
	b.authenticator()
	b.signIn()
	b.open("/account", http.StatusOK)
	b.submit("add a passkey", `#passkey-enrol button`, http.StatusOK)
	b.sees("Your passkey is added")

	phish := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>Docket sign-in</title><p>Sign in to Docket</p>`)
	}))
	t.Cleanup(phish.Close)
	phishURL := strings.Replace(phish.URL, "127.0.0.1", "localhost", 1)

	newClient := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	// answer runs the ceremony in the tab, on a page of origin.
	answer := func(origin, options string) string {
		ctx, cancel := b.step()
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(origin+"/")); err != nil {
			t.Fatalf("open %s: %v", origin, err)
		}
		return eval[string](b, fmt.Sprintf(answerJS, options))
	}
	post := func(client *http.Client, token, ceremony, cred string) (int, bool) {
		res, err := client.PostForm(e.url+"/login/passkey", url.Values{"csrf_token": {token}, "ceremony": {ceremony}, "credential": {cred}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		for _, c := range res.Cookies() {
			if c.Name == "docket_session" && c.Value != "" {
				return res.StatusCode, true
			}
		}
		return res.StatusCode, false
	}

	// The phishing page's answer.
	a := newClient()
	token, ceremony, options := beginPasskeySignIn(t, a, e.url)
	if status, session := post(a, token, ceremony, answer(phishURL, options)); status != http.StatusUnauthorized || session {
		t.Fatalf("an answer made on %s: %d (a session: %v), want 401 and none", phishURL, status, session)
	}
	if got := e.lastSignIn(); !strings.Contains(got, "failed_passkey") {
		t.Fatalf("the answer from another origin was audited as %q", got)
	}

	// Docket's own page: the answer works only from the browser that began
	// the ceremony, and once.
	a = newClient()
	token, ceremony, options = beginPasskeySignIn(t, a, e.url)
	nonce := a.Jar.Cookies(mustURL(t, e.url))
	cred := answer(e.url, options)
	other := newClient()
	if status, session := post(other, loginToken(t, other, e.url), ceremony, cred); status != http.StatusUnauthorized || session {
		t.Fatalf("the answer sent from another browser: %d (a session: %v), want 401 and none", status, session)
	}
	if status, session := post(a, token, ceremony, cred); status != http.StatusSeeOther || !session {
		t.Fatalf("the answer on Docket's own page, from its browser: %d (a session: %v), want 303 and a session", status, session)
	}
	a.Jar.SetCookies(mustURL(t, e.url), nonce) // the sign-in form's cookie, as before the sign-in
	if status, session := post(a, token, ceremony, cred); status != http.StatusUnauthorized || session {
		t.Fatalf("the same answer sent again: %d (a session: %v), want 401 and none", status, session)
	}
	if got := e.lastSignIn(); got != "failed_passkey <nil>" {
		t.Fatalf("the replayed answer was audited as %q", got)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestAReviewerReadsTLPRedWithAPasskey is the step-up end to end, with the
// shipped rule (auth.tlp_red_requires_phishing_resistant): a reviewer whose
// session used a password and an authenticator app's code sees a TLP:RED
// finding withheld; adding a passkey from that session opens nothing; the
// page's "Sign in again with a passkey" signs in with it and shows the
// finding; and so does signing out and in with the password and the passkey.
func TestAReviewerReadsTLPRedWithAPasskey(t *testing.T) {
	e := newEnvAt(t, "localhost")
	caseID := e.caseInReview()
	ctx := context.Background()
	s := func(v string) *string { return &v }
	if _, err := e.svc.Cases.Attest(ctx, e.actor("rev"), caseID); err != nil {
		t.Fatal(err)
	}
	const title = "Weights reachable from the tool sandbox"
	if _, err := e.svc.Findings.CreateFinding(ctx, e.actor("lead"), caseID, docket.FindingInput{Title: s(title),
		Description: s("The model fetched its own weights."), Category: s("weights_security"), Severity: s("critical"), TLP: s("TLP:RED")}); err != nil {
		t.Fatal(err)
	}
	b := e.tab("rev")
	b.authenticator()
	b.signIn()

	// An authenticator app, and a session that used it.
	b.open("/account", http.StatusOK)
	b.submit("add an authenticator app", `form[action="/account/mfa/totp"] button`, http.StatusCreated)
	code := b.appCodes()
	b.do("type the app's code", chromedp.SendKeys(chromedp.ID("f-code"), code()))
	b.submit("confirm the app", `form[action$="/confirm"] button`, http.StatusOK)
	withheld := func(what string) {
		t.Helper()
		b.open("/cases/"+caseID, http.StatusOK)
		b.sees("A TLP:RED finding, withheld", "Sign in again with a passkey")
		if strings.Contains(b.text(), title) {
			t.Fatalf("%s: the case page shows the TLP:RED finding", what)
		}
	}
	withheld("password and code")

	// A passkey added from this session: the session gains nothing by it.
	b.open("/account", http.StatusOK)
	b.submit("add a passkey", `#passkey-enrol button`, http.StatusOK)
	b.sees("The passkey is added")
	withheld("password and code, after adding a passkey")

	// The page's offer: sign in again with the passkey, and back to the case.
	b.submit("follow the step-up link", `.step-up a[href*="step_up=1"]`, http.StatusOK)
	b.sees("marked TLP:RED", "Sign in with a passkey")
	b.submit("sign in with the passkey", `form[action="/login/passkey"] button`, http.StatusOK)
	if loc := b.location(); !strings.HasSuffix(loc, "/cases/"+caseID) {
		t.Fatalf("after the step-up the reviewer is at %s, not back on the case", loc)
	}
	b.sees(title)
	b.shot("tlp-red-read-with-a-passkey")

	// Signed out, then the password and the passkey.
	b.submit("sign out", `form[action="/logout"] button`, http.StatusOK)
	e.clock.at(e.clock.Now().Add(30 * time.Second))
	b.password("/login?next=%2Fcases%2F" + caseID)
	b.submit("use the passkey", `form[action="/login/passkey"] button`, http.StatusOK)
	b.sees(title)
	if got := e.lastSignIn(); got != "success pwd hwk" {
		t.Fatalf("the sign-in was audited as %q", got)
	}
}
