// Package files keeps attachments' bytes in a directory on disk: the
// implementation of app.Files.
//
// An attachment's file is named by the attachment's id. An upload is received
// into a private temporary file in the same directory (".upload-" and a random
// suffix), made durable (fsync) when the writing ends, and renamed to its id
// only when committed, the directory synced after the rename so that the
// name survives a crash; an upload aborted, or left by a process that
// stopped, never appears under an id. The directory is made 0700 when the
// first upload begins; files are 0600. Replicas may share the directory.
package files

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/docket/docket/internal/app"
)

// uploadPrefix begins the names of uploads not yet committed.
const uploadPrefix = ".upload-"

// errName is the refusal of a name that is not a plain file name of the
// directory: empty, with a path separator, or hidden (as uploads are).
var errName = errors.New("attachments: not an attachment's file name")

// Dir is the directory that keeps attachments' files. It is safe for
// concurrent use, within a process and across processes sharing it.
type Dir struct{ path string }

// New returns the directory at path. Nothing is created until the first
// upload begins.
func New(path string) *Dir { return &Dir{path: path} }

// file returns the path of the file kept under id, or errName.
func (d *Dir) file(id string) (string, error) {
	if id == "" || id != filepath.Base(id) || strings.ContainsAny(id, `/\`) || strings.HasPrefix(id, ".") {
		return "", errName
	}
	return filepath.Join(d.path, id), nil
}

// Begin creates the directory if need be and a new private upload file in
// it. It fails, wrapping the file system's error, when either cannot be made.
func (d *Dir) Begin() (app.PendingFile, error) {
	if err := os.MkdirAll(d.path, 0o700); err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	f, err := os.CreateTemp(d.path, uploadPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	p := &pending{dir: d, f: f, tmp: f.Name()}
	if err := f.Chmod(0o600); err != nil {
		p.Abort()
		return nil, fmt.Errorf("attachments: %w", err)
	}
	return p, nil
}

// Open returns the file kept under id, to read and close. A missing file is
// an error wrapping fs.ErrNotExist; a name that could not be an id (empty,
// with a separator, or hidden, as uploads are) is refused.
func (d *Dir) Open(id string) (io.ReadCloser, error) {
	name, err := d.file(id)
	if err != nil {
		return nil, err
	}
	return os.Open(name)
}

// Remove deletes the file kept under id; one already gone is no error. A
// name that could not be an id is refused.
func (d *Dir) Remove(id string) error {
	name, err := d.file(id)
	if err != nil {
		return err
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("attachments: %w", err)
	}
	return nil
}

// RemoveStaleUploads deletes the uploads that were last written at or before
// cutoff and never committed nor aborted (left by a process stopped
// mid-upload): regular files named ".upload-*". Younger ones, perhaps
// another replica's uploads in progress, attachments' files and anything
// else are kept; no directory yet is nothing to remove. It returns how many
// files it removed, and the first failure to list the directory or to
// remove one.
func (d *Dir) RemoveStaleUploads(cutoff time.Time) (int, error) {
	entries, err := os.ReadDir(d.path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("attachments: %w", err)
	}
	n := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), uploadPrefix) {
			continue
		}
		info, err := e.Info()
		if err != nil || info.ModTime().After(cutoff) {
			continue
		}
		if err := os.Remove(filepath.Join(d.path, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return n, fmt.Errorf("attachments: %w", err)
		}
		n++
	}
	return n, nil
}

// pending is an upload being received into a temporary file of the directory.
type pending struct {
	dir *Dir
	f   *os.File // nil once closed
	tmp string   // "" once committed or aborted
}

// Write appends to the upload; after Close, Commit or Abort it fails.
func (p *pending) Write(b []byte) (int, error) {
	if p.f == nil {
		return 0, os.ErrClosed
	}
	return p.f.Write(b)
}

// Close makes what was written durable (fsync) and ends the writing; the
// file is closed even when the sync fails.
func (p *pending) Close() error {
	if p.f == nil {
		return os.ErrClosed
	}
	f := p.f
	p.f = nil
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("attachments: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	return nil
}

// Open reads back what was written; the upload must be closed and neither
// committed nor aborted.
func (p *pending) Open() (io.ReadCloser, error) {
	if p.f != nil || p.tmp == "" {
		return nil, errors.New("attachments: the upload is not closed, or no longer pending")
	}
	return os.Open(p.tmp)
}

// Commit renames the closed upload to id and syncs the directory, so that
// the name survives a crash (a failure to sync the directory is not
// reported: the file is in place). When the rename fails the upload stays
// pending, to be aborted.
func (p *pending) Commit(id string) error {
	if p.f != nil || p.tmp == "" {
		return errors.New("attachments: the upload is not closed, or no longer pending")
	}
	final, err := p.dir.file(id)
	if err != nil {
		return err
	}
	if err := os.Rename(p.tmp, final); err != nil {
		return fmt.Errorf("attachments: %w", err)
	}
	p.tmp = ""
	if d, err := os.Open(p.dir.path); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Abort closes the upload if it is open and removes it unless it was
// committed. It may be called at any time, more than once.
func (p *pending) Abort() {
	if p.f != nil {
		p.f.Close()
		p.f = nil
	}
	if p.tmp != "" {
		_ = os.Remove(p.tmp)
		p.tmp = ""
	}
}
