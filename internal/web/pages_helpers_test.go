package web_test

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// browser is a test client for the pages: it keeps cookies as a browser does
// and posts forms, over the test server's handler.
type browser struct {
	ts      *testServer
	cookies map[string]*http.Cookie
	// header is added to every request (a Bearer header, in some tests).
	header http.Header
}

func (ts *testServer) browser() *browser {
	return &browser{ts: ts, cookies: map[string]*http.Cookie{}, header: http.Header{}}
}

// page is a recorded page answer.
type page struct {
	Code     int
	Header   http.Header
	Body     string
	Location string
	Cookies  []*http.Cookie
	t        testing.TB
}

func (b *browser) do(method, path string, form url.Values) page {
	b.ts.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, rd)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.header {
		req.Header[k] = v
	}
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.ts.h.ServeHTTP(rec, req)
	res := rec.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return page{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String(), Location: rec.Header().Get("Location"),
		Cookies: res.Cookies(), t: b.ts.t}
}

func (b *browser) get(path string) page { return b.do(http.MethodGet, path, nil) }

// post sends a form with the CSRF token of the page at from (as a browser
// that loaded the form would), plus the given fields.
func (b *browser) post(from, path string, fields url.Values) page {
	b.ts.t.Helper()
	p := b.get(from)
	if p.Code != http.StatusOK {
		b.ts.t.Fatalf("GET %s: %d %s", from, p.Code, p.Location)
	}
	form := url.Values{}
	for k, v := range fields {
		form[k] = v
	}
	form.Set("csrf_token", p.csrf())
	return b.do(http.MethodPost, path, form)
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf is the token of the page's forms.
func (p page) csrf() string {
	m := csrfRE.FindStringSubmatch(p.Body)
	if m == nil {
		p.t.Fatalf("no CSRF token on the page: %.300s", p.Body)
	}
	return html.UnescapeString(m[1])
}

// text is the page's visible text, roughly: tags out, entities decoded, spaces folded.
func (p page) text() string {
	s := regexp.MustCompile(`(?s)<(script|style)[^>]*>.*?</(script|style)>`).ReplaceAllString(p.Body, " ")
	s = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(s, " ")
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

func (p page) has(t *testing.T, want ...string) {
	t.Helper()
	txt := p.text()
	for _, w := range want {
		if !strings.Contains(txt, w) {
			t.Errorf("the page does not say %q: %.2000s", w, txt)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

func (p page) hasNot(t *testing.T, not ...string) {
	t.Helper()
	for _, w := range not {
		if strings.Contains(p.Body, w) {
			t.Errorf("the page shows %q", w)
		}
	}
}

func wantPage(t *testing.T, p page, code int) {
	t.Helper()
	if p.Code != code {
		t.Fatalf("want %d, got %d (Location %q): %.1500s", code, p.Code, p.Location, p.text())
	}
}

// signInPage signs a user in through the form and returns its browser.
func (ts *testServer) signInPage(email string) *browser {
	ts.t.Helper()
	b := ts.browser()
	r := b.post("/login", "/login", url.Values{"email": {email}, "password": {testPassword}})
	if r.Code != http.StatusSeeOther {
		ts.t.Fatalf("sign in %s: %d %s", email, r.Code, r.text())
	}
	return b
}

// pageAs returns a signed-in browser for a named user of the world.
func (w *world) pageAs(name string) *browser {
	w.t.Helper()
	u, ok := w.users[name]
	if !ok {
		w.t.Fatalf("no user %s", name)
	}
	return w.signInPage(u.Email)
}

// caseCount is how many cases the user sees through the API.
func caseCount(w *world, user string) int {
	w.t.Helper()
	r := w.as(user, "GET", "/api/v1/cases?limit=200", nil)
	want(w.t, r, 200)
	return len(r.JSON()["items"].([]any))
}
