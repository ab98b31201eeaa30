package store

import (
	"encoding/base64"
	"time"

	"github.com/docket/docket/internal/docket"
)

type csafKeyRow struct {
	Fingerprint string
	Seq         int
	PublicKey   string
	PrivateKey  string
	CreatedAt   int64
	RetiredAt   *int64
}

func (csafKeyRow) TableName() string { return "csaf_keys" }

func (t csafKeyRepo) CreateCSAFKey(k *docket.CSAFKey) error {
	return translate(t.db.Create(&csafKeyRow{Fingerprint: k.Fingerprint, Seq: k.Seq, PublicKey: string(k.PublicKey),
		PrivateKey: base64.StdEncoding.EncodeToString(k.SealedPrivate), CreatedAt: ms(k.CreatedAt), RetiredAt: msp(k.RetiredAt)}).Error)
}

// CSAFKeys returns every CSAF key, the newest (the signing one) first.
func (t csafKeyRepo) CSAFKeys() ([]docket.CSAFKey, error) {
	var rows []csafKeyRow
	if err := t.db.Order("seq DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.CSAFKey, 0, len(rows))
	for _, r := range rows {
		priv, err := base64.StdEncoding.DecodeString(r.PrivateKey)
		if err != nil {
			return nil, err
		}
		out = append(out, docket.CSAFKey{Fingerprint: r.Fingerprint, Seq: r.Seq, PublicKey: []byte(r.PublicKey),
			SealedPrivate: priv, CreatedAt: tm(r.CreatedAt), RetiredAt: tmp(r.RetiredAt)})
	}
	return out, nil
}

func (t csafKeyRepo) RetireCSAFKeys(at time.Time) error {
	return t.db.Exec(`UPDATE csaf_keys SET retired_at = ? WHERE retired_at IS NULL`, ms(at)).Error
}
