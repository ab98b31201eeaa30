package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

func (s *Cases) PostAmendment(c echo.Context) error {
	var in docket.AmendmentInput
	if err := decode(c, &in); err != nil {
		return err
	}
	m, err := s.cases.Amend(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentAmendment(m))
}

func (s *Cases) GetAmendments(c echo.Context) error {
	list, err := s.cases.ListAmendments(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	items := make([]amendmentJSON, len(list))
	for i := range list {
		items[i] = presentAmendment(&list[i])
	}
	return c.JSON(http.StatusOK, listOf(items, ""))
}

func (s *Cases) PostResolveAmendment(c echo.Context) error {
	var in docket.AmendmentResolution
	if err := decode(c, &in); err != nil {
		return err
	}
	m, err := s.cases.ResolveAmendment(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentAmendment(m))
}
