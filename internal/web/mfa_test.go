package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
)

// requireMFA is the shipped rule: every agency role needs a second factor.
func requireMFA(c *config.Config) {
	c.Auth.MFARequiredRoles = config.Default().Auth.MFARequiredRoles
}

// codeAt is the TOTP code of secret for the instant t, as an authenticator app computes it.
func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enrolTOTP enrols and confirms an authenticator app for the user whose
// session token is given, and returns its secret.
func enrolTOTP(t *testing.T, ts *testServer, token string) string {
	t.Helper()
	e := ts.do("POST", "/api/v1/me/mfa/totp", token, map[string]any{"name": "work phone"})
	want(t, e, http.StatusCreated)
	secret := e.JSON()["secret"].(string)
	if u := e.JSON()["otpauth_url"].(string); !strings.HasPrefix(u, "otpauth://totp/") || !strings.Contains(u, "secret="+secret) {
		t.Fatalf("otpauth_url %q", u)
	}
	if cc := e.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("the secret's answer may be cached: Cache-Control %q", cc)
	}
	id := e.JSON()["id"].(string)
	bad := ts.do("POST", "/api/v1/me/mfa/"+id+"/confirm", token, map[string]any{"code": "000000"})
	if bad.Code != http.StatusUnprocessableEntity || bad.ErrorField() != "code" {
		t.Fatalf("a wrong first code: %d %s", bad.Code, bad.Body)
	}
	ok := ts.do("POST", "/api/v1/me/mfa/"+id+"/confirm", token, map[string]any{"code": codeAt(t, secret, ts.clock.Now())})
	want(t, ok, http.StatusOK)
	if ok.JSON()["confirmed"] != true {
		t.Fatalf("confirmed: %s", ok.Body)
	}
	return secret
}

