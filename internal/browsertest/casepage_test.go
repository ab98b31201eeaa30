package browsertest_test

import (
	"context"
	"net/http"
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

// TestCasePageHeights logs how tall the case page is at 1366 wide for the
// lead, a reviewer and the lab, with a full-page screenshot of each.
func TestCasePageHeights(t *testing.T) {
	e := newEnv(t)
	caseID, _ := e.busyCase()
	for _, who := range []string{"lead", "rev", "lab"} {
		b := e.tab(who)
		b.atWorkSize()
		b.signIn()
		b.open("/cases/"+caseID, http.StatusOK)
		h := eval[int](b, `document.documentElement.scrollHeight`)
		t.Logf("the case page for %s at 1366 wide: %d px", who, h)
		b.shot("case-page")
	}
}
