package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/seal"
)

// The kinds of second factor.
const (
	FactorTOTP     = "totp"
	FactorWebAuthn = "webauthn"
)

// The authentication methods a session records (RFC 8176's names).
const (
	AMRPassword = "pwd"
	AMROTP      = "otp"
	AMRPasskey  = "hwk"
	AMRSSO      = "sso"
)

// Factor is a second factor as stored: a TOTP secret (sealed, bound to the
// factor's id) or a passkey's credential.
type Factor struct {
	ID           string
	UserID       string
	Kind         string
	Name         string
	Secret       string
	Credential   string
	CredentialID string
	// LastStep is the last TOTP time step accepted: a code works once.
	LastStep    int64
	ConfirmedAt *time.Time
	CreatedAt   time.Time
	LastUsedAt  *time.Time
}

// FactorStore keeps second factors and recovery codes.
type FactorStore interface {
	CreateFactor(f *Factor) error
	// UserFactors lists a user's factors, confirmed or not, oldest first.
	UserFactors(userID string) ([]Factor, error)
	UpdateFactor(f *Factor) error
	// UseStep records a TOTP step accepted, only when it is later than the
	// factor's last (false: a code already used, even by a racing sign-in).
	UseStep(id string, step int64, at time.Time) (bool, error)
	// ConfirmStep confirms an enrolment with its first step, only while it
	// is unconfirmed (false: a racing confirmation won).
	ConfirmStep(id string, step int64, at time.Time) (bool, error)
	DeleteFactor(id string) error
	// DeleteUserFactors removes every factor and recovery code of a user.
	DeleteUserFactors(userID string) error
	// ReplaceRecoveryCodes stores a new set of code hashes in place of any earlier one.
	ReplaceRecoveryCodes(userID string, hashes []string, at time.Time) error
	// UseRecoveryCode marks an unused code used; false when there is no such unused code.
	UseRecoveryCode(userID, hash string, at time.Time) (bool, error)
	RecoveryCodesLeft(userID string) (int, error)
}

// Second factors' rules.
const (
	// unconfirmedFor is how long an enrolment waits for its first code.
	unconfirmedFor = 15 * time.Minute
	// recoveryCodes is the size of a set of recovery codes.
	recoveryCodes = 10
	// maxFactors bounds a user's factors.
	maxFactors = 10
	totpPeriod = 30
)

// secondFactors checks a code against a user's factors inside the caller's
// transaction: the sign-in's (Accounts) and the factors' own use cases.
type secondFactors struct {
	// secret seals TOTP secrets (package seal); codeKey keys the recovery codes' hashes.
	secret  []byte
	codeKey []byte
	now     func() time.Time
}

// factorsTx is what checking a code needs of a transaction.
type factorsTx interface {
	Factors() FactorStore
}

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// check accepts a TOTP code of a confirmed factor (one step of drift either
// way, each step once) or an unused recovery code, and records its use. It
// answers which method the code was ("" when refused).
func (sf *secondFactors) check(tx factorsTx, userID, code string) (string, error) {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 64 || !utf8.ValidString(code) {
		return "", nil
	}
	now := sf.now()
	if isDigits(code) && len(code) == 6 {
		factors, err := tx.Factors().UserFactors(userID)
		if err != nil {
			return "", err
		}
		for i := range factors {
			f := &factors[i]
			if f.Kind != FactorTOTP || f.ConfirmedAt == nil {
				continue
			}
			step, err := sf.matchStep(f, code, now)
			if err != nil {
				return "", err
			}
			if step == 0 {
				continue
			}
			ok, err := tx.Factors().UseStep(f.ID, step, now)
			if err != nil || !ok {
				return "", err
			}
			return AMROTP, nil
		}
		return "", nil
	}
	ok, err := tx.Factors().UseRecoveryCode(userID, sf.codeHash(userID, code), now)
	if err != nil || !ok {
		return "", err
	}
	return AMROTP, nil
}

// matchStep returns the time step whose code the given one is, within one
// step of now and after the last step used; 0 when none.
func (sf *secondFactors) matchStep(f *Factor, code string, now time.Time) (int64, error) {
	secret, err := sf.openSecret(f)
	if err != nil {
		return 0, err
	}
	cur := now.Unix() / totpPeriod
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && step > f.LastStep {
			return step, nil
		}
	}
	return 0, nil
}

