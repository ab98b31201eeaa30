package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/storetest"
)

// TestSweepQueriesUseIndexes: the sweep reads only what can be due, so its
// cost follows what is due, not how many cases exist. A schema change that
// turns one of its queries into a table scan fails here.
func TestSweepQueriesUseIndexes(t *testing.T) {
	storetest.SkipOnPostgres(t, "EXPLAIN QUERY PLAN")
	st := tempStore(t)
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	seedOpenCases(t, st, benchSvc(t, st, now), now, 2000, 10)
	if err := st.write.Exec("ANALYZE").Error; err != nil {
		t.Fatal(err)
	}
	// Each part of the candidate query must be served by its own narrow index.
	wantIndexes := map[string][]string{
		"notify cases": {"cases_status_deadline", "cases_open_stop", "cases_received", "cases_release_conflict"},
		"findings due": {"findings_open"},
		"old events":   {"webhook_events_pending"},
		"due cases":    {"sweep_due_at"},
	}
	for name, q := range map[string]string{
		"notify cases":  notifyCasesSQL,
		"open requests": `SELECT * FROM info_requests WHERE status = 'open' AND opened_at <= ?`,
		"existing keys": `SELECT key FROM notifications WHERE key IN (?)`,
		"acked groups":  `SELECT group_key FROM notification_acks WHERE group_key IN (?)`,
		"inbox":         `SELECT * FROM notifications WHERE recipient_id = ? ORDER BY created_at DESC, id DESC LIMIT 50`,
		"pending":       `SELECT * FROM notifications WHERE state = 'pending' ORDER BY created_at, id LIMIT 1000`,
		"active users":  userSelect + " WHERE users.role = ? AND users.disabled = ?",
		"cases by id": `SELECT cases.*, orgs.name AS org_name, ` + (&tx{}).reviewerList() +
			` FROM cases JOIN orgs ON orgs.id = cases.org_id WHERE cases.id IN (?)`,
		"reviewers":  `SELECT case_id, user_id FROM case_reviewers WHERE case_id IN (?) ORDER BY user_id`,
		"old events": oldEventsSQL,
		// The sweep's plan: the cases due, then what their rules read.
		"due cases":           `SELECT case_id, changes FROM sweep_due WHERE due_at <= ?`,
		"requests of cases":   `SELECT * FROM info_requests WHERE status = 'open' AND case_id IN (?) ORDER BY opened_at, id`,
		"findings of cases":   `SELECT * FROM findings WHERE status = 'shared' AND case_id IN (?) ORDER BY response_due_at, id`,
		"lapsed of the cases": `SELECT id FROM cases WHERE id IN (?) AND status IN ('submitted', 'in_review', 'awaiting_lab') AND open_stop_at IS NULL AND deadline_key < ?`,
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
				strings.HasPrefix(r.Detail, "SCAN info_requests") || strings.HasPrefix(r.Detail, "SCAN case_reviewers") ||
				strings.HasPrefix(r.Detail, "SCAN webhook_events") || strings.HasPrefix(r.Detail, "SCAN sweep_due") ||
				strings.HasPrefix(r.Detail, "SCAN findings") {
				t.Errorf("%s scans a table: %v", name, rows)
			}
		}
	}
}

// explain returns the plan of q, one step a line.
func explain(t *testing.T, st *Store, q string, args ...any) string {
	t.Helper()
	var rows []struct{ Detail string }
	if err := st.read.Raw("EXPLAIN QUERY PLAN "+q, args...).Scan(&rows).Error; err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	plan := ""
	for _, r := range rows {
		plan += r.Detail + "\n"
	}
	return plan
}

