package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/storetest"
)

// TestSweepQueriesUseIndexes: the sweep reads only what can be due, so its
// cost follows what is due, not how many cases exist. A schema change that
// turns one of its queries into a table scan fails here.
func TestSweepQueriesUseIndexes(t *testing.T) {
	storetest.SkipOnPostgres(t, "EXPLAIN QUERY PLAN")
	st, err := Open(filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	seedOpenCases(t, st, benchSvc(t, st, now), now, 2000, 10)
	if err := st.write.Exec("ANALYZE").Error; err != nil {
		t.Fatal(err)
	}
	// Each part of the candidate query must be served by its own narrow index.
	wantIndexes := map[string][]string{
		"notify cases": {"cases_status_deadline", "cases_open_stop", "cases_received", "cases_release_conflict"},
		"findings due": {"findings_open"},
	}
	for name, q := range map[string]string{
		"notify cases":  notifyCasesSQL,
		"open requests": `SELECT * FROM info_requests WHERE status = 'open' AND opened_at <= ?`,
		"existing keys": `SELECT key FROM notifications WHERE key IN (?)`,
		"acked groups":  `SELECT group_key FROM notification_acks WHERE group_key IN (?)`,
		"inbox":         `SELECT * FROM notifications WHERE recipient_id = ? ORDER BY created_at DESC, id DESC LIMIT 50`,
		"pending":       `SELECT * FROM notifications WHERE state = 'pending' ORDER BY created_at, id LIMIT 1000`,
		"active users":  userSelect + " WHERE users.role = ? AND users.disabled = ?",
		"cases by id":   caseSelect + " WHERE cases.id IN (?)",
		"reviewers":     `SELECT case_id, user_id FROM case_reviewers WHERE case_id IN (?) ORDER BY user_id`,
	} {
		var rows []struct{ Detail string }
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = "x"
		}
		if err := st.read.Raw("EXPLAIN QUERY PLAN "+q, args...).Scan(&rows).Error; err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plan := ""
		for _, r := range rows {
			plan += r.Detail + "\n"
		}
		for _, index := range wantIndexes[name] {
			if !strings.Contains(plan, "USING INDEX "+index+" ") && !strings.Contains(plan, "USING COVERING INDEX "+index+" ") {
				t.Errorf("%s does not use %s:\n%s", name, index, plan)
			}
		}
		for _, r := range rows {
			if strings.HasPrefix(r.Detail, "SCAN cases") || strings.HasPrefix(r.Detail, "SCAN notifications") ||
				strings.HasPrefix(r.Detail, "SCAN info_requests") || strings.HasPrefix(r.Detail, "SCAN case_reviewers") {
				t.Errorf("%s scans a table: %v", name, rows)
			}
		}
	}
}
