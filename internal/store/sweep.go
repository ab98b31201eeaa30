package store

import (
	"slices"
	"strings"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// The sweep's plan (migration 0013): each case's next instant, read by index,
// and what the rules of the cases due read.

func (t sweepRepo) SweepState() (app.SweepState, error) {
	var s app.SweepState
	err := t.db.Raw(`SELECT fingerprint, users_version, planned_users FROM sweep_settings WHERE id = 1`).
		Row().Scan(&s.Fingerprint, &s.UsersVersion, &s.PlannedUsers)
	return s, err
}

func (t sweepRepo) SetSweepState(fingerprint string, plannedUsers int64) error {
	return t.db.Exec(`UPDATE sweep_settings SET fingerprint = ?, planned_users = ? WHERE id = 1`, fingerprint, plannedUsers).Error
}

func (t sweepRepo) DueCases(at time.Time) ([]app.SweepMark, error) {
	rows, err := scanRows[struct {
		CaseID  string
		Changes int64
	}](t.query(`SELECT case_id, changes FROM sweep_due WHERE due_at <= ?`, ms(at)))
	if err != nil {
		return nil, err
	}
	out := make([]app.SweepMark, len(rows))
	for i, r := range rows {
		out[i] = app.SweepMark{CaseID: r.CaseID, Changes: r.Changes}
	}
	// In one order, so that two writers of the same rows take them in turn.
	slices.SortFunc(out, func(a, b app.SweepMark) int { return strings.Compare(a.CaseID, b.CaseID) })
	return out, nil
}

func (t sweepRepo) OpenRequestsOf(caseIDs []string) ([]docket.InfoRequest, error) {
	var out []docket.InfoRequest
	for _, chunk := range chunks(caseIDs, 500) {
		var rows []infoRequestRow
		if err := t.db.Where("status = 'open' AND case_id IN ?", chunk).Order("opened_at, id").Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, r.domain())
		}
	}
	return out, nil
}

func (t sweepRepo) SharedFindingsOf(caseIDs []string) ([]*docket.Finding, error) {
	var out []*docket.Finding
	for _, chunk := range chunks(caseIDs, 500) {
		var rows []findingRow
		if err := t.db.Where("(status = 'shared' OR (status = 'risk_accepted' AND accepted_until <> '')) AND case_id IN ?", chunk).
			Order("response_due_at, id").Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out = append(out, r.domain())
		}
	}
	return out, t.loadRecipients(out)
}

// SetDue writes the instants in statements of up to 300 cases each: an
// UPDATE from a list of values named by a WITH, which both engines take
// alike, each row only
// where its change count is still the one the plan read.
func (t sweepRepo) SetDue(marks []app.SweepMark) (int, error) {
	n := 0
	for len(marks) > 0 {
		batch := marks[:min(300, len(marks))]
		marks = marks[len(batch):]
		var b strings.Builder
		args := make([]any, 0, 3*len(batch))
		b.WriteString(`WITH v (case_id, due_at, changes) AS (VALUES `)
		for i, m := range batch {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`(CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT))`)
			args = append(args, m.CaseID, ms(m.DueAt), m.Changes)
		}
		b.WriteString(`) UPDATE sweep_due SET due_at = v.due_at FROM v WHERE sweep_due.case_id = v.case_id AND sweep_due.changes = v.changes`)
		res := t.db.Exec(b.String(), args...)
		if res.Error != nil {
			return n, res.Error
		}
		n += int(res.RowsAffected)
	}
	return n, nil
}
