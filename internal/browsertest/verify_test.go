package browsertest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/docket/docket/internal/app"
)

// TestAContractingOfficerVerifies: someone with no account pastes a lab's
// statement at /verify; the server and the browser's own WebCrypto Ed25519
// check both say "Valid" and agree; with one byte of the signature changed,
// both say why it fails. axe-core checks the page.
func TestAContractingOfficerVerifies(t *testing.T) {
	e := newEnv(t)
	caseID := e.caseInReview()
	ctx := context.Background()
	if _, err := e.svc.Cases.Decide(ctx, e.actor("lead"), caseID, app.DecisionInput{Outcome: "no_concerns", Rationale: "Fine."}); err != nil {
		t.Fatal(err)
	}
	st, err := e.svc.Evidence.GetStatement(ctx, e.actor("lab"), caseID)
	if err != nil {
		t.Fatal(err)
	}

	officer := e.tab("lab") // a fresh browser, never signed in
	officer.open("/verify", http.StatusOK)
	officer.sees("Verify a review statement", "No account is needed")
	officer.accessible("verify-form")
	officer.do("paste the statement", chromedp.SetValue(chromedp.ID("statement"), st.Token))
	officer.submit("verify", `form[action="/verify"] button[type=submit]`, http.StatusOK)
	officer.do("wait for the browser's check", chromedp.WaitVisible(chromedp.ID("browser-check")))
	officer.sees("Valid: issued by", ": decided, no concerns.", "This is the latest statement for",
		"Your browser's own check: Valid: the signature verifies with key "+st.KeyID, "Both checks agree.")
	officer.accessible("verify-valid")
	officer.shot("verify-valid")

	parts := strings.Split(st.Token, ".")
	sig := []byte(parts[2])
	if sig[3] == 'A' {
		sig[3] = 'B'
	} else {
		sig[3] = 'A'
	}
	changed := parts[0] + "." + parts[1] + "." + string(sig)
	officer.open("/verify", http.StatusOK)
	officer.do("paste a changed statement", chromedp.SetValue(chromedp.ID("statement"), changed))
	officer.submit("verify", `form[action="/verify"] button[type=submit]`, http.StatusOK)
	officer.do("wait for the browser's check", chromedp.WaitVisible(chromedp.ID("browser-check")))
	officer.sees("Not valid: the signature does not verify with key "+st.KeyID,
		"Your browser's own check: Not valid: the signature does not verify with key "+st.KeyID, "Both checks agree.")
	officer.accessible("verify-invalid")
	officer.shot("verify-invalid")
}
