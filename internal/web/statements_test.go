package web_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/statement"
)

// jwks fetches the published key set, as anyone may.
func (w *world) jwks() statement.JWKS {
	w.t.Helper()
	r := w.do("GET", "/.well-known/jwks.json", "", nil)
	want(w.t, r, 200)
	set, err := statement.ParseJWKS([]byte(r.Body))
	if err != nil {
		w.t.Fatal(err)
	}
	return set
}

func TestDecisionStatementVerifies(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC))
	id := w.caseIn("in_review").caseID
	path := "/api/v1/cases/" + id
	if r := w.as("lab", "GET", path+"/statement", nil); r.Code != 404 || !strings.Contains(r.Body, "statement not found") {
		t.Fatalf("before the decision: %d %s", r.Code, r.Body)
	}
	w.clock.Set(time.Date(2026, 6, 20, 14, 0, 0, 0, time.UTC))
	want(t, w.as("lead", "POST", path+"/decision", map[string]any{"outcome": "mitigations_requested", "rationale": "See conditions."}), 200)

	// Who reads it: the lab and every agency role that sees the case.
	for user, code := range map[string]int{"lab": 200, "lab2": 200, "rev": 200, "lead": 200, "co": 200, "rival": 404, "rev2": 404, "admin": 404} {
		if r := w.as(user, "GET", path+"/statement", nil); r.Code != code {
			t.Errorf("statement as %s: %d %s", user, r.Code, r.Body)
		}
	}
	st := w.get("lab", path+"/statement")
	token := st["statement"].(string)
	if st["kind"] != "decision" || st["case_id"] != id || st["issued_at"] != "2026-06-20T14:00:00.000Z" {
		t.Fatalf("statement: %v", st)
	}

	// Valid with the public key alone: the key set the agency publishes.
	set := w.jwks()
	if len(set.Keys) != 1 || set.Keys[0].Kid != st["kid"] || set.Keys[0].Kty != "OKP" || set.Keys[0].Crv != "Ed25519" {
		t.Fatalf("jwks: %+v", set)
	}
	c, err := statement.Verify(token, set)
	if err != nil {
		t.Fatal(err)
	}
	k := w.get("lead", path+"/clock")
	if c.Kind != "decision" || c.CaseNumber != "DKT-2026-0001" || c.Lab != "Frontier Labs" || c.Model != "Model in_review" ||
		c.Version != "1.0" || c.WeightsDigest != "sha256:"+strings.Repeat("ab", 32) || c.Outcome != "mitigations_requested" ||
		c.ReceivedAt != "2026-06-02T18:00:00.000Z" || c.BaseDueAt != k["base_due_at"] || c.DueAt != k["due_at"] ||
		c.DecidedAt != "2026-06-20T14:00:00.000Z" || c.DaysElapsed != 18 || len(c.Stops) != 1 || c.Stops[0].Reason != "information request" ||
		c.StoppedSeconds != 0 || c.Subject != c.CaseNumber || c.Issuer == "" || c.ID == "" {
		t.Fatalf("claims: %+v", c)
	}

	// One changed byte anywhere fails.
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(token); i++ {
		b := []byte(token)
		for _, x := range []byte(alphabet + ".") {
			if x != b[i] {
				b[i] = x
				break
			}
		}
		if _, err := statement.Verify(string(b), set); err == nil {
			t.Fatalf("a statement changed at byte %d verifies", i)
		}
	}
	// Another key under the same kid fails; a key set without the kid fails.
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	other := statement.JWKS{Keys: []statement.JWK{statement.PublicJWK(set.Keys[0].Kid, pub)}}
	if _, err := statement.Verify(token, other); err == nil || !strings.Contains(err.Error(), "signature does not verify") {
		t.Fatalf("another key: %v", err)
	}
	if _, err := statement.Verify(token, statement.JWKS{Keys: []statement.JWK{statement.PublicJWK("someone-else", pub)}}); err == nil ||
		!strings.Contains(err.Error(), "is not in the JWKS") {
		t.Fatalf("missing kid: %v", err)
	}

	// The page route downloads it.
	b := w.pageAs("lab")
	p := b.get("/cases/" + id + "/statement")
	if p.Code != 200 || p.Body != token || !strings.HasPrefix(p.Header.Get("Content-Disposition"), "attachment") ||
		p.Header.Get("Content-Type") != "application/jose" {
		t.Fatalf("download: %d %v %q", p.Code, p.Header, p.Body)
	}
	if p := w.pageAs("rival").get("/cases/" + id + "/statement"); p.Code != 404 {
		t.Fatalf("another lab downloads it: %d", p.Code)
	}
}

