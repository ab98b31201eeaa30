package browsertest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/docket/docket/internal/docket"
)

// The width and height the pages people work in all day are judged at.
const (
	workWidth  = 1366
	workHeight = 900
)

// atWorkSize makes the tab's viewport 1366×900.
func (b *tab) atWorkSize() {
	b.e.t.Helper()
	b.do("set the viewport to 1366×900", chromedp.EmulateViewport(workWidth, workHeight))
}

// busyCase files a case as it stands after a week of review: the lead
// leading and attested, Aisha Patel attested; a high-severity finding still
// a draft, a medium one shared and awaiting the lab, a low one the lab
// answered; one information request answered and one open; comments and a
// benchmark result. It returns the case and the draft finding.
func (e *env) busyCase() (caseID, draftID string) {
	t := e.t
	ctx := context.Background()
	s := func(v string) *string { return &v }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	caseID = e.caseInReview()
	rev, lead, lab := e.actor("rev"), e.actor("lead"), e.actor("lab")
	_, err := e.svc.Cases.Attest(ctx, rev, caseID)
	must(err)
	finding := func(by docket.Actor, title, severity string) string {
		f, err := e.svc.Findings.CreateFinding(ctx, by, caseID, docket.FindingInput{Title: s(title),
			Description: s("Seen in the agency's runs; details in the evidence."), Category: s("cyber_offense"),
			Severity: s(severity), TLP: s("TLP:AMBER"), Evidence: s("Transcripts 3 to 9.")})
		must(err)
		return f.Finding.ID
	}
	draftID = finding(rev, "Working exploit for a known web CVE", "high")
	shared := finding(rev, "Verbose errors name internal hosts", "medium")
	_, err = e.svc.Findings.ShareFinding(ctx, rev, shared, nil)
	must(err)
	answered := finding(lead, "Rate limits missing on the tool API", "low")
	_, err = e.svc.Findings.ShareFinding(ctx, lead, answered, nil)
	must(err)
	_, err = e.svc.Findings.RespondFinding(ctx, lab, answered, "Rate limits ship in 2.0.1.")
	must(err)
	r, err := e.svc.Cases.RequestInfo(ctx, rev, caseID, "Which scaffolding did your cyber evaluations use?")
	must(err)
	_, err = e.svc.Cases.AnswerInfoRequest(ctx, lab, r.ID, "A bash tool and a Python tool, no internet.")
	must(err)
	_, err = e.svc.Findings.CreateComment(ctx, rev, caseID, "The CTF runs look consistent with the lab's report.", docket.CommentInternal)
	must(err)
	_, err = e.svc.Findings.CreateComment(ctx, lab, caseID, "The 2.0.1 build is ready if you want it.", docket.CommentShared)
	must(err)
	score := 31.0
	_, err = e.svc.Evidence.RecordBenchmarkResult(ctx, rev, caseID, docket.BenchmarkResultInput{BenchmarkID: s("ctf-professional"),
		Score: &score, RunBy: s("agency"), RunAt: s(e.clock.Now().In(e.loc).Format("2006-01-02"))})
	must(err)
	_, err = e.svc.Cases.RequestInfo(ctx, lead, caseID, "Send the system card of 2.0.")
	must(err)
	return caseID, draftID
}

