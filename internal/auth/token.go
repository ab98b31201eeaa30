package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Kind is what a token is for; each kind has its own audience.
type Kind string

// The token kinds.
const (
	KindSession  Kind = "session"
	KindAPIToken Kind = "api"
	// KindPage is the session of the pages, carried in a cookie; it never
	// works as a Bearer token, and API tokens never work as a cookie.
	KindPage Kind = "page"
	// KindPending is a page sign-in whose password was right and whose
	// second factor comes next: it opens nothing but that step.
	KindPending Kind = "pending"
)

// Audience returns the audience claim of a kind.
func (k Kind) Audience() string { return "docket-" + string(k) }

// Claims are the claims of every Docket token.
type Claims struct {
	jwt.RegisteredClaims
	Version int `json:"ver"`
}

// Signer issues and checks HS256 tokens.
type Signer struct {
	key    []byte
	issuer string
	now    func() time.Time

	// verified remembers the claims of tokens whose signature, algorithm,
	// issuer and audience checked out, so that a token sent with every
	// request is decoded and verified once; its time claims are checked on
	// every use.
	mu       sync.Mutex
	verified map[verifiedKey]Claims
}

type verifiedKey struct {
	kind  Kind
	token string
}

// maxVerified bounds the remembered tokens; when full, they are forgotten at once.
const maxVerified = 4096

// MaxTokenBytes bounds the length of a token the parser will look at.
const MaxTokenBytes = 4096

// NewSigner returns a signer; it refuses a secret under 32 bytes.
func NewSigner(secret []byte, issuer string, now func() time.Time) (*Signer, error) {
	if len(secret) < 32 {
		return nil, ErrWeakSecret
	}
	return &Signer{key: append([]byte(nil), secret...), issuer: issuer, now: now}, nil
}

// Issue signs a token of kind for the subject, identified by id, valid until exp.
func (s *Signer) Issue(kind Kind, id, subject string, version int, exp time.Time) (string, error) {
	now := s.now()
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    s.issuer,
			Subject:   subject,
			Audience:  jwt.ClaimStrings{kind.Audience()},
			ExpiresAt: jwt.NewNumericDate(exp),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        id,
		},
		Version: version,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.key)
}

// DeriveKey returns a key for one purpose (such as "csrf"), derived from the
// signing secret with HMAC-SHA256, so that no purpose ever uses the secret itself.
func (s *Signer) DeriveKey(purpose string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("docket derived key: " + purpose))
	return m.Sum(nil)
}

// ErrInvalidToken is every reason a token is refused; callers never learn which.
var ErrInvalidToken = errors.New("invalid token")

// Parse checks a token of the expected kind: HS256 only, exp required, issuer and
// audience checked, nbf honoured. Any failure is ErrInvalidToken.
func (s *Signer) Parse(kind Kind, token string) (*Claims, error) {
	if len(token) == 0 || len(token) > MaxTokenBytes {
		return nil, ErrInvalidToken
	}
	key := verifiedKey{kind, token}
	s.mu.Lock()
	c, ok := s.verified[key]
	s.mu.Unlock()
	if ok {
		// The same checks of time as the parser's: exp required and in the
		// future, nbf (when present) not after now.
		now := s.now()
		if c.ExpiresAt == nil || !now.Before(c.ExpiresAt.Time) || (c.NotBefore != nil && now.Before(c.NotBefore.Time)) {
			return nil, ErrInvalidToken
		}
		return &c, nil
	}
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(s.issuer),
		jwt.WithAudience(kind.Audience()),
		jwt.WithTimeFunc(s.now),
		jwt.WithStrictDecoding(),
	)
	t, err := p.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil })
	if err != nil || !t.Valid || c.ID == "" || c.Subject == "" {
		return nil, ErrInvalidToken
	}
	s.mu.Lock()
	if s.verified == nil || len(s.verified) >= maxVerified {
		s.verified = map[verifiedKey]Claims{}
	}
	s.verified[key] = c
	s.mu.Unlock()
	return &c, nil
}
