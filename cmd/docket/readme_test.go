package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// readmeBlocks returns the shell blocks of the README's section that starts
// with heading, up to the next heading of any level outside a block.
func readmeBlocks(t *testing.T, heading string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	in, fence := false, false
	var cur strings.Builder
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case !fence && line == heading:
			in = true
		case !fence && in && strings.HasPrefix(line, "#"):
			return blocks
		case !fence && strings.HasPrefix(line, "```"):
			fence = true
			cur.Reset()
			if line != "```sh" {
				cur.WriteString("\x00") // not a shell block
			}
		case fence && line == "```":
			fence = false
			if in && !strings.HasPrefix(cur.String(), "\x00") {
				blocks = append(blocks, cur.String())
			}
		case fence:
			cur.WriteString(line + "\n")
		}
	}
	if !in {
		t.Fatalf("the README has no section %q", heading)
	}
	return blocks
}

// TestTheREADMEsCurlExamples runs the README's "Trying it with curl" blocks,
// in order, as pasted into one shell (with set -euo pipefail, so the first
// failure stops it), against a demo started as the README's first command
// starts it; only its address differs.
func TestTheREADMEsCurlExamples(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing: .ci/run installs it", tool)
			}
			t.Skipf("%s is missing: apt-get install -y %s", tool, tool)
		}
	}
	blocks := readmeBlocks(t, "## Trying it with curl")
	if len(blocks) < 3 {
		t.Fatalf("the README's curl section has %d shell blocks, want at least 3", len(blocks))
	}
	base, stop := serveDemo(t, nil, io.Discard)
	defer stop()
	script := "set -euo pipefail\n" + strings.Join(blocks, "\n")
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = append(os.Environ(), "DOCKET="+base)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("the README's curl examples failed: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	// What each block shows: the lead, the case filed and received, the
	// answered request, the stop in the clock, the decision and its statement.
	for _, want := range []string{`"name": "Margaret Chen"`, `"number": "DKT-`, `"status": "submitted"`, `"status": "answered"`,
		`"reason": "information request"`, `"status": "decided"`, `"kind": "decision"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the README's curl examples do not show %s:\n%s", want, out.String())
		}
	}
}