// TestCasePageFirstScreen judges the pages people work in all day as they
// use them, at 1366×900: on a case as it stands after a week of review, the
// lead, a reviewer and the lab each find the state of the case and every
// action they can take now on the first screen; the lead who decides while a
// finding is still a draft is shown it and asked to confirm; every link each
// role sees from its home and a case page leads somewhere it may go; the
// countdown board keeps every date and time left on one line. axe-core checks
// each page on the way. The page heights are logged, with screenshots.
func TestCasePageFirstScreen(t *testing.T) {
	e := newEnv(t)
	caseID, draftID := e.busyCase()

	steps := []step{
		{"each role's actions are on the first screen", func(t *testing.T) {
			for _, c := range []struct {
				who     string
				actions []string
			}{
				{"lead", []string{"Record a finding", "Ask the lab for information", "Import an Inspect log", "Record a benchmark result",
					"Assign the review", "Decide", "Add a comment", "Attach a document to the case"}},
				{"rev", []string{"Record a finding", "Ask the lab for information", "Import an Inspect log", "Record a benchmark result",
					"Add a comment", "Attach a document to the case", "Declare a conflict of interest"}},
				{"lab", []string{"Answer the open request", "Amend the submission", "Add a comment", "Attach a document to the case",
					"Withdraw this submission…"}},
			} {
				b := e.tab(c.who)
				b.atWorkSize()
				b.signIn()
				b.open("/cases/"+caseID, http.StatusOK)
				type box struct {
					Text   string  `json:"text"`
					Top    float64 `json:"top"`
					Bottom float64 `json:"bottom"`
					Width  float64 `json:"width"`
				}
				boxes := eval[[]box](b, `window.scrollTo(0, 0), Array.from(document.querySelectorAll(
					".case-state, .case-actions .action > summary, .case-actions .action > a, .case-actions .action form > button")).map(el => {
					const r = el.getBoundingClientRect();
					return {text: el.matches(".case-state") ? "the state panel" : el.textContent.trim(), top: r.top, bottom: r.bottom, width: r.width};
				})`)
				found := map[string]box{}
				for _, bx := range boxes {
					found[bx.Text] = bx
				}
				for _, want := range append([]string{"the state panel"}, c.actions...) {
					bx, ok := found[want]
					if !ok {
						b.shot("failed-first-screen")
						t.Fatalf("%s: no %q among the actions: %+v", c.who, want, boxes)
					}
					if bx.Width == 0 || bx.Top < 0 || bx.Bottom > workHeight {
						b.shot("failed-first-screen")
						t.Fatalf("%s: %q is not on the first screen (%.0f to %.0f px)", c.who, want, bx.Top, bx.Bottom)
					}
				}
				h := eval[int](b, `document.documentElement.scrollHeight`)
				t.Logf("the case page for %s at 1366 wide: %d px tall; its %d actions end at %.0f px", c.who, h, len(c.actions), found[c.actions[len(c.actions)-1]].Bottom)
				b.shot("case-page")
				b.accessible("case-first-screen-" + c.who)
				// Each action opens its form in place, without script.
				b.opens("act-comment")
				b.sees("Post the comment")
			}
		}},
		{"every link each role sees leads somewhere it may go", func(t *testing.T) {
			for _, who := range []string{"lead", "rev", "lab", "co", "admin"} {
				b := e.tab(who)
				b.atWorkSize()
				b.signIn()
				starts := []string{"/"}
				if who != "admin" {
					starts = append(starts, "/cases/"+caseID)
				}
				e.crawl(t, b, starts)
			}
		}},
		{"the countdown keeps every date and time left on one line", func(t *testing.T) {
			for _, who := range []string{"co", "lead"} {
				b := e.tab(who)
				b.atWorkSize()
				b.signIn()
				for _, path := range []string{"/dashboard", "/cases"} {
					b.open(path, http.StatusOK)
					type cell struct {
						Text  string  `json:"text"`
						Lines int     `json:"lines"`
						H     float64 `json:"h"`
						LineH float64 `json:"lineH"`
					}
					cells := eval[[]cell](b, `Array.from(document.querySelectorAll(
						"table tbody td time, table tbody td .countdown, table tbody td .band, table tbody td.nowrap")).map(el => {
						const cs = getComputedStyle(el), lh = parseFloat(cs.lineHeight) || 1.2 * parseFloat(cs.fontSize);
						const r = document.createRange(); r.selectNodeContents(el);
						// A line is a run of text whose boxes start within half a line of each other.
						const tops = [], walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
						for (let n = walk.nextNode(); n; n = walk.nextNode()) {
							const tr = document.createRange(); tr.selectNodeContents(n);
							for (const x of tr.getClientRects()) if (x.width > 0) tops.push(x.top);
						}
						tops.sort((a, b) => a - b);
						let lines = tops.length ? 1 : 0;
						for (let i = 1; i < tops.length; i++) if (tops[i] - tops[i - 1] > lh / 2) lines++;
						return {text: el.textContent.trim(), lines, h: r.getBoundingClientRect().height, lineH: lh};
					})`)
					if len(cells) < 10 {
						t.Fatalf("%s %s: only %d date and time cells", who, path, len(cells))
					}
					for _, c := range cells {
						if c.Lines > 1 || c.H > 1.5*c.LineH {
							b.shot("failed-wrap")
							t.Fatalf("%s %s: %q wraps: %d lines, %.0f px high for a line of %.0f px", who, path, c.Text, c.Lines, c.H, c.LineH)
						}
					}
					t.Logf("%s %s: %d dates, times left and bands each on one line", who, path, len(cells))
					b.shot("board" + strings.ReplaceAll(path, "/", "-"))
					b.accessible(who + strings.ReplaceAll(path, "/", "-"))
				}
			}
			b := e.tab("admin")
			b.atWorkSize()
			b.signIn()
			b.open("/admin/deliveries", http.StatusOK)
			b.sees("No delivery is parked as failed")
			b.accessible("deliveries")
		}},
		{"deciding with a draft finding open asks to confirm and lists it", func(t *testing.T) {
			b := e.tab("lead")
			b.atWorkSize()
			b.signIn()
			b.open("/cases/"+caseID, http.StatusOK)
			b.opens("act-decide")
			b.sees("Still open on this case", "1 draft finding, never shared with the lab", "1 open information request")
			b.do("choose the outcome and write the rationale",
				chromedp.Click(chromedp.CSS(`input[name=outcome][value=mitigations_requested]`)),
				chromedp.SendKeys(chromedp.ID("rationale"), "The exploit path needs a mitigation before release."))
			b.submit("decide", `form[action*="/decision"] button`, http.StatusOK)
			b.sees("Decide while work is still open?", "Draft findings, never shared with the lab (1)", "Working exploit for a known web CVE",
				"Open information requests (1)", "Send the system card of 2.0.", "Decide anyway: Mitigations requested")
			if n := eval[int](b, `document.querySelectorAll('a[href$="#finding-`+draftID+`"]').length`); n != 1 {
				t.Fatalf("the draft finding is not linked: %d", n)
			}
			b.shot("decide-confirm")
			b.accessible("decide-confirm")
			if v, err := e.svc.Cases.GetCase(context.Background(), e.actor("lead"), caseID); err != nil || v.Case.Status == docket.StatusDecided {
				t.Fatalf("decided before confirming: %v", err)
			}
			b.submit("decide anyway", `button[name=confirm][value=yes]`, http.StatusOK)
			b.sees("The decision is recorded", "Decided Mitigations requested", "Download the signed decision statement")
			if strings.Contains(b.text(), "review ended") {
				t.Fatal("the decided case still says the review ended, not how")
			}
			b.shot("case-decided")
			b.accessible("case-decided")
		}},
	}
	runSteps(t, steps)
}

