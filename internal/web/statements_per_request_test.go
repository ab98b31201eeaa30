package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/docket/docket/internal/store"
)

// recording wraps h so that every request's transactions and statements are
// recorded in log (store.WithStatementLog), as a request log of SQL.
func recording(h http.Handler, log **store.StatementLog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, l := store.WithStatementLog(r.Context())
		*log = l
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// TestStatementsPerRequest is the request log of SQL of the two reads every
// screen starts from, a case and the dashboard, on the engine under test:
// it prints each statement, and holds each read to the statements and
// transactions it takes today, so that a change that adds round trips to
// them is seen. On PostgreSQL a case read is two statements outside any
// transaction (the token, then the case: Store.ReadOne) and the dashboard
// one transaction besides the token's statement, answered from memory the
// second time but for the versions it is remembered under; SQLite begins a
// read transaction for each, which costs no round trip, and remembers more.
func TestStatementsPerRequest(t *testing.T) {
	w := newWorld(t)
	f := w.caseIn("in_review")
	var log *store.StatementLog
	w.h = recording(w.h, &log)
	reads := []struct {
		name, user, path string
		// most statements and transactions the read may take, on SQLite
		// and on PostgreSQL
		stmts, txs, pgStmts, pgTxs int
	}{
		{"case read", "lead", "/api/v1/cases/" + f.caseID, 2, 2, 2, 0},
		{"case read again", "lead", "/api/v1/cases/" + f.caseID, 0, 2, 2, 0},
		{"dashboard", "co", "/api/v1/dashboard", 6, 2, 7, 1},
		// Remembered: on PostgreSQL the token and the versions of what is
		// remembered (memo.go), which every replica reads from the database.
		{"dashboard again", "co", "/api/v1/dashboard", 0, 2, 2, 1},
	}
	engine := "SQLite"
	if w.store.Postgres() {
		engine = "PostgreSQL"
		for i := range reads {
			reads[i].stmts, reads[i].txs = reads[i].pgStmts, reads[i].pgTxs
		}
	}
	for _, rd := range reads {
		want(t, w.as(rd.user, "GET", rd.path, nil), 200)
		stmts := log.Statements()
		t.Logf("%s, %s: %d transactions, %d statements\n  %s", engine, rd.name, log.Transactions(), len(stmts), strings.Join(stmts, "\n  "))
		for _, st := range stmts {
			// The log holds statements with their placeholders, never the values bound to them.
			if strings.Contains(st, f.caseID) {
				t.Errorf("%s: a bound value (the case's id) is in the log: %s", rd.name, st)
			}
		}
		if len(stmts) > rd.stmts || log.Transactions() > rd.txs {
			t.Errorf("%s: %d statements in %d transactions, at most %d in %d expected", rd.name, len(stmts), log.Transactions(), rd.stmts, rd.txs)
		}
	}
}
