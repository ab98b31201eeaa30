package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/config"
)

// TestCasePageStateAndActionsComeFirst: the case page says where the case
// stands, then what the viewer can do, before its long parts and their
// contents; each role's actions are those it may take now.
func TestCasePageStateAndActionsComeFirst(t *testing.T) {
	w := newWorld(t)
	inReview := w.caseIn("in_review").caseID
	w.finding(inReview, "rev", "draft", findingBody("high", "TLP:AMBER"))
	waiting := w.caseIn("awaiting_lab").caseID
	decided := w.caseIn("decided").caseID

	for _, c := range []struct {
		user, caseID string
		actions      []string
		facts        []string
	}{
		{"lead", inReview, []string{"Record a finding", "Ask the lab for information", "Assign the review", "Decide", "Add a comment"},
			[]string{"Status In review", "Risk tier High", "Case lead lead", "Open requests None", "Open findings 1 High"}},
		{"rev", inReview, []string{"Record a finding", "Ask the lab for information", "Import an Inspect log", "Declare a conflict of interest"},
			[]string{"Risk tier High", "Open findings 1 High"}},
		{"lab", waiting, []string{"Answer the open request", "Amend the submission", "Withdraw this submission"},
			[]string{"Status Awaiting lab", "Band Paused", "Case lead Assigned", "Open requests 1 open"}},
		{"co", inReview, []string{"Nothing your role does on this case"}, []string{"Risk tier High", "Open findings 1 High"}},
		{"lab", decided, []string{"Nothing: the review is closed (No concerns)"}, []string{"Decided No concerns", "Download the signed decision statement"}},
	} {
		p := w.pageAs(c.user).get("/cases/" + c.caseID)
		wantPage(t, p, 200)
		txt := p.text()
		state, actions, toc, first := strings.Index(txt, "Where the case stands"), strings.Index(txt, "What you can do"),
			strings.Index(txt, "On this page"), strings.Index(txt, "Submission Lab")
		if state < 0 || actions < state || toc < actions || first < toc {
			t.Fatalf("%s: the state (%d), the actions (%d), the contents (%d) and the parts (%d) are out of order", c.user, state, actions, toc, first)
		}
		for _, a := range c.actions {
			if i := strings.Index(txt, a); i < actions || i > toc {
				t.Errorf("%s: %q is not among the actions", c.user, a)
			}
		}
		for _, f := range c.facts {
			if i := strings.Index(txt, f); i < state || i > actions {
				t.Errorf("%s: the state panel does not say %q: %.600s", c.user, f, txt[max(state, 0):])
			}
		}
		if c.user == "lab" {
			p.hasNot(t, "Risk tier")
		}
		if c.caseID == decided {
			p.hasNot(t, "review ended", "Review ended")
		}
	}
	// A form that fails comes back open in the side column, with its error.
	lead := w.pageAs("lead")
	r := lead.post("/cases/"+inReview, "/cases/"+inReview+"/info-requests", url.Values{"question": {" "}})
	wantPage(t, r, 422)
	if !strings.Contains(r.Body, `id="act-ask" open`) || strings.Contains(r.Body, `id="act-decide" open`) {
		t.Fatal("the failed question's form is not the one open")
	}
}