// A key rotation: statements signed before it still verify through the
// published key set, and new ones name the new key.
func TestStatementsSurviveKeyRotation(t *testing.T) {
	w := newWorld(t)
	first := w.caseIn("decided").caseID
	before := w.get("lab", "/api/v1/cases/"+first+"/statement")["statement"].(string)
	oldKid, err := w.svc.Evidence.EnsureSigningKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	newKid, earlier, err := w.svc.Evidence.RotateSigningKey(context.Background())
	if err != nil || newKid == oldKid || len(earlier) != 1 || earlier[0] != oldKid {
		t.Fatalf("rotate: %s %v %v", newKid, earlier, err)
	}
	set := w.jwks()
	if len(set.Keys) != 2 || set.Keys[0].Kid != newKid || set.Keys[1].Kid != oldKid {
		t.Fatalf("jwks after rotation: %+v", set)
	}
	if _, err := statement.Verify(before, set); err != nil {
		t.Fatalf("a statement from before the rotation: %v", err)
	}
	second := w.caseIn("decided").caseID
	st := w.get("lab", "/api/v1/cases/"+second+"/statement")
	if st["kid"] != newKid {
		t.Fatalf("a new statement signed with %v, not the new key %s", st["kid"], newKid)
	}
	if _, err := statement.Verify(st["statement"].(string), set); err != nil {
		t.Fatal(err)
	}
	// With only the new key, the old statement no longer verifies.
	if _, err := statement.Verify(before, statement.JWKS{Keys: set.Keys[:1]}); err == nil {
		t.Fatal("an old statement verified without its key")
	}
	// The key set never holds a private half.
	r := w.do("GET", "/.well-known/jwks.json", "", nil)
	var raw map[string][]map[string]any
	_ = json.Unmarshal([]byte(r.Body), &raw)
	for _, k := range raw["keys"] {
		if _, ok := k["d"]; ok {
			t.Fatal("the key set publishes a private key")
		}
	}
}

// A lapse is stated once, by the sweep.
func TestLapseStatement(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC))
	id := w.caseIn("in_review").caseID
	path := "/api/v1/cases/" + id
	due, _ := time.Parse(time.RFC3339, clockOf(w.get("lead", path))["due_at"].(string))
	w.clock.Set(due)
	w.sweep()
	want(t, w.as("lab", "GET", path+"/statement", nil), 404)
	w.clock.Set(due.Add(time.Millisecond))
	w.sweep()
	st := w.get("lab", path+"/statement")
	c, err := statement.Verify(st["statement"].(string), w.jwks())
	if err != nil {
		t.Fatal(err)
	}
	if st["kind"] != "lapse" || c.Kind != "lapse" || c.Outcome != "" || c.DueAt != isoMs(due) || c.LapsedAt != isoMs(due.Add(time.Millisecond)) ||
		c.DaysElapsed != 30 {
		t.Fatalf("lapse statement: %+v", c)
	}
	// Once per lapse: later sweeps add none.
	for i := 0; i < 3; i++ {
		w.clock.Advance(25 * time.Hour)
		w.sweep()
	}
	trail := w.as("lead", "GET", path+"/audit?limit=200", nil)
	if n := strings.Count(trail.Body, `"statement.issued"`); n != 1 {
		t.Fatalf("%d lapse statements", n)
	}
	// The decision that follows is the latest statement.
	want(t, w.as("lead", "POST", path+"/decision", map[string]any{"outcome": "no_concerns", "rationale": "Late."}), 200)
	if st := w.get("co", path+"/statement"); st["kind"] != "decision" {
		t.Fatalf("after the decision: %v", st)
	}
}
