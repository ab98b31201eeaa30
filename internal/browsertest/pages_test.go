package browsertest_test

import (
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestEveryGroupDoesItsJob walks one submission through its review in the
// browser, each user group in its own browser context: a lab files and
// submits, a lead assigns, a reviewer attests and asks, the lab answers, the
// lead decides, a compliance officer watches the countdown tick, filters it
// and downloads the CSV, an administrator adds a user. Sign-in is done by
// keyboard alone once. axe-core checks every main page on the way.
func TestEveryGroupDoesItsJob(t *testing.T) {
	e := newEnv(t)
	var caseID, number string

	steps := []step{
		{"sign in by keyboard alone", func(t *testing.T) {
			b := e.tab("lab")
			b.open("/login", http.StatusOK)
			b.accessible("sign-in")
			b.shot("sign-in")
			if id := eval[string](b, `document.activeElement.id`); id != "email" {
				t.Fatalf("the sign-in page starts with focus on %q", id)
			}
			ctx, cancel := b.step()
			defer cancel()
			if err := chromedp.Do(ctx, chromedp.KeyEvent(e.users["lab"].Email), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(password)); err != nil {
				t.Fatal(err)
			}
			resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
			if err != nil || resp.Status != 200 {
				t.Fatalf("Enter did not sign in: %v %v", err, resp)
			}
			b.sees("Frontier Labs: cases", "Emily Carter", "Sign out")
			// The first Tab reaches the skip link, visibly focused; Enter on it goes to the content.
			b.do("tab to the skip link", chromedp.KeyEvent(kb.Tab))
			focused := eval[string](b, `document.activeElement.textContent.trim() + "|" + getComputedStyle(document.activeElement).outlineStyle + "|" + getComputedStyle(document.activeElement).left`)
			parts := strings.Split(focused, "|")
			if parts[0] != "Skip to main content" || parts[1] == "none" || parts[2] != "0px" {
				t.Fatalf("the first Tab: %q", focused)
			}
			b.shot("skip-link-focused")
			b.do("follow the skip link", chromedp.KeyEvent(kb.Enter))
			if id := eval[string](b, `document.activeElement.id`); id != "main" {
				t.Fatalf("the skip link led to %q", id)
			}
			b.accessible("lab-cases")
		}},
		{"a lab files and submits", func(t *testing.T) {
			b := e.tab("lab")
			b.signIn()
			b.open("/cases/new", http.StatusOK)
			b.accessible("new-submission")
			release := e.clock.Now().AddDate(0, 2, 0).Format("2006-01-02")
			b.do("fill in the submission",
				chromedp.SendKeys(chromedp.ID("f-model_name"), "Atlas"),
				chromedp.SendKeys(chromedp.ID("f-model_version"), "2.0"),
				chromedp.SetValue(chromedp.ID("f-modality"), "text"),
				chromedp.SetValue(chromedp.ID("f-deployment"), "api"),
				chromedp.SetValue(chromedp.ID("f-planned_release_date"), release),
				chromedp.SendKeys(chromedp.ID("f-training_compute_flops"), "3.1e25"),
				chromedp.SendKeys(chromedp.ID("f-summary"), "A general-purpose model with tool use."))
			// Submitting without the weights digest: the error sits beside the field, the input stays.
			b.submit("submit without a digest", `button[name=then][value=submit]`, http.StatusUnprocessableEntity)
			b.sees("There is a problem", "The weights digest is required to submit.")
			if v := eval[string](b, `document.getElementById("f-model_name").value`); v != "Atlas" {
				t.Fatalf("the model name was lost: %q", v)
			}
			b.shot("submission-errors")
			b.accessible("submission-errors")
			b.do("fill in the digest", chromedp.SendKeys(chromedp.ID("f-weights_digest"), "sha256:"+strings.Repeat("4f", 32)))
			b.submit("submit", `button[name=then][value=submit]`, http.StatusOK)
			b.sees("Submitted. The review clock has started.", "Atlas 2.0", "Time left", "How the deadline is set")
			caseID = regexp.MustCompile(`/cases/([0-9a-f-]{36})`).FindStringSubmatch(b.location())[1]
			number = regexp.MustCompile(`DKT-\d{4}-\d{4}`).FindString(b.text())
			b.shot("submitted")
			b.accessible("case-lab")
		}},
		{"a lead assigns", func(t *testing.T) {
			b := e.tab("lead")
			b.signIn()
			b.sees("Triage", "Waiting for assignment", number, "Atlas 2.0")
			b.accessible("triage")
			b.shot("triage")
			b.submit("open the case", chromedp.CSS(`a[href="/cases/`+caseID+`"]`), http.StatusOK)
			b.sees("Attest no conflict of interest")
			b.submit("attest", `form[action$="/attest-no-conflict"] button`, http.StatusOK)
			b.sees("Your attestation is recorded", "A general-purpose model with tool use.", "Assign the review")
			b.opens("act-assign")
			b.do("choose the reviewer and the lead",
				chromedp.Click(chromedp.CSS(`input[name=reviewer_ids][value="`+e.users["rev"].ID+`"]`)),
				chromedp.SetValue(chromedp.ID("lead_id"), e.users["lead"].ID))
			b.submit("assign", `form[action$="/assign"] button`, http.StatusOK)
			b.sees("The reviewers and the case lead are saved", "In review", "Aisha Patel")
			b.shot("assigned")
			b.accessible("case-lead")
		}},
		{"a reviewer attests and asks", func(t *testing.T) {
			b := e.tab("rev")
			b.signIn()
			b.sees("My cases", number, "Attest first")
			b.accessible("my-cases")
			b.shot("my-cases")
			b.submit("open the case", chromedp.CSS(`a[href="/cases/`+caseID+`"]`), http.StatusOK)
			b.sees("Attest no conflict of interest")
			b.submit("attest", `form[action$="/attest-no-conflict"] button`, http.StatusOK)
			b.opens("act-ask")
			b.do("write the question", chromedp.SendKeys(chromedp.ID("question"), "Which cyber-offense evaluations did you run, and with what scaffolding?"))
			b.submit("ask", `form[action$="/info-requests"] button`, http.StatusOK)
			b.sees("The information request is sent to the lab", "Awaiting lab", "Paused", "clock stopped")
			b.shot("asked")
			b.accessible("case-reviewer")
		}},
		{"the lab answers", func(t *testing.T) {
			b := e.tab("lab")
			b.signIn()
			b.open("/cases/"+caseID, http.StatusOK)
			b.opens("act-answer")
			b.sees("Which cyber-offense evaluations", "Your answer", "Withdraw this submission")
			b.open("/cases/"+caseID+"/withdraw", http.StatusOK)
			b.sees("Withdraw this submission?", "Yes, withdraw the submission", "No, go back")
			b.accessible("withdraw-confirmation")
			b.submit("go back", `a.button-secondary`, http.StatusOK)
			b.opens("act-answer")
			b.do("write the answer", chromedp.SendKeys(chromedp.CSS(`textarea[name=answer]`), "CyberSecEval 3 and our own CTF suite, with a bash tool."))
			b.submit("answer", `form[action$="/answer"] button`, http.StatusOK)
			b.sees("Your answer is sent", "In review", "CyberSecEval 3")
			b.shot("answered")
		}},
		{"the lead decides", func(t *testing.T) {
			b := e.tab("lead")
			b.signIn()
			b.open("/cases/"+caseID, http.StatusOK)
			b.opens("act-decide")
			b.do("choose the outcome and write the rationale",
				chromedp.Click(chromedp.CSS(`input[name=outcome][value=concerns_noted]`)),
				chromedp.SendKeys(chromedp.ID("rationale"), "Strong exploit-writing uplift; safeguards hold in testing."))
			b.submit("decide", `form[action$="/decision"] button`, http.StatusOK)
			b.sees("The decision is recorded", "Decided", "Concerns noted")
			b.shot("decided")
		}},
		{"a compliance officer watches, filters and downloads", func(t *testing.T) {
			b := e.tab("co")
			b.signIn()
			b.sees("Countdown of every open review", "Overdue", "2 days or less", "Due soon", "On track", "Paused",
				"Meridian Sage", "Review windows")
			b.shot("countdown")
			b.accessible("countdown")
			e.countdownTicks(t, b)
			// Filter on a band, then sort.
			b.do("choose the critical band", chromedp.SetValue(chromedp.ID("band"), "critical"))
			b.submit("filter", `form.filters button[type=submit]`, http.StatusOK)
			if !strings.Contains(b.location(), "band=critical") {
				t.Fatalf("the filter is not in the address: %s", b.location())
			}
			b.sees("Showing 1–1 of 1 case", "Meridian Coder", "Conflict")
			if n := eval[int](b, `document.querySelectorAll("table.board tbody tr").length`); n != 1 {
				t.Fatalf("%d rows on the critical band", n)
			}
			b.shot("filtered")
			b.open("/dashboard?sort=number", http.StatusOK)
			shown := eval[[]string](b, `Array.from(document.querySelectorAll("table.board tbody th a")).map(a => a.textContent)`)
			e.downloadsTheCSV(t, b, shown)
			b.open("/cases", http.StatusOK)
			b.sees("Cases", "Meridian Agent")
			b.accessible("cases-compliance")
		}},
		{"an administrator adds a user", func(t *testing.T) {
			b := e.tab("admin")
			b.signIn()
			b.sees("Users", "Add a user", "Emily Carter")
			b.accessible("users")
			orgID := eval[string](b, `Array.from(document.querySelectorAll("#f-org_id option")).find(o => o.textContent.startsWith("Frontier Labs")).value`)
			b.do("fill in the user",
				chromedp.SendKeys(chromedp.ID("f-email"), "noah.brooks@frontierlabs.example"),
				chromedp.SendKeys(chromedp.ID("f-name"), "Noah Brooks"),
				chromedp.SetValue(chromedp.ID("f-org_id"), orgID),
				chromedp.SetValue(chromedp.ID("f-role"), "lab_member"),
				chromedp.SendKeys(chromedp.ID("f-password"), "a long passphrase for Noah"))
			b.submit("add the user", `form[action="/admin/users"] button[type=submit]`, http.StatusOK)
			b.sees("The user is created.", "noah.brooks@frontierlabs.example")
			b.shot("users")
			b.open("/admin/orgs", http.StatusOK)
			b.accessible("organisations")
			b.open("/no/such/page", http.StatusNotFound)
			b.sees("Page not found", "Go to your home page")
			b.accessible("not-found")
			b.shot("not-found")
		}},
	}
	runSteps(t, steps)
}

var countdownRE = regexp.MustCompile(`^(overdue by )?(\d+) d (\d\d) h (\d\d) m (\d\d) s`)

// countdownSeconds reads a countdown's text as signed seconds.
func countdownSeconds(t *testing.T, s string) int64 {
	t.Helper()
	m := countdownRE.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("not a countdown: %q", s)
	}
	n := func(i int) int64 { v, _ := strconv.ParseInt(m[i], 10, 64); return v }
	secs := n(2)*86400 + n(3)*3600 + n(4)*60 + n(5)
	if m[1] != "" {
		secs = -secs
	}
	return secs
}

