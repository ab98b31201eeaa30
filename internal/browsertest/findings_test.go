package browsertest_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/docket/docket/internal/docket"
)

// TestAFindingFromRecordToResolution: a reviewer attests, records a finding,
// attaches its evidence and shares it; the lab reads it and responds; the
// lead closes it. axe-core checks the case page with its findings for each
// of them, and the inbox once the sweep has sent something.
func TestAFindingFromRecordToResolution(t *testing.T) {
	e := newEnv(t)
	caseID := e.caseInReview()
	var findingID string

	steps := []step{
		{"a reviewer records a finding with evidence and shares it", func(t *testing.T) {
			b := e.tab("rev")
			b.signIn()
			b.open("/cases/"+caseID, http.StatusOK)
			b.submit("attest", `form[action$="/attest-no-conflict"] button`, http.StatusOK)
			b.sees("Findings", "No findings have been recorded", "Record a finding")
			b.opens("record-finding")
			// A first try without a title: the error sits beside the field, the rest stays.
			b.do("fill in the finding but the title",
				chromedp.SendKeys(chromedp.ID("nf-description"), "With the code tool, the model chained two calls to read files outside its sandbox."),
				chromedp.SetValue(chromedp.ID("nf-category"), "exploit_development"),
				chromedp.SetValue(chromedp.ID("nf-severity"), "high"),
				chromedp.SetValue(chromedp.ID("nf-tlp"), "TLP:AMBER"),
				chromedp.SendKeys(chromedp.ID("nf-atlas_technique"), "AML.T0051.000"),
				chromedp.SendKeys(chromedp.ID("nf-component"), "code-execution tool"),
				chromedp.SendKeys(chromedp.ID("nf-evidence"), "Transcript 14, turns 3 to 9."))
			b.submit("record without a title", `#record-finding button[type=submit]`, http.StatusUnprocessableEntity)
			b.sees("There is a problem with the finding", "The title is required.")
			if v := eval[string](b, `document.getElementById("nf-component").value`); v != "code-execution tool" {
				t.Fatalf("the component was lost: %q", v)
			}
			b.accessible("finding-form-errors")
			b.shot("finding-form-errors")
			b.do("give it a title", chromedp.SendKeys(chromedp.ID("nf-title"), "Sandbox escape through the code tool"))
			b.submit("record", `#record-finding button[type=submit]`, http.StatusOK)
			b.sees("The finding is recorded as a draft", "Sandbox escape through the code tool", "Not shared yet", "AML.T0051.000")
			m := regexp.MustCompile(`#finding-([0-9a-f-]{36})$`).FindStringSubmatch(b.location())
			if m == nil {
				t.Fatalf("the page is not at the finding: %s", b.location())
			}
			findingID = m[1]

			// A typo fixed in the draft before anyone else reads it.
			b.do("edit the draft",
				chromedp.Click(chromedp.CSS("#edit-"+findingID+" summary")),
				chromedp.SetValue(chromedp.ID("ef-"+findingID+"-component"), "the code-execution tool"))
			b.accessible("finding-edit-form")
			b.submit("save the draft", chromedp.CSS("#edit-"+findingID+" button[type=submit]"), http.StatusOK)
			b.sees("The draft finding is saved.", "the code-execution tool")

			// The evidence, attached to the finding.
			file := filepath.Join(t.TempDir(), "transcript-14.txt")
			if err := os.WriteFile(file, []byte("turn 3: ls /\nturn 4: cat /etc/hostname\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			prefix := "#f-" + findingID
			b.do("attach the transcript",
				chromedp.Click(chromedp.CSS("#finding-"+findingID+" details.attach summary")),
				chromedp.SetValue(chromedp.CSS(prefix+"-kind"), "evidence"),
				chromedp.SetUploadFiles(chromedp.CSS(prefix+"-file"), []string{file}))
			b.submit("upload", chromedp.CSS("#finding-"+findingID+` form[enctype="multipart/form-data"] button`), http.StatusOK)
			b.sees("The file is attached.", "transcript-14.txt", "Evidence", "sha256:")

			b.submit("share", chromedp.CSS(`form[action^="/findings/`+findingID+`/share"] button`), http.StatusOK)
			b.sees("The finding is shared with the lab.", "Shared, awaiting the lab")
			b.shot("finding-shared")
			b.accessible("case-findings-reviewer")
		}},
		{"the lab reads it and responds", func(t *testing.T) {
			b := e.tab("lab")
			b.signIn()
			b.open("/cases/"+caseID, http.StatusOK)
			b.sees("Sandbox escape through the code tool", "transcript-14.txt", "Your response to this finding")
			b.do("write the response", chromedp.SendKeys(chromedp.ID("response-"+findingID),
				"Fixed in 2.1: the tool now runs in a gVisor sandbox with no host mounts."))
			b.submit("respond", chromedp.CSS(`form[action^="/findings/`+findingID+`/respond"] button`), http.StatusOK)
			b.sees("Your response is sent.", "Lab responded", "gVisor sandbox")
			b.opens("act-comment")
			b.do("write a comment", chromedp.SendKeys(chromedp.ID("comment-body"), "The fixed build is uploaded as 2.1."))
			b.submit("comment", `form[action*="/comments"] button`, http.StatusOK)
			b.sees("Your comment is posted.", "The fixed build is uploaded as 2.1.")
			b.shot("lab-responded")
			b.accessible("case-findings-lab")
		}},
		{"the lead closes it", func(t *testing.T) {
			b := e.tab("lead")
			b.signIn()
			b.open("/cases/"+caseID, http.StatusOK)
			b.sees("Sandbox escape through the code tool", "gVisor sandbox", "Close the finding")
			b.accessible("case-findings-lead")
			b.opens("resolve-" + findingID)
			b.do("choose resolved and write the note",
				chromedp.Click(chromedp.CSS(`input[name=resolution][value=resolved]`)),
				chromedp.SendKeys(chromedp.ID("note-"+findingID), "Re-tested on 2.1: no escape in 50 runs."))
			b.submit("resolve", chromedp.CSS(`form[action^="/findings/`+findingID+`/resolve"] button`), http.StatusOK)
			b.sees("The finding is closed.", "Resolved", "no escape in 50 runs")
			b.shot("finding-resolved")
		}},
		{"a compliance officer counts findings and reads the inbox", func(t *testing.T) {
			// The lapsed and unassigned cases of the seed escalate at the first sweep.
			if _, err := e.svc.Delivery.HoldLease(context.Background(), "browsertest"); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Delivery.Sweep(context.Background(), "browsertest"); err != nil {
				t.Fatal(err)
			}
			b := e.tab("co")
			b.signIn()
			b.sees("Inbox")
			b.open("/cases/"+caseID, http.StatusOK)
			b.sees("Findings", "by severity and state")
			if strings.Contains(b.text(), "Sandbox escape") {
				t.Fatal("the compliance officer reads the finding")
			}
			b.accessible("case-findings-compliance")
			b.open("/inbox", http.StatusOK)
			b.sees("Escalation", "unread", "Acknowledge")
			b.shot("inbox")
			b.accessible("inbox")
			b.submit("acknowledge", `form[action$="/ack"] button`, http.StatusOK)
			b.sees("Acknowledged. The escalation stops repeating")
			b.accessible("inbox-acknowledged")
			b.open("/forecast", http.StatusOK)
			b.sees("Forecast", "Daily digest", "rows until")
			b.shot("forecast")
			b.accessible("forecast")
		}},
		{"a compliance officer makes an API token and a calendar address and chooses a daily digest on the account page", func(t *testing.T) {
			b := e.tab("co")
			b.signIn()
			b.open("/account", http.StatusOK)
			b.sees("Your account", "Change your password", "You have no API token", "You have no calendar address")
			b.accessible("account")
			b.do("name the token", chromedp.SendKeys(chromedp.ID("f-token-name"), "weekly report"))
			b.submit("make a token", `form[action="/account/api-tokens"] button[type=submit]`, http.StatusCreated)
			b.sees("is shown this once", "weekly report")
			b.accessible("account-token")
			b.submit("make a calendar address", `form[action="/account/calendar-url"] button[type=submit]`, http.StatusCreated)
			b.sees("Your calendar address is ready", "Turn the address off")
			b.shot("account")
			b.accessible("account-calendar")
			b.do("choose the daily digest", chromedp.Click(chromedp.ID("email-digest")))
			b.submit("save the e-mail choice", `form[action="/account/email"] button[type=submit]`, http.StatusOK)
			b.sees("Your choice of e-mail is saved", "One daily digest")
			b.accessible("account-email")
		}},
	}
	runSteps(t, steps)
}

// caseInReview files a case for Frontier Labs through the service: submitted,
// the lead attested and leading, Aisha Patel the reviewer (not attested yet).
func (e *env) caseInReview() string {
	t := e.t
	ctx := context.Background()
	s := func(v string) *string { return &v }
	lab, lead := e.actor("lab"), e.actor("lead")
	v, err := e.svc.Cases.CreateCase(ctx, lab, docket.CaseInput{ModelName: s("Atlas"), ModelVersion: s("2.0"),
		Modality: s("text"), Deployment: s("api"), WeightsDigest: s("sha256:" + strings.Repeat("4f", 32)),
		Summary: s("A general-purpose model with tool use.")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cases.SubmitCase(ctx, lab, v.Case.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cases.Attest(ctx, lead, v.Case.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Cases.Assign(ctx, lead, v.Case.ID, []string{e.users["rev"].ID}, e.users["lead"].ID); err != nil {
		t.Fatal(err)
	}
	return v.Case.ID
}
