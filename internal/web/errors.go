package web

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// wireCode is the code the API shows: 400 and 422 both say "invalid".
func wireCode(code string) string {
	if code == docket.EUnprocessable {
		return docket.EInvalid
	}
	return code
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Field     string `json:"field,omitempty"`
	RequestID string `json:"request_id,omitempty"`
}

// fromEcho turns Echo's own errors (unknown route, body too large, …) into domain errors.
func fromEcho(he *echo.HTTPError) *docket.Error {
	switch he.Code {
	case http.StatusNotFound:
		return docket.NotFound("page")
	case http.StatusMethodNotAllowed:
		return &docket.Error{Code: docket.ENotFound, Message: "no such route"}
	case http.StatusRequestEntityTooLarge:
		return &docket.Error{Code: docket.ETooLarge, Message: "the body is too large"}
	case http.StatusUnsupportedMediaType:
		return &docket.Error{Code: docket.EUnsupported, Message: "send application/json"}
	case http.StatusTooManyRequests:
		return &docket.Error{Code: docket.ERateLimited, Message: "too many requests"}
	case http.StatusBadRequest:
		return &docket.Error{Code: docket.EInvalid, Message: "the request is malformed"}
	case http.StatusUnauthorized:
		return &docket.Error{Code: docket.EUnauthorized, Message: "sign in first"}
	case http.StatusForbidden:
		return docket.Forbidden()
	}
	return &docket.Error{Code: docket.EInternal, Message: "something went wrong"}
}

// handleError is Echo's one error handler: it maps every error to a status and
// writes the contract's JSON body, or the HTML error page for page routes. An
// internal error is logged with its request id; the body holds nothing else.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var de *docket.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &de):
	case errors.As(err, &he):
		de = fromEcho(he)
	default:
		if t, ok := app.IsThrottled(err); ok {
			c.Response().Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(t.RetryAfter)))
			de = &docket.Error{Code: docket.ERateLimited, Message: "too many sign-in attempts; try again later"}
		} else {
			de = &docket.Error{Code: docket.EInternal, Message: "something went wrong"}
		}
	}
	status, ok := httpx.StatusOf[de.Code]
	if !ok {
		status = http.StatusInternalServerError
		de = &docket.Error{Code: docket.EInternal, Message: "something went wrong"}
	}
	rid := c.Response().Header().Get(echo.HeaderXRequestID)
	if status >= 500 {
		s.log.Error("request failed", "request_id", rid, "method", c.Request().Method, "route", c.Path(), "err", err)
		de = &docket.Error{Code: docket.EInternal, Message: "something went wrong; quote the request id"}
	}
	if status == http.StatusForbidden {
		if a, ok := httpx.ActorFrom(c); ok && a.UserID != "" {
			s.audit.AuditDenied(c.Request().Context(), a, c.Request().Method, c.Path(), status)
		}
	}
	if s.ui != nil && isPage(c) {
		s.quietSession(c)
		s.ui.Renderer.RenderError(c, status, de)
		return
	}
	body := errorBody{Error: errorDetail{Code: wireCode(de.Code), Message: de.Message, Field: de.Field}}
	if status >= 500 {
		body.Error.RequestID = rid
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, body)
	}
	if err != nil {
		s.log.Warn("write error response", "err", err)
	}
}

var _ = slog.LevelInfo

// isPage reports whether the request is for a page rather than the API.
func isPage(c echo.Context) bool {
	path := c.Request().URL.Path
	return !strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/.well-known/") &&
		path != "/healthz" && path != "/readyz" && path != "/metrics" && !passkeyOptionPaths[path]
}

// passkeyOptionPaths are the pages' two routes the passkey script fetches:
// they answer JSON, their errors too.
var passkeyOptionPaths = map[string]bool{"/login/passkey/options": true, "/account/passkeys/options": true}

// retryAfterSeconds is a wait in whole seconds, rounded up, at least 1.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}
