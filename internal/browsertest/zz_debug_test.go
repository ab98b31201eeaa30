package browsertest_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestZZDebug(t *testing.T) {
	if os.Getenv("SCREENS") == "" {
		t.Skip()
	}
	e := newEnv(t)
	id := e.caseInReview()
	b := e.tab("lead")
	b.signIn()
	b.open("/cases/"+id, http.StatusOK)
	b.do("fill", chromedp.SendKeys(chromedp.ID("nf-title"), "T"), chromedp.SendKeys(chromedp.ID("nf-description"), "D"),
		chromedp.SetValue(chromedp.ID("nf-category"), "other"), chromedp.SetValue(chromedp.ID("nf-severity"), "low"), chromedp.SetValue(chromedp.ID("nf-tlp"), "TLP:CLEAR"))
	b.submit("record", `#record-finding button[type=submit]`, http.StatusOK)
	fid := regexp.MustCompile(`#finding-([0-9a-f-]{36})$`).FindStringSubmatch(b.location())[1]
	file := filepath.Join(t.TempDir(), "x.txt")
	os.WriteFile(file, []byte("x\n"), 0o644)
	b.do("attach", chromedp.Click(chromedp.CSS("#finding-"+fid+" details.disclosure summary")),
		chromedp.SetUploadFiles(chromedp.CSS("#f-"+fid+"-file"), []string{file}))
	b.submit("upload", chromedp.CSS("#finding-"+fid+` form[enctype="multipart/form-data"] button`), http.StatusOK)
	t.Log(b.location())
	start := time.Now()
	ctx, cancel := b.step()
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`form[action*="/share"] button`)))
	t.Log(time.Since(start), err, resp != nil)
	t.Log(b.location())
}