// TestTOTPSignInThroughTheAPI: a reviewer (a role that needs a second
// factor) is walked through enrolment, then signs in with password and code;
// a code works once, one step of drift is accepted and two are not, and a
// recovery code stands in for a code once.
func TestTOTPSignInThroughTheAPI(t *testing.T) {
	ts := newTestServer(t, requireMFA)
	rev := ts.addUser("rev", "reviewer", "Agency")

	// Password only: every route but the walk-through's answers 403.
	r := ts.as("rev", "GET", "/api/v1/cases", nil)
	if r.Code != http.StatusForbidden || r.ErrorCode() != "mfa_enrollment_required" {
		t.Fatalf("a reviewer without a second factor: %d %s", r.Code, r.Body)
	}
	if r := ts.as("rev", "POST", "/api/v1/api-tokens", map[string]any{"name": "ci"}); r.ErrorCode() != "mfa_enrollment_required" {
		t.Fatalf("an API token from a password-only session: %d %s", r.Code, r.Body)
	}
	me := ts.as("rev", "GET", "/api/v1/me", nil)
	want(t, me, http.StatusOK)
	if m := me.JSON()["mfa"].(map[string]any); m["enrolled"] != false || m["required"] != true {
		t.Fatalf("me.mfa %v", m)
	}
	secret := enrolTOTP(t, ts, rev.Token)
	// The confirmation proved the factor: this session goes on.
	want(t, ts.as("rev", "GET", "/api/v1/cases", nil), http.StatusOK)
	if amr := ts.as("rev", "GET", "/api/v1/me", nil).JSON()["session"].(map[string]any)["amr"]; len(amr.([]any)) != 2 {
		t.Fatalf("amr after confirming: %v", amr)
	}

	signIn := func(otp string) response {
		body := map[string]any{"email": rev.Email, "password": testPassword}
		if otp != "" {
			body["otp"] = otp
		}
		return ts.do("POST", "/api/v1/auth/token", "", body)
	}
	// The right password alone: 401 mfa_required.
	if r := signIn(""); r.Code != http.StatusUnauthorized || r.ErrorCode() != "mfa_required" {
		t.Fatalf("password without otp: %d %s", r.Code, r.Body)
	}
	// The code the confirmation used works no more (same step).
	if r := signIn(codeAt(t, secret, ts.clock.Now())); r.Code != http.StatusUnauthorized || r.ErrorCode() != "unauthorized" {
		t.Fatalf("a reused code: %d %s", r.Code, r.Body)
	}
	ts.clock.Advance(30 * time.Second)
	good := signIn(codeAt(t, secret, ts.clock.Now()))
	want(t, good, http.StatusOK)
	tok := good.JSON()["access_token"].(string)
	sess := ts.do("GET", "/api/v1/me", tok, nil).JSON()["session"].(map[string]any)
	if amr := sess["amr"].([]any); len(amr) != 2 || amr[0] != "pwd" || amr[1] != "otp" {
		t.Fatalf("amr %v", amr)
	}
	want(t, ts.do("GET", "/api/v1/dashboard", tok, nil), http.StatusOK)
	// An API token from that session keeps its second factor.
	api := ts.do("POST", "/api/v1/api-tokens", tok, map[string]any{"name": "ci"})
	want(t, api, http.StatusCreated)
	want(t, ts.do("GET", "/api/v1/cases", api.JSON()["token"].(string), nil), http.StatusOK)

	// Drift: the next step's code is accepted, two steps ahead is not.
	ts.clock.Advance(60 * time.Second)
	want(t, signIn(codeAt(t, secret, ts.clock.Now().Add(30*time.Second))), http.StatusOK)
	ts.clock.Advance(90 * time.Second)
	if r := signIn(codeAt(t, secret, ts.clock.Now().Add(60*time.Second))); r.Code != http.StatusUnauthorized {
		t.Fatalf("a code two steps ahead: %d %s", r.Code, r.Body)
	}
	if r := signIn(codeAt(t, secret, ts.clock.Now().Add(-60*time.Second))); r.Code != http.StatusUnauthorized {
		t.Fatalf("a code two steps behind: %d %s", r.Code, r.Body)
	}

	// Recovery codes: ten, each once (after the slow-down of the two failures above).
	ts.clock.Advance(10 * time.Minute)
	rc := ts.do("POST", "/api/v1/me/mfa/recovery-codes", tok, nil)
	want(t, rc, http.StatusCreated)
	codes := rc.JSON()["codes"].([]any)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes", len(codes))
	}
	first := codes[0].(string)
	want(t, signIn(strings.ToUpper(first)), http.StatusOK)
	if r := signIn(first); r.Code != http.StatusUnauthorized {
		t.Fatalf("a recovery code used twice: %d %s", r.Code, r.Body)
	}
	list := ts.do("GET", "/api/v1/me/mfa", tok, nil)
	want(t, list, http.StatusOK)
	if n := list.JSON()["recovery_codes_left"].(float64); n != 9 {
		t.Fatalf("recovery codes left %v", n)
	}

	// Wrong codes are failed sign-ins: auth.max_failures of them lock the
	// account for this address, and then even the right code is refused
	// until the lock lifts.
	ts.clock.Advance(time.Hour)
	for i := 0; i < ts.cfg.Auth.MaxFailures; i++ {
		if r := signIn("123456"); r.Code != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d %s", i+1, r.Code, r.Body)
		}
		ts.clock.Advance(time.Minute)
	}
	if r := signIn(codeAt(t, secret, ts.clock.Now())); r.Code != http.StatusUnauthorized {
		t.Fatalf("the right code during the lock: %d %s", r.Code, r.Body)
	}
	ts.clock.Advance(ts.cfg.Auth.Lockout + time.Minute)
	want(t, signIn(codeAt(t, secret, ts.clock.Now())), http.StatusOK)

	// Removing the factor takes a current code.
	id := list.JSON()["items"].([]any)[0].(map[string]any)["id"].(string)
	if r := ts.do("DELETE", "/api/v1/me/mfa/"+id, tok, map[string]any{"code": "000000"}); r.Code != http.StatusUnprocessableEntity || r.ErrorField() != "code" {
		t.Fatalf("removal with a wrong code: %d %s", r.Code, r.Body)
	}
	want(t, ts.do("DELETE", "/api/v1/me/mfa/"+id, tok, map[string]any{"code": codes[1].(string)}), http.StatusNoContent)
	if r := ts.do("GET", "/api/v1/me/mfa", tok, nil).JSON(); r["enrolled"] != false || r["recovery_codes_left"].(float64) != 0 {
		t.Fatalf("after removing the only factor: %v", r)
	}
	// With no factor, the password alone signs in again, and the walk-through starts over.
	again := signIn("")
	want(t, again, http.StatusOK)
	if r := ts.do("GET", "/api/v1/cases", again.JSON()["access_token"].(string), nil); r.ErrorCode() != "mfa_enrollment_required" {
		t.Fatalf("after removal: %d %s", r.Code, r.Body)
	}
}

