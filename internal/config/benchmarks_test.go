package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docket/docket/configs"
)

// The shipped file parses, and is what the binary falls back to.
func TestShippedBenchmarks(t *testing.T) {
	list := ExampleBenchmarks()
	if len(list) < 5 {
		t.Fatalf("only %d example benchmarks", len(list))
	}
	lower := 0
	for _, b := range list {
		if !b.HigherIsRiskier {
			lower++
		}
		if b.Min == nil || b.Max == nil || b.Unit == "" {
			t.Errorf("%s: no range or unit", b.ID)
		}
	}
	if lower == 0 {
		t.Error("no example where lower scores are riskier")
	}
	disk, err := os.ReadFile(filepath.Join("..", "..", "configs", "benchmarks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if string(disk) != string(configs.Benchmarks) {
		t.Error("the embedded example differs from configs/benchmarks.yaml")
	}
	got, src, err := LoadBenchmarks(filepath.Join("..", "..", "configs", "benchmarks.yaml"))
	if err != nil || len(got) != len(list) || !strings.HasSuffix(src, "benchmarks.yaml") {
		t.Fatalf("load: %d, %q, %v", len(got), src, err)
	}
	// The default path, absent here: the built-in set.
	got, src, err = LoadBenchmarks(DefaultBenchmarks)
	if err != nil || len(got) != len(list) || src != BuiltInBenchmarks {
		t.Fatalf("default: %d, %q, %v", len(got), src, err)
	}
	// Any other missing path is an error.
	if _, _, err := LoadBenchmarks(filepath.Join(t.TempDir(), "none.yaml")); err == nil {
		t.Fatal("a missing file named on purpose loaded")
	}
}

func TestBadBenchmarkFiles(t *testing.T) {
	const good = `
benchmarks:
  - id: ctf
    name: CTF
    version: "1"
    description: d
    higher_is_riskier: true
    thresholds: {elevated: 10, high: 20, critical: 30}
`
	if list, err := ParseBenchmarks("b.yaml", []byte(good)); err != nil || len(list) != 1 || list[0].Critical != 30 {
		t.Fatalf("good: %+v %v", list, err)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"not yaml", "benchmarks: [", "not YAML"},
		{"no key", "other: 1", `unknown key "other"`},
		{"not a list", "benchmarks: 3", "want a list"},
		{"unknown field", strings.Replace(good, "name: CTF", "name: CTF\n    colour: red", 1), `benchmark "ctf" (line 3): colour: unknown field`},
		{"missing name", strings.Replace(good, "    name: CTF\n", "", 1), `benchmark "ctf" (line 3): name: is required`},
		{"missing id", strings.Replace(good, "  - id: ctf\n    name", "  - name", 1), `benchmark 1 (line 3): id: is required`},
		{"bad id", strings.Replace(good, "id: ctf", "id: CTF Suite", 1), `benchmark "CTF Suite" (line 3): id: must be`},
		{"no direction", strings.Replace(good, "    higher_is_riskier: true\n", "", 1), "higher_is_riskier: is required"},
		{"direction not bool", strings.Replace(good, "higher_is_riskier: true", "higher_is_riskier: yes please", 1), "higher_is_riskier: want true or false"},
		{"threshold missing", strings.Replace(good, "high: 20, ", "", 1), `benchmark "ctf" (line 3): thresholds.high: is required`},
		{"threshold text", strings.Replace(good, "high: 20", "high: lots", 1), `thresholds.high: want a number`},
		{"threshold order", strings.Replace(good, "critical: 30", "critical: 15", 1), `benchmark "ctf" (line 3): thresholds.critical: must be above thresholds.high`},
		{"lower order", strings.Replace(good, "higher_is_riskier: true", "higher_is_riskier: false", 1), `thresholds.high: must be below thresholds.elevated`},
		{"unknown tier", strings.Replace(good, "critical: 30", "critical: 30, severe: 40", 1), "thresholds.severe: unknown field"},
		{"min alone", strings.Replace(good, "    description: d\n", "    description: d\n    min: 0\n", 1), "max: min and max are given together"},
		{"threshold out of range", strings.Replace(good, "    description: d\n", "    description: d\n    min: 0\n    max: 25\n", 1), "thresholds.critical: must lie between"},
		{"duplicate id", good + strings.TrimPrefix(strings.SplitN(good, "benchmarks:", 2)[1], "\n"), `benchmark "ctf": id: is used by an earlier benchmark`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBenchmarks("b.yaml", []byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "b.yaml") {
				t.Fatalf("got %v, want it to name b.yaml and say %q", err, tc.want)
			}
		})
	}
}

