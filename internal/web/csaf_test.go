package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/csaf"
)

// csafWorld is a TLP world whose base_url is https (the deployment behind
// its TLS proxy) and whose CSAF key was made, as serve does at start.
func newCSAFWorld(t *testing.T, base string) *tlpWorld {
	w := newTLPWorld(t, func(c *config.Config) { c.BaseURL = base })
	if _, err := w.svc.Provider.EnsureCSAFKey(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

// csafDocs fetches the documents a folder's index.txt lists, by path.
func (w *tlpWorld) csafDocs(folder, token string) map[string]string {
	w.t.Helper()
	idx := w.fetchWith("/.well-known/csaf/"+folder+"/index.txt", token)
	want(w.t, idx, 200)
	docs := map[string]string{}
	for _, line := range strings.Fields(idx.Body) {
		r := w.fetchWith("/.well-known/csaf/"+folder+"/"+line, token)
		want(w.t, r, 200)
		docs[line] = r.Body
	}
	return docs
}

// TestCSAFProvider: the provider metadata passes CSAF's provider schema and
// names the folders and the key; each document of the white folder passes
// the CSAF 2.0 schema, sits at {year}/{file} with its .sha256, .sha512 and
// an OpenPGP signature that the published key verifies; index.txt and
// changes.csv list them; the green folder is for signed-in readers only and
// no TLP:AMBER or TLP:RED finding is anywhere; a rotated key signs from then
// on while the earlier one stays published.
func TestCSAFProvider(t *testing.T) {
	const base = "https://docket.agency.example"
	w := newCSAFWorld(t, base)
	urls := map[string]string{"https://docs.oasis-open.org/csaf/csaf/v2.0/": "csaf/", "https://www.first.org/cvss/": "csaf/"}
	providerSchema := standardSchema(t, "csaf/provider_json_schema.json", urls)
	csafSchema := standardSchema(t, "csaf/csaf_json_schema.json", urls)

	r := w.fetchWith("/.well-known/csaf/provider-metadata.json", "")
	want(t, r, 200)
	pmd := validate(t, providerSchema, "provider-metadata.json", r.Body)
	if pmd["role"] != "csaf_trusted_provider" || pmd["canonical_url"] != base+"/.well-known/csaf/provider-metadata.json" {
		t.Fatalf("metadata: %s", r.Body)
	}
	keys := pmd["public_openpgp_keys"].([]any)
	if len(keys) != 1 {
		t.Fatalf("keys: %v", keys)
	}
	fpr := keys[0].(map[string]any)["fingerprint"].(string)
	keyURL := keys[0].(map[string]any)["url"].(string)
	key := w.fetchWith(strings.TrimPrefix(keyURL, base), "")
	want(t, key, 200)
	if !strings.Contains(key.Body, "BEGIN PGP PUBLIC KEY BLOCK") {
		t.Fatalf("key: %s", key.Body)
	}
	sec := w.fetchWith("/.well-known/security.txt", "")
	want(t, sec, 200)
	if !strings.Contains(sec.Body, "CSAF: "+base+"/.well-known/csaf/provider-metadata.json\n") || !strings.Contains(sec.Body, "Expires: ") ||
		!strings.Contains(sec.Body, "Contact: mailto:") {
		t.Fatalf("security.txt: %s", sec.Body)
	}

	// The white folder, read by nobody signed in.
	docs := w.csafDocs("white", "")
	if len(docs) != 2 {
		t.Fatalf("white documents: %v", docs)
	}
	changes := w.fetchWith("/.well-known/csaf/white/changes.csv", "")
	want(t, changes, 200)
	for path, body := range docs {
		if !regexp.MustCompile(`^2026/aich-2026-\d{4}\.json$`).MatchString(path) || !strings.Contains(changes.Body, `"`+path+`",`) {
			t.Errorf("path %s; changes.csv: %s", path, changes.Body)
		}
		doc := validate(t, csafSchema, path, body)
		d := doc["document"].(map[string]any)
		if d["category"] != "csaf_security_advisory" || d["distribution"].(map[string]any)["tlp"].(map[string]any)["label"] != "WHITE" ||
			d["publisher"].(map[string]any)["namespace"] != base {
			t.Errorf("%s: %v", path, d)
		}
		file := filepath.Base(path)
		s256 := sha256.Sum256([]byte(body))
		s512 := sha512.Sum512([]byte(body))
		if got := w.fetchWith("/.well-known/csaf/white/"+path+".sha256", "").Body; got != hex.EncodeToString(s256[:])+"  "+file+"\n" {
			t.Errorf("%s.sha256: %q", path, got)
		}
		if got := w.fetchWith("/.well-known/csaf/white/"+path+".sha512", "").Body; got != hex.EncodeToString(s512[:])+"  "+file+"\n" {
			t.Errorf("%s.sha512: %q", path, got)
		}
		sig := w.fetchWith("/.well-known/csaf/white/"+path+".asc", "")
		want(t, sig, 200)
		if err := csaf.Verify([]byte(key.Body), []byte(body), []byte(sig.Body)); err != nil {
			t.Errorf("%s: the signature does not verify: %v", path, err)
		}
		if err := csaf.Verify([]byte(key.Body), []byte(body+" "), []byte(sig.Body)); err == nil {
			t.Errorf("%s: the signature verifies a changed document", path)
		}
		for _, s := range w.secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s shows %q", path, s)
			}
		}
	}
	// Polled like every feed: ETag, Last-Modified, 304 and gzip, on every file.
	for path := range docs {
		for _, f := range []string{"index.txt", "changes.csv", path, path + ".sha256", path + ".sha512", path + ".asc"} {
			r := w.fetchWith("/.well-known/csaf/white/"+f, "")
			etag := r.Header.Get("ETag")
			if etag == "" || r.Header.Get("Last-Modified") == "" {
				t.Errorf("%s: ETag %q, Last-Modified %q", f, etag, r.Header.Get("Last-Modified"))
			}
			if again := w.fetchWith("/.well-known/csaf/white/"+f, "", "If-None-Match", etag); again.Code != 304 {
				t.Errorf("%s If-None-Match: %d", f, again.Code)
			}
			if again := w.fetchWith("/.well-known/csaf/white/"+f, "", "If-Modified-Since", r.Header.Get("Last-Modified")); again.Code != 304 {
				t.Errorf("%s If-Modified-Since: %d", f, again.Code)
			}
			if gz := w.fetchWith("/.well-known/csaf/white/"+f, "", "Accept-Encoding", "gzip"); gz.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("%s: no gzip", f)
			}
		}
		break
	}
	if ct := w.fetchWith("/.well-known/csaf/white/index.txt", "").Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("index.txt: %s", ct)
	}
	year := w.fetchWith("/.well-known/csaf/white/2026/", "")
	want(t, year, 200)
	for path := range docs {
		if !strings.Contains(year.Body, `href="`+filepath.Base(path)+`"`) {
			t.Errorf("the year listing lacks %s: %s", path, year.Body)
		}
	}
	// The green folder: signed-in readers and API tokens only.
	for _, path := range []string{"/.well-known/csaf/green/", "/.well-known/csaf/green/index.txt", "/.well-known/csaf/green/changes.csv",
		"/.well-known/csaf/green/2026/" + csaf.FileName(w.green)} {
		if r := w.fetchWith(path, ""); r.Code != 401 || strings.Contains(r.Body, w.green) {
			t.Errorf("%s read by nobody: %d %s", path, r.Code, r.Body)
		}
	}
	green := w.csafDocs("green", w.users["rival"].Token)
	if len(green) != 1 {
		t.Fatalf("green: %v", green)
	}
	for path, body := range green {
		validate(t, csafSchema, path, body)
		if !strings.Contains(body, `"label": "GREEN"`) || !strings.Contains(body, w.green) {
			t.Errorf("green document: %s", body)
		}
	}
	// Other folders do not exist; a document is in its own folder only.
	for _, path := range []string{"/.well-known/csaf/amber/index.txt", "/.well-known/csaf/red/", "/.well-known/csaf/white/2026/" + csaf.FileName(w.green),
		"/.well-known/csaf/white/2025/" + csaf.FileName(w.clear)} {
		if r := w.fetchWith(path, w.users["rival"].Token); r.Code != 404 {
			t.Errorf("%s: %d", path, r.Code)
		}
	}

	// Rotation: the new key signs, the earlier stays published.
	newFpr, earlier, err := w.svc.Provider.RotateCSAFKey(context.Background())
	if err != nil || len(earlier) != 1 || earlier[0] != fpr || newFpr == fpr {
		t.Fatalf("rotate: %s %v %v", newFpr, earlier, err)
	}
	pmd = validate(t, providerSchema, "provider-metadata.json", w.fetchWith("/.well-known/csaf/provider-metadata.json", "").Body)
	if ks := pmd["public_openpgp_keys"].([]any); len(ks) != 2 || ks[0].(map[string]any)["fingerprint"] != newFpr {
		t.Fatalf("keys after rotation: %v", ks)
	}
	newKey := w.fetchWith("/.well-known/csaf/openpgp/"+newFpr+".asc", "").Body
	for path, body := range docs {
		sig := w.fetchWith("/.well-known/csaf/white/"+path+".asc", "").Body
		if err := csaf.Verify([]byte(newKey), []byte(body), []byte(sig)); err != nil {
			t.Errorf("%s after rotation: %v", path, err)
		}
	}
}

