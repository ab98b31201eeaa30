package browsertest_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/docket/docket/internal/inspect"
)

// TestImportAnInspectLog: a reviewer uploads an Inspect log from the case
// page in a real browser and sees the evaluation, the result it made, the
// new risk tier and the chart of the model's versions; axe-core checks the
// page with the evaluation on it.
func TestImportAnInspectLog(t *testing.T) {
	e := newEnv(t)
	caseID := e.caseInReview()
	if _, err := e.svc.Cases.Attest(context.Background(), e.actor("rev"), caseID); err != nil {
		t.Fatal(err)
	}
	f := inspect.Fixture{Samples: 40, Metrics: map[string]float64{"accuracy": 0.625, "stderr": 0.077}}
	path := filepath.Join(t.TempDir(), f.EvalFileName("eval"))
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.WriteEval(out, 93); err != nil {
		t.Fatal(err)
	}
	out.Close()

	rev := e.tab("rev")
	rev.signIn()
	rev.open("/cases/"+caseID, http.StatusOK)
	rev.sees("Evaluations", "Import an Inspect log")
	rev.opens("act-import")
	rev.do("choose the log",
		chromedp.SetUploadFiles(chromedp.ID("evaluation-file"), []string{path}),
		chromedp.Click(chromedp.ID("evaluation-run-by-0")))
	rev.submit("import", `form[action$="/evaluations#act-import"] button`, http.StatusOK)
	rev.sees("inspect_evals/cybench", "40 of 40 completed", "includes accuracy 0.625",
		"Professional capture-the-flag suite: 62.5 (Critical)", "Across the model's versions", "Inspect log")
	rev.accessible("case-evaluations")
	rev.shot("case-evaluations")
	v, err := e.svc.Cases.GetCase(context.Background(), e.actor("rev"), caseID)
	if err != nil || v.Case.RiskTier != "critical" {
		t.Fatalf("the tier after the import: %+v %v", v, err)
	}
}
