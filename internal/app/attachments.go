package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/inspect"
)

// AttachmentStore keeps attachments' metadata; the bytes live in files.
type AttachmentStore interface {
	CreateAttachment(at *docket.Attachment) error
	AttachmentByID(id string) (*docket.Attachment, error)
	DeleteAttachment(id string) error
	// AttachmentsOfFindings returns the attachments of each finding, oldest first.
	AttachmentsOfFindings(findingIDs []string) (map[string][]docket.Attachment, error)
	// ListAttachments returns a case's attachments, its findings' included
	// when withFindings, oldest first.
	ListAttachments(caseID string, withFindings bool) ([]docket.Attachment, error)
}

// Files keeps attachments' bytes, each under its attachment's id (package
// files keeps them in a directory). An upload is received into a PendingFile
// under no id, and kept under its attachment's id only once the row has
// committed. Implementations are safe for concurrent use.
type Files interface {
	// Begin starts receiving an upload.
	Begin() (PendingFile, error)
	// Open returns the bytes kept under id, to read and close; a missing
	// file is an error wrapping fs.ErrNotExist.
	Open(id string) (io.ReadCloser, error)
	// Remove deletes the file kept under id; one already gone is no error.
	Remove(id string) error
	// RemoveStaleUploads deletes the uploads, of any process, never
	// committed nor aborted and last written at or before cutoff; it
	// returns how many it removed.
	RemoveStaleUploads(cutoff time.Time) (int, error)
}

// PendingFile is an upload being received: written, closed (which makes it
// durable), perhaps read back, then committed under an id or aborted. It is
// used by one goroutine at a time.
type PendingFile interface {
	// Write appends to the upload.
	io.Writer
	// Close makes what was written durable (fsync) and ends the writing.
	Close() error
	// Open reads back what was written, once closed.
	Open() (io.ReadCloser, error)
	// Commit keeps the closed upload under id, durably; when it fails the
	// upload is still pending.
	Commit(id string) error
	// Abort removes the upload unless it was committed; it may be called
	// at any time, more than once.
	Abort()
}

// errNoFiles is the failure of a service built without Files to keep or
// read an attachment's bytes.
var errNoFiles = errors.New("attachments: the service has no place for files (Options.Files)")

// AttachTarget names what an upload is for: a case, or one of its findings.
type AttachTarget struct {
	CaseID    string
	FindingID string
}

// attachAccess checks that the actor may attach to the target (write) or read
// what is attached to it: case content rules for a case; for a finding, its
// visibility and, to attach, an open finding. An attachment is an addition:
// a decided or withdrawn case refuses it (409 naming the state).
func (s *Findings) attachAccess(tx findingsTx, a docket.Actor, t AttachTarget, write bool) (caseID string, err error) {
	if t.FindingID != "" {
		fa, err := s.findingAccess(tx, a, t.FindingID)
		if err != nil {
			return "", notFoundAs(err, "finding")
		}
		if write {
			err = fa.Check(docket.FindAttach)
		} else {
			err = fa.CheckRead()
		}
		return fa.Finding.CaseID, err
	}
	acc, err := s.caseAccess(tx, a, t.CaseID)
	if err != nil {
		return "", err
	}
	if write {
		return t.CaseID, acc.CheckAdd(docket.RoleLabMember, docket.RoleReviewer, docket.RoleReviewLead)
	}
	return t.CaseID, acc.CheckContent()
}

// CheckAttach answers, before any byte of an upload is read, whether the actor
// may attach to the target: 404, 403, or 409 (the case is decided or
// withdrawn; attest first; the finding is closed).
func (s *Findings) CheckAttach(ctx context.Context, a docket.Actor, t AttachTarget) error {
	return s.read(ctx, func(tx findingsTx) error {
		_, err := s.attachAccess(tx, a, t, true)
		return err
	})
}

// Upload is a file being received: streamed into a pending file of Files
// while its size is bounded, its SHA-256 computed and its type sniffed. It
// becomes an attachment when CreateAttachment commits; otherwise Discard
// removes it.
type Upload struct {
	file PendingFile
	// zip says the file is a ZIP, which only an Inspect log (kind eval_log) may be.
	zip         bool
	Name        string
	Size        int64
	SHA256      string
	ContentType string
}

// Discard removes the pending file, if it is still there.
func (u *Upload) Discard() {
	if u != nil && u.file != nil {
		u.file.Abort()
		u.file = nil
	}
}

// countingHash hashes and counts what passes, failing past the limit.
type countingHash struct {
	h     hash.Hash
	n     int64
	limit int64
}

var errTooLarge = &docket.Error{Code: docket.ETooLarge, Message: "the file is larger than the upload limit"}

func (c *countingHash) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	if c.n > c.limit {
		return 0, errTooLarge
	}
	return c.h.Write(p)
}

// staleUploadAge is how old an upload file must be to be taken for one left
// by a process that stopped mid-upload: an upload in progress lasts at most
// http.read_timeout and its transaction.
const staleUploadAge = time.Hour

