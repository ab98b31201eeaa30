package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// pageAmendment is the scope of /amendments/:id… pages.
const pageAmendment = pageNotice + 1

// noFragment is a redirect's target as a browser requests it.
func noFragment(loc string) string { return strings.SplitN(loc, "#", 2)[0] }

// The review part of the case page: the lab amends, the lead resolves a new
// digest, a reviewer records a benchmark result, the lead publishes, and the
// statement downloads; each form comes back with its errors beside its fields.
func TestReviewPages(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("in_review").caseID
	casePage := "/cases/" + id
	lab, lead, rev := w.pageAs("lab"), w.pageAs("lead"), w.pageAs("rev")

	// The lab amends: a bad digest comes back beside its field, a good one waits for a lead.
	p := lab.post(casePage, casePage+"/amendments", url.Values{"weights_digest": {"sha256:nothex"}})
	wantPage(t, p, 422)
	p.has(t, "The weights digest must be sha256:")
	if !strings.Contains(p.Body, `value="sha256:nothex"`) {
		t.Fatal("the typed digest is lost")
	}
	p = lab.post(casePage, casePage+"/amendments", url.Values{"weights_digest": {newDigest(0x55)}})
	wantPage(t, p, 303)
	p = lab.get(noFragment(p.Location))
	p.has(t, "The new weights digest is filed", "Pending: waiting for a lead", newDigest(0x55))
	// The lead sees why the decision form is gone, and resolves.
	p = lead.get(casePage)
	p.has(t, "no decision can be made until it is accepted or rejected", "Resolve the new weights digest")
	p.hasNot(t, `action="/cases/`+id+`/decision"`)
	amend := w.get("lead", "/api/v1/cases/"+id+"/amendments")["items"].([]any)[0].(map[string]any)["id"].(string)
	p = lead.post(casePage, "/amendments/"+amend+"/resolve", url.Values{"case_id": {id}, "outcome": {"accepted"}, "restart_clock": {"true"}})
	wantPage(t, p, 422)
	p.has(t, "The note is required")
	p = lead.post(casePage, "/amendments/"+amend+"/resolve", url.Values{"case_id": {id}, "outcome": {"accepted"},
		"restart_clock": {"true"}, "note": {"Retrained weights: a fresh window."}})
	wantPage(t, p, 303)
	p = lead.get(noFragment(p.Location))
	p.has(t, "The amendment is resolved", "Clock restarted", "restarted on the new digest", "Record the decision")

	// A benchmark result: the form lists the agency's benchmarks; a bad score stays beside its field.
	p = rev.get(casePage)
	p.has(t, "Benchmarks and risk tier", "Professional capture-the-flag suite", "Record a benchmark result")
	p = rev.post(casePage, casePage+"/benchmark-results", url.Values{"benchmark_id": {"ctf-professional"}, "score": {"lots"},
		"run_by": {"agency"}, "run_at": {"2026-01-04"}})
	wantPage(t, p, 422)
	p.has(t, "The score must be a number")
	p = rev.post(casePage, casePage+"/benchmark-results", url.Values{"benchmark_id": {"ctf-professional"}, "score": {"65"},
		"run_by": {"agency"}, "run_at": {"2026-01-04"}, "notes": {"Run 7"}})
	wantPage(t, p, 303)
	p = rev.get(noFragment(p.Location))
	p.has(t, "The benchmark result is recorded", "Risk tier: Critical", "65")
	// The lab sees neither results nor the tier.
	p = lab.get(casePage)
	p.hasNot(t, "Benchmarks and risk tier", "Risk tier", "Run 7")

	// Publishing: only findings that may be published are offered.
	clear := w.finding(id, "lead", "shared", clearFinding("high"))
	amber := w.finding(id, "lead", "shared", findingBody("high", "TLP:AMBER"))
	p = lead.get(casePage)
	if !strings.Contains(p.Body, `action="/findings/`+clear+`/publish`) || strings.Contains(p.Body, `action="/findings/`+amber+`/publish`) {
		t.Fatal("the publish forms offer the wrong findings")
	}
	p = lead.post(casePage, "/findings/"+clear+"/publish", url.Values{"subject": {"ai_system"}, "vulnerability_name": {"Tool escape"}})
	wantPage(t, p, 422)
	p.has(t, "The short description is required")
	p = lead.post(casePage, "/findings/"+clear+"/publish", url.Values{"subject": {"ai_system"}, "vulnerability_name": {"Tool escape"},
		"short_description": {"The code tool reaches the host."}, "required_action": {"Patch."}, "due_date": {"2026-03-01"}, "redact_lab": {"true"}})
	wantPage(t, p, 303)
	p = lead.get(noFragment(p.Location))
	p.has(t, "The finding is published to the Clearinghouse", "AICH-2026-0001")

	// Every signed-in user reads the Clearinghouse page and its CSV; another lab sees the lab withheld.
	for _, user := range []string{"rival", "admin", "co"} {
		p = w.pageAs(user).get("/clearinghouse")
		wantPage(t, p, 200)
		p.has(t, "AI Cybersecurity Clearinghouse", "AICH-2026-0001", "Tool escape", "withheld")
		p.hasNot(t, "Frontier Labs</dd>", "Model in_review")
	}
	p = w.pageAs("rival").get("/clearinghouse?q=nothing")
	p.has(t, `No entry matches “nothing”`)
	p = w.pageAs("rival").get("/clearinghouse.csv?q=tool")
	if p.Code != 200 || !strings.Contains(p.Body, "AICH-2026-0001") || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", p.Code, p.Body)
	}

	// The decision brings the statement, downloadable from the case page
	// (confirmed: the shared findings still await the lab).
	p = lead.post(casePage, casePage+"/decision", url.Values{"outcome": {"no_concerns"}, "rationale": {"Fine."}, "confirm": {"yes"}})
	wantPage(t, p, 303)
	p = lab.get(casePage)
	p.has(t, "Review statement", "Download the signed statement")
	d := lab.get(casePage + "/statement")
	if d.Code != 200 || strings.Count(d.Body, ".") != 2 || !strings.Contains(d.Header.Get("Content-Disposition"), "DKT-2026-0001-decision-statement.jws") {
		t.Fatalf("download: %d %v", d.Code, d.Header)
	}
	// Hidden from another lab; a missing amendment or one of a hidden case is a 404 page.
	wantPage(t, w.pageAs("rival").get(casePage+"/statement"), 404)
	r := w.pageAs("rival").post("/clearinghouse", "/amendments/"+amend+"/resolve", url.Values{"note": {"x"}})
	wantPage(t, r, 404)
}
