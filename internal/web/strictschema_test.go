package web_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/docket/docket/internal/web"
)

// strict checks response bodies against the OpenAPI document as JSON Schema
// 2020-12 reads it (the dialect of OpenAPI 3.1): null is accepted only where
// a type says so, formats are asserted, and unknown keywords assert nothing.
// kin-openapi, which finds the route, is lenient about null; this is the check
// a generated client's types would make.
var strict struct {
	once     sync.Once
	doc      map[string]any
	compiler *jsonschema.Compiler
	err      error
	mu       sync.Mutex
	schemas  map[string]*jsonschema.Schema
}

var englishPrinter = message.NewPrinter(language.English)

const strictDocURL = "https://docket.invalid/openapi.json"

func loadStrict() error {
	strict.once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(web.OpenAPI))
		if err != nil {
			strict.err = err
			return
		}
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		if err := c.AddResource(strictDocURL, doc); err != nil {
			strict.err = err
			return
		}
		strict.doc, _ = doc.(map[string]any)
		strict.compiler = c
		strict.schemas = map[string]*jsonschema.Schema{}
	})
	return strict.err
}

// pointerToken escapes one JSON Pointer token (RFC 6901) for a URL fragment.
func pointerToken(s string) string {
	s = strings.ReplaceAll(s, "~", "~0")
	s = strings.ReplaceAll(s, "/", "~1")
	s = strings.ReplaceAll(s, "{", "%7B")
	return strings.ReplaceAll(s, "}", "%7D")
}

// strictSchema finds the JSON schema documented for an operation's answer of
// status and media type, following a $ref to components/responses; nil when
// the answer is documented without that content.
func strictSchema(path, method string, status int, mediaType string) (*jsonschema.Schema, error) {
	if err := loadStrict(); err != nil {
		return nil, err
	}
	paths, _ := strict.doc["paths"].(map[string]any)
	item, _ := paths[path].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	responses, _ := op["responses"].(map[string]any)
	code := strconv.Itoa(status)
	resp, ok := responses[code].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("status %d is not documented for %s %s", status, method, path)
	}
	loc := "#/paths/" + pointerToken(path) + "/" + strings.ToLower(method) + "/responses/" + code
	if ref, ok := resp["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/responses/")
		comps, _ := strict.doc["components"].(map[string]any)
		all, _ := comps["responses"].(map[string]any)
		if resp, ok = all[name].(map[string]any); !ok {
			return nil, fmt.Errorf("%s: no such response", ref)
		}
		loc = ref
	}
	content, _ := resp["content"].(map[string]any)
	if mt, _ := content[mediaType].(map[string]any); mt["schema"] == nil {
		return nil, nil // documented without a schema: any bytes of that type
	}
	loc += "/content/" + pointerToken(mediaType) + "/schema"
	strict.mu.Lock()
	defer strict.mu.Unlock()
	if s, ok := strict.schemas[loc]; ok {
		return s, nil
	}
	s, err := strict.compiler.Compile(strictDocURL + loc)
	if err != nil {
		return nil, err
	}
	strict.schemas[loc] = s
	return s, nil
}

// checkStrict validates a JSON body against the documented schema.
func checkStrict(path, method string, status int, body []byte) error {
	s, err := strictSchema(path, method, status, "application/json")
	if err != nil || s == nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	if err := s.Validate(inst); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("JSON Schema 2020-12: %s", strictMessage(ve))
		}
		return err
	}
	return nil
}

// strictMessage names each failing place in the body, without the schema dump.
func strictMessage(ve *jsonschema.ValidationError) string {
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			out = append(out, fmt.Sprintf("at %q: %s", "/"+strings.Join(e.InstanceLocation, "/"),
				e.ErrorKind.LocalizedString(englishPrinter)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if len(out) > 6 {
		out = append(out[:6], fmt.Sprintf("and %d more", len(out)-6))
	}
	return strings.Join(out, "; ")
}

// TestStrictSchemaReadsNullStrictly shows the strict check refusing null
// where the document's type does not allow it, and accepting it where it
// does (a case's planned_release_date), and asserting formats and closed objects.
func TestStrictSchemaReadsNullStrictly(t *testing.T) {
	me := `{"id":"u1","email":"a@example.org","name":"A","role":"admin","disabled":false,"sso_only":false,` +
		`"org":{"id":"o1","name":"Agency","kind":"agency","created_at":"2026-06-02T18:00:00.000Z"},` +
		`"mfa":{"enrolled":false,"required":false},"session":{"amr":["pwd"],"acr":null,"authenticated_at":null},"email_delivery":"each",` +
		`"created_at":"2026-06-02T18:00:00.000Z","updated_at":"2026-06-02T18:00:00.000Z"}`
	cases := []struct {
		name, body string
		ok         bool
	}{
		{"valid", me, true},
		{"null name", strings.Replace(me, `"name":"A"`, `"name":null`, 1), false},
		{"null instant", strings.Replace(me, `"created_at":"2026-06-02T18:00:00.000Z","updated`, `"created_at":null,"updated`, 1), false},
		{"extra field", strings.Replace(me, `"id":"u1"`, `"id":"u1","secret":"x"`, 1), false},
	}
	for _, c := range cases {
		err := checkStrict("/api/v1/me", "GET", 200, []byte(c.body))
		if c.ok != (err == nil) {
			t.Errorf("%s: ok %v, got %v", c.name, c.ok, err)
		}
	}
	// A real case list, then with its planned release date cleared and broken.
	ts := newTestServer(t)
	ts.addUser("lou", "lab_member", "Frontier Labs")
	want(t, ts.as("lou", "POST", "/api/v1/cases", map[string]any{"model_name": "Atlas", "model_version": "1.0",
		"planned_release_date": "2026-12-01"}), http.StatusCreated)
	r := ts.as("lou", "GET", "/api/v1/cases", nil)
	want(t, r, http.StatusOK)
	list := func(planned string) []byte {
		return []byte(strings.Replace(r.Body, `"planned_release_date":"2026-12-01"`, `"planned_release_date":`+planned, 1))
	}
	if bytes.Equal(list("null"), []byte(r.Body)) {
		t.Fatalf("no planned release date in %s", r.Body)
	}
	for _, planned := range []string{`"2026-12-01"`, "null"} {
		if err := checkStrict("/api/v1/cases", "GET", 200, list(planned)); err != nil {
			t.Errorf("planned_release_date %s: %v", planned, err)
		}
	}
	for _, planned := range []string{`"2026-13-45"`, `""`, "0"} {
		if err := checkStrict("/api/v1/cases", "GET", 200, list(planned)); err == nil {
			t.Errorf("planned_release_date %s passed", planned)
		}
	}
	if err := checkStrict("/api/v1/cases", "GET", 418, list("null")); err == nil {
		t.Errorf("an undocumented status passed")
	}
}
