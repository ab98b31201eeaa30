package app

import (
	"context"
	"fmt"
	"net/mail"
	"sync"
	"time"

	"github.com/docket/docket/internal/csaf"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/seal"
)

// CSAFKeyStore keeps the CSAF provider's OpenPGP keys.
type CSAFKeyStore interface {
	CreateCSAFKey(k *docket.CSAFKey) error
	// CSAFKeys returns every key, the newest (the one that signs) first.
	CSAFKeys() ([]docket.CSAFKey, error)
	// RetireCSAFKeys marks every key not yet retired as retired at at.
	RetireCSAFKeys(at time.Time) error
}

// providerTx is the CSAF provider's view of a transaction.
type providerTx interface {
	auditing
	CSAFKeys() CSAFKeyStore
}

// Provider is the use cases of the CSAF trusted provider: the Clearinghouse
// entries as CSAF documents, by TLP folder, and the OpenPGP keys that sign
// them (made on first start and kept sealed in the database, like the
// statement key, so every replica signs with the same key).
type Provider struct {
	*core
	clearinghouse *Clearinghouse
	// secret seals the private keys; agency and email name the keys' owner.
	secret        []byte
	agency, email string
	// signers are the keys opened so far, by fingerprint.
	mu      sync.Mutex
	signers map[string]*csaf.Signer
}

func newProvider(c *core, ch *Clearinghouse, secret []byte, agency, from string) *Provider {
	email := ""
	if a, err := mail.ParseAddress(from); err == nil {
		email = a.Address
	}
	return &Provider{core: c, clearinghouse: ch, secret: secret, agency: agency, email: email, signers: map[string]*csaf.Signer{}}
}

func (s *Provider) read(ctx context.Context, fn func(providerTx) error) error {
	return s.store.Read(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Provider) write(ctx context.Context, fn func(providerTx) error) error {
	return s.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Provider) sealer() (*seal.Sealer, error) {
	k, err := seal.New(s.secret, seal.CSAFKeys)
	if err != nil {
		return nil, fmt.Errorf("csaf keys: %w", err)
	}
	return k, nil
}

// createKey makes a key pair, stores it sealed as number seq and audits it.
func (s *Provider) createKey(tx providerTx, seq int, now time.Time, action string, ch docket.Changes) (string, error) {
	signer, fpr, pub, priv, err := csaf.NewKey(s.agency, s.email, now)
	if err != nil {
		return "", err
	}
	k, err := s.sealer()
	if err != nil {
		return "", err
	}
	sealed, err := k.Seal(priv, "fpr:"+fpr)
	if err != nil {
		return "", err
	}
	if err := tx.CSAFKeys().CreateCSAFKey(&docket.CSAFKey{Fingerprint: fpr, Seq: seq, PublicKey: pub, SealedPrivate: sealed,
		CreatedAt: now}); err != nil {
		return "", err
	}
	s.mu.Lock()
	s.signers[fpr] = signer
	s.mu.Unlock()
	if ch == nil {
		ch = docket.Changes{}
	}
	ch.Set("fingerprint", fpr).Set("seq", seq)
	return fpr, s.audit(tx, docket.System(), action, "csaf_key", fpr, "", ch)
}

// EnsureCSAFKey makes the provider's OpenPGP key on first start and checks
// that the current one opens with this deployment's secret. It returns the
// current key's fingerprint.
func (s *Provider) EnsureCSAFKey(ctx context.Context) (string, error) {
	var fpr string
	ensure := func(tx providerTx) error {
		keys, err := tx.CSAFKeys().CSAFKeys()
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			fpr, err = s.createKey(tx, 1, s.Now(), "csaf_key.created", nil)
			return err
		}
		_, err = s.open(keys[0])
		fpr = keys[0].Fingerprint
		return err
	}
	err := s.write(ctx, ensure)
	if docket.ErrorCode(err) == docket.EConflict { // another replica made it first
		err = s.read(ctx, ensure)
	}
	return fpr, err
}

// RotateCSAFKey makes a new current OpenPGP key; earlier keys are retired
// but stay published, so that earlier signatures still verify. It returns
// the new fingerprint and the earlier ones.
func (s *Provider) RotateCSAFKey(ctx context.Context) (string, []string, error) {
	var fpr string
	var earlier []string
	err := s.write(ctx, func(tx providerTx) error {
		keys, err := tx.CSAFKeys().CSAFKeys()
		if err != nil {
			return err
		}
		now, seq, ch := s.Now(), 1, docket.Changes{}
		if len(keys) > 0 {
			seq = keys[0].Seq + 1
			ch.Set("previous_fingerprint", keys[0].Fingerprint)
			for _, k := range keys {
				earlier = append(earlier, k.Fingerprint)
			}
		}
		if err := tx.CSAFKeys().RetireCSAFKeys(now); err != nil {
			return err
		}
		fpr, err = s.createKey(tx, seq, now, "csaf_key.rotated", ch)
		return err
	})
	return fpr, earlier, err
}

