package web_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
)

func TestSignInAndMe(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", "admin", "Agency")
	r := ts.as("ada", "GET", "/api/v1/me", nil)
	want(t, r, 200)
	m := r.JSON()
	if m["email"] != "ada@example.org" || m["role"] != "admin" || m["org"].(map[string]any)["kind"] != "agency" {
		t.Fatalf("me: %v", m)
	}
	tok := ts.do("POST", "/api/v1/auth/token", "", map[string]string{"email": "ADA@example.org", "password": testPassword})
	want(t, tok, 200)
	if tok.JSON()["token_type"] != "Bearer" || tok.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("token answer %s %v", tok.Body, tok.Header)
	}
}

func TestTokensDieWithLogoutDisablingAndPasswordChange(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", "admin", "Agency")
	bob := ts.addUser("bob", "reviewer", "Agency")
	other := ts.signIn(bob.Email, testPassword)

	// Logout ends only the session used.
	want(t, ts.do("POST", "/api/v1/auth/logout", bob.Token, nil), 204)
	want(t, ts.do("GET", "/api/v1/me", bob.Token, nil), 401)
	want(t, ts.do("GET", "/api/v1/me", other, nil), 200)

	// A password change ends every session and every API token.
	api := ts.do("POST", "/api/v1/api-tokens", other, map[string]any{"name": "automation", "scope": "write"})
	want(t, api, 201)
	apiTok := api.JSON()["token"].(string)
	want(t, ts.do("GET", "/api/v1/me", apiTok, nil), 200)
	want(t, ts.do("POST", "/api/v1/me/password", other, map[string]string{"current_password": testPassword, "new_password": "a brand new passphrase"}), 204)
	want(t, ts.do("GET", "/api/v1/me", other, nil), 401)
	want(t, ts.do("GET", "/api/v1/me", apiTok, nil), 401)
	if r := ts.do("POST", "/api/v1/api-tokens", apiTok, map[string]any{"name": "offspring"}); r.Code != 401 {
		t.Fatalf("a token from before the password change made another: %d %s", r.Code, r.Body)
	}
	fresh := ts.signIn(bob.Email, "a brand new passphrase")
	api = ts.do("POST", "/api/v1/api-tokens", fresh, map[string]any{"name": "automation"})
	want(t, api, 201)
	apiTok = api.JSON()["token"].(string)
	if list := ts.do("GET", "/api/v1/api-tokens", fresh, nil); strings.Count(list.Body, `"id"`) != 1 {
		t.Fatalf("the token ended by the password change is still listed: %s", list.Body)
	}

	// Disabling ends sessions and API tokens.
	want(t, ts.as("ada", "PATCH", "/api/v1/users/"+bob.ID, map[string]any{"disabled": true}), 200)
	want(t, ts.do("GET", "/api/v1/me", fresh, nil), 401)
	want(t, ts.do("GET", "/api/v1/me", apiTok, nil), 401)
	r := ts.do("POST", "/api/v1/auth/token", "", map[string]string{"email": bob.Email, "password": "a brand new passphrase"})
	want(t, r, 401)

	// Re-enabling lets the user sign in again, and zero values stick.
	u := ts.as("ada", "PATCH", "/api/v1/users/"+bob.ID, map[string]any{"disabled": false})
	want(t, u, 200)
	if u.JSON()["disabled"] != false {
		t.Fatalf("disabled did not go back to false: %s", u.Body)
	}
	ts.signIn(bob.Email, "a brand new passphrase")
}

func TestRoleChangeEndsSessionsAndAPITokens(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", "admin", "Agency")
	bob := ts.addUser("bob", "compliance_officer", "Agency")
	api := ts.do("POST", "/api/v1/api-tokens", bob.Token, map[string]any{"name": "export"})
	want(t, api, 201)
	apiTok := api.JSON()["token"].(string)
	want(t, ts.do("GET", "/api/v1/me", apiTok, nil), 200)
	want(t, ts.as("ada", "PATCH", "/api/v1/users/"+bob.ID, map[string]any{"role": "admin"}), 200)
	want(t, ts.do("GET", "/api/v1/me", bob.Token, nil), 401)
	want(t, ts.do("GET", "/api/v1/me", apiTok, nil), 401)
}

