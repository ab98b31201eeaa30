package app

import (
	"context"
	"errors"
	"strings"

	"github.com/docket/docket/internal/docket"
)

// CreateOrg adds a lab or an agency office (admins only).
func (s *Accounts) CreateOrg(ctx context.Context, a docket.Actor, name, kind string) (*docket.Org, error) {
	if !docket.CanAdminister(a.Role) {
		return nil, docket.Forbidden()
	}
	if err := docket.ValidateOrg(name, kind); err != nil {
		return nil, err
	}
	o := &docket.Org{ID: newID(), Name: strings.TrimSpace(name), Kind: kind, CreatedAt: s.Now()}
	err := s.write(ctx, func(tx accountsTx) error {
		if err := tx.Users().CreateOrg(o); err != nil {
			return err
		}
		return s.audit(tx, a, "org.created", "org", o.ID, "", docket.Changes{"name": o.Name, "kind": o.Kind})
	})
	return o, err
}

// ListOrgs lists organisations (admins only).
func (s *Accounts) ListOrgs(ctx context.Context, a docket.Actor, p Page) ([]docket.Org, string, error) {
	if !docket.CanAdminister(a.Role) {
		return nil, "", docket.Forbidden()
	}
	var out []docket.Org
	var next string
	err := s.read(ctx, func(tx accountsTx) error {
		var err error
		out, next, err = tx.Users().ListOrgs(Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
		return err
	})
	return out, next, err
}

// NewUser is what an admin gives to create a user.
type NewUser struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	OrgID    string `json:"org_id"`
	Password string `json:"password"`
}

// UserChange is what an administrator's change to a user did: User is the
// user as it stands now (nil when a create waits), Pending the change that
// waits for a review lead's approval (nil when everything was applied).
type UserChange struct {
	User    *docket.User
	Pending *docket.Approval
}

// errNoApprovals refuses a change that must wait when the service was built
// without the approvals service: such a change is never applied instead.
var errNoApprovals = errors.New("app: no approvals service: a change to a content role cannot wait for approval")

// CreateUser adds a user to an organisation (admins only). The role must fit
// the organisation's kind (422 on role); an e-mail in use is 409. A reviewer
// or review lead is not created but waits for a review lead's approval
// (UserChange.Pending; 409 when a create for the e-mail waits already).
func (s *Accounts) CreateUser(ctx context.Context, a docket.Actor, in NewUser) (UserChange, error) {
	if !docket.CanAdminister(a.Role) {
		return UserChange{}, docket.Forbidden()
	}
	u, ap, err := s.createUser(ctx, a, in, "")
	return UserChange{User: u, Pending: ap}, err
}

