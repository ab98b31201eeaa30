package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/store"
	"github.com/docket/docket/internal/storetest"
)

func open(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := storetest.DSN(t)
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st, path
}

func service(t *testing.T, st app.Store) *app.Services {
	cfg := config.Default()
	cfg.Secret = strings.Repeat("s", 32)
	signer, _ := auth.NewSigner([]byte(cfg.Secret), "docket", time.Now)
	return app.New(st, app.Options{Config: cfg, Hasher: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1}), Signer: signer})
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	st, _ := open(t)
	applied, err := st.Migrate(context.Background())
	if err != nil || len(applied) != 0 {
		t.Fatalf("second migrate applied %v (%v)", applied, err)
	}
	if n, err := st.PendingMigrations(context.Background()); err != nil || n != 0 {
		t.Fatalf("pending %d %v", n, err)
	}
}

func TestRefusesANewerSchema(t *testing.T) {
	st, path := open(t)
	exec(t, path, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 0)`)
	if err := st.CheckSchema(context.Background()); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("a newer schema was accepted: %v", err)
	}
}

func seed(t *testing.T, svc *app.Services, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := svc.Accounts.CreateUserCLI(context.Background(), "u"+string(rune('a'+i))+"@example.org", "U", "reviewer", "Agency", "agency", "correct horse battery staple"); err != nil {
			t.Fatal(err)
		}
	}
}

// exec runs raw SQL behind Docket's back, as an intruder with file access would.
func exec(t *testing.T, path, sql string) {
	t.Helper()
	raw, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.Exec(sql); err != nil {
		t.Fatal(err)
	}
}

func TestAuditChainCatchesEditsAndDeletions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sql    []string
		badSeq int64
	}{
		{"intact", nil, 0},
		{"edited", []string{`UPDATE audit_events SET actor_role = 'admin' WHERE seq = 3`}, 3},
		{"deleted", []string{`DELETE FROM audit_events WHERE seq = 2`}, 3},
		{"last deleted", []string{`DELETE FROM audit_events WHERE seq = 6`}, 6},
		{"rehashed", []string{`UPDATE audit_events SET changes = '{}', hash = 'x' WHERE seq = 4`}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, path := open(t)
			svc := service(t, st)
			seed(t, svc, 3) // 3 users + 1 org: 4 events… plus more below
			seed2 := []string{"v", "w"}
			for _, n := range seed2 {
				if _, err := svc.Accounts.CreateUserCLI(context.Background(), n+"@example.org", "V", "reviewer", "Agency", "agency", "correct horse battery staple"); err != nil {
					t.Fatal(err)
				}
			}
			if len(tc.sql) > 0 {
				// An intruder with database access first removes the guard.
				for _, s := range disableGuards() {
					exec(t, path, s)
				}
			}
			for _, s := range tc.sql {
				exec(t, path, s)
			}
			rep, err := svc.AuditTrail.VerifyAudit(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if tc.badSeq == 0 {
				if rep.Reason != "" || rep.Count != 6 {
					t.Fatalf("intact chain reported %+v", rep)
				}
				return
			}
			if rep.BadSeq != tc.badSeq || rep.Reason == "" {
				t.Fatalf("want the break at %d, got %+v", tc.badSeq, rep)
			}
		})
	}
}

func TestTriggersRefuseUpdateAndDelete(t *testing.T) {
	st, path := open(t)
	seed(t, service(t, st), 1)
	raw, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, sql := range []string{`UPDATE audit_events SET action = 'x'`, `DELETE FROM audit_events`} {
		if err := raw.Exec(sql); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("%s: %v", sql, err)
		}
	}
}

// failingAudit wraps a store so that every audit append fails.
type failingAudit struct{ app.Store }

func (f failingAudit) Write(ctx context.Context, fn func(app.Tx) error) error {
	return f.Store.Write(ctx, func(tx app.Tx) error { return fn(brokenAudit{tx}) })
}

type brokenAudit struct{ app.Tx }

func (b brokenAudit) Audit() app.AuditStore { return brokenAppend{b.Tx.Audit()} }

type brokenAppend struct{ app.AuditStore }

func (brokenAppend) AppendAudit(*docket.AuditEvent) error { return errors.New("disk full") }

func TestFailingAuditWriteRollsBack(t *testing.T) {
	st, _ := open(t)
	svc := service(t, failingAudit{st})
	if _, err := svc.Accounts.CreateUserCLI(context.Background(), "x@example.org", "X", "reviewer", "Agency", "agency", "correct horse battery staple"); err == nil {
		t.Fatal("the change went through without its audit event")
	}
	err := st.Read(context.Background(), func(tx app.Tx) error {
		if _, err := tx.Users().UserByEmail("x@example.org"); docket.ErrorCode(err) != docket.ENotFound {
			t.Fatalf("the user was stored: %v", err)
		}
		if _, err := tx.Users().OrgByName("Agency"); docket.ErrorCode(err) != docket.ENotFound {
			t.Fatalf("the organisation was stored: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// disableGuards removes the triggers that refuse UPDATE and DELETE on the audit table.
func disableGuards() []string {
	if storetest.Postgres() {
		return []string{`ALTER TABLE audit_events DISABLE TRIGGER USER`}
	}
	return []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	storetest.SkipOnPostgres(t, "pragmas")
	st, _ := open(t)
	for _, want := range []struct{ pragma, value string }{
		{"journal_mode", "wal"}, {"foreign_keys", "1"}, {"synchronous", "2"}, {"busy_timeout", "10000"},
	} {
		got, err := st.Pragma(want.pragma)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range got {
			if v != want.value {
				t.Errorf("%s on connection %d is %s, want %s", want.pragma, i, v, want.value)
			}
		}
	}
}

// TestTwoMigratorsRace: two processes migrating one fresh database at once
// both succeed, and each migration is applied exactly once.
func TestTwoMigratorsRace(t *testing.T) {
	dsn := storetest.DSN(t)
	var wg sync.WaitGroup
	applied := make([][]string, 4)
	errs := make([]error, 4)
	for i := range applied {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			st, err := store.Open(dsn)
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			applied[i], errs[i] = st.Migrate(context.Background())
		}(i)
	}
	wg.Wait()
	total := 0
	for i := range applied {
		if errs[i] != nil {
			t.Fatalf("migrator %d: %v", i, errs[i])
		}
		total += len(applied[i])
	}
	st, _ := open(t)
	ms, _ := st.Migrations()
	if total != len(ms) {
		t.Fatalf("%d migrations applied in all, want %d", total, len(ms))
	}
}
