package web

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"
	"github.com/zitadel/oidc/v3/pkg/client/rp"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"golang.org/x/oauth2"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/seal"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// Single sign-on with OpenID Connect, as Login.gov does it: the
// authorization code flow with PKCE (S256), state and nonce, and
// private_key_jwt client authentication (RFC 7523). zitadel/oidc's relying
// party does the protocol: discovery, the code exchange and the ID token's
// checks (signature from the provider's published keys, RS256 or ES256 only,
// iss, aud, exp, nonce). Docket keeps the flow's state in a sealed cookie
// of its own that lives ten minutes and is used once, and signs its own
// client assertion (aud the token endpoint, five minutes, a fresh jti).

// oidcFlowTTL bounds a sign-in between /auth/oidc/start and the callback.
const oidcFlowTTL = 10 * time.Minute

// ssoName names the single sign-on provider on the pages; "" when single
// sign-on is not configured.
func ssoName(o config.OIDC) string {
	if !o.Enabled() {
		return ""
	}
	return o.DisplayName
}

// oidcClient is Docket's relying party; the provider is discovered at the
// first sign-in, so that a provider that is down does not stop Docket.
type oidcClient struct {
	cfg      config.OIDC
	key      *rsa.PrivateKey
	keyID    string
	redirect string
	sealer   *seal.Sealer
	now      func() time.Time
	http     *http.Client

	mu sync.Mutex
	rp rp.RelyingParty
}

// newOIDCClient reads the private key and prepares the relying party; base
// is Docket's address, whose /auth/oidc/callback is the redirect URL.
func newOIDCClient(cfg config.OIDC, base string, sealKey []byte, now func() time.Time) (*oidcClient, error) {
	raw, err := os.ReadFile(cfg.PrivateKeyFile)
	if err != nil {
		return nil, fmt.Errorf("oidc.private_key_file: %w", err)
	}
	key, err := parseRSAKey(raw)
	if err != nil {
		return nil, fmt.Errorf("oidc.private_key_file: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(der)
	sealer, err := seal.New(sealKey, seal.OIDCFlows)
	if err != nil {
		return nil, err
	}
	return &oidcClient{cfg: cfg, key: key, keyID: base64.RawURLEncoding.EncodeToString(sum[:16]),
		redirect: base + "/auth/oidc/callback", sealer: sealer, now: now,
		http: &http.Client{Timeout: 15 * time.Second}}, nil
}

// parseRSAKey reads a PEM RSA private key (PKCS #1 or PKCS #8).
func parseRSAKey(raw []byte) (*rsa.PrivateKey, error) {
	b, _ := pem.Decode(raw)
	if b == nil {
		return nil, errors.New("not a PEM file")
	}
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, errors.New("not an RSA private key (PKCS #1 or #8)")
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("not an RSA private key")
	}
	return rk, nil
}

type nonceKey struct{}

// party returns the relying party, discovering the provider once.
func (o *oidcClient) party(ctx context.Context) (rp.RelyingParty, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.rp != nil {
		return o.rp, nil
	}
	party, err := rp.NewRelyingPartyOIDC(ctx, o.cfg.Issuer, o.cfg.ClientID, "", o.redirect, o.cfg.Scopes,
		rp.WithHTTPClient(o.http),
		rp.WithAuthStyle(oauth2.AuthStyleInParams),
		rp.WithVerifierOpts(
			rp.WithSupportedSigningAlgorithms("RS256", "ES256"),
			rp.WithNonce(func(ctx context.Context) string { n, _ := ctx.Value(nonceKey{}).(string); return n }),
		))
	if err != nil {
		return nil, fmt.Errorf("oidc: discovery of %s: %w", o.cfg.Issuer, err)
	}
	o.rp = party
	return party, nil
}

// oidcFlow is one sign-in's state between start and callback.
type oidcFlow struct {
	State    string    `json:"s"`
	Nonce    string    `json:"n"`
	Verifier string    `json:"v"`
	Next     string    `json:"x"`
	Expires  time.Time `json:"e"`
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (o *oidcClient) seal(f oidcFlow) (string, error) {
	plain, err := json.Marshal(f)
	if err != nil {
		return "", err
	}
	sealed, err := o.sealer.Seal(plain, "oidc flow")
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

func (o *oidcClient) open(v string) (*oidcFlow, error) {
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil, errors.New("bad flow cookie")
	}
	plain, err := o.sealer.Open(raw, "oidc flow")
	if err != nil {
		return nil, errors.New("bad flow cookie")
	}
	var f oidcFlow
	if err := json.Unmarshal(plain, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// assertion is the private_key_jwt client assertion for the token endpoint.
func (o *oidcClient) assertion(tokenURL string) (string, error) {
	now := o.now()
	t := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Issuer: o.cfg.ClientID, Subject: o.cfg.ClientID, Audience: jwt.ClaimStrings{tokenURL},
		ID: randomToken(), IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(5 * time.Minute)),
	})
	t.Header["kid"] = o.keyID
	return t.SignedString(o.key)
}

func (s *Server) oidcCookieName() string { return s.cookieName("docket_oidc") }

// oidcStart sends the browser to the provider (302), with a fresh state,
// nonce and PKCE verifier kept in the flow cookie. With step_up (the offer
// of a refused TLP:RED read) it asks oidc.step_up_acr_values instead of
// oidc.acr_values: a phishing-resistant sign-in.
func (s *Server) oidcStart(c echo.Context) error {
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	party, err := s.oidc.party(c.Request().Context())
	if err != nil {
		s.log.Error("oidc discovery", "err", err)
		return s.oidcRefused(c, http.StatusBadGateway, "The identity provider cannot be reached just now. Try again in a few minutes, or sign in with your password.")
	}
	f := oidcFlow{State: randomToken(), Nonce: randomToken(), Verifier: randomToken(),
		Next: safeNext(c.QueryParam("next")), Expires: s.oidc.now().Add(oidcFlowTTL)}
	sealed, err := s.oidc.seal(f)
	if err != nil {
		return err
	}
	c.SetCookie(s.cookie(s.oidcCookieName(), sealed, int(oidcFlowTTL.Seconds())))
	opts := []rp.AuthURLOpt{rp.WithCodeChallenge(oidc.NewSHACodeChallenge(f.Verifier)),
		func() []oauth2.AuthCodeOption {
			return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("nonce", f.Nonce)}
		}}
	acr := s.oidc.cfg.ACRValues
	if c.QueryParam("step_up") != "" {
		// A sign-in to read TLP:RED content asks for one that cannot be phished.
		acr = s.oidc.cfg.StepUpACRValues
	}
	if acr != "" {
		opts = append(opts, func() []oauth2.AuthCodeOption {
			return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("acr_values", acr)}
		})
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Redirect(http.StatusFound, rp.AuthURL(f.State, party, opts...))
}