// TestTOTPSignInOnThePages: the sign-in page asks for the code on a second
// step; a wrong code shows the step again; the right one opens the session;
// the step expires after five minutes. A user who must enrol is sent to the
// account page, which draws the QR code itself.
func TestTOTPSignInOnThePages(t *testing.T) {
	ts := newTestServer(t, requireMFA)
	lead := ts.addUser("lead", "review_lead", "Agency")

	// The walk-through: every page leads to the account page.
	b := ts.signInPage(lead.Email)
	p := b.get("/dashboard")
	if p.Code != http.StatusSeeOther || p.Location != "/account?enrol=1" {
		t.Fatalf("a lead without a second factor on /dashboard: %d %q", p.Code, p.Location)
	}
	acc := b.get("/account?enrol=1")
	wantPage(t, acc, http.StatusOK)
	acc.has(t, "Your role needs a second factor")
	en := b.post("/account", "/account/mfa/totp", url.Values{"name": {"desk phone"}})
	wantPage(t, en, http.StatusCreated)
	if !strings.Contains(en.Body, "<svg") || !strings.Contains(en.Body, `class="qr"`) {
		t.Fatalf("no QR code drawn: %.500s", en.text())
	}
	if strings.Contains(en.Body, "<img") || strings.Contains(en.Body, "otpauth%3A") {
		t.Fatalf("the QR code must be drawn here, not fetched from anywhere")
	}
	m := regexpSecret.FindStringSubmatch(en.Body)
	if m == nil {
		t.Fatalf("no setup key on the page")
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	action := regexpConfirm.FindStringSubmatch(en.Body)
	if action == nil {
		t.Fatalf("no confirm form")
	}
	form := url.Values{"code": {codeAt(t, secret, ts.clock.Now())}, "csrf_token": {en.csrf()}}
	done := b.do(http.MethodPost, action[1], form)
	if done.Code != http.StatusSeeOther || done.Location != "/account?done=factor-added" {
		t.Fatalf("confirm: %d %q %.300s", done.Code, done.Location, done.text())
	}
	wantPage(t, b.get("/dashboard"), http.StatusOK)

	// A new browser: password, then the code step.
	ts.clock.Advance(30 * time.Second)
	nb := ts.browser()
	step := nb.post("/login", "/login", url.Values{"email": {lead.Email}, "password": {testPassword}})
	wantPage(t, step, http.StatusOK)
	step.has(t, "Your password is right")
	if p := nb.get("/dashboard"); p.Code != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/login") {
		t.Fatalf("the half-made sign-in opened a page: %d %q", p.Code, p.Location)
	}
	wrong := nb.do(http.MethodPost, "/login/second-factor", url.Values{"code": {"000000"}, "csrf_token": {step.csrf()}})
	wantPage(t, wrong, http.StatusUnauthorized)
	wrong.has(t, "That code is not right")
	right := nb.do(http.MethodPost, "/login/second-factor", url.Values{"code": {codeAt(t, secret, ts.clock.Now())}, "csrf_token": {step.csrf()}})
	if right.Code != http.StatusSeeOther {
		t.Fatalf("the right code: %d %.300s", right.Code, right.text())
	}
	wantPage(t, nb.get("/dashboard"), http.StatusOK)

	// The step lasts five minutes.
	ts.clock.Advance(time.Minute)
	lb := ts.browser()
	step = lb.post("/login", "/login", url.Values{"email": {lead.Email}, "password": {testPassword}})
	wantPage(t, step, http.StatusOK)
	ts.clock.Advance(6 * time.Minute)
	late := lb.do(http.MethodPost, "/login/second-factor", url.Values{"code": {codeAt(t, secret, ts.clock.Now())}, "csrf_token": {step.csrf()}})
	if late.Code != http.StatusSeeOther || late.Location != "/login?expired=1" {
		t.Fatalf("a code after five minutes: %d %q", late.Code, late.Location)
	}
}

