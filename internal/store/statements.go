package store

import (
	"encoding/base64"
	"time"

	"github.com/docket/docket/internal/docket"
)

type signingKeyRow struct {
	Kid        string
	Seq        int
	PublicKey  string
	PrivateKey string
	CreatedAt  int64
	RetiredAt  *int64
}

func (signingKeyRow) TableName() string { return "signing_keys" }

func (r signingKeyRow) domain() (docket.SigningKey, error) {
	pub, err := base64.RawURLEncoding.DecodeString(r.PublicKey)
	if err != nil {
		return docket.SigningKey{}, err
	}
	priv, err := base64.StdEncoding.DecodeString(r.PrivateKey)
	if err != nil {
		return docket.SigningKey{}, err
	}
	return docket.SigningKey{KeyID: r.Kid, Seq: r.Seq, PublicKey: pub, SealedPrivate: priv, CreatedAt: tm(r.CreatedAt),
		RetiredAt: tmp(r.RetiredAt)}, nil
}

func (t statementRepo) CreateSigningKey(k *docket.SigningKey) error {
	return translate(t.db.Create(&signingKeyRow{Kid: k.KeyID, Seq: k.Seq, PublicKey: base64.RawURLEncoding.EncodeToString(k.PublicKey),
		PrivateKey: base64.StdEncoding.EncodeToString(k.SealedPrivate), CreatedAt: ms(k.CreatedAt), RetiredAt: msp(k.RetiredAt)}).Error)
}

// SigningKeys returns every statement key, the newest (the signing one) first.
func (t statementRepo) SigningKeys() ([]docket.SigningKey, error) {
	var rows []signingKeyRow
	if err := t.db.Order("seq DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.SigningKey, 0, len(rows))
	for _, r := range rows {
		k, err := r.domain()
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

func (t statementRepo) RetireSigningKeys(at time.Time) error {
	return t.db.Exec(`UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL`, ms(at)).Error
}

// InsertStatement stores a statement unless one of its kind exists already for
// the case and deadline; it reports whether it stored it.
func (t statementRepo) InsertStatement(s *docket.Statement) (bool, error) {
	res := t.db.Exec(`INSERT INTO statements (id, case_id, kind, kid, token, deadline_key, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (case_id, kind, deadline_key) DO NOTHING`, s.ID, s.CaseID, s.Kind, s.KeyID, s.Token, ms(s.DeadlineKey), ms(s.IssuedAt))
	return res.RowsAffected > 0, translate(res.Error)
}

type statementRow struct {
	ID          string
	CaseID      string
	Kind        string
	Kid         string
	Token       string
	DeadlineKey int64
	IssuedAt    int64
}

func (statementRow) TableName() string { return "statements" }

func (t statementRepo) LatestStatement(caseID string) (*docket.Statement, error) {
	var rows []statementRow
	if err := t.db.Where("case_id = ?", caseID).Order("issued_at DESC, id DESC").Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, docket.NotFound("statement")
	}
	r := rows[0]
	return &docket.Statement{ID: r.ID, CaseID: r.CaseID, Kind: r.Kind, KeyID: r.Kid, Token: r.Token,
		DeadlineKey: tm(r.DeadlineKey), IssuedAt: tm(r.IssuedAt)}, nil
}

// LapsedCases returns, of the given cases, the open ones whose running
// clock's deadline passed before now and that have no lapse statement for
// that deadline yet.
func (t statementRepo) LapsedCases(now time.Time, caseIDs []string) ([]*docket.Case, error) {
	var ids []string
	for _, chunk := range chunks(caseIDs, 500) {
		var found []string
		err := t.db.Raw(`SELECT id FROM cases WHERE id IN (`+placeholders(len(chunk))+`)
AND status IN ('submitted', 'in_review', 'awaiting_lab') AND open_stop_at IS NULL
AND deadline_key < ? AND NOT EXISTS (SELECT 1 FROM statements WHERE statements.case_id = cases.id
AND statements.kind = 'lapse' AND statements.deadline_key = cases.deadline_key) ORDER BY id`, append(anys(chunk), ms(now))...).Scan(&found).Error
		if err != nil {
			return nil, err
		}
		ids = append(ids, found...)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	byID, err := t.Notifications().CasesByID(ids)
	if err != nil {
		return nil, err
	}
	out := make([]*docket.Case, 0, len(ids))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// StatementByID returns a statement by its id, the jti it carries (404 when none).
func (t statementRepo) StatementByID(id string) (*docket.Statement, error) {
	var rows []statementRow
	if err := t.db.Where("id = ?", id).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, docket.NotFound("statement")
	}
	r := rows[0]
	return &docket.Statement{ID: r.ID, CaseID: r.CaseID, Kind: r.Kind, KeyID: r.Kid, Token: r.Token,
		DeadlineKey: tm(r.DeadlineKey), IssuedAt: tm(r.IssuedAt)}, nil
}
