// Package web serves Docket over HTTP with Echo: the route tables of the
// JSON API under /api/v1 (handlers in web/api) and of the pages (handlers in
// web/ui), the error handler and the middleware (request ids, logging,
// security headers, authentication, the page session, cross-origin checks and
// CSRF tokens). Handlers call the app package's use cases and never touch
// storage; services.go wires them.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/metrics"
	"github.com/docket/docket/internal/web/api"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui"
)

// Health reports whether the server can take traffic.
type Health interface {
	Ping(ctx context.Context) error
	PendingMigrations(ctx context.Context) (int, error)
}

// Server is Docket's HTTP face.
type Server struct {
	echo   *echo.Echo
	cfg    config.Config
	log    *slog.Logger
	health Health
	tls    bool
	// accounts authenticates the sessions and tokens and signs in and out
	// from the pages; audit records refusals (services.go).
	accounts serverAccountsCalls
	audit    serverAuditCalls
	// csrfSecret keys the pages' CSRF tokens; derived from the signing secret.
	csrfSecret []byte
	// crossOrigin refuses page forms from other sites, in front of the tokens (csrf.go).
	crossOrigin *http.CrossOriginProtection
	// metrics counts the requests and serves /metrics (metrics.go).
	metrics *metrics.Metrics
	// api holds the JSON API's handlers, by area (web/api).
	api *api.Handlers
	// ui holds the pages' handlers, by area, and their renderer (web/ui).
	ui *ui.Handlers
	// uploads opens the pages' uploads, whose CSRF token is read first (csrf.go).
	uploads httpx.Uploads
	// verifyLimit limits statement verifications per client address (verify.go).
	verifyLimit echo.MiddlewareFunc
	// oidc is single sign-on's relying party (oidc.go); nil when oidc.issuer is unset.
	oidc *oidcClient
	// passkeys signs in with passkeys (passkeys.go); passkeyLimit limits
	// the ceremonies begun per client address.
	passkeys     serverPasskeyCalls
	passkeyLimit echo.MiddlewareFunc
}

// Options are what New needs besides the service.
type Options struct {
	Config config.Config
	Logger *slog.Logger
	Health Health
	// TLS says the server is reached over HTTPS (cookies get Secure and __Host-, HSTS is sent).
	TLS bool
	// Metrics is the registry /metrics serves and the requests are counted in
	// (main builds it and watches the service with it); required.
	Metrics *metrics.Metrics
	// BaseURL is Docket's address for links (calendar URLs); "": base_url, or the request's host.
	BaseURL string
	// Guard checks webhook URLs when saved (main builds it from
	// webhooks.allow_private_targets, the one the webhook channel dials
	// through); required.
	Guard app.URLGuard
	// Approvals serves the changes to accounts that wait for a review lead's
	// approval (app.Approvals, the one the service was built with); required.
	Approvals ApprovalService
}