var (
	regexpSecret  = regexp.MustCompile(`<code class="secret">([A-Z2-7 ]+)</code>`)
	regexpConfirm = regexp.MustCompile(`action="(/account/mfa/[^/"]+/confirm)"`)
)

// TestAdminRemovesFactors: an administrator removes the factors of a user
// who lost them; a reviewer's removal waits for a review lead other than the
// admin, and applying it ends the reviewer's sessions and empties the factors.
func TestAdminRemovesFactors(t *testing.T) {
	ts := newTestServer(t, requireMFA)
	ts.addUser("lab", "lab_member", "Frontier Labs")
	rev := ts.addUser("rev", "reviewer", "Agency")
	ts.addUser("ada", "admin", "Agency")
	ts.addUser("lee", "review_lead", "Agency")
	for _, n := range []string{"ada", "lee", "rev", "lab"} {
		enrolTOTP(t, ts, ts.users[n].Token)
	}
	lab := ts.users["lab"]
	// A lab member's: at once.
	r := ts.as("ada", "DELETE", "/api/v1/users/"+lab.ID+"/mfa", nil)
	want(t, r, http.StatusOK)
	if r := ts.as("lab", "GET", "/api/v1/me", nil); r.Code != http.StatusUnauthorized {
		t.Fatalf("the lab member's session outlived the removal: %d", r.Code)
	}
	if r := ts.as("ada", "DELETE", "/api/v1/users/"+lab.ID+"/mfa", nil); r.Code != http.StatusConflict {
		t.Fatalf("removing no factor: %d %s", r.Code, r.Body)
	}
	// A reviewer's: a change that waits.
	p := ts.as("ada", "DELETE", "/api/v1/users/"+rev.ID+"/mfa", nil)
	want(t, p, http.StatusCreated)
	if p.JSON()["kind"] != "user.factors" || p.JSON()["status"] != "pending" {
		t.Fatalf("pending change: %s", p.Body)
	}
	want(t, ts.as("rev", "GET", "/api/v1/me/mfa", nil), http.StatusOK) // nothing applied yet
	if r := ts.as("rev", "GET", "/api/v1/me/mfa", nil).JSON(); r["enrolled"] != true {
		t.Fatalf("the factors went before approval: %v", r)
	}
	want(t, ts.as("lee", "POST", "/api/v1/approvals/"+p.JSON()["id"].(string)+"/approve", nil), http.StatusOK)
	if r := ts.as("rev", "GET", "/api/v1/me", nil); r.Code != http.StatusUnauthorized {
		t.Fatalf("the reviewer's session outlived the removal: %d", r.Code)
	}
	// The password alone signs in now, into the walk-through.
	tok := ts.signIn(rev.Email, testPassword)
	if r := ts.do("GET", "/api/v1/cases", tok, nil); r.ErrorCode() != "mfa_enrollment_required" {
		t.Fatalf("after the removal: %d %s", r.Code, r.Body)
	}
	if r := ts.as("lee", "DELETE", "/api/v1/users/"+rev.ID+"/mfa", nil); r.Code != http.StatusForbidden {
		t.Fatalf("a lead removing factors: %d", r.Code)
	}
}

