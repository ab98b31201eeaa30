// Package statement signs and verifies Docket's review statements: JWS
// compact serializations signed with Ed25519 (golang-jwt's EdDSA), each naming
// its key with a kid, and the JSON Web Key Set (RFC 7517, OKP keys of RFC
// 8037) that publishes the public keys. It is a leaf package: it knows nothing
// of cases or storage, so that the command line verifies a statement with the
// public keys alone.
package statement

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Type is the typ header of every statement (RFC 8725 explicit typing), so
// that no other JWT passes for one.
const Type = "docket-statement+jwt"

// Alg is the only algorithm statements are signed with.
const Alg = "EdDSA"

// The kinds of statement.
const (
	KindDecision = "decision"
	KindLapse    = "lapse"
)

// Stop is one stop of the review clock as a statement states it.
type Stop struct {
	StartedAt string  `json:"started_at"`
	EndedAt   string  `json:"ended_at"`
	Seconds   float64 `json:"seconds"`
	Reason    string  `json:"reason"`
}

// Claims are what a statement says. Instants are RFC 3339 UTC with
// milliseconds, dates YYYY-MM-DD, as in the API.
type Claims struct {
	// Kind is decision or lapse.
	Kind          string `json:"kind"`
	CaseNumber    string `json:"case_number"`
	Lab           string `json:"lab"`
	Model         string `json:"model"`
	Version       string `json:"version"`
	WeightsDigest string `json:"weights_digest"`
	// ReceivedAt is when the lab submitted; ClockStartedAt is day 0's instant
	// of the clock that ran (the receipt, or the resolution that restarted it).
	ReceivedAt     string `json:"received_at"`
	ClockStartedAt string `json:"clock_started_at"`
	WindowDays     int    `json:"window_days"`
	Timezone       string `json:"timezone"`
	// BaseDueAt is the end of the local day window_days after day 0; DueAt
	// the deadline with the stopped time added.
	BaseDueAt string `json:"base_due_at"`
	DueAt     string `json:"due_at"`
	// DaysElapsed counts calendar days in the agency zone from day 0 to the day
	// of the decision, or to the day the deadline passed for a lapse.
	DaysElapsed    int     `json:"days_elapsed"`
	StoppedSeconds float64 `json:"stopped_seconds"`
	Stops          []Stop  `json:"stops"`
	// Outcome and DecidedAt for a decision only.
	Outcome   string `json:"outcome,omitempty"`
	DecidedAt string `json:"decided_at,omitempty"`
	// LapsedAt for a lapse only: the first instant past the deadline.
	LapsedAt string `json:"lapsed_at,omitempty"`
	IssuedAt string `json:"issued_at"`
	// What a contracting officer needs (statements issued before these
	// claims lack them; iss is then Docket's auth.issuer, not base_url):
	// the agency, the case's id and page, the planned release date (null
	// when none was given), for a decision who made it and its conditions,
	// and the jti of the case's previous statement (null for its first).
	Agency             string  `json:"agency"`
	CaseID             string  `json:"case_id"`
	CaseURL            string  `json:"case_url"`
	PlannedReleaseDate *string `json:"planned_release_date"`
	DecidedBy          string  `json:"decided_by,omitempty"`
	Conditions         *string `json:"conditions,omitempty"`
	Supersedes         *string `json:"supersedes"`
	// Evaluations lists the Inspect logs the review considered, oldest
	// first, without scores (empty when none): anyone holding a log can
	// check by its hash that it was the one reviewed.
	Evaluations []Evaluation `json:"evaluations"`
	jwt.RegisteredClaims
}

// Evaluation is an Inspect log a decision considered.
type Evaluation struct {
	Task        string `json:"task"`
	TaskVersion string `json:"task_version"`
	EvalID      string `json:"eval_id"`
	LogSHA256   string `json:"log_sha256"`
	RunBy       string `json:"run_by"`
}

// required are the claims every statement carries.
var required = []string{"iss", "sub", "iat", "jti", "kind", "case_number", "lab", "model", "version", "weights_digest",
	"received_at", "clock_started_at", "window_days", "timezone", "base_due_at", "due_at", "days_elapsed",
	"stopped_seconds", "stops", "issued_at"}

