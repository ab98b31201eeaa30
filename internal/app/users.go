package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/docket"
)

// UserStore keeps organisations, users, tokens and sign-in throttles.
type UserStore interface {
	CreateOrg(o *docket.Org) error
	OrgByID(id string) (*docket.Org, error)
	OrgByName(name string) (*docket.Org, error)
	ListOrgs(p Page) ([]docket.Org, string, error)

	CreateUser(u *docket.User) error
	UserByID(id string) (*docket.User, error)
	UserByEmail(email string) (*docket.User, error)
	UpdateUser(u *docket.User) error
	ListUsers(f UserFilter, p Page) ([]docket.User, string, error)

	CreateToken(t *Token) error
	TokenByID(id string) (*Token, error)
	// TokenUser returns a token with its user (and the user's organisation) in one read.
	TokenUser(id string) (*Token, *docket.User, error)
	ListTokens(userID string, kind auth.Kind) ([]Token, error)
	// SetTokenAMR replaces how a session was made (a factor proved during it).
	SetTokenAMR(id string, amr []string) error
	RevokeToken(id string, at time.Time) error
	// RevokeOtherTokens revokes every live session and token of a user but exceptID.
	RevokeOtherTokens(userID, exceptID string, at time.Time) error
	RevokeUserTokens(userID string, kind auth.Kind, at time.Time) error

	// LockThrottles returns the records of keys in that order (zero records
	// where there are none), locked against other writers until the transaction ends.
	LockThrottles(keys ...string) ([]Throttle, error)
	// SaveThrottle stores a record.
	SaveThrottle(t Throttle) error
}

// UserFilter narrows a user list.
type UserFilter struct {
	OrgID *string
	Role  *docket.Role
}

// Token is a session or an API token as stored: its hash, never the token.
type Token struct {
	ID      string
	UserID  string
	Kind    auth.Kind
	Name    string
	Hash    string
	Version int
	// Scope limits an API token (sessions have none).
	Scope docket.Scope
	// AMR is how the session was made (pwd, otp, hwk, sso); an API token
	// keeps the AMR of the session it was made from. ACR is a single
	// sign-on provider's acr; AuthenticatedAt when the person authenticated.
	AMR             []string
	ACR             string
	AuthenticatedAt time.Time
	CreatedAt       time.Time
	ExpiresAt       time.Time
	RevokedAt       *time.Time
}

// Throttle is the sign-in failure record of an account, a client address, or
// an account from one address (throttle.go).
type Throttle struct {
	Key         string
	Failures    int
	LastFailure time.Time
	NextAllowed time.Time
	LockedUntil time.Time
	// KnownUntil: the account signed in from this address (a pair record)
	// lately; until then the account's slow-down does not hold it back.
	KnownUntil time.Time
}

// Session is a freshly issued token, shown once.
type Session struct {
	Token     string
	ExpiresAt time.Time
	User      *docket.User
	// Pending: the password was right and the second factor comes next;
	// Token is the pending sign-in's (SecondStep).
	Pending bool
}

// errBadCredentials is the one answer to every failed sign-in.
var errBadCredentials = docket.Errorf(docket.EUnauthorized, "invalid email or password")

// ThrottledError tells the caller when to try again.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return "rate_limited: too many sign-in attempts; try again later"
}

// SignIn checks an e-mail and password and opens a session. Unknown user, wrong
// password, disabled and locked account all answer errBadCredentials after the
// same hashing work; repeated failures per account and per client address are
// slowed down (*ThrottledError) and lock the account for auth.lockout.
func (s *Accounts) SignIn(ctx context.Context, email, password string, a docket.Actor) (*Session, error) {
	return s.signIn(ctx, email, password, "", a, auth.KindSession)
}

// SignInWithCode is SignIn for an account that may have a second factor:
// with one confirmed, the right password without a code answers 401
// mfa_required, and a wrong or reused code (a TOTP code or a recovery code)
// answers like a wrong password and counts as a failure. An account that
// signs in by single sign-on only is refused like a wrong password.
func (s *Accounts) SignInWithCode(ctx context.Context, email, password, code string, a docket.Actor) (*Session, error) {
	return s.signIn(ctx, email, password, code, a, auth.KindSession)
}

