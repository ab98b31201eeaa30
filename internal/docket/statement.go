package docket

import "time"

// The kinds of review statement.
const (
	StatementDecision = "decision"
	StatementLapse    = "lapse"
)

// Statement is a signed review statement: a JWS (compact serialization)
// issued when a case is decided or when it lapses. DeadlineKey identifies the
// lapse it records (the deadline that passed), so that each lapse is stated once.
type Statement struct {
	ID          string
	CaseID      string
	Kind        string
	KeyID       string
	Token       string
	DeadlineKey time.Time
	IssuedAt    time.Time
}

// SigningKey is one of the agency's Ed25519 statement keys. The private half
// is kept sealed; the newest key (the highest Seq) signs, every key stays in
// the published key set so that earlier statements still verify.
type SigningKey struct {
	KeyID         string
	Seq           int
	PublicKey     []byte // 32 bytes
	SealedPrivate []byte // the 32-byte seed, sealed with a key derived from the signing secret
	CreatedAt     time.Time
	RetiredAt     *time.Time
}

// CSAFKey is one of the CSAF provider's OpenPGP signing keys: the newest
// signs, earlier ones stay published.
type CSAFKey struct {
	Fingerprint   string // upper-case hex
	Seq           int
	PublicKey     []byte // ASCII-armored
	SealedPrivate []byte // the serialized private key, sealed with a key derived from the signing secret
	CreatedAt     time.Time
	RetiredAt     *time.Time
}

// CanReadStatement checks that the actor may read a case's statement: the lab
// and every agency role that sees the case (404 otherwise).
func (a CaseAccess) CanReadStatement() error {
	if !a.CanSee() {
		return NotFound("case")
	}
	return nil
}
