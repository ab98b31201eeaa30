package web_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// provider is an OpenID provider for the tests, on 127.0.0.1, strict where
// Login.gov is: the authorization code flow only, PKCE S256 required,
// private_key_jwt the only client authentication (an RS256 assertion from the
// registered key: iss = sub = client id, aud the token endpoint, at most five
// minutes, each jti once), each code once. Its ID tokens carry what the test
// sets, and mutate lets a test forge a bad one.
type provider struct {
	t        *testing.T
	srv      *httptest.Server
	key      *rsa.PrivateKey
	clientID string
	client   *rsa.PublicKey // the key Docket registered
	keyFile  string         // Docket's private key, for its settings

	mu    sync.Mutex
	codes map[string]*grant
	jtis  map[string]bool
	// who signs in at the provider, and how.
	email    string
	verified bool
	acr      string
	// mutate changes the ID token's claims, or returns the token to send
	// instead ("" keeps the provider's own).
	mutate func(claims jwt.MapClaims) string
	// refusals counts what the token endpoint refused, and why.
	refusals []string
	// assertedNow is the clock the client's assertion is judged by: Docket's
	// (the test's fake clock); the ID tokens it issues run on the real one,
	// which the relying party's library checks them by.
	assertedNow func() time.Time
}

type grant struct {
	nonce, challenge, redirect, email, acr string
	verified                               bool
	used                                   bool
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	clientKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "docket-oidc.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(clientKey)})
	if err := os.WriteFile(file, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	p := &provider{t: t, key: key, clientID: "urn:gov:gsa:openidconnect.profiles:sp:sso:agency:docket",
		client: &clientKey.PublicKey, keyFile: file, codes: map[string]*grant{}, jtis: map[string]bool{}, verified: true,
		assertedNow: time.Now}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) issuer() string { return p.srv.URL }

func (p *provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer": p.issuer(), "authorization_endpoint": p.issuer() + "/authorize", "token_endpoint": p.issuer() + "/token",
		"jwks_uri": p.issuer() + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"}, "token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
		"code_challenge_methods_supported": []string{"S256"}, "scopes_supported": []string{"openid", "email"},
	})
}

func (p *provider) jwks(w http.ResponseWriter, r *http.Request) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &p.key.PublicKey, KeyID: "provider-1", Algorithm: "RS256", Use: "sig"}}}
	writeJSON(w, http.StatusOK, set)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// authorize signs in whoever the test set, at once, and sends the browser back with a code.
func (p *provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, err := url.Parse(q.Get("redirect_uri"))
	if err != nil || q.Get("client_id") != p.clientID {
		http.Error(w, "unknown client or redirect", http.StatusBadRequest)
		return
	}
	fail := func(code string) {
		v := back.Query()
		v.Set("error", code)
		v.Set("state", q.Get("state"))
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code" || !strings.Contains(" "+q.Get("scope")+" ", " openid "):
		fail("unsupported_response_type")
		return
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) < 43:
		fail("invalid_request") // PKCE is required
		return
	case q.Get("state") == "" || q.Get("nonce") == "":
		fail("invalid_request")
		return
	}
	p.mu.Lock()
	code := randomString()
	acr := p.acr
	if acr == "" {
		acr = q.Get("acr_values")
	}
	p.codes[code] = &grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: back.String(),
		email: p.email, verified: p.verified, acr: acr}
	p.mu.Unlock()
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *provider) refuse(w http.ResponseWriter, why string) {
	p.mu.Lock()
	p.refusals = append(p.refusals, why)
	p.mu.Unlock()
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": why})
}

// token exchanges a code: the client's assertion and the PKCE verifier are checked first.
func (p *provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.refuse(w, "form")
		return
	}
	f := r.PostForm
	if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || f.Get("client_assertion") == "" {
		p.refuse(w, "no private_key_jwt assertion")
		return
	}
	if _, ok := r.Header["Authorization"]; ok || f.Get("client_secret") != "" {
		p.refuse(w, "a client secret was sent")
		return
	}
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(f.Get("client_assertion"), &claims, func(*jwt.Token) (any, error) { return p.client, nil },
		jwt.WithValidMethods([]string{"RS256"}), jwt.WithAudience(p.issuer()+"/token"), jwt.WithIssuer(p.clientID),
		jwt.WithSubject(p.clientID), jwt.WithExpirationRequired(), jwt.WithTimeFunc(p.assertedNow))
	if err != nil {
		p.refuse(w, "assertion: "+err.Error())
		return
	}
	if claims.ExpiresAt.Sub(p.assertedNow()) > 5*time.Minute+5*time.Second || claims.ID == "" {
		p.refuse(w, "assertion lives too long or has no jti")
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.jtis[claims.ID] {
		p.refusals = append(p.refusals, "assertion replayed")
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client"})
		return
	}
	p.jtis[claims.ID] = true
	g, ok := p.codes[f.Get("code")]
	if !ok || g.used || f.Get("grant_type") != "authorization_code" || f.Get("redirect_uri") != g.redirect {
		p.refusals = append(p.refusals, "code unknown, used, or another redirect")
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	g.used = true
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		p.refusals = append(p.refusals, "PKCE verifier")
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now()
	idc := jwt.MapClaims{"iss": p.issuer(), "sub": "pairwise-" + g.email, "aud": p.clientID, "exp": now.Add(5 * time.Minute).Unix(),
		"iat": now.Unix(), "auth_time": now.Unix(), "nonce": g.nonce, "email": g.email, "email_verified": g.verified, "acr": g.acr}
	var idToken string
	if p.mutate != nil {
		idToken = p.mutate(idc)
	}
	if idToken == "" {
		t := jwt.NewWithClaims(jwt.SigningMethodRS256, idc)
		t.Header["kid"] = "provider-1"
		if idToken, err = t.SignedString(p.key); err != nil {
			p.t.Error(err)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": randomString(), "token_type": "Bearer", "expires_in": 900, "id_token": idToken})
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
