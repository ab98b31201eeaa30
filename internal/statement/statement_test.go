package statement

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// RFC 8037 appendix A: the example Ed25519 key, its thumbprint and a JWS.
const (
	rfcD          = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
	rfcX          = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	rfcThumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
	rfcInput      = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
	rfcSignature  = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)

func TestRFC8037Vectors(t *testing.T) {
	seed, _ := base64.RawURLEncoding.DecodeString(rfcD)
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	if got := base64.RawURLEncoding.EncodeToString(pub); got != rfcX {
		t.Fatalf("x %s", got)
	}
	if got := Thumbprint(pub); got != rfcThumbprint {
		t.Fatalf("thumbprint %s, want %s", got, rfcThumbprint)
	}
	sig, err := jwt.SigningMethodEdDSA.Sign(rfcInput, priv)
	if err != nil || base64.RawURLEncoding.EncodeToString(sig) != rfcSignature {
		t.Fatalf("golang-jwt's EdDSA does not reproduce RFC 8037 A.4: %v", err)
	}
}

func claims() Claims {
	c := Claims{Kind: KindDecision, CaseNumber: "DKT-2026-0001", Lab: "Frontier Labs", Model: "Atlas", Version: "2",
		WeightsDigest: "sha256:" + strings.Repeat("ab", 32), ReceivedAt: "2026-06-02T18:00:00.000Z",
		ClockStartedAt: "2026-06-02T18:00:00.000Z", WindowDays: 30, Timezone: "America/New_York",
		BaseDueAt: "2026-07-03T03:59:59.999Z", DueAt: "2026-07-03T03:59:59.999Z", DaysElapsed: 18, Stops: []Stop{},
		Outcome: "no_concerns", DecidedAt: "2026-06-20T14:00:00.000Z", IssuedAt: "2026-06-20T14:00:00.000Z"}
	c.Issuer, c.Subject, c.ID = "docket", c.CaseNumber, "st-1"
	c.RegisteredClaims.IssuedAt = jwt.NewNumericDate(mustTime("2026-06-20T14:00:00Z"))
	return c
}

func newKey(t *testing.T) (string, ed25519.PrivateKey, JWKS) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kid := Thumbprint(pub)
	return kid, priv, JWKS{Keys: []JWK{PublicJWK(kid, pub)}}
}

