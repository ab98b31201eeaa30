package benchdata

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/store"
	"github.com/docket/docket/internal/storetest"
)

// seedEnv is a migrated, empty store of the engine under test, with the use
// cases over it standing at one instant.
func seedEnv(t *testing.T) (*store.Store, *app.Services, time.Time) {
	t.Helper()
	st, err := store.Open(storetest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	cfg := config.Default()
	cfg.Secret = strings.Repeat("s", 32)
	at := func() time.Time { return now }
	signer, _ := auth.NewSigner([]byte(cfg.Secret), "docket", at)
	svc := app.New(st, app.Options{Config: cfg, Now: at, Signer: signer, Hasher: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1})})
	return st, svc, now
}

// TestSeedCoversEveryStateAndBand: the benchmark's dataset holds every state
// and band, findings, stops and an audit chain that verifies, and the use
// cases can work on it afterwards, on either engine (PostgreSQL's rows go in
// by COPY).
func TestSeedCoversEveryStateAndBand(t *testing.T) {
	ctx := context.Background()
	st, svc, now := seedEnv(t)
	seeded, err := Seed(ctx, st, SeedOptions{Cases: 3000, Now: now, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(seeded.CaseIDs) != 3000 || seeded.Findings == 0 || seeded.Entries == 0 || len(seeded.LabMembers) != 20 {
		t.Fatalf("seeded %d cases, %d findings, %d Clearinghouse entries, %d labs", len(seeded.CaseIDs), seeded.Findings,
			seeded.Entries, len(seeded.LabMembers))
	}
	r, err := svc.AuditTrail.VerifyAudit(ctx)
	if err != nil || r.Reason != "" || r.Count != int64(seeded.AuditEvents) {
		t.Fatalf("audit chain: %+v %v (seeded %d events)", r, err, seeded.AuditEvents)
	}
	var counts map[clock.Band]int
	err = st.Read(ctx, func(tx app.Tx) error {
		counts, err = tx.Cases().CountBands(app.CaseFilter{Now: now, Thresholds: clock.DefaultThresholds()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []clock.Band{clock.OnTrack, clock.DueSoon, clock.Critical, clock.Overdue, clock.Paused, clock.Closed} {
		if counts[b] == 0 {
			t.Errorf("no case in band %s: %v", b, counts)
		}
	}
	var statuses []struct {
		Status string
		N      int
	}
	var stops, open, decisions, cases, planned int
	err = st.BulkWrite(ctx, func(_ app.Tx, db *gorm.DB) error { // plain counts, on the writer: the readers are the store's own
		db.Raw(`SELECT status, COUNT(*) AS n FROM cases GROUP BY status`).Scan(&statuses)
		db.Raw(`SELECT COUNT(*) FROM cases`).Scan(&cases)
		db.Raw(`SELECT COUNT(*) FROM sweep_due WHERE due_at = 0`).Scan(&planned)
		db.Raw(`SELECT COUNT(*) FROM clock_stops`).Scan(&stops)
		db.Raw(`SELECT COUNT(*) FROM info_requests WHERE status = 'open'`).Scan(&open)
		return db.Raw(`SELECT COUNT(*) FROM decisions`).Scan(&decisions).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(statuses) != len(docket.Statuses) {
		t.Errorf("not every state: %v", statuses)
	}
	if stops == 0 || open == 0 || decisions == 0 {
		t.Errorf("%d stops, %d open requests, %d decisions", stops, open, decisions)
	}
	// Every case is in the sweep's plan, due at the first sweep.
	if planned != cases {
		t.Errorf("%d of %d cases in the sweep's plan", planned, cases)
	}
	feed, err := svc.Clearinghouse.Clearinghouse(ctx, docket.Actor{UserID: seeded.Compliance.ID, Role: docket.RoleCompliance}, "")
	if err != nil || len(feed.Entries) != seeded.Entries {
		t.Fatalf("the Clearinghouse lists %v (%v), the seed wrote %d entries", feed, err, seeded.Entries)
	}
	// The use cases work on the seeded data: a lead records a finding on a case it leads.
	lead := seeded.Leads[0]
	a := docket.Actor{UserID: lead.ID, Role: lead.Role, OrgID: lead.OrgID}
	title, desc, cat, sev, tlp := "t", "d", "other", "low", "TLP:CLEAR"
	caseID := seeded.Recordable[lead.ID][0]
	if _, err := svc.Findings.CreateFinding(ctx, a, caseID, docket.FindingInput{Title: &title, Description: &desc,
		Category: &cat, Severity: &sev, TLP: &tlp}); err != nil {
		t.Fatal(err)
	}
	if r, err := svc.AuditTrail.VerifyAudit(ctx); err != nil || r.Reason != "" {
		t.Fatalf("after a write: %+v %v", r, err)
	}
}

// TestSeedPadsTheAuditChain: AuditEvents pads the chain with sign-ins up to
// the number asked for, and the chain still verifies.
func TestSeedPadsTheAuditChain(t *testing.T) {
	ctx := context.Background()
	st, svc, now := seedEnv(t)
	seeded, err := Seed(ctx, st, SeedOptions{Cases: 2500, AuditEvents: 40000, Now: now, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if seeded.AuditEvents != 40000 {
		t.Fatalf("seeded %d audit events, want 40000", seeded.AuditEvents)
	}
	r, err := svc.AuditTrail.VerifyAudit(ctx)
	if err != nil || r.Reason != "" || r.Count != 40000 {
		t.Fatalf("audit chain: %+v %v", r, err)
	}
	var signIns int
	err = st.BulkWrite(ctx, func(_ app.Tx, db *gorm.DB) error {
		return db.Raw(`SELECT COUNT(*) FROM audit_events WHERE action = 'auth.sign_in'`).Scan(&signIns).Error
	})
	if err != nil || signIns == 0 {
		t.Fatalf("%d sign-ins padded (%v)", signIns, err)
	}
}
