package browsertest_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// Temporary: screenshots of the case page as every role, with realistic data.
func TestZZScreens(t *testing.T) {
	if os.Getenv("SCREENS") == "" {
		t.Skip()
	}
	e := newEnv(t)
	ctx := context.Background()
	id := e.caseInReview()
	rev, lead, lab := e.actor("rev"), e.actor("lead"), e.actor("lab")
	if _, err := e.svc.Attest(ctx, rev, id); err != nil {
		t.Fatal(err)
	}
	s := func(v string) *string { return &v }
	mk := func(who docket.Actor, title, sev, tlp string) string {
		v, err := e.svc.CreateFinding(ctx, who, id, docket.FindingInput{Title: s(title), Description: s("The model, given the code tool and a bash shell, wrote a working exploit for a known CVE in under ten turns."),
			Category: s("exploit_development"), Severity: s(sev), TLP: s(tlp), AtlasTechnique: s("AML.T0051.000"), Component: s("code tool"), Evidence: s("Transcript 14, turns 3 to 9.")})
		if err != nil {
			t.Fatal(err)
		}
		return v.Finding.ID
	}
	d := mk(rev, "Jailbreak through role-play prompts", "high", "TLP:AMBER")
	_ = d
	sh := mk(lead, "Sandbox escape through the code tool", "critical", "TLP:GREEN")
	e.svc.ShareFinding(ctx, lead, sh, nil)
	rs := mk(rev, "Weights manifest exposed in debug logs", "medium", "TLP:AMBER")
	e.svc.ShareFinding(ctx, lead, rs, nil)
	e.svc.RespondFinding(ctx, lab, rs, "Debug logging is off in 2.1 and the logs were purged.")
	rv := mk(rev, "CTF uplift on web challenges", "low", "TLP:CLEAR")
	e.svc.ShareFinding(ctx, lead, rv, nil)
	e.svc.ResolveFinding(ctx, lead, rv, "resolved", "Re-tested on 2.1.")
	ra := mk(rev, "Exploit chain hints", "informational", "TLP:AMBER+STRICT")
	e.svc.ShareFinding(ctx, lead, ra, nil)
	e.svc.ResolveFinding(ctx, lead, ra, "risk_accepted", "Public knowledge.")
	e.svc.CreateComment(ctx, rev, id, "The scaffolding looks thin; ask for the harness.", "internal")
	e.svc.CreateComment(ctx, lead, id, "Please send the red-team logs for runs 10 to 20.", "shared")
	e.svc.CreateComment(ctx, lab, id, "Uploaded as eval-logs.json.", "shared")
	up, err := e.svc.StageUpload(strings.NewReader("# Model card\nAtlas 2.0\n"), "atlas-model-card.md")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateAttachment(ctx, lab, app.AttachTarget{CaseID: id}, "model_card", up); err != nil {
		t.Fatal(err)
	}
	up, _ = e.svc.StageUpload(strings.NewReader("turn 3: ls /\n"), "transcript-14.txt")
	e.svc.CreateAttachment(ctx, lead, app.AttachTarget{FindingID: sh}, "evidence", up)
	for _, key := range []string{"lab", "rev", "lead", "co"} {
		b := e.tab(key)
		b.signIn()
		b.open("/cases/"+id, http.StatusOK)
		b.shot("case")
	}
}