func (sf *secondFactors) sealSecret(secret, factorID string) (string, error) {
	k, err := seal.New(sf.secret, seal.TOTPSecrets)
	if err != nil {
		return "", fmt.Errorf("totp: %w", err)
	}
	b, err := k.Seal([]byte(secret), factorID)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

func (sf *secondFactors) openSecret(f *Factor) (string, error) {
	b, err := base64.StdEncoding.DecodeString(f.Secret)
	if err != nil {
		return "", fmt.Errorf("totp: factor %s: %w", f.ID, err)
	}
	k, err := seal.New(sf.secret, seal.TOTPSecrets)
	if err != nil {
		return "", fmt.Errorf("totp: %w", err)
	}
	plain, err := k.Open(b, f.ID)
	if err != nil {
		return "", fmt.Errorf("totp: factor %s: %w", f.ID, err)
	}
	return string(plain), nil
}

// codeHash is a recovery code's stored form: an HMAC under a key derived
// from the signing secret, of the code as typed without case, spaces or dashes.
func (sf *secondFactors) codeHash(userID, code string) string {
	code = strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(code))
	m := hmac.New(sha256.New, sf.codeKey)
	m.Write([]byte(userID + "\x00" + code))
	return hex.EncodeToString(m.Sum(nil))
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Factors is the use cases of a user's own second factors: TOTP enrolment
// and confirmation, recovery codes, listing and removal.
type Factors struct {
	*core
	auth    config.Auth
	factors *secondFactors
	// throttle counts the codes given to remove a factor like sign-in's (throttle.go).
	throttle throttle
	// issuer names Docket in authenticator apps.
	issuer string
}

// factorsView is the factors service's view of a transaction.
type factorsView interface {
	auditing
	Users() UserStore
	Factors() FactorStore
}

func (s *Factors) write(ctx context.Context, fn func(factorsView) error) error {
	return s.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Factors) read(ctx context.Context, fn func(factorsView) error) error {
	return s.store.Read(ctx, func(tx Tx) error { return fn(tx) })
}

// FactorView is a factor as its owner sees it (never its secret).
type FactorView struct {
	ID         string
	Kind       string
	Name       string
	Confirmed  bool
	CreatedAt  time.Time
	LastUsedAt *time.Time
}

func viewFactor(f Factor) FactorView {
	return FactorView{ID: f.ID, Kind: f.Kind, Name: f.Name, Confirmed: f.ConfirmedAt != nil, CreatedAt: f.CreatedAt, LastUsedAt: f.LastUsedAt}
}

// FactorList is a user's confirmed factors and how many recovery codes are left.
type FactorList struct {
	Items         []FactorView
	RecoveryLeft  int
	Required      bool
	Enrolled      bool
	PendingTOTPID string
}

// ListFactors lists the actor's confirmed factors.
func (s *Factors) ListFactors(ctx context.Context, a docket.Actor) (*FactorList, error) {
	out := &FactorList{Items: []FactorView{}, Required: s.auth.MFARequired(string(a.Role))}
	err := s.read(ctx, func(tx factorsView) error {
		all, err := tx.Factors().UserFactors(a.UserID)
		if err != nil {
			return err
		}
		for _, f := range all {
			if f.ConfirmedAt != nil {
				out.Items = append(out.Items, viewFactor(f))
			}
		}
		out.Enrolled = len(out.Items) > 0
		out.RecoveryLeft, err = tx.Factors().RecoveryCodesLeft(a.UserID)
		return err
	})
	return out, err
}

// TOTPEnrolment is a new TOTP factor with its secret, shown once.
type TOTPEnrolment struct {
	Factor     FactorView
	Secret     string
	OTPAuthURL string
}

// EnrolTOTP starts a TOTP enrolment for the actor (a session, not an API
// token): the secret is in this answer only, and the factor counts once a
// code confirms it, within 15 minutes. 422 names a name that is too long;
// 409 when the user has the most factors allowed.
func (s *Factors) EnrolTOTP(ctx context.Context, a docket.Actor, name string) (*TOTPEnrolment, error) {
	if a.APIToken {
		return nil, docket.Errorf(docket.EForbidden, "second factors are managed from a signed-in session, not with an API token")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Authenticator app"
	}
	if err := docket.ValidateName("name", name, 100); err != nil {
		return nil, err
	}
	var out *TOTPEnrolment
	err := s.write(ctx, func(tx factorsView) error {
		u, err := tx.Users().UserByID(a.UserID)
		if err != nil {
			return err
		}
		if u.SSOOnly {
			return docket.Errorf(docket.EConflict, "this account signs in by single sign-on only; its provider keeps its second factors")
		}
		if err := needsFactorSession(u, a); err != nil {
			return err
		}
		all, err := tx.Factors().UserFactors(a.UserID)
		if err != nil {
			return err
		}
		confirmed := 0
		for _, f := range all {
			if f.ConfirmedAt != nil {
				confirmed++
			} else if err := tx.Factors().DeleteFactor(f.ID); err != nil { // a new enrolment replaces one left unconfirmed
				return err
			}
		}
		if confirmed >= maxFactors {
			return docket.Errorf(docket.EConflict, "you have %d second factors, the most allowed; remove one first", confirmed)
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: s.issuer, AccountName: u.Email, Period: totpPeriod,
			Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, SecretSize: 20, Rand: rand.Reader})
		if err != nil {
			return err
		}
		f := &Factor{ID: newID(), UserID: a.UserID, Kind: FactorTOTP, Name: name, CreatedAt: s.Now()}
		if f.Secret, err = s.factors.sealSecret(key.Secret(), f.ID); err != nil {
			return err
		}
		if err := tx.Factors().CreateFactor(f); err != nil {
			return err
		}
		out = &TOTPEnrolment{Factor: viewFactor(*f), Secret: key.Secret(), OTPAuthURL: key.URL()}
		return s.audit(tx, a, "mfa.enrolment_started", "user", a.UserID, "", docket.Changes{"factor_id": f.ID, "kind": FactorTOTP})
	})
	return out, err
}

