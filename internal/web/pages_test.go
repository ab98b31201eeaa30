package web_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// pageWorld is a world with a case in every state, as realistic data for the pages.
type pageWorld struct {
	*world
	cases map[string]fixture
}

func newPageWorld(t *testing.T) *pageWorld {
	w := newWorld(t)
	pw := &pageWorld{world: w, cases: map[string]fixture{}}
	for _, st := range states {
		pw.cases[st] = w.caseIn(st)
		w.clock.Advance(time.Hour)
	}
	return pw
}

func TestEveryRoleHasAHome(t *testing.T) {
	w := newPageWorld(t)
	for user, want := range map[string][]string{
		"lab":   {"Frontier Labs: cases", "File a new submission", "Model draft", "Model in_review", "Awaiting lab", "Withdrawn"},
		"rev":   {"My cases", "Model in_review", "Model awaiting_lab", "Attested"},
		"lead":  {"Triage", "Waiting for assignment", "Model submitted", "In review", "Model in_review", "lead"},
		"co":    {"Countdown of every open review", "Model submitted", "Model in_review", "Download these 3 cases (CSV)"},
		"admin": {"Users", "Add a user", "lab@example.org", "Frontier Labs"},
	} {
		t.Run(user, func(t *testing.T) {
			p := w.pageAs(user).get("/")
			wantPage(t, p, 200)
			p.has(t, want...)
			if user != "lab" {
				p.hasNot(t, "Model draft")
			}
			if user == "rev" {
				p.hasNot(t, "Model submitted") // not assigned to it
			}
			if strings.Contains(p.Body, "style=") || strings.Contains(p.Body, "<script>") {
				t.Fatal("inline style or script")
			}
			if p.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("Cache-Control %q", p.Header.Get("Cache-Control"))
			}
		})
	}
}

func TestCasePageForEveryRoleAndState(t *testing.T) {
	w := newPageWorld(t)
	type expect struct {
		status int
		show   []string
		hide   []string
	}
	summary := "A frontier model."
	question := "Which evals?"
	for _, st := range states {
		f := w.cases[st]
		for _, user := range []string{"lab", "rival", "rev", "rev2", "lead", "co", "admin"} {
			var e expect
			switch {
			case user == "lab":
				e = expect{status: 200, show: []string{"Model " + st, summary}, hide: []string{"Risk tier"}}
				if st == "draft" {
					e.show = append(e.show, "Submit for review", "Edit the draft", "Delete the draft")
				} else {
					e.show = append(e.show, "How the deadline is set", "Base deadline", question)
				}
				if st == "awaiting_lab" {
					e.show = append(e.show, "Your answer", "Send the answer", "Withdraw this submission")
				}
			case user == "rival" || user == "admin" || user == "rev2" || st == "draft" ||
				(user == "rev" && st == "submitted"):
				e = expect{status: 404, show: []string{"Page not found"}, hide: []string{"Model " + st, summary}}
			case user == "co":
				e = expect{status: 200, show: []string{"Model " + st, "Risk tier", "not shown to your role"},
					hide: []string{summary, question, "Send the request", "attest"}}
			case user == "rev" || user == "lead":
				// rev attested from in_review on; the lead attested on every submitted case.
				e = expect{status: 200, show: []string{"Model " + st, summary, question}}
				if st == "in_review" || st == "awaiting_lab" || st == "submitted" {
					e.show = append(e.show, "Ask the lab for information")
				}
				if user == "lead" && (st == "in_review" || st == "awaiting_lab") {
					e.show = append(e.show, "Record the decision", "Save the assignment")
				}
				if user == "rev" && st != "decided" && st != "withdrawn" {
					e.show = append(e.show, "Declare a conflict of interest")
				}
				if st == "decided" {
					e.show = append(e.show, "Decision", "No concerns", "Fine.")
				}
			}
			p := w.pageAs(user).get("/cases/" + f.caseID)
			if p.Code != e.status {
				t.Errorf("%s on %s: %d, want %d", user, st, p.Code, e.status)
				continue
			}
			txt := p.text()
			for _, s := range e.show {
				if !strings.Contains(txt, s) {
					t.Errorf("%s on %s: missing %q", user, st, s)
				}
			}
			for _, s := range e.hide {
				if strings.Contains(txt, s) {
					t.Errorf("%s on %s: shows %q", user, st, s)
				}
			}
			if e.status == 404 && !strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%s on %s: the 404 is %s", user, st, p.Header.Get("Content-Type"))
			}
		}
	}
	// A lead who has not attested sees the attestation before the content.
	w.addUser("lead2", "review_lead", "Agency")
	p := w.pageAs("lead2").get("/cases/" + w.cases["in_review"].caseID)
	wantPage(t, p, 200)
	p.has(t, "Attest no conflict of interest", "I attest I have no conflict of interest")
	p.hasNot(t, summary, question, "Record the decision")
}

