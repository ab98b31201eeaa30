package ui

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/ui/view"
)

// verifyPage is /verify: a statement pasted or uploaded, and, once checked,
// what the server found in plain words. With JavaScript, verify.js checks the
// signature in the browser too and says whether both checks agree.
type verifyPage struct {
	view.PageBase
	Statement string
	Checked   bool
	// Valid, Headline and Details are the server's answer.
	Valid    bool
	Headline string
	Details  []string
	Error    string
}

// maxVerifyForm bounds the /verify form: a statement of at most
// app.MaxStatementBytes, pasted or as a file, and the form around it.
const maxVerifyForm = app.MaxStatementBytes + 8<<10

// outcomeWords says a decision's outcome in plain words.
var outcomeWords = map[string]string{"no_concerns": "no concerns", "concerns_noted": "concerns noted",
	"mitigations_requested": "mitigations requested"}

// Verify shows the form (anyone, signed in or not).
func (h *ReviewPages) Verify(c echo.Context) error {
	return h.r.Render(c, http.StatusOK, "verify.html", verifyPage{PageBase: h.r.Base(c, "Verify a review statement")})
}

// VerifyPost checks the statement posted (the textarea statement, or the
// file file): bounded, limited per address by the route, nothing written.
func (h *ReviewPages) VerifyPost(c echo.Context) error {
	pg := verifyPage{PageBase: h.r.Base(c, "Verify a review statement"), Checked: true}
	token, err := verifyFormStatement(c)
	if err != nil {
		return err
	}
	pg.Statement = token
	v, err := h.evidence.VerifyStatement(c.Request().Context(), token)
	if de, ok := errors.AsType[*docket.Error](err); ok && de.Code == docket.EUnprocessable {
		pg.Checked, pg.Error = false, "Paste a statement, or choose its file: "+de.Message+"."
		return h.r.Render(c, http.StatusUnprocessableEntity, "verify.html", pg)
	} else if err != nil {
		return err
	}
	pg.Valid = v.Valid
	if !v.Valid {
		pg.Headline = "Not valid: " + v.Reason + "."
		return h.r.Render(c, http.StatusOK, "verify.html", pg)
	}
	cl := v.Parsed
	what := "lapsed: the review window ended without a decision"
	if cl.Kind == docket.StatementDecision {
		what = "decided, " + outcomeWords[cl.Outcome]
		if outcomeWords[cl.Outcome] == "" {
			what = "decided, " + cl.Outcome
		}
	}
	issuer := cl.Agency
	if issuer == "" {
		issuer = cl.Issuer
	}
	pg.Headline = "Valid: issued by " + issuer + " on " + dateOf(cl.IssuedAt, h.r) + " for " + cl.Model + " " + cl.Version +
		" (" + cl.WeightsDigest + "): " + what + "."
	switch v.Status {
	case app.StatementCurrent:
		pg.Details = append(pg.Details, "This is the latest statement for "+cl.CaseNumber+".")
	case app.StatementSuperseded:
		pg.Details = append(pg.Details, "A later statement supersedes it: "+cl.CaseNumber+" has a "+v.SupersededBy.Kind+
			" statement issued on "+dateOf(v.SupersededBy.IssuedAt.UTC().Format("2006-01-02T15:04:05.000Z"), h.r)+". Ask the lab for it.")
	default:
		pg.Details = append(pg.Details, "The signature is genuine, but "+cl.CaseNumber+" is not in this Docket: check that you are at the issuer's address, "+cl.Issuer+".")
	}
	if cl.DecidedBy != "" {
		pg.Details = append(pg.Details, "Decided by "+cl.DecidedBy+".")
	}
	if cl.Conditions != nil && *cl.Conditions != "" {
		pg.Details = append(pg.Details, "Conditions: "+*cl.Conditions)
	}
	pg.Details = append(pg.Details, "Signed with key "+v.KeyID+".")
	return h.r.Render(c, http.StatusOK, "verify.html", pg)
}

// dateOf writes an instant of a statement as an agency-zone date.
func dateOf(instant string, r *view.Renderer) string {
	t, err := time.Parse(time.RFC3339, instant)
	if err != nil {
		return instant
	}
	return t.In(r.Location()).Format("2 January 2006")
}

// verifyFormStatement reads the statement of the form: the file when one
// was chosen, the textarea otherwise (413 beyond maxVerifyForm).
func verifyFormStatement(c echo.Context) (string, error) {
	req := c.Request()
	req.Body = http.MaxBytesReader(c.Response(), req.Body, maxVerifyForm)
	tooLarge := func(err error) error {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return &docket.Error{Code: docket.ETooLarge, Message: "the form is larger than 64 KiB: a statement is a few KiB"}
		}
		return docket.FieldError("statement", "the form could not be read")
	}
	mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if mt == echo.MIMEMultipartForm {
		if err := req.ParseMultipartForm(maxVerifyForm); err != nil {
			return "", tooLarge(err)
		}
		if f, _, err := req.FormFile("file"); err == nil {
			defer f.Close()
			b, err := io.ReadAll(io.LimitReader(f, app.MaxStatementBytes+1))
			if err != nil {
				return "", tooLarge(err)
			}
			if s := strings.TrimSpace(string(b)); s != "" {
				return s, nil
			}
		}
	} else if err := req.ParseForm(); err != nil {
		return "", tooLarge(err)
	}
	return strings.TrimSpace(req.FormValue("statement")), nil
}
