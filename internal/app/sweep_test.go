package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/store"
)

// marks reads the cases the next sweep at the clock's instant would plan.
func (e *env) marks() []string {
	e.t.Helper()
	var ids []string
	e.must(e.st.Read(ctx, func(tx app.Tx) error {
		ms, err := tx.Sweep().DueCases(e.clock.Now())
		for _, m := range ms {
			ids = append(ids, m.CaseID)
		}
		return err
	}))
	return ids
}

// casesLoaded counts the case loads among the statements a sweep ran.
func casesLoaded(log *store.StatementLog) int {
	n := 0
	for _, s := range log.Statements() {
		if strings.Contains(s, "FROM cases JOIN orgs") {
			n++
		}
	}
	return n
}

// TestSweepPlansOnlyTheCasesDue: after a sweep, a sweep with nothing due
// plans no case; a change to a case, its requests or findings makes that
// case alone due at once; the instant its next rule falls due makes it due
// then; and a change to who holds a role plans every case again once.
func TestSweepPlansOnlyTheCasesDue(t *testing.T) {
	e := newEnv(t)
	a := e.submitAt(received, true)
	b := e.submitAt(received, true)
	e.submitAt(received, true)
	e.sweep(e.svc, "p1")
	if m := e.marks(); len(m) != 0 {
		t.Fatalf("due again at once after a sweep: %v", m)
	}
	sctx, log := store.WithStatementLog(ctx)
	_, err := e.svc.Delivery.Sweep(sctx, "p1")
	e.must(err)
	if n := casesLoaded(log); n != 0 {
		t.Fatalf("a sweep with nothing due loaded cases %d times:\n%s", n, strings.Join(log.Statements(), "\n"))
	}
	// A change to one case, and an information request on another.
	_, err = e.svc.Cases.Assign(ctx, e.a["lead"], a, []string{e.a["rev2"].UserID}, e.a["lead"].UserID)
	e.must(err)
	_, err = e.svc.Cases.Attest(ctx, e.a["lead"], b)
	e.must(err)
	r, err := e.svc.Cases.RequestInfo(ctx, e.a["lead"], b, "Logs?")
	e.must(err)
	_, err = e.svc.Cases.AnswerInfoRequest(ctx, e.a["lab"], r.ID, "Here.")
	e.must(err)
	if m := strings.Join(e.marks(), ","); m != strings.Join(sorted(a, b), ",") {
		t.Fatalf("due after the changes: %s, want %s and %s", m, a, b)
	}
	e.sweep(e.svc, "p1")
	if m := e.marks(); len(m) != 0 {
		t.Fatalf("still due after the sweep: %v", m)
	}
	// The seven-day reminder of the running cases: due at its instant, not before.
	seven := time.Date(2026, 6, 25, 13, 0, 0, 0, time.UTC) // 09:00 EDT, seven days before
	e.clock.Set(seven.Add(-time.Millisecond))
	if m := e.marks(); len(m) != 0 {
		t.Fatalf("due before the reminder: %v", m)
	}
	e.clock.Set(seven)
	if m := e.marks(); len(m) != 3 {
		t.Fatalf("at the reminder, due: %v (want the three cases)", m)
	}
	if n := e.sweep(e.svc, "p1"); n != 6 { // the reviewer and the lead of each
		t.Fatalf("reminders sent: %d %v", n, e.sent())
	}
	// A new user in a role plans every case again, once.
	_, err = e.svc.Accounts.CreateUserCLI(ctx, "lead2@example.org", "lead2", "review_lead", "Agency", "agency", "correct horse battery staple")
	e.must(err)
	sctx, log = store.WithStatementLog(ctx)
	_, err = e.svc.Delivery.Sweep(sctx, "p1")
	e.must(err)
	if casesLoaded(log) == 0 {
		t.Fatal("a new review lead did not plan the cases again")
	}
	sctx, log = store.WithStatementLog(ctx)
	_, err = e.svc.Delivery.Sweep(sctx, "p1")
	e.must(err)
	if n := casesLoaded(log); n != 0 {
		t.Fatalf("planned again after the full plan: %d loads", n)
	}
}

func sorted(ids ...string) []string {
	out := append([]string(nil), ids...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestAStopCanCreateAConflictUnswept: a stopped clock whose deadline moves
// onto the release day is due at that instant, with no write to wake it.
func TestAStopCanCreateAConflictUnswept(t *testing.T) {
	e := newEnv(t)
	// Due 2026-07-02 (EDT); the release on 2026-07-06: a stop longer than
	// three days makes the deadline reach it.
	id := e.submitWith(received, true, "2026-07-06")
	_, err := e.svc.Cases.Attest(ctx, e.a["lead"], id)
	e.must(err)
	e.clock.Set(time.Date(2026, 6, 10, 12, 0, 0, 0, time.UTC))
	_, err = e.svc.Cases.RequestInfo(ctx, e.a["lead"], id, "Which evals?")
	e.must(err)
	e.sweep(e.svc, "p1")
	if e.count("case.release_conflict") != 0 {
		t.Fatal("a conflict before the deadline reached the release day")
	}
	for at := e.clock.Now(); at.Before(time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)); at = at.Add(6 * time.Hour) {
		e.clock.Set(at)
		e.sweep(e.svc, "p1")
	}
	if e.count("case.release_conflict") == 0 {
		t.Fatalf("the conflict the stop created was not sent: %v", e.sent())
	}
}

// TestASweepKeepsAChangeMadeWhileItPlanned: a mark read before a change is
// not written over it; the case stays due.
func TestASweepKeepsAChangeMadeWhileItPlanned(t *testing.T) {
	e := newEnv(t)
	id := e.submitAt(received, true)
	var marks []app.SweepMark
	e.must(e.st.Read(ctx, func(tx app.Tx) error {
		var err error
		marks, err = tx.Sweep().DueCases(e.clock.Now())
		return err
	}))
	if len(marks) != 1 || marks[0].CaseID != id {
		t.Fatalf("marks %+v", marks)
	}
	_, err := e.svc.Cases.Attest(ctx, e.a["lead"], id)
	e.must(err)
	_, err = e.svc.Cases.RequestInfo(ctx, e.a["lead"], id, "Logs?")
	e.must(err)
	marks[0].DueAt = app.SweepNever
	e.must(e.st.Write(ctx, func(tx app.Tx) error {
		n, err := tx.Sweep().SetDue(marks)
		if n != 0 {
			t.Errorf("a stale mark was written over the change (%d rows)", n)
		}
		return err
	}))
	if m := e.marks(); len(m) != 1 {
		t.Fatalf("the changed case is no longer due: %v", m)
	}
}
