package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/benchdata"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/storetest"
)

// versionsOf reads the memory's versions as committed.
func versionsOf(t *testing.T, st *Store) memoVersions {
	t.Helper()
	var v memoVersions
	plain(t, st, func(x *tx) error {
		got, err := (&tx{db: x.db, postgres: st.postgres, store: &Store{postgres: st.postgres}}).memoVersions()
		if err == nil {
			v = *got
		}
		return err
	})
	return v
}

// TestMemoryVersionsMoveWithWhatTheyDependOn: each kind of write moves the
// versions of exactly the memories that depend on it, on both engines —
// above all, a draft filed or edited leaves the dashboard's alone, and a
// new token or user moves nothing.
func TestMemoryVersionsMoveWithWhatTheyDependOn(t *testing.T) {
	st, seeded, now := seededStore(t, 60)
	ctx := context.Background()
	lead := seeded.Leads[0]
	lab := seeded.LabMembers[0]
	caseID := seeded.Recordable[lead.ID][0]
	draft := &docket.Case{ID: "draft-1", OrgID: lab.OrgID, Status: docket.StatusDraft, ModelName: "M", ModelVersion: "1",
		Summary: "s", WeightsDigest: "sha256:" + strings.Repeat("ab", 32), Modality: docket.Modalities[0],
		Deployment: docket.Deployments[0], CreatedBy: lab.ID, CreatedAt: now, UpdatedAt: now, RiskTier: "low", ReviewerIDs: []string{}}
	steps := []struct {
		name  string
		write func(x app.Tx) error
		moves func(before, after memoVersions) bool
	}{
		{"a draft filed", func(x app.Tx) error { return x.Cases().CreateCase(draft) },
			func(b, a memoVersions) bool { return a == b }},
		{"a draft edited", func(x app.Tx) error {
			draft.ModelName = "Renamed"
			return x.Cases().UpdateCase(draft)
		}, func(b, a memoVersions) bool { b.Cases++; return a == b }},
		{"a submitted case edited", func(x app.Tx) error {
			c, err := x.Cases().CaseByID(caseID)
			if err != nil {
				return err
			}
			c.ModelName = "Renamed"
			return x.Cases().UpdateCase(c)
		}, func(b, a memoVersions) bool { b.Cases++; b.Board++; return a == b }},
		{"a draft deleted", func(x app.Tx) error { return x.Cases().DeleteCase(draft.ID) },
			func(b, a memoVersions) bool { b.Cases++; return a == b }},
		{"reviewers set", func(x app.Tx) error { return x.Cases().SetReviewers(caseID, []string{seeded.Reviewers[1].ID}) },
			func(b, a memoVersions) bool {
				return a.Cases > b.Cases && a.Board > b.Board && a.Findings == b.Findings && a.Accounts == b.Accounts
			}},
		{"an attestation", func(x app.Tx) error { return x.Cases().Attest(caseID, seeded.Reviewers[1].ID, now) },
			func(b, a memoVersions) bool { b.Attests++; return a == b }},
		{"a finding recorded", func(x app.Tx) error {
			return x.Content().CreateFinding(&docket.Finding{ID: "f-v", CaseID: caseID, Status: docket.FindingDraft, Title: "t",
				Description: "d", Category: "other", Severity: "low", TLP: "TLP:CLEAR", AuthorID: lead.ID, CreatedAt: now, UpdatedAt: now})
		}, func(b, a memoVersions) bool { b.Findings++; return a == b }},
		{"a token made", func(x app.Tx) error {
			return x.Users().CreateToken(&app.Token{ID: "tok-v", UserID: lead.ID, Kind: "session", Hash: "h", CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
		}, func(b, a memoVersions) bool { return a == b }},
		{"a token revoked", func(x app.Tx) error { return x.Users().RevokeToken("tok-v", now) },
			func(b, a memoVersions) bool { b.Accounts++; return a == b }},
	}
	for _, s := range steps {
		before := versionsOf(t, st)
		if err := st.Write(ctx, s.write); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if after := versionsOf(t, st); !s.moves(before, after) {
			t.Errorf("%s: versions %+v became %+v", s.name, before, after)
		}
	}
}

// TestReplicasForgetWhatTheOtherWrote: two stores on one PostgreSQL
// database, as two replicas; what one remembers answers until the other
// writes what it depends on, and not after.
func TestReplicasForgetWhatTheOtherWrote(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only: SQLite has one serving process")
	}
	ctx := context.Background()
	dsn := storetest.DSN(t)
	var stores [2]*Store
	for i := range stores {
		st, err := Open(dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		stores[i] = st
	}
	a, b := stores[0], stores[1]
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	seeded, err := benchdata.Seed(ctx, a, benchdata.SeedOptions{Cases: 80, Now: now, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	f := app.CaseFilter{Now: now, Thresholds: clock.DefaultThresholds(), ExcludeDrafts: true}
	counts := func() map[clock.Band]int {
		var out map[clock.Band]int
		if err := a.Read(ctx, func(x app.Tx) error {
			var err error
			out, err = x.Cases().CountBands(f)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := counts()
	ctx2, log := WithStatementLog(ctx)
	if err := a.Read(ctx2, func(x app.Tx) error { _, err := x.Cases().CountBands(f); return err }); err != nil {
		t.Fatal(err)
	}
	if n := len(log.Statements()); n != 1 {
		t.Fatalf("remembered counts took %d statements, want 1 (the versions)", n)
	}
	id := seeded.Visible[0]
	if err := b.Write(ctx, func(x app.Tx) error {
		c, err := x.Cases().CaseByID(id)
		if err != nil {
			return err
		}
		c.Status, c.ClosedAt = docket.StatusWithdrawn, &now
		return x.Cases().UpdateCase(c)
	}); err != nil {
		t.Fatal(err)
	}
	after := counts()
	if after[clock.Closed] != first[clock.Closed]+1 {
		t.Fatalf("replica a still counts %d closed after replica b closed a case (was %d)", after[clock.Closed], first[clock.Closed])
	}
}