// needsFactorSession refuses to bind another authenticator, or to make
// recovery codes, from a session that used no second factor when the user
// has one already (NIST SP 800-63B: binding needs a bound authenticator):
// a stolen password alone must not add the thief's own factor.
func needsFactorSession(u *docket.User, a docket.Actor) error {
	if u.MFAEnrolled && !a.SecondFactor {
		return docket.Errorf(docket.EMFAEnrolment, "you have a second factor: sign in with it to add another or to make recovery codes")
	}
	return nil
}

// Enrolment shows again an enrolment of the actor's that waits for its
// first code (within its 15 minutes), so that a mistyped code does not lose
// it: the same secret, for the same person, in the same session. 404 for
// anything else.
func (s *Factors) Enrolment(ctx context.Context, a docket.Actor, id string) (*TOTPEnrolment, error) {
	var out *TOTPEnrolment
	err := s.read(ctx, func(tx factorsView) error {
		u, err := tx.Users().UserByID(a.UserID)
		if err != nil {
			return err
		}
		all, err := tx.Factors().UserFactors(a.UserID)
		if err != nil {
			return err
		}
		f, err := factorIn(all, id)
		if err != nil {
			return err
		}
		if f.ConfirmedAt != nil || f.Kind != FactorTOTP || !s.Now().Before(f.CreatedAt.Add(unconfirmedFor)) {
			return docket.NotFound("second factor")
		}
		secret, err := s.factors.openSecret(f)
		if err != nil {
			return err
		}
		raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(secret)
		if err != nil {
			return err
		}
		key, err := totp.Generate(totp.GenerateOpts{Issuer: s.issuer, AccountName: u.Email, Period: totpPeriod,
			Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, Secret: raw})
		if err != nil {
			return err
		}
		out = &TOTPEnrolment{Factor: viewFactor(*f), Secret: secret, OTPAuthURL: key.URL()}
		return nil
	})
	return out, err
}

// pruned drops the user's unconfirmed enrolments older than 15 minutes and
// returns the factors left.
func (s *Factors) pruned(tx factorsView, userID string) ([]Factor, error) {
	all, err := tx.Factors().UserFactors(userID)
	if err != nil {
		return nil, err
	}
	keep := all[:0]
	for _, f := range all {
		if f.ConfirmedAt == nil && !s.Now().Before(f.CreatedAt.Add(unconfirmedFor)) {
			if err := tx.Factors().DeleteFactor(f.ID); err != nil {
				return nil, err
			}
			continue
		}
		keep = append(keep, f)
	}
	return keep, nil
}

