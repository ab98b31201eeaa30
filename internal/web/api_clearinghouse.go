package web

import (
	_ "embed"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/export"
	"github.com/docket/docket/internal/web/httpx"
)

// ClearinghouseSchema is the JSON Schema (draft 2020-12) of the Clearinghouse
// feed, served at /api/v1/clearinghouse/schema.json.
//
//go:embed clearinghouse.schema.json
var ClearinghouseSchema []byte

func (s *Server) PostPublishFinding(c echo.Context) error {
	var in docket.PublishInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.PublishFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	return s.findingResult(c, http.StatusOK, v, err)
}

// catalog reads the Clearinghouse for the request: q is its only parameter.
func (s *Server) catalog(c echo.Context) (*app.Catalog, error) {
	for name := range c.QueryParams() {
		if name != "q" {
			return nil, docket.FieldError(name, "is not a parameter of the Clearinghouse (it takes q)")
		}
	}
	return s.svc.Clearinghouse(c.Request().Context(), httpx.MustActor(c), c.QueryParam("q"))
}

// getClearinghouse answers with the KEV-shaped feed: camelCase and not
// paginated, unlike the rest of the API.
func (s *Server) GetClearinghouse(c echo.Context) error {
	cat, err := s.catalog(c)
	if err != nil {
		return err
	}
	return s.answerFeed(c, c.QueryParam("q"), cat)
}

func (s *Server) GetClearinghouseCSV(c echo.Context) error {
	cat, err := s.catalog(c)
	if err != nil {
		return err
	}
	return export.ClearinghouseCSV(c, cat)
}

func (s *Server) GetClearinghouseSchema(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/schema+json", ClearinghouseSchema)
}
