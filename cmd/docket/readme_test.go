package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/storetest"
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
	storetest.SkipOnPostgres(t, "the demo seeds a SQLite file")
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
	old := demoHashParams
	demoHashParams = auth.Params{Memory: 64, Time: 1, Threads: 1}
	defer func() { demoHashParams = old }()
	db := filepath.Join(t.TempDir(), "docket.db")
	vars := map[string]string{"DOCKET_DB": db, "DOCKET_ADDR": "127.0.0.1:0", "DOCKET_DATA_DIR": filepath.Join(filepath.Dir(db), "data")}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo"}, env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
			Getenv: testEnv(vars), Ready: ready, Now: time.Now})
	}()
	var addr string
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("serve exited %d", code)
	case <-time.After(90 * time.Second):
		t.Fatal("the demo did not start")
	}
	defer func() {
		cancel()
		<-done
	}()
	script := "set -euo pipefail\n" + strings.Join(blocks, "\n")
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = append(os.Environ(), "DOCKET=http://"+addr)
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
