package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // reads the database back after the write workload
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/docket/docket/internal/benchdata"
)

// docketCmd runs the docket binary on the dataset's database (DOCKET_DB: a
// SQLite file or a PostgreSQL URL), in the
// temporary directory (attachments and anything else it writes stay there),
// with the request log on.
func docketCmd(ctx context.Context, o options, d *dataset, logName string, args ...string) (*exec.Cmd, *os.File, error) {
	cmd := exec.CommandContext(ctx, o.docket, args...)
	cmd.Dir = o.dir
	cmd.Env = append(os.Environ(), "DOCKET_DB="+d.db, "DOCKET_ADDR=127.0.0.1:0", "DOCKET_SECRET="+d.secret,
		"DOCKET_CONFIG="+o.config, "DOCKET_LOG_LEVEL=info", "DOCKET_BASE_URL=",
		// The load signs in with passwords; a session's second factor costs a request nothing more.
		"DOCKET_AUTH_MFA_REQUIRED_ROLES=none",
		// Nor a passkey: the TLP:RED findings it reads are drawn whole, as a passkey session sees them.
		"DOCKET_AUTH_TLP_RED_REQUIRES_PHISHING_RESISTANT=false")
	var logFile *os.File
	if logName != "" {
		f, err := os.Create(o.dir + "/" + logName)
		if err != nil {
			return nil, nil, err
		}
		cmd.Stderr, logFile = f, f
	}
	return cmd, logFile, nil
}