// mfaWalkthrough are the routes a user who must enrol a second factor may
// still use; every other route of both tables refuses them.
var mfaWalkthrough = map[string]bool{
	"GET /api/v1/me": true, "GET /api/v1/me/mfa": true, "POST /api/v1/me/mfa/totp": true,
	"POST /api/v1/me/mfa/:id/confirm": true, "DELETE /api/v1/me/mfa/:id": true,
	"POST /api/v1/me/mfa/recovery-codes": true, "POST /api/v1/auth/logout": true,
	"GET /account": true, "POST /account/mfa/totp": true, "POST /account/mfa/:id/confirm": true,
	"POST /account/mfa/recovery-codes": true, "POST /account/mfa/:id/remove": true, "POST /logout": true,
	"POST /account/passkeys/options": true, "POST /account/passkeys": true,
}

// TestEveryRouteNeedsASecondFactor walks both route tables as a review lead
// whose session used no second factor: each API route answers 403
// mfa_enrollment_required, each page GET leads to the account page's
// walk-through and each page form is refused, except the walk-through's own.
func TestEveryRouteNeedsASecondFactor(t *testing.T) {
	ts := newTestServer(t, requireMFA)
	lead := ts.addUser("lead", "review_lead", "Agency")
	id := "00000000-0000-0000-0000-000000000000"
	for _, r := range ts.srv.APIRoutes() {
		key := r.Method + " " + r.Path
		if r.Public || mfaWalkthrough[key] {
			continue
		}
		path := echoParam.ReplaceAllString(r.Path, id)
		var body any
		if r.Method != http.MethodGet && r.Method != http.MethodDelete {
			body = map[string]any{}
		}
		res := ts.do(r.Method, path, lead.Token, body)
		if res.Code != http.StatusForbidden || res.ErrorCode() != "mfa_enrollment_required" {
			t.Errorf("%s: %d %s", key, res.Code, truncate(res.Body, 200))
		}
	}
	b := ts.signInPage(lead.Email)
	acc := b.get("/account")
	wantPage(t, acc, http.StatusOK)
	for _, r := range ts.srv.PageRoutes() {
		key := r.Method + " " + r.Path
		if r.Public || mfaWalkthrough[key] {
			continue
		}
		path := echoParam.ReplaceAllString(r.Path, id)
		if r.Method == http.MethodGet {
			p := b.get(path)
			if p.Code != http.StatusSeeOther || p.Location != "/account?enrol=1" {
				t.Errorf("%s: %d %q", key, p.Code, p.Location)
			}
			continue
		}
		p := b.do(r.Method, path, url.Values{"csrf_token": {acc.csrf()}})
		if p.Code != http.StatusForbidden {
			t.Errorf("%s: %d %q", key, p.Code, p.Location)
		}
	}
}

// TestAdminRemovesFactorsOnThePage: the users page offers the removal for a
// user with a second factor only; a lab member's goes at once, a reviewer's
// waits for a review lead.
func TestAdminRemovesFactorsOnThePage(t *testing.T) {
	ts := newTestServer(t)
	lab := ts.addUser("lab", "lab_member", "Frontier Labs")
	rev := ts.addUser("rev", "reviewer", "Agency")
	ada := ts.addUser("ada", "admin", "Agency")
	enrolTOTP(t, ts, lab.Token)
	enrolTOTP(t, ts, rev.Token)
	b := ts.signInPage(ada.Email)
	users := b.get("/admin/users")
	wantPage(t, users, http.StatusOK)
	if n := strings.Count(users.Body, `/mfa/remove"`); n != 2 {
		t.Fatalf("%d removal forms, want one per user with a factor (2)", n)
	}
	done := b.post("/admin/users", "/admin/users/"+lab.ID+"/mfa/remove", nil)
	if done.Code != http.StatusSeeOther || done.Location != "/admin/users?done=factors-removed" {
		t.Fatalf("a lab member's: %d %q", done.Code, done.Location)
	}
	waits := b.post("/admin/users", "/admin/users/"+rev.ID+"/mfa/remove", nil)
	if waits.Code != http.StatusSeeOther || waits.Location != "/admin/users?done=pending" {
		t.Fatalf("a reviewer's: %d %q", waits.Code, waits.Location)
	}
	after := b.get("/admin/users")
	after.has(t, "Waiting for a review lead's approval: Remove the second factors of")
	if n := strings.Count(after.Body, `/mfa/remove"`); n != 1 {
		t.Fatalf("%d removal forms after, want the reviewer's still (1)", n)
	}
}

