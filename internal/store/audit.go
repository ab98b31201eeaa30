package store

import (
	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

type auditRow struct {
	Seq         int64 `gorm:"primaryKey;autoIncrement:false"`
	ID          string
	At          int64
	ActorID     string
	ActorRole   string
	OrgID       string
	Action      string
	SubjectType string
	SubjectID   string
	CaseID      string
	RequestID   string
	ClientIP    string
	Changes     string
	PrevHash    string
	Hash        string
}

func (auditRow) TableName() string { return "audit_events" }

func (r auditRow) domain() docket.AuditEvent {
	return docket.AuditEvent{Seq: r.Seq, ID: r.ID, At: tm(r.At), ActorID: r.ActorID, ActorRole: r.ActorRole,
		OrgID: r.OrgID, Action: r.Action, SubjectType: r.SubjectType, SubjectID: r.SubjectID, CaseID: r.CaseID,
		RequestID: r.RequestID, ClientIP: r.ClientIP, Changes: r.Changes, PrevHash: r.PrevHash, Hash: r.Hash}
}

// AppendAudit links ev to the chain's head. Bumping the head row first takes
// its lock, so concurrent appends (several processes on PostgreSQL) queue up
// and the chain stays one straight line.
func (t auditRepo) AppendAudit(ev *docket.AuditEvent) error {
	if err := t.db.Exec(`UPDATE audit_head SET seq = seq + 1 WHERE id = 1`).Error; err != nil {
		return err
	}
	var head struct {
		Seq  int64
		Hash string
	}
	if err := t.db.Raw(`SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head).Error; err != nil {
		return err
	}
	ev.Seq, ev.PrevHash = head.Seq, head.Hash
	ev.At = ev.At.UTC()
	ev.Hash = ev.ComputeHash()
	r := auditRow{Seq: ev.Seq, ID: ev.ID, At: ms(ev.At), ActorID: ev.ActorID, ActorRole: ev.ActorRole, OrgID: ev.OrgID,
		Action: ev.Action, SubjectType: ev.SubjectType, SubjectID: ev.SubjectID, CaseID: ev.CaseID,
		RequestID: ev.RequestID, ClientIP: ev.ClientIP, Changes: ev.Changes, PrevHash: ev.PrevHash, Hash: ev.Hash}
	if err := t.db.Create(&r).Error; err != nil {
		return err
	}
	return t.db.Exec(`UPDATE audit_head SET hash = ? WHERE id = 1`, ev.Hash).Error
}

func (t auditRepo) AuditHead() (int64, string, error) {
	var head struct {
		Seq  int64
		Hash string
	}
	err := t.db.Raw(`SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&head).Error
	return head.Seq, head.Hash, err
}

func (t auditRepo) ListAudit(caseID string, p app.Page) ([]docket.AuditEvent, string, error) {
	q := t.db.Model(&auditRow{}).Order("seq").Limit(p.Limit + 1)
	if caseID != "" {
		q = q.Where("case_id = ?", caseID)
	}
	if c, ok := decodeCursor(p.Cursor); ok {
		q = q.Where("seq > ?", c.K)
	} else if p.Cursor != "" {
		return nil, "", badCursor()
	}
	var rows []auditRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", err
	}
	rows, next := cutPage(rows, p.Limit)
	out := make([]docket.AuditEvent, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

// WalkAudit reads the chain in batches, in sequence order.
func (t auditRepo) WalkAudit(fn func(docket.AuditEvent) error) error {
	var after int64 = -1
	for {
		var rows []auditRow
		if err := t.db.Where("seq > ?", after).Order("seq").Limit(1000).Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			if err := fn(r.domain()); err != nil {
				return err
			}
		}
		if len(rows) < 1000 {
			return nil
		}
		after = rows[len(rows)-1].Seq
	}
}
