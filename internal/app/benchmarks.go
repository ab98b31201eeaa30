package app

import (
	"context"
	"strconv"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// BenchmarkStore keeps benchmark results and the inputs of a case's risk tier.
type BenchmarkStore interface {
	CreateBenchmarkResult(r *docket.BenchmarkResult) error
	// ListBenchmarkResults returns a case's results, the latest run first.
	ListBenchmarkResults(caseID string) ([]docket.BenchmarkResult, error)
	// OpenFindingSeverities lists the severity of each open finding of a case.
	OpenFindingSeverities(caseID string) ([]string, error)
	// SetRiskTier stores a case's tier and since when it stands at critical.
	SetRiskTier(caseID, tier string, criticalAt *time.Time) error
	// SetCapabilityJump stores since when a case holds a capability jump (nil: none).
	SetCapabilityJump(caseID string, at *time.Time) error
	// PreviousVersion returns the line's previous case: the same lab's case
	// of the same model name received latest before it (nil when none).
	PreviousVersion(c *docket.Case) (*docket.Case, error)
	// LineCases returns the line's received cases, the earliest first.
	LineCases(orgID, modelName string) ([]*docket.Case, error)
}

// Benchmarks returns the agency's benchmarks as configured.
func (s *Evidence) Benchmarks() []docket.Benchmark { return s.benchmarks }

// ListBenchmarks lists the agency's benchmarks to the agency roles that work
// with risk tiers: reviewers, leads and compliance officers (403 otherwise;
// labs never learn the thresholds).
func (s *Evidence) ListBenchmarks(a docket.Actor) ([]docket.Benchmark, error) {
	switch a.Role {
	case docket.RoleReviewer, docket.RoleReviewLead, docket.RoleCompliance:
		return s.benchmarks, nil
	}
	return nil, docket.Forbidden()
}

// RecordBenchmarkResult records a result on a case: assigned reviewers and
// leads, after attesting, while the review is open (404, 403, 409 naming the
// state of a decided or withdrawn case or attest-no-conflict, then 422 naming
// the field). The case's risk tier is recomputed in the same transaction.
func (s *Evidence) RecordBenchmarkResult(ctx context.Context, a docket.Actor, caseID string, in docket.BenchmarkResultInput) (*docket.BenchmarkResult, error) {
	var out *docket.BenchmarkResult
	err := s.write(ctx, func(tx evidenceTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CanRecordBenchmark(); err != nil {
			return err
		}
		now := s.Now()
		r, err := in.Result(s.benchmarks, clock.DateOf(now, s.loc))
		if err != nil {
			return err
		}
		r.ID, r.CaseID, r.RecordedBy, r.CreatedAt = newID(), caseID, a.UserID, now
		if err := tx.Benchmarks().CreateBenchmarkResult(&r); err != nil {
			return err
		}
		ch := docket.Changes{"benchmark_result_id": r.ID, "benchmark_id": r.BenchmarkID,
			"benchmark_version": r.BenchmarkVersion, "run_by": r.RunBy, "run_at": r.RunAt.String(), "tier": r.Tier}.
			Secret("score", formatScore(r.Score)).Secret("notes", r.Notes)
		if err := s.recomputeRisk(tx, acc.Case, ch); err != nil {
			return err
		}
		out = &r
		return s.audit(tx, a, "benchmark_result.recorded", "benchmark_result", r.ID, caseID, ch)
	})
	return out, err
}

// ListBenchmarkResults lists a case's results, the latest run first, to
// assigned reviewers and leads after attesting (404, 403 for labs and
// compliance officers, 409 before attesting).
func (s *Evidence) ListBenchmarkResults(ctx context.Context, a docket.Actor, caseID string) ([]docket.BenchmarkResult, error) {
	var out []docket.BenchmarkResult
	err := s.read(ctx, func(tx evidenceTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CanReadBenchmarks(); err != nil {
			return err
		}
		out, err = tx.Benchmarks().ListBenchmarkResults(caseID)
		if err != nil {
			return err
		}
		_, err = s.withPrevious(tx, acc.Case, out)
		return err
	})
	return out, err
}

// withPrevious sets each result's previous version from the line's previous
// case, and reports whether the case holds a capability jump.
func (s *core) withPrevious(tx riskTx, c *docket.Case, results []docket.BenchmarkResult) (bool, error) {
	prev, err := tx.Benchmarks().PreviousVersion(c)
	if err != nil || prev == nil {
		return false, err
	}
	prevResults, err := tx.Benchmarks().ListBenchmarkResults(prev.ID)
	if err != nil {
		return false, err
	}
	return docket.WithPrevious(results, prev, prevResults), nil
}

// recomputeRisk recomputes the case's risk tier from its results and open
// findings inside the caller's transaction, stores it when it changed, and
// notes the change in ch (the caller's audit event).
func (s *core) recomputeRisk(tx riskTx, c *docket.Case, ch docket.Changes) error {
	results, err := tx.Benchmarks().ListBenchmarkResults(c.ID)
	if err != nil {
		return err
	}
	sevs, err := tx.Benchmarks().OpenFindingSeverities(c.ID)
	if err != nil {
		return err
	}
	jump, err := s.withPrevious(tx, c, results)
	if err != nil {
		return err
	}
	jumpSince := c.CapabilityJumpAt
	c.MarkJump(jump, s.Now())
	if !equalInstant(jumpSince, c.CapabilityJumpAt) {
		if ch != nil {
			ch.Set("capability_jump", c.CapabilityJumpAt != nil)
		}
		if err := tx.Benchmarks().SetCapabilityJump(c.ID, c.CapabilityJumpAt); err != nil {
			return err
		}
	}
	tier := docket.RiskTier(results, sevs)
	before, since := c.RiskTier, c.RiskCriticalAt
	c.RiskTier = tier
	c.MarkRisk(s.Now())
	if tier == before && equalInstant(since, c.RiskCriticalAt) {
		return nil
	}
	if tier != before && ch != nil {
		ch.Set("risk_tier", map[string]string{"from": before, "to": tier})
	}
	return tx.Benchmarks().SetRiskTier(c.ID, tier, c.RiskCriticalAt)
}

func equalInstant(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// formatScore writes a score for hashing, the same way every time.
func formatScore(f float64) string {
	return strconv.FormatFloat(f, 'g', -1, 64)
}
