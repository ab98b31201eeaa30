package store

import (
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

type amendmentRow struct {
	ID                 string
	CaseID             string
	Status             string
	OldDigest          string
	NewDigest          *string
	Summary            *string
	PlannedReleaseDate *string
	CreatedBy          string
	CreatedAt          int64
	RestartClock       bool
	Note               string
	ResolvedBy         *string
	ResolvedAt         *int64
}

func (amendmentRow) TableName() string { return "amendments" }

func (r amendmentRow) domain() docket.Amendment {
	m := docket.Amendment{ID: r.ID, CaseID: r.CaseID, Status: docket.AmendmentStatus(r.Status), OldDigest: r.OldDigest,
		NewDigest: fromNullable(r.NewDigest), Summary: r.Summary, CreatedBy: r.CreatedBy, CreatedAt: tm(r.CreatedAt),
		RestartClock: r.RestartClock, Note: r.Note, ResolvedBy: fromNullable(r.ResolvedBy), ResolvedAt: tmp(r.ResolvedAt)}
	if r.PlannedReleaseDate != nil {
		var d clock.Date
		if *r.PlannedReleaseDate != "" {
			d, _ = clock.ParseDate(*r.PlannedReleaseDate)
		}
		m.ReleaseDate = &d
	}
	return m
}

func amendmentRowOf(m *docket.Amendment) amendmentRow {
	r := amendmentRow{ID: m.ID, CaseID: m.CaseID, Status: string(m.Status), OldDigest: m.OldDigest,
		NewDigest: toNullable(m.NewDigest), Summary: m.Summary, CreatedBy: m.CreatedBy, CreatedAt: ms(m.CreatedAt),
		RestartClock: m.RestartClock, Note: m.Note, ResolvedBy: toNullable(m.ResolvedBy), ResolvedAt: msp(m.ResolvedAt)}
	if m.ReleaseDate != nil {
		v := ""
		if !m.ReleaseDate.IsZero() {
			v = m.ReleaseDate.String()
		}
		r.PlannedReleaseDate = &v
	}
	return r
}

func (t amendmentRepo) CreateAmendment(m *docket.Amendment) error {
	r := amendmentRowOf(m)
	return translate(t.db.Create(&r).Error)
}

func (t amendmentRepo) AmendmentByID(id string) (*docket.Amendment, error) {
	var r amendmentRow
	if err := t.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "amendment")
	}
	m := r.domain()
	return &m, nil
}

// UpdateAmendment stores a resolution: every mutable column, zero values included.
func (t amendmentRepo) UpdateAmendment(m *docket.Amendment) error {
	r := amendmentRowOf(m)
	return translate(t.db.Exec(`UPDATE amendments SET status = ?, restart_clock = ?, note = ?, resolved_by = ?, resolved_at = ?
WHERE id = ?`, r.Status, r.RestartClock, r.Note, r.ResolvedBy, r.ResolvedAt, r.ID).Error)
}

func (t amendmentRepo) ListAmendments(caseID string) ([]docket.Amendment, error) {
	var rows []amendmentRow
	if err := t.db.Where("case_id = ?", caseID).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.Amendment, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (t amendmentRepo) PendingAmendment(caseID string) (*docket.Amendment, error) {
	var rows []amendmentRow
	if err := t.db.Where("case_id = ? AND status = ?", caseID, string(docket.AmendmentPending)).
		Order("created_at, id").Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, docket.NotFound("pending amendment")
	}
	m := rows[0].domain()
	return &m, nil
}

func (t amendmentRepo) EndClock(caseID string, seq int, at time.Time, reason string) error {
	return t.db.Exec(`UPDATE case_clocks SET ended_at = ?, end_reason = ? WHERE case_id = ? AND seq = ?`,
		ms(at), reason, caseID, seq).Error
}
