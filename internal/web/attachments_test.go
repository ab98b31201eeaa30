package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
)

// multipartBody builds an upload: the file part (its name sent RFC 2231
// encoded, so that any byte survives the header) and, unless empty, kind.
func multipartBody(kind, name string, content []byte) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename*=UTF-8''`+rfc2231(name))
	h.Set("Content-Type", "application/octet-stream")
	part, _ := mw.CreatePart(h)
	_, _ = part.Write(content)
	if kind != "" {
		_ = mw.WriteField("kind", kind)
	}
	_ = mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// rfc2231 percent-encodes every byte of s but the attribute characters.
func rfc2231(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// upload posts a file as a multipart form, as a named user.
func (ts *testServer) upload(user, path, kind, name string, content []byte) response {
	ts.t.Helper()
	ct, body := multipartBody(kind, name, content)
	ts.clock.Advance(time.Millisecond) // lists order by creation
	return ts.sendRaw(user, path, ct, bytes.NewReader(body))
}

// sendRaw posts a raw body with a content type, as a named user.
func (ts *testServer) sendRaw(user, path, contentType string, body io.Reader) response {
	ts.t.Helper()
	req := httptest.NewRequest("POST", path, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+ts.users[user].Token)
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	return response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String(), t: ts.t}
}

// attachmentFiles lists the attachments directory: every entry, temporary ones included.
func (ts *testServer) attachmentFiles() []string {
	ts.t.Helper()
	entries, err := os.ReadDir(filepath.Join(ts.cfg.DataDir, "attachments"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		ts.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// attachmentRows counts the attachment rows of a case, findings' included.
func (ts *testServer) attachmentRows(caseID string) int {
	ts.t.Helper()
	var n int
	err := ts.store.Read(context.Background(), func(tx app.Tx) error {
		list, err := tx.ListAttachments(caseID, true)
		n = len(list)
		return err
	})
	if err != nil {
		ts.t.Fatal(err)
	}
	return n
}

var samplePDF = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func TestUploadAndDownload(t *testing.T) {
	w := newWorld(t)
	caseID := w.caseIn("in_review").caseID
	r := w.upload("lab", "/api/v1/cases/"+caseID+"/attachments", "model_card", "Atlas model card.pdf", samplePDF)
	want(t, r, 201)
	m := r.JSON()
	sum := sha256.Sum256(samplePDF)
	if m["name"] != "Atlas model card.pdf" || m["kind"] != "model_card" || m["size"] != float64(len(samplePDF)) ||
		m["content_type"] != "application/pdf" || m["sha256"] != "sha256:"+hex.EncodeToString(sum[:]) ||
		m["case_id"] != caseID || m["finding_id"] != nil || m["uploaded_by"] != w.users["lab"].ID {
		t.Fatalf("metadata: %s", r.Body)
	}
	id := idOf(r)
	// Stored under its generated id, privately, and nothing else is left.
	files := w.attachmentFiles()
	if len(files) != 1 || files[0] != id {
		t.Fatalf("files %v, want [%s]", files, id)
	}
	for path, mode := range map[string]os.FileMode{filepath.Join(w.cfg.DataDir, "attachments"): 0o700, filepath.Join(w.cfg.DataDir, "attachments", id): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: mode %v, want %v (%v)", path, fi.Mode().Perm(), mode, err)
		}
	}
	got := w.get("rev", "/api/v1/attachments/"+id)
	if got["sha256"] != m["sha256"] || got["name"] != m["name"] {
		t.Fatalf("GET metadata: %v", got)
	}
	d := w.as("rev", "GET", "/api/v1/attachments/"+id+"/content", nil)
	want(t, d, 200)
	if d.Body != string(samplePDF) {
		t.Fatalf("content differs: %q", d.Body)
	}
	for header, value := range map[string]string{
		"Content-Type":           "application/pdf",
		"Content-Disposition":    "attachment; filename*=UTF-8''Atlas%20model%20card.pdf",
		"X-Content-Type-Options": "nosniff",
	} {
		if d.Header.Get(header) != value {
			t.Errorf("%s: %q, want %q", header, d.Header.Get(header), value)
		}
	}
	for user, code := range map[string]int{"lab": 200, "lab2": 200, "rev": 200, "lead": 200, "rival": 404,
		"rev2": 404, "co": 403, "admin": 404} {
		for _, p := range []string{"/api/v1/attachments/" + id, "/api/v1/attachments/" + id + "/content"} {
			if r := w.as(user, "GET", p, nil); r.Code != code {
				t.Errorf("%s GET %s: %d, want %d", user, p, r.Code, code)
			}
		}
	}
	// The audit event keeps metadata and hashes only.
	trail := w.as("lead", "GET", "/api/v1/cases/"+caseID+"/audit?limit=200", nil)
	want(t, trail, 200)
	if !strings.Contains(trail.Body, `"attachment.created"`) || strings.Contains(trail.Body, "Atlas model card") {
		t.Fatalf("audit: %s", trail.Body)
	}
}

func TestUploadAccess(t *testing.T) {
	w := newWorld(t)
	w.addUser("lead2", "review_lead", "Agency")
	caseID := w.caseIn("in_review").caseID
	path := "/api/v1/cases/" + caseID + "/attachments"
	for user, code := range map[string]int{"lab": 201, "lab2": 201, "rival": 404, "rev": 201, "rev2": 404,
		"lead": 201, "lead2": 409, "co": 403, "admin": 404} {
		if r := w.upload(user, path, "other", "notes.txt", []byte("notes by "+user+"\n")); r.Code != code {
			t.Errorf("%s uploads: %d, want %d: %s", user, r.Code, code, r.Body)
		}
	}
	// A lab attaches to its draft; deleting the draft removes the file.
	draft := w.caseIn("draft").caseID
	r := w.upload("lab", "/api/v1/cases/"+draft+"/attachments", "system_card", "card.md", []byte("# Card\n"))
	want(t, r, 201)
	want(t, w.as("lead", "GET", "/api/v1/attachments/"+idOf(r), nil), 404)
	before := len(w.attachmentFiles())
	want(t, w.as("lab", "DELETE", "/api/v1/cases/"+draft, nil), 204)
	if after := w.attachmentFiles(); len(after) != before-1 || strings.Contains(strings.Join(after, ","), idOf(r)) {
		t.Errorf("files after deleting the draft: %v", after)
	}

	// Findings: whoever sees an open finding attaches; the lab sees what is shared with it.
	draftF := w.finding(caseID, "rev", "draft", findingBody("high", "TLP:AMBER"))
	agencyEv := w.upload("rev", "/api/v1/findings/"+draftF+"/attachments", "evidence", "log.txt", []byte("log\n"))
	want(t, agencyEv, 201)
	if agencyEv.JSON()["finding_id"] != draftF {
		t.Fatalf("finding attachment: %s", agencyEv.Body)
	}
	want(t, w.upload("lab", "/api/v1/findings/"+draftF+"/attachments", "evidence", "x.txt", []byte("x")), 404)
	want(t, w.as("lab", "GET", "/api/v1/attachments/"+idOf(agencyEv), nil), 404)
	want(t, w.as("lead", "POST", "/api/v1/findings/"+draftF+"/share", nil), 200)
	want(t, w.as("lab", "GET", "/api/v1/attachments/"+idOf(agencyEv)+"/content", nil), 200)
	labEv := w.upload("lab", "/api/v1/findings/"+draftF+"/attachments", "eval_report", "retest.md", []byte("# Retest\nAll fixed.\n"))
	want(t, labEv, 201)
	f := w.get("lead", "/api/v1/findings/"+draftF)
	if atts := f["attachments"].([]any); len(atts) != 2 || atts[1].(map[string]any)["id"] != idOf(labEv) {
		t.Fatalf("the finding's attachments: %v", f["attachments"])
	}
	want(t, w.upload("co", "/api/v1/findings/"+draftF+"/attachments", "evidence", "x.txt", []byte("x")), 403)
	want(t, w.upload("rival", "/api/v1/findings/"+draftF+"/attachments", "evidence", "x.txt", []byte("x")), 404)
	want(t, w.as("lead", "POST", "/api/v1/findings/"+draftF+"/resolve", map[string]any{"resolution": "resolved", "note": "Fixed."}), 200)
	r = w.upload("lab", "/api/v1/findings/"+draftF+"/attachments", "evidence", "late.txt", []byte("late"))
	if r.Code != 409 || !strings.Contains(r.Body, "the finding is resolved") {
		t.Errorf("attach to a resolved finding: %d %s", r.Code, r.Body)
	}
	// Bad forms.
	for name, c := range map[string]struct {
		ct    string
		body  string
		code  int
		field string
	}{
		"json":         {"application/json", `{"file":"x"}`, 415, ""},
		"no boundary":  {"multipart/form-data", "x", 415, ""},
		"garbage":      {"multipart/form-data; boundary=XX", "not multipart", 400, ""},
		"no file":      {"multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nother\r\n--XX--\r\n", 422, "file"},
		"unknown part": {"multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"status\"\r\n\r\nx\r\n--XX--\r\n", 400, "status"},
	} {
		if r := w.sendRaw("lab", path, c.ct, strings.NewReader(c.body)); r.Code != c.code || c.field != "" && r.ErrorField() != c.field {
			t.Errorf("%s: %d %s", name, r.Code, r.Body)
		}
	}
	for kind, code := range map[string]int{"": 422, "manifesto": 422, strings.Repeat("k", 100): 422, "eval_report": 201} {
		r := w.upload("lab", path, kind, "k.txt", []byte("k"))
		if r.Code != code || code == 422 && r.ErrorField() != "kind" {
			t.Errorf("kind %q: %d %s", kind, r.Code, r.Body)
		}
	}
	// Two files in one form.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i < 2; i++ {
		fw, _ := mw.CreateFormFile("file", fmt.Sprintf("f%d.txt", i))
		_, _ = fw.Write([]byte("x"))
	}
	_ = mw.WriteField("kind", "other")
	_ = mw.Close()
	if r := w.sendRaw("lab", path, mw.FormDataContentType(), &buf); r.Code != 400 || r.ErrorField() != "file" {
		t.Errorf("two files: %d %s", r.Code, r.Body)
	}
	for _, f := range w.attachmentFiles() {
		if _, err := uuid.Parse(f); err != nil {
			t.Errorf("a file not named by an attachment id is left: %s", f)
		}
	}
}

// countingReader counts what the server reads of a request body.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestUploadSizeLimit(t *testing.T) {
	const limit = 4096
	w := newWorld(t, func(c *config.Config) { c.Uploads.MaxBytes = limit })
	caseID := w.caseIn("in_review").caseID
	path := "/api/v1/cases/" + caseID + "/attachments"
	text := func(n int) []byte { return bytes.Repeat([]byte("a"), n) }

	r := w.upload("lab", path, "other", "exact.txt", text(limit))
	want(t, r, 201)
	if r.JSON()["size"] != float64(limit) {
		t.Fatalf("size %v", r.JSON()["size"])
	}
	kept := w.attachmentFiles()
	audit := len(w.get("lead", "/api/v1/cases/"+caseID+"/audit?limit=200")["items"].([]any))

	for name, n := range map[string]int{"one byte over": limit + 1, "twice the limit": 2 * limit, "past the allowance": limit + 200<<10} {
		r := w.upload("lab", path, "other", "big.txt", text(n))
		if r.Code != 413 || !strings.Contains(r.Body, `"too_large"`) {
			t.Errorf("%s: %d %s", name, r.Code, r.Body)
		}
		// Nothing kept: no file, temporary or not, and no row, no event.
		if files := w.attachmentFiles(); strings.Join(files, ",") != strings.Join(kept, ",") {
			t.Errorf("%s: files %v, want %v", name, files, kept)
		}
		if n := w.attachmentRows(caseID); n != 1 {
			t.Errorf("%s: %d rows", name, n)
		}
		if n := len(w.get("lead", "/api/v1/cases/"+caseID+"/audit?limit=200")["items"].([]any)); n != audit {
			t.Errorf("%s: %d audit events, want %d", name, n, audit)
		}
	}
	// A huge body is cut off early, not read whole.
	ct, body := multipartBody("other", "huge.txt", text(8<<20))
	cr := &countingReader{r: bytes.NewReader(body)}
	if r := w.sendRaw("lab", path, ct, cr); r.Code != 413 {
		t.Fatalf("huge: %d %s", r.Code, r.Body)
	}
	if cr.n > limit+128<<10 {
		t.Errorf("the server read %d bytes of an 8 MiB body with a %d-byte limit", cr.n, limit)
	}
	// So is a body whose preamble alone is past the limit and the allowance.
	ct, body = multipartBody("other", "small.txt", text(10))
	preamble := bytes.Repeat([]byte(strings.Repeat("p", 99)+"\n"), 80<<10) // 8 MB in short lines
	cr = &countingReader{r: io.MultiReader(bytes.NewReader(preamble), bytes.NewReader(body))}
	if r := w.sendRaw("lab", path, ct, cr); r.Code != 413 {
		t.Fatalf("huge preamble: %d %s", r.Code, r.Body)
	}
	if cr.n > limit+128<<10 {
		t.Errorf("the server read %d bytes of an 8 MiB preamble with a %d-byte limit", cr.n, limit)
	}
	// The limit holds for finding attachments too.
	f := w.finding(caseID, "rev", "draft", findingBody("low", "TLP:CLEAR"))
	want(t, w.upload("rev", "/api/v1/findings/"+f+"/attachments", "evidence", "big.txt", text(limit+1)), 413)
	if n := w.attachmentRows(caseID); n != 1 {
		t.Errorf("%d rows after a finding upload over the limit", n)
	}
}

func TestUploadNamesAreCleaned(t *testing.T) {
	w := newWorld(t)
	caseID := w.caseIn("in_review").caseID
	long := strings.Repeat("n", 1024) + ".md"
	cases := []struct {
		sent, shown string
	}{
		{"../x", "x"},
		{"..\\x", "x"},
		{"../../../../etc/passwd", "passwd"},
		{"C:\\Users\\lab\\..\\report.md", "report.md"},
		{"a\x00b.md", "ab.md"},
		{"line\r\nbreak.md", "linebreak.md"},
		{"invoice\u202Efdp.md", "invoicefdp.md"},
		{"\u2066isolate\u2069.md", "isolate.md"},
		{long, strings.Repeat("n", 200)},
		{"..", "attachment"},
		{"../", "attachment"},
		{"", "attachment"},
		{"\x00", "attachment"},
		{"résumé ✓.md", "résumé ✓.md"},
	}
	for _, c := range cases {
		r := w.upload("lab", "/api/v1/cases/"+caseID+"/attachments", "evidence", c.sent, []byte("text\n"))
		want(t, r, 201)
		id := idOf(r)
		if r.JSON()["name"] != c.shown {
			t.Errorf("%q shown as %q, want %q", c.sent, r.JSON()["name"], c.shown)
		}
		d := w.as("lab", "GET", "/api/v1/attachments/"+id+"/content", nil)
		want(t, d, 200)
		cd := d.Header.Get("Content-Disposition")
		if !strings.HasPrefix(cd, "attachment; filename*=UTF-8''") {
			t.Errorf("%q: Content-Disposition %q", c.sent, cd)
		}
		if enc := strings.TrimPrefix(cd, "attachment; filename*=UTF-8''"); strings.ContainsAny(enc, " \"';/\\\r\n") {
			t.Errorf("%q: the name is not fully encoded: %q", c.sent, enc)
		} else if dec, err := url.PathUnescape(enc); err != nil || dec != c.shown {
			t.Errorf("%q: Content-Disposition names %q, want %q", c.sent, dec, c.shown)
		}
	}
	// Every file is named by a generated id; the client's names are nowhere on disk.
	files := w.attachmentFiles()
	if len(files) != len(cases) {
		t.Fatalf("%d files for %d uploads", len(files), len(cases))
	}
	for _, f := range files {
		if _, err := uuid.Parse(f); err != nil {
			t.Errorf("file %q is not named by an id", f)
		}
	}
	if _, err := os.Stat(filepath.Join(w.cfg.DataDir, "x")); !os.IsNotExist(err) {
		t.Error("a traversal name reached the data directory")
	}
}

func TestUploadTypeIsSniffedFromTheContent(t *testing.T) {
	w := newWorld(t)
	caseID := w.caseIn("in_review").caseID
	elf := append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 64)...)
	mz := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 64)...)
	cases := []struct {
		name    string
		file    string
		content []byte
		code    int
		ct      string
	}{
		{"pdf", "report.pdf", samplePDF, 201, "application/pdf"},
		{"pdf named .txt", "report.txt", samplePDF, 201, "application/pdf"},
		{"plain text", "notes.txt", []byte("Plain notes.\nLine two.\n"), 201, "text/plain; charset=utf-8"},
		{"text without a name", "", []byte("Plain notes.\n"), 201, "text/plain; charset=utf-8"},
		{"markdown", "card.md", []byte("# Model card\n\n- item\n"), 201, "text/markdown; charset=utf-8"},
		{"json", "results.json", []byte(`{"benchmark": "cyber-range", "score": 0.41, "runs": [1, 2]}`), 201, "application/json"},
		{"json without the extension", "results", []byte("[1, 2, 3]\n"), 201, "application/json"},
		{"broken json", "results.json", []byte(`{"score": `), 201, "text/plain; charset=utf-8"},
		{"csv", "scores.csv", []byte("challenge,solved\nweb-1,true\n"), 201, "text/csv; charset=utf-8"},
		{"utf-8 text", "notes.txt", []byte("Évaluation — résultats ✓\n"), 201, "text/plain; charset=utf-8"},
		{"html", "report.md", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), 415, ""},
		{"html after spaces", "report.txt", []byte("\n  <html><body>hi</body></html>"), 415, ""},
		{"a script tag", "x.txt", []byte("<script>alert(document.cookie)</script>"), 415, ""},
		{"svg", "logo.md", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), 415, ""},
		{"xml", "data.json", []byte(`<?xml version="1.0"?><x/>`), 415, ""},
		{"shell script", "run.txt", []byte("#!/bin/sh\nrm -rf /\n"), 415, ""},
		{"ELF named .pdf", "model-card.pdf", elf, 415, ""},
		{"MZ named .pdf", "model-card.pdf", mz, 415, ""},
		{"Mach-O", "tool.pdf", append([]byte{0xcf, 0xfa, 0xed, 0xfe}, make([]byte, 32)...), 415, ""},
		{"zip", "evals.csv", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), 415, ""},
		{"gzip", "evals.txt", []byte{0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00}, 415, ""},
		{"invalid utf-8", "notes.txt", []byte("caf\xe9 au lait\n"), 415, ""},
		{"text with NUL", "notes.txt", []byte("abc\x00def"), 415, ""},
		{"truncated utf-8", "notes.txt", []byte("ends in \xe2\x9c"), 415, ""},
		{"png", "chart.pdf", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 415, ""},
		{"empty", "empty.txt", nil, 422, ""},
	}
	rows := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w.t = t
			r := w.upload("lab", "/api/v1/cases/"+caseID+"/attachments", "evidence", c.file, c.content)
			if r.Code != c.code {
				t.Fatalf("want %d, got %d: %s", c.code, r.Code, r.Body)
			}
			if c.code != 201 {
				if n := w.attachmentRows(caseID); n != rows {
					t.Fatalf("%d rows after a refused upload, want %d", n, rows)
				}
				if files := w.attachmentFiles(); len(files) != rows {
					t.Fatalf("files %v after a refused upload", files)
				}
				return
			}
			rows++
			if r.JSON()["content_type"] != c.ct {
				t.Fatalf("content type %v, want %s", r.JSON()["content_type"], c.ct)
			}
			d := w.as("lab", "GET", "/api/v1/attachments/"+idOf(r)+"/content", nil)
			want(t, d, 200)
			if d.Header.Get("Content-Type") != c.ct || d.Body != string(c.content) {
				t.Fatalf("download: %q %q", d.Header.Get("Content-Type"), d.Body)
			}
		})
	}
}

// A file altered or lost behind Docket's back is never served.
func TestDownloadChecksTheHash(t *testing.T) {
	w := newWorld(t)
	caseID := w.caseIn("in_review").caseID
	content := []byte("# Evaluation\n\nSolved 9 of 40.\n")
	r := w.upload("lab", "/api/v1/cases/"+caseID+"/attachments", "eval_report", "eval.md", content)
	want(t, r, 201)
	id := idOf(r)
	file := filepath.Join(w.cfg.DataDir, "attachments", id)
	for name, altered := range map[string][]byte{
		"a changed byte": []byte("# Evaluation\n\nSolved 39 of 40\n"),
		"appended":       append(append([]byte{}, content...), "extra"...),
		"truncated":      content[:10],
	} {
		if err := os.WriteFile(file, altered, 0o600); err != nil {
			t.Fatal(err)
		}
		d := w.as("lab", "GET", "/api/v1/attachments/"+id+"/content", nil)
		if d.Code != 500 || strings.Contains(d.Body, "Solved") || d.Header.Get("Content-Disposition") != "" {
			t.Errorf("%s: %d %q %v", name, d.Code, d.Body, d.Header)
		}
		if !strings.Contains(d.Body, "request_id") {
			t.Errorf("%s: the 500 carries no request id: %s", name, d.Body)
		}
	}
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if d := w.as("lab", "GET", "/api/v1/attachments/"+id+"/content", nil); d.Code != 500 {
		t.Errorf("lost file: %d %s", d.Code, d.Body)
	}
	// The metadata still answers; the bytes come back when the file does.
	want(t, w.as("lab", "GET", "/api/v1/attachments/"+id, nil), 200)
	if err := os.WriteFile(file, content, 0o600); err != nil {
		t.Fatal(err)
	}
	want(t, w.as("lab", "GET", "/api/v1/attachments/"+id+"/content", nil), 200)
}
