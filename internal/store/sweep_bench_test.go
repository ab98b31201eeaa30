package store

import (
	"context"
	"github.com/docket/docket/internal/storetest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/benchdata"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
)

// seedOpenCases writes n open, assigned cases straight through the store in
// batches (benchdata.Seed's OpenOnly shape): due is far away for all but the first
// dueSoon, whose seven-day reminder has just fallen due at now.
func seedOpenCases(tb testing.TB, st *Store, _ *app.Services, now time.Time, n, dueSoon int) {
	tb.Helper()
	if _, err := benchdata.Seed(context.Background(), st, benchdata.SeedOptions{Cases: n, Now: now, PasswordHash: "x", OpenOnly: true, DueSoon: dueSoon}); err != nil {
		tb.Fatal(err)
	}
}

// benchSvc is a service standing at now.
func benchSvc(tb testing.TB, st *Store, now time.Time) *app.Services {
	cfg := config.Default()
	cfg.Secret = strings.Repeat("s", 32)
	clock := func() time.Time { return now }
	signer, _ := auth.NewSigner([]byte(cfg.Secret), "docket", clock)
	return app.New(st, app.Options{Config: cfg, Now: clock, Signer: signer, Hasher: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1})})
}

func benchStore(b *testing.B, n, due int) (*Store, *app.Services, time.Time) {
	st := tempStore(b)
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	svc := benchSvc(b, st, now)
	seedOpenCases(b, st, svc, now, n, due)
	if _, err := svc.Delivery.HoldLease(context.Background(), "bench"); err != nil {
		b.Fatal(err)
	}
	// Send what is due once (the digest), so the measured sweeps start from a quiet outbox.
	if _, err := svc.Delivery.Sweep(context.Background(), "bench"); err != nil {
		b.Fatal(err)
	}
	return st, svc, now
}

// BenchmarkSweepNothingDue: a sweep over 100,000 open cases with nothing due.
func BenchmarkSweepNothingDue(b *testing.B) {
	_, svc, _ := benchStore(b, 100000, 0)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := svc.Delivery.Sweep(ctx, "bench")
		if err != nil || res.Inserted != 0 {
			b.Fatalf("%+v %v", res, err)
		}
	}
}

// BenchmarkSweep1000Due: a sweep over 100,000 open cases of which 1,000 have a
// reminder due (two recipients each), written to the outbox.
func BenchmarkSweep1000Due(b *testing.B) {
	st, svc, _ := benchStore(b, 100000, 1000)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if err := st.write.Exec(`DELETE FROM notifications WHERE rule = ?`, docket.RuleCaseReminder).Error; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		res, err := svc.Delivery.Sweep(ctx, "bench")
		if err != nil || res.Inserted != 1000 {
			b.Fatalf("%+v %v", res, err)
		}
	}
}

// engineStore opens a migrated store on the engine under test (a SQLite
// file, or a PostgreSQL schema when TEST_POSTGRES_URL is set), closed when
// the test ends.
func engineStore(tb testing.TB) *Store {
	tb.Helper()
	st, err := Open(storetest.DSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return st
}

// tempStore opens a migrated SQLite store in the test's own directory, closed
// when the test ends.
func tempStore(tb testing.TB) *Store {
	tb.Helper()
	st, err := Open(filepath.Join(tb.TempDir(), "docket.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return st
}
