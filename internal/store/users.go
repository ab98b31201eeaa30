package store

import (
	"sort"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/docket"
)

type orgRow struct {
	ID        string
	Name      string
	Kind      string
	CreatedAt int64
}

func (orgRow) TableName() string { return "orgs" }

func (r orgRow) domain() docket.Org {
	return docket.Org{ID: r.ID, Name: r.Name, Kind: r.Kind, CreatedAt: tm(r.CreatedAt)}
}

func (t userRepo) CreateOrg(o *docket.Org) error {
	return translate(t.db.Create(&orgRow{ID: o.ID, Name: o.Name, Kind: o.Kind, CreatedAt: ms(o.CreatedAt)}).Error)
}

func (t userRepo) OrgByID(id string) (*docket.Org, error) {
	var r orgRow
	if err := t.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "organisation")
	}
	o := r.domain()
	return &o, nil
}

func (t userRepo) OrgByName(name string) (*docket.Org, error) {
	var r orgRow
	if err := t.db.Where("name = ?", strings.TrimSpace(name)).Take(&r).Error; err != nil {
		return nil, notFound(err, "organisation")
	}
	o := r.domain()
	return &o, nil
}

func (t userRepo) ListOrgs(p app.Page) ([]docket.Org, string, error) {
	q := t.db.Model(&orgRow{}).Order("created_at, id").Limit(p.Limit + 1)
	if c, ok := decodeCursor(p.Cursor); ok {
		q = q.Where("created_at > ? OR (created_at = ? AND id > ?)", c.K, c.K, c.ID)
	} else if p.Cursor != "" {
		return nil, "", badCursor()
	}
	var rows []orgRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", err
	}
	rows, next := cutPage(rows, p.Limit)
	out := make([]docket.Org, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

type userRow struct {
	ID              string
	OrgID           string
	Email           string
	Name            string
	Role            string
	PasswordHash    string
	PasswordByAdmin bool
	Disabled        bool
	TokenVersion    int
	MFAEnrolled     bool `gorm:"column:mfa_enrolled"`
	SSOOnly         bool `gorm:"column:sso_only"`
	EmailDelivery   string
	CreatedAt       int64
	UpdatedAt       int64
	OrgName         string `gorm:"->;-:migration"`
	OrgKind         string `gorm:"->;-:migration"`
	OrgCreatedAt    int64  `gorm:"->;-:migration"`
}

func (userRow) TableName() string { return "users" }

func (r userRow) domain() *docket.User {
	return &docket.User{ID: r.ID, OrgID: r.OrgID, Email: r.Email, Name: r.Name, Role: docket.Role(r.Role),
		PasswordHash: r.PasswordHash, PasswordByAdmin: r.PasswordByAdmin, Disabled: r.Disabled, TokenVersion: r.TokenVersion,
		MFAEnrolled: r.MFAEnrolled, SSOOnly: r.SSOOnly, EmailDelivery: r.EmailDelivery, CreatedAt: tm(r.CreatedAt), UpdatedAt: tm(r.UpdatedAt),
		Org: docket.Org{ID: r.OrgID, Name: r.OrgName, Kind: r.OrgKind, CreatedAt: tm(r.OrgCreatedAt)}}
}

func userRowOf(u *docket.User) userRow {
	return userRow{ID: u.ID, OrgID: u.OrgID, Email: u.Email, Name: u.Name, Role: string(u.Role),
		PasswordHash: u.PasswordHash, PasswordByAdmin: u.PasswordByAdmin, Disabled: u.Disabled, TokenVersion: u.TokenVersion,
		MFAEnrolled: u.MFAEnrolled, SSOOnly: u.SSOOnly, EmailDelivery: emailDeliveryOf(u), CreatedAt: ms(u.CreatedAt), UpdatedAt: ms(u.UpdatedAt)}
}

// emailDeliveryOf is the user's choice of e-mail delivery, each when unset.
func emailDeliveryOf(u *docket.User) string {
	if u.EmailDelivery == "" {
		return docket.EmailEach
	}
	return u.EmailDelivery
}

const userSelect = `SELECT users.*, orgs.name AS org_name, orgs.kind AS org_kind, orgs.created_at AS org_created_at
FROM users JOIN orgs ON orgs.id = users.org_id`

func (t userRepo) CreateUser(u *docket.User) error {
	r := userRowOf(u)
	return translate(t.db.Omit("OrgName", "OrgKind", "OrgCreatedAt").Create(&r).Error)
}

func (t *tx) userWhere(cond string, arg any) (*docket.User, error) {
	r, ok, err := scanOne[userRow](t.db.Raw(userSelect+" WHERE "+cond+" LIMIT 1", arg))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, docket.NotFound("user")
	}
	return r.domain(), nil
}

func (t userRepo) UserByID(id string) (*docket.User, error) { return t.userWhere("users.id = ?", id) }