// createUser validates and stores a user; with orgKind set, a missing organisation
// named in.OrgID is created first. orgKind is set only on the command line's
// bootstrap path, which applies every role at once (whoever runs it holds the
// database); otherwise a content role becomes a pending change, returned
// instead of the user.
func (s *Accounts) createUser(ctx context.Context, a docket.Actor, in NewUser, orgKind string) (*docket.User, *docket.Approval, error) {
	email, err := docket.NormalizeEmail("email", in.Email)
	if err != nil {
		return nil, nil, err
	}
	if err := docket.ValidateName("name", in.Name, 200); err != nil {
		return nil, nil, err
	}
	role := docket.Role(in.Role)
	if !role.Valid() {
		return nil, nil, docket.Unacceptable("role", "must be one of lab_member, reviewer, review_lead, compliance_officer, admin")
	}
	if err := docket.CheckPassword("password", in.Password); err != nil {
		return nil, nil, err
	}
	wait := orgKind == "" && role.ReadsContent()
	if wait && s.approvals == nil {
		return nil, nil, errNoApprovals
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return nil, nil, err
	}
	now := s.Now()
	// Whoever runs the command line holds the database already; an
	// administrator's choice of password is remembered (see UpdateUser).
	u := &docket.User{ID: newID(), Email: email, Name: strings.TrimSpace(in.Name), Role: role,
		PasswordHash: hash, PasswordByAdmin: orgKind == "", CreatedAt: now, UpdatedAt: now}
	var ap *docket.Approval
	err = s.write(ctx, func(tx accountsTx) error {
		ap = nil
		var org *docket.Org
		var err error
		if orgKind != "" {
			org, err = tx.Users().OrgByName(in.OrgID)
			if docket.ErrorCode(err) == docket.ENotFound {
				if err := docket.ValidateOrg(in.OrgID, orgKind); err != nil {
					return err
				}
				org = &docket.Org{ID: newID(), Name: strings.TrimSpace(in.OrgID), Kind: orgKind, CreatedAt: now}
				if err := tx.Users().CreateOrg(org); err != nil {
					return err
				}
				if err := s.audit(tx, a, "org.created", "org", org.ID, "", docket.Changes{"name": org.Name, "kind": org.Kind}); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		} else if org, err = tx.Users().OrgByID(in.OrgID); err != nil {
			if docket.ErrorCode(err) == docket.ENotFound {
				return docket.Unacceptable("org_id", "no such organisation")
			}
			return err
		}
		if err := docket.CheckRoleInOrg(role, org.Kind); err != nil {
			return err
		}
		if _, err := tx.Users().UserByEmail(email); err == nil {
			return docket.Errorf(docket.EConflict, "a user with this e-mail exists")
		}
		u.OrgID, u.Org = org.ID, *org
		if wait {
			ap = &docket.Approval{Kind: docket.ApprovalUserCreate, UserID: u.ID, Email: u.Email, Name: u.Name,
				OrgID: u.OrgID, Role: u.Role, SetsPassword: true, PasswordHash: hash}
			return s.approvals.request(tx, a, ap)
		}
		if err := tx.Users().CreateUser(u); err != nil {
			return err
		}
		return s.audit(tx, a, "user.created", "user", u.ID, "", docket.Changes{"email": u.Email, "role": string(u.Role), "org_id": u.OrgID})
	})
	if err != nil {
		return nil, nil, err
	}
	if ap != nil {
		ap.PasswordHash = "" // never leaves the service
		return nil, ap, nil
	}
	return u, nil, nil
}

// CreateUserCLI creates a user from the command line, creating its organisation
// (of kind orgKind) when none has that name. It applies at once whatever the
// role, reviewers and review leads included: whoever runs the command holds
// the database already, and a new deployment gets its first lead this way.
func (s *Accounts) CreateUserCLI(ctx context.Context, email, name, role, orgName, orgKind, password string) (*docket.User, error) {
	if orgKind == "" {
		orgKind = docket.Role(role).OrgKind()
	}
	if orgKind != docket.OrgKindLab && orgKind != docket.OrgKindAgency {
		return nil, docket.Unacceptable("org-kind", "must be lab or agency")
	}
	u, _, err := s.createUser(ctx, docket.System(), NewUser{Email: email, Name: name, Role: role, OrgID: orgName, Password: password}, orgKind)
	return u, err
}

// ListUsers lists users (admins only), optionally of one organisation or role.
func (s *Accounts) ListUsers(ctx context.Context, a docket.Actor, f UserFilter, p Page) ([]docket.User, string, error) {
	if !docket.CanAdminister(a.Role) {
		return nil, "", docket.Forbidden()
	}
	var out []docket.User
	var next string
	err := s.read(ctx, func(tx accountsTx) error {
		var err error
		out, next, err = tx.Users().ListUsers(f, Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
		return err
	})
	return out, next, err
}

// UserPatch changes a user; nil fields stay as they are.
type UserPatch struct {
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
	Password *string `json:"password"`
	Name     *string `json:"name"`
	// SSOOnly makes the account sign in by single sign-on only: its password stops working.
	SSOOnly *bool `json:"sso_only"`
}

// UpdateUser changes a user's role, state, name or password (admins only). An
// admin cannot demote or disable itself (409). A role change, disabling or a new
// password ends the user's sessions and API tokens.
//
// Raising a user to reviewer or review lead, and a new password for a
// reviewer or review lead (or for a user with such a raise waiting), are not
// applied but wait for a review lead's approval (UserChange.Pending; 409 when
// a change of the kind waits for the user already); a raise given with a
// password waits as one change. Whatever else the patch asks is applied at once.
func (s *Accounts) UpdateUser(ctx context.Context, a docket.Actor, id string, p UserPatch) (UserChange, error) {
	if !docket.CanAdminister(a.Role) {
		return UserChange{}, docket.Forbidden()
	}
	var hash string
	if p.Password != nil {
		if err := docket.CheckPassword("password", *p.Password); err != nil {
			return UserChange{}, err
		}
		var err error
		if hash, err = s.hasher.Hash(*p.Password); err != nil {
			return UserChange{}, err
		}
	}
	var u *docket.User
	var ap *docket.Approval
	err := s.write(ctx, func(tx accountsTx) error {
		ap = nil
		var err error
		if u, err = tx.Users().UserByID(id); err != nil {
			return err
		}
		ch := docket.Changes{}
		revoke := false
		from := u.Role
		if p.Name != nil {
			if err := docket.ValidateName("name", *p.Name, 200); err != nil {
				return err
			}
			u.Name = strings.TrimSpace(*p.Name)
			ch.Set("name", u.Name)
		}
		var raise docket.Role
		if p.Role != nil && docket.Role(*p.Role) != u.Role {
			role := docket.Role(*p.Role)
			if u.ID == a.UserID {
				return docket.Errorf(docket.EConflict, "an admin cannot change its own role")
			}
			if err := docket.CheckRoleInOrg(role, u.Org.Kind); err != nil {
				return err
			}
			if role.ReadsContent() {
				if u.PasswordByAdmin && p.Password == nil {
					return docket.Errorf(docket.EConflict, "the account's password was set by an administrator and not changed by its owner since: "+
						"they choose their own on their Account page before it can be raised to %s (or send a new password with the raise, for the lead to approve)", role)
				}
				raise = role
			} else {
				ch.Set("role", map[string]string{"from": string(u.Role), "to": string(role)})
				u.Role, revoke = role, true
			}
		}
		if p.Disabled != nil && *p.Disabled != u.Disabled {
			if u.ID == a.UserID && *p.Disabled {
				return docket.Errorf(docket.EConflict, "an admin cannot disable itself")
			}
			u.Disabled = *p.Disabled
			ch.Set("disabled", u.Disabled)
			revoke = revoke || u.Disabled
		}
		if p.SSOOnly != nil && *p.SSOOnly != u.SSOOnly {
			u.SSOOnly = *p.SSOOnly
			ch.Set("sso_only", u.SSOOnly)
			// Sessions made with the password end when it stops working.
			revoke = revoke || u.SSOOnly
		}
		passwordWaits := false
		if p.Password != nil {
			if passwordWaits, err = s.passwordWaits(tx, u, from, raise); err != nil {
				return err
			}
			if !passwordWaits {
				u.PasswordHash, u.PasswordByAdmin = hash, true
				ch.Secret("password", "reset")
				revoke = true
			}
		}
		waits := raise != "" || passwordWaits
		if waits && s.approvals == nil {
			return errNoApprovals
		}
		if len(ch) > 0 || !waits {
			if revoke {
				if err := endSessions(tx.Users(), u, s.Now()); err != nil {
					return err
				}
			}
			u.UpdatedAt = s.Now()
			if err := tx.Users().UpdateUser(u); err != nil {
				return err
			}
			if err := s.audit(tx, a, "user.updated", "user", u.ID, "", ch); err != nil {
				return err
			}
		}
		if !waits {
			return nil
		}
		ap = &docket.Approval{Kind: docket.ApprovalUserPassword, UserID: u.ID, Email: u.Email, Name: u.Name, OrgID: u.OrgID,
			SetsPassword: passwordWaits, UserVersion: u.TokenVersion}
		if raise != "" {
			ap.Kind, ap.Role, ap.FromRole = docket.ApprovalUserRole, raise, u.Role
		}
		if passwordWaits {
			ap.PasswordHash = hash
		}
		return s.approvals.request(tx, a, ap)
	})
	if err != nil {
		return UserChange{}, err
	}
	if ap != nil {
		ap.PasswordHash = "" // never leaves the service
	}
	return UserChange{User: u, Pending: ap}, nil
}

// passwordWaits reports whether a new password for u must wait for a review
// lead: when u is, was a moment ago (from), or is being raised to a role
// that reads case content, or has such a raise waiting.
func (s *Accounts) passwordWaits(tx accountsTx, u *docket.User, from, raise docket.Role) (bool, error) {
	if u.Role.ReadsContent() || from.ReadsContent() || raise != "" {
		return true, nil
	}
	pending := docket.ApprovalPending
	waiting, _, err := tx.Approvals().ListApprovals(ApprovalFilter{Status: &pending, UserID: &u.ID}, Page{Limit: 20})
	if err != nil {
		return false, err
	}
	for _, w := range waiting {
		if w.Role.ReadsContent() {
			return true, nil
		}
	}
	return false, nil
}

// RemoveFactors removes every second factor and recovery code of a user
// (administrators), for a user who lost them: the user's sessions end, and
// a role that requires a second factor enrols a new one at the next
// sign-in. For a reviewer or review lead it waits for a review lead's
// approval, like a password reset (UserChange.Pending). 404 for an unknown
// user; 409 when the user has no factor, or signs in by single sign-on only.
func (s *Accounts) RemoveFactors(ctx context.Context, a docket.Actor, id string) (UserChange, error) {
	if !docket.CanAdminister(a.Role) {
		return UserChange{}, docket.Forbidden()
	}
	var u *docket.User
	var ap *docket.Approval
	err := s.write(ctx, func(tx accountsTx) error {
		var err error
		if u, err = tx.Users().UserByID(id); err != nil {
			return notFoundAs(err, "user")
		}
		if !u.MFAEnrolled {
			return docket.Errorf(docket.EConflict, "%s has no second factor to remove", u.Email)
		}
		// As a password reset: a reviewer's or lead's, or a user's with a
		// raise to such a role waiting, waits for a review lead.
		waits, err := s.passwordWaits(tx, u, "", "")
		if err != nil {
			return err
		}
		if waits {
			if s.approvals == nil {
				return errNoApprovals
			}
			ap = &docket.Approval{Kind: docket.ApprovalUserFactors, UserID: u.ID, Email: u.Email, Name: u.Name, OrgID: u.OrgID,
				UserVersion: u.TokenVersion}
			return s.approvals.request(tx, a, ap)
		}
		if err := tx.Factors().DeleteUserFactors(u.ID); err != nil {
			return err
		}
		u.MFAEnrolled = false
		if err := endSessions(tx.Users(), u, s.Now()); err != nil {
			return err
		}
		u.UpdatedAt = s.Now()
		if err := tx.Users().UpdateUser(u); err != nil {
			return err
		}
		return s.audit(tx, a, "user.updated", "user", u.ID, "", docket.Changes{"factors": "removed"})
	})
	if err != nil {
		return UserChange{}, err
	}
	return UserChange{User: u, Pending: ap}, nil
}
