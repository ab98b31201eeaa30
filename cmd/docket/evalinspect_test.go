package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docket/docket/internal/inspect"
)

func writeLog(t *testing.T, f inspect.Fixture, ext string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), f.EvalFileName(ext))
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if ext == "json" {
		err = f.WriteJSON(out)
	} else {
		err = f.WriteEval(out, 93)
	}
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// A lab checks its log before sending it: docket eval inspect prints what an
// import would record (exit 0) or why it would be refused (exit 1), with no
// database.
func TestEvalInspectCommand(t *testing.T) {
	shipped := filepath.Join("..", "..", "configs", "benchmarks.yaml")
	good := writeLog(t, inspect.Fixture{Samples: 40, Metrics: map[string]float64{"accuracy": 0.425, "stderr": 0.078}}, "eval")
	code, out := runCmd(t, nil, "", "eval", "inspect", good, "--benchmarks", shipped)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out)
	}
	for _, want := range []string{"format:     eval", "task:       inspect_evals/cybench (version 1)", "model:      openai-api/northwind/atlas-7",
		"40 of 40 completed", "includes/accuracy 0.425", "sha256:",
		"ctf-professional (version 2026.1): 42.5, tier high (from includes/accuracy 0.425)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the output lacks %q:\n%s", want, out)
		}
	}
	// The flag may come first, and the configuration's setting is the default.
	if code, out := runCmd(t, map[string]string{"DOCKET_BENCHMARKS": shipped}, "", "eval", "inspect", good); code != 0 || !strings.Contains(out, "ctf-professional") {
		t.Fatalf("exit %d: %s", code, out)
	}

	for _, tc := range []struct {
		name string
		path string
		want string
	}{
		{"error", writeLog(t, inspect.Fixture{Status: "error"}, "json"), `refused (422, field file): the log status is "error"`},
		{"unmapped", writeLog(t, inspect.Fixture{Task: "inspect_evals/gpqa_diamond"}, "eval"), `refused (422, field task): the task "inspect_evals/gpqa_diamond" is not mapped`},
		{"never finished", writeLog(t, inspect.Fixture{Status: "started"}, "eval"), "the run never finished"},
		{"missing", filepath.Join(t.TempDir(), "none.eval"), "refused (422, field file): cannot be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := runCmd(t, nil, "", "eval", "inspect", "--benchmarks", shipped, tc.path)
			if code != 1 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, want 1 saying %q:\n%s", code, tc.want, out)
			}
		})
	}
	if code, _ := runCmd(t, nil, "", "eval", "inspect"); code != 2 {
		t.Fatalf("no file: exit %d, want 2", code)
	}
}
