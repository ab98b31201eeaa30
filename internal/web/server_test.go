package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/files"
	"github.com/docket/docket/internal/store"
	"github.com/docket/docket/internal/storetest"
	"github.com/docket/docket/internal/web"
	"github.com/docket/docket/internal/webtest"
)

// fakeClock is the injected clock the tests move.
// fakeClock is the tests' shared fake clock.
type fakeClock = clock.Fake

// testServer is a real store in a temp dir, the service and the HTTP handler.
type testServer struct {
	t   testing.TB
	svc *app.Services
	// approvals is the service's approvals service (the two-person rule).
	approvals *app.Approvals
	store     *store.Store
	srv       *web.Server
	h         http.Handler
	clock     *fakeClock
	cfg       config.Config
	users     map[string]*testUser
}

type testUser struct {
	ID, Email, Role, OrgID, Token string
}

const testPassword = "correct horse battery staple"

// testHasher is cheap, so that the suite stays fast; production uses DefaultParams.
var testHasher = auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1})

func newTestServer(t testing.TB, mutate ...func(*config.Config)) *testServer {
	t.Helper()
	return newTestServerHashing(t, testHasher, mutate...)
}

// newTestServerHashing is newTestServer with the given password hasher: a
// test about the time a password check takes needs one that takes time.
func newTestServerHashing(t testing.TB, hasher *auth.Hasher, mutate ...func(*config.Config)) *testServer {
	t.Helper()
	cfg := config.Default()
	// Second factors are the subject of their own tests (mfa_test.go), and
	// so is the step-up to TLP:RED (stepup_test.go): elsewhere password
	// sessions read TLP:RED findings, as with the setting off.
	cfg.Auth.MFARequiredRoles = config.NoMFARoles
	cfg.Auth.TLPRedRequiresPhishingResistant = false
	cfg.DB = storetest.DSN(t)
	cfg.DataDir = filepath.Join(t.TempDir(), "data") // attachments stay in the test's own directory
	cfg.Secret = strings.Repeat("s", 32)
	cfg.Auth.SessionTTL = 10 * 365 * 24 * time.Hour // tests move the clock by months
	for _, m := range mutate {
		m(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC))
	signer, err := auth.NewSigner([]byte(cfg.Secret), cfg.Auth.Issuer, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	approvals := app.NewApprovals(st, app.ApprovalOptions{Now: clk.Now})
	svc := app.New(st, app.Options{Config: cfg, Now: clk.Now, Hasher: hasher, Signer: signer, Approvals: approvals,
		Files: files.New(cfg.AttachmentsDir())})
	if err := svc.Clearinghouse.RecordOrigin(context.Background()); err != nil { // as serve does at start
		t.Fatal(err)
	}
	srv := webtest.New(t, svc, web.Options{Config: cfg, Health: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Approvals: approvals})
	ts := &testServer{t: t, svc: svc, approvals: approvals, store: st, srv: srv, h: contractChecker(t, srv.Handler()),
		clock: clk, cfg: cfg, users: map[string]*testUser{}}
	return ts
}

// addUser creates a user through the command-line path and signs it in.
func (ts *testServer) addUser(name, role, org string) *testUser {
	ts.t.Helper()
	kind := "agency"
	if role == "lab_member" {
		kind = "lab"
	}
	u, err := ts.svc.Accounts.CreateUserCLI(context.Background(), name+"@example.org", name, role, org, kind, testPassword)
	if err != nil {
		ts.t.Fatalf("create %s: %v", name, err)
	}
	tu := &testUser{ID: u.ID, Email: u.Email, Role: role, OrgID: u.OrgID}
	tu.Token = ts.signIn(u.Email, testPassword)
	ts.users[name] = tu
	return tu
}

func (ts *testServer) signIn(email, password string) string {
	ts.t.Helper()
	r := ts.do("POST", "/api/v1/auth/token", "", map[string]string{"email": email, "password": password})
	if r.Code != http.StatusOK {
		ts.t.Fatalf("sign in %s: %d %s", email, r.Code, r.Body)
	}
	return r.JSON()["access_token"].(string)
}

// response is a recorded answer.
type response struct {
	Code   int
	Header http.Header
	Body   string
	t      testing.TB
}

func (r response) JSON() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
		r.t.Fatalf("not JSON (%d): %s", r.Code, r.Body)
	}
	return m
}

// ErrorCode is the error answer's code.
func (r response) ErrorCode() string {
	e, _ := r.JSON()["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (r response) ErrorField() string {
	e, _ := r.JSON()["error"].(map[string]any)
	f, _ := e["field"].(string)
	return f
}

// do sends a request with a bearer token and an optional JSON body (a string is sent raw).
func (ts *testServer) do(method, path, token string, body any) response {
	ts.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	return response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String(), t: ts.t}
}

// as sends a request as a named user.
func (ts *testServer) as(name, method, path string, body any) response {
	ts.t.Helper()
	u, ok := ts.users[name]
	if !ok {
		ts.t.Fatalf("no user %s", name)
	}
	return ts.do(method, path, u.Token, body)
}

func want(t testing.TB, r response, code int) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("want %d, got %d: %s", code, r.Code, r.Body)
	}
}
