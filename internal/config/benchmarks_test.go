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