// countdownTicks checks that the countdowns tick each second from the
// server's instant (the browser's own clock is 150 days off it), and that a
// stopped clock stays frozen.
func (e *env) countdownTicks(t *testing.T, b *tab) {
	t.Helper()
	b.open("/dashboard", http.StatusOK)
	loaded := time.Now()
	type clock struct {
		Text      string `json:"text"`
		Remaining int64  `json:"remaining"`
		Frozen    bool   `json:"frozen"`
	}
	read := func() []clock {
		return eval[[]clock](b, `Array.from(document.querySelectorAll(".countdown")).map(el => ({
			text: el.textContent, remaining: Number(el.dataset.remaining), frozen: el.hasAttribute("data-frozen")}))`)
	}
	first := read()
	time.Sleep(2500 * time.Millisecond)
	second := read()
	elapsed := time.Since(loaded).Seconds()
	ticking, frozen := 0, 0
	for i, c := range second {
		if c.Frozen {
			frozen++
			if c.Text != first[i].Text || !strings.Contains(c.Text, "(stopped)") {
				t.Fatalf("a stopped clock moved: %q → %q", first[i].Text, c.Text)
			}
			continue
		}
		ticking++
		if c.Text == first[i].Text {
			t.Fatalf("a countdown did not tick: %q", c.Text)
		}
		want := float64(c.Remaining)/1000 - elapsed
		got := float64(countdownSeconds(t, c.Text))
		if got < want-3 || got > want+3 {
			t.Fatalf("a countdown shows %q (%.0f s), the server's instant says about %.0f s", c.Text, got, want)
		}
	}
	if ticking < 4 || frozen < 1 {
		t.Fatalf("%d ticking and %d frozen countdowns", ticking, frozen)
	}
	if eval[string](b, `document.body.dataset.ticking || ""`) != "true" {
		t.Fatal("the script did not run")
	}
	t.Logf("%d countdowns ticked in step with the server's clock over %.1f s; %d stopped clock stayed frozen", ticking, elapsed, frozen)
	b.shot("countdown-ticked")
}

