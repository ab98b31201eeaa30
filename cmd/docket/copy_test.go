package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/storetest"
)

// TestCopyTheDemoToPostgreSQL seeds the demo on SQLite, copies it with
// `docket copy --to`, and checks every table's rows and the audit chain.
func TestCopyTheDemoToPostgreSQL(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("set TEST_POSTGRES_URL to run the copy test")
	}
	old := demoHashParams
	demoHashParams = auth.Params{Memory: 64, Time: 1, Threads: 1}
	defer func() { demoHashParams = old }()
	sqlite := filepath.Join(t.TempDir(), "docket.db")
	vars := map[string]string{"DOCKET_DB": sqlite, "DOCKET_ADDR": "127.0.0.1:0", "DOCKET_AUTH_MFA_REQUIRED_ROLES": "none",
		"DOCKET_CONFIG":   filepath.Join("..", "..", "configs", "docket.yaml"),
		"DOCKET_DATA_DIR": filepath.Join(filepath.Dir(sqlite), "data")} // the demo's attachments
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo"}, env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
			Getenv: testEnv(vars), Ready: ready, Now: time.Now})
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		t.Fatal("the demo did not start")
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	target := storetest.DSN(t)
	var out bytes.Buffer
	code := run(context.Background(), []string{"copy", "--to", target}, env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: testEnv(vars)})
	if code != 0 {
		t.Fatalf("copy: %d %s", code, out.String())
	}
	if !strings.Contains(out.String(), "the audit chain verifies on the target") {
		t.Fatalf("copy said %s", out.String())
	}
	for _, table := range []string{"cases", "users", "orgs", "audit_events", "info_requests", "clock_stops"} {
		if !strings.Contains(out.String(), table) {
			t.Fatalf("no count for %s in %s", table, out.String())
		}
	}
	t.Log(out.String())
	// The copied deployment serves: audit verify on the target, with the source's secret.
	sec, err := secret(loadOrFail(t, vars))
	if err != nil {
		t.Fatal(err)
	}
	pg := map[string]string{"DOCKET_DB": target, "DOCKET_SECRET": string(sec), "DOCKET_CONFIG": vars["DOCKET_CONFIG"]}
	if code, out := runCmd(t, pg, "", "audit", "verify"); code != 0 {
		t.Fatalf("audit verify on the target: %s", out)
	}
	// A second copy into the now full target is refused.
	out.Reset()
	if code := run(context.Background(), []string{"copy", "--to", target}, env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Getenv: testEnv(vars)}); code == 0 || !strings.Contains(out.String(), "not empty") {
		t.Fatalf("copy into a full target: %d %s", code, out.String())
	}
}

func loadOrFail(t *testing.T, vars map[string]string) config.Config {
	t.Helper()
	cfg, err := load(common{}, env{Getenv: testEnv(vars)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