// csafServed writes every CSAF document a world serves (white read by
// nobody, green signed in) into dir and returns their files.
func csafServed(t *testing.T, w *tlpWorld, dir string) []string {
	var files []string
	for folder, token := range map[string]string{"white": "", "green": w.users["rival"].Token} {
		for path, body := range w.csafDocs(folder, token) {
			f := filepath.Join(dir, folder+"-"+filepath.Base(path))
			if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	return files
}

// toolOrSkip returns the path of a validator, or skips the test when it is
// missing (fails under CI=true, where .ci/run installs it).
func toolOrSkip(t *testing.T, path, what string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed at %s (.ci/run's validators stage installs it)", what, path)
		}
		t.Skipf("%s is not installed at %s (.ci/run's validators stage installs it)", what, path)
	}
	return path
}

func cacheDir(env, sub string) string {
	if d := os.Getenv(env); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "docket", sub)
}

// TestCSAFValidatorLib runs @secvisogram/csaf-validator-lib on every CSAF
// document served: its strict schema, every mandatory test and every
// optional one but 6.2.3 report nothing.
func TestCSAFValidatorLib(t *testing.T) {
	lib := cacheDir("DOCKET_CSAF_VALIDATOR_DIR", "csaf-validator")
	toolOrSkip(t, filepath.Join(lib, "node_modules", "@secvisogram", "csaf-validator-lib", "validate.js"), "@secvisogram/csaf-validator-lib")
	w := newCSAFWorld(t, "https://docket.agency.example")
	dir := t.TempDir()
	files := csafServed(t, w, dir)
	// The validator finds what is wrong: beside them, a document with a TLP
	// label PURPLE must fail it (one run of node for all: it is slow to start).
	bad := filepath.Join(dir, "bad.json")
	body, _ := os.ReadFile(files[0])
	body = bytes.Replace(body, []byte(`"label": "WHITE"`), []byte(`"label": "PURPLE"`), 1)
	if err := os.WriteFile(bad, body, 0o600); err != nil {
		t.Fatal(err)
	}
	report := runCSAFValidator(t, lib, append(files, bad))
	if report.Tests < 40 {
		t.Fatalf("only %d tests ran", report.Tests)
	}
	if report.Files[bad].IsValid {
		t.Error("the validator accepts a TLP label PURPLE")
	}
	findings := 0
	for _, f := range files {
		r := report.Files[f]
		for _, x := range r.Findings {
			findings += len(x.Errors) + len(x.Warnings) + len(x.Infos)
			t.Errorf("%s: %s: errors %v, warnings %v, infos %v", filepath.Base(f), x.Name, x.Errors, x.Warnings, x.Infos)
		}
		if !r.IsValid {
			t.Errorf("%s is not valid", f)
		}
	}
	t.Logf("csaf-validator-lib: %d documents, %d tests each (schema, mandatory, optional but 6.2.3), %d findings", len(files), report.Tests, findings)
}

