package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/web/httpx"
)

func (s *Evidence) GetStatement(c echo.Context) error {
	st, err := s.evidence.GetStatement(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentStatement(st))
}

// GetJWKS publishes the public keys of the agency's statement keys, the
// current one first, at /.well-known/jwks.json, to anyone: a lab hands a
// statement to a contracting office, which verifies it with these keys alone.
func (s *Evidence) GetJWKS(c echo.Context) error {
	set, err := s.evidence.JWKS(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, set)
}
