package ui

import (
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// Attachments on the pages: the case's documents and each finding's evidence,
// listed with their name, kind, size and SHA-256, uploaded with a multipart
// form, and downloaded from /attachments/{id} exactly as the API serves them
// (as an attachment, nosniff, the content checked against its digest first).
//
// An upload's form is multipart, so its CSRF token cannot be read with the
// rest of a small form: the token is the form's first part, and it is checked
// (web's checkUploadCSRF) before a byte of the file is read.

type attachmentsSection struct {
	Rows   []attachmentRow
	Upload *uploadForm
	// InFindings counts the attachments of findings, listed with each finding.
	InFindings int
}

type attachmentRow struct {
	ID, Name, Kind, Size, Digest, By string
	Bytes                            int64
	Created                          time.Time
}

// uploadForm attaches a file to the case or to one of its findings.
type uploadForm struct {
	Action string
	// Prefix keeps the ids of the page's several upload forms apart.
	Prefix    string
	Kind      workField
	FileError string
	Limit     string
	CSRF      string
	// Anchor is where the page shows the form again after an error.
	Anchor string
}

var attachmentKindLabels = map[string]string{"model_card": "Model card", "system_card": "System card",
	"eval_report": "Evaluation report", "evidence": "Evidence", "eval_log": "Inspect log", "other": "Other"}

// humanSize says a size in bytes, KB, MB or GB (powers of 1024).
func humanSize(n int64) string {
	switch {
	case n == 1:
		return "1 byte"
	case n < 1024:
		return fmt.Sprintf("%d bytes", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.1f MB", float64(n)/(1024*1024))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1024*1024*1024))
}

func attachmentRows(list []docket.Attachment, names nameBook) []attachmentRow {
	var out []attachmentRow
	for i := range list {
		at := &list[i]
		out = append(out, attachmentRow{ID: at.ID, Name: at.Name, Kind: view.LabelOr(attachmentKindLabels[at.Kind], at.Kind),
			Size: humanSize(at.Size), Bytes: at.Size, Digest: at.Digest(), By: names.of(at.UploadedBy), Created: at.CreatedAt})
	}
	return out
}

func (w *caseWork) attachmentsSection() *attachmentsSection {
	src := w.src
	sec := &attachmentsSection{}
	if src.status.AcceptsAdditions() {
		sec.Upload = w.uploadFormFor("")
	}
	var own []docket.Attachment
	for _, at := range src.atts {
		if at.FindingID == "" {
			own = append(own, at)
		} else {
			sec.InFindings++
		}
	}
	sec.Rows = attachmentRows(own, src.names)
	return sec
}

// uploadFormFor is the upload form of the case ("") or of one of its findings.
func (w *caseWork) uploadFormFor(findingID string) *uploadForm {
	u := &uploadForm{Action: "/cases/" + w.CaseID + "/attachments", Prefix: "case", Limit: humanSize(w.src.maxBytes),
		Anchor: "act-upload"}
	if findingID != "" {
		u.Action, u.Prefix, u.Anchor = "/findings/"+findingID+"/attachments", "f-"+findingID, "finding-"+findingID
	}
	u.CSRF = w.src.csrf
	errs := w.errsFor(formUpload, findingID)
	chosen := ""
	if errs != nil {
		chosen = w.Form.Kind
		u.FileError = errs["file"]
	}
	if chosen == "" && findingID != "" {
		chosen = "evidence"
	}
	u.Kind = field(u.Prefix+"-kind", "kind", "Kind of document", "", "select", chosen, errs)
	u.Kind.Options = view.Options(docket.AttachmentKinds, attachmentKindLabels, chosen)
	return u
}

func (h *FindingPages) CaseUpload(c echo.Context) error {
	return h.upload(c, app.AttachTarget{CaseID: c.Param("id")})
}

func (h *FindingPages) FindingUpload(c echo.Context) error {
	return h.upload(c, app.AttachTarget{FindingID: c.Param("id")})
}

// OpenedUpload keeps the uploaded file as an attachment of the target: 404,
// 403 and 409 before the file is read; then 413, 415 or 422 beside the file
// field of the form it came from.
func (h *FindingPages) upload(c echo.Context, t app.AttachTarget) error {
	ctx := c.Request().Context()
	a := httpx.MustActor(c)
	wf := workForm{Which: formUpload, For: t.FindingID}
	failed := func(errs view.FieldErrors, err error) error {
		if t.FindingID != "" {
			return h.present.findingFailed(c, t.FindingID, wf, errs, err)
		}
		return h.present.renderWorkError(c, t.CaseID, wf, errs, err)
	}
	if err := h.findings.CheckAttach(ctx, a, t); err != nil {
		return failed(nil, err)
	}
	pu, _ := c.Get(httpx.UploadKey).(*httpx.OpenedUpload)
	if pu == nil {
		return failed(view.FieldErrors{"file": "Choose a file to upload."},
			&docket.Error{Code: docket.EUnsupported, Message: "choose a file to upload"})
	}
	at, kind, err := h.uploads.Receive(c, t, pu.MR, pu.Body)
	wf.Kind = kind
	if err != nil {
		return failed(nil, err)
	}
	to := "/cases/" + at.CaseID + "?done=uploaded#attachments"
	if t.FindingID != "" {
		to = "/cases/" + at.CaseID + "?done=uploaded#finding-" + t.FindingID
	}
	return c.Redirect(http.StatusSeeOther, to)
}

// pageDownload serves an attachment's bytes to whoever may read it (404
// otherwise, 403 for compliance officers), exactly as the API does.
func (h *FindingPages) Download(c echo.Context) error {
	at, data, err := h.findings.AttachmentContent(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return httpx.ServeAttachment(c, at, data)
}
