package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestTextInputRefused: a NUL character or bytes that are not UTF-8 in a
// query parameter, a path parameter, a JSON string or a form field are
// refused with a 400 naming where they were, and nothing is written, on
// every engine (PostgreSQL cannot store either as text); a path parameter
// that is not text is the id of nothing (404).
func TestTextInputRefused(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct{ user, path, field string }{
		{"co", "/api/v1/cases?q=%00", "q"},
		{"co", "/api/v1/cases?q=a%ffb", "q"},
		{"co", "/api/v1/dashboard?org_id=%00", "org_id"},
		{"rival", "/api/v1/clearinghouse?q=%00", "q"},
	} {
		r := w.as(tc.user, "GET", tc.path, nil)
		want(t, r, 400)
		if f := r.ErrorField(); f != tc.field {
			t.Errorf("%s: error names %q, want %q", tc.path, f, tc.field)
		}
	}

	// No resource has such an id.
	for _, path := range []string{"/api/v1/cases/%00", "/api/v1/cases/x%c3", "/api/v1/findings/%00"} {
		want(t, w.as("lab", "GET", path, nil), 404)
	}

	before := caseCount(w, "lab")
	for body, field := range map[string]string{
		`{"model_name":"A\u0000","model_version":"1"}`:                            "model_name",
		`{"model_name":"A","model_version":"1","summary":"x\u0000y"}`:             "summary",
		`{"model_name":"A","model_version":"1","weights_digest":"sha256:\u0000"}`: "weights_digest",
	} {
		r := w.as("lab", "POST", "/api/v1/cases", body)
		want(t, r, 400)
		if f := r.ErrorField(); f != field {
			t.Errorf("%s: error names %q, want %q", body, f, field)
		}
	}
	// A backslash followed by u0000 is text, not a NUL.
	r := w.as("lab", "POST", "/api/v1/cases", `{"model_name":"A\\u0000","model_version":"1"}`)
	want(t, r, 201)
	if got := r.JSON()["model_name"]; got != `A\u0000` {
		t.Errorf("model_name = %q", got)
	}

	b := w.pageAs("lab")
	p := b.post("/cases/new", "/cases/new", url.Values{"model_name": {"A\x00"}, "model_version": {"1"}})
	wantPage(t, p, 400)
	p = b.get("/cases?q=%00")
	wantPage(t, p, 400)
	if n := caseCount(w, "lab"); n != before+1 {
		t.Errorf("cases: %d, want %d (only the one with a literal backslash)", n, before+1)
	}
}

// TestOversizedFormsRefused: a page form over its 1 MiB limit is refused with
// 413 before anything reads it, and nothing is written, whatever the route.
func TestOversizedFormsRefused(t *testing.T) {
	w := newWorld(t)
	b := w.pageAs("lab")
	before := caseCount(w, "lab")
	big := strings.Repeat("x", 2<<20)
	p := b.post("/cases/new", "/cases/new", url.Values{"model_name": {"A"}, "model_version": {"1"}, "summary": {big}})
	wantPage(t, p, 413)
	p = b.post("/account", "/account/api-tokens", url.Values{"name": {"export"}, "days": {"30"}, "pad": {big}})
	wantPage(t, p, 413)
	if n := caseCount(w, "lab"); n != before {
		t.Fatalf("cases: %d, want %d", n, before)
	}
	if r := w.as("lab", "GET", "/api/v1/api-tokens", nil); len(r.JSON()["items"].([]any)) != 0 {
		t.Fatalf("a token was made: %s", r.Body)
	}
	// Signed out, the sign-in form is bounded the same way.
	out := w.browser()
	if p := out.do("POST", "/login", url.Values{"email": {"lab@example.org"}, "password": {big}}); p.Code != 413 {
		t.Fatalf("sign-in form of 2 MiB: %d", p.Code)
	}
}
