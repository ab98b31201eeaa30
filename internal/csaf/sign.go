package csaf

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// config is the OpenPGP configuration of the provider's keys and
// signatures: Ed25519 (EdDSA) v4 keys, SHA-512, and deterministic
// signatures, so that a document signed again at the same instant with the
// same key gives the same bytes.
func config(at time.Time) *packet.Config {
	det := false
	return &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, DefaultHash: crypto.SHA512,
		Time: func() time.Time { return at }, NonDeterministicSignaturesViaNotation: &det}
}

// Signer is an opened private OpenPGP key.
type Signer struct {
	entity *openpgp.Entity
}

// NewKey makes a signing key for the agency, created at now; uid names it.
// It returns the signer, its upper-case hex fingerprint, the armored public
// key and the serialized private key (to be sealed before it is stored).
func NewKey(name, email string, now time.Time) (*Signer, string, []byte, []byte, error) {
	e, err := openpgp.NewEntity(name, "CSAF trusted provider", email, config(now))
	if err != nil {
		return nil, "", nil, nil, fmt.Errorf("csaf: make the OpenPGP key: %w", err)
	}
	var priv bytes.Buffer
	if err := e.SerializePrivate(&priv, config(now)); err != nil {
		return nil, "", nil, nil, err
	}
	pub, err := ArmoredPublic(e)
	if err != nil {
		return nil, "", nil, nil, err
	}
	s := &Signer{entity: e}
	return s, s.Fingerprint(), pub, priv.Bytes(), nil
}

// OpenKey reads a serialized private key.
func OpenKey(private []byte) (*Signer, error) {
	e, err := openpgp.ReadEntity(packet.NewReader(bytes.NewReader(private)))
	if err != nil {
		return nil, fmt.Errorf("csaf: read the OpenPGP key: %w", err)
	}
	if e.PrivateKey == nil || e.PrivateKey.Encrypted {
		return nil, errors.New("csaf: the OpenPGP key has no usable private part")
	}
	return &Signer{entity: e}, nil
}

// Fingerprint is the key's fingerprint, upper-case hex.
func (s *Signer) Fingerprint() string {
	return strings.ToUpper(fmt.Sprintf("%x", s.entity.PrimaryKey.Fingerprint))
}

// Created is when the key was made.
func (s *Signer) Created() time.Time { return s.entity.PrimaryKey.CreationTime }

// ArmoredPublic returns an entity's public key, ASCII-armored.
func ArmoredPublic(e *openpgp.Entity) ([]byte, error) {
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		return nil, err
	}
	if err := e.Serialize(w); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\n")
	return b.Bytes(), nil
}

// Sign returns an ASCII-armored detached signature of data made at the
// instant at (never before the key was made).
func (s *Signer) Sign(data []byte, at time.Time) ([]byte, error) {
	if at.Before(s.Created()) {
		at = s.Created()
	}
	var b bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&b, s.entity, bytes.NewReader(data), config(at.Truncate(time.Second))); err != nil {
		return nil, err
	}
	b.WriteString("\n")
	return b.Bytes(), nil
}

// Verify checks an armored detached signature of data against an armored
// public key (the tests' and the command line's check).
func Verify(publicKey, data, signature []byte) error {
	keys, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(publicKey))
	if err != nil {
		return err
	}
	_, err = openpgp.CheckArmoredDetachedSignature(keys, bytes.NewReader(data), bytes.NewReader(signature), nil)
	return err
}
