package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/docket/docket/internal/csaf"
)

// standards is where the publishers' schemas are kept for the tests.
var standards, _ = filepath.Abs(filepath.Join("..", "..", "internal", "web", "testdata", "standards"))

// schemaOf compiles a publisher's schema at the validator's strictest, its
// URLs read from the files beside it.
func schemaOf(t *testing.T, file string, urls map[string]string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	c.AssertContent()
	c.UseLoader(standardsLoader(urls))
	s, err := c.Compile("file://" + filepath.ToSlash(filepath.Join(standards, file)))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// standardsLoader reads the schemas' URLs from the files kept for the tests.
type standardsLoader map[string]string

func (l standardsLoader) Load(u string) (any, error) {
	path := strings.TrimPrefix(u, "file://")
	for prefix, dir := range l {
		if strings.HasPrefix(u, prefix) {
			path = filepath.Join(standards, dir, strings.TrimPrefix(u, prefix))
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return jsonschema.UnmarshalJSON(f)
}

// get fetches a path signed out (token "") or with a Bearer token.
func get(t *testing.T, base, path, token string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return string(b)
}

func valid(t *testing.T, s *jsonschema.Schema, what, body string) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err == nil {
		err = s.Validate(v)
	}
	if err != nil {
		t.Fatalf("%s: %v\n%s", what, err, body)
	}
}

// Done means: a fresh `docket serve --demo` (behind its TLS proxy, base_url
// https) serves a TLP:CLEAR entry that anyone reads as KEV JSON, CSAF
// (signed, hashed, listed) and STIX, each valid by its publisher's checks;
// every CSAF document it serves passes csaf-validator-lib; and a signed-out
// visitor verifies a decided case's statement at /verify.
func TestDemoServesOtherTools(t *testing.T) {
	base, stop := serveDemo(t, map[string]string{"DOCKET_BASE_URL": "https://docket.agency.example"}, io.Discard)
	defer stop()
	const cve = "CVE-2026-51234" // the demo's TLP:CLEAR third-party entry

	kev := get(t, base, "/api/v1/clearinghouse/kev.json", "")
	valid(t, schemaOf(t, "kev/known_exploited_vulnerabilities_schema.json", nil), "the demo's KEV catalogue", kev)
	if !strings.Contains(kev, cve) {
		t.Fatalf("KEV lacks the TLP:CLEAR entry: %s", kev)
	}
	stixURLs := map[string]string{"http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/": "stix/"}
	bundle := get(t, base, "/api/v1/clearinghouse/stix.json", "")
	valid(t, schemaOf(t, "stix/common/bundle.json", stixURLs), "the demo's STIX bundle", bundle)
	if !strings.Contains(bundle, cve) || strings.Contains(bundle, "TLP:GREEN") {
		t.Fatalf("the public STIX bundle: %s", bundle)
	}

	// CSAF: listed, hashed and signed; the key from the provider metadata.
	var pmd struct {
		Keys []struct{ Fingerprint, URL string } `json:"public_openpgp_keys"`
	}
	if err := json.Unmarshal([]byte(get(t, base, "/.well-known/csaf/provider-metadata.json", "")), &pmd); err != nil || len(pmd.Keys) != 1 {
		t.Fatalf("provider metadata: %v %+v", err, pmd)
	}
	key := get(t, base, "/.well-known/csaf/openpgp/"+pmd.Keys[0].Fingerprint+".asc", "")
	lead := (&client{t: t, base: base}).signIn("margaret.chen@agency.example.gov", demoPassword)
	csafSchema := schemaOf(t, "csaf/csaf_json_schema.json", map[string]string{"https://www.first.org/cvss/": "csaf/"})
	dir := t.TempDir()
	var files []string
	sawCVE := false
	for folder, token := range map[string]string{"white": "", "green": lead.token} {
		for _, path := range strings.Fields(get(t, base, "/.well-known/csaf/"+folder+"/index.txt", token)) {
			doc := get(t, base, "/.well-known/csaf/"+folder+"/"+path, token)
			valid(t, csafSchema, path, doc)
			sig := get(t, base, "/.well-known/csaf/"+folder+"/"+path+".asc", token)
			if err := csaf.Verify([]byte(key), []byte(doc), []byte(sig)); err != nil {
				t.Errorf("%s/%s: %v", folder, path, err)
			}
			sum, _ := csaf.HashFile("sha512", filepath.Base(path), []byte(doc))
			if got := get(t, base, "/.well-known/csaf/"+folder+"/"+path+".sha512", token); got != string(sum) {
				t.Errorf("%s/%s.sha512: %s", folder, path, got)
			}
			sawCVE = sawCVE || (folder == "white" && strings.Contains(doc, cve))
			f := filepath.Join(dir, folder+"-"+filepath.Base(path))
			if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	if !sawCVE || len(files) < 3 {
		t.Fatalf("the demo's CSAF documents: %v (the TLP:CLEAR entry seen: %v)", files, sawCVE)
	}
	t.Logf("the demo serves %d CSAF documents", len(files))
	lib := os.Getenv("DOCKET_CSAF_VALIDATOR_DIR")
	if lib == "" {
		home, _ := os.UserHomeDir()
		lib = filepath.Join(home, ".cache", "docket", "csaf-validator")
	}
	if _, err := os.Stat(filepath.Join(lib, "node_modules", "@secvisogram", "csaf-validator-lib")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("@secvisogram/csaf-validator-lib is not installed in %s", lib)
		}
		t.Logf("@secvisogram/csaf-validator-lib is not installed in %s: its check is skipped", lib)
	} else {
		out, err := exec.Command("node", append([]string{filepath.Join("..", "..", "internal", "web", "testdata", "csaf", "validate.mjs"), lib}, files...)...).Output()
		if err != nil {
			t.Fatalf("csaf-validator-lib: %v %s", err, out)
		}
		var report struct {
			Tests int
			Files map[string]struct {
				IsValid  bool
				Findings []any
			}
		}
		if err := json.Unmarshal(out, &report); err != nil {
			t.Fatal(err)
		}
		for f, r := range report.Files {
			if !r.IsValid || len(r.Findings) > 0 {
				t.Errorf("%s: %+v", filepath.Base(f), r)
			}
		}
		t.Logf("csaf-validator-lib: %d demo documents, %d tests each, all clean", len(report.Files), report.Tests)
	}

	// A signed-out visitor verifies a decided case's statement at /verify.
	var decided string
	for _, c := range lead.must(200, "GET", "/api/v1/cases?status=decided", nil)["items"].([]any) {
		decided = c.(map[string]any)["id"].(string)
	}
	st := lead.must(200, "GET", "/api/v1/cases/"+decided+"/statement", nil)["statement"].(string)
	res, err := http.PostForm(base+"/verify", url.Values{"statement": {st}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(page), "Valid: issued by") || !strings.Contains(string(page), "This is the latest statement for") {
		t.Fatalf("/verify: %d %s", res.StatusCode, page)
	}
}
