package web_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/web"
	"github.com/docket/docket/internal/webtest"
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

// TestTraversalAndRedirectsStayHome: encoded, double-encoded, backslash and
// overlong-UTF-8 traversal under /static/ and the attachment routes answer
// 404; trailing-slash and next= redirects never leave the origin.
func TestTraversalAndRedirectsStayHome(t *testing.T) {
	ts := newTestServer(t)
	lab := ts.addUser("lab", "lab_member", "Frontier")
	for _, path := range []string{
		"/static/../go.mod", "/static/%2e%2e/go.mod", "/static/%2e%2e%2fgo.mod", "/static/..%2fgo.mod",
		"/static/%252e%252e%252fgo.mod", "/static/..%5cgo.mod", "/static/%5c..%5cgo.mod", "/static/%c0%ae%c0%ae/go.mod",
		"/static/%c0%af..%c0%afgo.mod", "/static/.%2e/internal/web/server.go", "/static//etc/passwd",
		"/api/v1/attachments/..%2f..%2fgo.mod/content", "/api/v1/attachments/%2e%2e/content", "/attachments/..%5c..%5cgo.mod",
	} {
		for _, token := range []string{"", lab.Token} {
			req := httptest.NewRequest("GET", "http://docket.test"+path, nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			rec := httptest.NewRecorder()
			ts.srv.Handler().ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code == http.StatusOK || strings.Contains(body, "module github.com") || strings.Contains(body, "package web") || strings.Contains(body, "root:") {
				t.Errorf("%s: %d %.80s", path, rec.Code, body)
			}
		}
	}
	for _, path := range []string{"/dashboard/", "/cases/", "//evil.example/", "/\\evil.example/", "/%2f%2fevil.example/"} {
		rec := httptest.NewRecorder()
		ts.srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "http://docket.test"+path, nil))
		if loc := rec.Header().Get("Location"); loc != "" && !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
			t.Errorf("%s redirects off the origin: %q", path, loc)
		}
	}
}

// TestSlowClientsHitTheTimeouts: a client that sends its headers slower than
// read_header_timeout, or its body slower than read_timeout, is cut off; the
// server keeps serving everyone else.
func TestSlowClientsHitTheTimeouts(t *testing.T) {
	ts := newTestServer(t)
	ts.cfg.HTTP.ReadHeaderTimeout = 300 * time.Millisecond
	ts.cfg.HTTP.ReadTimeout = 600 * time.Millisecond
	hs := ts.srv.HTTPServer("127.0.0.1:0")
	hs.ReadHeaderTimeout, hs.ReadTimeout = ts.cfg.HTTP.ReadHeaderTimeout, ts.cfg.HTTP.ReadTimeout
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	for name, send := range map[string]func(c net.Conn){
		"slow headers": func(c net.Conn) {
			fmt.Fprint(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
			time.Sleep(time.Second)
			fmt.Fprint(c, "X-Late: 1\r\n\r\n")
		},
		"slow body": func(c net.Conn) {
			fmt.Fprint(c, "POST /api/v1/auth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
			time.Sleep(1500 * time.Millisecond)
			fmt.Fprint(c, strings.Repeat(" ", 99))
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			start := time.Now()
			send(c)
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 512)
			n, _ := c.Read(buf)
			if got := string(buf[:n]); strings.HasPrefix(got, "HTTP/1.1 200") {
				t.Fatalf("the slow client was served: %q", got)
			}
			if time.Since(start) > 4*time.Second {
				t.Fatal("the connection was held past the timeouts")
			}
		})
	}
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the server stopped serving: %v", err)
	}
	resp.Body.Close()
}

// TestBehindTLS: HSTS on every response, and cookies Secure with the __Host- prefix.
func TestBehindTLS(t *testing.T) {
	ts := newTestServer(t)
	cfg := ts.cfg
	cfg.BaseURL = "https://docket.agency.example.gov"
	srv := webtest.New(t, ts.svc, web.Options{Config: cfg, TLS: true, Health: ts.store, Approvals: ts.approvals})
	for _, path := range []string{"/login", "/healthz", "/nope", "/static/docket.css"} {
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if !strings.HasPrefix(rec.Header().Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("%s: no HSTS behind TLS", path)
		}
		for _, c := range rec.Result().Cookies() {
			if !c.Secure || !c.HttpOnly || !strings.HasPrefix(c.Name, "__Host-") || c.Path != "/" || c.Domain != "" {
				t.Errorf("%s: cookie %s lacks Secure, HttpOnly, Path=/ or the __Host- prefix", path, c.Name)
			}
		}
	}
}
