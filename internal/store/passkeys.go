package store

import (
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// ceremonyRepo is the transaction as app.CeremonyStore.
type ceremonyRepo struct{ *tx }

func (t *tx) Ceremonies() app.CeremonyStore { return ceremonyRepo{t} }

type ceremonyRow struct {
	ID        string
	Purpose   string
	UserID    string
	BoundTo   string
	Data      string
	CreatedAt int64
	ExpiresAt int64
}

func (ceremonyRow) TableName() string { return "passkey_ceremonies" }

// CreateCeremony stores a ceremony begun, and forgets those whose time is up.
func (t ceremonyRepo) CreateCeremony(c *app.Ceremony) error {
	if err := t.db.Exec(`DELETE FROM passkey_ceremonies WHERE expires_at <= ?`, ms(c.CreatedAt)).Error; err != nil {
		return err
	}
	return translate(t.db.Create(&ceremonyRow{ID: c.ID, Purpose: c.Purpose, UserID: c.UserID, BoundTo: c.BoundTo,
		Data: c.Data, CreatedAt: ms(c.CreatedAt), ExpiresAt: ms(c.ExpiresAt)}).Error)
}

// TakeCeremony returns a ceremony and removes it, so that it is finished
// once however many requests race with it: 404 when there is none (any more).
func (t ceremonyRepo) TakeCeremony(id string) (*app.Ceremony, error) {
	r, ok, err := scanOne[ceremonyRow](t.db.Raw(`SELECT * FROM passkey_ceremonies WHERE id = ?`, id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, docket.NotFound("passkey ceremony")
	}
	res := t.db.Exec(`DELETE FROM passkey_ceremonies WHERE id = ?`, id)
	if res.Error != nil {
		return nil, res.Error
	}
	if res.RowsAffected != 1 {
		return nil, docket.NotFound("passkey ceremony")
	}
	return &app.Ceremony{ID: r.ID, Purpose: r.Purpose, UserID: r.UserID, BoundTo: r.BoundTo, Data: r.Data,
		CreatedAt: tm(r.CreatedAt), ExpiresAt: tm(r.ExpiresAt)}, nil
}

// OpenCeremonies counts the ceremonies of a purpose still open at now.
func (t ceremonyRepo) OpenCeremonies(purpose string, now time.Time) (int, error) {
	var n int64
	err := t.db.Raw(`SELECT COUNT(*) FROM passkey_ceremonies WHERE purpose = ? AND expires_at > ?`, purpose, ms(now)).Scan(&n).Error
	return int(n), err
}
