package web_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/docket/docket/internal/config"
)

// openAPILinter finds an npm tool of the OpenAPI linters (.ci/run installs
// @redocly/cli and @stoplight/spectral-cli into DOCKET_OPENAPI_LINT_DIR,
// ~/.cache/docket/openapi-lint by default). Without it the test is skipped,
// unless CI is set.
func openAPILinter(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("DOCKET_OPENAPI_LINT_DIR")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "docket", "openapi-lint")
	}
	bin := filepath.Join(dir, "node_modules", ".bin", name)
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed in %s; .ci/run installs it", name, dir)
		}
		t.Skipf("%s is not installed in %s (npm: @redocly/cli, @stoplight/spectral-cli)", name, dir)
	}
	return bin
}

// servedOpenAPI writes the document a deployment with a base_url serves.
func servedOpenAPI(t *testing.T) string {
	t.Helper()
	ts := newTestServer(t, func(c *config.Config) { c.BaseURL = "https://docket.agency.example" })
	r := ts.do("GET", "/api/openapi.json", "", nil)
	want(t, r, 200)
	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(file, []byte(r.Body), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// probesWithout4xx are the operations that can answer no 4xx: the probes and
// the three public documents. Redocly's recommended rules warn on each
// (operation-4xx-response); documenting an answer they never give would make
// the contract lie, so these warnings are expected and nothing else is.
var probesWithout4xx = map[string]bool{
	"#/paths/~1healthz/get/responses":                             true,
	"#/paths/~1readyz/get/responses":                              true,
	"#/paths/~1api~1openapi.json/get/responses":                   true,
	"#/paths/~1.well-known~1jwks.json/get/responses":              true,
	"#/paths/~1api~1v1~1clearinghouse~1schema.json/get/responses": true,
}

// TestOpenAPIPassesRedocly runs `redocly lint` with its recommended rules on
// the served document: no error, and no warning but the probes' missing 4xx.
func TestOpenAPIPassesRedocly(t *testing.T) {
	bin := openAPILinter(t, "redocly")
	file := servedOpenAPI(t)
	out, err := exec.Command(bin, "lint", "--extends", "recommended", "--format", "json", file).Output()
	var report struct {
		Totals   struct{ Errors, Warnings int }
		Problems []struct {
			RuleID, Severity, Message string
			Location                  []struct{ Pointer string }
		}
	}
	if jerr := json.Unmarshal(out, &report); jerr != nil {
		t.Fatalf("redocly: %v (%v)\n%s", jerr, err, out)
	}
	for _, p := range report.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		if p.RuleID == "operation-4xx-response" && probesWithout4xx[where] {
			continue
		}
		t.Errorf("redocly %s %s at %s: %s", p.Severity, p.RuleID, where, p.Message)
	}
	if report.Totals.Errors != 0 {
		t.Errorf("redocly: %d errors", report.Totals.Errors)
	}
	if report.Totals.Warnings != len(probesWithout4xx) {
		t.Errorf("redocly: %d warnings, want the %d of the probes", report.Totals.Warnings, len(probesWithout4xx))
	}
}

// TestOpenAPIPassesSpectral runs spectral's spectral:oas ruleset on the
// served document: no problem of any severity.
func TestOpenAPIPassesSpectral(t *testing.T) {
	bin := openAPILinter(t, "spectral")
	file := servedOpenAPI(t)
	ruleset := filepath.Join(t.TempDir(), ".spectral.json")
	if err := os.WriteFile(ruleset, []byte(`{"extends": ["spectral:oas"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	report := filepath.Join(t.TempDir(), "spectral.json")
	if out, err := exec.Command(bin, "lint", "--ruleset", ruleset, "--format", "json", "--output", report,
		"--fail-severity", "hint", file).CombinedOutput(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("spectral: %v\n%s", err, out)
		}
	}
	out, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var problems []struct {
		Code, Message string
		Severity      int
		Path          []string
	}
	if err := json.Unmarshal(out, &problems); err != nil {
		t.Fatalf("spectral: %v\n%s", err, out)
	}
	for _, p := range problems {
		t.Errorf("spectral %s (severity %d) at %v: %s", p.Code, p.Severity, p.Path, p.Message)
	}
}
