package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOneServerPerSQLiteDatabase: a second docket serve on a SQLite database
// already served stops at once, saying why; a command that writes beside the
// server still runs; once the first server stops, another starts.
func TestOneServerPerSQLiteDatabase(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{
		"DOCKET_DB":                      filepath.Join(dir, "docket.db"),
		"DOCKET_DATA_DIR":                filepath.Join(dir, "data"),
		"DOCKET_ADDR":                    "127.0.0.1:0",
		"DOCKET_SECRET":                  strings.Repeat("l", 40),
		"DOCKET_AUTH_MFA_REQUIRED_ROLES": "none",
		"DOCKET_CONFIG":                  filepath.Join("..", "..", "configs", "docket.yaml"),
	}
	serve := func() (context.CancelFunc, chan int, chan string) {
		ctx, cancel := context.WithCancel(context.Background())
		ready, done := make(chan string, 1), make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"serve"}, env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
				Getenv: testEnv(vars), Ready: ready})
		}()
		return cancel, done, ready
	}
	cancel, done, ready := serve()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("the first serve exited %d", code)
	case <-time.After(20 * time.Second):
		t.Fatal("the first serve did not start")
	}

	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"serve"}, env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: testEnv(vars)})
	if code == 0 || !strings.Contains(errb.String(), "is served already by another docket serve") {
		t.Fatalf("the second serve: exit %d, %q", code, errb.String())
	}
	if code, out := runCmd(t, vars, "correct horse battery staple\n", "user", "create", "--email", "ann@agency.example.gov",
		"--name", "Ann", "--role", "reviewer", "--org", "Agency"); code != 0 {
		t.Fatalf("user create beside the server: %d %s", code, out)
	}

	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("the first serve exited %d", code)
	}
	cancel, done, ready = serve()
	defer func() { cancel(); <-done }()
	select {
	case <-ready:
	case code := <-done:
		t.Fatalf("a serve after the first stopped exited %d", code)
	case <-time.After(20 * time.Second):
		t.Fatal("a serve after the first stopped did not start")
	}
}
