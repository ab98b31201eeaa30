package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/docket"
)

// Passkeys (WebAuthn, through go-webauthn): a user adds one on the account
// page, and signs in with it on the sign-in page, as the second step after
// the password or alone (the browser offers the account's passkey). The
// relying party is base_url: its host is the relying party id, its origin
// the only one a ceremony may come from; user verification is required.
//
// Each ceremony's challenge is kept in a row of its own for five minutes,
// bound to the session or pending sign-in it was begun from, and taken away
// when it is finished, so that an answer counts once.

// Ceremony is a passkey ceremony begun and not yet finished.
type Ceremony struct {
	ID string
	// Purpose is what it is for: ceremonyEnrol, ceremonySecondStep or ceremonySignIn.
	Purpose string
	// UserID is the user it is for ("" for a sign-in where the browser names the account).
	UserID string
	// BoundTo is the session (enrol) or pending sign-in (second step) it was begun from.
	BoundTo string
	// Data is the relying party's session data (the challenge and what it asked), as JSON.
	Data      string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// CeremonyStore keeps the passkey ceremonies begun.
type CeremonyStore interface {
	// CreateCeremony stores a ceremony (and forgets those whose time is up).
	CreateCeremony(c *Ceremony) error
	// TakeCeremony returns a ceremony and removes it; 404 when there is none.
	TakeCeremony(id string) (*Ceremony, error)
	// OpenCeremonies counts the ceremonies of a purpose still open at now.
	OpenCeremonies(purpose string, now time.Time) (int, error)
}

// What a ceremony is for.
const (
	ceremonyEnrol      = "enrol"
	ceremonySecondStep = "second_step"
	ceremonySignIn     = "sign_in"
)

// CeremonyTTL is how long a passkey ceremony waits for the browser's answer.
const CeremonyTTL = 5 * time.Minute

// maxOpenSignIns bounds the passkey sign-ins begun and not finished, across
// every address: each is a row kept five minutes, begun by anyone.
const maxOpenSignIns = 10000

// Passkeys is the use cases of passkeys: adding one, and signing in with one.
type Passkeys struct {
	*core
	accounts *Accounts
	// rp is the relying party (nil: base_url cannot be one, and why is off).
	rp  *webauthn.WebAuthn
	off string
}

// passkeysTx is the passkeys service's view of a transaction.
type passkeysTx interface {
	accountsTx
	Ceremonies() CeremonyStore
}

func (s *Passkeys) write(ctx context.Context, fn func(passkeysTx) error) error {
	return s.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}

// newPasskeys builds the passkeys service for base_url. A base_url whose
// host is an IP address cannot be a relying party (browsers refuse one):
// passkeys are off then, and Off says why.
func newPasskeys(c *core, accounts *Accounts, baseURL string) *Passkeys {
	s := &Passkeys{core: c, accounts: accounts}
	u, err := url.Parse(baseURL)
	switch {
	case baseURL == "" || err != nil || u.Hostname() == "":
		s.off = "Passkeys need base_url, the address people open Docket at."
	case net.ParseIP(u.Hostname()) != nil:
		s.off = fmt.Sprintf("Passkeys need Docket at a host name: base_url's host, %s, is an IP address, which browsers refuse as a passkey's site (open Docket at localhost or a domain name, and set base_url to it).", u.Hostname())
	default:
		rp, err := webauthn.New(&webauthn.Config{
			RPID:          u.Hostname(),
			RPDisplayName: "Docket",
			RPOrigins:     []string{u.Scheme + "://" + u.Host},
		})
		if err != nil {
			s.off = "Passkeys are off: " + err.Error()
		} else {
			s.rp = rp
		}
	}
	return s
}

// Off says why passkeys cannot be used here ("": they can).
func (s *Passkeys) Off() string { return s.off }

// PasskeyOptions is a ceremony begun: its id, which the browser keeps and
// sends back with its answer, and the options for the browser's
// navigator.credentials call, as JSON ({"publicKey": …}).
type PasskeyOptions struct {
	CeremonyID string
	Options    json.RawMessage
}

// passkeyUser is a Docket user as the relying party sees it: its handle is
// the user's id, and its credentials are its passkeys.
type passkeyUser struct {
	u       *docket.User
	factors []Factor
	creds   []webauthn.Credential
}

func (p *passkeyUser) WebAuthnID() []byte                         { return []byte(p.u.ID) }
func (p *passkeyUser) WebAuthnName() string                       { return p.u.Email }
func (p *passkeyUser) WebAuthnDisplayName() string                { return p.u.Name }
func (p *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return p.creds }

// passkeyUserOf reads a user's passkeys (confirmed factors of kind webauthn).
func passkeyUserOf(tx factorsTx, u *docket.User) (*passkeyUser, error) {
	all, err := tx.Factors().UserFactors(u.ID)
	if err != nil {
		return nil, err
	}
	p := &passkeyUser{u: u}
	for _, f := range all {
		if f.Kind != FactorWebAuthn || f.ConfirmedAt == nil {
			continue
		}
		var c webauthn.Credential
		if err := json.Unmarshal([]byte(f.Credential), &c); err != nil {
			return nil, fmt.Errorf("passkey %s: %w", f.ID, err)
		}
		p.factors = append(p.factors, f)
		p.creds = append(p.creds, c)
	}
	return p, nil
}

// factorOf is the stored factor of one of the user's credentials.
func (p *passkeyUser) factorOf(id []byte) *Factor {
	for i, c := range p.creds {
		if bytes.Equal(c.ID, id) {
			return &p.factors[i]
		}
	}
	return nil
}

func (s *Passkeys) enabled() error {
	if s.rp == nil {
		return docket.Errorf(docket.EConflict, "%s", s.off)
	}
	return nil
}

// begin stores a ceremony and answers its options.
func (s *Passkeys) begin(tx passkeysTx, purpose, userID, boundTo string, options any, data *webauthn.SessionData) (*PasskeyOptions, error) {
	d, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	o, err := json.Marshal(options)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	c := &Ceremony{ID: newID(), Purpose: purpose, UserID: userID, BoundTo: boundTo, Data: string(d), CreatedAt: now, ExpiresAt: now.Add(CeremonyTTL)}
	if err := tx.Ceremonies().CreateCeremony(c); err != nil {
		return nil, err
	}
	return &PasskeyOptions{CeremonyID: c.ID, Options: o}, nil
}

// errCeremonyGone answers an answer to a ceremony that is unknown, used,
// expired, or begun by someone else.
var errCeremonyGone = docket.Unacceptable("credential", "answers no passkey request of yours that is still open: start again")

// takeNow takes a ceremony in a transaction of its own (take), so that it
// is gone even when its answer is then refused.
func (s *Passkeys) takeNow(ctx context.Context, id, purpose, userID, boundTo string) (*webauthn.SessionData, error) {
	var data *webauthn.SessionData
	err := s.write(ctx, func(tx passkeysTx) error {
		var err error
		data, err = s.take(tx, id, purpose, userID, boundTo)
		return err
	})
	return data, err
}

// take finishes a ceremony: it must be for this purpose, user and session,
// and within its five minutes; it is gone afterwards whatever the outcome.
func (s *Passkeys) take(tx passkeysTx, id, purpose, userID, boundTo string) (*webauthn.SessionData, error) {
	c, err := tx.Ceremonies().TakeCeremony(id)
	if docket.ErrorCode(err) == docket.ENotFound {
		return nil, errCeremonyGone
	} else if err != nil {
		return nil, err
	}
	if c.Purpose != purpose || c.UserID != userID || c.BoundTo != boundTo || !s.Now().Before(c.ExpiresAt) {
		return nil, errCeremonyGone
	}
	var data webauthn.SessionData
	if err := json.Unmarshal([]byte(c.Data), &data); err != nil {
		return nil, err
	}
	return &data, nil
}

// BeginEnrol begins adding a passkey to the actor's account: the options
// for navigator.credentials.create. From a session only (403 with an API
// token); 409 when passkeys are off here, for a single-sign-on-only
// account, or when the user has the most factors allowed; 403
// mfa_enrollment_required when the user has a factor and this session used none.
func (s *Passkeys) BeginEnrol(ctx context.Context, a docket.Actor) (*PasskeyOptions, error) {
	if a.APIToken || a.SessionID == "" {
		return nil, docket.Errorf(docket.EForbidden, "passkeys are added from a signed-in session on the account page")
	}
	if err := s.enabled(); err != nil {
		return nil, err
	}
	var out *PasskeyOptions
	err := s.write(ctx, func(tx passkeysTx) error {
		p, err := s.enrolling(tx, a)
		if err != nil {
			return err
		}
		exclude := make([]protocol.CredentialDescriptor, len(p.creds))
		for i, c := range p.creds {
			exclude[i] = c.Descriptor()
		}
		creation, data, err := s.rp.BeginRegistration(p,
			webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
				ResidentKey:      protocol.ResidentKeyRequirementRequired,
				UserVerification: protocol.VerificationRequired,
			}),
			webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
			webauthn.WithExclusions(exclude),
			webauthn.WithConveyancePreference(protocol.PreferNoAttestation))
		if err != nil {
			return err
		}
		out, err = s.begin(tx, ceremonyEnrol, a.UserID, a.SessionID, creation, data)
		return err
	})
	return out, err
}