// TestDecidingWhileWorkIsOpenAsksFirst: a lead who decides while a finding is
// a draft, a finding awaits the lab or a request is open is shown them and
// asked to confirm; going back keeps what was written; nothing is decided
// until the lead confirms. With nothing open, the decision is made at once,
// and the API's decide keeps its contract (no confirmation).
func TestDecidingWhileWorkIsOpenAsksFirst(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("awaiting_lab").caseID
	body := findingBody("high", "TLP:AMBER")
	body["title"] = "Working exploit for a known web CVE"
	w.finding(id, "rev", "draft", body)
	body = findingBody("medium", "TLP:AMBER")
	body["title"] = "Verbose errors name internal hosts"
	w.finding(id, "rev", "shared", body)
	lead := w.pageAs("lead")
	casePage := "/cases/" + id
	lead.get(casePage).has(t, "Still open on this case", "1 draft finding, never shared with the lab",
		"1 finding the lab has not answered", "1 open information request")

	decision := url.Values{"outcome": {"mitigations_requested"}, "rationale": {"Mitigate the exploit path."}, "conditions": {"Re-test 2.1."}}
	r := lead.post(casePage, casePage+"/decision", decision)
	wantPage(t, r, 200)
	r.has(t, "Decide while work is still open?", "Draft findings, never shared with the lab (1)", "Working exploit for a known web CVE",
		"Findings the lab has not answered (1)", "Verbose errors name internal hosts", "Open information requests (1)", "Which evals?",
		"Decide anyway: Mitigations requested", "Mitigate the exploit path.")
	if got := w.as("lead", "GET", "/api/v1/cases/"+id, nil).JSON()["status"]; got != "awaiting_lab" {
		t.Fatalf("decided before the lead confirmed: %v", got)
	}

	// Going back shows the case with the decision form open, as written.
	back := url.Values{"confirm": {"back"}}
	for k, v := range decision {
		back[k] = v
	}
	r = lead.post(casePage, casePage+"/decision", back)
	wantPage(t, r, 200)
	if !strings.Contains(r.Body, `id="act-decide" open`) || !strings.Contains(r.Body, ">Mitigate the exploit path.</textarea>") {
		t.Fatal("going back lost the decision form")
	}

	// A bad decision is refused before anything is confirmed.
	r = lead.post(casePage, casePage+"/decision", url.Values{"outcome": {"mitigations_requested"}, "rationale": {" "}})
	wantPage(t, r, 422)
	r.has(t, "Rationale")

	yes := url.Values{"confirm": {"yes"}}
	for k, v := range decision {
		yes[k] = v
	}
	wantPage(t, lead.post(casePage, casePage+"/decision", yes), 303)
	if got := w.as("lead", "GET", "/api/v1/cases/"+id, nil).JSON()["status"]; got != "decided" {
		t.Fatalf("status after confirming: %v", got)
	}

	// Nothing open: decided at once.
	quiet := w.caseIn("in_review").caseID
	wantPage(t, lead.post("/cases/"+quiet, "/cases/"+quiet+"/decision", decision), 303)
	// The API decides at once, as its contract says.
	busy := w.caseIn("awaiting_lab").caseID
	want(t, w.as("lead", "POST", "/api/v1/cases/"+busy+"/decision", map[string]any{"outcome": "no_concerns", "rationale": "Fine."}), 200)
	// A reviewer still may not decide, confirmed or not, nor go back from confirming.
	other := w.caseIn("in_review").caseID
	wantPage(t, w.pageAs("rev").post("/cases/"+other, "/cases/"+other+"/decision", yes), 403)
	wantPage(t, w.pageAs("rev").post("/cases/"+other, "/cases/"+other+"/decision", back), 403)
	if got := w.as("lead", "GET", "/api/v1/cases/"+other, nil).JSON()["status"]; got != "in_review" {
		t.Fatalf("a reviewer's post changed the case: %v", got)
	}
}

// TestBandAndTierNeverShareAWord: the critical band says its threshold, on
// every page that names bands, so that "Critical" is only ever a risk tier;
// the API's values stay.
func TestBandAndTierNeverShareAWord(t *testing.T) {
	w := newWorld(t, func(c *config.Config) { c.Review.CriticalDays = 3 })
	start := w.clock.Now()
	id := w.submitAt(start, draftBody("Nearly due"))
	w.clock.Set(start.Add(28 * 24 * time.Hour))
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/attest-no-conflict", nil), 200)
	w.finding(id, "lead", "draft", findingBody("critical", "TLP:AMBER"))
	if got := w.as("co", "GET", "/api/v1/cases/"+id, nil).JSON(); got["risk_tier"] != "critical" || got["clock"].(map[string]any)["band"] != "critical" {
		t.Fatalf("the API's values: %v", got)
	}
	bandCritical := regexp.MustCompile(`class="band[^"]*"[^>]*>\s*Critical`)
	for _, path := range []string{"/dashboard", "/cases", "/cases/" + id, "/"} {
		p := w.pageAs("lead").get(path)
		wantPage(t, p, 200)
		if (path == "/dashboard" || path == "/cases") && !strings.Contains(p.Body, `<option value="critical">3 days or less</option>`) {
			t.Errorf("%s: the band filter does not name the critical band by its threshold", path)
		}
		if bandCritical.MatchString(p.Body) {
			t.Errorf("%s: a band says Critical: %q", path, bandCritical.FindString(p.Body))
		}
		if path != "/" && !strings.Contains(p.Body, "3 days or less") {
			t.Errorf("%s: the critical band does not say its threshold", path)
		}
	}
	p := w.pageAs("lead").get("/cases/" + id)
	p.has(t, "Band 3 days or less", "Risk tier Critical")
	if !strings.Contains(p.Body, `<span class="tier tier-critical">Critical</span>`) || !strings.Contains(p.Body, `data-band-critical="3 days or less"`) {
		t.Fatal("the tier's own style, or the script's words for the band, are missing")
	}
}