// ConfirmFactor confirms a TOTP enrolment with a code from it: from then on
// the account signs in with a second factor, and this session counts as
// having used one. A wrong code is 422 (field code); an unknown, expired or
// another user's enrolment 404; one already confirmed 409.
func (s *Factors) ConfirmFactor(ctx context.Context, a docket.Actor, id, code string) (*FactorView, error) {
	if a.APIToken {
		return nil, docket.Errorf(docket.EForbidden, "second factors are managed from a signed-in session, not with an API token")
	}
	var out FactorView
	err := s.write(ctx, func(tx factorsView) error {
		all, err := s.pruned(tx, a.UserID)
		if err != nil {
			return err
		}
		f, err := factorIn(all, id)
		if err != nil {
			return err
		}
		if f.ConfirmedAt != nil {
			return docket.Errorf(docket.EConflict, "this second factor is already confirmed")
		}
		if f.Kind != FactorTOTP {
			return docket.Errorf(docket.EConflict, "a passkey is confirmed by its own ceremony")
		}
		u, err := tx.Users().UserByID(a.UserID)
		if err != nil {
			return err
		}
		if err := needsFactorSession(u, a); err != nil {
			return err
		}
		code = strings.TrimSpace(code)
		if len(code) != 6 || !isDigits(code) {
			return docket.Unacceptable("code", "must be the 6 digits your authenticator app shows")
		}
		step, err := s.factors.matchStep(f, code, s.Now())
		if err != nil {
			return err
		}
		if step == 0 {
			return docket.Unacceptable("code", "is not the code your authenticator app shows now; check its clock")
		}
		now := s.Now()
		ok, err := tx.Factors().ConfirmStep(f.ID, step, now)
		if err != nil {
			return err
		}
		if !ok {
			return docket.Errorf(docket.EConflict, "this second factor is already confirmed")
		}
		f.LastStep, f.ConfirmedAt, f.LastUsedAt = step, &now, &now
		if !u.MFAEnrolled && a.SessionID != "" {
			// The first factor: every other session and API token, made with the
			// password alone, ends; this one goes on, having proved the factor.
			if err := tx.Users().RevokeOtherTokens(a.UserID, a.SessionID, now); err != nil {
				return err
			}
		}
		if err := s.enrolled(tx, a, true); err != nil {
			return err
		}
		out = viewFactor(*f)
		return s.audit(tx, a, "mfa.factor_added", "user", a.UserID, "", docket.Changes{"factor_id": f.ID, "kind": f.Kind, "name": f.Name})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// factorIn finds a factor by id among a user's own: another user's, or
// none, is 404 alike.
func factorIn(all []Factor, id string) (*Factor, error) {
	for i := range all {
		if all[i].ID == id {
			return &all[i], nil
		}
	}
	return nil, docket.NotFound("second factor")
}

// enrolled sets the user's enrolled mark and, when a factor was just
// proved, adds otp to the session's methods.
func (s *Factors) enrolled(tx factorsView, a docket.Actor, proved bool) error {
	u, err := tx.Users().UserByID(a.UserID)
	if err != nil {
		return err
	}
	all, err := tx.Factors().UserFactors(a.UserID)
	if err != nil {
		return err
	}
	has := false
	for _, f := range all {
		has = has || f.ConfirmedAt != nil
	}
	if u.MFAEnrolled != has {
		u.MFAEnrolled = has
		u.UpdatedAt = s.Now()
		if err := tx.Users().UpdateUser(u); err != nil {
			return err
		}
	}
	if proved && a.SessionID != "" && !a.APIToken {
		return tx.Users().SetTokenAMR(a.SessionID, withMethod(a.AMR, AMROTP))
	}
	return nil
}

// withMethod adds a method to an AMR list once.
func withMethod(amr []string, m string) []string {
	for _, x := range amr {
		if x == m {
			return amr
		}
	}
	return append(append([]string(nil), amr...), m)
}

// DeleteFactor removes one of the actor's factors; it takes a current code
// from a factor (or a recovery code), 422 (field code) otherwise, counted
// against the sign-in throttle like a code given to sign in
// (*ThrottledError once too many were wrong). Removing the last factor also
// discards the recovery codes, and this session stops counting as having
// used a second factor.
func (s *Factors) DeleteFactor(ctx context.Context, a docket.Actor, id, code string) error {
	if a.APIToken {
		return docket.Errorf(docket.EForbidden, "second factors are managed from a signed-in session, not with an API token")
	}
	var u *docket.User
	var f *Factor
	if err := s.read(ctx, func(tx factorsView) error {
		var err error
		if u, err = tx.Users().UserByID(a.UserID); err != nil {
			return err
		}
		all, err := tx.Factors().UserFactors(a.UserID)
		if err != nil {
			return err
		}
		f, err = factorIn(all, id)
		return err
	}); err != nil {
		return err
	}
	// A code given to remove a factor counts like one given to sign in: each
	// attempt is reserved first, a wrong one is a failure, a right one gives
	// the reservation back.
	keys := signInKeys(u.Email, a.ClientIP)
	if f.ConfirmedAt != nil {
		var res reservation
		if err := s.write(ctx, func(tx factorsView) error {
			var err error
			res, err = s.throttle.reserve(tx.Users(), keys)
			return err
		}); err != nil {
			return err
		}
		if res.gate != gateOpen {
			return &ThrottledError{RetryAfter: res.wait}
		}
	}
	wrong := false
	err := s.write(ctx, func(tx factorsView) error {
		all, err := tx.Factors().UserFactors(a.UserID)
		if err != nil {
			return err
		}
		if f, err = factorIn(all, id); err != nil {
			return err
		}
		if f.ConfirmedAt != nil {
			method, err := s.factors.check(tx, a.UserID, code)
			if err != nil {
				return err
			}
			if method == "" {
				wrong = true
				if err := s.throttle.countAddressFailure(tx.Users(), keys); err != nil {
					return err
				}
				return s.audit(tx, a, "mfa.removal_refused", "user", a.UserID, "", docket.Changes{"factor_id": id, "result": "wrong_code"})
			}
			if err := s.throttle.giveBack(tx.Users(), keys); err != nil {
				return err
			}
		}
		if err := tx.Factors().DeleteFactor(id); err != nil {
			return err
		}
		left := 0
		for _, g := range all {
			if g.ID != id && g.ConfirmedAt != nil {
				left++
			}
		}
		if left == 0 {
			if err := tx.Factors().DeleteUserFactors(a.UserID); err != nil {
				return err
			}
			// Without a factor, this session no longer counts as having used one.
			if a.SessionID != "" {
				if err := tx.Users().SetTokenAMR(a.SessionID, withoutFactors(a.AMR)); err != nil {
					return err
				}
			}
		}
		if err := s.enrolled(tx, a, false); err != nil {
			return err
		}
		return s.audit(tx, a, "mfa.factor_removed", "user", a.UserID, "", docket.Changes{"factor_id": id, "kind": f.Kind})
	})
	if err != nil {
		return err
	}
	if wrong {
		return docket.Unacceptable("code", "must be a current code from one of your second factors, or a recovery code")
	}
	return nil
}

// withoutFactors is an AMR list without the second factors' methods.
func withoutFactors(amr []string) []string {
	out := []string{}
	for _, m := range amr {
		if m != AMROTP && m != AMRPasskey {
			out = append(out, m)
		}
	}
	return out
}

// NewRecoveryCodes makes a set of 10 recovery codes for the actor, shown
// once, in place of any earlier set; only once a factor is confirmed (409).
func (s *Factors) NewRecoveryCodes(ctx context.Context, a docket.Actor) ([]string, error) {
	if a.APIToken {
		return nil, docket.Errorf(docket.EForbidden, "second factors are managed from a signed-in session, not with an API token")
	}
	var codes []string
	err := s.write(ctx, func(tx factorsView) error {
		u, err := tx.Users().UserByID(a.UserID)
		if err != nil {
			return err
		}
		if !u.MFAEnrolled {
			return docket.Errorf(docket.EConflict, "confirm a second factor first: recovery codes stand in for one")
		}
		if err := needsFactorSession(u, a); err != nil {
			return err
		}
		hashes := make([]string, recoveryCodes)
		codes = make([]string, recoveryCodes)
		for i := range codes {
			codes[i] = newRecoveryCode()
			hashes[i] = s.factors.codeHash(a.UserID, codes[i])
		}
		if err := tx.Factors().ReplaceRecoveryCodes(a.UserID, hashes, s.Now()); err != nil {
			return err
		}
		return s.audit(tx, a, "mfa.recovery_codes_made", "user", a.UserID, "", docket.Changes{"count": recoveryCodes})
	})
	return codes, err
}

// newRecoveryCode is 50 random bits as ten base32 letters, xxxxx-xxxxx.
func newRecoveryCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
	return s[:5] + "-" + s[5:]
}
