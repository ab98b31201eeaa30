package app_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// fakeFiles keeps uploads in memory and records what the service asks of it,
// each step with whether the attachment's row was committed at that moment.
type fakeFiles struct {
	e          *env
	mu         sync.Mutex
	steps      []string
	kept       map[string][]byte
	cutoff     time.Time
	failCommit bool
}

type fakePending struct {
	fs      *fakeFiles
	buf     bytes.Buffer
	closed  bool
	settled bool
}

func (f *fakeFiles) step(s string) { f.mu.Lock(); f.steps = append(f.steps, s); f.mu.Unlock() }

func (f *fakeFiles) Begin() (app.PendingFile, error) {
	f.step("begin")
	return &fakePending{fs: f}, nil
}

func (f *fakeFiles) Open(id string) (io.ReadCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.kept[id]
	if !ok {
		return nil, errors.New("no such file")
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func (f *fakeFiles) Remove(id string) error {
	f.step("remove")
	f.mu.Lock()
	delete(f.kept, id)
	f.mu.Unlock()
	return nil
}

func (f *fakeFiles) RemoveStaleUploads(cutoff time.Time) (int, error) {
	f.cutoff = cutoff
	return 3, nil
}

func (p *fakePending) Write(b []byte) (int, error) { return p.buf.Write(b) }
func (p *fakePending) Close() error                { p.closed = true; p.fs.step("close"); return nil }
func (p *fakePending) Open() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(p.buf.Bytes())), nil
}

func (p *fakePending) Commit(id string) error {
	// The row is committed before the file is kept under its id.
	var row error
	p.fs.e.must(p.fs.e.st.Read(ctx, func(tx app.Tx) error {
		_, row = tx.Content().AttachmentByID(id)
		return nil
	}))
	if row != nil || !p.closed {
		p.fs.step("commit before the row or the close")
	}
	if p.fs.failCommit {
		p.fs.step("commit failed")
		return errors.New("the disk is full")
	}
	p.fs.step("commit")
	p.settled = true
	p.fs.mu.Lock()
	p.fs.kept[id] = p.buf.Bytes()
	p.fs.mu.Unlock()
	return nil
}

func (p *fakePending) Abort() {
	if !p.settled {
		p.settled = true
		p.fs.step("abort")
	}
}

// withFiles rebuilds the env's service with fake files.
func withFiles(e *env) *fakeFiles {
	f := &fakeFiles{e: e, kept: map[string][]byte{}}
	o := e.options()
	o.Files = f
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) // a file not kept is logged
	e.svc = app.New(e.st, o)
	return f
}

// noFiles builds the env's service without files.
func noFiles(e *env) *app.Services {
	o := e.options()
	o.Files = nil
	return app.New(e.st, o)
}

// TestRemoveStaleUploadsAnHourOld: at start the service asks its files to
// remove the uploads last written an hour or more before now; a service
// without files has none to remove.
func TestRemoveStaleUploadsAnHourOld(t *testing.T) {
	e := newEnv(t)
	f := withFiles(e)
	if n, err := e.svc.Findings.RemoveStaleUploads(); err != nil || n != 3 {
		t.Fatalf("removed %d, %v", n, err)
	}
	if want := e.clock.Now().Add(-time.Hour); !f.cutoff.Equal(want) {
		t.Fatalf("cutoff %v, want %v", f.cutoff, want)
	}
	e.svc = noFiles(e)
	if n, err := e.svc.Findings.RemoveStaleUploads(); err != nil || n != 0 {
		t.Fatalf("without files: %d, %v", n, err)
	}
}

// TestUploadOrdering: an upload is durable (closed) before its row commits,
// and kept under its id only after; a file that cannot be kept withdraws its
// row, recorded in the audit trail, and leaves nothing; a refused upload
// leaves neither file nor row.
func TestUploadOrdering(t *testing.T) {
	e := newEnv(t)
	f := withFiles(e)
	caseID := e.submitAt(e.clock.Now(), false)
	target := app.AttachTarget{CaseID: caseID}
	upload := func(content string) (*docket.Attachment, error) {
		u, err := e.svc.Findings.StageUpload(strings.NewReader(content), "report.md")
		if err != nil {
			return nil, err
		}
		return e.svc.Findings.CreateAttachment(ctx, e.a["lab"], target, "evidence", u)
	}
	at, err := upload("# Report\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.steps, " "); got != "begin close commit" {
		t.Fatalf("kept: %s", got)
	}
	if _, data, err := e.svc.Findings.AttachmentContent(ctx, e.a["lab"], at.ID); err != nil || string(data) != "# Report\n" {
		t.Fatalf("content %q, %v", data, err)
	}

	f.steps, f.failCommit = nil, true
	if _, err := upload("# Another\n"); err == nil {
		t.Fatal("an upload not kept was acknowledged")
	}
	if got := strings.Join(f.steps, " "); got != "begin close commit failed abort" {
		t.Fatalf("not kept: %s", got)
	}
	atts, err := e.svc.Findings.ListAttachments(ctx, e.a["lab"], caseID)
	if err != nil || len(atts) != 1 || atts[0].ID != at.ID {
		t.Fatalf("attachments after a file not kept: %v, %v", atts, err)
	}
	if audit := e.auditText(); strings.Count(audit, "attachment.created") != 2 || strings.Count(audit, "attachment.withdrawn") != 1 {
		t.Fatalf("audit:\n%s", audit)
	}

	f.steps, f.failCommit = nil, false
	if _, err := upload("<html><script>x</script></html>"); err == nil {
		t.Fatal("markup was accepted")
	}
	if got := strings.Join(f.steps, " "); got != "begin close abort" {
		t.Fatalf("refused: %s", got)
	}
	if atts, _ := e.svc.Findings.ListAttachments(ctx, e.a["lab"], caseID); len(atts) != 1 {
		t.Fatalf("a refused upload left a row: %v", atts)
	}

	// Without files nothing is staged, and nothing can be read.
	e.svc = noFiles(e)
	if u, err := e.svc.Findings.StageUpload(strings.NewReader("# Report\n"), "report.md"); err == nil || u != nil {
		t.Fatalf("staged without files: %v, %v", u, err)
	}
	if _, _, err := e.svc.Findings.AttachmentContent(ctx, e.a["lab"], at.ID); err == nil {
		t.Fatal("read without files")
	}
}
