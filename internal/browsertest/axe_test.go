package browsertest_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/chromedp/chromedp"
)

// violation is one axe-core rule that a page breaks.
type violation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Nodes   int      `json:"nodes"`
	Targets []string `json:"targets"`
}

// axeRun runs axe-core on the page with the WCAG 2.1 A and AA rules and
// returns the violations.
const axeRun = `(async () => {
  const r = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    resultTypes: ["violations"],
  });
  return JSON.stringify({
    passes: r.passes.length,
    violations: r.violations.map(v => ({id: v.id, impact: v.impact || "", help: v.help, nodes: v.nodes.length,
      targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))})),
  });
})()`

// axeLog gathers the results of every page checked, for the summary.
var axeLog struct {
	sync.Mutex
	lines []string
}

// accessible runs axe-core on the current page and fails on a serious or
// critical violation; it logs the counts of every impact.
func (b *tab) accessible(page string) {
	b.e.t.Helper()
	if b.e.axe == "" {
		return
	}
	ctx, cancel := b.step()
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](b.e.axe)); err != nil {
		b.e.t.Fatalf("inject axe-core: %v", err)
	}
	raw := eval[string](b, axeRun)
	var res struct {
		Passes     int         `json:"passes"`
		Violations []violation `json:"violations"`
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		b.e.t.Fatalf("axe result: %v", err)
	}
	counts := map[string]int{}
	var bad []string
	for _, v := range res.Violations {
		counts[v.Impact] += v.Nodes
		line := fmt.Sprintf("%s (%s, %d nodes: %s): %s", v.ID, v.Impact, v.Nodes, strings.Join(v.Targets, "; "), v.Help)
		if v.Impact == "serious" || v.Impact == "critical" {
			bad = append(bad, line)
		} else {
			b.e.t.Logf("axe on %s: %s", page, line)
		}
	}
	var parts []string
	for _, impact := range []string{"critical", "serious", "moderate", "minor"} {
		parts = append(parts, fmt.Sprintf("%s %d", impact, counts[impact]))
	}
	summary := fmt.Sprintf("axe on %-28s %d rules passed; violations: %s", page+":", res.Passes, strings.Join(parts, ", "))
	b.e.t.Log(summary)
	axeLog.Lock()
	axeLog.lines = append(axeLog.lines, summary)
	axeLog.Unlock()
	if len(bad) > 0 {
		sort.Strings(bad)
		b.shot("axe-" + page)
		b.e.t.Errorf("axe on %s: serious or critical WCAG 2.1 AA violations:\n  %s", page, strings.Join(bad, "\n  "))
	}
}
