package web_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// resultBody is a benchmark result run by the agency yesterday.
func resultBody(benchmark string, score float64) map[string]any {
	return map[string]any{"benchmark_id": benchmark, "score": score, "run_by": "agency", "run_at": "2026-01-04",
		"notes": "Sandbox 3, no internet."}
}

// isoMs writes an instant as the API does.
func isoMs(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// claimsOf returns a JWS's payload as text, unverified.
func claimsOf(t *testing.T, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBenchmarksAndRiskTier(t *testing.T) {
	w := newWorld(t)
	// The agency's benchmarks: to the agency roles that work with tiers.
	r := w.as("rev", "GET", "/api/v1/benchmarks", nil)
	want(t, r, 200)
	if !strings.Contains(r.Body, `"id":"ctf-professional"`) || !strings.Contains(r.Body, `"higher_is_riskier":false`) {
		t.Fatalf("benchmarks: %s", r.Body)
	}
	want(t, w.as("co", "GET", "/api/v1/benchmarks", nil), 200)
	want(t, w.as("lab", "GET", "/api/v1/benchmarks", nil), 403)
	want(t, w.as("admin", "GET", "/api/v1/benchmarks", nil), 403)

	id := w.caseIn("in_review").caseID
	path := "/api/v1/cases/" + id
	tier := func() any { return w.get("co", path)["risk_tier"] }
	if tier() != "low" {
		t.Fatalf("a new case's tier: %v", tier())
	}

	// A result: the reviewer records it, the tier follows.
	r = w.as("rev", "POST", path+"/benchmark-results", resultBody("ctf-professional", 40))
	want(t, r, 201)
	res := r.JSON()
	if res["tier"] != "high" || res["benchmark_version"] != "2026.1" || res["recorded_by"] != w.users["rev"].ID || res["score"] != 40.0 {
		t.Fatalf("result: %s", r.Body)
	}
	if tier() != "high" {
		t.Fatalf("tier after a high result: %v", tier())
	}
	// Lower is riskier on the speed benchmark: 25 minutes is critical.
	want(t, w.as("lead", "POST", path+"/benchmark-results", resultBody("exploit-speed", 25)), 201)
	if tier() != "critical" {
		t.Fatalf("tier after a fast exploit: %v", tier())
	}
	// A later run of the same benchmark replaces it; an older run recorded later does not.
	later := resultBody("exploit-speed", 600)
	later["run_at"] = "2026-01-05"
	want(t, w.as("rev", "POST", path+"/benchmark-results", later), 201)
	if tier() != "high" {
		t.Fatalf("tier after a slower later run: %v", tier())
	}
	older := resultBody("exploit-speed", 5)
	older["run_at"] = "2025-12-01"
	want(t, w.as("rev", "POST", path+"/benchmark-results", older), 201)
	if tier() != "high" {
		t.Fatalf("an older run recorded later moved the tier: %v", tier())
	}
	// Findings count too: an open critical one makes the case critical, and resolving it brings it back.
	fid := w.finding(id, "lead", "shared", findingBody("critical", "TLP:AMBER"))
	if tier() != "critical" {
		t.Fatalf("tier with an open critical finding: %v", tier())
	}
	want(t, w.as("lead", "POST", "/api/v1/findings/"+fid+"/resolve", map[string]any{"resolution": "resolved", "note": "Fixed."}), 200)
	if tier() != "high" {
		t.Fatalf("tier after resolving it: %v", tier())
	}
	// Editing a draft's severity moves it.
	draft := w.finding(id, "rev", "draft", findingBody("medium", "TLP:AMBER"))
	want(t, w.as("rev", "PATCH", "/api/v1/findings/"+draft, map[string]any{"severity": "critical"}), 200)
	if tier() != "critical" {
		t.Fatalf("tier after raising a draft to critical: %v", tier())
	}

	// The list: the latest run first, to reviewers and leads only.
	r = w.as("lead", "GET", path+"/benchmark-results", nil)
	want(t, r, 200)
	items := r.JSON()["items"].([]any)
	if len(items) != 4 || items[0].(map[string]any)["run_at"] != "2026-01-05" {
		t.Fatalf("results: %s", r.Body)
	}
	want(t, w.as("lab", "GET", path+"/benchmark-results", nil), 403)
	want(t, w.as("co", "GET", path+"/benchmark-results", nil), 403)
	want(t, w.as("lab", "POST", path+"/benchmark-results", resultBody("ctf-professional", 1)), 403)
	want(t, w.as("rival", "GET", path+"/benchmark-results", nil), 404)
	w.addUser("lead2", "review_lead", "Agency")
	if r := w.as("lead2", "GET", path+"/benchmark-results", nil); r.Code != 409 || !strings.Contains(r.Body, "attest-no-conflict") {
		t.Fatalf("unattested lead: %d %s", r.Code, r.Body)
	}
	// Labs never learn the tier: not in the case, not by filtering on it.
	if c := w.get("lab", path); c["risk_tier"] != nil {
		t.Fatalf("the lab sees the tier: %v", c)
	}
	if r := w.as("lab", "GET", "/api/v1/cases?risk_tier=critical", nil); r.Code != 400 || r.ErrorField() != "risk_tier" {
		t.Fatalf("a lab filters on the tier: %d %s", r.Code, r.Body)
	}

	// Bad results: 422 naming the field.
	for _, tc := range []struct {
		change map[string]any
		field  string
	}{
		{map[string]any{"benchmark_id": "nope"}, "benchmark_id"},
		{map[string]any{"benchmark_id": nil}, "benchmark_id"},
		{map[string]any{"score": nil}, "score"},
		{map[string]any{"score": 101}, "score"},
		{map[string]any{"run_by": "vendor"}, "run_by"},
		{map[string]any{"run_at": "2026-01-06"}, "run_at"}, // tomorrow, agency time
		{map[string]any{"run_at": "yesterday"}, "run_at"},
	} {
		body := resultBody("ctf-professional", 10)
		for k, v := range tc.change {
			if v == nil {
				delete(body, k)
			} else {
				body[k] = v
			}
		}
		if r := w.as("rev", "POST", path+"/benchmark-results", body); r.Code != 422 || r.ErrorField() != tc.field {
			t.Errorf("%v: %d %s", tc.change, r.Code, r.Body)
		}
	}
	if r := w.as("rev", "POST", path+"/benchmark-results", `{"benchmark_id":"ctf-professional","score":"high"}`); r.Code != 400 || r.ErrorField() != "score" {
		t.Errorf("a score as text: %d %s", r.Code, r.Body)
	}

	// The trail: the tier's moves, never the score or the notes.
	trail := w.as("lead", "GET", path+"/audit?limit=200", nil)
	want(t, trail, 200)
	if !strings.Contains(trail.Body, "benchmark_result.recorded") || !strings.Contains(trail.Body, `"to":"critical"`) ||
		strings.Contains(trail.Body, "Sandbox 3") {
		t.Fatalf("trail: %s", trail.Body)
	}

	// A closed case takes no more results.
	want(t, w.as("lead", "POST", path+"/decision", map[string]any{"outcome": "concerns_noted", "rationale": "See findings."}), 200)
	if r := w.as("rev", "POST", path+"/benchmark-results", resultBody("ctf-professional", 10)); r.Code != 409 || !strings.Contains(r.Body, "decided") {
		t.Fatalf("a result on a decided case: %d %s", r.Code, r.Body)
	}
}
