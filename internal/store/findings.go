package store

import (
	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

type findingRow struct {
	ID             string
	CaseID         string
	Status         string
	Title          string
	Description    string
	Category       string
	Severity       string
	Tlp            string
	AtlasTechnique string
	Component      string
	Evidence       string
	EmbargoUntil   string
	AcceptedUntil  string
	AuthorID       string
	SharedBy       *string
	SharedAt       *int64
	ResponseDays   int
	ResponseDueAt  *int64
	Response       string
	RespondedBy    *string
	RespondedAt    *int64
	ResolutionNote string
	ResolvedBy     *string
	ResolvedAt     *int64
	CreatedAt      int64
	UpdatedAt      int64
	// ClearinghouseID is set when published, never by UpdateFinding.
	ClearinghouseID *string
}

func (findingRow) TableName() string { return "findings" }

func fromNullable(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func toNullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (r findingRow) domain() *docket.Finding {
	f := &docket.Finding{ID: r.ID, CaseID: r.CaseID, Status: docket.FindingStatus(r.Status), Title: r.Title,
		Description: r.Description, Category: r.Category, Severity: r.Severity, TLP: r.Tlp,
		AtlasTechnique: r.AtlasTechnique, Component: r.Component, Evidence: r.Evidence, AuthorID: r.AuthorID,
		SharedBy: fromNullable(r.SharedBy), SharedAt: tmp(r.SharedAt), ResponseDays: r.ResponseDays,
		ResponseDueAt: tmp(r.ResponseDueAt), Response: r.Response, RespondedBy: fromNullable(r.RespondedBy),
		RespondedAt: tmp(r.RespondedAt), ResolutionNote: r.ResolutionNote, ResolvedBy: fromNullable(r.ResolvedBy),
		ResolvedAt: tmp(r.ResolvedAt), CreatedAt: tm(r.CreatedAt), UpdatedAt: tm(r.UpdatedAt), RecipientIDs: []string{},
		ClearinghouseID: fromNullable(r.ClearinghouseID)}
	if r.AcceptedUntil != "" {
		f.AcceptedUntil, _ = clock.ParseDate(r.AcceptedUntil)
	}
	if r.EmbargoUntil != "" {
		f.EmbargoUntil, _ = clock.ParseDate(r.EmbargoUntil)
	}
	return f
}

func findingRowOf(f *docket.Finding) findingRow {
	r := findingRow{ID: f.ID, CaseID: f.CaseID, Status: string(f.Status), Title: f.Title, Description: f.Description,
		Category: f.Category, Severity: f.Severity, Tlp: f.TLP, AtlasTechnique: f.AtlasTechnique,
		Component: f.Component, Evidence: f.Evidence, AuthorID: f.AuthorID, SharedBy: toNullable(f.SharedBy),
		SharedAt: msp(f.SharedAt), ResponseDays: f.ResponseDays, ResponseDueAt: msp(f.ResponseDueAt),
		Response: f.Response, RespondedBy: toNullable(f.RespondedBy), RespondedAt: msp(f.RespondedAt),
		ResolutionNote: f.ResolutionNote, ResolvedBy: toNullable(f.ResolvedBy), ResolvedAt: msp(f.ResolvedAt),
		CreatedAt: ms(f.CreatedAt), UpdatedAt: ms(f.UpdatedAt)}
	if !f.AcceptedUntil.IsZero() {
		r.AcceptedUntil = f.AcceptedUntil.String()
	}
	if !f.EmbargoUntil.IsZero() {
		r.EmbargoUntil = f.EmbargoUntil.String()
	}
	return r
}

func (t contentRepo) CreateFinding(f *docket.Finding) error {
	r := findingRowOf(f)
	if err := translate(t.db.Create(&r).Error); err != nil {
		return err
	}
	return t.SetFindingRecipients(f.ID, f.RecipientIDs)
}

func (t contentRepo) FindingByID(id string) (*docket.Finding, error) {
	var r findingRow
	if err := t.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "finding")
	}
	f := r.domain()
	return f, t.loadRecipients([]*docket.Finding{f})
}

// UpdateFinding writes every mutable column, so that zero values stick.
func (t contentRepo) UpdateFinding(f *docket.Finding) error {
	r := findingRowOf(f)
	return translate(t.db.Exec(`UPDATE findings SET status = ?, title = ?, description = ?, category = ?, severity = ?,
tlp = ?, atlas_technique = ?, component = ?, evidence = ?, embargo_until = ?, shared_by = ?, shared_at = ?,
response_days = ?, response_due_at = ?, response = ?, responded_by = ?, responded_at = ?, resolution_note = ?,
resolved_by = ?, resolved_at = ?, accepted_until = ?, updated_at = ? WHERE id = ?`,
		r.Status, r.Title, r.Description, r.Category, r.Severity, r.Tlp, r.AtlasTechnique, r.Component, r.Evidence,
		r.EmbargoUntil, r.SharedBy, r.SharedAt, r.ResponseDays, r.ResponseDueAt, r.Response, r.RespondedBy,
		r.RespondedAt, r.ResolutionNote, r.ResolvedBy, r.ResolvedAt, r.AcceptedUntil, r.UpdatedAt, r.ID).Error)
}

