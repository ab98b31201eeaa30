package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/docket/docket/internal/web"
)

// publishBody is a complete ai_system entry.
func publishBody() map[string]any {
	return map[string]any{
		"subject": "ai_system", "vulnerability_name": "Code-tool sandbox escape",
		"short_description": "The model's code tool can reach the host through a misconfigured mount.",
		"required_action":   "Disable the code tool's host mounts; apply the lab's patch.",
		"due_date":          "2027-03-01", "notes": "Reported through Docket.", "redact_lab": false,
	}
}

// clearFinding is a finding the Clearinghouse may take: TLP:CLEAR, no embargo.
func clearFinding(severity string) map[string]any {
	b := findingBody(severity, "TLP:CLEAR")
	b["embargo_until"] = ""
	return b
}

func TestPublishingRules(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("in_review").caseID
	publish := func(user, fid string, body map[string]any) response {
		return w.as(user, "POST", "/api/v1/findings/"+fid+"/publish", body)
	}
	conflict := func(fid, reason string) {
		t.Helper()
		r := publish("lead", fid, publishBody())
		if r.Code != 409 || !strings.Contains(r.Body, reason) {
			t.Fatalf("want 409 naming %q, got %d %s", reason, r.Code, r.Body)
		}
	}
	// Each reason a finding cannot be published yet.
	conflict(w.finding(id, "rev", "draft", clearFinding("high")), "draft; share it")
	conflict(w.finding(id, "lead", "shared", findingBody("high", "TLP:AMBER")), "TLP:AMBER; only TLP:CLEAR and TLP:GREEN")
	conflict(w.finding(id, "lead", "shared", findingBody("high", "TLP:AMBER+STRICT")), "TLP:AMBER+STRICT")
	embargoed := w.finding(id, "lead", "shared", findingBody("medium", "TLP:GREEN")) // embargo_until 2026-12-01
	conflict(embargoed, "under embargo until 2026-12-01; it can be published from 00:00 America/New_York that day")

	ok := w.finding(id, "lead", "lab_responded", clearFinding("high"))
	// Who: leads only, after attesting; hidden from other labs.
	w.addUser("lead2", "review_lead", "Agency")
	for user, code := range map[string]int{"lab": 403, "rev": 403, "co": 403, "rival": 404, "admin": 404, "lead2": 409} {
		if r := publish(user, ok, publishBody()); r.Code != code {
			t.Errorf("publish as %s: %d %s", user, r.Code, r.Body)
		}
	}
	// Bad entries: 422 naming the field.
	for _, tc := range []struct {
		change map[string]any
		field  string
	}{
		{map[string]any{"subject": "model"}, "subject"},
		{map[string]any{"vulnerability_name": " "}, "vulnerability_name"},
		{map[string]any{"short_description": nil}, "short_description"},
		{map[string]any{"required_action": strings.Repeat("x", 1001)}, "required_action"},
		{map[string]any{"due_date": "2026-01-04"}, "due_date"}, // before today
		{map[string]any{"due_date": "soon"}, "due_date"},
		{map[string]any{"redact_lab": nil}, "redact_lab"},
		{map[string]any{"cve_id": "CVE-2026-1234"}, "cve_id"}, // ai_system entries have none
		{map[string]any{"subject": "third_party"}, "affected_vendor"},
		{map[string]any{"subject": "third_party", "affected_vendor": "Acme", "affected_product": "httpd", "cve_id": "CVE-26-1"}, "cve_id"},
	} {
		body := publishBody()
		for k, v := range tc.change {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		if r := publish("lead", ok, body); r.Code != 422 || r.ErrorField() != tc.field {
			t.Errorf("%v: %d %s", tc.change, r.Code, r.Body)
		}
	}
	// Published: the finding carries its id, numbered in the agency-zone year.
	r := publish("lead", ok, publishBody())
	want(t, r, 200)
	if got := r.JSON()["clearinghouse_id"]; got != "AICH-2026-0001" {
		t.Fatalf("clearinghouse_id %v: %s", got, r.Body)
	}
	conflict(ok, "published already, as AICH-2026-0001")
	if f := w.get("lab", "/api/v1/findings/"+ok); f["clearinghouse_id"] != "AICH-2026-0001" {
		t.Fatalf("the lab's view: %v", f)
	}
	resolved := w.finding(id, "lead", "resolved", clearFinding("low"))
	want(t, publish("lead", resolved, publishBody()), 200)

	// The embargo: publishable from 00:00 agency time on embargo_until.
	w.clock.Set(time.Date(2026, 12, 1, 4, 59, 59, 999e6, time.UTC)) // 23:59:59.999 EST on 30 November
	conflict(embargoed, "under embargo")
	w.clock.Set(time.Date(2026, 12, 1, 5, 0, 0, 0, time.UTC))
	r = publish("lead", embargoed, publishBody())
	want(t, r, 200)
	if got := r.JSON()["clearinghouse_id"]; got != "AICH-2026-0003" {
		t.Fatalf("after the embargo: %v", got)
	}
	// A new agency-zone year starts from 0001: 31 December 20:00 EST is still 2026.
	later := w.finding(id, "lead", "shared", clearFinding("medium"))
	last := w.finding(id, "lead", "shared", clearFinding("medium"))
	w.clock.Set(time.Date(2027, 1, 1, 1, 0, 0, 0, time.UTC))
	want(t, publish("lead", later, publishBody()), 200)
	w.clock.Set(time.Date(2027, 1, 1, 5, 0, 0, 0, time.UTC))
	if r := publish("lead", last, publishBody()); r.JSON()["clearinghouse_id"] != "AICH-2027-0001" {
		t.Fatalf("the new year: %s", r.Body)
	}

	// The trail keeps the id and the hashes of the public text.
	trail := w.as("lead", "GET", "/api/v1/cases/"+id+"/audit?limit=200", nil)
	if !strings.Contains(trail.Body, "finding.published") || !strings.Contains(trail.Body, "AICH-2026-0004") ||
		strings.Contains(trail.Body, "misconfigured mount") {
		t.Fatalf("trail: %s", trail.Body)
	}
}

// feedSchema compiles the served JSON Schema with format assertion on.
func feedSchema(t *testing.T, raw []byte) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("clearinghouse.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("clearinghouse.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkFeed validates a feed answer against the schema and checks its count.
func checkFeed(t *testing.T, s *jsonschema.Schema, body string) map[string]any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("the feed does not match its schema: %v\n%s", err, body)
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(body), &m)
	if n := len(m["vulnerabilities"].([]any)); int(m["count"].(float64)) != n {
		t.Fatalf("count %v, %d entries", m["count"], n)
	}
	return m
}

