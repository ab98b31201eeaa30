package store

import (
	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// The changes to accounts that wait for a review lead's approval
// (app.ApprovalStore).

type approvalRow struct {
	ID           string
	Kind         string
	UserID       string
	RequestedBy  string
	RequestedAt  int64
	Status       string
	DecidedBy    *string
	DecidedAt    *int64
	Email        string
	Name         string
	OrgID        string
	Role         string
	FromRole     string
	SetsPassword bool
	PasswordHash string
	UserVersion  int
	// The names of the requester and the decider, read by lists.
	RequesterName string `gorm:"->;-:migration"`
	DeciderName   string `gorm:"->;-:migration"`
	OrgName       string `gorm:"->;-:migration"`
}

func (approvalRow) TableName() string { return "approvals" }

func (r approvalRow) key() cursor { return cursor{K: r.RequestedAt, ID: r.ID} }

func (r approvalRow) domain() docket.Approval {
	return docket.Approval{ID: r.ID, Kind: r.Kind, UserID: r.UserID, RequestedBy: r.RequestedBy,
		RequestedAt: tm(r.RequestedAt), Status: r.Status, DecidedBy: fromNullable(r.DecidedBy), DecidedAt: tmp(r.DecidedAt),
		Email: r.Email, Name: r.Name, OrgID: r.OrgID, Role: docket.Role(r.Role), FromRole: docket.Role(r.FromRole),
		SetsPassword: r.SetsPassword, PasswordHash: r.PasswordHash, UserVersion: r.UserVersion,
		RequesterName: r.RequesterName, DeciderName: r.DeciderName, OrgName: r.OrgName}
}

// approvalSelect reads approvals with the names of their requester, decider and organisation.
const approvalSelect = `SELECT approvals.*, COALESCE(requester.name, '') AS requester_name,
COALESCE(decider.name, '') AS decider_name, COALESCE(orgs.name, '') AS org_name
FROM approvals LEFT JOIN users requester ON requester.id = approvals.requested_by
LEFT JOIN users decider ON decider.id = approvals.decided_by LEFT JOIN orgs ON orgs.id = approvals.org_id`

func (t approvalRepo) CreateApproval(p *docket.Approval) error {
	return translate(t.db.Exec(`INSERT INTO approvals (id, kind, user_id, requested_by, requested_at, status, decided_by,
decided_at, email, name, org_id, role, from_role, sets_password, password_hash, user_version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Kind, p.UserID, p.RequestedBy, ms(p.RequestedAt), p.Status, toNullable(p.DecidedBy), msp(p.DecidedAt),
		p.Email, p.Name, p.OrgID, string(p.Role), string(p.FromRole), p.SetsPassword, p.PasswordHash, p.UserVersion).Error)
}

func (t approvalRepo) ApprovalByID(id string) (*docket.Approval, error) {
	r, ok, err := scanOne[approvalRow](t.db.Raw(approvalSelect+` WHERE approvals.id = ?`, id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, docket.NotFound("approval")
	}
	p := r.domain()
	return &p, nil
}

// DecideApproval records the decision of a pending change and forgets its
// password hash; a change decided meanwhile is a 409 naming its state.
func (t approvalRepo) DecideApproval(p *docket.Approval) error {
	res := t.db.Exec(`UPDATE approvals SET status = ?, decided_by = ?, decided_at = ?, password_hash = ''
WHERE id = ? AND status = 'pending'`, p.Status, toNullable(p.DecidedBy), msp(p.DecidedAt), p.ID)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return docket.Errorf(docket.EConflict, "the change was decided meanwhile")
	}
	return nil
}

// ListApprovals lists changes newest first, with the names ApprovalByID reads.
func (t approvalRepo) ListApprovals(f app.ApprovalFilter, p app.Page) ([]docket.Approval, string, error) {
	sql := approvalSelect + " WHERE 1=1"
	var args []any
	if f.Status != nil {
		sql += " AND approvals.status = ?"
		args = append(args, *f.Status)
	}
	if f.RequestedBy != nil {
		sql += " AND approvals.requested_by = ?"
		args = append(args, *f.RequestedBy)
	}
	if f.UserID != nil {
		sql += " AND approvals.user_id = ?"
		args = append(args, *f.UserID)
	}
	if f.Email != nil {
		sql += " AND approvals.email = ?"
		args = append(args, *f.Email)
	}
	if c, ok := decodeCursor(p.Cursor); ok {
		sql += " AND (approvals.requested_at < ? OR (approvals.requested_at = ? AND approvals.id < ?))"
		args = append(args, c.K, c.K, c.ID)
	} else if p.Cursor != "" {
		return nil, "", badCursor()
	}
	sql += " ORDER BY approvals.requested_at DESC, approvals.id DESC LIMIT ?"
	args = append(args, p.Limit+1)
	rows, err := scanAll[approvalRow](t.db.Raw(sql, args...))
	if err != nil {
		return nil, "", err
	}
	rows, next := cutPage(rows, p.Limit)
	out := make([]docket.Approval, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}
