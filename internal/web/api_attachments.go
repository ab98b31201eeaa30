package web

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// uploadAllowance is what a multipart body may carry beyond the file itself:
// boundaries, part headers and the kind field.
const uploadAllowance = 64 << 10

func (s *Server) postCaseAttachment(c echo.Context) error {
	return s.upload(c, app.AttachTarget{CaseID: c.Param("id")})
}

func (s *Server) postFindingAttachment(c echo.Context) error {
	return s.upload(c, app.AttachTarget{FindingID: c.Param("id")})
}

// bodyReader remembers whether reading the request body failed, so that a
// client's broken or oversized body is told apart from a failure of ours.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// bodyError maps a failure to read the request body: past the limit → 413,
// anything else → 400.
func bodyError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &docket.Error{Code: docket.ETooLarge, Message: "the upload is larger than the limit"}
	}
	return docket.FieldError("", "the multipart body is malformed")
}

// upload receives one multipart/form-data upload (a file part "file" and a
// field "kind"). Access is checked before a byte of the body is read (404,
// 403, 409); the body is cut off past the upload limit; the file streams to a
// temporary file and becomes an attachment only when its row commits.
func (s *Server) upload(c echo.Context, target app.AttachTarget) error {
	if err := s.svc.Findings.CheckAttach(c.Request().Context(), mustActor(c), target); err != nil {
		return err
	}
	mr, body, err := s.multipartBody(c)
	if err != nil {
		return err
	}
	at, _, err := s.receiveUpload(c, target, mr, body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentAttachment(at))
}

// multipartBody opens the request's multipart/form-data body, cut off past
// the upload limit (415 for any other content type).
func (s *Server) multipartBody(c echo.Context) (*multipart.Reader, *bodyReader, error) {
	r := c.Request()
	mt, params, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEMultipartForm || params["boundary"] == "" {
		return nil, nil, &docket.Error{Code: docket.EUnsupported, Message: "send multipart/form-data with a file part named file"}
	}
	// The server's own writer: past the limit it closes the connection instead of reading on.
	body := &bodyReader{r: http.MaxBytesReader(c.Response().Writer, r.Body, s.cfg.Uploads.MaxBytes+uploadAllowance)}
	return multipart.NewReader(body, params["boundary"]), body, nil
}

// receiveUpload reads the remaining parts of an opened upload, the field
// kind and the part file, and keeps the file as an attachment of the target
// (the service checks the access again). It returns the kind as sent, too.
func (s *Server) receiveUpload(c echo.Context, target app.AttachTarget, mr *multipart.Reader, body *bodyReader) (*docket.Attachment, string, error) {
	var up *app.Upload
	defer func() { up.Discard() }()
	kind, haveKind := "", false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, kind, bodyError(err)
		}
		switch part.FormName() {
		case "kind":
			if haveKind {
				return nil, kind, docket.FieldError("kind", "is given twice")
			}
			b, err := io.ReadAll(io.LimitReader(part, 65))
			if err != nil {
				return nil, kind, bodyError(err)
			}
			if len(b) > 64 {
				return nil, kind, docket.Unacceptable("kind", "must be one of %s", strings.Join(docket.AttachmentKinds, ", "))
			}
			kind, haveKind = string(b), true
		case "file":
			if up != nil {
				return nil, kind, docket.FieldError("file", "send one file per upload")
			}
			up, err = s.svc.Findings.StageUpload(part, partFileName(part))
			if err != nil {
				if body.err != nil {
					return nil, kind, bodyError(body.err)
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
	at, err := s.svc.Findings.CreateAttachment(c.Request().Context(), mustActor(c), target, kind, up)
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

func (s *Server) getAttachment(c echo.Context) error {
	at, err := s.svc.Findings.GetAttachment(c.Request().Context(), mustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentAttachment(at))
}

func (s *Server) getAttachmentContent(c echo.Context) error {
	at, data, err := s.svc.Findings.AttachmentContent(c.Request().Context(), mustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return serveAttachment(c, at, data)
}

// serveAttachment sends verified bytes as a download that no browser renders
// in place: Content-Disposition attachment, the sniffed type, nosniff.
func serveAttachment(c echo.Context, at *docket.Attachment, data []byte) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, contentDisposition(at.Name))
	h.Set(echo.HeaderXContentTypeOptions, "nosniff")
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, at.ContentType, data)
}
