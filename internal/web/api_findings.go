package web

import (
	"net/http"
	"strings"

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
func (s *Server) findingResult(c echo.Context, status int, v *app.FindingView, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(status, presentFinding(v, s.svc.Now()))
}

func (s *Server) PostFinding(c echo.Context) error {
	var in docket.FindingInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.CreateFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	return s.findingResult(c, http.StatusCreated, v, err)
}

func (s *Server) GetFindings(c echo.Context) error {
	f, err := findingFilter(c)
	if err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	views, next, err := s.svc.ListFindings(c.Request().Context(), httpx.MustActor(c), c.Param("id"), f, p)
	if err != nil {
		return err
	}
	now := s.svc.Now()
	items := make([]findingJSON, len(views))
	for i, v := range views {
		items[i] = presentFinding(v, now)
	}
	return c.JSON(http.StatusOK, listOf(items, next))
}

func (s *Server) GetFinding(c echo.Context) error {
	v, err := s.svc.GetFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	return s.findingResult(c, http.StatusOK, v, err)
}

func (s *Server) PatchFinding(c echo.Context) error {
	var in docket.FindingInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.UpdateFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	return s.findingResult(c, http.StatusOK, v, err)
}

func (s *Server) PostShareFinding(c echo.Context) error {
	var in struct {
		RecipientIDs []string `json:"recipient_ids"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.ShareFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.RecipientIDs)
	return s.findingResult(c, http.StatusOK, v, err)
}

func (s *Server) PostRespondFinding(c echo.Context) error {
	var in struct {
		Response string `json:"response"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.RespondFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Response)
	return s.findingResult(c, http.StatusOK, v, err)
}

func (s *Server) PostResolveFinding(c echo.Context) error {
	var in struct {
		Resolution string `json:"resolution"`
		Note       string `json:"note"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.ResolveFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Resolution, in.Note)
	return s.findingResult(c, http.StatusOK, v, err)
}

func (s *Server) PostComment(c echo.Context) error {
	var in struct {
		Body       string `json:"body"`
		Visibility string `json:"visibility"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	cm, err := s.svc.CreateComment(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Body, in.Visibility)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentComment(cm))
}

func (s *Server) GetComments(c echo.Context) error {
	for name := range c.QueryParams() {
		if name != "limit" && name != "cursor" {
			return docket.FieldError(name, "is not a filter of this list")
		}
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	list, next, err := s.svc.ListComments(c.Request().Context(), httpx.MustActor(c), c.Param("id"), p)
	if err != nil {
		return err
	}
	items := make([]commentJSON, len(list))
	for i := range list {
		items[i] = presentComment(&list[i])
	}
	return c.JSON(http.StatusOK, listOf(items, next))
}