// measureServer seeds the database and runs the HTTP workloads against the real binary.
func measureServer(ctx context.Context, o options) ([]row, []string, error) {
	var rows []row
	var notes []string
	need := false
	for _, w := range []string{"case", "dashboard", "wrk", "deep", "page", "clearinghouse", "replicas", "mixed", "writes"} {
		need = need || o.wants(w)
	}
	if !need {
		return nil, nil, nil
	}
	d, err := seedDataset(ctx, o, "bench", o.cases, benchdata.SeedOptions{}, true)
	if err != nil {
		return nil, nil, fmt.Errorf("seed: %w", err)
	}
	notes = append(notes, fmt.Sprintf("Seeded %s cases over every state (%s findings, %d Clearinghouse entries, %s audit events) through the store into %s in %s.",
		thousands(float64(o.cases)), thousands(float64(d.seeded.Findings)), d.seeded.Entries, thousands(float64(d.seeded.AuditEvents)),
		d.engine, d.took.Round(100*time.Millisecond)))
	cmd, logFile, err := docketCmd(ctx, o, d, "requests.log", "serve")
	if err != nil {
		return nil, nil, err
	}
	defer logFile.Close()
	logf("docket: starting on %s", d.engine)
	p, err := start(ctx, cmd, "Docket is listening on ")
	if err != nil {
		return nil, nil, err
	}
	defer p.kill()
	if err := waitReady(ctx, p.url+"/readyz", 30*time.Second); err != nil {
		return nil, nil, err
	}
	logf("docket: ready in %s; peak RSS %.0f MB, now %.0f MB (anonymous %.0f MB)", time.Since(p.started).Round(time.Millisecond),
		float64(p.peakRSS())/1e6, float64(p.status("VmRSS"))/1e6, float64(p.status("RssAnon"))/1e6)
	bearer := func(userID string) http.Header {
		return http.Header{"Authorization": {"Bearer " + d.tokens[userID]}}
	}
	co, lead := d.seeded.Compliance, d.seeded.Leads[0]
	run := func(key, name string, tr vegeta.Targeter) error {
		if !o.wants(key) {
			return nil
		}
		r, err := attack(ctx, o, key, name, p, tr, nil)
		rows = append(rows, r)
		return err
	}

	visible := d.seeded.Visible
	if err := run("case", "GET /api/v1/cases/{id} (random ids, review lead)", getTargeter(func() string {
		return p.url + "/api/v1/cases/" + visible[rand.IntN(len(visible))]
	}, bearer(lead.ID))); err != nil {
		return nil, nil, err
	}
	first := p.url + "/api/v1/dashboard?limit=50"
	if err := run("dashboard", "GET /api/v1/dashboard, first page of 50", getTargeter(func() string { return first }, bearer(co.ID))); err != nil {
		return nil, nil, err
	}
	if o.wants("wrk") {
		r, err := measureWrk(ctx, o, "wrk", "GET /api/v1/dashboard, first page of 50 (wrk)", first, bearer(co.ID))
		rows = append(rows, r)
		if err != nil {
			return nil, nil, err
		}
	}
	if o.wants("deep") {
		deep, page, err := deepCursor(ctx, first, bearer(co.ID))
		if err != nil {
			return nil, nil, err
		}
		if err := run("deep", fmt.Sprintf("GET /api/v1/dashboard, page %d of 50 by cursor", page),
			getTargeter(func() string { return deep }, bearer(co.ID))); err != nil {
			return nil, nil, err
		}
	}
	pageHdr := http.Header{"Cookie": {"docket_session=" + d.page}}
	if err := run("page", "GET /dashboard (HTML page, first 50)", getTargeter(func() string { return p.url + "/dashboard" }, pageHdr)); err != nil {
		return nil, nil, err
	}
	if o.wants("clearinghouse") {
		feed := p.url + "/api/v1/clearinghouse"
		code, err := probe(ctx, feed, bearer(co.ID))
		if err != nil {
			return nil, nil, err
		}
		if code == http.StatusNotFound {
			rows = append(rows, row{key: "clearinghouse", name: "GET /api/v1/clearinghouse", skipped: "not in this build yet", http: true})
		} else if err := run("clearinghouse", "GET /api/v1/clearinghouse (the feed)", getTargeter(func() string { return feed }, bearer(co.ID))); err != nil {
			return nil, nil, err
		}
	}
	if o.wants("replicas") {
		if o.pg == nil {
			rows = append(rows, row{key: "replicas", name: "two replicas on one database", skipped: "PostgreSQL only", http: true})
		} else {
			r, n, err := measureReplicas(ctx, o, d, p)
			rows = append(rows, r...)
			notes = append(notes, n...)
			if err != nil {
				return nil, nil, err
			}
		}
	}
	if o.wants("mixed") {
		r, err := measureMixed(ctx, o, d, p)
		rows = append(rows, r...)
		if err != nil {
			return nil, nil, err
		}
	}
	if o.wants("writes") {
		r, n, err := measureWrites(ctx, o, d, p)
		if err != nil {
			return nil, nil, err
		}
		rows = append(rows, r)
		notes = append(notes, n...)
	} else {
		_ = p.stop()
	}
	if lines, err := countLines(logFile.Name()); err == nil {
		notes = append(notes, fmt.Sprintf("The server wrote %s request log lines (slog, text, on stderr to a file).", thousands(float64(lines))))
	}
	for i := range rows {
		rows[i].engine = d.engine
	}
	return rows, notes, nil
}