// Sign signs the claims with the key named kid.
func Sign(c Claims, kid string, key ed25519.PrivateKey) (string, error) {
	if len(key) != ed25519.PrivateKeySize {
		return "", errors.New("statement: not an Ed25519 private key")
	}
	t := jwt.NewWithClaims(jwt.SigningMethodEdDSA, c)
	t.Header["kid"] = kid
	t.Header["typ"] = Type
	return t.SignedString(key)
}

// JWK is one public key of a JSON Web Key Set: an OKP key on Ed25519.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Kid string `json:"kid"`
	Alg string `json:"alg,omitempty"`
	Use string `json:"use,omitempty"`
}

// JWKS is a JSON Web Key Set.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

// PublicJWK is the JWK of an Ed25519 public key.
func PublicJWK(kid string, pub ed25519.PublicKey) JWK {
	return JWK{Kty: "OKP", Crv: "Ed25519", X: base64.RawURLEncoding.EncodeToString(pub), Kid: kid, Alg: Alg, Use: "sig"}
}

// Thumbprint is the RFC 7638 thumbprint of an Ed25519 public key (SHA-256,
// base64url): Docket uses it as the key's kid.
func Thumbprint(pub ed25519.PublicKey) string {
	canon := `{"crv":"Ed25519","kty":"OKP","x":"` + base64.RawURLEncoding.EncodeToString(pub) + `"}`
	sum := sha256.Sum256([]byte(canon))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// ParseJWKS reads a JSON Web Key Set.
func ParseJWKS(data []byte) (JWKS, error) {
	var set JWKS
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return set, errors.New("the JWKS is not JSON: want an object with a keys array")
	}
	if _, ok := probe["keys"]; !ok {
		return set, errors.New("the JWKS has no keys array")
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return set, errors.New("the JWKS's keys are not JWK objects")
	}
	return set, nil
}

// publicKey returns the Ed25519 key of a JWK.
func (k JWK) publicKey() (ed25519.PublicKey, error) {
	if k.Kty != "OKP" || k.Crv != "Ed25519" {
		return nil, fmt.Errorf("key %q in the JWKS is not an Ed25519 key (kty %q, crv %q)", k.Kid, k.Kty, k.Crv)
	}
	if k.Alg != "" && k.Alg != Alg {
		return nil, fmt.Errorf("key %q in the JWKS is for %q, not EdDSA", k.Kid, k.Alg)
	}
	x, err := base64.RawURLEncoding.Strict().DecodeString(k.X)
	if err != nil || len(x) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("key %q in the JWKS does not hold a 32-byte Ed25519 public key", k.Kid)
	}
	return ed25519.PublicKey(x), nil
}

