package store

import (
	"strings"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

type caseRow struct {
	ID                   string
	OrgID                string
	OrgName              string `gorm:"->;-:migration"`
	Number               *string
	Status               string
	ModelName            string
	ModelVersion         string
	Summary              string
	WeightsDigest        string
	PlannedReleaseDate   string
	TrainingComputeFlops *float64
	Modality             string
	Deployment           string
	LeadID               *string
	RiskTier             string
	CreatedBy            string
	CreatedAt            int64
	UpdatedAt            int64
	ClosedAt             *int64
	ReceivedAt           *int64
	ClockStartedAt       *int64
	WindowDays           int
	Timezone             string
	PauseOnInfoRequest   bool
	BaseDueAt            *int64
	StoppedMs            int64
	OpenStopAt           *int64
	DeadlineKey          *int64
	ClockSeq             int
	ReleaseConflictAt    *int64
	RiskCriticalAt       *int64
	// CapabilityJumpAt is written by SetCapabilityJump only.
	CapabilityJumpAt *int64 `gorm:"->"`
	// Urgency is the dashboard's sort key, only in urgency-ordered lists.
	Urgency int64 `gorm:"->;-:migration"`
}

func (caseRow) TableName() string { return "cases" }

func (r caseRow) domain() *docket.Case {
	c := &docket.Case{ID: r.ID, OrgID: r.OrgID, OrgName: r.OrgName, Status: docket.Status(r.Status),
		ModelName: r.ModelName, ModelVersion: r.ModelVersion, Summary: r.Summary, WeightsDigest: r.WeightsDigest,
		TrainingComputeFLOPs: r.TrainingComputeFlops, Modality: r.Modality, Deployment: r.Deployment,
		RiskTier: r.RiskTier, CreatedBy: r.CreatedBy, CreatedAt: tm(r.CreatedAt), UpdatedAt: tm(r.UpdatedAt),
		ClosedAt: tmp(r.ClosedAt), ConflictSince: tmp(r.ReleaseConflictAt), RiskCriticalAt: tmp(r.RiskCriticalAt),
		CapabilityJumpAt: tmp(r.CapabilityJumpAt), ReviewerIDs: []string{}}
	if r.Number != nil {
		c.Number = *r.Number
	}
	if r.LeadID != nil {
		c.LeadID = *r.LeadID
	}
	if r.PlannedReleaseDate != "" {
		c.PlannedReleaseDate, _ = clock.ParseDate(r.PlannedReleaseDate)
	}
	c.Clock = docket.CaseClock{Seq: r.ClockSeq, ReceivedAt: tmp(r.ReceivedAt), StartedAt: tmp(r.ClockStartedAt),
		WindowDays: r.WindowDays, Timezone: r.Timezone, PauseOnInfoRequest: r.PauseOnInfoRequest,
		BaseDueAt: tmp(r.BaseDueAt), ClosedStopped: time.Duration(r.StoppedMs) * time.Millisecond,
		OpenStopAt: tmp(r.OpenStopAt)}
	return c
}

func caseRowOf(c *docket.Case) caseRow {
	r := caseRow{ID: c.ID, OrgID: c.OrgID, Status: string(c.Status), ModelName: c.ModelName,
		ModelVersion: c.ModelVersion, Summary: c.Summary, WeightsDigest: c.WeightsDigest,
		TrainingComputeFlops: c.TrainingComputeFLOPs, Modality: c.Modality, Deployment: c.Deployment,
		RiskTier: c.RiskTier, CreatedBy: c.CreatedBy, CreatedAt: ms(c.CreatedAt), UpdatedAt: ms(c.UpdatedAt),
		ClosedAt: msp(c.ClosedAt), ReleaseConflictAt: msp(c.ConflictSince), RiskCriticalAt: msp(c.RiskCriticalAt)}
	if c.Number != "" {
		r.Number = &c.Number
	}
	if c.LeadID != "" {
		r.LeadID = &c.LeadID
	}
	if !c.PlannedReleaseDate.IsZero() {
		r.PlannedReleaseDate = c.PlannedReleaseDate.String()
	}
	k := c.Clock
	r.ClockSeq, r.ReceivedAt, r.ClockStartedAt = k.Seq, msp(k.ReceivedAt), msp(k.StartedAt)
	r.WindowDays, r.Timezone, r.PauseOnInfoRequest = k.WindowDays, k.Timezone, k.PauseOnInfoRequest
	r.BaseDueAt, r.StoppedMs, r.OpenStopAt = msp(k.BaseDueAt), k.ClosedStopped.Milliseconds(), msp(k.OpenStopAt)
	if k.BaseDueAt != nil {
		key := ms(k.DeadlineKey())
		r.DeadlineKey = &key
	}
	return r
}

func (t caseRepo) CreateCase(c *docket.Case) error {
	r := caseRowOf(c)
	return translate(t.db.Omit("OrgName", "Urgency").Create(&r).Error)
}

const caseSelect = `SELECT cases.*, orgs.name AS org_name FROM cases JOIN orgs ON orgs.id = cases.org_id`

func (t caseRepo) CaseByID(id string) (*docket.Case, error) {
	c, _, err := t.caseFull(id, "")
	return c, err
}

func (t *tx) loadReviewers(cases []*docket.Case) error {
	if len(cases) == 0 {
		return nil
	}
	ids := make([]string, len(cases))
	byID := make(map[string]*docket.Case, len(cases))
	for i, c := range cases {
		ids[i], byID[c.ID] = c.ID, c
	}
	// In chunks: PostgreSQL takes at most 65,535 parameters a statement.
	var rows []caseReviewerRow
	for _, chunk := range chunks(ids, 500) {
		part, err := scanAll[caseReviewerRow](t.db.Raw(`SELECT case_id, user_id FROM case_reviewers WHERE case_id IN ? ORDER BY user_id`, chunk))
		if err != nil {
			return err
		}
		rows = append(rows, part...)
	}
	for _, r := range rows {
		c := byID[r.CaseID]
		c.ReviewerIDs = append(c.ReviewerIDs, r.UserID)
	}
	return nil
}

// UpdateCase writes every mutable column, so that zero values stick.
func (t caseRepo) UpdateCase(c *docket.Case) error {
	r := caseRowOf(c)
	return translate(t.db.Exec(`UPDATE cases SET number = ?, status = ?, model_name = ?, model_version = ?, summary = ?,
weights_digest = ?, planned_release_date = ?, training_compute_flops = ?, modality = ?, deployment = ?, lead_id = ?,
risk_tier = ?, updated_at = ?, closed_at = ?, received_at = ?, clock_started_at = ?, window_days = ?, timezone = ?,
pause_on_info_request = ?, base_due_at = ?, stopped_ms = ?, open_stop_at = ?, deadline_key = ?, clock_seq = ?,
release_conflict_at = ?, risk_critical_at = ? WHERE id = ?`,
		r.Number, r.Status, r.ModelName, r.ModelVersion, r.Summary, r.WeightsDigest, r.PlannedReleaseDate,
		r.TrainingComputeFlops, r.Modality, r.Deployment, r.LeadID, r.RiskTier, r.UpdatedAt, r.ClosedAt,
		r.ReceivedAt, r.ClockStartedAt, r.WindowDays, r.Timezone, r.PauseOnInfoRequest, r.BaseDueAt, r.StoppedMs,
		r.OpenStopAt, r.DeadlineKey, r.ClockSeq, r.ReleaseConflictAt, r.RiskCriticalAt, r.ID).Error)
}

func (t caseRepo) DeleteCase(id string) error {
	return t.db.Exec(`DELETE FROM cases WHERE id = ?`, id).Error
}

// urgency is the remaining time in milliseconds (frozen for paused cases);
// closed cases sort last.
const urgency = `(CASE WHEN cases.status IN ('decided', 'withdrawn') THEN 9000000000000000
WHEN cases.open_stop_at IS NOT NULL THEN cases.deadline_key - cases.open_stop_at
ELSE cases.deadline_key - @now END)`

// where builds the WHERE clause of a case list: visibility, then filters.
func caseWhere(f app.CaseFilter, now int64) (string, map[string]any) {
	var conds []string
	args := map[string]any{"now": now}
	add := func(cond string, name string, v any) {
		conds = append(conds, cond)
		if name != "" {
			args[name] = v
		}
	}
	if f.VisibleOrg != "" {
		add("cases.org_id = @vorg", "vorg", f.VisibleOrg)
	}
	if f.VisibleReviewer != "" {
		add("cases.id IN (SELECT case_id FROM case_reviewers WHERE user_id = @vrev)", "vrev", f.VisibleReviewer)
	}
	if f.ExcludeDrafts {
		add("cases.status <> 'draft'", "", nil)
	}
	if f.OpenOnly {
		add("cases.status IN ('submitted', 'in_review', 'awaiting_lab')", "", nil)
	}
	if f.Status != nil {
		add("cases.status = @status", "status", string(*f.Status))
	}
	if f.OrgID != nil {
		add("cases.org_id = @org", "org", *f.OrgID)
	}
	if f.RiskTier != nil {
		add("cases.risk_tier = @tier", "tier", *f.RiskTier)
	}
	if f.Q != nil && strings.TrimSpace(*f.Q) != "" {
		q := strings.TrimSpace(*f.Q)
		esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q))
		add(`(LOWER(cases.model_name) LIKE @qlike ESCAPE '\' OR cases.number = @qnum)`, "qlike", "%"+esc+"%")
		args["qnum"] = strings.ToUpper(q)
	}
	if f.Band != nil {
		soon, crit := f.Thresholds.DueSoon.Milliseconds(), f.Thresholds.Critical.Milliseconds()
		args["crit"], args["soon"] = now+crit, now+soon
		running := "cases.status IN ('submitted', 'in_review', 'awaiting_lab') AND cases.open_stop_at IS NULL AND "
		switch *f.Band {
		case clock.Closed:
			add("cases.status IN ('decided', 'withdrawn')", "", nil)
		case clock.Paused:
			add("cases.status IN ('submitted', 'in_review', 'awaiting_lab') AND cases.open_stop_at IS NOT NULL", "", nil)
		case clock.Overdue:
			add(running+"cases.deadline_key < @now", "", nil)
		case clock.Critical:
			add(running+"cases.deadline_key >= @now AND cases.deadline_key <= @crit", "", nil)
		case clock.DueSoon:
			add(running+"cases.deadline_key > @crit AND cases.deadline_key <= @soon", "", nil)
		default:
			add(running+"cases.deadline_key > @soon", "", nil)
		}
	}
	if len(conds) == 0 {
		return "1=1", args
	}
	return strings.Join(conds, " AND "), args
}