// oidcCallback takes the provider's answer: the state must be this
// browser's, the code is exchanged once with the PKCE verifier and the
// client assertion, and the ID token's checks pass; then the Docket user
// with that e-mail is signed in.
func (s *Server) oidcCallback(c echo.Context) error {
	if s.oidc == nil {
		return echo.ErrNotFound
	}
	ck, err := c.Cookie(s.oidcCookieName())
	c.SetCookie(s.cookie(s.oidcCookieName(), "", -1)) // a flow is used once, whatever happens
	if err != nil || ck.Value == "" || len(ck.Value) > 4096 {
		return s.oidcRefused(c, http.StatusBadRequest, "This sign-in was not started here, or it has expired. Start again.")
	}
	f, err := s.oidc.open(ck.Value)
	if err != nil || !s.oidc.now().Before(f.Expires) {
		return s.oidcRefused(c, http.StatusBadRequest, "This sign-in has expired. Start again.")
	}
	state := c.QueryParam("state")
	if subtle.ConstantTimeCompare([]byte(state), []byte(f.State)) != 1 {
		return s.oidcRefused(c, http.StatusBadRequest, "This sign-in's answer does not belong to this browser. Start again.")
	}
	if e := c.QueryParam("error"); e != "" {
		return s.oidcRefused(c, http.StatusUnauthorized, "The identity provider did not sign you in ("+clip(e, 60)+"). Start again, or sign in with your password.")
	}
	code := c.QueryParam("code")
	if code == "" || len(code) > 2048 {
		return s.oidcRefused(c, http.StatusBadRequest, "The identity provider's answer has no code. Start again.")
	}
	ctx := context.WithValue(c.Request().Context(), nonceKey{}, f.Nonce)
	party, err := s.oidc.party(ctx)
	if err != nil {
		return s.oidcRefused(c, http.StatusBadGateway, "The identity provider cannot be reached just now. Try again in a few minutes.")
	}
	assertion, err := s.oidc.assertion(party.OAuthConfig().Endpoint.TokenURL)
	if err != nil {
		return err
	}
	tokens, err := rp.CodeExchange[*oidc.IDTokenClaims](ctx, code, party, rp.WithCodeVerifier(f.Verifier), rp.WithClientAssertionJWT(assertion))
	if err != nil {
		s.log.Warn("oidc: the code exchange or the ID token was refused", "err", err)
		return s.oidcRefused(c, http.StatusUnauthorized, "The identity provider's answer could not be checked, so you are not signed in. Start again.")
	}
	cl := tokens.IDTokenClaims
	id := app.SSOIdentity{Issuer: cl.Issuer, Subject: cl.Subject, Email: cl.Email, EmailVerified: bool(cl.EmailVerified),
		ACR: cl.AuthenticationContextClassReference, AuthTime: cl.AuthTime.AsTime()}
	sess, err := s.accounts.SignInSSO(c.Request().Context(), id, httpx.Anon(c))
	switch docket.ErrorCode(err) {
	case "":
	case docket.EForbidden:
		return s.oidcRefused(c, http.StatusForbidden, "The identity provider has not verified your e-mail address, so Docket cannot tell who you are. Verify it there, then start again.")
	case docket.ENotFound:
		return s.oidcRefused(c, http.StatusForbidden, "No Docket account has the e-mail address "+clip(cl.Email, 200)+". Ask your administrator to add you; Docket never makes accounts by itself.")
	default:
		return err
	}
	c.SetCookie(s.cookie(s.sessionCookieName(), sess.Token, 0))
	return c.Redirect(http.StatusSeeOther, orHome(f.Next))
}

// oidcRefused shows the sign-in page with why single sign-on did not sign the person in.
func (s *Server) oidcRefused(c echo.Context, status int, why string) error {
	return s.renderLogin(c, status, view.LoginPage{Error: why})
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