// TestAPITokenScopes: a token is read-only unless made with scope write; a
// read token gets 403 insufficient_scope on anything but GET, and nothing
// changes; no API token can make another token, whatever its scope.
func TestAPITokenScopes(t *testing.T) {
	ts := newTestServer(t)
	lab := ts.addUser("lab", "lab_member", "Frontier")
	made := func(body map[string]any) (string, map[string]any) {
		t.Helper()
		r := ts.do("POST", "/api/v1/api-tokens", lab.Token, body)
		want(t, r, 201)
		return r.JSON()["token"].(string), r.JSON()
	}
	read, m := made(map[string]any{"name": "dashboard reader"})
	if m["scope"] != "read" {
		t.Fatalf("a token made without a scope has scope %v, want read", m["scope"])
	}
	write, m := made(map[string]any{"name": "filer", "scope": "write"})
	if m["scope"] != "write" {
		t.Fatalf("scope %v, want write", m["scope"])
	}
	if r := ts.do("POST", "/api/v1/api-tokens", lab.Token, map[string]any{"name": "x", "scope": "admin"}); r.Code != 422 || r.ErrorField() != "scope" {
		t.Fatalf("a bad scope: %d %s", r.Code, r.Body)
	}
	// Reads work with either.
	want(t, ts.do("GET", "/api/v1/cases", read, nil), 200)
	want(t, ts.do("GET", "/api/v1/me", read, nil), 200)
	// A read token changes nothing.
	body := map[string]any{"model_name": "M", "model_version": "1", "weights_digest": "sha256:" + strings.Repeat("ab", 32),
		"modality": "text", "deployment": "api"}
	for _, try := range []struct{ method, path string }{
		{"POST", "/api/v1/cases"}, {"POST", "/api/v1/auth/logout"}, {"POST", "/api/v1/me/password"},
		{"POST", "/api/v1/calendar-url"}, {"DELETE", "/api/v1/calendar-url"},
	} {
		r := ts.do(try.method, try.path, read, body)
		if r.Code != 403 || r.ErrorCode() != "insufficient_scope" {
			t.Fatalf("%s %s with a read token: %d %s", try.method, try.path, r.Code, r.Body)
		}
	}
	if list := ts.do("GET", "/api/v1/cases", lab.Token, nil); strings.Count(list.Body, `"model_name"`) != 0 {
		t.Fatalf("a read token filed a case: %s", list.Body)
	}
	// A write token files.
	want(t, ts.do("POST", "/api/v1/cases", write, body), 201)
	// Neither makes tokens: only a session does.
	for _, tok := range []string{read, write} {
		r := ts.do("POST", "/api/v1/api-tokens", tok, map[string]any{"name": "offspring", "scope": "write"})
		if r.Code != 403 {
			t.Fatalf("an API token made another: %d %s", r.Code, r.Body)
		}
	}
	if list := ts.do("GET", "/api/v1/api-tokens", lab.Token, nil); strings.Count(list.Body, `"id"`) != 2 {
		t.Fatalf("want the two tokens made from the session, got %s", list.Body)
	}
}

// TestRoleChangeEndsSessions: a role change ends the user's sessions, at once
// when it applies at once, when a lead approves it when it takes two.
func TestRoleChangeEndsSessions(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", "admin", "Agency")
	ts.addUser("lee", "review_lead", "Agency")
	bob := ts.addUser("bob", "reviewer", "Agency")
	want(t, ts.as("ada", "PATCH", "/api/v1/users/"+bob.ID, map[string]any{"role": "compliance_officer"}), 200)
	want(t, ts.do("GET", "/api/v1/me", bob.Token, nil), 401)

	tok := ts.signIn(bob.Email, testPassword)
	r := ts.as("ada", "PATCH", "/api/v1/users/"+bob.ID, map[string]any{"role": "review_lead"})
	want(t, r, 201)
	want(t, ts.do("GET", "/api/v1/me", tok, nil), 200)
	want(t, ts.as("lee", "POST", "/api/v1/approvals/"+r.JSON()["id"].(string)+"/approve", nil), 200)
	want(t, ts.do("GET", "/api/v1/me", tok, nil), 401)
	if me := ts.do("GET", "/api/v1/me", ts.signIn(bob.Email, testPassword), nil); me.JSON()["role"] != "review_lead" {
		t.Fatalf("after approval: %s", me.Body)
	}
}