func (t userRepo) UserByEmail(email string) (*docket.User, error) {
	return t.userWhere("users.email = ?", strings.ToLower(email))
}

// UpdateUser writes every column, so that false and "" stick.
func (t userRepo) UpdateUser(u *docket.User) error {
	return t.db.Exec(`UPDATE users SET name = ?, role = ?, password_hash = ?, password_by_admin = ?, disabled = ?, token_version = ?, mfa_enrolled = ?, sso_only = ?, email_delivery = ?, updated_at = ? WHERE id = ?`,
		u.Name, string(u.Role), u.PasswordHash, u.PasswordByAdmin, u.Disabled, u.TokenVersion, u.MFAEnrolled, u.SSOOnly, emailDeliveryOf(u), ms(u.UpdatedAt), u.ID).Error
}

func (t userRepo) ListUsers(f app.UserFilter, p app.Page) ([]docket.User, string, error) {
	sql := userSelect + " WHERE 1=1"
	var args []any
	if f.OrgID != nil {
		sql += " AND users.org_id = ?"
		args = append(args, *f.OrgID)
	}
	if f.Role != nil {
		sql += " AND users.role = ?"
		args = append(args, string(*f.Role))
	}
	if c, ok := decodeCursor(p.Cursor); ok {
		sql += " AND (users.created_at > ? OR (users.created_at = ? AND users.id > ?))"
		args = append(args, c.K, c.K, c.ID)
	} else if p.Cursor != "" {
		return nil, "", badCursor()
	}
	sql += " ORDER BY users.created_at, users.id LIMIT ?"
	args = append(args, p.Limit+1)
	var rows []userRow
	if err := t.db.Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, "", err
	}
	rows, next := cutPage(rows, p.Limit)
	out := make([]docket.User, len(rows))
	for i, r := range rows {
		out[i] = *r.domain()
	}
	return out, next, nil
}

type tokenRow struct {
	ID      string
	UserID  string
	Kind    string
	Name    string
	Hash    string
	Version int
	Scope   string
	AMR     string `gorm:"column:amr"`
	ACR     string `gorm:"column:acr"`
	// AuthenticatedAt is when the person authenticated (ms).
	AuthenticatedAt int64
	CreatedAt       int64
	ExpiresAt       int64
	RevokedAt       *int64
}

func (tokenRow) TableName() string { return "tokens" }

func (r tokenRow) domain() app.Token {
	var amr []string
	if r.AMR != "" {
		amr = strings.Split(r.AMR, ",")
	}
	return app.Token{ID: r.ID, UserID: r.UserID, Kind: auth.Kind(r.Kind), Name: r.Name, Hash: r.Hash,
		Version: r.Version, Scope: docket.Scope(r.Scope), AMR: amr, ACR: r.ACR, AuthenticatedAt: tm(r.AuthenticatedAt),
		CreatedAt: tm(r.CreatedAt), ExpiresAt: tm(r.ExpiresAt), RevokedAt: tmp(r.RevokedAt)}
}

func (t userRepo) CreateToken(k *app.Token) error {
	return translate(t.db.Create(&tokenRow{ID: k.ID, UserID: k.UserID, Kind: string(k.Kind), Name: k.Name,
		Hash: k.Hash, Version: k.Version, Scope: string(k.Scope), AMR: strings.Join(k.AMR, ","), ACR: k.ACR,
		AuthenticatedAt: ms(k.AuthenticatedAt), CreatedAt: ms(k.CreatedAt), ExpiresAt: ms(k.ExpiresAt)}).Error)
}

// SetTokenAMR records that a session has since proved more (a second
// factor confirmed during it).
func (t userRepo) SetTokenAMR(id string, amr []string) error {
	return t.db.Exec(`UPDATE tokens SET amr = ? WHERE id = ?`, strings.Join(amr, ","), id).Error
}

