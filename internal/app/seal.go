package app

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"

	"golang.org/x/crypto/hkdf"
)

// Secrets kept at rest (webhook secrets, the statement signing keys) are
// sealed with AES-256-GCM under a key derived from the signing secret with
// HKDF-SHA256, one key per purpose (its HKDF info label), so that the signing
// secret itself seals nothing; each sealed value is bound, as additional
// data, to what it belongs to, so that it cannot be moved to another row.

// The HKDF labels of the sealing keys. Changing one makes every value sealed
// under it unreadable.
const (
	sealWebhookSecrets = "docket webhook secrets v1" // #nosec G101 -- an HKDF info label, public by design; the secret is DOCKET_SECRET
	sealStatementKeys  = "docket statement signing keys v1"
	// auditValues labels the HMAC key of the audit trail's confidential values.
	auditValues = "docket audit values v1"
)

// AuditKey derives, from the signing secret, the key under which the audit
// trail hashes confidential values (HMAC-SHA256): a purpose of its own, so
// that the key opens nothing else and the secret itself hashes nothing.
func AuditKey(secret []byte) ([]byte, error) {
	if len(secret) == 0 {
		return nil, errors.New("no signing secret to derive the audit key from")
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte(auditValues)), key); err != nil {
		return nil, err
	}
	return key, nil
}

// errSealed is the failure to open a sealed value: damaged, bound to
// something else, or sealed under another deployment's secret.
var errSealed = errors.New("the sealed value does not open with this deployment's secret")

// sealer seals and opens the values of one purpose.
type sealer struct{ aead cipher.AEAD }

// sealerFor returns the sealer of the purpose named by info.
func (s *Service) sealerFor(info string) (sealer, error) {
	if len(s.secret) == 0 {
		return sealer{}, errors.New("no signing secret to derive the sealing key from")
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, s.secret, nil, []byte(info)), key); err != nil {
		return sealer{}, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealer{}, err
	}
	aead, err := cipher.NewGCM(block)
	return sealer{aead: aead}, err
}

// seal encrypts plain, bound to bound, with a fresh random nonce before it.
func (k sealer) seal(plain []byte, bound string) ([]byte, error) {
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return k.aead.Seal(nonce, nonce, plain, []byte(bound)), nil
}

// open decrypts what seal sealed, bound to the same bound.
func (k sealer) open(sealed []byte, bound string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return nil, errSealed
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(bound))
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}
