package app

import (
	"context"
	"time"

	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/docket"
)

// SSOIdentity is what an OpenID provider vouched for, from an ID token whose
// signature, issuer, audience, expiry and nonce the caller has checked.
type SSOIdentity struct {
	Issuer, Subject string
	Email           string
	EmailVerified   bool
	// ACR is the provider's acr: Login.gov's AAL2 or higher counts as a
	// second factor, phishing_resistant=true or hspd12=true as phishing-resistant.
	ACR      string
	AuthTime time.Time
}

// errSSONoAccount answers an identity whose e-mail no active Docket user has.
var errSSONoAccount = docket.Errorf(docket.ENotFound, "no Docket account has this e-mail address: ask an administrator to add you")

// SignInSSO opens a page session for the active Docket user whose e-mail is
// the identity's (ignoring case); nobody is ever created. An e-mail the
// provider has not verified is refused (403), an unknown or disabled
// account is 404 (errSSONoAccount). Every attempt, good or bad, is audited.
// The session records amr sso and the provider's acr.
func (s *Accounts) SignInSSO(ctx context.Context, id SSOIdentity, a docket.Actor) (*Session, error) {
	now := s.Now()
	email, valid := signInEmail(id.Email)
	var sess *Session
	var refusal error
	reason := ""
	err := s.write(ctx, func(tx accountsTx) error {
		var user *docket.User
		if valid {
			u, err := tx.Users().UserByEmail(email)
			if err != nil && docket.ErrorCode(err) != docket.ENotFound {
				return err
			}
			user = u
		}
		ch := docket.Changes{"method": "sso", "issuer": id.Issuer, "acr": id.ACR}
		subject := ""
		if user != nil {
			subject = user.ID
			ch.Set("email", email)
		} else {
			ch.Secret("email", email)
		}
		switch {
		case !id.EmailVerified:
			refusal = docket.Errorf(docket.EForbidden, "the identity provider has not verified this e-mail address")
			reason = "sso_email_unverified"
			ch.Set("result", "email_unverified")
		case user == nil || user.Disabled:
			refusal = errSSONoAccount
			reason = "sso_no_account"
			ch.Set("result", "no_account")
		}
		if refusal != nil {
			return s.audit(tx, a, "auth.sign_in", "user", subject, "", ch)
		}
		at := id.AuthTime
		if at.IsZero() || at.After(now) {
			at = now
		}
		var err error
		sess, _, err = s.issueWith(tx, user, auth.KindPage, sessionMade{amr: []string{AMRSSO}, acr: id.ACR, at: at},
			now.Add(s.auth.SessionTTL))
		if err != nil {
			return err
		}
		ch.Set("result", "success")
		return s.audit(tx, actorOf(user, a), "auth.sign_in", "user", user.ID, "", ch)
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		s.observeSignInFailure(reason, false)
		return nil, refusal
	}
	return sess, nil
}
