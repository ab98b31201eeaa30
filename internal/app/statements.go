package app

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/seal"
	"github.com/docket/docket/internal/statement"
)

// StatementStore keeps the agency's statement keys and the statements issued.
type StatementStore interface {
	CreateSigningKey(k *docket.SigningKey) error
	// SigningKeys returns every key, the newest (the one that signs) first.
	SigningKeys() ([]docket.SigningKey, error)
	// RetireSigningKeys marks every key not yet retired as retired at at.
	RetireSigningKeys(at time.Time) error
	// InsertStatement stores a statement unless the case has one of its kind
	// for its deadline already; it reports whether it stored it.
	InsertStatement(s *docket.Statement) (bool, error)
	// LatestStatement returns a case's latest statement (404 when none).
	LatestStatement(caseID string) (*docket.Statement, error)
	// StatementByID returns a statement by its id, its jti (404 when none).
	StatementByID(id string) (*docket.Statement, error)
	// LapsedCases returns, of the given cases, the open ones past their
	// running deadline that have no lapse statement for it yet.
	LapsedCases(now time.Time, caseIDs []string) ([]*docket.Case, error)
}

// sealSeed encrypts a private key's seed, bound to its kid.
func (s *statementSigner) sealSeed(seed []byte, kid string) ([]byte, error) {
	k, err := seal.New(s.secret, seal.StatementKeys)
	if err != nil {
		return nil, fmt.Errorf("statements: %w", err)
	}
	return k.Seal(seed, "kid:"+kid)
}

