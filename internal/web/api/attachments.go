package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/web/httpx"
)

func (s *Findings) PostCaseAttachment(c echo.Context) error {
	return s.upload(c, app.AttachTarget{CaseID: c.Param("id")})
}

func (s *Findings) PostFindingAttachment(c echo.Context) error {
	return s.upload(c, app.AttachTarget{FindingID: c.Param("id")})
}

// upload receives one multipart/form-data upload (a file part "file" and a
// field "kind"). Access is checked before a byte of the body is read (404,
// 403, 409); the body is cut off past the upload limit; the file streams to a
// temporary file and becomes an attachment only when its row commits.
func (s *Findings) upload(c echo.Context, target app.AttachTarget) error {
	if err := s.findings.CheckAttach(c.Request().Context(), httpx.MustActor(c), target); err != nil {
		return err
	}
	mr, body, err := s.uploads.Open(c)
	if err != nil {
		return err
	}
	at, _, err := s.uploads.Receive(c, target, mr, body)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentAttachment(at))
}

func (s *Findings) GetAttachment(c echo.Context) error {
	at, err := s.findings.GetAttachment(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentAttachment(at))
}

func (s *Findings) GetAttachmentContent(c echo.Context) error {
	at, data, err := s.findings.AttachmentContent(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return httpx.ServeAttachment(c, at, data)
}
