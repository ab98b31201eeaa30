package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/files"
	"github.com/docket/docket/internal/store"
	"github.com/docket/docket/internal/storetest"
)

var ctx = context.Background()

// fakeClock is the tests' shared fake clock.
type fakeClock = clock.Fake

// syncBuffer is a log sink the tests read while the code writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// env is a real database, a service on a fake clock, and a user per role.
type env struct {
	t     *testing.T
	st    *store.Store
	svc   *app.Services
	clock *fakeClock
	cfg   config.Config
	a     map[string]docket.Actor
	email map[string]string // user name → address
	logs  *syncBuffer
}

func newEnv(t *testing.T, mutate ...func(*config.Config)) *env {
	t.Helper()
	st, err := store.Open(storetest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, clock: clock.NewFake(time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)),
		a: map[string]docket.Actor{}, email: map[string]string{}, logs: &syncBuffer{}}
	e.cfg = config.Default()
	e.cfg.Secret = strings.Repeat("s", 32)
	e.cfg.BaseURL = "https://docket.agency.example.gov"
	e.cfg.Mail.From = "Docket <docket@agency.example.gov>"
	for _, m := range mutate {
		m(&e.cfg)
	}
	e.svc = e.service()
	for _, u := range []struct{ name, role, org, kind string }{
		{"lab", "lab_member", "Frontier Labs", "lab"},
		{"lab2", "lab_member", "Frontier Labs", "lab"},
		{"rival", "lab_member", "Meridian AI", "lab"},
		{"rev", "reviewer", "Agency", "agency"},
		{"lead", "review_lead", "Agency", "agency"},
		{"co", "compliance_officer", "Agency", "agency"},
		{"admin", "admin", "Agency", "agency"},
	} {
		created, err := e.svc.Accounts.CreateUserCLI(ctx, u.name+"@example.org", u.name, u.role, u.org, u.kind, "correct horse battery staple")
		if err != nil {
			t.Fatal(err)
		}
		e.a[u.name] = docket.Actor{UserID: created.ID, Role: created.Role, OrgID: created.OrgID, OrgKind: created.Org.Kind}
		e.email[u.name] = created.Email
	}
	return e
}

// service builds a service (another process, after a restart) on the same database and clock.
func (e *env) service() *app.Services {
	signer, _ := auth.NewSigner([]byte(e.cfg.Secret), "docket", e.clock.Now)
	return app.New(e.st, app.Options{Config: e.cfg, Now: e.clock.Now, Signer: signer,
		Hasher: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1}),
		Logger: slog.New(slog.NewTextHandler(e.logs, nil)), Files: files.New(e.cfg.AttachmentsDir())})
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// received is 14:00 EDT on 2026-06-02: the case is due 2026-07-02 23:59:59.999 EDT.
var received = time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC)

// submit files and submits a case at the instant, assigned to rev and led by lead.
func (e *env) submit(at time.Time, model string) *docket.Case {
	e.t.Helper()
	e.clock.Set(at)
	s := func(v string) *string { return &v }
	v, err := e.svc.Cases.CreateCase(ctx, e.a["lab"], docket.CaseInput{ModelName: s(model), ModelVersion: s("1"),
		Summary: s("Secret summary of " + model), WeightsDigest: s("sha256:" + strings.Repeat("ab", 32)),
		Modality: s("text"), Deployment: s("api")})
	e.must(err)
	_, err = e.svc.Cases.SubmitCase(ctx, e.a["lab"], v.Case.ID)
	e.must(err)
	v, err = e.svc.Cases.Assign(ctx, e.a["lead"], v.Case.ID, []string{e.a["rev"].UserID}, e.a["lead"].UserID)
	e.must(err)
	return v.Case
}

// sweep holds the lease and sweeps, as the scheduler's job does.
func (e *env) sweep(svc *app.Services) {
	e.t.Helper()
	_, err := svc.Delivery.HoldLease(ctx, "p1")
	e.must(err)
	_, err = svc.Delivery.Sweep(ctx, "p1")
	e.must(err)
}

// deliveries lists every delivery as admins see them.
func (e *env) deliveries(state string) []docket.Delivery {
	e.t.Helper()
	f := app.DeliveryFilter{}
	if state != "" {
		f.State = &state
	}
	ds, _, err := e.svc.Delivery.ListDeliveries(ctx, e.a["admin"], f, app.Page{Limit: 200})
	e.must(err)
	return ds
}

// keysOf returns the outbox keys addressed to the user, sorted.
func (e *env) keysOf(user string) []string {
	e.t.Helper()
	items, _, err := e.svc.Delivery.Inbox(ctx, e.a[user], app.Page{Limit: 200})
	e.must(err)
	var keys []string
	for _, it := range items {
		keys = append(keys, it.Key)
	}
	return keys
}
