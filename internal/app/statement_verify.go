package app

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/statement"
)

// The standing of a verified statement.
const (
	// StatementCurrent: the case's latest statement.
	StatementCurrent = "current"
	// StatementSuperseded: the case has a later statement.
	StatementSuperseded = "superseded"
	// StatementUnknown: the statement is not genuine, or genuine but not in
	// this database.
	StatementUnknown = "unknown"
)

// MaxStatementBytes bounds a statement given to be verified.
const MaxStatementBytes = 64 << 10

// Verification is what checking a statement found. Nothing in it goes
// beyond what the statement itself says, but whether a later statement
// exists and, if so, its kind and when it was issued.
type Verification struct {
	Valid bool
	// Reason says why an invalid statement fails, in plain words.
	Reason string
	// KeyID is the kid the statement's header names, when it names one.
	KeyID string
	// Claims are the verified payload as signed (valid statements only).
	Claims json.RawMessage
	// Parsed are the same claims, decoded.
	Parsed *statement.Claims
	Status string
	// SupersededBy is the case's later statement (superseded only).
	SupersededBy *SupersedingStatement
}

// SupersedingStatement is what is told of the later statement.
type SupersedingStatement struct {
	Kind     string
	IssuedAt time.Time
}

// VerifyStatement checks a statement for anyone, signed in or not (a
// contracting officer): its signature against every key Docket published
// (EdDSA only), its form and claims; then whether this database holds it
// and whether the case has a later one. It writes nothing. A statement that
// fails the check is an answer (Valid false, with the reason), not an error;
// an empty or over-long one is a 422 naming statement.
func (s *Evidence) VerifyStatement(ctx context.Context, token string) (*Verification, error) {
	token = strings.TrimSpace(token)
	switch {
	case token == "":
		return nil, docket.Unacceptable("statement", "is required: paste the statement (a JWS, three parts separated by dots)")
	case len(token) > MaxStatementBytes:
		return nil, docket.Unacceptable("statement", "is longer than %d bytes: not a Docket statement", MaxStatementBytes)
	}
	v := &Verification{Status: StatementUnknown, KeyID: headerKid(token)}
	err := s.read(ctx, func(tx evidenceTx) error {
		keys, err := tx.Statements().SigningKeys()
		if err != nil {
			return err
		}
		set := statement.JWKS{Keys: []statement.JWK{}}
		for _, k := range keys {
			set.Keys = append(set.Keys, statement.PublicJWK(k.KeyID, ed25519.PublicKey(k.PublicKey)))
		}
		c, err := statement.Verify(token, set)
		if err != nil {
			v.Reason = err.Error()
			return nil
		}
		v.Valid, v.Parsed = true, c
		if payload, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1]); err == nil {
			v.Claims = payload
		}
		st, err := tx.Statements().StatementByID(c.ID)
		if docket.ErrorCode(err) == docket.ENotFound {
			return nil // genuine, but not this database's
		} else if err != nil {
			return err
		}
		latest, err := tx.Statements().LatestStatement(st.CaseID)
		if err != nil {
			return err
		}
		v.Status = StatementCurrent
		if latest.ID != st.ID {
			v.Status, v.SupersededBy = StatementSuperseded, &SupersedingStatement{Kind: latest.Kind, IssuedAt: latest.IssuedAt}
		}
		return nil
	})
	return v, err
}

// headerKid reads the kid a JWS's header names, "" when it names none.
func headerKid(token string) string {
	head, _, ok := strings.Cut(token, ".")
	if !ok {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return ""
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if json.Unmarshal(raw, &h) != nil || len(h.Kid) > 200 {
		return ""
	}
	return h.Kid
}