// enrolling checks that the actor may add a passkey now, and reads its passkeys.
func (s *Passkeys) enrolling(tx passkeysTx, a docket.Actor) (*passkeyUser, error) {
	u, err := tx.Users().UserByID(a.UserID)
	if err != nil {
		return nil, err
	}
	if u.SSOOnly {
		return nil, docket.Errorf(docket.EConflict, "this account signs in by single sign-on only; its provider keeps its second factors")
	}
	if err := needsFactorSession(u, a); err != nil {
		return nil, err
	}
	all, err := tx.Factors().UserFactors(a.UserID)
	if err != nil {
		return nil, err
	}
	confirmed := 0
	for _, f := range all {
		if f.ConfirmedAt != nil {
			confirmed++
		}
	}
	if confirmed >= maxFactors {
		return nil, docket.Errorf(docket.EConflict, "you have %d second factors, the most allowed; remove one first", confirmed)
	}
	return passkeyUserOf(tx, u)
}

// PasskeyAdded is a passkey just added, and whether the session that added
// it ended (SessionEnded: the account's first factor, added with the
// password alone; the person signs in again, with the passkey).
type PasskeyAdded struct {
	Factor       FactorView
	SessionEnded bool
}

// FinishEnrol adds the passkey the browser made for a ceremony BeginEnrol
// began, in the same session, named name ("Passkey" when empty). From then
// on the account signs in with a second factor. Adding a passkey proves
// only that the person holds a new authenticator, maybe one of their own
// choosing: the session does not count as made with a passkey (only a
// sign-in with one does), and when it used no second factor it ends, as
// every other session of the account does on its first factor. 422 names
// the field: credential when the answer is not a passkey's, is for another
// ceremony, site or origin, was made without user verification, or the
// ceremony is gone; name when too long. Every refusal is audited.
func (s *Passkeys) FinishEnrol(ctx context.Context, a docket.Actor, ceremonyID, name string, response []byte) (*PasskeyAdded, error) {
	if a.APIToken || a.SessionID == "" {
		return nil, docket.Errorf(docket.EForbidden, "passkeys are added from a signed-in session on the account page")
	}
	if err := s.enabled(); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Passkey"
	}
	if err := docket.ValidateName("name", name, 100); err != nil {
		return nil, err
	}
	// The ceremony is used up whether the answer is good or not.
	data, err := s.takeNow(ctx, ceremonyID, ceremonyEnrol, a.UserID, a.SessionID)
	if err == errCeremonyGone {
		return nil, s.refuseEnrol(ctx, a, "ceremony_gone", err)
	} else if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, s.refuseEnrol(ctx, a, "not_a_passkey_answer",
			docket.Unacceptable("credential", "is not a passkey's answer: %s", webauthnReason(err)))
	}
	var out PasskeyAdded
	var refused string
	var refusal error
	err = s.write(ctx, func(tx passkeysTx) error {
		p, err := s.enrolling(tx, a)
		if err != nil {
			return err
		}
		cred, err := s.rp.CreateCredential(p, *data, parsed)
		if err != nil {
			refused, refusal = reasonOf(err), docket.Unacceptable("credential", "was refused: %s", webauthnReason(err))
			return nil
		}
		if !cred.Flags.UserVerified {
			refused = "no_user_verification"
			refusal = docket.Unacceptable("credential", "was made without user verification (a PIN or biometric), which Docket requires")
			return nil
		}
		raw, err := json.Marshal(cred)
		if err != nil {
			return err
		}
		now := s.Now()
		f := &Factor{ID: newID(), UserID: a.UserID, Kind: FactorWebAuthn, Name: name, Credential: string(raw),
			CredentialID: base64.RawURLEncoding.EncodeToString(cred.ID), ConfirmedAt: &now, CreatedAt: now}
		if err := tx.Factors().CreateFactor(f); err != nil {
			if docket.ErrorCode(err) == docket.EConflict {
				refused, refusal = "known_passkey", docket.Unacceptable("credential", "is a passkey Docket knows already")
				return nil
			}
			return err
		}
		u, err := tx.Users().UserByID(a.UserID)
		if err != nil {
			return err
		}
		if !u.MFAEnrolled {
			// The first factor: every other session and API token, made with the
			// password alone, ends.
			if err := tx.Users().RevokeOtherTokens(a.UserID, a.SessionID, now); err != nil {
				return err
			}
			u.MFAEnrolled, u.UpdatedAt = true, now
			if err := tx.Users().UpdateUser(u); err != nil {
				return err
			}
		}
		if !a.SecondFactor {
			// Made with the password alone: this session ends too.
			if err := tx.Users().RevokeToken(a.SessionID, now); err != nil {
				return err
			}
			out.SessionEnded = true
		}
		out.Factor = viewFactor(*f)
		return s.audit(tx, a, "mfa.factor_added", "user", a.UserID, "", docket.Changes{"factor_id": f.ID, "kind": f.Kind, "name": f.Name})
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, s.refuseEnrol(ctx, a, refused, refusal)
	}
	return &out, nil
}

