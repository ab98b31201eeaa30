package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/web/httpx"
)

// Every page form carries a CSRF token in the field csrf_token. For a signed-in
// user it is an HMAC of the session's id under a key derived from the signing
// secret, so it is bound to the session, dies with it, and needs no storage.
// The sign-in form, which has no session yet, binds its token to a random
// value in a short-lived cookie of its own instead (a signed double submit).
//
// In front of the tokens stands Go's http.CrossOriginProtection (checkOrigin):
// a page form that the browser says came from another site (Sec-Fetch-Site),
// or, from a browser too old to say, whose Origin is neither the request's
// host nor Docket's base_url, is refused before its token is even read. Both
// must pass; the API, authenticated by Bearer tokens a browser never attaches
// on its own, is behind neither.

const (
	csrfField = "csrf_token"
)

// newCrossOrigin builds the cross-origin check of the page forms. base is
// Docket's own address (base_url, or the one the command listens on; "" for
// none): its origin is trusted, so that a browser that sends Origin but not
// Sec-Fetch-Site is still accepted behind a proxy that rewrites Host.
func newCrossOrigin(base string) (*http.CrossOriginProtection, error) {
	cop := http.NewCrossOriginProtection()
	if base == "" {
		return cop, nil
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("web: base URL %q has no origin", base)
	}
	if err := cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
		return nil, fmt.Errorf("web: base URL: %w", err)
	}
	return cop, nil
}

// checkOrigin refuses, with 403 and before anything else of the route runs, a
// state-changing page request from another site (see errCrossOrigin). Safe
// methods pass, as do requests that carry neither Sec-Fetch-Site nor Origin
// (not from a browser); the CSRF token is still checked after it.
func (s *Server) checkOrigin(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.crossOrigin.Check(c.Request()); err != nil {
			return httpx.ErrCrossOrigin
		}
		return next(c)
	}
}

func (s *Server) csrfMAC(label, value string) string {
	m := hmac.New(sha256.New, s.csrfSecret)
	m.Write([]byte(label + ":" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfFor is the token of the forms of one page session.
func (s *Server) csrfFor(sessionID string) string { return s.csrfMAC("session", sessionID) }

// validToken compares a submitted token with the expected one in constant time.
func validToken(got, want string) bool {
	return got != "" && want != "" && hmac.Equal([]byte(got), []byte(want))
}

// checkCSRF refuses, with 403 and before the handler runs, a state-changing
// page request whose form lacks the session's token. It runs after
// requireSession.
func (s *Server) checkCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if c.Request().Method == http.MethodGet || c.Request().Method == http.MethodHead {
			return next(c)
		}
		if err := httpx.LimitForm(c); err != nil {
			return err
		}
		a, ok := httpx.ActorFrom(c)
		if !ok || !validToken(c.Request().PostForm.Get(csrfField), s.csrfFor(a.SessionID)) {
			return httpx.ErrCSRF
		}
		return next(c)
	}
}

// loginNonce returns the sign-in form's cookie value, setting a new one when
// the browser has none.
func (s *Server) loginNonce(c echo.Context) string {
	if ck, err := c.Cookie(s.loginCookieName()); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	v := base64.RawURLEncoding.EncodeToString(b)
	c.SetCookie(s.cookie(s.loginCookieName(), v, 3600))
	return v
}

// loginToken is the sign-in form's token for the browser's nonce.
func (s *Server) loginToken(nonce string) string { return s.csrfMAC("login", nonce) }

// checkLoginCSRF reports whether the sign-in form came with the token of the
// browser's own nonce cookie.
func (s *Server) checkLoginCSRF(c echo.Context) bool {
	ck, err := c.Cookie(s.loginCookieName())
	if err != nil || ck.Value == "" {
		return false
	}
	return validToken(c.Request().PostForm.Get(csrfField), s.loginToken(ck.Value))
}

// uploadPaths are the page routes that take a multipart upload.
var uploadPaths = map[string]bool{"/cases/:id/attachments": true, "/findings/:id/attachments": true, "/cases/:id/evaluations": true}

func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	return err == nil && mt == echo.MIMEMultipartForm
}

// checkUploadCSRF refuses, with 403 and before the handler runs, an upload
// whose first part is not the session's CSRF token; the file is never read
// then. A form that is not multipart is checked as every other form.
func (s *Server) checkUploadCSRF(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !isMultipart(c.Request()) {
			return s.checkCSRF(next)(c)
		}
		a, ok := httpx.ActorFrom(c)
		if !ok {
			return httpx.ErrCSRF
		}
		mr, body, err := s.uploads.Open(c)
		if err != nil {
			return err
		}
		part, err := mr.NextPart()
		if err != nil || part.FormName() != csrfField {
			return httpx.ErrCSRF
		}
		tok, err := io.ReadAll(io.LimitReader(part, 256))
		if err != nil || !validToken(string(tok), s.csrfFor(a.SessionID)) {
			return httpx.ErrCSRF
		}
		c.Set(httpx.UploadKey, &httpx.OpenedUpload{MR: mr, Body: body})
		return next(c)
	}
}