// SignInPage is SignIn for the pages: the session it opens is of kind
// auth.KindPage, good only in the page cookie, never as a Bearer token. For
// an account with a second factor it opens no session: it answers a pending
// sign-in (Session.Pending, a token of kind auth.KindPending that lives five
// minutes and opens nothing) for SecondStep.
func (s *Accounts) SignInPage(ctx context.Context, email, password string, a docket.Actor) (*Session, error) {
	return s.signIn(ctx, email, password, "", a, auth.KindPage)
}

// errMFARequired answers the right password of an account with a second factor.
var errMFARequired = docket.Errorf(docket.EMFARequired, "this account has a second factor: send otp, a code from it or a recovery code")

// errPendingExpired answers a second step whose pending sign-in is gone.
var errPendingExpired = docket.Errorf(docket.EUnauthorized, "the sign-in has expired: enter your password again")

// IsPendingExpired reports whether err says the pending sign-in is gone.
func IsPendingExpired(err error) bool { return err == errPendingExpired }

// PendingTTL is how long a half-made page sign-in waits for its second step.
const PendingTTL = 5 * time.Minute

func (s *Accounts) signIn(ctx context.Context, email, password, code string, a docket.Actor, kind auth.Kind) (*Session, error) {
	now := s.Now()
	// Only an address Docket could hold is looked up; anything else is
	// counted under a bounded key and answered like an unknown user.
	email, valid := signInEmail(email)
	keys := signInKeys(email, a.ClientIP)
	var user *docket.User
	var res reservation
	// One write before the hash: the attempt is reserved, or refused and audited.
	err := s.write(ctx, func(tx accountsTx) error {
		var err error
		if valid {
			user, err = tx.Users().UserByEmail(email)
		}
		if docket.ErrorCode(err) == docket.ENotFound {
			user, err = nil, nil
		}
		if err != nil {
			return err
		}
		if res, err = s.throttle.reserve(tx.Users(), keys); err != nil {
			return err
		}
		return s.auditGate(tx, a, email, user, res.gate)
	})
	if err != nil {
		return nil, err
	}
	if res.gate == gateThrottled {
		s.observeSignInFailure("throttled", false)
		return nil, &ThrottledError{RetryAfter: res.wait}
	}
	hash := ""
	if user != nil && res.gate == gateOpen {
		hash = user.PasswordHash
	}
	if len(password) > docket.MaxPasswordBytes {
		password = password[:docket.MaxPasswordBytes]
		hash = "" // still do the work, never accept
	}
	// The same work on every path: a locked account or an unknown user is
	// checked against the hasher's dummy hash.
	ok, err := s.passwords.verify(ctx, hash, password)
	if err != nil {
		return nil, err
	}
	if res.gate == gateLocked {
		s.observeSignInFailure("locked", false)
		return nil, errBadCredentials
	}
	if !ok || user == nil || user.Disabled || user.SSOOnly {
		return nil, s.signInFailed(ctx, a, email, user, keys, "failed", res.lockedNow)
	}
	amr := []string{AMRPassword}
	// An account with a second factor: the right password alone gives
	// nothing back. Its reserved failure stands until a code succeeds (which
	// gives it back), so that someone who knows the password cannot wipe the
	// count of wrong codes by signing in with it again; the address is not
	// known to the account until then either. No delay falls on the next
	// step (the slow-down starts at the third failure).
	if user.MFAEnrolled && kind == auth.KindPage {
		// The pages ask for the second factor on a step of their own.
		var sess *Session
		err = s.write(ctx, func(tx accountsTx) error {
			var err error
			sess, _, err = s.issueWith(tx, user, auth.KindPending, sessionMade{amr: amr, at: now}, now.Add(PendingTTL))
			if err != nil {
				return err
			}
			sess.Pending = true
			return s.auditSignInTx(tx, a, email, user, "password_ok_second_factor_next")
		})
		return sess, err
	}
	if user.MFAEnrolled && code == "" {
		// The password was right: the answer says what is missing.
		if err := s.write(ctx, func(tx accountsTx) error {
			return s.auditSignInTx(tx, a, email, user, "mfa_required")
		}); err != nil {
			return nil, err
		}
		return nil, errMFARequired
	}
	var sess *Session
	codeOK := true
	err = s.write(ctx, func(tx accountsTx) error {
		if user.MFAEnrolled {
			method, err := s.factors.check(tx, user.ID, code)
			if err != nil {
				return err
			}
			if method == "" {
				codeOK = false
				return nil
			}
			amr = append(amr, method)
		}
		if err := s.throttle.giveBack(tx.Users(), keys); err != nil {
			return err
		}
		var err error
		sess, _, err = s.issueWith(tx, user, kind, sessionMade{amr: amr, at: now}, now.Add(s.auth.SessionTTL))
		if err != nil {
			return err
		}
		act := actorOf(user, a)
		return s.audit(tx, act, "auth.sign_in", "user", user.ID, "", docket.Changes{"result": "success", "amr": strings.Join(amr, " ")})
	})
	if err != nil {
		return nil, err
	}
	if !codeOK {
		return nil, s.signInFailed(ctx, a, email, user, keys, "second_factor", res.lockedNow)
	}
	return sess, nil
}