func TestTheWholeReviewThroughThePages(t *testing.T) {
	w := newWorld(t)
	lab, lead, rev := w.pageAs("lab"), w.pageAs("lead"), w.pageAs("rev")

	// The lab files a draft and submits it.
	r := lab.post("/cases/new", "/cases/new", url.Values{"model_name": {"Atlas"}, "model_version": {"2.0"},
		"weights_digest": {"sha256:" + strings.Repeat("cd", 32)}, "modality": {"text"}, "deployment": {"api"},
		"planned_release_date": {"2026-12-01"}, "training_compute_flops": {"3.1e25"}, "summary": {"Atlas summary."},
		"then": {"save"}})
	wantPage(t, r, 303)
	id := strings.TrimPrefix(strings.Split(r.Location, "?")[0], "/cases/")
	lab.get(r.Location).has(t, "The draft is saved", "Atlas", "Submit for review")
	r = lab.post("/cases/"+id, "/cases/"+id+"/submit", nil)
	wantPage(t, r, 303)
	lab.get(r.Location).has(t, "Submitted. The review clock has started.", "DKT-2026-0001", "Time left")

	// The lead attests and assigns the reviewer and itself.
	wantPage(t, lead.post("/cases/"+id, "/cases/"+id+"/attest-no-conflict", nil), 303)
	r = lead.post("/cases/"+id, "/cases/"+id+"/assign", url.Values{"reviewer_ids": {w.users["rev"].ID},
		"lead_id": {w.users["lead"].ID}})
	wantPage(t, r, 303)
	lead.get(r.Location).has(t, "The reviewers and the case lead are saved", "In review", "rev")

	// The reviewer attests and asks; the clock stops.
	rev.get("/").has(t, "Atlas", "Attest first")
	wantPage(t, rev.post("/cases/"+id, "/cases/"+id+"/attest-no-conflict", nil), 303)
	w.clock.Advance(24 * time.Hour)
	r = rev.post("/cases/"+id, "/cases/"+id+"/info-requests", url.Values{"question": {"Which red-team evals?"}})
	wantPage(t, r, 303)
	rev.get(r.Location).has(t, "The information request is sent", "Awaiting lab", "Paused", "Which red-team evals?")

	// The lab answers after two days; the deadline moves by exactly that.
	w.clock.Advance(48 * time.Hour)
	p := lab.get("/cases/" + id)
	p.has(t, "Your answer", "2 days so far")
	m := regexp.MustCompile(`/info-requests/([0-9a-f-]+)/answer`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("no answer form")
	}
	r = lab.post("/cases/"+id, "/info-requests/"+m[1]+"/answer", url.Values{"answer": {"These: X, Y."}, "case_id": {id}})
	wantPage(t, r, 303)
	p = lab.get(r.Location)
	p.has(t, "Your answer is sent", "In review", "+ 2 days", "2 days after the base deadline")

	// The lead decides.
	r = lead.post("/cases/"+id, "/cases/"+id+"/decision", url.Values{"outcome": {"concerns_noted"},
		"rationale": {"See the findings."}, "conditions": {"Keep the safeguards."}})
	wantPage(t, r, 303)
	lead.get(r.Location).has(t, "The decision is recorded", "Decided", "Concerns noted", "See the findings.", "Keep the safeguards.")
	got := w.as("lab", "GET", "/api/v1/cases/"+id, nil).JSON()
	if got["status"] != "decided" {
		t.Fatalf("status %v", got["status"])
	}
	// The clock panel says how the review ended, not that it ended.
	lp := lab.get("/cases/" + id)
	lp.has(t, "Where the case stands Decided Concerns noted on")
	lp.hasNot(t, "review ended", "Review ended")
}