// RemoveStaleUploads deletes the upload files that a process stopped
// mid-upload left behind (a crash, a kill): uploads last written at least
// staleUploadAge before now. Replicas share the files, so a younger one may
// be another's upload in progress and is kept. It returns how many files it
// removed; a service without Files has none to remove.
func (s *Findings) RemoveStaleUploads() (int, error) {
	if s.files == nil {
		return 0, nil
	}
	return s.files.RemoveStaleUploads(s.Now().Add(-staleUploadAge))
}

// StageUpload streams r into a pending file of Files: at most
// uploads.max_bytes (413 beyond, and nothing is kept), the type sniffed from
// the content (415 for anything but a PDF or UTF-8 text; 422 for an empty
// file), the client's name kept only as cleaned metadata. On any error
// nothing is left on disk; without Files it fails (an internal error).
func (s *Findings) StageUpload(r io.Reader, clientName string) (_ *Upload, err error) {
	if s.files == nil {
		return nil, errNoFiles
	}
	f, err := s.files.Begin()
	if err != nil {
		return nil, err
	}
	u := &Upload{file: f, Name: docket.CleanFileName(clientName)}
	defer func() {
		if err != nil {
			u.Discard()
		}
	}()
	sum := &countingHash{h: sha256.New(), limit: s.maxUpload}
	sniff := docket.NewSniffer()
	// The sum comes first: past the limit it stops the copy before the file grows.
	if _, err := io.Copy(io.MultiWriter(sum, f, sniff), r); err != nil {
		return nil, err // errTooLarge, or the body's own failure (cut off, too large, gone)
	}
	if err := f.Close(); err != nil { // durable before any row can name it
		return nil, err
	}
	verdict, err := sniff.Result(u.Name)
	if err != nil && sniff.IsZip() {
		verdict, err, u.zip = docket.Sniffed{ContentType: TypeZip}, nil, true
	}
	if err != nil {
		return nil, err
	}
	u.ContentType = verdict.ContentType
	if verdict.MaybeJSON {
		jf, err := f.Open()
		if err != nil {
			return nil, err
		}
		if docket.ValidJSON(jf) {
			u.ContentType = docket.TypeJSON
		}
		jf.Close()
	}
	u.Size, u.SHA256 = sum.n, hex.EncodeToString(sum.h.Sum(nil))
	return u, nil
}

// CreateAttachment keeps a staged upload as an attachment of the target: the
// access is checked again (404, 403, 409), then the kind (422); the row and its
// audit event (metadata and hashes only) commit together, and only then is the
// file moved into place under the attachment's generated id. If that fails,
// the row is withdrawn again. The upload is consumed either way.
func (s *Findings) CreateAttachment(ctx context.Context, a docket.Actor, t AttachTarget, kind string, u *Upload) (*docket.Attachment, error) {
	defer u.Discard()
	if u == nil || u.file == nil {
		return nil, docket.Unacceptable("file", "is required")
	}
	var at *docket.Attachment
	err := s.write(ctx, func(tx findingsTx) error {
		caseID, err := s.attachAccess(tx, a, t, true)
		if err != nil {
			return err
		}
		if !docket.OneOf(kind, docket.AttachmentKinds) {
			return docket.Unacceptable("kind", "must be one of %s", strings.Join(docket.AttachmentKinds, ", "))
		}
		if err := checkEvalLog(kind, u); err != nil {
			return err
		}
		at = &docket.Attachment{ID: newID(), CaseID: caseID, FindingID: t.FindingID, Name: u.Name, Kind: kind,
			Size: u.Size, ContentType: u.ContentType, SHA256: u.SHA256, UploadedBy: a.UserID, CreatedAt: s.Now()}
		if err := tx.Content().CreateAttachment(at); err != nil {
			return err
		}
		ch := docket.Changes{"kind": kind, "size": u.Size, "content_type": u.ContentType, "sha256": at.Digest()}.
			Secret("name", u.Name)
		if t.FindingID != "" {
			ch.Set("finding_id", t.FindingID)
		}
		return s.audit(tx, a, "attachment.created", "attachment", at.ID, caseID, ch)
	})
	if err != nil {
		return nil, err
	}
	if err := u.file.Commit(at.ID); err != nil {
		s.log.Error("attachment: move into place", "attachment_id", at.ID, "err", err)
		s.withdrawAttachment(ctx, a, at)
		return nil, err
	}
	u.file = nil
	return at, nil
}

// checkEvalLog refuses a ZIP that is not an Inspect log attached as one
// (415), and a file of kind eval_log that is not a log Docket could import
// (the reader's refusals: 422 naming file, 413 for a ZIP over its limits).
func checkEvalLog(kind string, u *Upload) error {
	if kind != docket.AttachmentEvalLog {
		if u.zip {
			return &docket.Error{Code: docket.EUnsupported, Message: "archives are not accepted: send a PDF, plain text, Markdown, JSON or CSV (an Inspect .eval log is attached with kind eval_log)"}
		}
		return nil
	}
	if !u.zip && u.ContentType != docket.TypeJSON {
		return docket.Unacceptable("file", "is not an Inspect log: kind eval_log takes an .eval (ZIP) or .json log")
	}
	rc, err := u.file.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	ra, ok := rc.(io.ReaderAt)
	if !ok {
		return errors.New("attachments: the upload cannot be read at offsets")
	}
	_, err = inspect.Read(ra, u.Size)
	return err
}