// signInFailed counts a failed sign-in (reason "failed": the password;
// "second_factor": a wrong or reused code): the reserved failure stands, the
// address's is counted, the attempt audited as the reason, with "_and_locked"
// when this failure locked the account for its address.
func (s *Accounts) signInFailed(ctx context.Context, a docket.Actor, email string, user *docket.User, keys throttleKeys, reason string, lockedNow bool) error {
	result := reason
	if reason == "second_factor" {
		result = "failed_second_factor"
	}
	if lockedNow {
		result += "_and_locked"
	}
	if err := s.write(ctx, func(tx accountsTx) error {
		if err := s.throttle.countAddressFailure(tx.Users(), keys); err != nil {
			return err
		}
		return s.auditSignInTx(tx, a, email, user, result)
	}); err != nil {
		return err
	}
	s.observeSignInFailure(reason, lockedNow)
	return errBadCredentials
}

// SecondStep finishes a page sign-in that SignInPage left pending: a code
// from the account's second factor (TOTP or a recovery code) opens the
// page session. Each attempt is reserved against the throttle like a
// password; a wrong or reused code is a failed sign-in. An expired or
// unknown pending sign-in is 401: start again.
func (s *Accounts) SecondStep(ctx context.Context, pending, code string, a docket.Actor) (*Session, error) {
	_, user, err := s.Authenticate(ctx, auth.KindPending, pending, a)
	if docket.ErrorCode(err) == docket.EUnauthorized {
		return nil, errPendingExpired
	} else if err != nil {
		return nil, err
	}
	c, _ := s.signer.Parse(auth.KindPending, pending)
	keys := signInKeys(user.Email, a.ClientIP)
	var res reservation
	err = s.write(ctx, func(tx accountsTx) error {
		var err error
		if res, err = s.throttle.reserve(tx.Users(), keys); err != nil {
			return err
		}
		return s.auditGate(tx, a, user.Email, user, res.gate)
	})
	if err != nil {
		return nil, err
	}
	if res.gate == gateThrottled {
		s.observeSignInFailure("throttled", false)
		return nil, &ThrottledError{RetryAfter: res.wait}
	}
	if res.gate == gateLocked {
		s.observeSignInFailure("locked", false)
		return nil, errBadCredentials
	}
	var sess *Session
	codeOK := true
	now := s.Now()
	err = s.write(ctx, func(tx accountsTx) error {
		method, err := s.factors.check(tx, user.ID, code)
		if err != nil {
			return err
		}
		if method == "" {
			codeOK = false
			return nil
		}
		if err := s.throttle.giveBack(tx.Users(), keys); err != nil {
			return err
		}
		if err := tx.Users().RevokeToken(c.ID, now); err != nil {
			return err
		}
		amr := []string{AMRPassword, method}
		sess, _, err = s.issueWith(tx, user, auth.KindPage, sessionMade{amr: amr, at: now}, now.Add(s.auth.SessionTTL))
		if err != nil {
			return err
		}
		return s.audit(tx, actorOf(user, a), "auth.sign_in", "user", user.ID, "", docket.Changes{"result": "success", "amr": strings.Join(amr, " ")})
	})
	if err != nil {
		return nil, err
	}
	if !codeOK {
		return nil, s.signInFailed(ctx, a, user.Email, user, keys, "second_factor", res.lockedNow)
	}
	return sess, nil
}

// auditGate audits an attempt the throttle refused before any check:
// throttled (too soon) or locked (for this address).
func (s *Accounts) auditGate(tx accountsTx, a docket.Actor, email string, user *docket.User, g gate) error {
	switch g {
	case gateThrottled:
		return s.auditSignInTx(tx, a, email, user, "throttled")
	case gateLocked:
		return s.auditSignInTx(tx, a, email, user, "locked")
	}
	return nil
}

// observeSignInFailure tells the metrics of a refused sign-in.
func (s *Accounts) observeSignInFailure(reason string, lockedNow bool) {
	if s.obs != nil {
		s.obs.ObserveSignInFailure(reason, lockedNow)
	}
}

