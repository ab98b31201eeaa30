package api

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"time"

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

func (s *Clearinghouse) PostPublishFinding(c echo.Context) error {
	var in docket.PublishInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.clearinghouse.PublishFinding(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	return findingResult(c, http.StatusOK, v, err, s.cases.Now())
}

// catalog reads the Clearinghouse for the request (export.ReadCatalog).
func (s *Clearinghouse) catalog(c echo.Context, extra ...string) (*app.Catalog, error) {
	return export.ReadCatalog(c, s.clearinghouse.Clearinghouse, extra...)
}

// GetClearinghouse answers with the KEV-shaped feed: camelCase and not
// paginated, unlike the rest of the API.
func (s *Clearinghouse) GetClearinghouse(c echo.Context) error {
	cat, err := s.catalog(c)
	if err != nil {
		return err
	}
	return s.answerFeed(c, c.QueryParam("q"), cat)
}

func (s *Clearinghouse) GetClearinghouseCSV(c echo.Context) error {
	cat, err := s.catalog(c, "bom")
	if err != nil {
		return err
	}
	bom, err := export.BOM(c)
	if err != nil {
		return err
	}
	return export.ServeClearinghouseCSV(c, cat, bom)
}

func (s *Clearinghouse) GetClearinghouseSchema(c echo.Context) error {
	return httpx.Polled(c, "application/schema+json", ClearinghouseSchema, time.Time{})
}

// GetKEV answers with the strict KEV catalogue: CISA's schema exactly, the
// entries with a CVE id only. It takes no parameter.
func (s *Clearinghouse) GetKEV(c echo.Context) error {
	if err := noParams(c, "the KEV catalogue"); err != nil {
		return err
	}
	cat, err := s.clearinghouse.KEV(c.Request().Context(), httpx.MustActor(c))
	if err != nil {
		return err
	}
	body, err := json.Marshal(export.KEV(cat))
	if err != nil {
		return err
	}
	return httpx.Polled(c, echo.MIMEApplicationJSON, append(body, '\n'), *cat.Released)
}

// noParams refuses any query parameter (400 naming it) of a document that takes none.
func noParams(c echo.Context, what string) error {
	for name := range c.QueryParams() {
		return docket.FieldError(name, "is not a parameter of %s (it takes none)", what)
	}
	return nil
}
