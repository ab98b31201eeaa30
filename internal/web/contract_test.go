package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/docket/docket/internal/web"
)

// contract is the OpenAPI document, parsed once for the whole test binary.
var contract struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// loadContract parses and validates the embedded document and builds its router.
func loadContract() (*openapi3.T, routers.Router, error) {
	contract.once.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(web.OpenAPI)
		if err != nil {
			contract.err = fmt.Errorf("load openapi.json: %w", err)
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			contract.err = fmt.Errorf("openapi.json is not a valid OpenAPI document: %w", err)
			return
		}
		r, err := legacy.NewRouter(doc)
		if err != nil {
			contract.err = fmt.Errorf("route openapi.json: %w", err)
			return
		}
		contract.doc, contract.router = doc, r
	})
	return contract.doc, contract.router, contract.err
}

// contractChecked says which responses the checker validates: the JSON API and the probes.
func contractChecked(path string) bool {
	return strings.HasPrefix(path, "/api/v1/") || path == "/healthz" || path == "/readyz"
}

// contractChecker wraps the handler so that every API response a test receives
// is checked against the OpenAPI document: its status must be documented for
// the operation and its body must match the documented schema. Requests are
// not validated (tests send bad ones on purpose), and neither is security.
func contractChecker(t testing.TB, h http.Handler) http.Handler {
	t.Helper()
	if _, _, err := loadContract(); err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !contractChecked(r.URL.Path) {
			h.ServeHTTP(w, r)
			return
		}
		// The route is found on a copy: the handler may read the body and the context.
		req := r.Clone(context.Background())
		req.Body = http.NoBody
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		body := rec.Body.Bytes()
		if rec.Header().Get("Content-Encoding") == "gzip" { // the polled feeds: checked as the client reads them
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err == nil {
				body, err = io.ReadAll(zr)
			}
			if err != nil {
				t.Errorf("contract: %s %s answered gzip that does not open: %v", r.Method, r.URL.RequestURI(), err)
				return
			}
		}
		if err := checkContract(req, rec.Code, rec.Header(), body); err != nil {
			t.Errorf("contract: %s %s answered %d: %v\nbody: %s", r.Method, r.URL.RequestURI(), rec.Code, err,
				truncate(rec.Body.String(), 600))
		}
	})
}

// checkContract validates one recorded response against the document.
func checkContract(req *http.Request, status int, header http.Header, body []byte) error {
	doc, router, err := loadContract()
	if err != nil {
		return err
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		// Unknown API paths and methods answer the contract's JSON 404: that is
		// the documented error body, not an undocumented route.
		var re *routers.RouteError
		if status == http.StatusNotFound && errors.As(err, &re) &&
			(re.Reason == routers.ErrPathNotFound.Error() || re.Reason == routers.ErrMethodNotAllowed.Error()) {
			if req.Method == http.MethodHead {
				return nil
			}
			if err := checkErrorBody(doc, header, body); err != nil {
				return fmt.Errorf("the 404 of an undocumented route: %w", err)
			}
			return nil
		}
		return fmt.Errorf("no documented operation matches: %w", err)
	}
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
	}
	opts.WithCustomSchemaErrorFunc(shortSchemaError)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route, Options: opts,
		},
		Status:  status,
		Header:  header,
		Options: opts,
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return err
	}
	if req.Method != http.MethodHead && strings.HasPrefix(header.Get("Content-Type"), "application/json") {
		if err := checkStrict(route.Path, req.Method, status, body); err != nil {
			return err
		}
	}
	// A response documented without content (204) must have none.
	if ref := route.Operation.Responses.Status(status); ref != nil && ref.Value != nil &&
		len(ref.Value.Content) == 0 && len(bytes.TrimSpace(body)) > 0 && req.Method != http.MethodHead {
		return fmt.Errorf("status %d is documented without a body, but one was sent", status)
	}
	return nil
}

// checkErrorBody validates body as the Error schema.
func checkErrorBody(doc *openapi3.T, header http.Header, body []byte) error {
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Errorf("content type %q, want application/json", ct)
	}
	schema := doc.Components.Schemas["Error"]
	if schema == nil || schema.Value == nil {
		return errors.New("the document has no Error schema")
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	return schema.Value.VisitJSON(v, openapi3.VisitAsResponse(), openapi3.MultiErrors(),
		openapi3.SetSchemaErrorMessageCustomizer(shortSchemaError))
}