func (s *Accounts) auditSignInTx(tx accountsTx, a docket.Actor, email string, user *docket.User, result string) error {
	return s.auditAuthTx(tx, a, "auth.sign_in", email, user, result)
}

// auditAuthTx records a password check's outcome as action. The e-mail
// given is kept only as a keyed hash unless it is a user's own address: an
// unknown one may be a mistyped password.
func (s *Accounts) auditAuthTx(tx accountsTx, a docket.Actor, action, email string, user *docket.User, result string) error {
	ch := docket.Changes{"result": result}
	subject := ""
	if user != nil {
		subject = user.ID
		ch.Set("email", email)
	} else {
		ch.Secret("email", email)
	}
	return s.audit(tx, a, action, "user", subject, "", ch)
}

// signInEmail is the address a sign-in names, and whether it could be a
// user's: an address NormalizeEmail refuses is kept as a bounded digest.
func signInEmail(raw string) (string, bool) {
	email, err := docket.NormalizeEmail("email", raw)
	if err != nil {
		sum := sha256.Sum256([]byte(raw))
		return "invalid:" + hex.EncodeToString(sum[:16]), false
	}
	return email, true
}

func actorOf(u *docket.User, a docket.Actor) docket.Actor {
	a.UserID, a.Role, a.OrgID, a.OrgKind = u.ID, u.Role, u.OrgID, u.Org.Kind
	return a
}

// sessionMade is how a session was made: its methods (AMR), a provider's
// acr, and when the person authenticated.
type sessionMade struct {
	amr []string
	acr string
	at  time.Time
}

// issueWith creates a session's token row, with how it was made, and signs its JWT.
func (s *Accounts) issueWith(tx accountsTx, u *docket.User, kind auth.Kind, made sessionMade, exp time.Time) (*Session, *Token, error) {
	return s.issueScoped(tx, u, kind, "", "", made, exp)
}

// issueScoped creates a token row with its scope and signs its JWT.
func (s *Accounts) issueScoped(tx accountsTx, u *docket.User, kind auth.Kind, name string, scope docket.Scope, made sessionMade, exp time.Time) (*Session, *Token, error) {
	id := newID()
	raw, err := s.signer.Issue(kind, id, u.ID, u.TokenVersion, exp)
	if err != nil {
		return nil, nil, err
	}
	t := &Token{ID: id, UserID: u.ID, Kind: kind, Name: name, Hash: auth.HashToken(raw),
		Version: u.TokenVersion, Scope: scope, AMR: made.amr, ACR: made.acr, AuthenticatedAt: made.at, CreatedAt: s.Now(), ExpiresAt: exp}
	if err := tx.Users().CreateToken(t); err != nil {
		return nil, nil, err
	}
	return &Session{Token: raw, ExpiresAt: exp, User: u}, t, nil
}

// Authenticate checks a bearer token of the given kind and returns who it
// speaks for (for an API token, with its scope). Every failure is a 401: bad
// signature or claims, a revoked or expired row, a disabled user, or a session
// or API token from before a password change, a role change or disabling.
func (s *Accounts) Authenticate(ctx context.Context, kind auth.Kind, raw string, a docket.Actor) (docket.Actor, *docket.User, error) {
	unauth := docket.Errorf(docket.EUnauthorized, "sign in first")
	c, err := s.signer.Parse(kind, raw)
	if err != nil {
		return a, nil, unauth
	}
	var u *docket.User
	var scope docket.Scope
	var amr []string
	var acr string
	var authAt time.Time
	// One statement: the token with its user and organisation.
	err = s.readOne(ctx, func(tx accountsTx) error {
		t, user, err := tx.Users().TokenUser(c.ID)
		if err != nil {
			return err
		}
		now := s.Now()
		if t.Kind != kind || t.RevokedAt != nil || !t.ExpiresAt.After(now) || t.UserID != c.Subject ||
			!auth.EqualHash(t.Hash, auth.HashToken(raw)) {
			return unauth
		}
		u = user
		if u.Disabled || t.Version != u.TokenVersion || c.Version != u.TokenVersion {
			return unauth
		}
		scope, amr, acr, authAt = t.Scope, t.AMR, t.ACR, t.AuthenticatedAt
		return nil
	})
	if err != nil {
		if code := docket.ErrorCode(err); code == docket.ENotFound || code == docket.EUnauthorized {
			return a, nil, unauth
		}
		return a, nil, err
	}
	a = actorOf(u, a)
	a.SessionID = c.ID
	if kind == auth.KindAPIToken {
		a.APIToken, a.Scope = true, scope
	}
	a.AMR, a.SecondFactor, a.PhishingResistant = amr, secondFactor(amr, acr), phishingResistant(amr, acr)
	a.ACR, a.AuthenticatedAt, a.MFARequired = acr, authAt, s.auth.MFARequired(string(u.Role))
	a.RedNeedsPhishingResistant = s.auth.TLPRedRequiresPhishingResistant
	return a, u, nil
}

