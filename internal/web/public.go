package web

import (
	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/web/httpx"
)

// bearerOrAnon lets a route be read signed in or not: a request with an
// Authorization header is authenticated as requireBearer does (a bad token is
// a 401, never a fall back to the public view); one without reaches the
// handler as an actor with no role, to whom the use cases give public content
// only (the Clearinghouse's TLP:CLEAR entries, when clearinghouse.public).
func (s *Server) bearerOrAnon(next echo.HandlerFunc) echo.HandlerFunc {
	signedIn := s.requireBearer(next)
	return func(c echo.Context) error {
		if _, ok := c.Request().Header[echo.HeaderAuthorization]; ok {
			return signedIn(c)
		}
		c.Set(httpx.ActorKey, httpx.Anon(c))
		return next(c)
	}
}
