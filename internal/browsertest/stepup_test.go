package browsertest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// TestTLPRedAsksForAPasskey: the shipped rule holds here
// (auth.tlp_red_requires_phishing_resistant): the lead, signed in with a
// password, sees a TLP:RED finding on the case page withheld, with the
// sign-in that would open it, and its file's download answers the error
// page with the same offer. axe-core checks both.
func TestTLPRedAsksForAPasskey(t *testing.T) {
	e := newEnv(t)
	caseID := e.caseInReview()
	ctx := context.Background()
	s := func(v string) *string { return &v }
	lead, lab := e.actor("lead"), e.actor("lab")
	// Recorded through the services, as a session that may (the actors here carry no rule).
	v, err := e.svc.Findings.CreateFinding(ctx, lead, caseID, docket.FindingInput{Title: s("Weights reachable from the tool sandbox"),
		Description: s("The model fetched its own weights."), Category: s("weights_security"), Severity: s("critical"), TLP: s("TLP:RED")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Findings.ShareFinding(ctx, lead, v.Finding.ID, []string{lab.UserID}); err != nil {
		t.Fatal(err)
	}
	up, err := e.svc.Findings.StageUpload(strings.NewReader("turn 3: curl weights\n"), "exploit.txt")
	if err != nil {
		t.Fatal(err)
	}
	at, err := e.svc.Findings.CreateAttachment(ctx, lead, app.AttachTarget{FindingID: v.Finding.ID}, "evidence", up)
	if err != nil {
		t.Fatal(err)
	}

	runSteps(t, []step{
		{"the lead's password session sees the finding withheld", func(t *testing.T) {
			b := e.tab("lead")
			b.signIn()
			b.open("/cases/"+caseID, http.StatusOK)
			b.sees("TLP:RED finding, withheld from this session", "A TLP:RED finding, withheld", "Sign in again with a passkey")
			if strings.Contains(b.text(), "Weights reachable") {
				t.Fatal("the case page shows the TLP:RED finding's title")
			}
			href := eval[string](b, `document.querySelector('#finding-`+v.Finding.ID+` .step-up a').getAttribute("href")`)
			if href != "/login?next=%2Fcases%2F"+caseID+"&step_up=1" {
				t.Errorf("the passkey link: %q", href)
			}
			b.accessible("case-tlp-red-withheld")
			b.shot("case-tlp-red-withheld")

			b.open("/attachments/"+at.ID, http.StatusForbidden)
			b.sees("Sign in again to read TLP:RED", "Sign in again with a passkey")
			b.accessible("step-up-error-page")
			b.shot("step-up-error-page")
		}},
	})
}