func TestNewSubmissionFormShowsEveryErrorAndKeepsTheInput(t *testing.T) {
	w := newWorld(t)
	lab := w.pageAs("lab")
	before := caseCount(w, "lab")
	r := lab.post("/cases/new", "/cases/new", url.Values{"model_name": {""}, "model_version": {"1.0<script>"},
		"weights_digest": {"md5:abc"}, "planned_release_date": {"2026-02-30"}, "training_compute_flops": {"lots"},
		"summary": {"Kept summary"}, "modality": {"smell"}, "then": {"submit"}})
	wantPage(t, r, 422)
	r.has(t, "There is a problem", "The model name is required.", "The weights digest must be sha256:",
		"The planned release date must be a date", "Enter the training compute as a number", "The modality must be one of",
		"The deployment is required to submit.")
	for _, id := range []string{"e-model_name", "e-weights_digest", "e-planned_release_date", "e-training_compute_flops", "e-modality", "e-deployment"} {
		if !strings.Contains(r.Body, `id="`+id+`"`) {
			t.Errorf("no error beside the field: %s", id)
		}
	}
	if !strings.Contains(r.Body, `aria-describedby="e-model_name"`) || !strings.Contains(r.Body, `aria-invalid="true"`) {
		t.Error("the errors are not tied to their inputs")
	}
	for _, kept := range []string{`value="1.0&lt;script&gt;"`, `value="md5:abc"`, `value="lots"`, ">Kept summary</textarea>"} {
		if !strings.Contains(r.Body, kept) {
			t.Errorf("the input is not kept: %s", kept)
		}
	}
	if caseCount(w, "lab") != before {
		t.Fatal("a case was written")
	}
	// Only lab members file.
	wantPage(t, w.pageAs("lead").get("/cases/new"), 403)
	wantPage(t, w.pageAs("co").post("/", "/cases/new", url.Values{"model_name": {"X"}, "model_version": {"1"}}), 403)
}

func TestEditADraftThenSubmit(t *testing.T) {
	w := newWorld(t)
	lab := w.pageAs("lab")
	f := w.caseIn("draft")
	p := lab.get("/cases/" + f.caseID + "/edit")
	wantPage(t, p, 200)
	if !strings.Contains(p.Body, `value="Model draft"`) {
		t.Fatal("the draft's values are not in the form")
	}
	r := lab.post("/cases/"+f.caseID+"/edit", "/cases/"+f.caseID+"/edit", url.Values{"model_name": {"Renamed"},
		"model_version": {"1.1"}, "weights_digest": {""}, "modality": {"code"}, "deployment": {"internal"}, "then": {"submit"}})
	wantPage(t, r, 422)
	r.has(t, "The weights digest is required to submit.")
	r = lab.post("/cases/"+f.caseID+"/edit", "/cases/"+f.caseID+"/edit", url.Values{"model_name": {"Renamed"},
		"model_version": {"1.1"}, "weights_digest": {"sha256:" + strings.Repeat("ef", 32)}, "modality": {"code"},
		"deployment": {"internal"}, "then": {"submit"}})
	wantPage(t, r, 303)
	lab.get(r.Location).has(t, "Submitted.", "Renamed 1.1")
	// A submitted case is no longer editable.
	wantPage(t, lab.get("/cases/"+f.caseID+"/edit"), 409)
}