// open returns the opened private key of a stored key.
func (s *Provider) open(k docket.CSAFKey) (*csaf.Signer, error) {
	s.mu.Lock()
	signer, ok := s.signers[k.Fingerprint]
	s.mu.Unlock()
	if ok {
		return signer, nil
	}
	sl, err := s.sealer()
	if err != nil {
		return nil, err
	}
	priv, err := sl.Open(k.SealedPrivate, "fpr:"+k.Fingerprint)
	if err != nil {
		return nil, fmt.Errorf("csaf keys: key %s does not open with this deployment's secret (was DOCKET_SECRET changed?)", k.Fingerprint)
	}
	if signer, err = csaf.OpenKey(priv); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.signers[k.Fingerprint] = signer
	s.mu.Unlock()
	return signer, nil
}

// CSAFKeys returns the public keys, the current one first (none before the
// first start made one).
func (s *Provider) CSAFKeys(ctx context.Context) ([]csaf.Key, error) {
	var out []csaf.Key
	err := s.read(ctx, func(tx providerTx) error {
		keys, err := tx.CSAFKeys().CSAFKeys()
		for _, k := range keys {
			out = append(out, csaf.Key{Fingerprint: k.Fingerprint, Armored: k.PublicKey})
		}
		return err
	})
	return out, err
}

// Sign signs data with the current key as of the instant at (never before
// the key was made): an ASCII-armored detached OpenPGP signature. It fails
// when no key was made yet.
func (s *Provider) Sign(ctx context.Context, data []byte, at time.Time) ([]byte, error) {
	var signer *csaf.Signer
	err := s.read(ctx, func(tx providerTx) error {
		keys, err := tx.CSAFKeys().CSAFKeys()
		if err != nil {
			return err
		}
		if len(keys) == 0 {
			return fmt.Errorf("csaf keys: no key yet (one is made at start)")
		}
		signer, err = s.open(keys[0])
		return err
	})
	if err != nil {
		return nil, err
	}
	return signer.Sign(data, at)
}

// Folder is one TLP folder of the directory distribution: its entries,
// newest first, and when it last changed.
type Folder struct {
	Name     string
	Entries  []docket.ClearinghouseEntry
	Released time.Time
}

// CSAFFolder returns a TLP folder's entries to a reader who may read it:
// white (the TLP:CLEAR entries) to anyone when clearinghouse.public, and to
// every signed-in user; green (TLP:GREEN) to signed-in users only (401 to
// anyone else). Any other folder is a 404.
func (s *Provider) CSAFFolder(ctx context.Context, a docket.Actor, name string) (*Folder, error) {
	tlp := csaf.TLPOf(name)
	if tlp == "" {
		return nil, docket.NotFound("folder")
	}
	if tlp != docket.TLPClear && !a.Role.Valid() {
		return nil, docket.Errorf(docket.EUnauthorized, "sign in first: the %s folder holds TLP:GREEN advisories", name)
	}
	cat, err := s.clearinghouse.Clearinghouse(ctx, a, "")
	if err != nil {
		return nil, err
	}
	f := &Folder{Name: name, Released: cat.Origin}
	for _, e := range cat.Entries {
		if e.TLP == tlp {
			f.Entries = append(f.Entries, e)
			if e.PublishedAt.After(f.Released) {
				f.Released = e.PublishedAt
			}
		}
	}
	return f, nil
}

// Updated is when the public part of the provider last changed: the latest
// TLP:CLEAR publication, or the first start while there is none.
func (s *Provider) Updated(ctx context.Context) (time.Time, error) {
	var at time.Time
	err := s.clearinghouse.read(ctx, func(tx clearinghouseTx) error {
		entries, err := tx.Clearinghouse().ListClearinghouse("")
		if err != nil {
			return err
		}
		if latest, _ := docket.CatalogHead(docket.PublicEntries(entries), s.loc); latest != nil {
			at = *latest
			return nil
		}
		_, at, err = s.clearinghouse.released(tx, nil)
		return err
	})
	return at, err
}
