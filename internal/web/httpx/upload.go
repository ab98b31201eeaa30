package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// UploadService is what receiving an upload calls: the findings service's
// staging and keeping of attachments.
type UploadService interface {
	StageUpload(r io.Reader, name string) (*app.Upload, error)
	CreateAttachment(ctx context.Context, a docket.Actor, t app.AttachTarget, kind string, up *app.Upload) (*docket.Attachment, error)
}

// Uploads receives multipart uploads for the API and the pages alike.
type Uploads struct {
	Service UploadService
	// MaxBytes is the largest file an upload may carry (uploads.max_bytes).
	MaxBytes int64
}

// UploadAllowance is what a multipart body may carry beyond the file itself:
// boundaries, part headers and the kind field.
const UploadAllowance = 64 << 10

// BodyReader remembers whether reading the request body failed, so that a
// client's broken or oversized body is told apart from a failure of ours.
type BodyReader struct {
	r   io.Reader
	err error
}

func (b *BodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// Err is the failure to read the request body, if one happened.
func (b *BodyReader) Err() error { return b.err }

// PartFileName is the client's file name of a part exactly as sent; the
// service cleans it.
func PartFileName(p *multipart.Part) string { return partFileName(p) }

// BodyError maps a failure to read the request body: past the limit → 413,
// anything else → 400.
func BodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &docket.Error{Code: docket.ETooLarge, Message: "the upload is larger than the limit"}
	}
	return docket.FieldError("", "the multipart body is malformed")
}

// Open opens the request's multipart/form-data body, cut off past
// the upload limit (415 for any other content type).
func (u Uploads) Open(c echo.Context) (*multipart.Reader, *BodyReader, error) {
	r := c.Request()
	mt, params, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEMultipartForm || params["boundary"] == "" {
		return nil, nil, &docket.Error{Code: docket.EUnsupported, Message: "send multipart/form-data with a file part named file"}
	}
	// The server's own writer: past the limit it closes the connection instead of reading on.
	body := &BodyReader{r: http.MaxBytesReader(c.Response().Writer, r.Body, u.MaxBytes+UploadAllowance)}
	return multipart.NewReader(body, params["boundary"]), body, nil
}

// Receive reads the remaining parts of an opened upload, the field
// kind and the part file, and keeps the file as an attachment of the target
// (the service checks the access again). It returns the kind as sent, too.
func (u Uploads) Receive(c echo.Context, target app.AttachTarget, mr *multipart.Reader, body *BodyReader) (*docket.Attachment, string, error) {
	var up *app.Upload
	defer func() { up.Discard() }()
	kind, haveKind := "", false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, kind, BodyError(err)
		}
		switch part.FormName() {
		case "kind":
			if haveKind {
				return nil, kind, docket.FieldError("kind", "is given twice")
			}
			b, err := io.ReadAll(io.LimitReader(part, 65))
			if err != nil {
				return nil, kind, BodyError(err)
			}
			if len(b) > 64 {
				return nil, kind, docket.Unacceptable("kind", "must be one of %s", strings.Join(docket.AttachmentKinds, ", "))
			}
			kind, haveKind = string(b), true
		case "file":
			if up != nil {
				return nil, kind, docket.FieldError("file", "send one file per upload")
			}
			up, err = u.Service.StageUpload(part, partFileName(part))
			if err != nil {
				if body.err != nil {
					return nil, kind, BodyError(body.err)
				}
				return nil, kind, err
			}
		default:
			return nil, kind, docket.FieldError(part.FormName(), "is not a field of this upload")
		}
		part.Close()
	}
	if up == nil {
		return nil, kind, docket.Unacceptable("file", "is required: a file part named file")
	}
	if !haveKind {
		return nil, kind, docket.Unacceptable("kind", "is required: one of %s", strings.Join(docket.AttachmentKinds, ", "))
	}
	at, err := u.Service.CreateAttachment(c.Request().Context(), MustActor(c), target, kind, up)
	return at, kind, err
}

// partFileName is the client's file name exactly as sent (the multipart
// package's FileName strips only /-separated paths); the service cleans it.
func partFileName(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return p.FileName()
	}
	return params["filename"]
}

// ServeAttachment sends verified bytes as a download that no browser renders
// in place: Content-Disposition attachment, the sniffed type, nosniff.
func ServeAttachment(c echo.Context, at *docket.Attachment, data []byte) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, ContentDisposition(at.Name))
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, at.ContentType, data)
}

// ContentDisposition makes a download's header: always an attachment, the
// cleaned name percent-encoded as RFC 8187 asks, so no byte of it can break
// the header.
func ContentDisposition(name string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			strings.IndexByte("!#$&+-.^_`|~", c) >= 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return "attachment; filename*=UTF-8''" + b.String()
}

// UploadKey is the context key of an upload whose token part was read.
const UploadKey = "docket.upload"

// OpenedUpload is an upload whose CSRF token part the pages' middleware has
// read: the rest of its parts are for the handler (Uploads.Receive).
type OpenedUpload struct {
	MR   *multipart.Reader
	Body *BodyReader
}
