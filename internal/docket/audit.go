package docket

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// AuditEvent is one append-only entry of the audit trail. Each event carries the
// hash of the one before it, so an edit or a deletion breaks the chain.
type AuditEvent struct {
	Seq         int64     `json:"seq"`
	ID          string    `json:"id"`
	At          time.Time `json:"at"`
	ActorID     string    `json:"actor_id"`
	ActorRole   string    `json:"actor_role"`
	OrgID       string    `json:"org_id"`
	Action      string    `json:"action"`
	SubjectType string    `json:"subject_type"`
	SubjectID   string    `json:"subject_id"`
	CaseID      string    `json:"case_id,omitempty"`
	RequestID   string    `json:"request_id"`
	ClientIP    string    `json:"client_ip"`
	Changes     string    `json:"changes"`
	PrevHash    string    `json:"prev_hash"`
	Hash        string    `json:"hash"`
}

// ComputeHash returns the SHA-256 that links this event into the chain: it covers
// every field but Hash itself, PrevHash included.
func (e AuditEvent) ComputeHash() string {
	h := sha256.New()
	for _, s := range []string{
		strconv.FormatInt(e.Seq, 10), e.ID, strconv.FormatInt(e.At.UnixMilli(), 10),
		e.ActorID, e.ActorRole, e.OrgID, e.Action, e.SubjectType, e.SubjectID, e.CaseID,
		e.RequestID, e.ClientIP, e.Changes, e.PrevHash,
	} {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Changes records what an action changed. Metadata is kept as values;
// confidential values only as the field's name and a keyed hash of the new
// value: {"hmac_sha256": hex}, HMAC-SHA256 under the deployment's audit key
// of the event's subject, the field and the value, so that nobody without the
// key can recover a score, an id or a short text by hashing guesses, nor
// tell that two subjects share a value. (Events written before keyed hashes
// hold {"sha256": hex}; the chain covers both alike.)
type Changes map[string]any

// secretValue is a confidential value waiting to be hashed under the audit key.
type secretValue string

// Set records a metadata field's new value.
func (c Changes) Set(field string, value any) Changes { c[field] = value; return c }

// Secret records that a confidential field changed; only its keyed hash is
// ever written (see JSON).
func (c Changes) Secret(field, value string) Changes {
	c[field] = secretValue(value)
	return c
}

// AuditValueHash is the keyed hash of a confidential value as the audit
// trail records it for field of subject (AuditSubject).
func AuditValueHash(key []byte, subject, field, value string) string {
	m := hmac.New(sha256.New, key)
	for _, s := range []string{subject, field, value} {
		m.Write([]byte(strconv.Itoa(len(s))))
		m.Write([]byte{':'})
		m.Write([]byte(s))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// AuditSubject names an event's subject for its keyed hashes.
func AuditSubject(subjectType, subjectID string) string { return subjectType + "/" + subjectID }

// JSON renders the changes deterministically, each confidential value as its
// HMAC-SHA256 under key for subject (AuditValueHash). It fails when there is
// a confidential value and no key.
func (c Changes) JSON(key []byte, subject string) (string, error) {
	if len(c) == 0 {
		return "{}", nil
	}
	out := make(map[string]any, len(c))
	for k, v := range c {
		if s, ok := v.(secretValue); ok {
			if len(key) == 0 {
				return "", errors.New("audit: a confidential value and no key to hash it with")
			}
			v = map[string]string{"hmac_sha256": AuditValueHash(key, subject, k, string(s))}
		}
		out[k] = v
	}
	b, err := json.Marshal(out) // encoding/json sorts map keys
	if err != nil {
		return "", fmt.Errorf("audit: changes: %w", err)
	}
	return string(b), nil
}