func TestStateChangingFormsNeedTheirToken(t *testing.T) {
	w := newPageWorld(t)
	lab, lead := w.pageAs("lab"), w.pageAs("lead")
	f := w.cases["awaiting_lab"]
	other := w.pageAs("lab2").get("/").csrf() // a real token of another session
	attempts := []struct {
		b    *browser
		path string
		form url.Values
	}{
		{lab, "/cases/new", url.Values{"model_name": {"Forged"}, "model_version": {"1"}}},
		{lab, "/info-requests/" + f.requestID + "/answer", url.Values{"answer": {"Forged"}}},
		{lab, "/cases/" + f.caseID + "/withdraw", url.Values{"reason": {"Forged"}}},
		{lead, "/cases/" + f.caseID + "/decision", url.Values{"outcome": {"no_concerns"}, "rationale": {"Forged"}}},
		{lead, "/info-requests/" + f.requestID + "/cancel", url.Values{}},
		{lead, "/cases/" + f.caseID + "/assign", url.Values{"reviewer_ids": {}}},
		{lead, "/logout", url.Values{}},
	}
	for _, a := range attempts {
		for _, tok := range []string{"", other, "x"} {
			form := url.Values{}
			for k, v := range a.form {
				form[k] = v
			}
			if tok != "" {
				form.Set("csrf_token", tok)
			}
			r := a.b.do("POST", a.path, form)
			if r.Code != 403 {
				t.Errorf("POST %s with token %q: %d", a.path, tok, r.Code)
			}
		}
	}
	got := w.as("lab", "GET", "/api/v1/cases/"+f.caseID, nil).JSON()
	if got["status"] != "awaiting_lab" || caseCount(w.world, "lab") != len(states) {
		t.Fatalf("something was written: %v", got["status"])
	}
	reqs := w.as("lead", "GET", "/api/v1/cases/"+f.caseID+"/info-requests", nil).Body
	if strings.Contains(reqs, "Forged") {
		t.Fatal("a forged answer was stored")
	}
	wantPage(t, lead.get("/"), 200) // logout was refused
}

func TestWithdrawAsksFirst(t *testing.T) {
	w := newWorld(t)
	f := w.caseIn("in_review")
	lab := w.pageAs("lab")
	p := lab.get("/cases/" + f.caseID + "/withdraw")
	wantPage(t, p, 200)
	p.has(t, "Withdraw this submission?", "Yes, withdraw the submission", "No, go back")
	r := lab.post("/cases/"+f.caseID+"/withdraw", "/cases/"+f.caseID+"/withdraw", url.Values{"reason": {" "}})
	wantPage(t, r, 422)
	r.has(t, "The reason is required")
	r = lab.post("/cases/"+f.caseID+"/withdraw", "/cases/"+f.caseID+"/withdraw", url.Values{"reason": {"Not releasing."}})
	wantPage(t, r, 303)
	lab.get(r.Location).has(t, "The submission is withdrawn", "Withdrawn")
	// Not again, and never by the agency.
	wantPage(t, lab.get("/cases/"+f.caseID+"/withdraw"), 409)
	wantPage(t, w.pageAs("lead").get("/cases/"+f.caseID+"/withdraw"), 403)
	wantPage(t, w.pageAs("rival").get("/cases/"+f.caseID+"/withdraw"), 404)
}

func TestActionErrorsComeBackOnTheCasePage(t *testing.T) {
	w := newPageWorld(t)
	lead := w.pageAs("lead")
	f := w.cases["in_review"]
	r := lead.post("/cases/"+f.caseID, "/cases/"+f.caseID+"/decision", url.Values{"outcome": {"no_concerns"},
		"rationale": {""}, "conditions": {"Keep this"}})
	wantPage(t, r, 422)
	r.has(t, "The rationale is required")
	if !strings.Contains(r.Body, ">Keep this</textarea>") || !strings.Contains(r.Body, `value="no_concerns" checked`) {
		t.Fatal("the decision form lost its input")
	}
	r = lead.post("/cases/"+f.caseID, "/cases/"+f.caseID+"/info-requests", url.Values{"question": {"  "}})
	wantPage(t, r, 422)
	r.has(t, "The question is required")
	// Deciding a decided case: 409 with the reason on the page.
	d := w.cases["decided"]
	r = lead.post("/cases/"+d.caseID, "/cases/"+d.caseID+"/decision", url.Values{"outcome": {"no_concerns"}, "rationale": {"Again"}})
	wantPage(t, r, 409)
	r.has(t, "The case is decided; allowed now")
	// Answering with nothing.
	a := w.cases["awaiting_lab"]
	r = w.pageAs("lab").post("/cases/"+a.caseID, "/info-requests/"+a.requestID+"/answer", url.Values{"answer": {""}, "case_id": {a.caseID}})
	wantPage(t, r, 422)
	r.has(t, "The answer is required")
	// A request of a case the user may not see is 404, whatever case_id the form names.
	r = w.pageAs("rival").post("/", "/info-requests/"+a.requestID+"/answer", url.Values{"answer": {"x"}, "case_id": {a.caseID}})
	wantPage(t, r, 404)
	// Assigning someone who is not a reviewer.
	r = lead.post("/cases/"+f.caseID, "/cases/"+f.caseID+"/assign", url.Values{"reviewer_ids": {w.users["lab"].ID}})
	wantPage(t, r, 422)
	r.has(t, "A reviewer is not an active reviewer")
}

