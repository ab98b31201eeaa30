// Package seal keeps Docket's secrets at rest (webhook secrets, the statement
// signing keys) under keys derived from the deployment's signing secret, and
// derives the key under which the audit trail hashes confidential values.
//
// Each purpose has its own key, derived from the signing secret with
// HKDF-SHA256 under the purpose's info label, so that the signing secret
// itself seals nothing and a key opens nothing of another purpose. Values are
// sealed with AES-256-GCM as nonce || ciphertext || tag, a fresh random
// 12-byte nonce each time, and bound, as additional data, to what they belong
// to (a row's id), so that a sealed value moved to another row does not open.
// The package knows nothing of storage or HTTP.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"

	"golang.org/x/crypto/hkdf"
)

// Purpose is what a sealing key is for: its HKDF info label. Changing a
// label makes every value sealed under it unreadable.
type Purpose string

// The purposes of Docket's sealing keys.
const (
	// WebhookSecrets seals the secrets webhooks sign their deliveries with,
	// each bound to its webhook's id.
	WebhookSecrets Purpose = "docket webhook secrets v1" // #nosec G101 -- an HKDF info label, public by design; the secret is DOCKET_SECRET
	// StatementKeys seals the private halves of the statement signing keys,
	// each bound to "kid:" and its key id.
	StatementKeys Purpose = "docket statement signing keys v1"
	// OIDCFlows seals a single sign-on's state between its start and its
	// callback (the flow cookie), bound to "oidc flow".
	OIDCFlows Purpose = "docket oidc flows v1"
	// TOTPSecrets seals the TOTP secrets of second factors, each bound to its factor's id.
	TOTPSecrets Purpose = "docket totp secrets v1" // #nosec G101 -- an HKDF info label
	// CSAFKeys seals the CSAF provider's private OpenPGP keys, each bound to
	// "fpr:" and its fingerprint.
	CSAFKeys Purpose = "docket csaf openpgp keys v1"
)

// auditValues labels the HMAC key of the audit trail's confidential values.
const auditValues = "docket audit values v1"

// ErrOpen is the failure to open a sealed value: damaged, bound to something
// else, sealed for another purpose or under another deployment's secret.
var ErrOpen = errors.New("the sealed value does not open with this deployment's secret")

// derive returns the 32-byte key of the label, derived from secret with
// HKDF-SHA256 (no salt); without a secret it fails, naming what the key was for.
func derive(secret []byte, label, what string) ([]byte, error) {
	if len(secret) == 0 {
		return nil, errors.New("no signing secret to derive the " + what + " from")
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte(label)), key); err != nil {
		return nil, err
	}
	return key, nil
}

// AuditKey derives, from the signing secret, the key under which the audit
// trail hashes confidential values (HMAC-SHA256): a purpose of its own, so
// that the key opens nothing else and the secret itself hashes nothing. It
// fails without a secret.
func AuditKey(secret []byte) ([]byte, error) {
	return derive(secret, auditValues, "audit key")
}

// RecoveryCodeKey derives the key under which recovery codes are hashed
// (HMAC-SHA256), so that a copy of the database alone cannot test guesses.
func RecoveryCodeKey(secret []byte) ([]byte, error) {
	return derive(secret, "docket recovery codes v1", "recovery code key")
}

// Sealer seals and opens the values of one purpose. It is safe for
// concurrent use.
type Sealer struct{ aead cipher.AEAD }

// New returns the sealer of the purpose under the signing secret; it fails
// without a secret.
func New(secret []byte, p Purpose) (*Sealer, error) {
	key, err := derive(secret, string(p), "sealing key")
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain, bound to bound, behind a fresh random nonce. Two seals
// of one value differ. It fails only when no random nonce can be read.
func (s *Sealer) Seal(plain []byte, bound string) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, plain, []byte(bound)), nil
}

// Open decrypts what Seal sealed for the same purpose, bound to the same
// bound, under the same secret; anything else is ErrOpen.
func (s *Sealer) Open(sealed []byte, bound string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, ErrOpen
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(bound))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}
