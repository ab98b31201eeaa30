package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestAPanicAnswers500AndTheServerKeepsServing: a handler's panic is a 500
// with a request id and no internals, and the next request is served.
func TestAPanicAnswers500AndTheServerKeepsServing(t *testing.T) {
	ts := newTestServer(t)
	ts.srv.Echo().GET("/api/v1/boom", func(echo.Context) error { panic("SELECT secret FROM users; runtime/debug.Stack") })
	ts.srv.Echo().GET("/boom", func(echo.Context) error { panic("SELECT secret FROM users") })
	for _, path := range []string{"/api/v1/boom", "/boom"} {
		rec := httptest.NewRecorder()
		ts.srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		body := rec.Body.String()
		if rec.Code != http.StatusInternalServerError {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		rid := rec.Header().Get("X-Request-Id")
		if rid == "" || !strings.Contains(body, rid) {
			t.Fatalf("%s: the body does not quote the request id %q: %s", path, rid, body)
		}
		for _, leak := range []string{"SELECT", "secret", "goroutine", ".go:", "runtime/"} {
			if strings.Contains(body, leak) {
				t.Fatalf("%s: the body leaks %q: %s", path, leak, body)
			}
		}
		if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'self'") {
			t.Fatalf("%s: no CSP on the 500", path)
		}
	}
	want(t, ts.do("GET", "/healthz", "", nil), 200)
}

// TestSecurityHeadersOnEveryKindOfResponse: JSON, errors, pages, static files,
// the OpenAPI document, redirects.
func TestSecurityHeadersOnEveryKindOfResponse(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct{ method, path string }{
		{"GET", "/api/openapi.json"}, {"GET", "/healthz"}, {"GET", "/api/v1/cases"}, {"POST", "/api/v1/auth/token"},
		{"GET", "/static/docket.css"}, {"GET", "/nope"}, {"GET", "/api/v1/nope"}, {"GET", "/"}, {"GET", "/login"},
		{"DELETE", "/healthz"},
	} {
		rec := httptest.NewRecorder()
		ts.srv.Handler().ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		h := rec.Header()
		csp := h.Get("Content-Security-Policy")
		for _, part := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, part) {
				t.Errorf("%s %s (%d): CSP %q lacks %s", tc.method, tc.path, rec.Code, csp, part)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s %s: CSP allows unsafe-inline", tc.method, tc.path)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s %s (%d): headers %v", tc.method, tc.path, rec.Code, h)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s %s: HSTS without TLS", tc.method, tc.path)
		}
	}
}
