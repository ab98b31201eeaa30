package api

import (
	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/stix"
	"github.com/docket/docket/internal/web/httpx"
)

// GetSTIX answers with the Clearinghouse as one STIX 2.1 bundle (package
// stix): the entries the reader may read, each marked with its TLP 2.0
// marking definition, ids stable from one export to the next. It takes no
// parameter.
func (s *Clearinghouse) GetSTIX(c echo.Context) error {
	if err := noParams(c, "the STIX bundle"); err != nil {
		return err
	}
	cat, err := s.clearinghouse.Clearinghouse(c.Request().Context(), httpx.MustActor(c), "")
	if err != nil {
		return err
	}
	body, err := stix.Bundle(stix.Publisher{Name: s.agency, BaseURL: httpx.LinkBase(c, s.baseURL), Since: cat.Origin}, cat.Entries)
	if err != nil {
		return err
	}
	return httpx.Polled(c, "application/stix+json;version=2.1", body, *cat.Released)
}
