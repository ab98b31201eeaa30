package web_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// raw sends a request straight to the handler (the fuzz engine's own t has no
// place in the test server's helpers, which belong to the enclosing F).
func raw(ts *testServer, method, path, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	ts.srv.Handler().ServeHTTP(rec, req)
	return rec
}

// FuzzCaseBody: whatever a lab posts as a new case, the answer is a created
// case or a clear client error, never a 5xx (and every answer fits the contract).
func FuzzCaseBody(f *testing.F) {
	for _, seed := range []string{
		`{"model_name":"A","model_version":"1"}`,
		`{"model_name":"A","model_version":"1","status":"decided"}`,
		`{"model_name":"A","model_version":"1","training_compute_flops":"x"}`,
		`{"model_name":1}`, `[]`, `null`, `{"a":`, `{"model_name":"A","model_version":"1"}{}`,
	} {
		f.Add(seed)
	}
	ts := newTestServer(f)
	lab := ts.addUser("lab", "lab_member", "Frontier")
	f.Fuzz(func(t *testing.T, body string) {
		r := raw(ts, "POST", "/api/v1/cases", lab.Token, body)
		switch r.Code {
		case 201, 400, 413, 415, 422:
		default:
			t.Fatalf("%q: %d %s", body, r.Code, r.Body)
		}
	})
}

// FuzzCaseFilters: any query string on the case list and the dashboard is
// answered 200 or 400/422, never a 5xx.
func FuzzCaseFilters(f *testing.F) {
	for _, seed := range []string{"status=draft", "band=overdue&limit=5", "q=%25_%5C", "cursor=eyJrIjoxfQ", "limit=-1", "org_id=x&risk_tier=high", "sort=urgency&x=1"} {
		f.Add(seed)
	}
	ts := newTestServer(f)
	co := ts.addUser("co", "compliance_officer", "Agency")
	f.Fuzz(func(t *testing.T, query string) {
		if _, err := url.ParseQuery(query); err != nil || strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r == 0x7f || r == '#' }) {
			return // not something a client can put on a request line
		}
		for _, path := range []string{"/api/v1/cases?", "/api/v1/dashboard?"} {
			r := raw(ts, "GET", path+query, co.Token, "")
			if r.Code != 200 && r.Code != 400 && r.Code != 422 {
				t.Fatalf("%s%s: %d %s", path, query, r.Code, r.Body)
			}
		}
	})
}
