package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/web"
)

// TestOpenAPIDocumentValid loads the embedded document and validates it, then
// checks the house rules: an operationId and a summary on every operation, a
// 500 everywhere, a 401 on every signed-in route, and closed response objects.
func TestOpenAPIDocumentValid(t *testing.T) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(web.OpenAPI)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi version %q, want 3.1.0", doc.OpenAPI)
	}
	if doc.Info.Contact == nil || doc.Info.License == nil {
		t.Errorf("info needs a contact and a license: %+v", doc.Info)
	}
	ids := map[string]string{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", where)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %q already used by %s", where, op.OperationID, other)
			}
			ids[op.OperationID] = where
			if op.Summary == "" || strings.Contains(op.Summary, "\n") {
				t.Errorf("%s: want a one-line summary, got %q", where, op.Summary)
			}
			if op.Responses.Status(http.StatusInternalServerError) == nil {
				t.Errorf("%s: 500 is not documented", where)
			}
			public := op.Security != nil && len(*op.Security) == 0
			if !public && op.Responses.Status(http.StatusUnauthorized) == nil {
				t.Errorf("%s: a signed-in route must document 401", where)
			}
			// mfa_enrollment_required can answer any signed-in route.
			if !public && op.Responses.Status(http.StatusForbidden) == nil {
				t.Errorf("%s: a signed-in route must document 403", where)
			}
			if public != publicPaths[where] {
				t.Errorf("%s: public is %v, want %v", where, public, publicPaths[where])
			}
			for code, ref := range op.Responses.Map() {
				for ct, mt := range ref.Value.Content {
					if mt.Schema != nil {
						checkClosed(t, where+" "+code+" "+ct, mt.Schema, map[*openapi3.Schema]bool{})
					}
				}
			}
		}
	}
}

// publicPaths are the operations that need no bearer token.
var publicPaths = map[string]bool{
	"POST /api/v1/auth/token":    true,
	"GET /healthz":               true,
	"GET /readyz":                true,
	"GET /api/openapi.json":      true,
	"GET /calendar/{token}.ics":  true,
	"GET /.well-known/jwks.json": true,
	// The Clearinghouse's feeds: TLP:CLEAR entries to anyone, every entry
	// signed in (security lists {} beside bearerAuth; not "public" here).
	"GET /api/v1/clearinghouse/schema.json": true,
	"POST /api/v1/statements/verify":        true,
}

// checkClosed reports response object schemas that accept undocumented
// properties, so that drift between handlers and contract is caught. Free-form
// maps (additionalProperties given a schema or true on purpose) are allowed
// where the document says so: the served document itself, audit changes and
// the findings count.
func checkClosed(t *testing.T, where string, ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	t.Helper()
	s := ref.Value
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	for _, sub := range s.AllOf {
		checkClosed(t, where, sub, seen)
	}
	if s.Items != nil {
		checkClosed(t, where, s.Items, seen)
	}
	if s.Type.Is("object") && len(s.Properties) > 0 {
		if s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has {
			t.Errorf("%s: object schema %s does not set additionalProperties: false", where, ref.Ref)
		}
	}
	for _, p := range s.Properties {
		checkClosed(t, where, p, seen)
	}
}

var echoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// TestOpenAPICoversRoutes checks that the document and the route table list
// the same operations: a route added without documentation, or documentation
// left behind by a removed route, fails.
func TestOpenAPICoversRoutes(t *testing.T) {
	ts := newTestServer(t)
	routes := map[string]bool{}
	for _, r := range ts.srv.APIRoutes() {
		routes[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	for _, r := range []string{"GET /healthz", "GET /readyz", "GET /api/openapi.json", "GET /calendar/{token}.ics", "GET /metrics", "GET /.well-known/jwks.json"} {
		routes[r] = true
	}
	doc, err := openapi3.NewLoader().LoadFromData(web.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	var missing, stale []string
	for r := range routes {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for d := range documented {
		if !routes[d] {
			stale = append(stale, d)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, r := range missing {
		t.Errorf("route %s is not in openapi.json", r)
	}
	for _, d := range stale {
		t.Errorf("openapi.json documents %s, which the server does not register", d)
	}
}

// TestOpenAPIServed checks that GET /api/openapi.json serves the written
// document with this deployment's address in servers and its mail.from and
// base_url as the contact, and nothing else changed.
func TestOpenAPIServed(t *testing.T) {
	const base = "https://docket.agency.example"
	ts := newTestServer(t, func(c *config.Config) {
		c.BaseURL = base
		c.Mail.From = "Review Office <review@agency.example>"
	})
	r := ts.do("GET", "/api/openapi.json", "", nil)
	want(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q, want application/json", ct)
	}
	var served, written map[string]any
	if err := json.Unmarshal([]byte(r.Body), &served); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(web.OpenAPI, &written); err != nil {
		t.Fatal(err)
	}
	servers, _ := json.Marshal(served["servers"])
	if string(servers) != `[{"description":"This Docket","url":"`+base+`"}]` {
		t.Errorf("servers %s, want base_url", servers)
	}
	contact := served["info"].(map[string]any)["contact"].(map[string]any)
	if contact["email"] != "review@agency.example" || contact["name"] != "Review Office" || contact["url"] != base {
		t.Errorf("contact %v, want mail.from and base_url", contact)
	}
	for _, d := range []map[string]any{served, written} {
		delete(d, "servers")
		delete(d["info"].(map[string]any), "contact")
	}
	a, _ := json.Marshal(served)
	b, _ := json.Marshal(written)
	if !bytes.Equal(a, b) {
		t.Errorf("served document differs from the written one beyond servers and contact (%d and %d bytes)", len(a), len(b))
	}
}
