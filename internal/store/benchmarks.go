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

func (t benchmarkRepo) SetRiskTier(caseID, tier string, criticalAt *time.Time) error {
	return t.db.Exec(`UPDATE cases SET risk_tier = ?, risk_critical_at = ? WHERE id = ?`, tier, msp(criticalAt), caseID).Error
}