var (
	digestRE  = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	instantRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$`)
)

// Verify checks a statement against a key set: a JWS compact serialization
// with typ docket-statement+jwt, signed with EdDSA only, by a key the set
// holds under the header's kid, carrying every required claim. Its error says
// why a statement fails, in words a person can act on.
func Verify(token string, set JWKS) (*Claims, error) {
	token = strings.TrimSpace(token)
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return nil, errors.New("not a JWS in compact serialization: want three base64url parts separated by dots")
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(parts[0])
	if err != nil {
		return nil, errors.New("the header is not base64url")
	}
	var h map[string]any
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, errors.New("the header is not a JSON object")
	}
	alg, _ := h["alg"].(string)
	switch {
	case strings.EqualFold(alg, "none"):
		return nil, errors.New(`the header says alg "none": the statement is not signed`)
	case alg != Alg:
		return nil, fmt.Errorf("algorithm %q is not accepted: Docket statements are signed with EdDSA (Ed25519) only", alg)
	}
	if typ, _ := h["typ"].(string); typ != Type {
		return nil, fmt.Errorf("the header's typ is %q, not %q: this is not a Docket review statement", typ, Type)
	}
	kid, _ := h["kid"].(string)
	if kid == "" {
		return nil, errors.New("the header names no key (kid)")
	}
	var key *JWK
	var have []string
	for i := range set.Keys {
		have = append(have, set.Keys[i].Kid)
		if set.Keys[i].Kid == kid {
			key = &set.Keys[i]
		}
	}
	if key == nil {
		sort.Strings(have)
		list := "none"
		if len(have) > 0 {
			list = strings.Join(have, ", ")
		}
		return nil, fmt.Errorf("key %q is not in the JWKS (it holds: %s)", kid, list)
	}
	pub, err := key.publicKey()
	if err != nil {
		return nil, err
	}
	// The signature first, over the exact bytes signed, so that any change
	// anywhere is named as what it is.
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || !ed25519.Verify(pub, []byte(parts[0]+"."+parts[1]), sig) {
		return nil, fmt.Errorf("the signature does not verify with key %q: the statement was changed after it was signed, or another key signed it", kid)
	}
	var c Claims
	p := jwt.NewParser(jwt.WithValidMethods([]string{Alg}), jwt.WithStrictDecoding(), jwt.WithoutClaimsValidation())
	if _, err := p.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return pub, nil }); err != nil {
		switch {
		case errors.Is(err, jwt.ErrTokenSignatureInvalid):
			return nil, fmt.Errorf("the signature does not verify with key %q: the statement was changed after it was signed, or another key signed it", kid)
		default:
			return nil, errors.New("the statement is malformed: its payload or signature is not valid base64url JSON")
		}
	}
	if err := checkClaims(parts[1], &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// checkClaims checks that the verified payload names every required claim,
// with values of the right form.
func checkClaims(payload string, c *Claims) error {
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return errors.New("the payload is not base64url")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return errors.New("the payload is not a JSON object")
	}
	for _, name := range required {
		if v, ok := m[name]; !ok || string(v) == "null" {
			return fmt.Errorf("the statement lacks the claim %q", name)
		}
	}
	switch c.Kind {
	case KindDecision:
		if c.Outcome == "" || c.DecidedAt == "" {
			return errors.New("a decision statement must name its outcome and decided_at")
		}
	case KindLapse:
		if c.LapsedAt == "" {
			return errors.New("a lapse statement must name lapsed_at")
		}
	default:
		return fmt.Errorf("the claim kind is %q, neither decision nor lapse", c.Kind)
	}
	if !digestRE.MatchString(c.WeightsDigest) {
		return fmt.Errorf("the claim weights_digest %q is not sha256: and 64 lowercase hex digits", c.WeightsDigest)
	}
	for name, v := range map[string]string{"received_at": c.ReceivedAt, "clock_started_at": c.ClockStartedAt,
		"base_due_at": c.BaseDueAt, "due_at": c.DueAt, "issued_at": c.IssuedAt, "decided_at": c.DecidedAt, "lapsed_at": c.LapsedAt} {
		if v == "" && (name == "decided_at" || name == "lapsed_at") {
			continue
		}
		if _, err := time.Parse(time.RFC3339, v); err != nil || !instantRE.MatchString(v) {
			return fmt.Errorf("the claim %s %q is not an RFC 3339 UTC instant with milliseconds", name, v)
		}
	}
	if c.CaseNumber != c.Subject {
		return fmt.Errorf("the claim sub %q does not name the case number %q", c.Subject, c.CaseNumber)
	}
	return nil
}

// Describe says in one line what a verified statement states.
func Describe(c *Claims) string {
	what := "lapse: the review window elapsed without a decision"
	if c.Kind == KindDecision {
		what = "decision, outcome " + c.Outcome
	}
	out := fmt.Sprintf("%s for %s (%s, %s %s, %s); received %s, deadline %s; issued %s by %s",
		what, c.CaseNumber, c.Lab, c.Model, c.Version, c.WeightsDigest, c.ReceivedAt, c.DueAt, c.IssuedAt, c.Issuer)
	for _, e := range c.Evaluations {
		out += fmt.Sprintf("; considered %s (version %s, eval_id %s, run by %s) %s", e.Task, e.TaskVersion, e.EvalID, e.RunBy, e.LogSHA256)
	}
	return out
}
