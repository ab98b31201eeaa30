package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/docket/docket/internal/config"
)

// standardSchema compiles one of the official schemas kept in
// testdata/standards (where they come from: its README) at the validator's
// strictest: formats and content asserted. The schemas' own URLs resolve to
// the files beside them (urls maps a URL prefix to a folder there).
func standardSchema(t *testing.T, file string, urls map[string]string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.AssertContent()
	c.UseLoader(standardsLoader{t: t, urls: urls})
	s, err := c.Compile("file://" + absStandard(t, file))
	if err != nil {
		t.Fatalf("compile %s: %v", file, err)
	}
	return s
}

func absStandard(t *testing.T, file string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", "standards", file))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(p)
}

// standardsLoader reads schemas from testdata/standards only: a URL the
// schemas name is mapped to its file, so nothing is fetched from the network.
type standardsLoader struct {
	t    *testing.T
	urls map[string]string
}

func (l standardsLoader) Load(url string) (any, error) {
	path := strings.TrimPrefix(url, "file://")
	for prefix, dir := range l.urls {
		if strings.HasPrefix(url, prefix) {
			path = absStandard(l.t, dir+strings.TrimPrefix(url, prefix))
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

// validate checks body against s and returns it decoded.
func validate(t *testing.T, s *jsonschema.Schema, what, body string) map[string]any {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		t.Fatalf("%s is not JSON: %v\n%s", what, err, body)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("%s does not pass its schema: %v\n%s", what, err, body)
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(body), &m)
	return m
}

// fetchWith sends a GET with headers (token "" for nobody signed in).
func (ts *testServer) fetchWith(path, token string, headers ...string) response {
	ts.t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	return response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String(), t: ts.t}
}

// tlpWorld is a world with a Clearinghouse entry of each publishable TLP and
// findings of every TLP that are shared but never published.
type tlpWorld struct {
	*world
	// clear and green are the entries' ids: clear a third-party flaw with a
	// CVE, green one too; named an ai_system entry (TLP:CLEAR, no CVE).
	clear, green, named string
	// secrets are texts that must never be read by someone not signed in.
	secrets []string
}

func newTLPWorld(t *testing.T, mutate ...func(*config.Config)) *tlpWorld {
	w := &tlpWorld{world: newWorld(t, mutate...)}
	id := w.caseIn("in_review").caseID
	publish := func(tlp, name, cve string) string {
		t.Helper()
		body := clearFinding("high")
		body["tlp"] = tlp
		fid := w.finding(id, "lead", "shared", body)
		p := map[string]any{"subject": "third_party", "vulnerability_name": name,
			"short_description": name + ": heap overflow in the parser, found by the model.", "required_action": "Upgrade.",
			"due_date": "2026-03-01", "notes": "", "affected_vendor": name + " vendor", "affected_product": name + "-httpd", "cve_id": cve}
		r := w.as("lead", "POST", "/api/v1/findings/"+fid+"/publish", p)
		want(t, r, 200)
		return r.JSON()["clearinghouse_id"].(string)
	}
	w.clear = publish("TLP:CLEAR", "Clearflaw", "CVE-2026-41001")
	w.green = publish("TLP:GREEN", "Greenflaw", "CVE-2026-41002")
	fid := w.finding(id, "lead", "shared", clearFinding("medium"))
	r := w.as("lead", "POST", "/api/v1/findings/"+fid+"/publish", publishBody())
	want(t, r, 200)
	w.named = r.JSON()["clearinghouse_id"].(string)
	w.secrets = []string{w.green, "Greenflaw", "CVE-2026-41002"}
	for _, tlp := range []string{"TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"} {
		body := findingBody("critical", tlp)
		body["title"] = "Unpublished " + tlp + " flaw"
		var to []string
		if tlp == "TLP:RED" {
			to = []string{w.users["lab"].ID}
		}
		w.finding(id, "lead", "shared", body, to...)
		w.secrets = append(w.secrets, "Unpublished "+tlp)
	}
	return w
}

// TestStrictKEV: /clearinghouse/kev.json passes the schema of CISA's own
// catalogue (cisagov/kev-data) at the validator's strictest, holds KEV's
// fields only, and only the entries with a CVE id; empty, it is still valid.
func TestStrictKEV(t *testing.T) {
	kev := standardSchema(t, "kev/known_exploited_vulnerabilities_schema.json", nil)
	kevFields := []string{"cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded", "shortDescription",
		"requiredAction", "dueDate", "knownRansomwareCampaignUse", "notes", "cwes"}

	empty := newWorld(t)
	r := empty.fetchWith("/api/v1/clearinghouse/kev.json", "")
	want(t, r, 200)
	m := validate(t, kev, "the empty KEV catalogue", r.Body)
	if m["dateReleased"] != "2026-01-05T15:00:00.000Z" || m["catalogVersion"] != "2026.01.05" || m["count"] != 0.0 {
		t.Fatalf("empty: %s", r.Body)
	}

	w := newTLPWorld(t)
	r = w.as("rival", "GET", "/api/v1/clearinghouse/kev.json", nil)
	want(t, r, 200)
	m = validate(t, kev, "the KEV catalogue", r.Body)
	if !slices.Equal(keysOf(m), []string{"catalogVersion", "count", "dateReleased", "title", "vulnerabilities"}) {
		t.Fatalf("catalogue fields: %v", keysOf(m))
	}
	vs := m["vulnerabilities"].([]any)
	if len(vs) != 2 || m["count"] != 2.0 || m["catalogVersion"] != "2026.01.05" {
		t.Fatalf("want the two entries with a CVE id: %s", r.Body)
	}
	for _, v := range vs {
		e := v.(map[string]any)
		if got := keysOf(e); !slices.Equal(got, sorted(kevFields)) {
			t.Errorf("entry fields %v, want KEV's %v", got, kevFields)
		}
		if e["knownRansomwareCampaignUse"] != "Unknown" || len(e["cwes"].([]any)) != 0 {
			t.Errorf("entry: %v", e)
		}
	}
	if e := vs[0].(map[string]any); e["cveID"] != "CVE-2026-41002" || e["vendorProject"] != "Greenflaw vendor" ||
		!strings.Contains(e["notes"].(string), w.green) {
		t.Errorf("newest entry: %v", e)
	}
	if r := w.as("rival", "GET", "/api/v1/clearinghouse/kev.json?q=x", nil); r.Code != 400 || r.ErrorField() != "q" {
		t.Errorf("a parameter: %d %s", r.Code, r.Body)
	}
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sorted(out)
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// publicFeeds are the Clearinghouse's feeds under /api/v1 that anyone may read.
var publicFeeds = []string{"/api/v1/clearinghouse", "/api/v1/clearinghouse.csv", "/api/v1/clearinghouse/kev.json"}

// TestClearinghousePublic: someone not signed in reads the TLP:CLEAR entries
// through every feed, and nothing else: no TLP:GREEN entry, no unpublished
// TLP:AMBER or TLP:RED finding, in any feed; signed in, every published
// entry. Off (clearinghouse.public false), the feeds want a sign-in; a bad
// token is refused rather than read as nobody; other routes stay closed.
func TestClearinghousePublic(t *testing.T) {
	w := newTLPWorld(t)
	for _, path := range publicFeeds {
		r := w.fetchWith(path, "")
		want(t, r, 200)
		if !strings.Contains(r.Body, w.clear) && path != "/api/v1/clearinghouse/kev.json" {
			t.Errorf("%s: the TLP:CLEAR entry %s is missing:\n%s", path, w.clear, r.Body)
		}
		for _, s := range w.secrets {
			if strings.Contains(r.Body, s) {
				t.Errorf("%s read by nobody shows %q:\n%s", path, s, r.Body)
			}
		}
		signed := w.as("rival", "GET", path, nil)
		want(t, signed, 200)
		if !strings.Contains(signed.Body, w.green) && path != "/api/v1/clearinghouse/kev.json" {
			t.Errorf("%s signed in lacks the TLP:GREEN entry", path)
		}
	}
	// The public feed's version and release describe the public entries.
	r := w.fetchWith("/api/v1/clearinghouse", "")
	m := r.JSON()
	if m["count"] != 2.0 || m["catalogVersion"] != "2026.01.05.2" {
		t.Errorf("public feed: %s", r.Body)
	}
	for _, v := range m["vulnerabilities"].([]any) {
		if tlp := v.(map[string]any)["tlp"]; tlp != "TLP:CLEAR" {
			t.Errorf("public entry of %v", tlp)
		}
	}
	if kev := w.fetchWith("/api/v1/clearinghouse/kev.json", "").JSON(); kev["count"] != 1.0 ||
		kev["vulnerabilities"].([]any)[0].(map[string]any)["cveID"] != "CVE-2026-41001" {
		t.Errorf("public KEV: %v", kev)
	}
	rows, err := csv.NewReader(strings.NewReader(w.fetchWith("/api/v1/clearinghouse.csv", "").Body)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Errorf("public CSV: %d rows, %v", len(rows), err)
	}
	// A search reads the public entries only.
	if r := w.fetchWith("/api/v1/clearinghouse?q=greenflaw", ""); r.JSON()["count"] != 0.0 {
		t.Errorf("a public search finds a TLP:GREEN entry: %s", r.Body)
	}
	// A bad token is a 401, never the public view.
	if r := w.fetchWith("/api/v1/clearinghouse", "not-a-token"); r.Code != 401 {
		t.Errorf("a bad token: %d %s", r.Code, r.Body)
	}
	// Nothing else is public.
	for _, path := range []string{"/api/v1/cases", "/api/v1/findings/x", "/api/v1/dashboard", "/api/v1/me"} {
		if r := w.fetchWith(path, ""); r.Code != 401 {
			t.Errorf("%s read by nobody: %d", path, r.Code)
		}
	}

	closed := newTLPWorld(t, func(c *config.Config) { c.Clearinghouse.Public = false })
	for _, path := range publicFeeds {
		r := closed.fetchWith(path, "")
		if r.Code != 401 || strings.Contains(r.Body, closed.clear) {
			t.Errorf("%s with clearinghouse.public off: %d %s", path, r.Code, r.Body)
		}
		want(t, closed.as("rival", "GET", path, nil), 200)
	}
}

// TestFeedsPolling: every feed answers with an ETag and Last-Modified, 304
// to If-None-Match or If-Modified-Since, gzip when asked, and a new ETag
// once an entry is published.
func TestFeedsPolling(t *testing.T) {
	w := newTLPWorld(t)
	paths := append(slices.Clone(publicFeeds), "/api/v1/clearinghouse/schema.json")
	etags := map[string]string{}
	for _, path := range paths {
		r := w.fetchWith(path, "")
		want(t, r, 200)
		etag, lm := r.Header.Get("ETag"), r.Header.Get("Last-Modified")
		etags[path] = etag
		if etag == "" || (lm == "" && !strings.HasSuffix(path, "schema.json")) {
			t.Fatalf("%s: ETag %q, Last-Modified %q", path, etag, lm)
		}
		if r := w.fetchWith(path, "", "If-None-Match", etag); r.Code != 304 || r.Body != "" {
			t.Errorf("%s If-None-Match: %d %q", path, r.Code, r.Body)
		}
		if r := w.fetchWith(path, "", "If-None-Match", `"other"`); r.Code != 200 {
			t.Errorf("%s another ETag: %d", path, r.Code)
		}
		if lm != "" {
			if r := w.fetchWith(path, "", "If-Modified-Since", lm); r.Code != 304 {
				t.Errorf("%s If-Modified-Since: %d", path, r.Code)
			}
			before, _ := http.ParseTime(lm)
			if r := w.fetchWith(path, "", "If-Modified-Since", before.Add(-time.Second).Format(http.TimeFormat)); r.Code != 200 {
				t.Errorf("%s modified since: %d", path, r.Code)
			}
		}
		gz := w.fetchWith(path, "", "Accept-Encoding", "gzip, deflate")
		if gz.Code != 200 || gz.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(gz.Header.Get("Vary"), "Accept-Encoding") {
			t.Fatalf("%s gzip: %d %v", path, gz.Code, gz.Header)
		}
		zr, err := gzip.NewReader(strings.NewReader(gz.Body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.Equal(plain, []byte(r.Body)) {
			t.Errorf("%s: the gzip form differs from the plain one", path)
		}
		if r := w.fetchWith(path, "", "Accept-Encoding", "gzip;q=0"); r.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s: gzip sent against q=0", path)
		}
	}
	// A new TLP:CLEAR publication changes every feed of it.
	w.clock.Advance(time.Hour)
	id := w.caseIn("in_review").caseID
	fid := w.finding(id, "lead", "shared", clearFinding("low"))
	want(t, w.as("lead", "POST", "/api/v1/findings/"+fid+"/publish", publishBody()), 200)
	for _, path := range []string{"/api/v1/clearinghouse", "/api/v1/clearinghouse.csv"} {
		if r := w.fetchWith(path, "", "If-None-Match", etags[path]); r.Code != 200 || r.Header.Get("ETag") == etags[path] {
			t.Errorf("%s after a publication: %d, ETag %s", path, r.Code, r.Header.Get("ETag"))
		}
	}
}
