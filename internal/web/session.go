package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The pages' session: a token of kind auth.KindPage in an HttpOnly,
// SameSite=Lax cookie on Path=/, Secure and __Host- prefixed behind TLS. Pages
// read only this cookie, never an Authorization header; the API reads only
// Authorization headers, never this cookie, and the kinds' audiences differ,
// so neither credential works in the other's place.

// secureCookies reports whether cookies get Secure and the __Host- prefix:
// always when configured so, or "auto" with TLS (an https base_url).
func (s *Server) secureCookies() bool {
	switch s.cfg.Auth.SecureCookies {
	case config.SecureCookiesAlways:
		return true
	case config.SecureCookiesNever:
		return false
	}
	return s.tls || strings.HasPrefix(s.cfg.BaseURL, "https://")
}

func (s *Server) cookieName(base string) string {
	if s.secureCookies() {
		return "__Host-" + base
	}
	return base
}

// sessionCookieName is the name of the page session's cookie.
func (s *Server) sessionCookieName() string { return s.cookieName("docket_session") }

// loginCookieName is the name of the sign-in form's nonce cookie.
func (s *Server) loginCookieName() string { return s.cookieName("docket_login") }

// cookie builds a cookie with Docket's attributes; maxAge 0 makes it last as
// long as the browser session, a negative maxAge deletes it.
func (s *Server) cookie(name, value string, maxAge int) *http.Cookie {
	// #nosec G124 -- Secure (and the __Host- prefix) whenever Docket is reached over TLS; plain HTTP is for loopback.
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: s.secureCookies(), SameSite: http.SameSiteLaxMode}
}

// requireSession authenticates a page request by its session cookie alone. A
// request without a valid one is sent to the sign-in page (GET) or refused
// there too (other methods, which then write nothing).
func (s *Server) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ck, err := c.Cookie(s.sessionCookieName())
		if err == nil && ck.Value != "" && len(ck.Value) <= auth.MaxTokenBytes {
			a, u, err := s.accounts.Authenticate(c.Request().Context(), auth.KindPage, ck.Value, httpx.Anon(c))
			if err == nil {
				c.Set(httpx.ActorKey, a)
				c.Set(httpx.UserKey, u)
				c.Set(httpx.CSRFKey, s.csrfFor(a.SessionID))
				c.Response().Header().Set("Cache-Control", "no-store")
				if err := mfaGate(c, a); err != nil {
					if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead {
						// The walk-through: the account page, where a second factor is enrolled.
						return c.Redirect(http.StatusSeeOther, "/account?enrol=1")
					}
					return err
				}
				return next(c)
			}
			if docket.ErrorCode(err) != docket.EUnauthorized {
				return err
			}
			c.SetCookie(s.cookie(s.sessionCookieName(), "", -1))
		}
		if passkeyOptionPaths[c.Request().URL.Path] {
			// Fetched by the passkey script, which reads JSON.
			return docket.Errorf(docket.EUnauthorized, "your session has ended: sign in again")
		}
		to := "/login"
		if m := c.Request().Method; m == http.MethodGet || m == http.MethodHead {
			if back := c.Request().URL.RequestURI(); back != "/" && safeNext(back) != "" {
				to += "?next=" + url.QueryEscape(back)
			}
		} else {
			to += "?expired=1"
		}
		return c.Redirect(http.StatusSeeOther, to)
	}
}

// quietSession recognises the signed-in user of a request that no page route
// matched (an unknown address), so that its error page shows the user's
// navigation; it never refuses anything.
func (s *Server) quietSession(c echo.Context) {
	if _, ok := httpx.ActorFrom(c); ok {
		return
	}
	ck, err := c.Cookie(s.sessionCookieName())
	if err != nil || ck.Value == "" || len(ck.Value) > auth.MaxTokenBytes {
		return
	}
	if a, u, err := s.accounts.Authenticate(c.Request().Context(), auth.KindPage, ck.Value, httpx.Anon(c)); err == nil {
		c.Set(httpx.ActorKey, a)
		c.Set(httpx.UserKey, u)
		c.Set(httpx.CSRFKey, s.csrfFor(a.SessionID))
	}
}

