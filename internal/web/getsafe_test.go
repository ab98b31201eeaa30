package web_test

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // read the database behind the server's back

	"github.com/docket/docket/internal/storetest"
)

// snapshot hashes every row of every domain table. The audit trail is left
// out: reads may record denied access there, and nothing else.
func snapshot(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('audit_events', 'audit_head')`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatalf("list tables: %v", err)
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("list tables: %v", err)
	}
	rows.Close()
	if len(tables) == 0 {
		t.Fatal("no tables in the snapshot: nothing would be compared")
	}
	out := map[string]string{}
	for _, table := range tables {
		r, err := db.Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := r.Columns()
		if err != nil {
			t.Fatalf("columns of %s: %v", table, err)
		}
		var lines []string
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatalf("read %s: %v", table, err)
			}
			lines = append(lines, fmt.Sprint(vals...))
		}
		if err := r.Err(); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		r.Close()
		sort.Strings(lines)
		sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
		out[table] = fmt.Sprintf("%d rows %s", len(lines), hex.EncodeToString(sum[:8]))
	}
	return out
}

// TestNoGETChangesAnything replays every GET route of the router (API and
// pages) as every role, with ids of real objects, and compares every domain
// table before and after: GET never changes state.
func TestNoGETChangesAnything(t *testing.T) {
	storetest.SkipOnPostgres(t, "reads the SQLite file")
	w := newWorld(t)
	f := w.withContent(w.caseIn("awaiting_lab"))
	draft := w.caseIn("draft")
	w.clock.Advance(40 * 24 * time.Hour) // lapsed: reminders and escalations are due
	w.sweep()
	ids := map[string]string{
		"/cases/": f.caseID, "/findings/": f.findingID, "/attachments/": f.attachmentID,
		"/info-requests/": f.requestID, "/users/": w.users["rev"].ID, "/orgs/": w.users["lab"].OrgID,
	}
	// Page sessions are opened before the snapshot: signing in is a POST.
	cookies := map[string][]*http.Cookie{}
	for _, user := range []string{"lab", "rival", "rev", "lead", "co", "admin"} {
		for _, c := range w.pageAs(user).cookies {
			cookies[user] = append(cookies[user], c)
		}
	}
	before := snapshot(t, w.cfg.DB)
	requests, ok := 0, 0
	for _, r := range w.srv.Echo().Routes() {
		if r.Method != http.MethodGet || strings.HasPrefix(r.Path, "/static") {
			continue
		}
		for _, caseID := range []string{f.caseID, draft.caseID} {
			path := r.Path
			for prefix, id := range ids {
				if prefix == "/cases/" {
					id = caseID
				}
				path = strings.Replace(path, prefix+":id", prefix+id, 1)
			}
			path = strings.ReplaceAll(path, ":id", caseID)
			path = strings.ReplaceAll(path, ":token", "not-a-token")
			path = strings.ReplaceAll(path, "*", "x")
			for _, user := range []string{"lab", "rival", "rev", "lead", "co", "admin", ""} {
				req := httptest.NewRequest("GET", path+"?until="+w.clock.Now().Add(48*time.Hour).Format(time.RFC3339), nil)
				api := strings.HasPrefix(path, "/api/")
				if user != "" && api {
					req.Header.Set("Authorization", "Bearer "+w.users[user].Token)
				} else if user != "" {
					for _, c := range cookies[user] {
						req.AddCookie(c)
					}
				}
				rec := httptest.NewRecorder()
				w.srv.Handler().ServeHTTP(rec, req)
				if rec.Code >= 500 {
					t.Errorf("GET %s as %q: %d", path, user, rec.Code)
				}
				if rec.Code == 200 {
					ok++
				}
				requests++
			}
		}
	}
	after := snapshot(t, w.cfg.DB)
	for table, sum := range before {
		if after[table] != sum {
			t.Errorf("GET requests changed %s: %s → %s", table, sum, after[table])
		}
	}
	if ok < requests/5 {
		t.Fatalf("only %d of %d GET requests succeeded: the replay is not reaching the handlers", ok, requests)
	}
	t.Logf("%d GET requests (%d answered 200) over %d tables changed nothing", requests, ok, len(before))
}
