package web

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// mfaOpen are the routes open to a user whose role needs a second factor and
// whose session has none: who they are, their own factors, signing out, and
// the account page that walks them through enrolment.
var mfaOpen = map[string]bool{
	"GET /api/v1/me":                     true,
	"GET /api/v1/me/mfa":                 true,
	"POST /api/v1/me/mfa/totp":           true,
	"POST /api/v1/me/mfa/:id/confirm":    true,
	"DELETE /api/v1/me/mfa/:id":          true,
	"POST /api/v1/me/mfa/recovery-codes": true,
	"POST /api/v1/auth/logout":           true,
	"GET /account":                       true,
	"POST /account/mfa/totp":             true,
	"POST /account/mfa/:id/confirm":      true,
	"POST /account/mfa/recovery-codes":   true,
	"POST /account/passkeys/options":     true,
	"POST /account/passkeys":             true,
	"POST /logout":                       true,
}

// mfaGate refuses, with 403 mfa_enrollment_required, every request of a
// user whose role needs a second factor (auth.mfa_required_roles) made with
// a session that used none, except on the routes of mfaOpen.
func mfaGate(c echo.Context, a docket.Actor) error {
	if !docket.MustEnrolSecondFactor(a) || mfaOpen[c.Request().Method+" "+c.Path()] {
		return nil
	}
	return docket.Errorf(docket.EMFAEnrolment,
		"your role needs a second factor: enrol one (GET /api/v1/me/mfa, or the account page) and sign in with it")
}

// pendingCookieName holds a page sign-in between its password and its second factor.
func (s *Server) pendingCookieName() string { return s.cookieName("docket_pending") }

// pageSecondStep finishes a page sign-in with a code from the account's
// second factor. A wrong code shows the step again; an expired pending
// sign-in goes back to the password.
func (s *Server) pageSecondStep(c echo.Context) error {
	if err := httpx.LimitForm(c); err != nil {
		return err
	}
	f := c.Request().PostForm
	lp := view.LoginPage{Next: safeNext(f.Get("next")), SecondStep: true}
	ck, err := c.Cookie(s.pendingCookieName())
	if err != nil || ck.Value == "" || len(ck.Value) > auth.MaxTokenBytes {
		return c.Redirect(http.StatusSeeOther, "/login?expired=1")
	}
	if !s.checkLoginCSRF(c) {
		lp.Error = "The sign-in form had expired. Please try again."
		return s.renderLogin(c, http.StatusForbidden, lp)
	}
	sess, err := s.accounts.SecondStep(c.Request().Context(), ck.Value, strings.TrimSpace(f.Get("code")), httpx.Anon(c))
	return s.signedIn(c, lp, sess, err,
		"That code is not right, or it was used already. Enter the code your authenticator app shows now, or a recovery code.")
}

// signedIn answers a sign-in's step: the new session and on to where the
// person was going; or the step again with why (refused: what a refusal
// says), too many attempts, or back to the password when the pending
// sign-in is gone.
func (s *Server) signedIn(c echo.Context, lp view.LoginPage, sess *app.Session, err error, refused string) error {
	if err != nil {
		lp.Invalid = true
		if _, ok := app.IsThrottled(err); ok {
			lp.Error = "Too many sign-in attempts. Wait a few minutes, then try again."
			return s.renderLogin(c, http.StatusTooManyRequests, lp)
		}
		if app.IsPendingExpired(err) {
			c.SetCookie(s.cookie(s.pendingCookieName(), "", -1))
			return c.Redirect(http.StatusSeeOther, "/login?expired=1")
		}
		if docket.ErrorCode(err) == docket.EUnauthorized {
			lp.Error = refused
			return s.renderLogin(c, http.StatusUnauthorized, lp)
		}
		return err
	}
	s.startSession(c, sess)
	return c.Redirect(http.StatusSeeOther, orHome(lp.Next))
}