// TestKnowingThePasswordDoesNotResetTheCodeGuesses: someone who knows the
// password alternates password-only sign-ins (which answer mfa_required, or
// the pages' second step) with wrong codes: every attempt counts, and the
// account locks for that address after auth.max_failures, the right code
// included, until the lock lifts.
func TestKnowingThePasswordDoesNotResetTheCodeGuesses(t *testing.T) {
	ts := newTestServer(t, requireMFA)
	rev := ts.addUser("rev", "reviewer", "Agency")
	secret := enrolTOTP(t, ts, rev.Token)
	ts.clock.Advance(time.Hour)
	body := func(otp string) map[string]any {
		b := map[string]any{"email": rev.Email, "password": testPassword}
		if otp != "" {
			b["otp"] = otp
		}
		return b
	}
	attempts := 0
	for attempts < ts.cfg.Auth.MaxFailures {
		r := ts.do("POST", "/api/v1/auth/token", "", body(""))
		if r.ErrorCode() != "mfa_required" {
			t.Fatalf("password only, attempt %d: %d %s", attempts+1, r.Code, r.Body)
		}
		attempts++
		ts.clock.Advance(time.Minute)
		if attempts == ts.cfg.Auth.MaxFailures {
			break
		}
		// The pages' first step, too, leaves the count as it was.
		b := ts.browser()
		if p := b.post("/login", "/login", url.Values{"email": {rev.Email}, "password": {testPassword}}); p.Code != http.StatusOK {
			t.Fatalf("the pages' first step: %d", p.Code)
		}
		attempts++
		ts.clock.Advance(time.Minute)
	}
	// The lock holds for this address: even the right code is refused.
	if r := ts.do("POST", "/api/v1/auth/token", "", body(codeAt(t, secret, ts.clock.Now()))); r.Code == http.StatusOK {
		t.Fatalf("after %d password-only attempts, the right code still signed in", attempts)
	}
	ts.clock.Advance(ts.cfg.Auth.Lockout + time.Minute)
	want(t, ts.do("POST", "/api/v1/auth/token", "", body(codeAt(t, secret, ts.clock.Now()))), http.StatusOK)
}