func TestDashboardPage(t *testing.T) {
	w := newPageWorld(t)
	// A rival lab's case with a formula for a name, overdue by now.
	rc := w.as("rival", "POST", "/api/v1/cases", draftBody("=HYPERLINK(\"http://x\")"))
	want(t, rc, 201)
	rid := rc.JSON()["id"].(string)
	want(t, w.as("rival", "POST", "/api/v1/cases/"+rid+"/submit", nil), 200)
	w.clock.Advance(20 * 24 * time.Hour)

	co := w.pageAs("co")
	p := co.get("/dashboard")
	wantPage(t, p, 200)
	p.has(t, "Countdown of every open review", "Due soon", "Model submitted", "Model in_review", "Model awaiting_lab",
		"=HYPERLINK", "Review windows", "Clock stopped", "Today", "Risk tier", "Meridian AI")
	p.hasNot(t, "Model draft", "Model decided", "Model withdrawn")
	if !regexp.MustCompile(`<body data-now="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"`).MatchString(p.Body) {
		t.Fatal("no server instant on the body")
	}
	if n := strings.Count(p.Body, `class="countdown" data-due=`); n != 4 {
		t.Fatalf("%d countdowns", n)
	}
	if !strings.Contains(p.Body, `data-frozen="true"`) {
		t.Fatal("the paused case's countdown is not frozen")
	}
	if !strings.Contains(p.Body, "<svg class=\"timeline\"") || !strings.Contains(p.Body, `class="tl-stop"`) {
		t.Fatal("no timeline with a stop")
	}
	if !strings.Contains(p.Body, `<script src="/static/docket.js" defer></script>`) {
		t.Fatal("no countdown script")
	}

	// Filters: band, lab, status, tier; and sorting.
	f := co.get("/dashboard?band=paused")
	wantPage(t, f, 200)
	f.has(t, "Model awaiting_lab", "Showing 1–1 of 1 case")
	f.hasNot(t, "Model in_review")
	var rivalOrg string
	if m := regexp.MustCompile(`<option value="([^"]+)"[^>]*>Meridian AI</option>`).FindStringSubmatch(p.Body); m != nil {
		rivalOrg = m[1]
	} else {
		t.Fatal("no lab filter")
	}
	f = co.get("/dashboard?org_id=" + rivalOrg)
	f.has(t, "=HYPERLINK", "Showing 1–1 of 1 case")
	f.hasNot(t, "Model in_review")
	f = co.get("/dashboard?status=submitted&risk_tier=low")
	f.has(t, "Model submitted")
	f.hasNot(t, "Model in_review")
	sorted := co.get("/dashboard?sort=number")
	order := regexp.MustCompile(`>(DKT-\d{4}-\d{4})</a>`).FindAllStringSubmatch(sorted.Body, -1)
	for i := 1; i < len(order); i++ {
		if order[i-1][1] > order[i][1] {
			t.Fatalf("not sorted by number: %v", order)
		}
	}
	wantPage(t, co.get("/dashboard?sort=sideways"), 422)
	wantPage(t, co.get("/dashboard?band=purple"), 422)
	wantPage(t, co.get("/dashboard?bogus=1"), 400)

	// The CSV holds what the board shows, neutralised.
	c := co.get("/dashboard.csv?org_id=" + rivalOrg)
	wantPage(t, c, 200)
	if !strings.HasPrefix(c.Header.Get("Content-Type"), "text/csv") || !strings.Contains(c.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("CSV headers: %v", c.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(c.Body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("CSV: %v %q", err, c.Body)
	}
	if rows[1][2] != `'=HYPERLINK("http://x")` || rows[0][10] != "risk_tier" {
		t.Fatalf("CSV row: %q", rows)
	}
	all := co.get("/dashboard.csv?sort=number")
	rows, _ = csv.NewReader(strings.NewReader(all.Body)).ReadAll()
	if len(rows)-1 != len(order) {
		t.Fatalf("the CSV has %d rows, the board %d", len(rows)-1, len(order))
	}
	for i, r := range rows[1:] {
		if r[0] != order[i][1] {
			t.Fatalf("the CSV's order differs at %d: %s vs %s", i, r[0], order[i][1])
		}
	}

	// A lab sees its own board, without risk tiers; admins none.
	lp := w.pageAs("lab").get("/dashboard")
	wantPage(t, lp, 200)
	lp.has(t, "Countdown of our open reviews", "Model in_review")
	lp.hasNot(t, "Risk tier", "=HYPERLINK", "Meridian")
	lc := w.pageAs("lab").get("/dashboard.csv")
	if strings.Contains(lc.Body, "risk_tier") || strings.Contains(lc.Body, "HYPERLINK") {
		t.Fatalf("the lab's CSV: %s", lc.Body)
	}
	wantPage(t, w.pageAs("admin").get("/dashboard"), 403)
	wantPage(t, w.pageAs("admin").get("/dashboard.csv"), 403)
}

func TestCasesListPage(t *testing.T) {
	w := newPageWorld(t)
	p := w.pageAs("lead").get("/cases?status=in_review")
	wantPage(t, p, 200)
	p.has(t, "Model in_review")
	p.hasNot(t, "Model awaiting_lab", "Model draft")
	p = w.pageAs("rival").get("/cases")
	p.has(t, "There are no cases yet.")
	p.hasNot(t, "Model in_review", "Model draft", "Model submitted")
	wantPage(t, w.pageAs("admin").get("/cases"), 403)
	wantPage(t, w.pageAs("lab").get("/cases?limit=5"), 400)
}

func TestAdminPages(t *testing.T) {
	w := newWorld(t)
	admin := w.pageAs("admin")
	p := admin.get("/admin/orgs")
	wantPage(t, p, 200)
	p.has(t, "Organisations", "Frontier Labs", "Agency")
	r := admin.post("/admin/orgs", "/admin/orgs", url.Values{"name": {"Northwind AI"}, "kind": {"lab"}})
	wantPage(t, r, 303)
	p = admin.get(r.Location)
	p.has(t, "The organisation is created.", "Northwind AI")
	r = admin.post("/admin/orgs", "/admin/orgs", url.Values{"name": {""}, "kind": {"lab"}})
	wantPage(t, r, 422)
	r.has(t, "The name is required")

	org := regexp.MustCompile(`<option value="([^"]+)">Northwind AI \(lab\)</option>`).FindStringSubmatch(admin.get("/admin/users").Body)
	if org == nil {
		t.Fatal("no organisation to choose")
	}
	// A reviewer cannot live in a lab: the error is beside the field, the input kept.
	r = admin.post("/admin/users", "/admin/users", url.Values{"email": {"ann@northwind.example"}, "name": {"Ann"},
		"role": {"reviewer"}, "org_id": {org[1]}, "password": {"a long enough password"}})
	wantPage(t, r, 422)
	r.has(t, "The role reviewer exists only in agency organisations")
	if !strings.Contains(r.Body, `value="ann@northwind.example"`) {
		t.Fatal("the e-mail is not kept")
	}
	r = admin.post("/admin/users", "/admin/users", url.Values{"email": {"ann@northwind.example"}, "name": {"Ann"},
		"role": {"lab_member"}, "org_id": {org[1]}, "password": {"a long enough password"}})
	wantPage(t, r, 303)
	admin.get(r.Location).has(t, "The user is created.", "ann@northwind.example")
	ann := w.browser()
	lp := ann.get("/login")
	wantPage(t, ann.do("POST", "/login", url.Values{"email": {"ann@northwind.example"}, "password": {"a long enough password"},
		"csrf_token": {lp.csrf()}}), 303)
	wantPage(t, ann.get("/"), 200)

	// Disabling ends the user's session; the admin cannot disable itself.
	var annID string
	for _, u := range w.as("admin", "GET", "/api/v1/users?limit=200", nil).JSON()["items"].([]any) {
		if m := u.(map[string]any); m["email"] == "ann@northwind.example" {
			annID = m["id"].(string)
		}
	}
	r = admin.post("/admin/users", "/admin/users/"+annID, url.Values{"role": {"lab_member"}, "disabled": {"on"}})
	wantPage(t, r, 303)
	wantPage(t, ann.get("/"), 303)
	r = admin.post("/admin/users", "/admin/users/"+w.users["admin"].ID, url.Values{"disabled": {"on"}})
	wantPage(t, r, 409)
	r.has(t, "The user was not changed. An admin cannot disable itself.")

	// Nobody else administers.
	for _, u := range []string{"lab", "rev", "lead", "co"} {
		b := w.pageAs(u)
		wantPage(t, b.get("/admin/users"), 403)
		wantPage(t, b.get("/admin/orgs"), 403)
		wantPage(t, b.post("/", "/admin/orgs", url.Values{"name": {"Sneaky"}, "kind": {"lab"}}), 403)
	}
}

func TestStaticFilesAndTraversal(t *testing.T) {
	ts := newTestServer(t)
	b := ts.browser()
	for _, path := range []string{"/static/docket.css", "/static/docket.js", "/static/favicon.svg"} {
		r := b.get(path)
		wantPage(t, r, 200)
		if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("%s headers: %v", path, r.Header)
		}
	}
	for _, path := range []string{
		"/static/../go.mod", "/static/..%2fembed.go", "/static/..%2Fembed.go", "/static/%2e%2e/embed.go",
		"/static/%2e%2e%2fembed.go", "/static/..%5cembed.go", "/static/%252e%252e%252fembed.go",
		"/static/..%252fembed.go", "/static/embed.go", "/static/%2fetc%2fpasswd", "/static//etc/passwd",
		"/static/.%2e/templates/layout.html", "/static/docket.css%00.js",
	} {
		r := b.get(path)
		if r.Code != 404 && !(r.Code == 301 || r.Code == 308) {
			t.Errorf("%s: %d", path, r.Code)
		}
		if strings.Contains(r.Body, "package static") || strings.Contains(r.Body, "module ") || strings.Contains(r.Body, "root:") {
			t.Errorf("%s leaks a file", path)
		}
		if r.Code == 404 && (r.Header.Get("Content-Security-Policy") == "" || !strings.Contains(r.Body, "Page not found")) {
			t.Errorf("%s: the 404 is not the page", path)
		}
	}
}

func TestErrorPagesLeakNothing(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("co", "compliance_officer", "Agency")
	ts.srv.Echo().GET("/test-panic", func(echo.Context) error { panic("SELECT secret FROM cases") })
	b := ts.signInPage("co@example.org")
	r := b.get("/test-panic")
	wantPage(t, r, 500)
	r.has(t, "Something went wrong", "Request id")
	r.hasNot(t, "SELECT", "secret", "goroutine")
	if rid := r.Header.Get(echo.HeaderXRequestID); rid == "" || !strings.Contains(r.Body, rid) {
		t.Fatal("the 500 page does not quote the request id")
	}
	r = b.get("/no/such/page")
	wantPage(t, r, 404)
	r.has(t, "Page not found", "Go to your home page", "Sign out")
	if r.Header.Get("Content-Security-Policy") == "" {
		t.Fatal("no CSP on the 404")
	}
	if !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'self'") ||
		strings.Contains(r.Header.Get("Content-Security-Policy"), "unsafe-inline") {
		t.Fatalf("CSP %q", r.Header.Get("Content-Security-Policy"))
	}
	// An unknown API path still answers JSON.
	if a := b.get("/api/v1/nothing"); !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("API 404 is %s", a.Header.Get("Content-Type"))
	}
	_ = http.StatusOK
}
