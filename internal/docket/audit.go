package docket

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
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
// confidential text only as the field's name and the SHA-256 of its new value.
type Changes map[string]any

// Set records a metadata field's new value.
func (c Changes) Set(field string, value any) Changes { c[field] = value; return c }

// Secret records that a confidential field changed, keeping only a hash of its value.
func (c Changes) Secret(field, value string) Changes {
	sum := sha256.Sum256([]byte(value))
	c[field] = map[string]string{"sha256": hex.EncodeToString(sum[:])}
	return c
}

// JSON renders the changes deterministically.
func (c Changes) JSON() string {
	if len(c) == 0 {
		return "{}"
	}
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ordered := make(map[string]any, len(c))
	for _, k := range keys {
		ordered[k] = c[k]
	}
	b, err := json.Marshal(ordered) // encoding/json sorts map keys
	if err != nil {
		return "{}"
	}
	return string(b)
}