// downloadsTheCSV clicks the download link and checks that the file holds
// the cases the board shows, in the same order.
func (e *env) downloadsTheCSV(t *testing.T, b *tab, shown []string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "downloads")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := b.step()
	defer cancel()
	c := chromedp.FromContext(ctx)
	_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: new(true),
		BrowserContextID: c.BrowserContextID})
	if err != nil {
		t.Fatalf("allow downloads: %v", err)
	}
	progress := chromedp.BrowserEvents(ctx, browser.DownloadProgress)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[href^="/dashboard.csv"]`))); err != nil {
		t.Fatalf("click the CSV link: %v", err)
	}
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("the download did not finish: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = ev.FilePath
			if file == "" {
				file = filepath.Join(dir, ev.GUID)
			}
			break
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		t.Fatalf("the CSV: %v", err)
	}
	if len(rows) != len(shown)+1 {
		t.Fatalf("the CSV has %d cases, the board shows %d", len(rows)-1, len(shown))
	}
	for i, r := range rows[1:] {
		if r[0] != shown[i] {
			t.Fatalf("row %d of the CSV is %s, the board shows %s", i, r[0], shown[i])
		}
	}
	_ = os.WriteFile(filepath.Join(e.artifacts, "dashboard.csv"), raw, 0o644)
	t.Logf("downloaded the CSV: %d cases, as shown (%s)", len(rows)-1, strings.Join(shown, ", "))
}
