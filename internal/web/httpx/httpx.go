// Package httpx holds what the JSON API (web/api), the pages (web/ui) and the
// server (web) share about a request: the signed-in actor and the other values
// the middleware leaves in the echo context, the checks every input passes
// (text, form size), the one table from error codes to HTTP status, instants
// as the API and the pages write them, and receiving and serving attachments.
package httpx

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
)

func ActorFrom(c echo.Context) (docket.Actor, bool) {
	a, ok := c.Get(ActorKey).(docket.Actor)
	return a, ok
}

// Anon is the actor of a request before sign-in.
func Anon(c echo.Context) docket.Actor {
	return docket.Actor{RequestID: c.Response().Header().Get(echo.HeaderXRequestID), ClientIP: c.RealIP()}
}

func MustActor(c echo.Context) docket.Actor {
	a, _ := ActorFrom(c)
	return a
}

const UserKey = "docket.user"

// CurrentUser is the signed-in user of a page request.
func CurrentUser(c echo.Context) *docket.User {
	u, _ := c.Get(UserKey).(*docket.User)
	return u
}

// ErrCSRF is the refusal of a form without a valid token: nothing is written.
var ErrCSRF = &docket.Error{Code: docket.EForbidden,
	Message: "This form has expired or did not come from Docket. Go back, reload the page and try again."}

// ErrCrossOrigin is the refusal of a page form sent from another site: nothing is written.
var ErrCrossOrigin = &docket.Error{Code: docket.EForbidden,
	Message: "This form was sent from another site, so Docket did not accept it. Open Docket itself, reload the page and try again."}

// LimitForm bounds a form's body before it is parsed, and refuses a field
// that is not text (input.go).
func LimitForm(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, MaxFormBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &docket.Error{Code: docket.ETooLarge, Message: "the form is too large"}
		}
		return docket.FieldError("", "the form could not be read")
	}
	return TextForm(r.PostForm)
}

// StatusOf is the one table from error codes to HTTP status.
var StatusOf = map[string]int{
	docket.EInvalid:       http.StatusBadRequest,
	docket.EUnprocessable: http.StatusUnprocessableEntity,
	docket.EUnauthorized:  http.StatusUnauthorized,
	docket.EForbidden:     http.StatusForbidden,
	docket.EScope:         http.StatusForbidden,
	docket.EMFARequired:   http.StatusUnauthorized,
	docket.EMFAEnrolment:  http.StatusForbidden,
	docket.EStepUp:        http.StatusForbidden,
	docket.ENotFound:      http.StatusNotFound,
	docket.EConflict:      http.StatusConflict,
	docket.ETooLarge:      http.StatusRequestEntityTooLarge,
	docket.EUnsupported:   http.StatusUnsupportedMediaType,
	docket.ERateLimited:   http.StatusTooManyRequests,
	docket.EInternal:      http.StatusInternalServerError,
}

// ActorKey is the context key of the signed-in actor.
const ActorKey = "docket.actor"

const (
	// CSRFKey is the context key of the session's CSRF token, which the pages put in their forms.
	CSRFKey = "docket.csrf"
	// MaxFormBody bounds the body of a page form.
	MaxFormBody = 1 << 20
)

// LinkBase is Docket's address for links: base (the configured one, or the
// one the command listens on) when set, or the one the request came to.
func LinkBase(c echo.Context, base string) string {
	if base != "" {
		return strings.TrimRight(base, "/")
	}
	return c.Scheme() + "://" + c.Request().Host
}