func TestAPITokens(t *testing.T) {
	ts := newTestServer(t)
	lab := ts.addUser("lab", "lab_member", "Frontier")
	other := ts.addUser("other", "lab_member", "Meridian")
	r := ts.do("POST", "/api/v1/api-tokens", lab.Token, map[string]any{"name": "ci"})
	want(t, r, 201)
	id, tok := r.JSON()["id"].(string), r.JSON()["token"].(string)
	list := ts.do("GET", "/api/v1/api-tokens", lab.Token, nil)
	want(t, list, 200)
	if strings.Contains(list.Body, tok) || !strings.Contains(list.Body, id) {
		t.Fatalf("the list shows the token or misses it: %s", list.Body)
	}
	// An API token is not a session: it cannot be used where a session kind is parsed first and fails over.
	want(t, ts.do("GET", "/api/v1/me", tok, nil), 200)
	want(t, ts.do("DELETE", "/api/v1/api-tokens/"+id, other.Token, nil), 404)
	want(t, ts.do("DELETE", "/api/v1/api-tokens/"+id, lab.Token, nil), 204)
	want(t, ts.do("GET", "/api/v1/me", tok, nil), 401)
	r = ts.do("POST", "/api/v1/api-tokens", lab.Token, map[string]any{"name": "x", "expires_at": "2020-01-01T00:00:00Z"})
	want(t, r, 422)
	if r.ErrorField() != "expires_at" {
		t.Fatalf("field %q", r.ErrorField())
	}
}

