package web_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/statement"
)

// verifyFrom posts to /api/v1/statements/verify from a client address, signed out.
func (ts *testServer) verifyFrom(addr string, body any) response {
	ts.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	default:
		raw, _ = json.Marshal(b)
	}
	req := httptest.NewRequest(http.MethodPost, "/api/v1/statements/verify", bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = addr
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	return response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.String(), t: ts.t}
}

// statementWorld is a case that lapsed and was then decided: two statements,
// the lapse superseded by the decision.
func statementWorld(t *testing.T) (w *world, caseID, lapse, decision string) {
	w = newWorld(t, func(c *config.Config) {
		c.BaseURL = "https://docket.agency.example"
		c.Agency.Name = "Office of AI Review"
	})
	w.clock.Set(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC))
	caseID = w.caseIn("in_review").caseID
	path := "/api/v1/cases/" + caseID
	want(t, w.as("lab", "POST", path+"/amendments", map[string]any{"planned_release_date": "2026-09-01"}), 201)
	due, _ := time.Parse(time.RFC3339, clockOf(w.get("lead", path))["due_at"].(string))
	w.clock.Set(due.Add(time.Hour))
	w.sweep()
	lapse = w.get("lab", path+"/statement")["statement"].(string)
	w.clock.Advance(24 * time.Hour)
	want(t, w.as("lead", "POST", path+"/decision", map[string]any{"outcome": "mitigations_requested", "rationale": "See conditions.",
		"conditions": "Ship with the code tool's host mounts disabled."}), 200)
	decision = w.get("lab", path+"/statement")["statement"].(string)
	return w, caseID, lapse, decision
}

// TestVerifyStatementAPI: anyone checks a statement without signing in: a
// genuine one is valid and current, with the claims a contracting officer
// needs; the lapse a decision followed is superseded; a changed byte, an
// unknown key and a malformed token say why they fail; bodies are bounded,
// requests limited per address, and nothing is written.
func TestVerifyStatementAPI(t *testing.T) {
	w, caseID, lapse, decision := statementWorld(t)
	auditBefore := w.get("co", "/api/v1/audit?limit=200")
	const me = "198.51.100.7:4000"

	r := w.verifyFrom(me, map[string]any{"statement": decision})
	want(t, r, 200)
	v := r.JSON()
	c := v["claims"].(map[string]any)
	if v["valid"] != true || v["status"] != "current" || v["kid"] == nil || v["superseded_by"] != nil || v["reason"] != nil {
		t.Fatalf("the decision: %s", r.Body)
	}
	lapseClaims, err := statement.Verify(lapse, w.jwks())
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]any{"iss": "https://docket.agency.example", "agency": "Office of AI Review", "case_id": caseID,
		"case_url": "https://docket.agency.example/cases/" + caseID, "planned_release_date": "2026-09-01", "decided_by": "lead",
		"conditions": "Ship with the code tool's host mounts disabled.", "supersedes": lapseClaims.ID, "kind": "decision"} {
		if c[name] != want {
			t.Errorf("claim %s: %v, want %v", name, c[name], want)
		}
	}
	if ev, ok := c["evaluations"].([]any); !ok || len(ev) != 0 {
		t.Errorf("evaluations: %v", c["evaluations"])
	}

	r = w.verifyFrom(me, map[string]any{"statement": lapse})
	v = r.JSON()
	sb, _ := v["superseded_by"].(map[string]any)
	if v["valid"] != true || v["status"] != "superseded" || sb["kind"] != "decision" || sb["issued_at"] == nil {
		t.Fatalf("the lapse: %s", r.Body)
	}
	if lc := v["claims"].(map[string]any); lc["supersedes"] != nil || lc["decided_by"] != nil {
		t.Errorf("the lapse's claims: %v", lc)
	}

	// Why not: a changed byte, a key Docket never published, not a JWS.
	parts := strings.Split(decision, ".")
	payload := []byte(parts[1])
	payload[10] ^= 1
	changed := parts[0] + "." + string(payload) + "." + parts[2]
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	forged, err := statement.Sign(*lapseClaims, statement.Thumbprint(pub), priv)
	if err != nil {
		t.Fatal(err)
	}
	for token, reason := range map[string]string{changed: "", forged: "is not in the JWKS", "not-a-statement": "not a JWS"} {
		r := w.verifyFrom(me, map[string]any{"statement": token})
		want(t, r, 200)
		v := r.JSON()
		if v["valid"] != false || v["status"] != "unknown" || v["claims"] != nil || !strings.Contains(v["reason"].(string), reason) {
			t.Errorf("%.20s…: %s", token, r.Body)
		}
	}
	// Bounded and strict.
	if r := w.verifyFrom(me, map[string]any{"statement": strings.Repeat("a", 70<<10)}); r.Code != 413 {
		t.Errorf("70 KiB: %d %s", r.Code, r.Body)
	}
	if r := w.verifyFrom(me, map[string]any{}); r.Code != 422 || r.ErrorField() != "statement" {
		t.Errorf("no statement: %d %s", r.Code, r.Body)
	}
	if r := w.verifyFrom(me, map[string]any{"statement": decision, "case": "x"}); r.Code != 400 || r.ErrorField() != "case" {
		t.Errorf("an unknown field: %d %s", r.Code, r.Body)
	}
	// Nothing written: the audit trail is as it was.
	if after := w.get("co", "/api/v1/audit?limit=200"); len(after["items"].([]any)) != len(auditBefore["items"].([]any)) {
		t.Errorf("verifying wrote %d audit events", len(after["items"].([]any))-len(auditBefore["items"].([]any)))
	}

	// Limited per client address: a burst, then 429; another address is not held up.
	limited := 0
	for range 40 {
		if r := w.verifyFrom(me, map[string]any{"statement": decision}); r.Code == 429 {
			limited++
			if r.ErrorCode() != "rate_limited" || r.Header.Get("Retry-After") == "" {
				t.Fatalf("429: %v %s", r.Header, r.Body)
			}
		}
	}
	if limited < 10 {
		t.Errorf("only %d of 40 quick verifications from one address were limited", limited)
	}
	if r := w.verifyFrom("203.0.113.9:5000", map[string]any{"statement": decision}); r.Code != 200 {
		t.Errorf("another address: %d", r.Code)
	}
}
