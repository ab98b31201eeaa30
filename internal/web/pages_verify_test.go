package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestVerifyPage: a signed-out visitor checks statements at /verify, pasted
// or as a file, and reads in plain words whether each is genuine and still
// the last word; the page loads the browser's own check as a script file.
func TestVerifyPage(t *testing.T) {
	w, _, lapse, decision := statementWorld(t)
	b := w.browser() // signed out
	p := b.get("/verify")
	wantPage(t, p, 200)
	p.has(t, "Verify a review statement", "No account is needed")
	if !strings.Contains(p.Body, `<script src="/static/verify.js" defer></script>`) || strings.Contains(p.Body, "<script>") {
		t.Error("the page's script is not its own file")
	}

	p = b.do(http.MethodPost, "/verify", url.Values{"statement": {decision}})
	wantPage(t, p, 200)
	p.has(t, "Valid: issued by Office of AI Review on 4 July 2026 for Model in_review 1.0 (sha256:",
		"): decided, mitigations requested.", "This is the latest statement for DKT-2026-0001.", "Decided by lead.",
		"Conditions: Ship with the code tool's host mounts disabled.")
	if !strings.Contains(p.Body, `data-server-valid="true"`) {
		t.Error("the browser check is not told the server's answer")
	}

	p = b.do(http.MethodPost, "/verify", url.Values{"statement": {lapse}})
	p.has(t, "Valid: issued by Office of AI Review", "lapsed: the review window ended without a decision.",
		"A later statement supersedes it: DKT-2026-0001 has a decision statement issued on")

	parts := strings.Split(decision, ".")
	sig := []byte(parts[2])
	sig[5] ^= 2
	p = b.do(http.MethodPost, "/verify", url.Values{"statement": {parts[0] + "." + parts[1] + "." + string(sig)}})
	wantPage(t, p, 200)
	p.has(t, "Not valid: the signature does not verify with key")
	if !strings.Contains(p.Body, `data-server-valid="false"`) {
		t.Error("the browser check is not told the server's answer")
	}
	p = b.do(http.MethodPost, "/verify", url.Values{"statement": {""}})
	wantPage(t, p, 422)
	p.has(t, "Paste a statement, or choose its file")

	// As a file.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "DKT-2026-0001-decision-statement.jws")
	_, _ = fw.Write([]byte(decision + "\n"))
	_ = mw.WriteField("statement", "")
	_ = mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/verify", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "This is the latest statement for DKT-2026-0001.") {
		t.Errorf("a file: %d %.500s", rec.Code, rec.Body.String())
	}
	// Bounded.
	p = b.do(http.MethodPost, "/verify", url.Values{"statement": {strings.Repeat("a", 80<<10)}})
	if p.Code != 413 {
		t.Errorf("80 KiB: %d", p.Code)
	}
}
