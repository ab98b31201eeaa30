package web_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"
)

func TestZZDump(t *testing.T) {
	ts := newTestServer(t)
	var b strings.Builder
	for _, r := range ts.srv.APIRoutes() {
		fmt.Fprintf(&b, "api %s %s %v\n", r.Method, r.Path, r.Public)
	}
	for _, r := range ts.srv.PageRoutes() {
		fmt.Fprintf(&b, "page %s %s %v\n", r.Method, r.Path, r.Public)
	}
	var er []string
	for _, r := range ts.srv.Echo().Routes() {
		er = append(er, r.Method+" "+r.Path)
	}
	sort.Strings(er)
	b.WriteString(strings.Join(er, "\n"))
	os.WriteFile(os.Getenv("DUMP")+".routes", []byte(b.String()), 0o644)
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/openapi.json", nil))
	body, _ := io.ReadAll(rec.Body)
	os.WriteFile(os.Getenv("DUMP")+".openapi", body, 0o644)
}