// signRaw signs any header and claims, for statements Docket would never make.
func signRaw(t *testing.T, method jwt.SigningMethod, header map[string]any, c jwt.Claims, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerifySaysWhy(t *testing.T) {
	kid, priv, set := newKey(t)
	good, err := Sign(claims(), kid, priv)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Verify(good, set)
	if err != nil || c.CaseNumber != "DKT-2026-0001" || c.Outcome != "no_concerns" {
		t.Fatalf("%+v %v", c, err)
	}
	if d := Describe(c); !strings.Contains(d, "decision, outcome no_concerns for DKT-2026-0001") {
		t.Fatalf("describe: %s", d)
	}
	parts := strings.Split(good, ".")
	hdr := map[string]any{"kid": kid, "typ": Type}
	asMap := func(drop string, set map[string]any) jwt.MapClaims {
		m := jwt.MapClaims{"iss": "docket", "sub": "DKT-2026-0001", "iat": 1, "jti": "x", "kind": "decision",
			"case_number": "DKT-2026-0001", "lab": "L", "model": "M", "version": "1", "weights_digest": "sha256:" + strings.Repeat("ab", 32),
			"received_at": "2026-06-02T18:00:00.000Z", "clock_started_at": "2026-06-02T18:00:00.000Z", "window_days": 30,
			"timezone": "UTC", "base_due_at": "2026-07-03T03:59:59.999Z", "due_at": "2026-07-03T03:59:59.999Z",
			"days_elapsed": 3, "stopped_seconds": 0, "stops": []any{}, "issued_at": "2026-06-20T14:00:00.000Z",
			"outcome": "no_concerns", "decided_at": "2026-06-20T14:00:00.000Z"}
		delete(m, drop)
		for k, v := range set {
			m[k] = v
		}
		return m
	}
	_, otherPriv, _ := ed25519.GenerateKey(rand.Reader)
	rsaLike := JWKS{Keys: []JWK{{Kty: "RSA", Kid: kid, X: "x"}}}
	for _, tc := range []struct {
		name, token string
		set         JWKS
		want        string
	}{
		{"two parts", parts[0] + "." + parts[1], set, "three base64url parts"},
		{"empty signature", parts[0] + "." + parts[1] + ".", set, "three base64url parts"},
		{"not base64", "%%%." + parts[1] + "." + parts[2], set, "header is not base64url"},
		{"alg none", base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"`+Type+`","kid":"`+kid+`"}`)) + "." + parts[1] + ".x", set, `alg "none"`},
		{"HS256", signRaw(t, jwt.SigningMethodHS256, hdr, asMap("", nil), []byte(strings.Repeat("k", 32))), set, `algorithm "HS256" is not accepted`},
		{"no typ", signRaw(t, jwt.SigningMethodEdDSA, map[string]any{"kid": kid}, asMap("", nil), priv), set, "not a Docket review statement"},
		{"no kid", signRaw(t, jwt.SigningMethodEdDSA, map[string]any{"typ": Type}, asMap("", nil), priv), set, "names no key"},
		{"unknown kid", good, JWKS{Keys: []JWK{PublicJWK("other", priv.Public().(ed25519.PublicKey))}}, `key "` + kid + `" is not in the JWKS (it holds: other)`},
		{"empty set", good, JWKS{}, "it holds: none"},
		{"not an Ed25519 key", good, rsaLike, "is not an Ed25519 key"},
		{"another key", signRaw(t, jwt.SigningMethodEdDSA, hdr, asMap("", nil), otherPriv), set, "signature does not verify"},
		{"changed payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"kind":"lapse"}`)) + "." + parts[2], set, "signature does not verify"},
		{"missing claim", signRaw(t, jwt.SigningMethodEdDSA, hdr, asMap("weights_digest", nil), priv), set, `lacks the claim "weights_digest"`},
		{"null claim", signRaw(t, jwt.SigningMethodEdDSA, hdr, asMap("", map[string]any{"stops": nil}), priv), set, `lacks the claim "stops"`},
		{"bad kind", signRaw(t, jwt.SigningMethodEdDSA, hdr, asMap("", map[string]any{"kind": "memo"}), priv), set, `kind is "memo"`},
		{"decision without outcome", signRaw(t, jwt.SigningMethodEdDSA, hdr, asMap("outcome", nil), priv), set, "must name its outcome"},
		{"lapse without lapsed_at", signRaw(t, jwt.SigningMethodEdDSA, hdr, asMap("", map[string]any{"kind": "lapse"}), priv), set, "must name lapsed_at"},
		{"bad digest", signRaw(t, jwt.SigningMethodEdDSA, hdr, asMap("", map[string]any{"weights_digest": "md5:x"}), priv), set, "weights_digest"},
		{"bad instant", signRaw(t, jwt.SigningMethodEdDSA, hdr, asMap("", map[string]any{"due_at": "July 3"}), priv), set, "due_at"},
		{"sub and case differ", signRaw(t, jwt.SigningMethodEdDSA, hdr, asMap("", map[string]any{"sub": "DKT-2026-0002"}), priv), set, "does not name the case number"},
	} {
		_, err := Verify(tc.token, tc.set)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: want %q, got %v", tc.name, tc.want, err)
		}
	}
}

func TestParseJWKS(t *testing.T) {
	for _, bad := range []string{"", "[]", `{"keys":`, `{"other":[]}`, `{"keys":{"a":1}}`} {
		if _, err := ParseJWKS([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	set, err := ParseJWKS([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"` + rfcX + `","kid":"k"}]}`))
	if err != nil || len(set.Keys) != 1 {
		t.Fatalf("%+v %v", set, err)
	}
}

func mustTime(s string) (t time.Time) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