// withdrawAttachment removes the row of an attachment whose file could not be
// kept, recording why; the original event stays in the chain.
func (s *Findings) withdrawAttachment(ctx context.Context, a docket.Actor, at *docket.Attachment) {
	err := s.write(ctx, func(tx findingsTx) error {
		if err := tx.Content().DeleteAttachment(at.ID); err != nil {
			return err
		}
		return s.audit(tx, a, "attachment.withdrawn", "attachment", at.ID, at.CaseID,
			docket.Changes{"reason": "the file could not be stored"})
	})
	if err != nil {
		s.log.Error("attachment: withdraw the row of a file not stored", "attachment_id", at.ID, "err", err)
	}
}

// visibleAttachment loads an attachment the actor may read: whoever may read
// its case's content, or its finding. Anything hidden is "attachment not found".
func (s *Findings) visibleAttachment(tx findingsTx, a docket.Actor, id string) (*docket.Attachment, error) {
	at, err := tx.Content().AttachmentByID(id)
	if err != nil {
		return nil, notFoundAs(err, "attachment")
	}
	if _, err := s.attachAccess(tx, a, AttachTarget{CaseID: at.CaseID, FindingID: at.FindingID}, false); err != nil {
		return nil, notFoundAs(err, "attachment")
	}
	return at, nil
}

// GetAttachment returns an attachment's metadata.
func (s *Findings) GetAttachment(ctx context.Context, a docket.Actor, id string) (*docket.Attachment, error) {
	var at *docket.Attachment
	err := s.read(ctx, func(tx findingsTx) error {
		var err error
		at, err = s.visibleAttachment(tx, a, id)
		return err
	})
	return at, err
}

// AttachmentContent returns an attachment and its bytes, read whole and
// checked against the stored size and SHA-256 before anything is served: a
// file that was altered or lost is an internal error, logged, never served.
func (s *Findings) AttachmentContent(ctx context.Context, a docket.Actor, id string) (*docket.Attachment, []byte, error) {
	at, err := s.GetAttachment(ctx, a, id)
	if err != nil {
		return nil, nil, err
	}
	if _, err := uuid.Parse(at.ID); err != nil {
		return nil, nil, fmt.Errorf("attachment %q: stored id is not a uuid", at.ID)
	}
	if s.files == nil {
		return nil, nil, errNoFiles
	}
	f, err := s.files.Open(at.ID)
	if err != nil {
		s.log.Error("attachment: file missing", "attachment_id", at.ID, "err", err)
		return nil, nil, fmt.Errorf("attachment %s: %w", at.ID, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(&buf, h), io.LimitReader(f, at.Size+1))
	if err != nil {
		return nil, nil, fmt.Errorf("attachment %s: %w", at.ID, err)
	}
	if n != at.Size || hex.EncodeToString(h.Sum(nil)) != at.SHA256 {
		s.log.Error("attachment: content does not match its stored size and SHA-256; not served",
			"attachment_id", at.ID, "size", n, "want_size", at.Size)
		return nil, nil, fmt.Errorf("attachment %s: content does not match its digest", at.ID)
	}
	return at, buf.Bytes(), nil
}

// ListAttachments returns the attachments of a case the actor may read: the
// case's own, and those of the findings the actor reads (not a TLP:RED
// finding's while the session must step up to read it).
func (s *Findings) ListAttachments(ctx context.Context, a docket.Actor, caseID string) ([]docket.Attachment, error) {
	var out []docket.Attachment
	err := s.read(ctx, func(tx findingsTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CheckContent(); err != nil {
			return err
		}
		all, err := tx.Content().ListAttachments(caseID, true)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, at := range all {
			if at.FindingID != "" {
				ok, known := seen[at.FindingID]
				if !known {
					f, err := tx.Content().FindingByID(at.FindingID)
					if err != nil {
						return err
					}
					fa := docket.FindingAccess{CaseAccess: acc, Finding: f}
					ok = fa.CanSeeFinding() && !fa.StepUpRequired()
					seen[at.FindingID] = ok
				}
				if !ok {
					continue
				}
			}
			out = append(out, at)
		}
		return nil
	})
	return out, err
}

// removeAttachmentFiles deletes the files of attachments whose rows are gone.
func (s *core) removeAttachmentFiles(ids []string) {
	if s.files == nil {
		return
	}
	for _, id := range ids {
		if _, err := uuid.Parse(id); err != nil {
			continue
		}
		if err := s.files.Remove(id); err != nil {
			s.log.Error("attachment: remove file", "attachment_id", id, "err", err)
		}
	}
}
