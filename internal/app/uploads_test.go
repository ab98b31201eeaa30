package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRemoveStaleUploads: upload files older than an hour, left by a process
// stopped mid-upload, are removed; a younger one (perhaps another replica's
// upload in progress), stored attachments and other files are kept.
func TestRemoveStaleUploads(t *testing.T) {
	e := newEnv(t)
	e.cfg.DataDir = t.TempDir()
	e.svc = e.service()
	if n, err := e.svc.RemoveStaleUploads(); err != nil || n != 0 {
		t.Fatalf("no attachments directory yet: %d, %v", n, err)
	}
	dir := filepath.Join(e.cfg.DataDir, "attachments")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now()
	files := map[string]time.Time{
		".upload-111":                          now.Add(-2 * time.Hour),    // stale
		".upload-222":                          now.Add(-61 * time.Minute), // stale
		".upload-333":                          now.Add(-10 * time.Minute), // perhaps in progress
		"0b6f3c1e-5a51-4c43-9d0e-1f2a3b4c5d6e": now.Add(-48 * time.Hour),   // a stored attachment
	}
	for name, at := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, ".upload-dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.RemoveStaleUploads()
	if err != nil || n != 2 {
		t.Fatalf("removed %d, %v; want 2", n, err)
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range left {
		names = append(names, f.Name())
	}
	if got := strings.Join(names, " "); got != ".upload-333 .upload-dir 0b6f3c1e-5a51-4c43-9d0e-1f2a3b4c5d6e" {
		t.Fatalf("left: %s", got)
	}
}
