package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var (
	key = []byte(strings.Repeat("k", 32))
	t0  = time.Date(2026, 6, 2, 12, 0, 0, 0, time.UTC)
)

func signer(t *testing.T) *Signer {
	s, err := NewSigner(key, "docket", func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func claims(mod func(*Claims)) *Claims {
	c := &Claims{RegisteredClaims: jwt.RegisteredClaims{
		Issuer: "docket", Subject: "u1", ID: "t1", Audience: jwt.ClaimStrings{KindSession.Audience()},
		ExpiresAt: jwt.NewNumericDate(t0.Add(time.Hour)), IssuedAt: jwt.NewNumericDate(t0)}}
	if mod != nil {
		mod(c)
	}
	return c
}

func hs(t *testing.T, m jwt.SigningMethod, k []byte, c *Claims) string {
	s, err := jwt.NewWithClaims(m, c).SignedString(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignerRefusesShortSecret(t *testing.T) {
	if _, err := NewSigner([]byte("short"), "docket", time.Now); err == nil {
		t.Fatal("a 5-byte secret was accepted")
	}
	if _, err := NewSigner(make([]byte, 31), "docket", time.Now); err == nil {
		t.Fatal("a 31-byte secret was accepted")
	}
}

func TestParseAcceptsItsOwnToken(t *testing.T) {
	s := signer(t)
	tok, err := s.Issue(KindSession, "id1", "user1", 3, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Parse(KindSession, tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "id1" || c.Subject != "user1" || c.Version != 3 {
		t.Fatalf("claims %+v", c)
	}
}

func TestParseRefusesEveryBadToken(t *testing.T) {
	s := signer(t)
	good := hs(t, jwt.SigningMethodHS256, key, claims(nil))
	parts := strings.Split(good, ".")
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	es, _ := jwt.NewWithClaims(jwt.SigningMethodES256, claims(nil)).SignedString(ecKey)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	tamperedPayload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"docket","sub":"admin","aud":["docket-session"],"exp":9999999999,"jti":"t1"}`))
	cases := map[string]string{
		"alg none":             none,
		"empty signature":      parts[0] + "." + parts[1] + ".",
		"HS384":                hs(t, jwt.SigningMethodHS384, key, claims(nil)),
		"HS512":                hs(t, jwt.SigningMethodHS512, key, claims(nil)),
		"ES256":                es,
		"tampered payload":     parts[0] + "." + tamperedPayload + "." + parts[2],
		"guessed key":          hs(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), claims(nil)),
		"expired":              hs(t, jwt.SigningMethodHS256, key, claims(func(c *Claims) { c.ExpiresAt = jwt.NewNumericDate(t0.Add(-time.Second)) })),
		"missing exp":          hs(t, jwt.SigningMethodHS256, key, claims(func(c *Claims) { c.ExpiresAt = nil })),
		"future nbf":           hs(t, jwt.SigningMethodHS256, key, claims(func(c *Claims) { c.NotBefore = jwt.NewNumericDate(t0.Add(time.Minute)) })),
		"wrong issuer":         hs(t, jwt.SigningMethodHS256, key, claims(func(c *Claims) { c.Issuer = "evil" })),
		"wrong audience":       hs(t, jwt.SigningMethodHS256, key, claims(func(c *Claims) { c.Audience = jwt.ClaimStrings{"somebody-else"} })),
		"API token as session": hs(t, jwt.SigningMethodHS256, key, claims(func(c *Claims) { c.Audience = jwt.ClaimStrings{KindAPIToken.Audience()} })),
		"unknown kind":         hs(t, jwt.SigningMethodHS256, key, claims(func(c *Claims) { c.Audience = jwt.ClaimStrings{"docket-admin"} })),
		"no audience":          hs(t, jwt.SigningMethodHS256, key, claims(func(c *Claims) { c.Audience = nil })),
		"no id":                hs(t, jwt.SigningMethodHS256, key, claims(func(c *Claims) { c.ID = "" })),
		"no subject":           hs(t, jwt.SigningMethodHS256, key, claims(func(c *Claims) { c.Subject = "" })),
		"garbage":              "not.a.token",
		"empty":                "",
		"huge":                 strings.Repeat("a", 900*1024),
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := s.Parse(KindSession, tok); err != ErrInvalidToken {
				t.Fatalf("accepted (err %v)", err)
			}
		})
	}
	if _, err := s.Parse(KindSession, good); err != nil {
		t.Fatalf("the untampered token was refused: %v", err)
	}
}

func TestPasswordHash(t *testing.T) {
	h := NewHasher(Params{Memory: 64, Time: 1, Threads: 1})
	hash, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", hash)
	}
	if !h.Verify(hash, "correct horse battery staple") {
		t.Fatal("the right password was refused")
	}
	for _, wrong := range []string{"", "correct horse battery stapl", "correct horse battery staple "} {
		if h.Verify(hash, wrong) {
			t.Fatalf("%q was accepted", wrong)
		}
	}
	if h.Verify("", "anything") || h.Verify("$bcrypt$junk", "anything") {
		t.Fatal("an empty or foreign hash matched")
	}
	other, _ := h.Hash("correct horse battery staple")
	if other == hash {
		t.Fatal("two hashes of one password share a salt")
	}
}

func TestHashToken(t *testing.T) {
	a, b := HashToken("x"), HashToken("y")
	if a == b || len(a) != 64 || !EqualHash(a, HashToken("x")) || EqualHash(a, b) {
		t.Fatal("token hashing is wrong")
	}
}