// TestDashboardQueriesUseIndexes: every query of a dashboard request reads
// by index, and the list reads its index in order (no sort of every open
// case), so that its cost follows the page, not the number of cases.
func TestDashboardQueriesUseIndexes(t *testing.T) {
	storetest.SkipOnPostgres(t, "SQLite's plans (TestPostgresDashboardQueriesUseIndexes reads PostgreSQL's)")
	st, seeded, now := seededStore(t, 2000)
	if err := st.write.Exec("ANALYZE").Error; err != nil {
		t.Fatal(err)
	}
	f := dashboardFilters(seeded, now)["agency/open"]
	after := &cursor{K: 5 * 24 * 3600 * 1000, ID: "m", At: ms(now)}
	for _, c := range []*cursor{nil, after} {
		for _, uq := range urgentQueries(f, ms(now), c, 51, true) {
			plan := explain(t, st, uq.sql, uq.args)
			if !strings.Contains(plan+" ", "INDEX cases_"+uq.name+" ") && !strings.Contains(plan, "INDEX cases_"+uq.name+"\n") {
				t.Errorf("the %s stream does not read cases_%s:\n%s", uq.name, uq.name, plan)
			}
			if strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("the %s stream sorts:\n%s", uq.name, plan)
			}
		}
	}
	ids := make([]any, 51)
	for i := range ids {
		ids[i] = "x"
	}
	for name, q := range map[string]string{
		"page of cases": `SELECT cases.*, orgs.name AS org_name, ` + (&tx{}).reviewerList() +
			` FROM cases JOIN orgs ON orgs.id = cases.org_id WHERE cases.id IN (` + placeholders(51) + `)`,
		"open findings": `SELECT case_id, severity, status, response_due_at FROM findings WHERE case_id IN (` + placeholders(51) + `)`,
		"finding counts": `SELECT findings.case_id AS case_id, findings.severity AS severity,
SUM(CASE WHEN findings.status IN ('draft', 'shared', 'lab_responded') THEN 1 ELSE 0 END) AS n,
SUM(CASE WHEN findings.status = 'shared' AND findings.response_due_at < 0 THEN 1 ELSE 0 END) AS overdue
FROM findings WHERE findings.case_id IN (` + placeholders(51) + `) GROUP BY findings.case_id, findings.severity`,
		"clock stops": `SELECT * FROM clock_stops WHERE case_id IN (` + placeholders(51) + `) ORDER BY case_id, clock_seq, started_at`,
	} {
		plan := explain(t, st, q, ids...)
		for _, scan := range []string{"SCAN cases", "SCAN findings", "SCAN case_reviewers", "SCAN clock_stops", "SCAN orgs"} {
			if strings.Contains(plan, scan) {
				t.Errorf("%s scans a table:\n%s", name, plan)
			}
		}
		if name == "open findings" || name == "finding counts" {
			if !strings.Contains(plan, "INDEX findings_case ") {
				t.Errorf("%s does not read findings_case:\n%s", name, plan)
			}
		}
	}
	for name, q := range map[string]string{
		"a case": `SELECT cases.*, orgs.name AS org_name, ` + (&tx{}).reviewerList() + `,
EXISTS (SELECT 1 FROM attestations WHERE attestations.case_id = cases.id AND attestations.user_id = ?) AS attested
FROM cases JOIN orgs ON orgs.id = cases.org_id WHERE cases.id = ?`,
		"a token": `SELECT users.*, orgs.name AS org_name FROM tokens JOIN users ON users.id = tokens.user_id
JOIN orgs ON orgs.id = users.org_id WHERE tokens.id = ?`,
	} {
		plan := explain(t, st, q, "x", "y")
		if strings.Contains(plan, "SCAN ") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s is not read by key:\n%s", name, plan)
		}
	}
}

