package web

import (
	_ "embed"
	"encoding/csv"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
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
	return ClearinghouseCSV(c, cat)
}

// ClearinghouseCSV answers with the entries as CSV, the feed's field
// names as the header, every cell neutralised against formulas.
func ClearinghouseCSV(c echo.Context, cat *app.Catalog) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="docket-clearinghouse.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write(clearinghouseCSVHead)
	for _, e := range Catalog(cat).Vulnerabilities {
		_ = w.Write(e.csvRow())
	}
	w.Flush()
	return w.Error()
}

func (s *Server) GetClearinghouseSchema(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/schema+json", ClearinghouseSchema)
}