// probe answers the status of one GET.
func probe(ctx context.Context, u string, hdr http.Header) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header = hdr
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// deepCursor follows the dashboard's cursors (at most 1,000 pages) and
// returns the URL of a page nine tenths of the way down, and its number.
func deepCursor(ctx context.Context, first string, hdr http.Header) (string, int, error) {
	var cursors []string
	next := first
	for page := 0; page < 1000 && next != ""; page++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, next, nil)
		if err != nil {
			return "", 0, err
		}
		req.Header = hdr
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", 0, err
		}
		var body struct {
			NextCursor *string `json:"next_cursor"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			return "", 0, fmt.Errorf("dashboard page %d: %d %v", page+1, resp.StatusCode, err)
		}
		next = ""
		if body.NextCursor != nil {
			next = first + "&cursor=" + url.QueryEscape(*body.NextCursor)
			cursors = append(cursors, next)
		}
	}
	if len(cursors) == 0 {
		return first, 1, nil
	}
	i := len(cursors) * 9 / 10
	return cursors[i], i + 2, nil
}

// writeTargeter makes the writers' requests, half creating cases (lab
// members), half recording findings (leads, on open cases they lead).
func writeTargeter(d *dataset, p *proc) (vegeta.Targeter, error) {
	var labs []string
	for _, u := range d.seeded.LabMembers {
		if d.tokens[u.ID] != "" {
			labs = append(labs, "Bearer "+d.tokens[u.ID])
		}
	}
	type leadCases struct {
		auth  string
		cases []string
	}
	var recorders []leadCases
	for _, u := range d.seeded.Leads {
		if cs := d.seeded.Recordable[u.ID]; len(cs) > 0 {
			recorders = append(recorders, leadCases{"Bearer " + d.tokens[u.ID], cs})
		}
	}
	if len(labs) == 0 || len(recorders) == 0 {
		return nil, fmt.Errorf("writes: no writers in the dataset")
	}
	caseBody := []byte(`{"model_name":"Bench","model_version":"1.0","summary":"Filed by the benchmark.",` +
		`"weights_digest":"sha256:` + strings.Repeat("ab", 32) + `","modality":"text","deployment":"api"}`)
	findingBody := []byte(`{"title":"Benchmark finding","description":"Recorded by the benchmark.",` +
		`"category":"other","severity":"low","tlp":"TLP:CLEAR"}`)
	var n atomic.Uint64
	return func(t *vegeta.Target) error {
		i := n.Add(1)
		t.Method = http.MethodPost
		if i%2 == 0 {
			t.URL, t.Body = p.url+"/api/v1/cases", caseBody
			t.Header = http.Header{"Authorization": {labs[int(i/2)%len(labs)]}, "Content-Type": {"application/json"}}
		} else {
			r := recorders[int(i/2)%len(recorders)]
			t.URL, t.Body = p.url+"/api/v1/cases/"+r.cases[rand.IntN(len(r.cases))]+"/findings", findingBody
			t.Header = http.Header{"Authorization": {r.auth}, "Content-Type": {"application/json"}}
		}
		return nil
	}, nil
}

// measureWrites runs 32 concurrent writers (writeTargeter), then kills the
// server as a crash would and checks that every acknowledged write is in
// the database and that the audit chain verifies.
func measureWrites(ctx context.Context, o options, d *dataset, p *proc) (row, []string, error) {
	tr, err := writeTargeter(d, p)
	if err != nil {
		return row{}, nil, err
	}
	var mu sync.Mutex
	acked := map[string][]string{} // table → ids answered 201
	onResult := func(res *vegeta.Result) {
		if res.Code != http.StatusCreated {
			return
		}
		var body struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(res.Body, &body) != nil || body.ID == "" {
			return
		}
		table := "cases"
		if strings.HasSuffix(res.URL, "/findings") {
			table = "findings"
		}
		mu.Lock()
		acked[table] = append(acked[table], body.ID)
		mu.Unlock()
	}
	r, err := attack(ctx, o, "writes", fmt.Sprintf("%d writers: POST /api/v1/cases and /cases/{id}/findings", o.connections), p, tr, onResult)
	if err != nil {
		return r, nil, err
	}
	// A crash right after the last answer: what was acknowledged must be there.
	p.kill()
	var notes []string
	total, missing := 0, 0
	driver, dsn := "sqlite3", "file:"+d.db+"?_busy_timeout=10000"
	if o.pg != nil {
		driver, dsn = "pgx", d.db
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return r, nil, err
	}
	defer db.Close()
	for table, ids := range acked {
		present := map[string]bool{}
		rows, err := db.QueryContext(ctx, "SELECT id FROM "+table)
		if err != nil {
			return r, nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return r, nil, err
			}
			present[id] = true
		}
		rows.Close()
		for _, id := range ids {
			total++
			if !present[id] {
				missing++
			}
		}
	}
	db.Close()
	if missing > 0 {
		r.errors += int64(missing)
	}
	notes = append(notes, fmt.Sprintf("Writes: the server was killed (SIGKILL) right after the run; %d of %d acknowledged writes (warm-up included) are in the database.",
		total-missing, total))
	cmd, _, err := docketCmd(ctx, o, d, "", "audit", "verify")
	if err != nil {
		return r, notes, err
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		r.errors++
		notes = append(notes, "docket audit verify FAILED: "+strings.TrimSpace(out.String()))
	} else {
		notes = append(notes, "docket audit verify after the crash: "+strings.TrimSpace(out.String())+".")
	}
	return r, notes, nil
}

func countLines(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return bytes.Count(b, []byte("\n")), nil
}