// refuseEnrol audits a refused passkey and answers refusal.
func (s *Passkeys) refuseEnrol(ctx context.Context, a docket.Actor, reason string, refusal error) error {
	if err := s.write(ctx, func(tx passkeysTx) error {
		return s.audit(tx, a, "mfa.factor_refused", "user", a.UserID, "", docket.Changes{"kind": FactorWebAuthn, "reason": reason})
	}); err != nil {
		return err
	}
	return refusal
}

// reasonOf is a refusal of the relying party library as one of a fixed set
// of reasons, for the audit trail.
func reasonOf(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Type != "" {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r == '_' {
				return r
			}
			return '_'
		}, strings.ToLower(pe.Type))
	}
	return "refused"
}

// BeginSignIn begins a passkey sign-in: with pending (a page sign-in whose
// password was right, SignInPage), the account's own passkeys are asked
// for; without, the browser offers whichever passkey of this site the
// person picks, and the ceremony is bound to browser (what identifies the
// browser's sign-in form, never empty). 401 when the pending sign-in is
// gone; 409 when passkeys are off here or the account has no passkey; 429
// when too many sign-ins are open at once.
func (s *Passkeys) BeginSignIn(ctx context.Context, pending, browser string, a docket.Actor) (*PasskeyOptions, error) {
	if err := s.enabled(); err != nil {
		return nil, err
	}
	uv := webauthn.WithUserVerification(protocol.VerificationRequired)
	if pending == "" {
		if browser == "" {
			return nil, docket.Errorf(docket.EForbidden, "the sign-in form had expired: reload the page")
		}
		var out *PasskeyOptions
		err := s.write(ctx, func(tx passkeysTx) error {
			n, err := tx.Ceremonies().OpenCeremonies(ceremonySignIn, s.Now())
			if err != nil {
				return err
			}
			if n >= maxOpenSignIns {
				return &docket.Error{Code: docket.ERateLimited, Message: "too many passkey sign-ins are open: try again in a few minutes"}
			}
			assertion, data, err := s.rp.BeginDiscoverableLogin(uv)
			if err != nil {
				return err
			}
			out, err = s.begin(tx, ceremonySignIn, "", browser, assertion, data)
			return err
		})
		return out, err
	}
	user, pendingID, err := s.pendingUser(ctx, pending, a)
	if err != nil {
		return nil, err
	}
	var out *PasskeyOptions
	err = s.write(ctx, func(tx passkeysTx) error {
		p, err := passkeyUserOf(tx, user)
		if err != nil {
			return err
		}
		if len(p.creds) == 0 {
			return docket.Errorf(docket.EConflict, "this account has no passkey: enter a code from its authenticator app, or a recovery code")
		}
		assertion, data, err := s.rp.BeginLogin(p, uv)
		if err != nil {
			return err
		}
		out, err = s.begin(tx, ceremonySecondStep, user.ID, pendingID, assertion, data)
		return err
	})
	return out, err
}

