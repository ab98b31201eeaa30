package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
)

// seedOpenCases writes n open, assigned cases straight through the store in
// batches: due is far away for all but the first dueSoon, whose seven-day
// reminder has just fallen due at now.
func seedOpenCases(tb testing.TB, st *Store, svc *app.Service, now time.Time, n, dueSoon int) {
	tb.Helper()
	ctx := context.Background()
	lab, err := svc.CreateUserCLI(ctx, "lab@example.org", "Lab", "lab_member", "Frontier", "lab", "correct horse battery staple")
	if err != nil {
		tb.Fatal(err)
	}
	lead, err := svc.CreateUserCLI(ctx, "lead@example.org", "Lead", "review_lead", "Agency", "agency", "correct horse battery staple")
	if err != nil {
		tb.Fatal(err)
	}
	for _, r := range []string{"reviewer", "compliance_officer"} {
		if _, err := svc.CreateUserCLI(ctx, r+"@example.org", r, r, "Agency", "agency", "correct horse battery staple"); err != nil {
			tb.Fatal(err)
		}
	}
	err = st.write.Transaction(func(db *gorm.DB) error {
		rows := make([]caseRow, 0, 1000)
		flush := func() error {
			if len(rows) == 0 {
				return nil
			}
			if err := db.Omit("OrgName", "Urgency").CreateInBatches(rows, 500).Error; err != nil {
				return err
			}
			rows = rows[:0]
			return nil
		}
		for i := 0; i < n; i++ {
			received := now.Add(-time.Duration(i%20) * 24 * time.Hour) // due 10 to 30 days ahead
			if i < dueSoon {
				// Due in a little over six days: the seven-day reminder is due.
				received = now.Add(-time.Duration(23*24+12) * time.Hour)
			}
			base := received.Add(30 * 24 * time.Hour)
			c := &docket.Case{ID: fmt.Sprintf("case-%06d", i), OrgID: lab.OrgID, Number: fmt.Sprintf("DKT-2026-%06d", i+1),
				Status: docket.StatusInReview, ModelName: "Model", ModelVersion: "1", LeadID: lead.ID, RiskTier: "low",
				CreatedBy: lab.ID, CreatedAt: received, UpdatedAt: received}
			c.Clock = docket.CaseClock{Seq: 1, ReceivedAt: &received, StartedAt: &received, WindowDays: 30,
				Timezone: "America/New_York", PauseOnInfoRequest: true, BaseDueAt: &base}
			rows = append(rows, caseRowOf(c))
			if len(rows) == cap(rows) {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// benchSvc is a service standing at now.
func benchSvc(tb testing.TB, st *Store, now time.Time) *app.Service {
	cfg := config.Default()
	cfg.Secret = strings.Repeat("s", 32)
	clock := func() time.Time { return now }
	signer, _ := auth.NewSigner([]byte(cfg.Secret), "docket", clock)
	return app.New(st, app.Options{Config: cfg, Now: clock, Signer: signer, Hasher: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1})})
}

func benchStore(b *testing.B, n, due int) (*Store, *app.Service, time.Time) {
	st, err := Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	svc := benchSvc(b, st, now)
	seedOpenCases(b, st, svc, now, n, due)
	if _, err := svc.HoldLease(context.Background(), "bench"); err != nil {
		b.Fatal(err)
	}
	// Send what is due once (the digest), so the measured sweeps start from a quiet outbox.
	if _, err := svc.Sweep(context.Background(), "bench"); err != nil {
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
		res, err := svc.Sweep(ctx, "bench")
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
		res, err := svc.Sweep(ctx, "bench")
		if err != nil || res.Inserted != 1000 {
			b.Fatalf("%+v %v", res, err)
		}
	}
}
