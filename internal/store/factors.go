package store

import (
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// factorRepo is the transaction as app.FactorStore.
type factorRepo struct{ *tx }

func (t *tx) Factors() app.FactorStore { return factorRepo{t} }

type factorRow struct {
	ID           string
	UserID       string
	Kind         string
	Name         string
	Secret       string
	Credential   string
	CredentialID *string
	LastStep     int64
	ConfirmedAt  *int64
	CreatedAt    int64
	LastUsedAt   *int64
}

func (factorRow) TableName() string { return "mfa_factors" }

func (r factorRow) domain() app.Factor {
	f := app.Factor{ID: r.ID, UserID: r.UserID, Kind: r.Kind, Name: r.Name, Secret: r.Secret, Credential: r.Credential,
		LastStep: r.LastStep, ConfirmedAt: tmp(r.ConfirmedAt), CreatedAt: tm(r.CreatedAt), LastUsedAt: tmp(r.LastUsedAt)}
	if r.CredentialID != nil {
		f.CredentialID = *r.CredentialID
	}
	return f
}

func (t factorRepo) CreateFactor(f *app.Factor) error {
	r := factorRow{ID: f.ID, UserID: f.UserID, Kind: f.Kind, Name: f.Name, Secret: f.Secret, Credential: f.Credential,
		LastStep: f.LastStep, ConfirmedAt: msp(f.ConfirmedAt), CreatedAt: ms(f.CreatedAt), LastUsedAt: msp(f.LastUsedAt)}
	if f.CredentialID != "" {
		r.CredentialID = &f.CredentialID
	}
	return translate(t.db.Create(&r).Error)
}

func (t factorRepo) UserFactors(userID string) ([]app.Factor, error) {
	rows, err := scanAll[factorRow](t.db.Raw(`SELECT * FROM mfa_factors WHERE user_id = ? ORDER BY created_at, id`, userID))
	if err != nil {
		return nil, err
	}
	out := make([]app.Factor, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// UpdateFactor writes what changes after enrolment: the name, the
// credential, the last step, and the confirmation and use instants.
func (t factorRepo) UpdateFactor(f *app.Factor) error {
	res := t.db.Exec(`UPDATE mfa_factors SET name = ?, credential = ?, last_step = ?, confirmed_at = ?, last_used_at = ? WHERE id = ?`,
		f.Name, f.Credential, f.LastStep, msp(f.ConfirmedAt), msp(f.LastUsedAt), f.ID)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return docket.NotFound("second factor")
	}
	return nil
}

// UseStep records a TOTP step accepted, only when it is later than the last
// one (a code works once, however many sign-ins race with it).
func (t factorRepo) UseStep(id string, step int64, at time.Time) (bool, error) {
	res := t.db.Exec(`UPDATE mfa_factors SET last_step = ?, last_used_at = ? WHERE id = ? AND last_step < ? AND confirmed_at IS NOT NULL`,
		step, ms(at), id, step)
	return res.RowsAffected == 1, res.Error
}

// ConfirmStep confirms an enrolment with its first step, only while it is unconfirmed.
func (t factorRepo) ConfirmStep(id string, step int64, at time.Time) (bool, error) {
	res := t.db.Exec(`UPDATE mfa_factors SET last_step = ?, last_used_at = ?, confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL AND last_step < ?`,
		step, ms(at), ms(at), id, step)
	return res.RowsAffected == 1, res.Error
}

func (t factorRepo) DeleteFactor(id string) error {
	return t.db.Exec(`DELETE FROM mfa_factors WHERE id = ?`, id).Error
}

func (t factorRepo) DeleteUserFactors(userID string) error {
	if err := t.db.Exec(`DELETE FROM mfa_factors WHERE user_id = ?`, userID).Error; err != nil {
		return err
	}
	return t.db.Exec(`DELETE FROM recovery_codes WHERE user_id = ?`, userID).Error
}

func (t factorRepo) ReplaceRecoveryCodes(userID string, hashes []string, at time.Time) error {
	if err := t.db.Exec(`DELETE FROM recovery_codes WHERE user_id = ?`, userID).Error; err != nil {
		return err
	}
	for _, h := range hashes {
		if err := t.db.Exec(`INSERT INTO recovery_codes (user_id, hash, created_at) VALUES (?, ?, ?)`, userID, h, ms(at)).Error; err != nil {
			return translate(err)
		}
	}
	return nil
}

func (t factorRepo) UseRecoveryCode(userID, hash string, at time.Time) (bool, error) {
	res := t.db.Exec(`UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND hash = ? AND used_at IS NULL`, ms(at), userID, hash)
	return res.RowsAffected == 1, res.Error
}

func (t factorRepo) RecoveryCodesLeft(userID string) (int, error) {
	var n int64
	err := t.db.Raw(`SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n).Error
	return int(n), err
}