func (t userRepo) TokenByID(id string) (*app.Token, error) {
	r, ok, err := scanOne[tokenRow](t.db.Raw(`SELECT * FROM tokens WHERE id = ?`, id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, docket.NotFound("token")
	}
	k := r.domain()
	return &k, nil
}

// TokenUser returns a token with its user and the user's organisation, in
// one query: the check every authenticated request makes.
func (t userRepo) TokenUser(id string) (*app.Token, *docket.User, error) {
	m := t.memo()
	if m != nil {
		if tu, ok := m.tokens.get(id, t.ver.Accounts); ok {
			return &tu.token, &tu.user, nil
		}
	}
	r, ok, err := scanOne[struct {
		userRow
		TokenUserID    string
		TokenKind      string
		TokenName      string
		TokenHash      string
		TokenVersion2  int
		TokenScope     string
		TokenAmr       string
		TokenAcr       string
		TokenAuthAt    int64
		TokenCreatedAt int64
		TokenExpiresAt int64
		TokenRevokedAt *int64
	}](t.db.Raw(`SELECT users.*, orgs.name AS org_name, orgs.kind AS org_kind, orgs.created_at AS org_created_at,
tokens.user_id AS token_user_id, tokens.kind AS token_kind, tokens.name AS token_name, tokens.hash AS token_hash,
tokens.version AS token_version2, tokens.scope AS token_scope, tokens.amr AS token_amr, tokens.acr AS token_acr,
tokens.authenticated_at AS token_auth_at, tokens.created_at AS token_created_at, tokens.expires_at AS token_expires_at,
tokens.revoked_at AS token_revoked_at
FROM tokens JOIN users ON users.id = tokens.user_id JOIN orgs ON orgs.id = users.org_id WHERE tokens.id = ?`, id))
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, docket.NotFound("token")
	}
	k := tokenRow{ID: id, UserID: r.TokenUserID, Kind: r.TokenKind, Name: r.TokenName, Hash: r.TokenHash,
		Version: r.TokenVersion2, Scope: r.TokenScope, AMR: r.TokenAmr, ACR: r.TokenAcr, AuthenticatedAt: r.TokenAuthAt, CreatedAt: r.TokenCreatedAt, ExpiresAt: r.TokenExpiresAt, RevokedAt: r.TokenRevokedAt}.domain()
	u := r.userRow.domain()
	if m != nil {
		m.tokens.put(id, t.ver.Accounts, tokenUser{token: k, user: *u})
	}
	return &k, u, nil
}

func (t userRepo) ListTokens(userID string, kind auth.Kind) ([]app.Token, error) {
	var rows []tokenRow
	if err := t.db.Where("user_id = ? AND kind = ?", userID, string(kind)).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]app.Token, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (t userRepo) RevokeToken(id string, at time.Time) error {
	return t.db.Exec(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, ms(at), id).Error
}

// RevokeOtherTokens revokes every live session and token of a user but one.
func (t userRepo) RevokeOtherTokens(userID, exceptID string, at time.Time) error {
	return t.db.Exec(`UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at IS NULL`,
		ms(at), userID, exceptID).Error
}

func (t userRepo) RevokeUserTokens(userID string, kind auth.Kind, at time.Time) error {
	return t.db.Exec(`UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND kind = ? AND revoked_at IS NULL`,
		ms(at), userID, string(kind)).Error
}

type throttleRow struct {
	Key         string
	Failures    int
	LastFailure int64
	NextAllowed int64
	LockedUntil int64
	KnownUntil  int64
}

func (throttleRow) TableName() string { return "login_throttles" }

// LockThrottles returns the records for keys, in the order given (a zero
// record where there is none), locked until the transaction ends: on
// PostgreSQL a missing row is made first and every row is taken FOR UPDATE in
// key order, so that concurrent writers count one by one without deadlocking
// (rows are never deleted, so a row locked is a row read); SQLite's single
// writer serialises them already.
func (t userRepo) LockThrottles(keys ...string) ([]app.Throttle, error) {
	sorted := append([]string(nil), keys...)
	sort.Strings(sorted)
	q := t.db.Where("key IN ?", sorted).Order("key")
	if t.postgres {
		for _, k := range sorted {
			if err := t.db.Exec(`INSERT INTO login_throttles (key, failures, last_failure, next_allowed, locked_until, known_until)
VALUES (?, 0, 0, 0, 0, 0) ON CONFLICT (key) DO NOTHING`, k).Error; err != nil {
				return nil, err
			}
		}
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var rows []throttleRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	byKey := make(map[string]throttleRow, len(rows))
	for _, r := range rows {
		byKey[r.Key] = r
	}
	out := make([]app.Throttle, len(keys))
	for i, k := range keys {
		r, ok := byKey[k]
		if !ok {
			out[i] = app.Throttle{Key: k}
			continue
		}
		out[i] = app.Throttle{Key: r.Key, Failures: r.Failures, LastFailure: tmz(r.LastFailure),
			NextAllowed: tmz(r.NextAllowed), LockedUntil: tmz(r.LockedUntil), KnownUntil: tmz(r.KnownUntil)}
	}
	return out, nil
}

// SaveThrottle stores the record. Rows are kept (zeroed, not deleted), so
// that a writer waiting for a row's lock on PostgreSQL never finds it gone.
func (t userRepo) SaveThrottle(th app.Throttle) error {
	return t.db.Exec(`INSERT INTO login_throttles (key, failures, last_failure, next_allowed, locked_until, known_until) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, last_failure = excluded.last_failure,
next_allowed = excluded.next_allowed, locked_until = excluded.locked_until, known_until = excluded.known_until`,
		th.Key, th.Failures, msz(th.LastFailure), msz(th.NextAllowed), msz(th.LockedUntil), msz(th.KnownUntil)).Error
}

// tmz and msz map a stored 0 to the zero time and back.
func tmz(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return tm(v)
}

func msz(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return ms(t)
}
