package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/storetest"
)

// TestGroupCommitKeepsEachUseCaseApart: many writers at once, committed
// together, each with its own outcome: what succeeded is there with its
// audit event, what failed or panicked left nothing, a panic reaches its own
// caller, and a use case that ends the shared transaction itself costs the
// others nothing (they run again alone). The chain verifies.
func TestGroupCommitKeepsEachUseCaseApart(t *testing.T) {
	storetest.SkipOnPostgres(t, "group commit is SQLite's")
	st := tempStore(t)
	ctx := context.Background()
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	svc := benchSvc(t, st, now)
	if _, err := svc.Accounts.CreateUserCLI(ctx, "lab@example.org", "Lab", "lab_member", "Frontier", "lab", "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	var org struct{ ID string }
	if err := st.read.Raw(`SELECT id FROM orgs WHERE name = 'Frontier'`).Scan(&org).Error; err != nil {
		t.Fatal(err)
	}
	var userID string
	if err := st.read.Raw(`SELECT id FROM users WHERE email = 'lab@example.org'`).Scan(&userID).Error; err != nil {
		t.Fatal(err)
	}
	const writers, each = 24, 15
	errRefused := errors.New("refused")
	type outcome struct {
		id       string
		err      error
		panicked any
	}
	outcomes := make(chan outcome, writers*each)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				id := fmt.Sprintf("case-%02d-%02d", w, i)
				kind := (w*each + i) % 10 // 0: refused, 1: panics, 2: ends the transaction, else writes
				o := outcome{id: id}
				func() {
					defer func() { o.panicked = recover() }()
					o.err = st.Write(ctx, func(x app.Tx) error {
						c := &docket.Case{ID: id, OrgID: org.ID, Status: docket.StatusDraft, ModelName: "M", ModelVersion: "1",
							RiskTier: "low", CreatedBy: userID, CreatedAt: now, UpdatedAt: now}
						if err := x.Cases().CreateCase(c); err != nil {
							return err
						}
						if err := x.Audit().AppendAudit(&docket.AuditEvent{ID: "ev-" + id, At: now, ActorID: userID, ActorRole: "lab_member",
							OrgID: org.ID, Action: "case.created", SubjectType: "case", SubjectID: id, CaseID: id, Changes: "{}"}); err != nil {
							return err
						}
						switch kind {
						case 0:
							return errRefused
						case 1:
							panic("use case " + id)
						case 2:
							// Ends whatever transaction it runs in, shared or not.
							return x.(*tx).db.Exec(`ROLLBACK`).Error
						}
						return nil
					})
				}()
				outcomes <- o
			}
		}()
	}
	wg.Wait()
	close(outcomes)
	var written []string
	for o := range outcomes {
		var w, i int
		fmt.Sscanf(o.id, "case-%d-%d", &w, &i)
		kind := (w*each + i) % 10
		var n int64
		if err := st.read.Raw(`SELECT COUNT(*) FROM cases WHERE id = ?`, o.id).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		switch {
		case kind == 0 && (!errors.Is(o.err, errRefused) || n != 0):
			t.Errorf("%s: refused use case: %v, %d rows", o.id, o.err, n)
		case kind == 1 && (o.panicked != "use case "+o.id || n != 0):
			t.Errorf("%s: panicking use case: %v, %d rows", o.id, o.panicked, n)
		case kind == 2 && (o.err == nil || n != 0):
			t.Errorf("%s: transaction-ending use case: %v, %d rows", o.id, o.err, n)
		case kind > 2 && (o.err != nil || o.panicked != nil || n != 1):
			t.Errorf("%s: %v %v, %d rows", o.id, o.err, o.panicked, n)
		case kind > 2:
			written = append(written, o.id)
		}
	}
	if want := writers * each * 7 / 10; len(written) != want {
		t.Errorf("%d use cases written, want %d", len(written), want)
	}
	if st.commits.shared.Load() == 0 || st.commits.aborted.Load() == 0 {
		t.Errorf("%d shared batches, %d aborted: the test did not exercise group commit", st.commits.shared.Load(), st.commits.aborted.Load())
	}
	r, err := svc.AuditTrail.VerifyAudit(ctx)
	if err != nil || r.Reason != "" {
		t.Fatalf("audit chain: %+v %v", r, err)
	}
}