func (t caseRepo) ListCases(f app.CaseFilter, p app.Page) ([]*docket.Case, string, error) {
	now := ms(f.Now)
	c, hasCursor := decodeCursor(p.Cursor)
	if p.Cursor != "" && !hasCursor {
		return nil, "", badCursor()
	}
	if hasCursor && c.At != 0 && f.ByUrgency {
		now = c.At // later pages rank on the first page's instant
	}
	if f.ByUrgency && t.byUrgency(f) {
		var after *cursor
		if hasCursor {
			after = &c
		}
		return t.listUrgent(f, p, now, after)
	}
	where, args := caseWhere(f, now)
	order := "cases.created_at DESC, cases.id DESC"
	sel := caseSelect
	if f.ByUrgency {
		sel = `SELECT cases.*, orgs.name AS org_name, ` + urgency + ` AS urgency FROM cases JOIN orgs ON orgs.id = cases.org_id`
		order = "urgency, cases.id"
		if hasCursor {
			where += " AND (" + urgency + " > @ck OR (" + urgency + " = @ck AND cases.id > @cid))"
		}
	} else if hasCursor {
		where += " AND (cases.created_at < @ck OR (cases.created_at = @ck AND cases.id < @cid))"
	}
	if hasCursor {
		args["ck"], args["cid"] = c.K, c.ID
	}
	args["limit"] = p.Limit + 1
	var rows []caseRow
	if err := t.db.Raw(sel+" WHERE "+where+" ORDER BY "+order+" LIMIT @limit", args).Scan(&rows).Error; err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		last := rows[len(rows)-1]
		if f.ByUrgency {
			next = encodeCursor(cursor{K: last.Urgency, ID: last.ID, At: now})
		} else {
			next = encodeCursor(cursor{K: last.CreatedAt, ID: last.ID})
		}
	}
	out := make([]*docket.Case, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, t.loadReviewers(out)
}