func TestBadBearerTokensAre401(t *testing.T) {
	ts := newTestServer(t)
	ada := ts.addUser("ada", "admin", "Agency")
	parts := strings.Split(ada.Token, ".")
	for name, h := range map[string]string{
		"none":             "",
		"basic":            "Basic YWRhOnB3",
		"tampered":         "Bearer " + parts[0] + "." + parts[1] + "x." + parts[2],
		"signature gone":   "Bearer " + parts[0] + "." + parts[1] + ".",
		"cookie-like":      "Bearer docket_session=" + ada.Token,
		"huge":             "Bearer " + strings.Repeat("a", 100*1024),
		"lowercase scheme": "bearer " + ada.Token,
	} {
		t.Run(name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/api/v1/me", nil)
			if h != "" {
				req.Header.Set("Authorization", h)
			}
			rec := httptest.NewRecorder()
			ts.h.ServeHTTP(rec, req)
			if rec.Code != 401 || !strings.Contains(rec.Body.String(), `"unauthorized"`) {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
	// The API never accepts a cookie.
	req := httptest.NewRequest("GET", "/api/v1/me", nil)
	req.AddCookie(&http.Cookie{Name: "docket_session", Value: ada.Token})
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	if rec.Code != 401 {
		t.Fatalf("the API accepted a cookie: %d", rec.Code)
	}
}

func TestHugeHeaderOnTheRealServer(t *testing.T) {
	ts := newTestServer(t)
	hs := ts.srv.HTTPServer("127.0.0.1:0")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+strings.Repeat("a", 900*1024))
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	t.Logf("900 KB header: %d in %s", resp.StatusCode, time.Since(start))
}

func TestSignInFailuresLookAlike(t *testing.T) {
	ts := newTestServer(t, func(c *config.Config) { c.Auth.MaxFailures = 3 })
	ts.addUser("ada", "admin", "Agency")
	bob := ts.addUser("bob", "reviewer", "Agency")
	ts.addUser("dis", "reviewer", "Agency")
	want(t, ts.as("ada", "PATCH", "/api/v1/users/"+ts.users["dis"].ID, map[string]any{"disabled": true}), 200)
	// Lock bob's account from one address: three failures.
	for i := 0; i < 3; i++ {
		ts.clock.Advance(time.Minute)
		ts.signInFrom("10.1.0.4", bob.Email, "wrong password!!")
	}
	ts.clock.Advance(time.Minute)
	bodies := map[string]response{
		"unknown":  ts.signInFrom("10.1.0.1", "nobody@example.org", testPassword),
		"wrong":    ts.signInFrom("10.1.0.2", "ada@example.org", "not the password"),
		"disabled": ts.signInFrom("10.1.0.3", "dis@example.org", testPassword),
		"locked":   ts.signInFrom("10.1.0.4", bob.Email, testPassword),
	}
	first := bodies["unknown"]
	for name, r := range bodies {
		if r.Code != 401 || r.Body != first.Body {
			t.Fatalf("%s: %d %s differs from %d %s", name, r.Code, r.Body, first.Code, first.Body)
		}
	}
	// The lock lifts by itself.
	ts.clock.Advance(ts.cfg.Auth.Lockout)
	if r := ts.signInFrom("10.1.0.4", bob.Email, testPassword); r.Code != 200 {
		t.Fatalf("after the lockout: %d %s", r.Code, r.Body)
	}
	// Every attempt is audited.
	var n int
	report, err := ts.svc.AuditTrail.VerifyAudit(context.Background())
	if err != nil || report.Reason != "" {
		t.Fatalf("audit: %v %+v", err, report)
	}
	evs, _, _ := ts.svc.AuditTrail.ListAllAudit(context.Background(), docket.Actor{Role: docket.RoleAdmin}, pageAll())
	for _, e := range evs {
		if e.Action == "auth.sign_in" {
			n++
		}
	}
	if n < 9 {
		t.Fatalf("%d sign-in events audited", n)
	}
}

func (ts *testServer) signInFrom(ip, email, password string) response {
	ts.t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/auth/token", strings.NewReader(`{"email":"`+email+`","password":"`+password+`"}`))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = ip + ":40000"
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	return response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String(), t: ts.t}
}

func TestThrottleCannotBeDodgedWithForwardedFor(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", "admin", "Agency")
	throttled := 0
	for i := 0; i < 12; i++ {
		req := httptest.NewRequest("POST", "/api/v1/auth/token", strings.NewReader(`{"email":"victim`+string(rune('a'+i))+`@example.org","password":"guess"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "198.51.100."+string(rune('1'+i%9)))
		req.RemoteAddr = "203.0.113.7:5555"
		rec := httptest.NewRecorder()
		ts.h.ServeHTTP(rec, req)
		if rec.Code == 429 {
			throttled++
			if rec.Header().Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		}
	}
	if throttled == 0 {
		t.Fatal("rotating X-Forwarded-For dodged the per-address throttle")
	}
	// Waiting lets the address try again.
	ts.clock.Advance(time.Hour)
	if r := ts.signInFrom("203.0.113.7", "ada@example.org", testPassword); r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
}

func TestTrustedProxyForwardedFor(t *testing.T) {
	ts := newTestServer(t, func(c *config.Config) { c.Auth.TrustedProxies = []string{"192.0.2.10"} })
	// Through the trusted proxy, each client address has its own throttle.
	for i := 0; i < 5; i++ {
		req := httptest.NewRequest("POST", "/api/v1/auth/token", strings.NewReader(`{"email":"x`+string(rune('a'+i))+`@example.org","password":"guess"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", "198.51.100."+string(rune('1'+i)))
		req.RemoteAddr = "192.0.2.10:5555"
		rec := httptest.NewRecorder()
		ts.h.ServeHTTP(rec, req)
		if rec.Code != 401 {
			t.Fatalf("attempt %d from a distinct client was %d", i, rec.Code)
		}
	}
}

func TestOrganisationsAndUsers(t *testing.T) {
	ts := newTestServer(t)
	ada := ts.addUser("ada", "admin", "Agency")
	lab := ts.as("ada", "POST", "/api/v1/orgs", map[string]any{"name": "Frontier Labs", "kind": "lab"})
	want(t, lab, 201)
	labID := lab.JSON()["id"].(string)
	for _, tc := range []struct {
		name  string
		body  map[string]any
		code  int
		field string
	}{
		{"reviewer in a lab", map[string]any{"email": "r@x.org", "name": "R", "role": "reviewer", "org_id": labID, "password": testPassword}, 422, "role"},
		{"lab member in the agency", map[string]any{"email": "l@x.org", "name": "L", "role": "lab_member", "org_id": ada.OrgID, "password": testPassword}, 422, "role"},
		{"unknown role", map[string]any{"email": "l@x.org", "name": "L", "role": "root", "org_id": labID, "password": testPassword}, 422, "role"},
		{"short password", map[string]any{"email": "l@x.org", "name": "L", "role": "lab_member", "org_id": labID, "password": "short"}, 422, "password"},
		{"bad email", map[string]any{"email": "not-an-email", "name": "L", "role": "lab_member", "org_id": labID, "password": testPassword}, 422, "email"},
		{"unknown org", map[string]any{"email": "l@x.org", "name": "L", "role": "lab_member", "org_id": "nope", "password": testPassword}, 422, "org_id"},
		{"unknown field", map[string]any{"email": "l@x.org", "name": "L", "role": "lab_member", "org_id": labID, "password": testPassword, "token_version": 0}, 400, "token_version"},
		{"wrong type", map[string]any{"email": 7, "name": "L", "role": "lab_member", "org_id": labID, "password": testPassword}, 400, "email"},
		{"lab member in a lab", map[string]any{"email": "l@x.org", "name": "L", "role": "lab_member", "org_id": labID, "password": testPassword}, 201, ""},
		{"duplicate email", map[string]any{"email": "L@x.org", "name": "L", "role": "lab_member", "org_id": labID, "password": testPassword}, 409, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.as("ada", "POST", "/api/v1/users", tc.body)
			want(t, r, tc.code)
			if tc.field != "" && r.ErrorField() != tc.field {
				t.Fatalf("field %q, want %q", r.ErrorField(), tc.field)
			}
		})
	}
	want(t, ts.as("ada", "POST", "/api/v1/orgs", map[string]any{"name": "Frontier Labs", "kind": "lab"}), 409)
	r := ts.as("ada", "POST", "/api/v1/orgs", map[string]any{"name": "X", "kind": "club"})
	want(t, r, 422)
	// An admin cannot demote or disable itself.
	want(t, ts.as("ada", "PATCH", "/api/v1/users/"+ada.ID, map[string]any{"role": "reviewer"}), 409)
	want(t, ts.as("ada", "PATCH", "/api/v1/users/"+ada.ID, map[string]any{"disabled": true}), 409)
	// Only admins manage organisations and users.
	ts.addUser("rev", "reviewer", "Agency")
	want(t, ts.as("rev", "GET", "/api/v1/users", nil), 403)
	want(t, ts.as("rev", "POST", "/api/v1/orgs", map[string]any{"name": "Y", "kind": "lab"}), 403)
	want(t, ts.as("rev", "PATCH", "/api/v1/users/"+ada.ID, map[string]any{"role": "reviewer"}), 403)
	// Lists page with cursors.
	seen := map[string]bool{}
	cursor := ""
	for i := 0; i < 10; i++ {
		r := ts.as("ada", "GET", "/api/v1/users?limit=1"+cursor, nil)
		want(t, r, 200)
		m := r.JSON()
		for _, it := range m["items"].([]any) {
			seen[it.(map[string]any)["id"].(string)] = true
		}
		next, _ := m["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = "&cursor=" + next
	}
	if len(seen) != 3 {
		t.Fatalf("paged through %d users, want 3", len(seen))
	}
	want(t, ts.as("ada", "GET", "/api/v1/users?cursor=garbage!", nil), 422)
}

func TestBodiesAndHeaders(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", "admin", "Agency")
	big := `{"name":"` + strings.Repeat("a", 2<<20) + `","kind":"lab"}`
	want(t, ts.as("ada", "POST", "/api/v1/orgs", big), 413)
	want(t, ts.as("ada", "POST", "/api/v1/orgs", `{"name":`), 400)
	want(t, ts.as("ada", "POST", "/api/v1/orgs", `[1,2]`), 400)
	want(t, ts.as("ada", "POST", "/api/v1/orgs", `{"name":"a","kind":"lab"} {"x":1}`), 400)
	req := httptest.NewRequest("POST", "/api/v1/orgs", strings.NewReader(`name=x`))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+ts.users["ada"].Token)
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	if rec.Code != 415 {
		t.Fatalf("form body: %d", rec.Code)
	}
	r := ts.do("GET", "/api/v1/no-such-route", "", nil)
	want(t, r, 404)
	for _, path := range []string{"/api/v1/me", "/healthz", "/nope", "/static/docket.css", "/static/%2e%2e/go.mod"} {
		r := ts.do("GET", path, "", nil)
		h := r.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Fatalf("%s (%d) lacks security headers: %v", path, r.Code, h)
		}
		if h.Get("X-Request-Id") == "" {
			t.Fatalf("%s has no request id", path)
		}
	}
	want(t, ts.do("GET", "/static/%2e%2e/go.mod", "", nil), 404)
	want(t, ts.do("GET", "/static/..%2fgo.mod", "", nil), 404)
	want(t, ts.do("GET", "/healthz", "", nil), 200)
	want(t, ts.do("GET", "/readyz", "", nil), 200)
}