// New builds the server and registers every route. Options.Approvals,
// Options.Metrics and Options.Guard are required: New builds none of them and
// returns an error naming the one missing.
func New(svc *app.Services, o Options) (*Server, error) {
	switch {
	case o.Approvals == nil:
		return nil, errors.New("web: no approvals service (Options.Approvals)")
	case o.Metrics == nil:
		return nil, errors.New("web: no metrics (Options.Metrics)")
	case o.Guard == nil:
		return nil, errors.New("web: no webhook address guard (Options.Guard)")
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	sv := servicesOf(svc, o.Approvals)
	s := &Server{echo: e, cfg: o.Config, log: o.Logger, health: o.Health, tls: o.TLS,
		accounts: sv.Accounts, audit: sv.Audit, csrfSecret: sv.Accounts.DerivedKey("csrf"),
		uploads: httpx.Uploads{Service: sv.Findings, MaxBytes: o.Config.Uploads.MaxBytes}}
	if s.log == nil {
		s.log = slog.Default()
	}
	base := o.BaseURL
	if base == "" {
		base = o.Config.BaseURL
	}
	cop, err := newCrossOrigin(base)
	if err != nil {
		return nil, err
	}
	if o.Config.OIDC.Enabled() {
		if base == "" {
			return nil, errors.New("oidc: single sign-on needs base_url, whose /auth/oidc/callback is registered with the provider")
		}
		if s.oidc, err = newOIDCClient(o.Config.OIDC, strings.TrimRight(base, "/"), sv.Accounts.DerivedKey("oidc flow"), sv.Cases.Now); err != nil {
			return nil, err
		}
	}
	s.crossOrigin = cop
	s.verifyLimit = newVerifyLimit()
	s.passkeys, s.passkeyLimit = svc.Passkeys, newPasskeyLimit()
	s.api, err = api.New(api.Services{Cases: sv.Cases, Findings: sv.Findings, Accounts: sv.Accounts, Evidence: sv.Evidence,
		Clearinghouse: sv.Clearinghouse, Delivery: sv.Delivery, Audit: sv.Audit, Approvals: sv.Approvals,
		Factors: sv.Factors, Provider: sv.Provider, Evaluations: sv.Evaluations},
		api.Settings{BaseURL: base, Location: o.Config.Location(), UploadMaxBytes: o.Config.Uploads.MaxBytes, Guard: o.Guard,
			Organizer: organizer(o.Config.Mail.From), AgencyName: o.Config.Agency.Name,
			Contact: o.Config.Mail.From})
	if err != nil {
		return nil, err
	}
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = ipExtractor(o.Config.Auth.TrustedProxies)
	e.Pre(middleware.RequestIDWithConfig(middleware.RequestIDConfig{
		Generator: func() string { return strings.ReplaceAll(newRequestID(), "-", "") },
		// A client's X-Request-ID is never trusted: ids come from us.
		RequestIDHandler: func(echo.Context, string) {},
	}))
	e.Pre(s.securityHeaders)
	s.initDelivery(o)
	e.Use(s.requestLog)
	e.Use(s.recoverPanic)
	e.Use(httpx.PlainText)
	pages, err := ui.New(ui.Services{Cases: sv.Cases, Findings: sv.Findings, Accounts: sv.Accounts, Evidence: sv.Evidence,
		Clearinghouse: sv.Clearinghouse, Delivery: sv.Delivery, Approvals: sv.Approvals, Factors: sv.Factors,
		Evaluations: sv.Evaluations, Passkeys: svc.Passkeys},
		ui.Settings{Location: o.Config.Location(), Logger: s.log, BaseURL: base, UploadMaxBytes: o.Config.Uploads.MaxBytes,
			ResponseDays: o.Config.Findings.ResponseDays, APITokenMaxTTL: o.Config.Auth.APITokenMaxTTL, EndSession: s.endSession})
	if err != nil {
		return nil, err
	}
	s.ui = pages
	s.routes()
	return s, nil
}

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Echo exposes the router, for the route list in tests.
func (s *Server) Echo() *echo.Echo { return s.echo }

// HTTPServer wraps the handler with the configured timeouts.
func (s *Server) HTTPServer(addr string) *http.Server {
	h := s.cfg.HTTP
	return &http.Server{
		Addr:              addr,
		Handler:           s.echo,
		ReadHeaderTimeout: h.ReadHeaderTimeout,
		ReadTimeout:       h.ReadTimeout,
		WriteTimeout:      h.WriteTimeout,
		IdleTimeout:       h.IdleTimeout,
		MaxHeaderBytes:    h.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// ipExtractor trusts X-Forwarded-For only from the configured proxies.
func ipExtractor(trusted []string) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, t := range trusted {
		if !strings.Contains(t, "/") {
			if ip := net.ParseIP(t); ip != nil && ip.To4() != nil {
				t += "/32"
			} else {
				t += "/128"
			}
		}
		if _, n, err := net.ParseCIDR(t); err == nil {
			opts = append(opts, echo.TrustIPRange(n))
		}
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

const csp = "default-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'"

// securityHeaders puts the security headers on every response, errors and static files included.
func (s *Server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		// The legacy XSS auditor is turned off, as OWASP advises; the CSP does its work.
		h.Set("X-XSS-Protection", "0")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.tls {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return next(c)
	}
}

// requestLog logs one line per request: never a query string, a token or a body.
func (s *Server) requestLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		path := c.Path()
		if path == "" {
			path = "(unrouted)"
		}
		s.log.Info("request", "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
			"method", c.Request().Method, "route", path, "status", c.Response().Status,
			"ms", time.Since(start).Milliseconds(), "client", c.RealIP())
		return nil
	}
}

// recoverPanic turns a panic into a 500 with a request id; the server keeps serving.
func (s *Server) recoverPanic(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				s.log.Error("panic", "request_id", c.Response().Header().Get(echo.HeaderXRequestID), "panic", r)
				err = &docket.Error{Code: docket.EInternal, Message: "panic"}
			}
		}()
		return next(c)
	}
}

// MaxAuthHeader bounds the Authorization header the server reads.
const MaxAuthHeader = 8192

// requireBearer authenticates API requests by Bearer token only: session
// tokens from /auth/token and API tokens. The page cookie is never looked at.
func (s *Server) requireBearer(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		unauth := docket.Errorf(docket.EUnauthorized, "sign in first: send Authorization: Bearer <token>")
		if h == "" || len(h) > MaxAuthHeader || !strings.HasPrefix(h, "Bearer ") {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="docket"`)
			return unauth
		}
		raw := strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
		a, _, err := s.accounts.Authenticate(c.Request().Context(), auth.KindSession, raw, httpx.Anon(c))
		if docket.ErrorCode(err) == docket.EUnauthorized {
			a, _, err = s.accounts.Authenticate(c.Request().Context(), auth.KindAPIToken, raw, httpx.Anon(c))
		}
		if err != nil {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="docket", error="invalid_token"`)
			return err
		}
		if !a.CanWrite() && c.Request().Method != http.MethodGet && c.Request().Method != http.MethodHead {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="docket", error="insufficient_scope", scope="write"`)
			return docket.Errorf(docket.EScope, "this API token's scope is read: it may only read (GET); make a token with scope write to change anything")
		}
		c.Set(httpx.ActorKey, a)
		if err := mfaGate(c, a); err != nil {
			return err
		}
		return next(c)
	}
}

func newRequestID() string { return uuid.NewString() }

// organizer is the calendar feed's ORGANIZER: the agency's address
// (mail.from, checked at start), nil when it does not parse.
func organizer(from string) *mail.Address {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return nil
	}
	return a
}
