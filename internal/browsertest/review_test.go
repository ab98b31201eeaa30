package browsertest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// TestWhatLeavesAReview: the lead resolves a lab's new weights digest with a
// clock restart, reads the benchmark results, publishes a finding, and
// decides; the other lab reads the Clearinghouse; the lab finds the signed
// statement on its case page. axe-core checks the pages on the way.
func TestWhatLeavesAReview(t *testing.T) {
	e := newEnv(t)
	caseID := e.caseInReview()
	ctx := context.Background()
	s := func(v string) *string { return &v }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.svc.Cases.Amend(ctx, e.actor("lab"), caseID, docket.AmendmentInput{WeightsDigest: s("sha256:" + strings.Repeat("5e", 32))})
	must(err)
	_, err = e.svc.Cases.Attest(ctx, e.actor("rev"), caseID)
	must(err)
	score := 42.0
	_, err = e.svc.Evidence.RecordBenchmarkResult(ctx, e.actor("rev"), caseID, docket.BenchmarkResultInput{BenchmarkID: s("ctf-professional"),
		Score: &score, RunBy: s("agency"), RunAt: s(e.clock.Now().In(e.loc).Format("2006-01-02"))})
	must(err)
	f, err := e.svc.Findings.CreateFinding(ctx, e.actor("lead"), caseID, docket.FindingInput{Title: s("Verbose errors"),
		Description: s("Stack traces name internal hosts."), Category: s("other"), Severity: s("low"), TLP: s("TLP:CLEAR")})
	must(err)
	_, err = e.svc.Findings.ShareFinding(ctx, e.actor("lead"), f.Finding.ID, nil)
	must(err)

	lead := e.tab("lead")
	lead.signIn()
	lead.open("/cases/"+caseID, http.StatusOK)
	lead.sees("A new weights digest is waiting for a lead", "Resolve the new weights digest", "Benchmarks and risk tier",
		"Professional capture-the-flag suite", "Publish “Verbose errors”")
	lead.accessible("case-review-lead")
	lead.shot("case-review-lead")
	ams, err := e.svc.Cases.ListAmendments(ctx, e.actor("lead"), caseID)
	must(err)
	amend := ams[0].ID
	lead.opens("act-resolve")
	lead.do("resolve with a restart",
		chromedp.Click(chromedp.ID("resolve-restart")),
		chromedp.SendKeys(chromedp.ID("resolve-note-"+amend), "The retrained weights get a fresh window."))
	lead.submit("resolve", `form[action^="/amendments/"] button`, http.StatusOK)
	lead.sees("The amendment is resolved", "Clock restarted", "restarted on the new digest")

	due := e.clock.Now().Add(30 * 24 * time.Hour).In(e.loc).Format("2006-01-02")
	p := "-" + f.Finding.ID
	lead.do("fill in the entry",
		chromedp.Click(chromedp.CSS("#clearinghouse details summary")),
		chromedp.SendKeys(chromedp.ID("publish-name"+p), "Stack traces from the evaluation endpoint"),
		chromedp.SendKeys(chromedp.ID("publish-description"+p), "Malformed requests return stack traces naming internal hosts."),
		chromedp.SendKeys(chromedp.ID("publish-action"+p), "Return generic errors."),
		chromedp.SetValue(chromedp.ID("publish-due"+p), due))
	lead.submit("publish", chromedp.CSS(`form[action^="/findings/`+f.Finding.ID+`/publish"] button`), http.StatusOK)
	lead.sees("The finding is published to the Clearinghouse", "AICH-")

	other := e.tab("lab2")
	other.signIn()
	other.open("/clearinghouse", http.StatusOK)
	other.sees("AI Cybersecurity Clearinghouse", "Stack traces from the evaluation endpoint", "Frontier Labs", "Atlas 2.0")
	other.accessible("clearinghouse")
	other.shot("clearinghouse")

	_, err = e.svc.Cases.Decide(ctx, e.actor("lead"), caseID, app.DecisionInput{Outcome: "no_concerns", Rationale: "Fine."})
	must(err)
	lab := e.tab("lab")
	lab.signIn()
	lab.open("/cases/"+caseID, http.StatusOK)
	lab.sees("Review statement", "Download the signed statement")
	lab.accessible("case-statement-lab")
}