// Logout revokes the session the actor used.
func (s *Accounts) Logout(ctx context.Context, a docket.Actor) error {
	return s.write(ctx, func(tx accountsTx) error {
		if err := tx.Users().RevokeToken(a.SessionID, s.Now()); err != nil {
			return err
		}
		return s.audit(tx, a, "auth.logout", "user", a.UserID, "", nil)
	})
}

// Me returns the signed-in user with its organisation.
func (s *Accounts) Me(ctx context.Context, a docket.Actor) (*docket.User, error) {
	var u *docket.User
	err := s.read(ctx, func(tx accountsTx) error {
		var err error
		u, err = tx.Users().UserByID(a.UserID)
		return err
	})
	return u, err
}

// ChangePassword replaces the actor's password after checking the current one,
// and ends every session of the user. A wrong current password counts as a
// failed sign-in of the account (slowed down, then locked, audited), so that
// a session left open is no way to guess the password; the address is not
// counted, as the caller is signed in already.
func (s *Accounts) ChangePassword(ctx context.Context, a docket.Actor, current, next string) error {
	if err := docket.CheckPassword("new_password", next); err != nil {
		return err
	}
	u, err := s.Me(ctx, a)
	if err != nil {
		return err
	}
	email := strings.ToLower(u.Email)
	keys := signInKeys(email, a.ClientIP)
	// The caller is signed in: its address is not counted, and is no reason
	// to spare it the account's slow-down.
	keys.IP, keys.SpareKnown = "", false
	const refused = "user.password_change_refused"
	var res reservation
	if err := s.write(ctx, func(tx accountsTx) error {
		var err error
		if res, err = s.throttle.reserve(tx.Users(), keys); err != nil {
			return err
		}
		switch res.gate {
		case gateThrottled:
			return s.auditAuthTx(tx, a, refused, email, u, "throttled")
		case gateLocked:
			return s.auditAuthTx(tx, a, refused, email, u, "locked")
		}
		return nil
	}); err != nil {
		return err
	}
	if res.gate != gateOpen {
		return &ThrottledError{RetryAfter: res.wait}
	}
	ok := false
	if len(current) <= docket.MaxPasswordBytes {
		if ok, err = s.passwords.verify(ctx, u.PasswordHash, current); err != nil {
			return err
		}
	}
	if !ok {
		result := "wrong current password"
		if res.lockedNow {
			result = "wrong current password, locked"
		}
		if err := s.write(ctx, func(tx accountsTx) error { return s.auditAuthTx(tx, a, refused, email, u, result) }); err != nil {
			return err
		}
		return docket.Unacceptable("current_password", "is not your current password")
	}
	hash, err := s.hasher.Hash(next)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx accountsTx) error {
		u, err := tx.Users().UserByID(a.UserID)
		if err != nil {
			return err
		}
		u.PasswordHash, u.PasswordByAdmin = hash, false
		u.UpdatedAt = s.Now()
		if err := endSessions(tx.Users(), u, s.Now()); err != nil {
			return err
		}
		if err := tx.Users().UpdateUser(u); err != nil {
			return err
		}
		if err := s.throttle.giveBack(tx.Users(), keys); err != nil {
			return err
		}
		return s.audit(tx, a, "user.password_changed", "user", u.ID, "", docket.Changes{}.Secret("password", "changed"))
	})
}