func TestClearinghouseFeed(t *testing.T) {
	w := newWorld(t)
	sr := w.as("lab", "GET", "/api/v1/clearinghouse/schema.json", nil)
	want(t, sr, 200)
	if sr.Body != string(web.ClearinghouseSchema) || !strings.HasPrefix(sr.Header.Get("Content-Type"), "application/schema+json") {
		t.Fatalf("schema: %s", sr.Header.Get("Content-Type"))
	}
	schema := feedSchema(t, []byte(sr.Body))

	// Empty: version 0000.00.00.0, released at the first start (never
	// null, and the same however late it is read), and still valid.
	w.clock.Advance(time.Hour)
	r := w.as("admin", "GET", "/api/v1/clearinghouse", nil)
	want(t, r, 200)
	m := checkFeed(t, schema, r.Body)
	if m["catalogVersion"] != "0000.00.00.0" || m["dateReleased"] != "2026-01-05T15:00:00.000Z" || m["count"] != 0.0 {
		t.Fatalf("empty feed: %s", r.Body)
	}

	secret := w.caseIn("awaiting_lab").caseID // its model is "Model awaiting_lab"
	open := w.caseIn("in_review").caseID      // "Model in_review"
	redacted := w.finding(secret, "lead", "shared", clearFinding("high"))
	body := publishBody()
	body["redact_lab"] = true
	want(t, w.as("lead", "POST", "/api/v1/findings/"+redacted+"/publish", body), 200)

	// Another lab reads it, with the lab and the model withheld, the
	// product named after the entry so that tools do not lump labs together.
	r = w.as("rival", "GET", "/api/v1/clearinghouse", nil)
	want(t, r, 200)
	m = checkFeed(t, schema, r.Body)
	e := m["vulnerabilities"].([]any)[0].(map[string]any)
	if e["vendorProject"] != "Withheld lab" || e["product"] != "Withheld model (AICH-2026-0001)" || e["id"] != "AICH-2026-0001" || e["subject"] != "ai_system" ||
		e["tlp"] != "TLP:CLEAR" || e["severity"] != "high" || e["atlasTechnique"] != "AML.T0051.000" || e["dateAdded"] != "2026-01-05" || m["dateReleased"] != "2026-01-05T16:00:00.001Z" {
		t.Fatalf("redacted entry: %v", e)
	}
	if _, ok := e["cveID"]; ok {
		t.Fatalf("cveID is present while unknown: %v", e)
	}
	for _, s := range []string{"Frontier Labs", "Model awaiting_lab", "Sandbox escape through the code tool", "Transcript 14", secret, redacted} {
		if strings.Contains(r.Body, s) {
			t.Errorf("the redacted feed shows %q", s)
		}
	}

	// A named entry, and a third-party one the model found, with a CVE id and a formula in its name.
	named := w.finding(open, "lead", "resolved", clearFinding("medium"))
	want(t, w.as("lead", "POST", "/api/v1/findings/"+named+"/publish", publishBody()), 200)
	third := w.finding(open, "lead", "shared", clearFinding("critical"))
	tp := map[string]any{"subject": "third_party", "vulnerability_name": "=HYPERLINK(\"http://evil.example\")",
		"short_description": "@SUM(1) heap overflow in the request parser, found by the model.",
		"required_action":   "+Upgrade to 2.4.62.", "due_date": "2026-02-01", "notes": "-", "affected_vendor": "Acme Web",
		"affected_product": "acme-httpd", "cve_id": "CVE-2026-40123"}
	want(t, w.as("lead", "POST", "/api/v1/findings/"+third+"/publish", tp), 200)
	// A shared TLP:CLEAR finding that nobody published stays out of it.
	unpublished := w.finding(open, "lead", "shared", map[string]any{"title": "Unpublished prompt leak", "description": "d",
		"category": "other", "severity": "low", "tlp": "TLP:CLEAR"})

	r = w.as("rival", "GET", "/api/v1/clearinghouse", nil)
	want(t, r, 200)
	m = checkFeed(t, schema, r.Body)
	entries := m["vulnerabilities"].([]any)
	if len(entries) != 3 || m["catalogVersion"] != "2026.01.05.3" || m["title"] != "AI Cybersecurity Clearinghouse Catalog" {
		t.Fatalf("feed: %s", r.Body)
	}
	if strings.Contains(r.Body, "Unpublished prompt leak") || strings.Contains(r.Body, unpublished) {
		t.Fatal("an unpublished finding is in the feed")
	}
	want(t, w.as("rival", "GET", "/api/v1/findings/"+unpublished, nil), 404)
	newest := entries[0].(map[string]any)
	if newest["cveID"] != "CVE-2026-40123" || newest["vendorProject"] != "Acme Web" || newest["product"] != "acme-httpd" ||
		newest["subject"] != "third_party" || newest["dueDate"] != "2026-02-01" {
		t.Fatalf("third-party entry: %v", newest)
	}
	if n := entries[1].(map[string]any); n["vendorProject"] != "Frontier Labs" || n["product"] != "Model in_review 1.0" {
		t.Fatalf("named entry: %v", n)
	}
	if m["dateReleased"] == nil {
		t.Fatal("no dateReleased")
	}

	// Search.
	for q, n := range map[string]int{"cve-2026-40123": 1, "withheld": 1, "acme": 1, "sandbox": 2, "nothing here": 0, "%25": 0, "_": 1, "aich-2026-0002": 1} {
		r := w.as("lab", "GET", "/api/v1/clearinghouse?q="+strings.ReplaceAll(q, " ", "+"), nil)
		want(t, r, 200)
		got := checkFeed(t, schema, r.Body)
		if int(got["count"].(float64)) != n || got["catalogVersion"] != "2026.01.05.3" {
			t.Errorf("q=%s: %v entries, version %v: %s", q, got["count"], got["catalogVersion"], r.Body)
		}
	}
	if r := w.as("lab", "GET", "/api/v1/clearinghouse?sort=new", nil); r.Code != 400 || r.ErrorField() != "sort" {
		t.Errorf("unknown parameter: %d %s", r.Code, r.Body)
	}
	if r := w.as("lab", "GET", "/api/v1/clearinghouse?q="+strings.Repeat("a", 201), nil); r.Code != 422 || r.ErrorField() != "q" {
		t.Errorf("long q: %d %s", r.Code, r.Body)
	}

	// The CSV: KEV's columns first in KEV's order, then Docket's; every
	// formula cell neutralised.
	r = w.as("co", "GET", "/api/v1/clearinghouse.csv", nil)
	want(t, r, 200)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv headers: %v", r.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
	if err != nil || len(rows) != 4 {
		t.Fatalf("csv: %d rows, %v\n%s", len(rows), err, r.Body)
	}
	if strings.Join(rows[0], ",") != "cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,"+
		"knownRansomwareCampaignUse,notes,cwes,id,subject,category,severity,atlasTechnique,tlp" {
		t.Fatalf("csv header: %v", rows[0])
	}
	row := rows[1]
	if row[0] != "CVE-2026-40123" || row[11] != "AICH-2026-0003" || row[3] != `'=HYPERLINK("http://evil.example")` ||
		row[5][:2] != "'@" || row[6][:2] != "'+" || row[8] != "Unknown" || row[9] != "'-" || row[10] != "" {
		t.Fatalf("csv row: %q", row)
	}
	if last := rows[3]; last[1] != "Withheld lab" || last[2] != "Withheld model (AICH-2026-0001)" {
		t.Fatalf("redacted csv row: %q", last)
	}
	for _, cell := range strings.Split(r.Body, ",") {
		if strings.HasPrefix(cell, "=") || strings.HasPrefix(cell, "\"=") {
			t.Fatalf("an unneutralised cell: %q", cell)
		}
	}
}

