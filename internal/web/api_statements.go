package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (s *Server) getStatement(c echo.Context) error {
	st, err := s.svc.Evidence.GetStatement(c.Request().Context(), mustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentStatement(st))
}

// getJWKS publishes the public keys of the agency's statement keys, the
// current one first, at /.well-known/jwks.json, to anyone: a lab hands a
// statement to a contracting office, which verifies it with these keys alone.
func (s *Server) getJWKS(c echo.Context) error {
	set, err := s.svc.Evidence.JWKS(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, set)
}
