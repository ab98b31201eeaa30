package files_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/files"
)

var _ app.Files = (*files.Dir)(nil)

const id = "0b6f3c1e-5a51-4c43-9d0e-1f2a3b4c5d6e"

// names lists the directory.
func names(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return strings.Join(out, " ")
}

// TestRemoveStaleUploads: upload files older than the cutoff (the service
// asks for an hour), left by a process stopped mid-upload, are removed; a
// younger one (perhaps another replica's upload in progress), stored
// attachments and other files are kept.
func TestRemoveStaleUploads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "attachments")
	d := files.New(dir)
	now := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	cutoff := now.Add(-time.Hour)
	if n, err := d.RemoveStaleUploads(cutoff); err != nil || n != 0 {
		t.Fatalf("no attachments directory yet: %d, %v", n, err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, at := range map[string]time.Time{
		".upload-111": now.Add(-2 * time.Hour),    // stale
		".upload-222": now.Add(-61 * time.Minute), // stale
		".upload-333": now.Add(-10 * time.Minute), // perhaps in progress
		id:            now.Add(-48 * time.Hour),   // a stored attachment
	} {
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
	n, err := d.RemoveStaleUploads(cutoff)
	if err != nil || n != 2 {
		t.Fatalf("removed %d, %v; want 2", n, err)
	}
	if got := names(t, dir); got != ".upload-333 .upload-dir "+id {
		t.Fatalf("left: %s", got)
	}
}

// TestUploadCommitted: an upload is a private ".upload-*" file until it is
// committed, then its attachment's file under the id, in a private
// directory, and reads back the same bytes.
func TestUploadCommitted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "attachments")
	d := files.New(dir)
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("New made the directory: %v", err)
	}
	p, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	body := []byte("%PDF-1.7 the report\n")
	if _, err := p.Write(body); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); !strings.HasPrefix(got, ".upload-") || strings.Contains(got, " ") {
		t.Fatalf("while receiving: %q", got)
	}
	if _, err := p.Open(); err == nil {
		t.Fatal("read back before the writing ended")
	}
	if err := p.Commit(id); err == nil {
		t.Fatal("committed before the writing ended")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Write([]byte("more")); err == nil {
		t.Fatal("a write after Close")
	}
	r, err := p.Open()
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(back, body) {
		t.Fatalf("read back %q, %v", back, err)
	}
	if err := p.Commit(id); err != nil {
		t.Fatal(err)
	}
	p.Abort() // after Commit: nothing to do
	if got := names(t, dir); got != id {
		t.Fatalf("after Commit: %q", got)
	}
	for path, mode := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, id): 0o600} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != mode {
			t.Errorf("%s: %v, want %v", path, info.Mode().Perm(), mode)
		}
	}
	f, err := d.Open(id)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("open %q, %v", got, err)
	}
	if err := d.Remove(id); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove(id); err != nil {
		t.Fatalf("removing a file already gone: %v", err)
	}
	if _, err := d.Open(id); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("open a removed file: %v", err)
	}
}

// TestUploadAborted: an aborted upload leaves nothing, whether it was being
// written or closed, and Abort may come twice; a failed Commit leaves it
// pending, to be aborted.
func TestUploadAborted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "attachments")
	d := files.New(dir)
	open, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := open.Write([]byte("cut off")); err != nil {
		t.Fatal(err)
	}
	open.Abort()
	open.Abort()
	closed, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := closed.Write([]byte("refused")); err != nil {
		t.Fatal(err)
	}
	if err := closed.Close(); err != nil {
		t.Fatal(err)
	}
	// A directory where the file would go makes the rename fail.
	if err := os.Mkdir(filepath.Join(dir, id), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, id, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := closed.Commit(id); err == nil {
		t.Fatal("committed over a directory")
	}
	if got := names(t, dir); !strings.HasPrefix(got, ".upload-") {
		t.Fatalf("after a failed Commit: %q", got)
	}
	closed.Abort()
	if got := names(t, dir); got != id {
		t.Fatalf("after Abort: %q", got)
	}
}

// TestNames: only a plain name can be an attachment's: nothing outside the
// directory, and no upload in progress, is opened, removed or committed to.
func TestNames(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "attachments")
	d := files.New(dir)
	p, err := d.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Abort()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(parent, "outside"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	upload := strings.Fields(names(t, dir))[0]
	for _, name := range []string{"", ".", "..", "../outside", "a/b", `a\b`, upload, ".hidden"} {
		if f, err := d.Open(name); err == nil {
			f.Close()
			t.Errorf("opened %q", name)
		}
		if err := d.Remove(name); err == nil {
			t.Errorf("removed %q", name)
		}
		if err := p.Commit(name); err == nil {
			t.Fatalf("committed to %q", name)
		}
	}
	if got := names(t, dir); got != upload {
		t.Fatalf("left: %q", got)
	}
	if _, err := os.Stat(filepath.Join(parent, "outside")); err != nil {
		t.Fatal(err)
	}
}