// safeNext returns next when it is a path on this origin, and "" otherwise:
// it must start with one slash, hold no backslash or control character, and
// stay so however many times it is decoded (//evil, /\evil, /%2F%2Fevil and
// https://evil are all refused). The sign-in and sign-out pages are refused too.
func safeNext(next string) string {
	if next == "" || len(next) > 2048 {
		return ""
	}
	s := next
	for i := 0; i < 4; i++ {
		if !localPath(s) {
			return ""
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return ""
		}
		if d == s {
			break
		}
		s = d
	}
	if !localPath(s) {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	if u.Path == "/login" || u.Path == "/logout" {
		return ""
	}
	return next
}

func localPath(s string) bool {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.Contains(s, `\`) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func (s *Server) renderLogin(c echo.Context, status int, lp view.LoginPage) error {
	lp.Token = s.loginToken(s.loginNonce(c))
	if s.oidc != nil {
		lp.SSOName = s.cfg.OIDC.DisplayName
	}
	lp.Passkeys = s.passkeys.Off() == ""
	c.Response().Header().Set("Cache-Control", "no-store")
	return s.ui.Renderer.RenderLogin(c, status, lp)
}

// endSession forgets the page session's cookie.
func (s *Server) endSession(c echo.Context) {
	c.SetCookie(s.cookie(s.sessionCookieName(), "", -1))
}

// pageLoginForm shows the sign-in form; a signed-in user goes on at once.
func (s *Server) pageLoginForm(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	stepUp := c.QueryParam("step_up") != ""
	// A step-up signs in again even when signed in: with a passkey or a
	// phishing-resistant single sign-on.
	if ck, err := c.Cookie(s.sessionCookieName()); err == nil && ck.Value != "" && !stepUp {
		if _, _, err := s.accounts.Authenticate(c.Request().Context(), auth.KindPage, ck.Value, httpx.Anon(c)); err == nil {
			return c.Redirect(http.StatusSeeOther, orHome(next))
		}
	}
	lp := view.LoginPage{Next: next, StepUp: stepUp}
	switch {
	case stepUp:
		lp.Notice = "What you asked for is marked TLP:RED: it needs a sign-in with a passkey, or through your agency's phishing-resistant sign-in. Sign in again with one of them to go on."
	case c.QueryParam("passkey_added") != "":
		lp.Notice = "Your passkey is added, and your earlier sessions are ended. Sign in with the passkey now."
	case c.QueryParam("signed_out") != "":
		lp.Notice = "You have signed out."
	case c.QueryParam("expired") != "":
		lp.Notice = "Your session has ended. Sign in again to go on."
	case c.QueryParam("password_changed") != "":
		lp.Notice = "Your password is changed, and every session you had is ended. Sign in with the new password."
	}
	return s.renderLogin(c, http.StatusOK, lp)
}

func orHome(next string) string {
	if next == "" {
		return "/"
	}
	return next
}

// pageLogin signs in from the form. Throttling and every failure (unknown
// user, wrong password, disabled or locked account) show one generic message.
func (s *Server) pageLogin(c echo.Context) error {
	if err := httpx.LimitForm(c); err != nil {
		return err
	}
	f := c.Request().PostForm
	lp := view.LoginPage{Email: strings.TrimSpace(f.Get("email")), Next: safeNext(f.Get("next"))}
	if !s.checkLoginCSRF(c) {
		lp.Error = "The sign-in form had expired. Please try again."
		return s.renderLogin(c, http.StatusForbidden, lp)
	}
	sess, err := s.accounts.SignInPage(c.Request().Context(), f.Get("email"), f.Get("password"), httpx.Anon(c))
	if err != nil {
		lp.Invalid = true
		if _, ok := app.IsThrottled(err); ok {
			lp.Error = "Too many sign-in attempts. Wait a few minutes, then try again."
			return s.renderLogin(c, http.StatusTooManyRequests, lp)
		}
		if docket.ErrorCode(err) == docket.EUnauthorized {
			lp.Error = "The e-mail address or password is not right, or the account is locked for a while after too many attempts."
			return s.renderLogin(c, http.StatusUnauthorized, lp)
		}
		return err
	}
	if sess.Pending {
		// The password was right; the second factor comes on a step of its own.
		c.SetCookie(s.cookie(s.pendingCookieName(), sess.Token, int(app.PendingTTL.Seconds())))
		return s.renderLogin(c, http.StatusOK, view.LoginPage{Next: lp.Next, SecondStep: true})
	}
	s.startSession(c, sess)
	return c.Redirect(http.StatusSeeOther, orHome(lp.Next))
}

// startSession sets a new page session's cookie in place of the sign-in's
// cookies; a session the browser held already (a step-up, or another
// account) ends, rather than living on unseen until it expires.
func (s *Server) startSession(c echo.Context, sess *app.Session) {
	if ck, err := c.Cookie(s.sessionCookieName()); err == nil && ck.Value != "" && len(ck.Value) <= auth.MaxTokenBytes {
		if old, _, err := s.accounts.Authenticate(c.Request().Context(), auth.KindPage, ck.Value, httpx.Anon(c)); err == nil {
			if err := s.accounts.Logout(c.Request().Context(), old); err != nil {
				s.log.Warn("end the session signed in over", "err", err)
			}
		}
	}
	c.SetCookie(s.cookie(s.pendingCookieName(), "", -1))
	c.SetCookie(s.cookie(s.loginCookieName(), "", -1))
	c.SetCookie(s.cookie(s.sessionCookieName(), sess.Token, 0))
}

// pageLogout revokes the session and forgets the cookie.
func (s *Server) pageLogout(c echo.Context) error {
	if err := s.accounts.Logout(c.Request().Context(), httpx.MustActor(c)); err != nil {
		return err
	}
	c.SetCookie(s.cookie(s.sessionCookieName(), "", -1))
	return c.Redirect(http.StatusSeeOther, "/login?signed_out=1")
}