// pendingUser is the user of a pending page sign-in, and its token's id.
func (s *Passkeys) pendingUser(ctx context.Context, pending string, a docket.Actor) (*docket.User, string, error) {
	_, user, err := s.accounts.Authenticate(ctx, auth.KindPending, pending, a)
	if docket.ErrorCode(err) == docket.EUnauthorized {
		return nil, "", errPendingExpired
	} else if err != nil {
		return nil, "", err
	}
	c, err := s.accounts.signer.Parse(auth.KindPending, pending)
	if err != nil {
		return nil, "", errPendingExpired
	}
	return user, c.ID, nil
}

// SignIn finishes a passkey sign-in BeginSignIn began and opens a page
// session: after the password (pending), with the methods pwd and hwk; alone
// (from the browser that began it), with hwk. Every attempt is audited. A refused answer (another site or
// origin, no user verification, an unknown or another account's passkey, a
// counter that went back, a ceremony used or gone) is 401 like a wrong
// password; an expired pending sign-in is 401 (IsPendingExpired): start again.
func (s *Passkeys) SignIn(ctx context.Context, ceremonyID, pending, browser string, response []byte, a docket.Actor) (*Session, error) {
	if err := s.enabled(); err != nil {
		return nil, err
	}
	var user *docket.User
	purpose, boundTo, userID := ceremonySignIn, browser, ""
	if pending != "" {
		var err error
		if user, boundTo, err = s.pendingUser(ctx, pending, a); err != nil {
			if err == errPendingExpired {
				_ = s.refuse(ctx, a, nil, "pending_expired")
			}
			return nil, err
		}
		purpose, userID = ceremonySecondStep, user.ID
	}
	// The ceremony is used up whether the answer is good or not.
	data, err := s.takeNow(ctx, ceremonyID, purpose, userID, boundTo)
	if err == errCeremonyGone {
		return nil, s.refuse(ctx, a, user, "ceremony_gone")
	} else if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, s.refuse(ctx, a, user, "not_a_passkey_answer")
	}
	var sess *Session
	var refused string
	err = s.write(ctx, func(tx passkeysTx) error {
		var p *passkeyUser
		var err error
		var cred *webauthn.Credential
		if user != nil {
			if p, err = passkeyUserOf(tx, user); err != nil {
				return err
			}
			cred, err = s.rp.ValidateLogin(p, *data, parsed)
		} else {
			var found webauthn.User
			found, cred, err = s.rp.ValidatePasskeyLogin(func(_, handle []byte) (webauthn.User, error) {
				u, err := tx.Users().UserByID(string(handle))
				if err != nil {
					return nil, err
				}
				if p, err = passkeyUserOf(tx, u); err != nil {
					return nil, err
				}
				return p, nil
			}, *data, parsed)
			if found != nil {
				user = p.u
			}
		}
		if err != nil {
			refused = reasonOf(err)
			return nil
		}
		if user.Disabled || user.SSOOnly {
			refused = "account_cannot_sign_in"
			return nil
		}
		f := p.factorOf(cred.ID)
		if f == nil {
			refused = "unknown_passkey"
			return nil
		}
		if cred.Authenticator.CloneWarning {
			refused = "counter_went_back"
			return nil
		}
		pendingID := ""
		if pending != "" {
			pendingID = boundTo
		}
		return s.signedIn(tx, a, user, f, cred, pendingID, &sess)
	})
	if err != nil {
		return nil, err
	}
	if refused != "" {
		return nil, s.refuse(ctx, a, user, refused)
	}
	return sess, nil
}

