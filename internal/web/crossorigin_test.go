package web_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/docket/docket/internal/config"
)

// crossSite are the headers of a browser's form post from another site: one
// that says so (Sec-Fetch-Site), a same-site neighbour (another subdomain),
// and an older browser that sends only a foreign Origin.
var crossSite = map[string]http.Header{
	"Sec-Fetch-Site: cross-site": {"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}},
	"Sec-Fetch-Site: same-site":  {"Sec-Fetch-Site": {"same-site"}, "Origin": {"http://other.agency.example.gov"}},
	"a foreign Origin":           {"Origin": {"https://evil.example"}},
}

// TestCrossSiteFormsAreRefusedEvenWithTheirToken: a page form sent from
// another site answers 403 and writes nothing, though it carries the
// session's valid CSRF token (the sign-in form and uploads too); the same
// form from Docket's own origin (Sec-Fetch-Site: same-origin, an Origin equal
// to the host or to base_url) is accepted; the API, on Bearer tokens, is not
// affected by the headers at all.
func TestCrossSiteFormsAreRefusedEvenWithTheirToken(t *testing.T) {
	w := newWorld(t, func(c *config.Config) { c.BaseURL = "http://docket.agency.example.gov" })
	id := w.caseIn("in_review").caseID
	comments := func() int { return w.count("lead", "/api/v1/cases/"+id+"/comments") }
	before := comments()
	lab := w.pageAs("lab")
	for name, h := range crossSite {
		lab.header = h
		p := lab.post("/cases/"+id, "/cases/"+id+"/comments", url.Values{"body": {"Forged."}, "visibility": {"shared"}})
		if p.Code != http.StatusForbidden || !strings.Contains(p.text(), "sent from another site") {
			t.Errorf("comment with %s: %d %.300s", name, p.Code, p.text())
		}

		// An upload with a good token as its first part.
		ct, body := multipartForm(lab.get("/cases/"+id).csrf(), "evidence", "forged.txt", []byte("forged\n"), false)
		req := httptest.NewRequest(http.MethodPost, "/cases/"+id+"/attachments", bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		for k, v := range h {
			req.Header[k] = v
		}
		for _, c := range lab.cookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("upload with %s: %d", name, rec.Code)
		}

		// The sign-in form: its own token, good credentials, no session.
		b := w.browser()
		b.header = h
		p = b.post("/login", "/login", url.Values{"email": {w.users["lab"].Email}, "password": {testPassword}})
		if p.Code != http.StatusForbidden {
			t.Errorf("sign-in with %s: %d", name, p.Code)
		}
		for _, c := range p.Cookies {
			if strings.Contains(c.Name, "session") && c.Value != "" {
				t.Errorf("sign-in with %s set %s", name, c.Name)
			}
		}

		// The API: a Bearer token, whatever the browser-ish headers say.
		req = httptest.NewRequest(http.MethodPost, "/api/v1/cases/"+id+"/comments",
			strings.NewReader(`{"body":"Through the API.","visibility":"shared"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+w.users["lab"].Token)
		for k, v := range h {
			req.Header[k] = v
		}
		rec = httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusCreated {
			t.Errorf("API with %s: %d %s", name, rec.Code, rec.Body)
		}
	}
	if got, want := comments(), before+len(crossSite); got != want {
		t.Fatalf("comments: %d, want %d (the API's alone)", got, want)
	}
	if n := w.attachmentRows(id); n != 0 {
		t.Fatalf("%d attachments stored", n)
	}

	// From Docket's own origin, the same forms are accepted.
	for name, h := range map[string]http.Header{
		"Sec-Fetch-Site: same-origin": {"Sec-Fetch-Site": {"same-origin"}, "Origin": {"http://example.com"}},
		"an Origin equal to the host": {"Origin": {"http://example.com"}},
		"base_url's Origin":           {"Origin": {"http://docket.agency.example.gov"}},
		"neither header":              {},
	} {
		lab.header = h
		p := lab.post("/cases/"+id, "/cases/"+id+"/comments", url.Values{"body": {"Ours."}, "visibility": {"shared"}})
		if p.Code != http.StatusSeeOther {
			t.Errorf("comment with %s: %d %.300s", name, p.Code, p.text())
		}
	}
	if got, want := comments(), before+len(crossSite)+4; got != want {
		t.Fatalf("comments: %d, want %d", got, want)
	}
}