func (t caseRepo) NextCaseNumber(year int) (int, error) {
	if err := t.db.Exec(`INSERT INTO case_counters (year, last) VALUES (?, 0) ON CONFLICT (year) DO NOTHING`, year).Error; err != nil {
		return 0, err
	}
	if err := t.db.Exec(`UPDATE case_counters SET last = last + 1 WHERE year = ?`, year).Error; err != nil {
		return 0, err
	}
	var n int
	err := t.db.Raw(`SELECT last FROM case_counters WHERE year = ?`, year).Scan(&n).Error
	return n, err
}

func (t caseRepo) SetReviewers(caseID string, userIDs []string) error {
	if err := t.db.Exec(`DELETE FROM case_reviewers WHERE case_id = ?`, caseID).Error; err != nil {
		return err
	}
	for _, u := range userIDs {
		if err := t.db.Exec(`INSERT INTO case_reviewers (case_id, user_id) VALUES (?, ?)`, caseID, u).Error; err != nil {
			return translate(err)
		}
	}
	return nil
}

func (t caseRepo) Attested(caseID, userID string) (bool, error) {
	var n int64
	err := t.db.Raw(`SELECT COUNT(*) FROM attestations WHERE case_id = ? AND user_id = ?`, caseID, userID).Scan(&n).Error
	return n > 0, err
}