// signedIn keeps the passkey's new counter and opens the session; after a
// password (pendingID, the pending sign-in's token), the pending sign-in
// ends and its reserved failure is given back.
func (s *Passkeys) signedIn(tx passkeysTx, a docket.Actor, user *docket.User, f *Factor, cred *webauthn.Credential, pendingID string, out **Session) error {
	raw, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	now := s.Now()
	f.Credential, f.LastUsedAt = string(raw), &now
	if err := tx.Factors().UpdateFactor(f); err != nil {
		return err
	}
	amr := []string{AMRPasskey}
	if pendingID != "" {
		amr = []string{AMRPassword, AMRPasskey}
		if err := s.accounts.throttle.giveBack(tx.Users(), signInKeys(user.Email, a.ClientIP)); err != nil {
			return err
		}
		if err := tx.Users().RevokeToken(pendingID, now); err != nil {
			return err
		}
	}
	sess, _, err := s.accounts.issueWith(tx, user, auth.KindPage, sessionMade{amr: amr, at: now}, now.Add(s.accounts.auth.SessionTTL))
	if err != nil {
		return err
	}
	*out = sess
	return s.audit(tx, actorOf(user, a), "auth.sign_in", "user", user.ID, "",
		docket.Changes{"result": "success", "amr": strings.Join(amr, " "), "factor_id": f.ID})
}

// refuse audits a refused passkey sign-in and answers 401.
func (s *Passkeys) refuse(ctx context.Context, a docket.Actor, user *docket.User, why string) error {
	email := ""
	if user != nil {
		email = user.Email
	}
	if err := s.write(ctx, func(tx passkeysTx) error {
		ch := docket.Changes{"result": "failed_passkey", "reason": why}
		subject := ""
		if user != nil {
			subject = user.ID
			ch.Set("email", email)
		}
		return s.audit(tx, a, "auth.sign_in", "user", subject, "", ch)
	}); err != nil {
		return err
	}
	s.accounts.observeSignInFailure("passkey", false)
	return errBadCredentials
}

// webauthnReason is what a refusal of the relying party library says.
func webauthnReason(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Details != "" {
		return pe.Details
	}
	return err.Error()
}