func (t contentRepo) SetFindingRecipients(findingID string, userIDs []string) error {
	if err := t.db.Exec(`DELETE FROM finding_recipients WHERE finding_id = ?`, findingID).Error; err != nil {
		return err
	}
	for _, u := range userIDs {
		if err := t.db.Exec(`INSERT INTO finding_recipients (finding_id, user_id) VALUES (?, ?)`, findingID, u).Error; err != nil {
			return translate(err)
		}
	}
	return nil
}

func (t *tx) loadRecipients(fs []*docket.Finding) error {
	if len(fs) == 0 {
		return nil
	}
	ids := make([]string, len(fs))
	byID := make(map[string]*docket.Finding, len(fs))
	for i, f := range fs {
		ids[i], byID[f.ID] = f.ID, f
	}
	var rows []struct {
		FindingID string
		UserID    string
	}
	// In chunks: PostgreSQL takes at most 65,535 parameters a statement, and
	// the sweep may load every shared finding due.
	for _, chunk := range chunks(ids, 500) {
		var part []struct {
			FindingID string
			UserID    string
		}
		if err := t.db.Raw(`SELECT finding_id, user_id FROM finding_recipients WHERE finding_id IN ? ORDER BY user_id`, chunk).Scan(&part).Error; err != nil {
			return err
		}
		rows = append(rows, part...)
	}
	for _, r := range rows {
		f := byID[r.FindingID]
		f.RecipientIDs = append(f.RecipientIDs, r.UserID)
	}
	return nil
}

// labSees keeps what one lab user may see of a case's findings: no drafts, and
// TLP:RED only when named.
const labSees = `findings.status <> 'draft' AND (findings.tlp <> 'TLP:RED' OR findings.id IN
(SELECT finding_id FROM finding_recipients WHERE user_id = @viewer))`

func (t contentRepo) ListFindings(f app.FindingFilter, p app.Page) ([]*docket.Finding, string, error) {
	where := "findings.case_id = @case"
	args := map[string]any{"case": f.CaseID, "limit": p.Limit + 1}
	if f.LabViewer != "" {
		where += " AND " + labSees
		args["viewer"] = f.LabViewer
	}
	if f.Status != nil {
		where += " AND findings.status = @status"
		args["status"] = string(*f.Status)
	}
	if f.Severity != nil {
		where += " AND findings.severity = @severity"
		args["severity"] = *f.Severity
	}
	if p.Cursor != "" {
		c, ok := decodeCursor(p.Cursor)
		if !ok {
			return nil, "", badCursor()
		}
		where += " AND (findings.created_at > @ck OR (findings.created_at = @ck AND findings.id > @cid))"
		args["ck"], args["cid"] = c.K, c.ID
	}
	var rows []findingRow
	err := t.db.Raw(`SELECT findings.* FROM findings WHERE `+where+` ORDER BY findings.created_at, findings.id LIMIT @limit`, args).
		Scan(&rows).Error
	if err != nil {
		return nil, "", err
	}
	rows, next := cutPage(rows, p.Limit)
	out := make([]*docket.Finding, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, t.loadRecipients(out)
}

// CountFindings counts a page of cases' open findings by severity and their
// overdue ones in one grouped query.
func (t contentRepo) CountFindings(f app.FindingCountFilter) (map[string]app.FindingCounts, error) {
	out := map[string]app.FindingCounts{}
	if len(f.CaseIDs) == 0 {
		return out, nil
	}
	if m := t.memo(); m != nil && f.LabViewer == "" {
		return t.countFindingsMemo(m, f)
	}
	// Only the case ids narrow the rows, so that the query reads the page's
	// cases' findings by findings_case; whether a finding is open is counted,
	// not filtered on (a status filter would lead SQLite to findings_open, a
	// pass over every open finding of every case).
	where := "findings.case_id IN @cases"
	args := map[string]any{"cases": f.CaseIDs, "now": ms(f.Now)}
	if f.LabViewer != "" {
		where += " AND " + labSees
		args["viewer"] = f.LabViewer
	}
	rows, err := scanAll[struct {
		CaseID   string
		Severity string
		N        int
		Overdue  int
	}](t.db.Raw(`SELECT findings.case_id AS case_id, findings.severity AS severity,
SUM(CASE WHEN findings.status IN ('draft', 'shared', 'lab_responded') THEN 1 ELSE 0 END) AS n,
SUM(CASE WHEN findings.status = 'shared' AND findings.response_due_at < @now THEN 1 ELSE 0 END) AS overdue
FROM findings WHERE `+where+` GROUP BY findings.case_id, findings.severity`, args))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r.N == 0 {
			continue // none open
		}
		c, ok := out[r.CaseID]
		if !ok {
			c = app.FindingCounts{Open: map[string]int{}}
		}
		c.Open[r.Severity] += r.N
		c.Overdue += r.Overdue
		out[r.CaseID] = c
	}
	return out, nil
}
