package web

import (
	"context"
	"net/http"
	"net/netip"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// Signing in with a passkey on the sign-in page: the page's script asks
// POST /login/passkey/options for a ceremony (with the pending sign-in's
// cookie after a right password, for that account's passkeys; without, for
// any passkey of this site), hands the options to the browser, and posts
// the browser's answer with the ceremony's id to POST /login/passkey as a
// form. Both take the sign-in form's CSRF token.

// serverPasskeyCalls is what the sign-in page calls of the passkeys service.
type serverPasskeyCalls interface {
	Off() string
	BeginSignIn(ctx context.Context, pending, browser string, a docket.Actor) (*app.PasskeyOptions, error)
	SignIn(ctx context.Context, ceremonyID, pending, browser string, response []byte, a docket.Actor) (*app.Session, error)
}

// passkeyOptionsJSON is a ceremony's options as the page's script reads them.
type passkeyOptionsJSON struct {
	Ceremony string `json:"ceremony"`
	// Options is {"publicKey": …}, for navigator.credentials.
	Options any `json:"options"`
}

// Passkey ceremonies begun without a session are limited per client
// address: each is a row kept five minutes.
const (
	passkeyRate  = 1
	passkeyBurst = 10
)

func newPasskeyLimit() echo.MiddlewareFunc {
	return newAddressLimit(passkeyRate, passkeyBurst, "too many passkey sign-ins from this address: wait a second and try again")
}

// addressBlock is what one client is limited as: an IPv4 address, or an
// IPv6 address's /64 (one site's, which hands its hosts many addresses).
func addressBlock(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Is4() || a.Is4In6() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// pendingValue is the pending sign-in's cookie, on the second step only
// ("": the first step, or no cookie): a pending sign-in left behind never
// turns the first step's passkey into another account's.
func (s *Server) pendingValue(c echo.Context) string {
	if c.Request().PostForm.Get("step") != "second" {
		return ""
	}
	ck, err := c.Cookie(s.pendingCookieName())
	if err != nil || len(ck.Value) > auth.MaxTokenBytes {
		return ""
	}
	return ck.Value
}

// passkeyBrowser is what binds a passkey sign-in begun without a password
// to the browser that began it: a MAC of its sign-in form's nonce cookie.
func (s *Server) passkeyBrowser(c echo.Context) string {
	ck, err := c.Cookie(s.loginCookieName())
	if err != nil || ck.Value == "" {
		return ""
	}
	return s.csrfMAC("passkey sign-in", ck.Value)
}

// pagePasskeyOptions begins a passkey sign-in and answers its options as JSON.
func (s *Server) pagePasskeyOptions(c echo.Context) error {
	if err := httpx.LimitForm(c); err != nil {
		return err
	}
	if !s.checkLoginCSRF(c) {
		return docket.Errorf(docket.EForbidden, "the sign-in form had expired: reload the page")
	}
	o, err := s.passkeys.BeginSignIn(c.Request().Context(), s.pendingValue(c), s.passkeyBrowser(c), httpx.Anon(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, passkeyOptionsJSON{Ceremony: o.CeremonyID, Options: o.Options})
}

// pagePasskeySignIn finishes a passkey sign-in from the form the page's
// script posts; a refusal shows the sign-in page again.
func (s *Server) pagePasskeySignIn(c echo.Context) error {
	if err := httpx.LimitForm(c); err != nil {
		return err
	}
	f := c.Request().PostForm
	pending := s.pendingValue(c)
	lp := view.LoginPage{Next: safeNext(f.Get("next")), SecondStep: pending != "", Passkeys: s.passkeys.Off() == ""}
	if !s.checkLoginCSRF(c) {
		lp.Error = "The sign-in form had expired. Please try again."
		return s.renderLogin(c, http.StatusForbidden, lp)
	}
	sess, err := s.passkeys.SignIn(c.Request().Context(), f.Get("ceremony"), pending, s.passkeyBrowser(c), []byte(f.Get("credential")), httpx.Anon(c))
	return s.signedIn(c, lp, sess, err, "That passkey did not sign you in. Try again, or use another way to sign in.")
}