// TestAStolenPasswordCannotBindAFactor: once a user has a second factor, a
// session made with the password alone can neither add another nor make
// recovery codes; and the first confirmation ends every other session and
// token made before it.
func TestAStolenPasswordCannotBindAFactor(t *testing.T) {
	ts := newTestServer(t) // no role requires a factor: the thief's session opens everything else
	lab := ts.addUser("lab", "lab_member", "Frontier Labs")
	thief := ts.signIn(lab.Email, testPassword)
	api := ts.as("lab", "POST", "/api/v1/api-tokens", map[string]any{"name": "ci"})
	want(t, api, http.StatusCreated)
	enrolTOTP(t, ts, lab.Token)
	// The victim's confirmation ended the thief's session and the old token.
	want(t, ts.do("GET", "/api/v1/me", thief, nil), http.StatusUnauthorized)
	want(t, ts.do("GET", "/api/v1/me", api.JSON()["token"].(string), nil), http.StatusUnauthorized)
	want(t, ts.as("lab", "GET", "/api/v1/me", nil), http.StatusOK)
	// A session that used no second factor, for an account that has one (no
	// route makes one now; this is the rule that stands behind that): it can
	// neither add a factor nor make recovery codes.
	passwordOnly := docket.Actor{UserID: lab.ID, Role: docket.RoleLabMember, OrgID: lab.OrgID, OrgKind: "lab",
		SessionID: "s", AMR: []string{"pwd"}}
	if _, err := ts.svc.Factors.EnrolTOTP(context.Background(), passwordOnly, "thief's phone"); docket.ErrorCode(err) != docket.EMFAEnrolment {
		t.Fatalf("adding a factor from a password-only session: %v", err)
	}
	if _, err := ts.svc.Factors.NewRecoveryCodes(context.Background(), passwordOnly); docket.ErrorCode(err) != docket.EMFAEnrolment {
		t.Fatalf("recovery codes from a password-only session: %v", err)
	}
}

// TestRemovingAFactorCountsWrongCodes: codes given to remove a factor are
// throttled like sign-in's: wrong ones soon answer 429, and nothing is removed.
func TestRemovingAFactorCountsWrongCodes(t *testing.T) {
	ts := newTestServer(t)
	lab := ts.addUser("lab", "lab_member", "Frontier Labs")
	enrolTOTP(t, ts, lab.Token)
	id := ts.as("lab", "GET", "/api/v1/me/mfa", nil).JSON()["items"].([]any)[0].(map[string]any)["id"].(string)
	throttled := false
	for i := 0; i < 20 && !throttled; i++ {
		r := ts.as("lab", "DELETE", "/api/v1/me/mfa/"+id, map[string]any{"code": "000000"})
		switch r.Code {
		case http.StatusUnprocessableEntity:
		case http.StatusTooManyRequests:
			throttled = true
		default:
			t.Fatalf("wrong code %d: %d %s", i+1, r.Code, r.Body)
		}
	}
	if !throttled {
		t.Fatalf("20 wrong codes at one instant were never throttled")
	}
	if r := ts.as("lab", "GET", "/api/v1/me/mfa", nil).JSON(); r["enrolled"] != true {
		t.Fatalf("a factor went: %v", r)
	}
}

// TestAMistypedFirstCodeKeepsTheEnrolment: the account page shows the same
// enrolment again, QR code and key, with the error beside the code.
func TestAMistypedFirstCodeKeepsTheEnrolment(t *testing.T) {
	ts := newTestServer(t)
	lab := ts.addUser("lab", "lab_member", "Frontier Labs")
	b := ts.signInPage(lab.Email)
	en := b.post("/account", "/account/mfa/totp", url.Values{"name": {"phone"}})
	wantPage(t, en, http.StatusCreated)
	key := regexpSecret.FindStringSubmatch(en.Body)
	action := regexpConfirm.FindStringSubmatch(en.Body)
	if key == nil || action == nil {
		t.Fatalf("no enrolment on the page")
	}
	bad := b.do(http.MethodPost, action[1], url.Values{"code": {"000000"}, "csrf_token": {en.csrf()}})
	wantPage(t, bad, http.StatusUnprocessableEntity)
	again := regexpSecret.FindStringSubmatch(bad.Body)
	if again == nil || again[1] != key[1] || !strings.Contains(bad.Body, `aria-invalid="true" aria-describedby="e-code"`) {
		t.Fatalf("the enrolment was not shown again with the error: %.600s", bad.text())
	}
	secret := strings.ReplaceAll(key[1], " ", "")
	ok := b.do(http.MethodPost, action[1], url.Values{"code": {codeAt(t, secret, ts.clock.Now())}, "csrf_token": {bad.csrf()}})
	if ok.Code != http.StatusSeeOther {
		t.Fatalf("the right code after a wrong one: %d %.300s", ok.Code, ok.text())
	}
}
