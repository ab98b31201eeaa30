package store

import (
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

type benchmarkResultRow struct {
	ID               string
	CaseID           string
	BenchmarkID      string
	BenchmarkVersion string
	Score            float64
	Tier             string
	RunBy            string
	RunAt            string
	Notes            string
	RecordedBy       string
	CreatedAt        int64
	EvaluationID     *string
	LogSHA256        *string `gorm:"column:log_sha256"`
}

func (benchmarkResultRow) TableName() string { return "benchmark_results" }

func (t benchmarkRepo) CreateBenchmarkResult(r *docket.BenchmarkResult) error {
	row := &benchmarkResultRow{ID: r.ID, CaseID: r.CaseID, BenchmarkID: r.BenchmarkID,
		BenchmarkVersion: r.BenchmarkVersion, Score: r.Score, Tier: r.Tier, RunBy: r.RunBy, RunAt: r.RunAt.String(),
		Notes: r.Notes, RecordedBy: r.RecordedBy, CreatedAt: ms(r.CreatedAt)}
	if r.Source != nil {
		row.EvaluationID, row.LogSHA256 = &r.Source.EvaluationID, &r.Source.LogSHA256
	}
	return translate(t.db.Create(row).Error)
}

// ListBenchmarkResults returns a case's results, the latest run first.
func (t benchmarkRepo) ListBenchmarkResults(caseID string) ([]docket.BenchmarkResult, error) {
	var rows []benchmarkResultRow
	if err := t.db.Where("case_id = ?", caseID).Order("run_at DESC, created_at DESC, id DESC").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.BenchmarkResult, len(rows))
	for i, r := range rows {
		d, _ := clock.ParseDate(r.RunAt)
		out[i] = docket.BenchmarkResult{ID: r.ID, CaseID: r.CaseID, BenchmarkID: r.BenchmarkID,
			BenchmarkVersion: r.BenchmarkVersion, Score: r.Score, Tier: r.Tier, RunBy: r.RunBy, RunAt: d, Notes: r.Notes,
			RecordedBy: r.RecordedBy, CreatedAt: tm(r.CreatedAt)}
		if r.EvaluationID != nil && r.LogSHA256 != nil {
			out[i].Source = &docket.ResultSource{EvaluationID: *r.EvaluationID, LogSHA256: *r.LogSHA256}
		}
	}
	return out, nil
}

func (t benchmarkRepo) OpenFindingSeverities(caseID string) ([]string, error) {
	var out []string
	err := t.db.Raw(`SELECT severity FROM findings WHERE case_id = ? AND status IN ('draft', 'shared', 'lab_responded')`, caseID).
		Scan(&out).Error
	return out, err
}

// SetCapabilityJump stores since when a case holds a capability jump (nil: none).
func (t benchmarkRepo) SetCapabilityJump(caseID string, at *time.Time) error {
	return t.db.Exec(`UPDATE cases SET capability_jump_at = ? WHERE id = ?`, msp(at), caseID).Error
}

// PreviousVersion returns the line's previous case: the same lab's case of
// the same model name received latest before this one (nil when none).
func (t benchmarkRepo) PreviousVersion(c *docket.Case) (*docket.Case, error) {
	if c.Clock.ReceivedAt == nil {
		return nil, nil
	}
	var ids []string
	if err := t.db.Raw(`SELECT id FROM cases WHERE org_id = ? AND model_name = ? AND id <> ? AND received_at < ?
		ORDER BY received_at DESC, id DESC LIMIT 1`, c.OrgID, c.ModelName, c.ID, ms(*c.Clock.ReceivedAt)).Scan(&ids).Error; err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return caseRepo(t).CaseByID(ids[0])
}

// LineCases returns the line's received cases (the lab's cases of the model
// name), the earliest received first.
func (t benchmarkRepo) LineCases(orgID, modelName string) ([]*docket.Case, error) {
	var ids []string
	if err := t.db.Raw(`SELECT id FROM cases WHERE org_id = ? AND model_name = ? AND received_at IS NOT NULL
		ORDER BY received_at, id`, orgID, modelName).Scan(&ids).Error; err != nil {
		return nil, err
	}
	out := make([]*docket.Case, 0, len(ids))
	for _, id := range ids {
		c, err := caseRepo(t).CaseByID(id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (t benchmarkRepo) SetRiskTier(caseID, tier string, criticalAt *time.Time) error {
	return t.db.Exec(`UPDATE cases SET risk_tier = ?, risk_critical_at = ? WHERE id = ?`, tier, msp(criticalAt), caseID).Error
}
