package app

import (
	"context"
	"strings"

	"github.com/docket/docket/internal/docket"
)

// CreateOrg adds a lab or an agency office (admins only).
func (s *Service) CreateOrg(ctx context.Context, a docket.Actor, name, kind string) (*docket.Org, error) {
	if !docket.CanAdminister(a.Role) {
		return nil, docket.Forbidden()
	}
	if err := docket.ValidateOrg(name, kind); err != nil {
		return nil, err
	}
	o := &docket.Org{ID: newID(), Name: strings.TrimSpace(name), Kind: kind, CreatedAt: s.Now()}
	err := s.store.Write(ctx, func(tx Tx) error {
		if err := tx.CreateOrg(o); err != nil {
			return err
		}
		return s.audit(tx, a, "org.created", "org", o.ID, "", docket.Changes{"name": o.Name, "kind": o.Kind})
	})
	return o, err
}

// ListOrgs lists organisations (admins only).
func (s *Service) ListOrgs(ctx context.Context, a docket.Actor, p Page) ([]docket.Org, string, error) {
	if !docket.CanAdminister(a.Role) {
		return nil, "", docket.Forbidden()
	}
	var out []docket.Org
	var next string
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, next, err = tx.ListOrgs(Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
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

// CreateUser adds a user to an organisation (admins only). The role must fit the
// organisation's kind (422 on role).
func (s *Service) CreateUser(ctx context.Context, a docket.Actor, in NewUser) (*docket.User, error) {
	if !docket.CanAdminister(a.Role) {
		return nil, docket.Forbidden()
	}
	return s.createUser(ctx, a, in, "")
}

// createUser validates and stores a user; with orgKind set, a missing organisation
// named in.OrgID is created first (the command line's bootstrap path).
func (s *Service) createUser(ctx context.Context, a docket.Actor, in NewUser, orgKind string) (*docket.User, error) {
	email, err := docket.NormalizeEmail("email", in.Email)
	if err != nil {
		return nil, err
	}
	if err := docket.ValidateName("name", in.Name, 200); err != nil {
		return nil, err
	}
	role := docket.Role(in.Role)
	if !role.Valid() {
		return nil, docket.Unacceptable("role", "must be one of lab_member, reviewer, review_lead, compliance_officer, admin")
	}
	if err := docket.CheckPassword("password", in.Password); err != nil {
		return nil, err
	}
	hash, err := s.hasher.Hash(in.Password)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	u := &docket.User{ID: newID(), Email: email, Name: strings.TrimSpace(in.Name), Role: role,
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	err = s.store.Write(ctx, func(tx Tx) error {
		var org *docket.Org
		var err error
		if orgKind != "" {
			org, err = tx.OrgByName(in.OrgID)
			if docket.ErrorCode(err) == docket.ENotFound {
				if err := docket.ValidateOrg(in.OrgID, orgKind); err != nil {
					return err
				}
				org = &docket.Org{ID: newID(), Name: strings.TrimSpace(in.OrgID), Kind: orgKind, CreatedAt: now}
				if err := tx.CreateOrg(org); err != nil {
					return err
				}
				if err := s.audit(tx, a, "org.created", "org", org.ID, "", docket.Changes{"name": org.Name, "kind": org.Kind}); err != nil {
					return err
				}
			} else if err != nil {
				return err
			}
		} else if org, err = tx.OrgByID(in.OrgID); err != nil {
			if docket.ErrorCode(err) == docket.ENotFound {
				return docket.Unacceptable("org_id", "no such organisation")
			}
			return err
		}
		if err := docket.CheckRoleInOrg(role, org.Kind); err != nil {
			return err
		}
		if _, err := tx.UserByEmail(email); err == nil {
			return docket.Errorf(docket.EConflict, "a user with this e-mail exists")
		}
		u.OrgID, u.Org = org.ID, *org
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		return s.audit(tx, a, "user.created", "user", u.ID, "", docket.Changes{"email": u.Email, "role": string(u.Role), "org_id": u.OrgID})
	})
	return u, err
}

// CreateUserCLI creates a user from the command line, creating its organisation
// (of kind orgKind) when none has that name.
func (s *Service) CreateUserCLI(ctx context.Context, email, name, role, orgName, orgKind, password string) (*docket.User, error) {
	if orgKind == "" {
		orgKind = docket.Role(role).OrgKind()
	}
	if orgKind != docket.OrgKindLab && orgKind != docket.OrgKindAgency {
		return nil, docket.Unacceptable("org-kind", "must be lab or agency")
	}
	return s.createUser(ctx, docket.System(), NewUser{Email: email, Name: name, Role: role, OrgID: orgName, Password: password}, orgKind)
}

// ListUsers lists users (admins only), optionally of one organisation or role.
func (s *Service) ListUsers(ctx context.Context, a docket.Actor, f UserFilter, p Page) ([]docket.User, string, error) {
	if !docket.CanAdminister(a.Role) {
		return nil, "", docket.Forbidden()
	}
	var out []docket.User
	var next string
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out, next, err = tx.ListUsers(f, Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
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
}

// UpdateUser changes a user's role, state, name or password (admins only). An
// admin cannot demote or disable itself (409). A role change, disabling or a new
// password ends the user's sessions and API tokens.
func (s *Service) UpdateUser(ctx context.Context, a docket.Actor, id string, p UserPatch) (*docket.User, error) {
	if !docket.CanAdminister(a.Role) {
		return nil, docket.Forbidden()
	}
	var hash string
	if p.Password != nil {
		if err := docket.CheckPassword("password", *p.Password); err != nil {
			return nil, err
		}
		var err error
		if hash, err = s.hasher.Hash(*p.Password); err != nil {
			return nil, err
		}
	}
	var u *docket.User
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if u, err = tx.UserByID(id); err != nil {
			return err
		}
		ch := docket.Changes{}
		revoke := false
		if p.Name != nil {
			if err := docket.ValidateName("name", *p.Name, 200); err != nil {
				return err
			}
			u.Name = strings.TrimSpace(*p.Name)
			ch.Set("name", u.Name)
		}
		if p.Role != nil && docket.Role(*p.Role) != u.Role {
			role := docket.Role(*p.Role)
			if u.ID == a.UserID {
				return docket.Errorf(docket.EConflict, "an admin cannot change its own role")
			}
			if err := docket.CheckRoleInOrg(role, u.Org.Kind); err != nil {
				return err
			}
			ch.Set("role", map[string]string{"from": string(u.Role), "to": string(role)})
			u.Role, revoke = role, true
		}
		if p.Disabled != nil && *p.Disabled != u.Disabled {
			if u.ID == a.UserID && *p.Disabled {
				return docket.Errorf(docket.EConflict, "an admin cannot disable itself")
			}
			u.Disabled = *p.Disabled
			ch.Set("disabled", u.Disabled)
			revoke = revoke || u.Disabled
		}
		if p.Password != nil {
			u.PasswordHash = hash
			ch.Secret("password", "reset")
			revoke = true
		}
		if revoke {
			if err := s.endAllTokens(tx, u); err != nil {
				return err
			}
		}
		u.UpdatedAt = s.Now()
		if err := tx.UpdateUser(u); err != nil {
			return err
		}
		return s.audit(tx, a, "user.updated", "user", u.ID, "", ch)
	})
	return u, err
}