// TestAStopOfSecondsReadsAsOne: a request answered after four seconds moves
// the deadline by four seconds, and the case page says so to the second.
func TestAStopOfSecondsReadsAsOne(t *testing.T) {
	w := newWorld(t)
	id := w.submitAt(w.clock.Now(), draftBody("Quick answer"))
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/attest-no-conflict", nil), 200)
	r := w.as("lead", "POST", "/api/v1/cases/"+id+"/info-requests", map[string]any{"question": "Which evals?"})
	want(t, r, 201)
	w.clock.Advance(4 * time.Second)
	want(t, w.as("lab", "POST", "/api/v1/info-requests/"+idOf(r)+"/answer", map[string]any{"answer": "These."}), 200)
	clk := w.as("lab", "GET", "/api/v1/cases/"+id+"/clock", nil).JSON()
	base, _ := time.Parse(time.RFC3339, clk["base_due_at"].(string))
	due, _ := time.Parse(time.RFC3339, clk["due_at"].(string))
	if due.Sub(base) != 4*time.Second {
		t.Fatalf("the stop moved the deadline by %v", due.Sub(base))
	}
	loc, _ := time.LoadLocation("America/New_York")
	for _, user := range []string{"lab", "lead", "co"} {
		p := w.pageAs(user).get("/cases/" + id)
		p.has(t, "Deadline "+due.In(loc).Format("Mon 2 Jan 2006, 15:04:05 MST")+" ("+base.In(loc).Format("2 Jan 15:04:05")+" + 4 s stopped)",
			"+ 4 s clock stopped")
	}
}

// TestDashboardCSVNamesTheTeamAndTheLocalDeadline: after the columns it
// always had, in their order, the CSV gives the deadline in the case's zone
// beside UTC, the zone, and for the agency the lead and the reviewers.
func TestDashboardCSVNamesTheTeamAndTheLocalDeadline(t *testing.T) {
	w := newWorld(t)
	w.caseIn("in_review")
	old := []string{"number", "lab", "model", "version", "status", "band", "received_at", "due_at", "remaining_seconds", "release_conflict"}
	for _, c := range []struct {
		user string
		get  func() string
		tail []string
	}{
		{"co", func() string { return w.pageAs("co").get("/dashboard.csv").Body }, []string{"risk_tier", "due_at_local", "timezone", "lead", "reviewers"}},
		{"co (API)", func() string { return w.as("co", "GET", "/api/v1/dashboard.csv", nil).Body }, []string{"risk_tier", "due_at_local", "timezone", "lead", "reviewers"}},
		{"lab", func() string { return w.pageAs("lab").get("/dashboard.csv").Body }, []string{"due_at_local", "timezone"}},
	} {
		rows := readCSV(t, c.user, c.get())
		if got, want := strings.Join(rows[0], ","), strings.Join(append(append([]string{}, old...), c.tail...), ","); got != want {
			t.Fatalf("%s: header %s, want %s", c.user, got, want)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		row := rows[1]
		utc, err1 := time.Parse(time.RFC3339, row[col["due_at"]])
		local, err2 := time.Parse(time.RFC3339, row[col["due_at_local"]])
		if err1 != nil || err2 != nil || !utc.Equal(local) || !strings.HasSuffix(row[col["due_at_local"]], "-05:00") && !strings.HasSuffix(row[col["due_at_local"]], "-04:00") {
			t.Errorf("%s: due_at %q and due_at_local %q", c.user, row[col["due_at"]], row[col["due_at_local"]])
		}
		if row[col["timezone"]] != "America/New_York" {
			t.Errorf("%s: timezone %q", c.user, row[col["timezone"]])
		}
		if c.user != "lab" && (row[col["lead"]] != "lead" || row[col["reviewers"]] != "rev") {
			t.Errorf("%s: lead %q, reviewers %q", c.user, row[col["lead"]], row[col["reviewers"]])
		}
	}
}

// TestNothingDeadOnTheCaseAndDeliveriesPages: empty lists say what would
// appear there; the statement hint names this deployment's addresses; the
// deliveries filter is a styled form.
func TestNothingDeadOnTheCaseAndDeliveriesPages(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("decided").caseID
	p := w.pageAs("lead").get("/cases/" + id)
	p.has(t, "No findings have been recorded on this case. A finding a reviewer or lead records appears here",
		"No documents are attached to the case. Model cards", "No comments yet. Comments on this case appear here",
		"--jwks http://example.com/.well-known/jwks.json", "paste it at http://example.com/verify")
	p.hasNot(t, "https://…")
	d := w.pageAs("admin").get("/admin/deliveries")
	wantPage(t, d, 200)
	d.has(t, "No delivery is parked as failed. An e-mail or webhook call that still fails after its last retry appears here")
	if !strings.Contains(d.Body, `class="filters"`) {
		t.Fatal("the deliveries filter is not styled")
	}
}