// TestFeedFollowsPublications: the feed of a search, read again and again,
// changes as soon as an entry it holds is published, and searches are kept
// apart.
func TestFeedFollowsPublications(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("in_review").caseID
	count := func(q string) int {
		t.Helper()
		r := w.as("rival", "GET", "/api/v1/clearinghouse?q="+q, nil)
		want(t, r, 200)
		var m map[string]any
		if err := json.Unmarshal([]byte(r.Body), &m); err != nil {
			t.Fatal(err)
		}
		if again := w.as("rival", "GET", "/api/v1/clearinghouse?q="+q, nil); again.Body != r.Body {
			t.Fatalf("q=%s: two reads of one catalog differ:\n%s\n%s", q, r.Body, again.Body)
		}
		return int(m["count"].(float64))
	}
	for i, wantN := range []int{1, 2, 3} {
		fid := w.finding(id, "lead", "shared", clearFinding("high"))
		want(t, w.as("lead", "POST", "/api/v1/findings/"+fid+"/publish", publishBody()), 200)
		if n := count("sandbox"); n != wantN {
			t.Fatalf("after publication %d: q=sandbox holds %d entries, want %d", i+1, n, wantN)
		}
		if n := count(""); n != wantN {
			t.Fatalf("after publication %d: the feed holds %d entries, want %d", i+1, n, wantN)
		}
		if n := count("nothing+here"); n != 0 {
			t.Fatalf("q=nothing here holds %d entries", n)
		}
	}
}