// A benchmark's Inspect mapping is read and validated at start like the rest
// of the file.
func TestBenchmarkInspectMapping(t *testing.T) {
	const good = `
benchmarks:
  - id: ctf
    name: CTF
    version: "1"
    description: d
    higher_is_riskier: true
    thresholds: {elevated: 10, high: 20, critical: 30}
    inspect:
      tasks: [inspect_evals/cybench]
      scorer: includes
      metric: accuracy
      scale: 100
`
	list, err := ParseBenchmarks("b.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	m := list[0].Inspect
	if m == nil || len(m.Tasks) != 1 || m.Tasks[0] != "inspect_evals/cybench" || m.Scorer != "includes" || m.Metric != "accuracy" || m.Scale != 100 {
		t.Fatalf("%+v", m)
	}
	noScorer := strings.Replace(good, "      scorer: includes\n", "", 1)
	if list, err := ParseBenchmarks("b.yaml", []byte(noScorer)); err != nil || list[0].Inspect.Scorer != "" {
		t.Fatalf("scorer is optional: %v", err)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"not a mapping", good[:strings.Index(good, "    inspect:")] + "    inspect: cybench\n", "inspect: want a mapping"},
		{"unknown field", strings.Replace(good, "      scale: 100", "      scale: 100\n      reducer: mean", 1), "inspect.reducer: unknown field"},
		{"no tasks", strings.Replace(good, "      tasks: [inspect_evals/cybench]\n", "", 1), "inspect.tasks: is required"},
		{"empty tasks", strings.Replace(good, "[inspect_evals/cybench]", "[]", 1), "inspect.tasks: is required"},
		{"task not a name", strings.Replace(good, "[inspect_evals/cybench]", `["cy bench"]`, 1), `inspect.tasks: "cy bench" is not a task name`},
		{"task twice", strings.Replace(good, "[inspect_evals/cybench]", "[a/b, a/b]", 1), `inspect.tasks: "a/b" is listed twice`},
		{"tasks not a list", strings.Replace(good, "[inspect_evals/cybench]", "inspect_evals/cybench", 1), "inspect.tasks: want a list"},
		{"no metric", strings.Replace(good, "      metric: accuracy\n", "", 1), "inspect.metric: is required"},
		{"no scale", strings.Replace(good, "      scale: 100\n", "", 1), "inspect.scale: is required"},
		{"scale text", strings.Replace(good, "scale: 100", "scale: percent", 1), "inspect.scale: want a number"},
		{"scale zero", strings.Replace(good, "scale: 100", "scale: 0", 1), "inspect.scale: must be a number above 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBenchmarks("b.yaml", []byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `benchmark "ctf"`) {
				t.Fatalf("got %v, want it to name the benchmark and say %q", err, tc.want)
			}
		})
	}
}

// The shipped example maps real inspect_evals tasks, each with the metric
// its scorer reports.
func TestShippedInspectMappings(t *testing.T) {
	tasks := map[string]string{}
	for _, b := range ExampleBenchmarks() {
		if b.Inspect == nil {
			continue
		}
		for _, task := range b.Inspect.Tasks {
			tasks[task] = b.Inspect.Scorer + "/" + b.Inspect.Metric
		}
	}
	for task, want := range map[string]string{
		"inspect_evals/cybench":                     "includes/accuracy",
		"inspect_evals/gdm_intercode_ctf":           "includes/accuracy",
		"inspect_evals/cyse2_vulnerability_exploit": "vul_exploit_scorer/accuracy",
		"inspect_evals/cyse2_interpreter_abuse":     "model_graded_qa/accuracy",
		"inspect_evals/cyse2_prompt_injection":      "model_graded_qa/accuracy",
	} {
		if tasks[task] != want {
			t.Errorf("%s maps to %q, want %q", task, tasks[task], want)
		}
	}
}
