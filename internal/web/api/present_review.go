package api

import (
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// What leaves a review as JSON: amendments, benchmarks and their results,
// statements, and the Clearinghouse feed (camelCase, as CISA's KEV catalogue).

type amendmentJSON struct {
	ID     string `json:"id"`
	CaseID string `json:"case_id"`
	Status string `json:"status"`
	// Changes names the fields the amendment changes.
	Changes   []string `json:"changes"`
	OldDigest string   `json:"old_digest"`
	NewDigest *string  `json:"new_digest"`
	Summary   *string  `json:"summary"`
	// PlannedReleaseDate is null when unchanged or cleared (see changes).
	PlannedReleaseDate *string `json:"planned_release_date"`
	CreatedBy          string  `json:"created_by"`
	CreatedAt          string  `json:"created_at"`
	RestartClock       bool    `json:"restart_clock"`
	Note               *string `json:"note"`
	ResolvedBy         *string `json:"resolved_by"`
	ResolvedAt         *string `json:"resolved_at"`
}

func presentAmendment(m *docket.Amendment) amendmentJSON {
	out := amendmentJSON{ID: m.ID, CaseID: m.CaseID, Status: string(m.Status), Changes: m.Changes(),
		OldDigest: m.OldDigest, NewDigest: httpx.StrPtr(m.NewDigest), Summary: m.Summary, CreatedBy: m.CreatedBy,
		CreatedAt: httpx.Instant(m.CreatedAt), RestartClock: m.RestartClock, ResolvedBy: httpx.StrPtr(m.ResolvedBy), ResolvedAt: httpx.InstantPtr(m.ResolvedAt)}
	if out.Changes == nil {
		out.Changes = []string{}
	}
	if m.ReleaseDate != nil && !m.ReleaseDate.IsZero() {
		out.PlannedReleaseDate = httpx.StrPtr(m.ReleaseDate.String())
	}
	if m.ResolvedAt != nil {
		note := m.Note
		out.Note = &note
	}
	return out
}

type thresholdsJSON struct {
	Elevated float64 `json:"elevated"`
	High     float64 `json:"high"`
	Critical float64 `json:"critical"`
}

type benchmarkJSON struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Version         string         `json:"version"`
	Description     string         `json:"description"`
	Unit            *string        `json:"unit"`
	Min             *float64       `json:"min"`
	Max             *float64       `json:"max"`
	HigherIsRiskier bool           `json:"higher_is_riskier"`
	Thresholds      thresholdsJSON `json:"thresholds"`
}

func presentBenchmark(b docket.Benchmark) benchmarkJSON {
	return benchmarkJSON{ID: b.ID, Name: b.Name, Version: b.Version, Description: b.Description, Unit: httpx.StrPtr(b.Unit),
		Min: b.Min, Max: b.Max, HigherIsRiskier: b.HigherIsRiskier,
		Thresholds: thresholdsJSON{Elevated: b.Elevated, High: b.High, Critical: b.Critical}}
}

type benchmarkResultJSON struct {
	ID               string  `json:"id"`
	CaseID           string  `json:"case_id"`
	BenchmarkID      string  `json:"benchmark_id"`
	BenchmarkVersion string  `json:"benchmark_version"`
	Score            float64 `json:"score"`
	Tier             string  `json:"tier"`
	RunBy            string  `json:"run_by"`
	RunAt            string  `json:"run_at"`
	Notes            string  `json:"notes"`
	RecordedBy       string  `json:"recorded_by"`
	CreatedAt        string  `json:"created_at"`
	// Source is the evaluation whose log made the result; null when recorded by hand.
	Source *resultSourceJSON `json:"source"`
	// Previous is the same benchmark's latest result on the line's previous
	// case; null when there is none.
	Previous *previousJSON `json:"previous"`
}

type previousJSON struct {
	CaseID       string  `json:"case_id"`
	CaseNumber   string  `json:"case_number"`
	ModelVersion string  `json:"model_version"`
	Score        float64 `json:"score"`
	Tier         string  `json:"tier"`
}

type resultSourceJSON struct {
	EvaluationID string `json:"evaluation_id"`
	LogSHA256    string `json:"log_sha256"`
}

func presentBenchmarkResult(r *docket.BenchmarkResult) benchmarkResultJSON {
	out := benchmarkResultJSON{ID: r.ID, CaseID: r.CaseID, BenchmarkID: r.BenchmarkID, BenchmarkVersion: r.BenchmarkVersion,
		Score: r.Score, Tier: r.Tier, RunBy: r.RunBy, RunAt: r.RunAt.String(), Notes: r.Notes, RecordedBy: r.RecordedBy,
		CreatedAt: httpx.Instant(r.CreatedAt)}
	if r.Source != nil {
		out.Source = &resultSourceJSON{EvaluationID: r.Source.EvaluationID, LogSHA256: r.Source.LogSHA256}
	}
	if p := r.Previous; p != nil {
		out.Previous = &previousJSON{CaseID: p.CaseID, CaseNumber: p.CaseNumber, ModelVersion: p.ModelVersion, Score: p.Score, Tier: p.Tier}
	}
	return out
}

type statementJSON struct {
	CaseID string `json:"case_id"`
	Kind   string `json:"kind"`
	// Statement is the JWS, compact serialization.
	Statement string `json:"statement"`
	KeyID     string `json:"kid"`
	IssuedAt  string `json:"issued_at"`
}

func presentStatement(st *docket.Statement) statementJSON {
	return statementJSON{CaseID: st.CaseID, Kind: st.Kind, Statement: st.Token, KeyID: st.KeyID, IssuedAt: httpx.Instant(st.IssuedAt)}
}