func (t caseRepo) Attest(caseID, userID string, at time.Time) error {
	return t.db.Exec(`INSERT INTO attestations (case_id, user_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		caseID, userID, ms(at)).Error
}

type infoRequestRow struct {
	ID       string
	CaseID   string
	Question string
	Answer   string
	Status   string
	OpenedBy string
	OpenedAt int64
	ClosedBy *string
	ClosedAt *int64
}

func (infoRequestRow) TableName() string { return "info_requests" }

func (r infoRequestRow) domain() docket.InfoRequest {
	d := docket.InfoRequest{ID: r.ID, CaseID: r.CaseID, Question: r.Question, Answer: r.Answer, Status: r.Status,
		OpenedBy: r.OpenedBy, OpenedAt: tm(r.OpenedAt), ClosedAt: tmp(r.ClosedAt)}
	if r.ClosedBy != nil {
		d.ClosedBy = *r.ClosedBy
	}
	return d
}

func (t caseRepo) CreateInfoRequest(r *docket.InfoRequest) error {
	return translate(t.db.Create(&infoRequestRow{ID: r.ID, CaseID: r.CaseID, Question: r.Question, Answer: r.Answer,
		Status: r.Status, OpenedBy: r.OpenedBy, OpenedAt: ms(r.OpenedAt)}).Error)
}

func (t caseRepo) InfoRequestByID(id string) (*docket.InfoRequest, error) {
	var r infoRequestRow
	if err := t.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "information request")
	}
	d := r.domain()
	return &d, nil
}

func (t caseRepo) UpdateInfoRequest(r *docket.InfoRequest) error {
	var closedBy *string
	if r.ClosedBy != "" {
		closedBy = &r.ClosedBy
	}
	return t.db.Exec(`UPDATE info_requests SET answer = ?, status = ?, closed_by = ?, closed_at = ? WHERE id = ?`,
		r.Answer, r.Status, closedBy, msp(r.ClosedAt), r.ID).Error
}

func (t caseRepo) ListInfoRequests(caseID string) ([]docket.InfoRequest, error) {
	var rows []infoRequestRow
	if err := t.db.Where("case_id = ?", caseID).Order("opened_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.InfoRequest, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

type clockRow struct {
	CaseID     string
	Seq        int
	StartedAt  int64
	WindowDays int
	Timezone   string
	BaseDueAt  int64
	EndedAt    *int64
	EndReason  string
}

func (clockRow) TableName() string { return "case_clocks" }

func (t caseRepo) CreateClock(r *docket.ClockRecord) error {
	return translate(t.db.Create(&clockRow{CaseID: r.CaseID, Seq: r.Seq, StartedAt: ms(r.StartedAt),
		WindowDays: r.WindowDays, Timezone: r.Timezone, BaseDueAt: ms(r.BaseDueAt), EndedAt: msp(r.EndedAt),
		EndReason: r.EndReason}).Error)
}

func (t caseRepo) ListClocks(caseID string) ([]docket.ClockRecord, error) {
	var rows []clockRow
	if err := t.db.Where("case_id = ?", caseID).Order("seq").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.ClockRecord, len(rows))
	for i, r := range rows {
		out[i] = docket.ClockRecord{CaseID: r.CaseID, Seq: r.Seq, StartedAt: tm(r.StartedAt), WindowDays: r.WindowDays,
			Timezone: r.Timezone, BaseDueAt: tm(r.BaseDueAt), EndedAt: tmp(r.EndedAt), EndReason: r.EndReason}
	}
	return out, nil
}

type stopRow struct {
	ID            string
	CaseID        string
	ClockSeq      int
	StartedAt     int64
	EndedAt       *int64
	Reason        string
	InfoRequestID string
}

func (stopRow) TableName() string { return "clock_stops" }

func (t caseRepo) CreateStop(s *docket.ClockStop) error {
	return translate(t.db.Create(&stopRow{ID: s.ID, CaseID: s.CaseID, ClockSeq: s.ClockSeq, StartedAt: ms(s.StartedAt),
		EndedAt: msp(s.EndedAt), Reason: s.Reason, InfoRequestID: s.InfoRequestID}).Error)
}

func (t caseRepo) EndOpenStop(caseID string, at time.Time) error {
	return t.db.Exec(`UPDATE clock_stops SET ended_at = ? WHERE case_id = ? AND ended_at IS NULL`, ms(at), caseID).Error
}

func (t caseRepo) ListStops(caseID string) ([]docket.ClockStop, error) {
	var rows []stopRow
	if err := t.db.Where("case_id = ?", caseID).Order("clock_seq, started_at").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.ClockStop, len(rows))
	for i, r := range rows {
		out[i] = docket.ClockStop{ID: r.ID, CaseID: r.CaseID, ClockSeq: r.ClockSeq, StartedAt: tm(r.StartedAt),
			EndedAt: tmp(r.EndedAt), Reason: r.Reason, InfoRequestID: r.InfoRequestID}
	}
	return out, nil
}

type decisionRow struct {
	CaseID        string
	Outcome       string
	Rationale     string
	Conditions    string
	WeightsDigest string
	DecidedBy     string
	DecidedAt     int64
}

func (decisionRow) TableName() string { return "decisions" }

func (t caseRepo) CreateDecision(d *docket.Decision) error {
	return translate(t.db.Create(&decisionRow{CaseID: d.CaseID, Outcome: d.Outcome, Rationale: d.Rationale,
		Conditions: d.Conditions, WeightsDigest: d.WeightsDigest, DecidedBy: d.DecidedBy, DecidedAt: ms(d.DecidedAt)}).Error)
}

func (t caseRepo) DecisionByCase(caseID string) (*docket.Decision, error) {
	var r decisionRow
	if err := t.db.Where("case_id = ?", caseID).Take(&r).Error; err != nil {
		return nil, notFound(err, "decision")
	}
	return &docket.Decision{CaseID: r.CaseID, Outcome: r.Outcome, Rationale: r.Rationale, Conditions: r.Conditions,
		WeightsDigest: r.WeightsDigest, DecidedBy: r.DecidedBy, DecidedAt: tm(r.DecidedAt)}, nil
}
