package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/benchdata"
	"github.com/docket/docket/internal/docket"
)

// Benchmarks of the store's hot paths, for benchstat:
//
//	go test -run '^$' -bench 'Dashboard|AuditAppend|CaseRead' -count 10 ./internal/store/ > new.txt
//
// The dashboard's queries are measured as the database answers them, without
// what the store remembers between reads (memo.go), and then as a request
// meets them, remembered.

func benchSeeded(b *testing.B, n int) (*Store, *benchdata.Seeded, time.Time) {
	b.Helper()
	st := tempStore(b)
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	seeded, err := benchdata.Seed(context.Background(), st, benchdata.SeedOptions{Cases: n, Now: now, PasswordHash: "x"})
	if err != nil {
		b.Fatal(err)
	}
	return st, seeded, now
}

// BenchmarkDashboardQuery: the reads of one dashboard page over 10,000 cases
// of every state, for a compliance officer.
func BenchmarkDashboardQuery(b *testing.B) {
	st, seeded, now := benchSeeded(b, 10000)
	f := dashboardFilters(seeded, now)["agency/open"]
	unremembered := func(b *testing.B, fn func(*tx) error) {
		for b.Loop() {
			if err := st.read.Transaction(func(db *gorm.DB) error { return fn(&tx{db: db}) }); err != nil {
				b.Fatal(err)
			}
		}
	}
	var deep string
	if err := st.read.Transaction(func(db *gorm.DB) error {
		p := app.Page{Limit: 50}
		for range 100 {
			_, next, err := (&tx{db: db}).Cases().ListCases(f, p)
			if err != nil || next == "" {
				return fmt.Errorf("no page after %q: %v", p.Cursor, err)
			}
			p.Cursor = next
		}
		deep = p.Cursor
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	var ids []string
	b.Run("first-page", func(b *testing.B) {
		unremembered(b, func(x *tx) error {
			cases, _, err := x.Cases().ListCases(f, app.Page{Limit: 50})
			ids = ids[:0]
			for _, c := range cases {
				ids = append(ids, c.ID)
			}
			return err
		})
	})
	b.Run("page-101", func(b *testing.B) {
		unremembered(b, func(x *tx) error {
			_, _, err := x.Cases().ListCases(f, app.Page{Limit: 50, Cursor: deep})
			return err
		})
	})
	b.Run("band-counts", func(b *testing.B) {
		unremembered(b, func(x *tx) error {
			_, err := x.Cases().CountBands(f)
			return err
		})
	})
	b.Run("finding-counts", func(b *testing.B) {
		unremembered(b, func(x *tx) error {
			_, err := x.Content().CountFindings(app.FindingCountFilter{CaseIDs: ids, Now: now})
			return err
		})
	})
	b.Run("remembered", func(b *testing.B) {
		for b.Loop() {
			err := st.Read(context.Background(), func(x app.Tx) error {
				if _, err := x.Cases().CountBands(f); err != nil {
					return err
				}
				cases, _, err := x.Cases().ListCases(f, app.Page{Limit: 50})
				if err != nil {
					return err
				}
				ids = ids[:0]
				for _, c := range cases {
					ids = append(ids, c.ID)
				}
				_, err = x.Content().CountFindings(app.FindingCountFilter{CaseIDs: ids, Now: now})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCaseRead: one case with its reviewers and a lead's attestation,
// as every case route reads it.
func BenchmarkCaseRead(b *testing.B) {
	st, seeded, _ := benchSeeded(b, 10000)
	lead := seeded.Leads[0].ID
	i := 0
	b.Run("unremembered", func(b *testing.B) {
		for b.Loop() {
			id := seeded.Visible[i%len(seeded.Visible)]
			i++
			if err := st.read.Transaction(func(db *gorm.DB) error {
				_, _, err := (&tx{db: db}).Cases().CaseWithAttestation(id, lead)
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("remembered", func(b *testing.B) {
		for b.Loop() {
			id := seeded.Visible[i%100]
			i++
			if err := st.Read(context.Background(), func(x app.Tx) error {
				_, _, err := x.Cases().CaseWithAttestation(id, lead)
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAuditAppend: one write transaction appending one event to the
// chain (synchronous=FULL: each commit is on disk before the next).
func BenchmarkAuditAppend(b *testing.B) {
	st := tempStore(b)
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	i := 0
	for b.Loop() {
		i++
		ev := &docket.AuditEvent{ID: fmt.Sprintf("ev-%d", i), At: now, ActorID: "u", ActorRole: "reviewer", OrgID: "o",
			Action: "finding.created", SubjectType: "finding", SubjectID: "f", CaseID: "c", RequestID: "r",
			ClientIP: "127.0.0.1", Changes: `{"severity":"high"}`}
		if err := st.Write(context.Background(), func(x app.Tx) error { return x.Audit().AppendAudit(ev) }); err != nil {
			b.Fatal(err)
		}
	}
}