// shortSchemaError names where in the body a schema error is, what is wrong
// and the offending value, without kin-openapi's dump of the whole schema.
func shortSchemaError(err *openapi3.SchemaError) string {
	msg := err.Reason
	if err.Origin != nil {
		msg = err.Origin.Error()
	}
	if msg == "" {
		msg = "does not match the schema's " + err.SchemaField
	}
	val, _ := json.Marshal(err.Value)
	return fmt.Sprintf("at %q: %s (value %s)", "/"+strings.Join(err.JSONPointer(), "/"), msg, truncate(string(val), 160))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// TestContractCheckerCatchesDrift shows that the checker rejects what it should.
func TestContractCheckerCatchesDrift(t *testing.T) {
	if _, _, err := loadContract(); err != nil {
		t.Fatal(err)
	}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	validErr := []byte(`{"error":{"code":"not_found","message":"no such case"}}`)
	me := `{"id":"u1","email":"a@example.org","name":"A","role":"admin","disabled":false,"sso_only":false,` +
		`"org":{"id":"o1","name":"Agency","kind":"agency","created_at":"2026-06-02T18:00:00.000Z"},` +
		`"mfa":{"enrolled":false,"required":false},"session":{"amr":["pwd"],"acr":null,"authenticated_at":null},"email_delivery":"each",` +
		`"created_at":"2026-06-02T18:00:00.000Z","updated_at":"2026-06-02T18:00:00.000Z"}`
	cases := []struct {
		name, method, path string
		status             int
		body               string
		ok                 bool
	}{
		{"valid user", "GET", "/api/v1/me", 200, me, true},
		{"extra field", "GET", "/api/v1/me", 200, strings.Replace(me, `"id":"u1"`, `"id":"u1","secret":"x"`, 1), false},
		{"missing field", "GET", "/api/v1/me", 200, strings.Replace(me, `"disabled":false,`, ``, 1), false},
		{"instant without milliseconds", "GET", "/api/v1/me", 200,
			strings.Replace(me, `"created_at":"2026-06-02T18:00:00.000Z","updated`, `"created_at":"2026-06-02T18:00:00Z","updated`, 1), false},
		{"bad enum", "GET", "/api/v1/me", 200, strings.Replace(me, `"role":"admin"`, `"role":"root"`, 1), false},
		{"undocumented status", "GET", "/api/v1/me", 418, string(validErr), false},
		{"documented error", "GET", "/api/v1/cases/x", 404, string(validErr), true},
		{"bad error code", "GET", "/api/v1/cases/x", 404, `{"error":{"code":"missing","message":"x"}}`, false},
		{"body on a 204", "DELETE", "/api/v1/cases/x", 204, `{}`, false},
		{"undocumented route answering", "GET", "/api/v1/nowhere", 200, `{}`, false},
		{"undocumented route, JSON 404", "GET", "/api/v1/nowhere", 404, string(validErr), true},
		{"wrong method, JSON 404", "PUT", "/api/v1/cases", 404, string(validErr), true},
		{"healthz", "GET", "/healthz", 200, `{"status":"ok"}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := httptest.NewRequest(c.method, c.path, nil)
			err := checkContract(req, c.status, jsonHeader, []byte(c.body))
			if c.ok && err != nil {
				t.Errorf("want valid, got %v", err)
			}
			if !c.ok && err == nil {
				t.Errorf("want a contract error, got none")
			}
		})
	}
}

// TestContractWalkthrough sends every documented operation a request it
// accepts, so that each success shape (and the common errors) passes through
// the contract checker at least once, whatever the other tests cover.
func TestContractWalkthrough(t *testing.T) {
	ts := newTestServer(t)
	ts.addUser("ada", "admin", "Agency")
	lou := ts.addUser("lou", "lab_member", "Frontier Labs")
	ts.addUser("lee", "review_lead", "Agency")
	rey := ts.addUser("rey", "reviewer", "Agency")
	ts.addUser("cora", "compliance_officer", "Agency")
	id := func(r response) string { return r.JSON()["id"].(string) }
	full := map[string]any{
		"model_name": "Atlas", "model_version": "2.0", "summary": "A model.",
		"weights_digest": "sha256:" + strings.Repeat("ab", 32), "planned_release_date": "2026-12-01",
		"training_compute_flops": 3.1e25, "modality": "text", "deployment": "api",
	}

	// Probes and the document.
	want(t, ts.do("GET", "/healthz", "", nil), http.StatusOK)
	want(t, ts.do("GET", "/readyz", "", nil), http.StatusOK)
	want(t, ts.do("GET", "/api/v1/no-such-route", "", nil), http.StatusNotFound)

	// Accounts and tokens.
	want(t, ts.as("lou", "GET", "/api/v1/me", nil), http.StatusOK)
	want(t, ts.do("GET", "/api/v1/me", "", nil), http.StatusUnauthorized)
	tok := ts.as("lou", "POST", "/api/v1/api-tokens", map[string]any{"name": "ci"})
	want(t, tok, http.StatusCreated)
	want(t, ts.do("GET", "/api/v1/me", tok.JSON()["token"].(string), nil), http.StatusOK)
	want(t, ts.as("lou", "GET", "/api/v1/api-tokens", nil), http.StatusOK)
	want(t, ts.as("lou", "DELETE", "/api/v1/api-tokens/"+id(tok), nil), http.StatusNoContent)
	want(t, ts.as("lou", "POST", "/api/v1/api-tokens", `{"name": 1}`), http.StatusBadRequest)

	// Administration.
	org := ts.as("ada", "POST", "/api/v1/orgs", map[string]any{"name": "Second Lab", "kind": "lab"})
	want(t, org, http.StatusCreated)
	want(t, ts.as("ada", "GET", "/api/v1/orgs?limit=1", nil), http.StatusOK)
	u := ts.as("ada", "POST", "/api/v1/users", map[string]any{"email": "sam@example.org", "name": "Sam",
		"role": "lab_member", "org_id": id(org), "password": testPassword})
	want(t, u, http.StatusCreated)
	want(t, ts.as("ada", "GET", "/api/v1/users?role=lab_member&limit=1", nil), http.StatusOK)
	want(t, ts.as("ada", "PATCH", "/api/v1/users/"+id(u), map[string]any{"disabled": true}), http.StatusOK)
	// Changes that take two: a reviewer created, a raise, a lead's approval and rejection.
	pending := ts.as("ada", "POST", "/api/v1/users", map[string]any{"email": "rae@example.org", "name": "Rae",
		"role": "reviewer", "org_id": ts.users["ada"].OrgID, "password": testPassword})
	want(t, pending, http.StatusCreated)
	raise := ts.as("ada", "PATCH", "/api/v1/users/"+ts.users["cora"].ID, map[string]any{"role": "review_lead"})
	want(t, raise, http.StatusCreated)
	want(t, ts.as("ada", "GET", "/api/v1/approvals", nil), http.StatusOK)
	want(t, ts.as("cora", "GET", "/api/v1/approvals?status=pending&limit=1", nil), http.StatusOK)
	want(t, ts.as("lee", "POST", "/api/v1/approvals/"+id(pending)+"/approve", nil), http.StatusOK)
	want(t, ts.as("lee", "POST", "/api/v1/approvals/"+id(raise)+"/reject", nil), http.StatusOK)
	want(t, ts.as("lee", "POST", "/api/v1/approvals/"+id(raise)+"/approve", nil), http.StatusConflict)
	want(t, ts.as("cora", "POST", "/api/v1/approvals/"+id(pending)+"/reject", nil), http.StatusForbidden)
	want(t, ts.as("lee", "GET", "/api/v1/approvals?status=soon", nil), http.StatusUnprocessableEntity)
	want(t, ts.as("ada", "GET", "/api/v1/audit?limit=5", nil), http.StatusOK)
	want(t, ts.as("cora", "GET", "/api/v1/audit", nil), http.StatusOK)
	want(t, ts.as("lou", "GET", "/api/v1/orgs", nil), http.StatusForbidden)

	// A case through its lifecycle.
	c := ts.as("lou", "POST", "/api/v1/cases", map[string]any{"model_name": "Atlas", "model_version": "1.0"})
	want(t, c, http.StatusCreated)
	cp := "/api/v1/cases/" + id(c)
	want(t, ts.as("lou", "GET", cp+"/clock", nil), http.StatusConflict)
	want(t, ts.as("lou", "PATCH", cp, full), http.StatusOK)
	want(t, ts.as("lou", "PATCH", cp, map[string]any{"status": "decided"}), http.StatusBadRequest)
	want(t, ts.as("lou", "POST", cp+"/submit", nil), http.StatusOK)
	want(t, ts.as("lee", "POST", cp+"/assign", map[string]any{"reviewer_ids": []string{rey.ID}}), http.StatusOK)
	want(t, ts.as("lee", "GET", cp+"/info-requests", nil), http.StatusConflict)
	want(t, ts.as("lee", "POST", cp+"/attest-no-conflict", nil), http.StatusOK)
	q := ts.as("lee", "POST", cp+"/info-requests", map[string]any{"question": "Which evals?"})
	want(t, q, http.StatusCreated)
	ts.clock.Advance(2 * time.Hour)
	want(t, ts.as("lee", "GET", cp+"/clock", nil), http.StatusOK)
	want(t, ts.as("lou", "POST", "/api/v1/info-requests/"+id(q)+"/answer", map[string]any{"answer": "All."}), http.StatusOK)
	q2 := ts.as("lee", "POST", cp+"/info-requests", map[string]any{"question": "And?"})
	want(t, q2, http.StatusCreated)
	want(t, ts.as("lee", "POST", "/api/v1/info-requests/"+id(q2)+"/cancel", nil), http.StatusOK)
	want(t, ts.as("lou", "GET", cp+"/info-requests", nil), http.StatusOK)
	want(t, ts.as("lee", "GET", cp+"/clock", nil), http.StatusOK)
	want(t, ts.as("lee", "GET", "/api/v1/dashboard", nil), http.StatusOK)
	want(t, ts.as("lou", "GET", "/api/v1/dashboard?band=on_track", nil), http.StatusOK)
	want(t, ts.as("lee", "GET", "/api/v1/dashboard.csv", nil), http.StatusOK)
	want(t, ts.as("lee", "GET", "/api/v1/cases?q=Atlas&status=in_review", nil), http.StatusOK)
	want(t, ts.as("lee", "GET", "/api/v1/cases?bogus=1", nil), http.StatusBadRequest)
	want(t, ts.as("lee", "GET", "/api/v1/cases?limit=0", nil), http.StatusUnprocessableEntity)
	want(t, ts.as("lee", "POST", cp+"/decision", map[string]any{"outcome": "no_concerns", "rationale": "Fine."}), http.StatusOK)
	want(t, ts.as("lee", "GET", cp+"/clock", nil), http.StatusOK)
	want(t, ts.as("lee", "GET", cp+"/audit", nil), http.StatusOK)
	want(t, ts.as("cora", "GET", cp, nil), http.StatusOK)

	// A second case: a reviewer leaves it, the lab withdraws it.
	c2 := ts.as("lou", "POST", "/api/v1/cases", full)
	want(t, c2, http.StatusCreated)
	cp2 := "/api/v1/cases/" + id(c2)
	want(t, ts.as("lou", "POST", cp2+"/submit", nil), http.StatusOK)
	want(t, ts.as("lee", "POST", cp2+"/assign", map[string]any{"reviewer_ids": []string{rey.ID}}), http.StatusOK)
	want(t, ts.as("rey", "POST", cp2+"/declare-conflict", map[string]any{"reason": "I consulted for them."}), http.StatusOK)
	want(t, ts.as("lou", "POST", cp2+"/withdraw", map[string]any{"reason": "Not ready."}), http.StatusOK)

	// A third: a draft deleted.
	c3 := ts.as("lou", "POST", "/api/v1/cases", map[string]any{"model_name": "Tiny", "model_version": "0.1"})
	want(t, c3, http.StatusCreated)
	want(t, ts.as("lou", "DELETE", "/api/v1/cases/"+id(c3), nil), http.StatusNoContent)
	want(t, ts.as("lou", "GET", "/api/v1/cases/"+id(c3), nil), http.StatusNotFound)

	// Errors of the body, then the session's end.
	want(t, ts.as("lou", "POST", "/api/v1/me/password", map[string]any{"current_password": "wrong password!", "new_password": testPassword + "!"}), http.StatusUnprocessableEntity)
	want(t, ts.do("POST", "/api/v1/auth/token", "", `{"email":`), http.StatusBadRequest)
	want(t, ts.as("lou", "POST", "/api/v1/auth/logout", nil), http.StatusNoContent)
	lou.Token = ts.signIn(lou.Email, testPassword)
	want(t, ts.as("lou", "POST", "/api/v1/me/password", map[string]any{"current_password": testPassword, "new_password": testPassword + "!"}), http.StatusNoContent)
}
