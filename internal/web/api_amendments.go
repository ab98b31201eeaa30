package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
)

func (s *Server) postAmendment(c echo.Context) error {
	var in docket.AmendmentInput
	if err := decode(c, &in); err != nil {
		return err
	}
	m, err := s.svc.Cases.Amend(c.Request().Context(), mustActor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentAmendment(m))
}

func (s *Server) getAmendments(c echo.Context) error {
	list, err := s.svc.Cases.ListAmendments(c.Request().Context(), mustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	items := make([]amendmentJSON, len(list))
	for i := range list {
		items[i] = presentAmendment(&list[i])
	}
	return c.JSON(http.StatusOK, listOf(items, ""))
}

func (s *Server) postResolveAmendment(c echo.Context) error {
	var in docket.AmendmentResolution
	if err := decode(c, &in); err != nil {
		return err
	}
	m, err := s.svc.Cases.ResolveAmendment(c.Request().Context(), mustActor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentAmendment(m))
}