type csafValidatorReport struct {
	Tests int `json:"tests"`
	Files map[string]struct {
		IsValid  bool `json:"isValid"`
		Findings []struct {
			Name                    string
			Errors, Warnings, Infos []any
		} `json:"findings"`
	} `json:"files"`
}

func runCSAFValidator(t *testing.T, lib string, files []string) csafValidatorReport {
	t.Helper()
	out, err := exec.Command("node", append([]string{filepath.Join("testdata", "csaf", "validate.mjs"), lib}, files...)...).Output()
	if err != nil {
		t.Fatalf("csaf-validator-lib: %v: %s", err, out)
	}
	var r csafValidatorReport
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return r
}

// TestCSAFChecker runs gocsaf's csaf_checker (v3.7.0) against the provider
// behind a TLS server on 127.0.0.1 (a self-signed certificate, hence
// --insecure; signed in with an API token so that it reads the green folder
// too): the trusted provider's requirements are met. Then csaf_downloader
// fetches and validates every advisory.
func TestCSAFChecker(t *testing.T) {
	bin := cacheDir("DOCKET_CSAF_TOOLS", "csaf/bin")
	checker := toolOrSkip(t, filepath.Join(bin, "csaf_checker"), "csaf_checker (github.com/gocsaf/csaf/v3 v3.7.0)")
	downloader := toolOrSkip(t, filepath.Join(bin, "csaf_downloader"), "csaf_downloader (github.com/gocsaf/csaf/v3 v3.7.0)")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	domain := ln.Addr().String()
	w := newCSAFWorld(t, "https://"+domain)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: w.h, ReadHeaderTimeout: 5 * time.Second}}
	srv.StartTLS()
	defer srv.Close()
	auth := "Authorization: Bearer " + w.users["rival"].Token

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, checker, "--insecure", "--format", "json", "-H", auth, domain).Output()
	if err != nil {
		t.Fatalf("csaf_checker: %v\n%s", err, out)
	}
	var report struct {
		Domains []struct {
			Passed       bool   `json:"passed"`
			Role         string `json:"role"`
			Requirements []struct {
				Num         int    `json:"num"`
				Description string `json:"description"`
				Messages    []struct {
					Type int    `json:"type"`
					Text string `json:"text"`
				} `json:"messages"`
			} `json:"requirements"`
		} `json:"domains"`
	}
	if err := json.Unmarshal(out, &report); err != nil || len(report.Domains) != 1 {
		t.Fatalf("report: %v\n%s", err, out)
	}
	d := report.Domains[0]
	// The requirements a trusted provider with a directory distribution
	// meets (CSAF 2.0 section 7): 10 (the DNS path) and 15-17 (ROLIE) are
	// the alternatives it does not take, whose errors say only that.
	required := map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true,
		11: true, 12: true, 13: true, 14: true, 18: true, 19: true, 20: true}
	counts, other := map[int]int{}, 0
	for _, req := range d.Requirements {
		for _, m := range req.Messages {
			if !required[req.Num] {
				other++
				continue
			}
			counts[m.Type]++
			if m.Type >= 1 {
				t.Logf("requirement %d (%s): %s", req.Num, req.Description, m.Text)
			}
			if m.Type == 2 {
				t.Errorf("requirement %d (%s): %s", req.Num, req.Description, m.Text)
			}
		}
	}
	t.Logf("csaf_checker: role %s, passed %v; requirements 1-9, 11-14, 18-20: %d errors, %d warnings, %d infos; %d messages of the alternatives not taken (10, 15-17)",
		d.Role, d.Passed, counts[2], counts[1], counts[0], other)
	if !d.Passed || d.Role != "csaf_trusted_provider" {
		t.Errorf("the provider did not pass as a trusted provider:\n%s", out)
	}

	dir := t.TempDir()
	dl, err := exec.CommandContext(ctx, downloader, "--insecure", "-H", auth, "-d", dir, domain).CombinedOutput()
	if err != nil {
		t.Fatalf("csaf_downloader: %v\n%s", err, dl)
	}
	var got []string
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".json") {
			got = append(got, p)
		}
		return nil
	})
	if len(got) != 3 {
		t.Errorf("csaf_downloader kept %d advisories, want 3: %v\n%s", len(got), got, dl)
	}
	t.Logf("csaf_downloader: %d advisories fetched, checked and kept", len(got))
}
