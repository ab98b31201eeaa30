package web

import (
	"crypto/sha256"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
)

// initDelivery sets up what /metrics needs: the caller's metrics. It
// registers the request counter, outermost, so that it sees the final status
// of every request.
func (s *Server) initDelivery(o Options) {
	s.metrics = o.Metrics
	s.echo.Use(s.countRequests)
}

// knownMethods bound the method label.
var knownMethods = map[string]bool{http.MethodGet: true, http.MethodHead: true, http.MethodPost: true,
	http.MethodPut: true, http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true}

// countRequests counts each request by method, route pattern (never the path:
// a calendar token is in one) and status.
func (s *Server) countRequests(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "(unrouted)"
		}
		method := c.Request().Method
		if !knownMethods[method] {
			method = "other"
		}
		s.metrics.ObserveRequest(method, route, c.Response().Status, time.Since(start))
		return nil
	}
}

// getMetrics serves /metrics: with metrics.token set, only to a request that
// carries it as a Bearer token (compared in constant time; the API's tokens
// do not work here); otherwise only to a direct connection from loopback.
func (s *Server) getMetrics(c echo.Context) error {
	if want := s.cfg.Metrics.Token; want != "" {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		got, ok := strings.CutPrefix(h, "Bearer ")
		a, b := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(want))
		if !ok || len(h) > MaxAuthHeader || subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			return docket.Errorf(docket.EUnauthorized, "send Authorization: Bearer <metrics.token>")
		}
	} else if !directFromLoopback(c.Request()) {
		return docket.Errorf(docket.EForbidden, "/metrics answers on loopback only unless metrics.token is set")
	}
	s.metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}

// directFromLoopback reports whether the request came straight from this
// machine: the connection's own address is loopback and nothing says it was
// forwarded (a reverse proxy on the same machine would otherwise make every
// outside request look local).
func directFromLoopback(r *http.Request) bool {
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
