package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// findingFilter reads the filters of a case's finding list.
func findingFilter(c echo.Context) (app.FindingFilter, error) {
	var f app.FindingFilter
	q := c.QueryParams()
	for name := range q {
		switch name {
		case "status", "severity", "limit", "cursor":
		default:
			return f, docket.FieldError(name, "is not a filter of this list")
		}
	}
	if v := q.Get("status"); v != "" {
		st := docket.FindingStatus(v)
		if !st.Valid() {
			return f, docket.Unacceptable("status", "must be one of draft, shared, lab_responded, resolved, risk_accepted")
		}
		f.Status = &st
	}
	if v := q.Get("severity"); v != "" {
		if !docket.OneOf(v, docket.Severities) {
			return f, docket.Unacceptable("severity", "must be one of %s", strings.Join(docket.Severities, ", "))
		}
		f.Severity = &v
	}
	return f, nil
}

// findingResult answers with a finding.
func findingResult(c echo.Context, status int, v *app.FindingView, err error, now time.Time) error {
	if err != nil {
		return err
	}
	return c.JSON(status, presentFinding(v, now))
}

func (s *Findings) PostFinding(c echo.Context) error {
	var in docket.FindingInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.findings.CreateFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	return findingResult(c, http.StatusCreated, v, err, s.cases.Now())
}

func (s *Findings) GetFindings(c echo.Context) error {
	f, err := findingFilter(c)
	if err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	views, next, err := s.findings.ListFindings(c.Request().Context(), httpx.MustActor(c), c.Param("id"), f, p)
	if err != nil {
		return err
	}
	now := s.cases.Now()
	items := make([]any, len(views))
	for i, v := range views {
		items[i] = presentListedFinding(v, now)
	}
	return c.JSON(http.StatusOK, listOf(items, next))
}

func (s *Findings) GetFinding(c echo.Context) error {
	v, err := s.findings.GetFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	return findingResult(c, http.StatusOK, v, err, s.cases.Now())
}

func (s *Findings) PatchFinding(c echo.Context) error {
	var in docket.FindingInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.findings.UpdateFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	return findingResult(c, http.StatusOK, v, err, s.cases.Now())
}

func (s *Findings) PostShareFinding(c echo.Context) error {
	var in struct {
		RecipientIDs []string `json:"recipient_ids"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.findings.ShareFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.RecipientIDs)
	return findingResult(c, http.StatusOK, v, err, s.cases.Now())
}

func (s *Findings) PostRespondFinding(c echo.Context) error {
	var in struct {
		Response string `json:"response"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.findings.RespondFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Response)
	return findingResult(c, http.StatusOK, v, err, s.cases.Now())
}

func (s *Findings) PostResolveFinding(c echo.Context) error {
	var in struct {
		Resolution    string  `json:"resolution"`
		Note          string  `json:"note"`
		AcceptedUntil *string `json:"accepted_until"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	until := ""
	if in.AcceptedUntil != nil {
		until = *in.AcceptedUntil
	}
	v, err := s.findings.ResolveFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Resolution, in.Note, until)
	return findingResult(c, http.StatusOK, v, err, s.cases.Now())
}

func (s *Findings) PostComment(c echo.Context) error {
	var in struct {
		Body       string `json:"body"`
		Visibility string `json:"visibility"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	cm, err := s.findings.CreateComment(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Body, in.Visibility)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentComment(cm))
}

func (s *Findings) GetComments(c echo.Context) error {
	for name := range c.QueryParams() {
		if name != "limit" && name != "cursor" {
			return docket.FieldError(name, "is not a filter of this list")
		}
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	list, next, err := s.findings.ListComments(c.Request().Context(), httpx.MustActor(c), c.Param("id"), p)
	if err != nil {
		return err
	}
	items := make([]commentJSON, len(list))
	for i := range list {
		items[i] = presentComment(&list[i])
	}
	return c.JSON(http.StatusOK, listOf(items, next))
}