// crawl follows every same-origin link a signed-in tab sees, breadth first
// from starts, two links deep and at most 150 pages, with the tab's own
// cookies (fetch in the page, as a click would); it fails on any 403, 404
// or 5xx, and on an in-page link to an element that is not there. The skip
// paths are not followed.
func (e *env) crawl(t *testing.T, b *tab, starts []string, skip ...string) {
	t.Helper()
	js := `(async (starts, skip) => {
		const origin = location.origin, seen = new Set(skip), bad = [], dead = [];
		const queue = starts.map(p => ({path: p, from: "start", depth: 0}));
		while (queue.length && seen.size < 150) {
			const {path, from, depth} = queue.shift();
			if (seen.has(path)) continue;
			seen.add(path);
			const res = await fetch(path, {credentials: "same-origin"});
			if (res.status === 403 || res.status === 404 || res.status >= 500) {
				bad.push(path + " → " + res.status + " (linked from " + from + ")");
				continue;
			}
			if (!(res.headers.get("content-type") || "").startsWith("text/html")) continue;
			const doc = new DOMParser().parseFromString(await res.text(), "text/html");
			const here = new URL(path, origin);
			for (const a of doc.querySelectorAll("a[href]")) {
				const u = new URL(a.getAttribute("href"), here);
				if (u.origin !== origin) continue;
				if (u.hash && u.pathname === here.pathname && u.search === here.search &&
					!doc.getElementById(decodeURIComponent(u.hash.slice(1)))) {
					dead.push(path + " links to " + u.hash + ", which is not on the page");
				}
				const next = u.pathname + u.search;
				if (depth < 2 && !seen.has(next)) queue.push({path: next, from: path, depth: depth + 1});
			}
		}
		return JSON.stringify({pages: seen.size - skip.length, bad, dead});
	})(` + jsonList(starts) + `, ` + jsonList(skip) + `)`
	var res struct {
		Pages int      `json:"pages"`
		Bad   []string `json:"bad"`
		Dead  []string `json:"dead"`
	}
	if err := json.Unmarshal([]byte(eval[string](b, js)), &res); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: followed the links of %d pages from %s", b.key, res.Pages, strings.Join(starts, " and "))
	if len(res.Bad) > 0 || len(res.Dead) > 0 {
		t.Errorf("%s: links that lead nowhere the role may go:\n  %s", b.key, strings.Join(append(res.Bad, res.Dead...), "\n  "))
	}
}

func jsonList(ss []string) string {
	raw, _ := json.Marshal(append([]string{}, ss...))
	return string(raw)
}
