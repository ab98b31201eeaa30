package store

import (
	"context"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/storetest"
)

// TestSeedCoversEveryStateAndBand: the benchmark's dataset holds every state
// and band, findings, stops and an audit chain that verifies, and the use
// cases can work on it afterwards.
func TestSeedCoversEveryStateAndBand(t *testing.T) {
	storetest.SkipOnPostgres(t, "the seed writes SQLite")
	st := tempStore(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	svc := benchSvc(t, st, now)
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
	if err := st.read.Raw(`SELECT status, COUNT(*) AS n FROM cases GROUP BY status`).Scan(&statuses).Error; err != nil {
		t.Fatal(err)
	}
	if len(statuses) != len(docket.Statuses) {
		t.Errorf("not every state: %v", statuses)
	}
	var stops, open, decisions int
	st.read.Raw(`SELECT COUNT(*) FROM clock_stops`).Scan(&stops)
	st.read.Raw(`SELECT COUNT(*) FROM info_requests WHERE status = 'open'`).Scan(&open)
	st.read.Raw(`SELECT COUNT(*) FROM decisions`).Scan(&decisions)
	if stops == 0 || open == 0 || decisions == 0 {
		t.Errorf("%d stops, %d open requests, %d decisions", stops, open, decisions)
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