// openKey decrypts a stored key's private half.
func (s *statementSigner) openKey(sk docket.SigningKey) (ed25519.PrivateKey, error) {
	k, err := seal.New(s.secret, seal.StatementKeys)
	if err != nil {
		return nil, fmt.Errorf("statements: %w", err)
	}
	seed, err := k.Open(sk.SealedPrivate, "kid:"+sk.KeyID)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("statements: key %s does not open with this deployment's secret (was DOCKET_SECRET changed?)", sk.KeyID)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// createKey generates a key pair, stores it sealed as number seq and audits it.
func (s *statementSigner) createKey(tx statementTx, seq int, now time.Time, action string, ch docket.Changes) (*docket.SigningKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	kid := statement.Thumbprint(pub)
	sealed, err := s.sealSeed(priv.Seed(), kid)
	if err != nil {
		return nil, nil, err
	}
	k := &docket.SigningKey{KeyID: kid, Seq: seq, PublicKey: pub, SealedPrivate: sealed, CreatedAt: now}
	if err := tx.Statements().CreateSigningKey(k); err != nil {
		return nil, nil, err
	}
	if ch == nil {
		ch = docket.Changes{}
	}
	ch.Set("kid", kid).Set("seq", seq)
	return k, priv, s.audit(tx, docket.System(), action, "signing_key", kid, "", ch)
}

// signingKey returns the key that signs now, generating the first one when
// there is none yet.
func (s *statementSigner) signingKey(tx statementTx) (string, ed25519.PrivateKey, error) {
	keys, err := tx.Statements().SigningKeys()
	if err != nil {
		return "", nil, err
	}
	if len(keys) == 0 {
		k, priv, err := s.createKey(tx, 1, s.Now(), "signing_key.created", nil)
		if err != nil {
			return "", nil, err
		}
		return k.KeyID, priv, nil
	}
	priv, err := s.openKey(keys[0])
	return keys[0].KeyID, priv, err
}

// EnsureSigningKey generates the statement key pair on first start, and
// checks that the current one opens with this deployment's secret. It returns
// the current kid.
func (s *Evidence) EnsureSigningKey(ctx context.Context) (string, error) {
	var kid string
	err := s.write(ctx, func(tx evidenceTx) error {
		var err error
		kid, _, err = s.signingKey(tx)
		return err
	})
	if docket.ErrorCode(err) == docket.EConflict { // another replica made it first
		err = s.read(ctx, func(tx evidenceTx) error {
			var err error
			kid, _, err = s.signingKey(tx)
			return err
		})
	}
	return kid, err
}

// RotateSigningKey makes a new current statement key; earlier keys are
// retired but stay published, so that earlier statements still verify. It
// returns the new kid and the earlier ones.
func (s *Evidence) RotateSigningKey(ctx context.Context) (string, []string, error) {
	var kid string
	var earlier []string
	err := s.write(ctx, func(tx evidenceTx) error {
		keys, err := tx.Statements().SigningKeys()
		if err != nil {
			return err
		}
		now := s.Now()
		seq := 1
		ch := docket.Changes{}
		if len(keys) > 0 {
			seq = keys[0].Seq + 1
			ch.Set("previous_kid", keys[0].KeyID)
			for _, k := range keys {
				earlier = append(earlier, k.KeyID)
			}
		}
		if err := tx.Statements().RetireSigningKeys(now); err != nil {
			return err
		}
		k, _, err := s.createKey(tx, seq, now, "signing_key.rotated", ch)
		if err == nil {
			kid = k.KeyID
		}
		return err
	})
	return kid, earlier, err
}

// JWKS returns the public keys of every statement key, the current one first.
func (s *Evidence) JWKS(ctx context.Context) (statement.JWKS, error) {
	set := statement.JWKS{Keys: []statement.JWK{}}
	err := s.read(ctx, func(tx evidenceTx) error {
		keys, err := tx.Statements().SigningKeys()
		for _, k := range keys {
			set.Keys = append(set.Keys, statement.PublicJWK(k.KeyID, ed25519.PublicKey(k.PublicKey)))
		}
		return err
	})
	return set, err
}

// GetStatement returns a case's latest statement to the lab and to every
// agency role that sees the case (404 otherwise, and while there is none).
func (s *Evidence) GetStatement(ctx context.Context, a docket.Actor, caseID string) (*docket.Statement, error) {
	var st *docket.Statement
	err := s.read(ctx, func(tx evidenceTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CanReadStatement(); err != nil {
			return err
		}
		st, err = tx.Statements().LatestStatement(caseID)
		if docket.ErrorCode(err) == docket.ENotFound {
			return &docket.Error{Code: docket.ENotFound,
				Message: "statement not found: one is issued when the case is decided or when its review window lapses"}
		}
		return err
	})
	return st, err
}

// issueStatement signs and stores a statement of the case's current clock,
// at now: for a decision d names its outcome; for a lapse, d is nil and the
// running deadline is the one that passed. It returns nil when the case has
// that statement already.
func (s *statementSigner) issueStatement(tx statementTx, c *docket.Case, kind string, d *docket.Decision, now time.Time) (*docket.Statement, error) {
	k := c.Clock
	if !k.Started() {
		return nil, errors.New("statements: the case was never submitted")
	}
	loc := k.Location()
	stops, err := tx.Cases().ListStops(c.ID)
	if err != nil {
		return nil, err
	}
	deadline := k.DeadlineKey()
	cl := statement.Claims{Kind: kind, CaseNumber: c.Number, Lab: c.OrgName, Model: c.ModelName,
		Version: c.ModelVersion, WeightsDigest: c.WeightsDigest, ReceivedAt: stamp(*k.ReceivedAt),
		ClockStartedAt: stamp(*k.StartedAt), WindowDays: k.WindowDays, Timezone: k.Timezone,
		BaseDueAt: stamp(*k.BaseDueAt), DueAt: stamp(k.DueAt(now)), StoppedSeconds: seconds(k.ClosedStopped),
		Stops: []statement.Stop{}, IssuedAt: stamp(now)}
	var event time.Time
	switch kind {
	case docket.StatementDecision:
		cl.Outcome, cl.DecidedAt, event = d.Outcome, stamp(d.DecidedAt), d.DecidedAt
		cl.WeightsDigest = d.WeightsDigest
		evs, err := tx.Evaluations().ListEvaluations(c.ID)
		if err != nil {
			return nil, err
		}
		for i := len(evs) - 1; i >= 0; i-- { // the list is the latest first
			e := evs[i]
			cl.Evaluations = append(cl.Evaluations, statement.Evaluation{Task: e.Task, TaskVersion: e.TaskVersion,
				EvalID: e.EvalID, LogSHA256: e.Digest(), RunBy: e.RunBy})
		}
	case docket.StatementLapse:
		cl.DueAt, cl.LapsedAt, event = stamp(deadline), stamp(deadline.Add(time.Millisecond)), deadline
	default:
		return nil, fmt.Errorf("statements: unknown kind %q", kind)
	}
	cl.DaysElapsed = daysBetween(clock.DateOf(*k.StartedAt, loc), clock.DateOf(event, loc))
	for _, st := range stops {
		if st.ClockSeq != k.Seq {
			continue // earlier clocks' stops no longer count
		}
		end := now
		line := statement.Stop{StartedAt: stamp(st.StartedAt), Reason: st.Reason}
		if st.EndedAt != nil {
			end, line.EndedAt = *st.EndedAt, stamp(*st.EndedAt)
		}
		line.Seconds = seconds(end.Sub(st.StartedAt))
		cl.Stops = append(cl.Stops, line)
	}
	st := &docket.Statement{ID: newID(), CaseID: c.ID, Kind: kind, DeadlineKey: deadline, IssuedAt: now}
	cl.Issuer, cl.Subject, cl.ID = s.issuer, c.Number, st.ID
	if err := s.officerClaims(tx, &cl, c, d); err != nil {
		return nil, err
	}
	cl.IssuedAt = stamp(now)
	cl.RegisteredClaims.IssuedAt = jwt.NewNumericDate(now)
	kid, priv, err := s.signingKey(tx)
	if err != nil {
		return nil, err
	}
	if st.Token, err = statement.Sign(cl, kid, priv); err != nil {
		return nil, err
	}
	st.KeyID = kid
	added, err := tx.Statements().InsertStatement(st)
	if err != nil || !added {
		return nil, err
	}
	return st, nil
}

// officerClaims adds what a contracting officer needs: the agency, the
// case's id and page, its planned release date, for a decision who made it
// and its conditions, the previous statement's jti, and the evaluations (an
// empty list when none was considered).
func (s *statementSigner) officerClaims(tx statementTx, cl *statement.Claims, c *docket.Case, d *docket.Decision) error {
	cl.Agency, cl.CaseID = s.agency, c.ID
	if cl.Evaluations == nil {
		cl.Evaluations = []statement.Evaluation{}
	}
	cl.CaseURL = s.baseURL + "/cases/" + c.ID
	if !c.PlannedReleaseDate.IsZero() {
		p := c.PlannedReleaseDate.String()
		cl.PlannedReleaseDate = &p
	}
	if d != nil {
		cond := d.Conditions
		cl.Conditions = &cond
		if u, err := tx.Users().UserByID(d.DecidedBy); err == nil {
			cl.DecidedBy = u.Name
		} else if docket.ErrorCode(err) != docket.ENotFound {
			return err
		}
	}
	prev, err := tx.Statements().LatestStatement(c.ID)
	switch {
	case err == nil:
		cl.Supersedes = &prev.ID
	case docket.ErrorCode(err) != docket.ENotFound:
		return err
	}
	return nil
}

// issueLapseStatements issues the lapse statement of every case of caseIDs
// that is open, whose running deadline passed and that has none for it yet:
// once per lapse, in the sweep's transaction. It returns how many it issued.
func (s *statementSigner) issueLapseStatements(tx statementTx, now time.Time, caseIDs []string) (int, error) {
	cases, err := tx.Statements().LapsedCases(now, caseIDs)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cases {
		st, err := s.issueStatement(tx, c, docket.StatementLapse, nil, now)
		if err != nil {
			return n, err
		}
		if st == nil {
			continue
		}
		n++
		if err := s.audit(tx, docket.System(), "statement.issued", "statement", st.ID, c.ID, docket.Changes{
			"kind": st.Kind, "kid": st.KeyID, "deadline": st.DeadlineKey.UnixMilli()}); err != nil {
			return n, err
		}
	}
	return n, nil
}

// stamp writes an instant as the API does: RFC 3339 UTC with milliseconds.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func seconds(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }

// daysBetween counts the calendar days from a to b.
func daysBetween(a, b clock.Date) int {
	ta := time.Date(a.Year, a.Month, a.Day, 12, 0, 0, 0, time.UTC)
	tb := time.Date(b.Year, b.Month, b.Day, 12, 0, 0, 0, time.UTC)
	return int(tb.Sub(ta).Round(24*time.Hour) / (24 * time.Hour))
}