// APIToken is a listed API token: never the token itself.
type APIToken struct {
	ID        string
	Name      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CreateAPIToken issues an API token for the actor with the given scope ("":
// read), valid until expiresAt (nil: the longest allowed,
// auth.api_token_max_ttl). The token is returned once. Only a session makes
// tokens: an actor signed in with an API token gets 403; a bad scope is 422.
func (s *Accounts) CreateAPIToken(ctx context.Context, a docket.Actor, name string, scope docket.Scope, expiresAt *time.Time) (*Session, *Token, error) {
	if a.APIToken {
		return nil, nil, docket.Errorf(docket.EForbidden, "API tokens are made from a signed-in session, never with another API token")
	}
	if docket.MustEnrolSecondFactor(a) {
		return nil, nil, docket.Errorf(docket.EMFAEnrolment, "your role needs a second factor: make API tokens from a session that used one")
	}
	if err := docket.ValidateName("name", name, 100); err != nil {
		return nil, nil, err
	}
	if scope == "" {
		scope = docket.ScopeRead
	}
	if !scope.Valid() {
		return nil, nil, docket.Unacceptable("scope", "must be %q or %q", docket.ScopeRead, docket.ScopeWrite)
	}
	now := s.Now()
	exp := now.Add(s.auth.APITokenMaxTTL)
	if expiresAt != nil {
		if !expiresAt.After(now) {
			return nil, nil, docket.Unacceptable("expires_at", "must be in the future")
		}
		if expiresAt.After(exp) {
			return nil, nil, docket.Unacceptable("expires_at", "must be at most %s from now", s.auth.APITokenMaxTTL)
		}
		exp = *expiresAt
	}
	var sess *Session
	var tok *Token
	err := s.write(ctx, func(tx accountsTx) error {
		u, err := tx.Users().UserByID(a.UserID)
		if err != nil {
			return err
		}
		// The token keeps how the session it was made from was made.
		made := sessionMade{amr: a.AMR, acr: a.ACR, at: a.AuthenticatedAt}
		if sess, tok, err = s.issueScoped(tx, u, auth.KindAPIToken, strings.TrimSpace(name), scope, made, exp); err != nil {
			return err
		}
		return s.audit(tx, a, "api_token.created", "api_token", tok.ID, "", docket.Changes{"name": tok.Name, "scope": string(tok.Scope)})
	})
	return sess, tok, err
}

// ListAPITokens lists the actor's live API tokens.
func (s *Accounts) ListAPITokens(ctx context.Context, a docket.Actor) ([]Token, error) {
	var out []Token
	err := s.read(ctx, func(tx accountsTx) error {
		all, err := tx.Users().ListTokens(a.UserID, auth.KindAPIToken)
		for _, t := range all {
			if t.RevokedAt == nil && t.ExpiresAt.After(s.Now()) {
				out = append(out, t)
			}
		}
		return err
	})
	return out, err
}

// DeleteAPIToken revokes one of the actor's API tokens; another user's is 404.
func (s *Accounts) DeleteAPIToken(ctx context.Context, a docket.Actor, id string) error {
	return s.write(ctx, func(tx accountsTx) error {
		t, err := tx.Users().TokenByID(id)
		if err != nil {
			return notFoundAs(err, "API token")
		}
		if t.UserID != a.UserID || t.Kind != auth.KindAPIToken || t.RevokedAt != nil {
			return docket.NotFound("API token")
		}
		if err := tx.Users().RevokeToken(id, s.Now()); err != nil {
			return err
		}
		return s.audit(tx, a, "api_token.revoked", "api_token", id, "", nil)
	})
}

// IsThrottled reports whether err is a sign-in throttle.
func IsThrottled(err error) (*ThrottledError, bool) {
	var t *ThrottledError
	ok := errors.As(err, &t)
	return t, ok
}

// secondFactor reports whether a session's methods include a second factor:
// a TOTP or recovery code, a passkey, or a single sign-on whose acr shows one.
func secondFactor(amr []string, acr string) bool {
	for _, m := range amr {
		if m == AMROTP || m == AMRPasskey {
			return true
		}
	}
	return hasMethod(amr, AMRSSO) && acrSecondFactor(acr)
}

// phishingResistant reports whether a session used a passkey, or a single
// sign-on whose acr says phishing-resistant.
func phishingResistant(amr []string, acr string) bool {
	return hasMethod(amr, AMRPasskey) || (hasMethod(amr, AMRSSO) && docket.ACRPhishingResistant(acr))
}

func hasMethod(amr []string, m string) bool {
	for _, x := range amr {
		if x == m {
			return true
		}
	}
	return false
}

// acrSecondFactor reads a provider's acr as Login.gov writes it: AAL2 or
// higher, or a phishing-resistant or PIV/CAC request, used a second factor.
func acrSecondFactor(acr string) bool {
	return strings.Contains(acr, "/aal/2") || strings.Contains(acr, "/aal/3") || docket.ACRPhishingResistant(acr)
}