// TestPostgresDashboardQueriesUseIndexes: on PostgreSQL too, the
// dashboard's running cases are read in order from their partial index (no
// sort of every open case), and neither its streams nor its band counts
// (open cases from indexes, closed ones from the kept counts) read every
// case: over 20,000 cases, most of them closed, with statistics taken.
func TestPostgresDashboardQueriesUseIndexes(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only: its plans")
	}
	st := engineStore(t)
	now := time.Date(2026, 6, 15, 13, 0, 0, 0, time.UTC)
	day := int64(24 * 3600 * 1000)
	for _, q := range []string{
		`INSERT INTO orgs (id, name, kind, created_at) VALUES ('lab', 'Lab', 'lab', 0)`,
		`INSERT INTO users (id, org_id, email, name, role, password_hash, created_at, updated_at) VALUES ('u', 'lab', 'u@example.org', 'U', 'lab_member', 'x', 0, 0)`,
		// Four in five closed, then running with deadlines over sixty days, and paused.
		`INSERT INTO cases (id, org_id, status, model_name, model_version, created_by, created_at, updated_at, deadline_key, open_stop_at)
SELECT 'c' || g, 'lab', CASE WHEN g % 5 <> 0 THEN 'decided' WHEN g % 15 = 0 THEN 'awaiting_lab' ELSE 'in_review' END, 'M', '1', 'u', 0, 0,
CAST(@now AS BIGINT) + (g % 60 - 10) * CAST(@day AS BIGINT), CASE WHEN g % 15 = 0 THEN CAST(@now AS BIGINT) - CAST(@day AS BIGINT) END FROM generate_series(1, 20000) AS g`,
		`ANALYZE`,
	} {
		var args []any
		if strings.Contains(q, "@now") {
			args = append(args, map[string]any{"now": ms(now), "day": day})
		}
		if err := st.write.Exec(q, args...).Error; err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	explainPG := func(q string, args map[string]any) string {
		t.Helper()
		var plan []string
		if err := st.read.Raw("EXPLAIN "+q, args).Scan(&plan).Error; err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		return strings.Join(plan, "\n")
	}
	f := app.CaseFilter{ByUrgency: true, Now: now, Thresholds: clock.DefaultThresholds(), ExcludeDrafts: true, OpenOnly: true}
	after := &cursor{K: 5 * day, ID: "m", At: ms(now)}
	// The running cases, most of the open ones, are read in deadline order
	// from their index, a page at a time; the paused ones, fewer, PostgreSQL
	// may read from any index that holds open cases only, and sort. Nothing
	// reads every case.
	for _, c := range []*cursor{nil, after} {
		for _, uq := range urgentQueries(f, ms(now), c, 51, false) {
			plan := explainPG(uq.sql, uq.args)
			if strings.Contains(plan, "Seq Scan on cases") {
				t.Errorf("the %s stream reads every case:\n%s", uq.name, plan)
			}
			if uq.name == "running" && (!strings.Contains(plan, "cases_running") || strings.Contains(plan, "Sort")) {
				t.Errorf("the running stream does not read cases_running in order:\n%s", plan)
			}
		}
	}
	// The sweep's plan: with every case planned for later, a sweep reads the
	// index of instants, not every case's.
	if err := st.write.Exec(`UPDATE sweep_due SET due_at = ?`, ms(now)+day).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.write.Exec(`ANALYZE sweep_due`).Error; err != nil {
		t.Fatal(err)
	}
	if plan := explainPG(`SELECT case_id, changes FROM sweep_due WHERE due_at <= @now`, map[string]any{"now": ms(now)}); strings.Contains(plan, "Seq Scan") {
		t.Errorf("the sweep reads every case's instant:\n%s", plan)
	}
	f.OpenOnly = false
	q, args := bandsQuery(f, ms(now), false)
	plan := explainPG(q, args)
	if !strings.Contains(plan, "closed_counts") || strings.Contains(plan, "Seq Scan on cases") {
		t.Errorf("the band counts read every case:\n%s", plan)
	}
	// And they count what one pass over every case counts.
	var got map[clock.Band]int
	if err := st.Read(context.Background(), func(x app.Tx) error {
		var err error
		got, err = x.Cases().CountBands(f)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if want := referenceBands(t, st, f); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counted %v, want %v", got, want)
	}
}

// TestAWebhooksDeliveriesAreReadByItsIndex: an endpoint owner's delivery log
// (newest first, one page) reads deliveries_of_target in order, without a
// sort, however many deliveries other endpoints have.
func TestAWebhooksDeliveriesAreReadByItsIndex(t *testing.T) {
	storetest.SkipOnPostgres(t, "EXPLAIN QUERY PLAN")
	st := tempStore(t)
	for _, q := range []string{
		`SELECT * FROM deliveries WHERE channel = ? AND target_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
		`SELECT * FROM deliveries WHERE channel = ? AND target_id = ? AND (created_at < ? OR (created_at = ? AND id < ?)) ORDER BY created_at DESC, id DESC LIMIT ?`,
	} {
		args := make([]any, strings.Count(q, "?"))
		for i := range args {
			args[i] = "x"
		}
		plan := explain(t, st, q, args...)
		if !strings.Contains(plan, "USING INDEX deliveries_of_target ") || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("the owners' delivery log:\n%s", plan)
		}
	}
}
