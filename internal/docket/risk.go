package docket

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/docket/docket/internal/clock"
)

// The risk tiers of a case, lowest first.
const (
	TierLow      = "low"
	TierElevated = "elevated"
	TierHigh     = "high"
	TierCritical = "critical"
)

// TierRank orders the tiers: low 0, elevated 1, high 2, critical 3; -1 for
// anything else.
func TierRank(tier string) int {
	for i, t := range RiskTiers {
		if t == tier {
			return i
		}
	}
	return -1
}

// HigherTier returns the higher of two tiers.
func HigherTier(a, b string) string {
	if TierRank(b) > TierRank(a) {
		return b
	}
	return a
}

// SeverityTier is the tier a finding of the severity brings its case to:
// critical → critical, high → high, medium → elevated, low and informational → low.
func SeverityTier(severity string) string {
	switch severity {
	case "critical":
		return TierCritical
	case "high":
		return TierHigh
	case "medium":
		return TierElevated
	}
	return TierLow
}

// Benchmark is one cyber-capability benchmark the agency runs, with the score
// thresholds at which a result reaches each tier (below elevated: low).
type Benchmark struct {
	ID          string
	Name        string
	Version     string
	Description string
	// Unit says what a score counts ("% of challenges solved"); optional.
	Unit string
	// HigherIsRiskier: a score at or above a threshold reaches its tier;
	// otherwise a score at or below it does (times, costs).
	HigherIsRiskier bool
	// Min and Max bound the scores a result may have; nil: unbounded.
	Min, Max *float64
	// The thresholds of the tiers elevated, high and critical.
	Elevated, High, Critical float64
	// Inspect names the Inspect tasks that measure the benchmark, and how
	// their logs' scores become its scores; nil: no log maps to it.
	Inspect *InspectMapping
}

var benchmarkIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Validate checks a benchmark's definition: every failure is a 422 whose
// field names the setting ("thresholds.high").
func (b Benchmark) Validate() error {
	switch {
	case !benchmarkIDRE.MatchString(b.ID):
		return Unacceptable("id", "must be 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")
	case strings.TrimSpace(b.Name) == "":
		return Unacceptable("name", "is required")
	case strings.TrimSpace(b.Version) == "":
		return Unacceptable("version", "is required")
	case strings.TrimSpace(b.Description) == "":
		return Unacceptable("description", "is required")
	}
	for _, x := range []struct {
		field string
		v     *float64
	}{{"thresholds.elevated", &b.Elevated}, {"thresholds.high", &b.High}, {"thresholds.critical", &b.Critical},
		{"min", b.Min}, {"max", b.Max}} {
		if x.v != nil && (math.IsNaN(*x.v) || math.IsInf(*x.v, 0)) {
			return Unacceptable(x.field, "must be a finite number")
		}
	}
	if b.HigherIsRiskier {
		if !(b.High > b.Elevated) {
			return Unacceptable("thresholds.high", "must be above thresholds.elevated (%g) when higher scores are riskier", b.Elevated)
		}
		if !(b.Critical > b.High) {
			return Unacceptable("thresholds.critical", "must be above thresholds.high (%g) when higher scores are riskier", b.High)
		}
	} else {
		if !(b.High < b.Elevated) {
			return Unacceptable("thresholds.high", "must be below thresholds.elevated (%g) when lower scores are riskier", b.Elevated)
		}
		if !(b.Critical < b.High) {
			return Unacceptable("thresholds.critical", "must be below thresholds.high (%g) when lower scores are riskier", b.High)
		}
	}
	if (b.Min == nil) != (b.Max == nil) {
		return Unacceptable("max", "min and max are given together or not at all")
	}
	if b.Inspect != nil {
		if err := b.Inspect.Validate(); err != nil {
			return err
		}
	}
	if b.Min != nil {
		if !(*b.Max > *b.Min) {
			return Unacceptable("max", "must be above min (%g)", *b.Min)
		}
		for _, x := range []struct {
			field string
			v     float64
		}{{"thresholds.elevated", b.Elevated}, {"thresholds.high", b.High}, {"thresholds.critical", b.Critical}} {
			if x.v < *b.Min || x.v > *b.Max {
				return Unacceptable(x.field, "must lie between min (%g) and max (%g)", *b.Min, *b.Max)
			}
		}
	}
	return nil
}

// Tier is the tier a score reaches on this benchmark.
func (b Benchmark) Tier(score float64) string {
	reaches := func(threshold float64) bool {
		if b.HigherIsRiskier {
			return score >= threshold
		}
		return score <= threshold
	}
	switch {
	case reaches(b.Critical):
		return TierCritical
	case reaches(b.High):
		return TierHigh
	case reaches(b.Elevated):
		return TierElevated
	}
	return TierLow
}

// ValidateBenchmarks checks a set of benchmarks: each one, and that no id is
// used twice. The error names the benchmark (its id, or its position) and the field.
func ValidateBenchmarks(list []Benchmark) error {
	seen := map[string]bool{}
	for i, b := range list {
		name := fmt.Sprintf("benchmark %d", i+1)
		if b.ID != "" {
			name = fmt.Sprintf("benchmark %q", b.ID)
		}
		if err := b.Validate(); err != nil {
			e := AsError(err)
			return fmt.Errorf("%s: %s: %s", name, e.Field, e.Message)
		}
		if seen[b.ID] {
			return fmt.Errorf("%s: id: is used by an earlier benchmark", name)
		}
		seen[b.ID] = true
	}
	return nil
}

// Who ran a benchmark.
const (
	RunByLab    = "lab"
	RunByAgency = "agency"
)

// MaxBenchmarkNotes bounds a result's notes, in bytes.
const MaxBenchmarkNotes = 20000

// BenchmarkResult is one score a case's model reached on a benchmark. The
// benchmark's version and the tier are those in force when it was recorded.
type BenchmarkResult struct {
	ID               string
	CaseID           string
	BenchmarkID      string
	BenchmarkVersion string
	Score            float64
	Tier             string
	RunBy            string
	RunAt            clock.Date
	Notes            string
	RecordedBy       string
	CreatedAt        time.Time
	// Source is the evaluation whose log made the result; nil when recorded by hand.
	Source *ResultSource
	// Previous is the same benchmark's latest result on the line's previous
	// case, when read with it (WithPrevious); nil when there is none.
	Previous *PreviousResult
}

// PreviousResult is a benchmark's latest result on the line's previous case:
// the same lab's case of the same model name received before this one.
type PreviousResult struct {
	CaseID       string
	CaseNumber   string
	ModelVersion string
	Score        float64
	Tier         string
}

// CapabilityJump reports whether a result's tier is at least two tiers above
// the previous version's (low → high, elevated → critical).
func CapabilityJump(tier, previous string) bool {
	return TierRank(previous) >= 0 && TierRank(tier)-TierRank(previous) >= 2
}

// WithPrevious sets each result's Previous from the previous case and its
// results (nil prev: none), and reports whether the latest result of any
// benchmark is a capability jump over the previous case's latest.
func WithPrevious(results []BenchmarkResult, prev *Case, prevResults []BenchmarkResult) bool {
	if prev == nil {
		return false
	}
	before := map[string]BenchmarkResult{}
	for _, r := range LatestResults(prevResults) {
		before[r.BenchmarkID] = r
	}
	for i := range results {
		if p, ok := before[results[i].BenchmarkID]; ok {
			results[i].Previous = &PreviousResult{CaseID: prev.ID, CaseNumber: prev.Number, ModelVersion: prev.ModelVersion,
				Score: p.Score, Tier: p.Tier}
		}
	}
	for _, r := range LatestResults(results) {
		if p, ok := before[r.BenchmarkID]; ok && CapabilityJump(r.Tier, p.Tier) {
			return true
		}
	}
	return false
}

// MarkJump records, at a change made at now, since when the open case holds
// a capability jump; without one, or once closed, there is nothing to escalate.
func (c *Case) MarkJump(jump bool, now time.Time) {
	switch {
	case !jump || !c.Status.Open():
		c.CapabilityJumpAt = nil
	case c.CapabilityJumpAt == nil:
		c.CapabilityJumpAt = &now
	}
}

// BenchmarkResultInput is a result as a reviewer records it; nil means "not given".
type BenchmarkResultInput struct {
	BenchmarkID *string  `json:"benchmark_id"`
	Score       *float64 `json:"score"`
	RunBy       *string  `json:"run_by"`
	RunAt       *string  `json:"run_at"`
	Notes       *string  `json:"notes"`
}

// Result validates the input against the agency's benchmarks and the
// agency-zone date today (a run cannot be later), and returns the result with
// its tier. Every failure is a 422 naming its field.
func (in BenchmarkResultInput) Result(benchmarks []Benchmark, today clock.Date) (BenchmarkResult, error) {
	var r BenchmarkResult
	if in.BenchmarkID == nil || *in.BenchmarkID == "" {
		return r, Unacceptable("benchmark_id", "is required")
	}
	var b *Benchmark
	for i := range benchmarks {
		if benchmarks[i].ID == *in.BenchmarkID {
			b = &benchmarks[i]
		}
	}
	if b == nil {
		return r, Unacceptable("benchmark_id", "is not one of the agency's benchmarks (GET /api/v1/benchmarks lists them)")
	}
	if in.Score == nil {
		return r, Unacceptable("score", "is required")
	}
	score := *in.Score
	if math.IsNaN(score) || math.IsInf(score, 0) {
		return r, Unacceptable("score", "must be a finite number")
	}
	if b.Min != nil && (score < *b.Min || score > *b.Max) {
		return r, Unacceptable("score", "must lie between %g and %g on %s", *b.Min, *b.Max, b.Name)
	}
	if in.RunBy == nil || (*in.RunBy != RunByLab && *in.RunBy != RunByAgency) {
		return r, Unacceptable("run_by", "must be lab or agency")
	}
	if in.RunAt == nil {
		return r, Unacceptable("run_at", "is required")
	}
	runAt, err := clock.ParseDate(*in.RunAt)
	if err != nil {
		return r, Unacceptable("run_at", "must be a date YYYY-MM-DD")
	}
	if runAt.After(today) {
		return r, Unacceptable("run_at", "is later than today (%s)", today)
	}
	notes := ""
	if in.Notes != nil {
		if err := validText("notes", *in.Notes, MaxBenchmarkNotes, false); err != nil {
			return r, err
		}
		notes = *in.Notes
	}
	return BenchmarkResult{BenchmarkID: b.ID, BenchmarkVersion: b.Version, Score: score, Tier: b.Tier(score),
		RunBy: *in.RunBy, RunAt: runAt, Notes: notes}, nil
}

// LatestResults keeps the latest result of each benchmark: the latest run,
// then the latest recorded.
func LatestResults(results []BenchmarkResult) []BenchmarkResult {
	latest := map[string]BenchmarkResult{}
	for _, r := range results {
		cur, ok := latest[r.BenchmarkID]
		if !ok || r.RunAt.After(cur.RunAt) ||
			(r.RunAt == cur.RunAt && (r.CreatedAt.After(cur.CreatedAt) || (r.CreatedAt.Equal(cur.CreatedAt) && r.ID > cur.ID))) {
			latest[r.BenchmarkID] = r
		}
	}
	out := make([]BenchmarkResult, 0, len(latest))
	for _, r := range latest {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].BenchmarkID < out[j].BenchmarkID })
	return out
}

// RiskTier is a case's risk tier: the highest of the tier of the latest result
// of each benchmark and the tier of each open finding's severity; low when
// there is neither.
func RiskTier(results []BenchmarkResult, openFindingSeverities []string) string {
	tier := TierLow
	for _, r := range LatestResults(results) {
		tier = HigherTier(tier, r.Tier)
	}
	for _, sev := range openFindingSeverities {
		tier = HigherTier(tier, SeverityTier(sev))
	}
	return tier
}

// MarkRisk records, at a change made at now, since when the case stands at
// the critical tier while its review is open: the escalation to leads and
// compliance officers runs from then. Below critical, or once the case is
// closed, there is nothing to escalate.
func (c *Case) MarkRisk(now time.Time) {
	switch {
	case c.RiskTier != TierCritical || !c.Status.Open():
		c.RiskCriticalAt = nil
	case c.RiskCriticalAt == nil:
		c.RiskCriticalAt = &now
	}
}

// CanReadBenchmarks checks that the actor may read the case's benchmark
// results: assigned reviewers and leads after attesting. 404 when the case is
// not visible, 403 for the roles that never read them (labs; compliance
// officers see the tier only), 409 naming attest-no-conflict before attesting.
func (a CaseAccess) CanReadBenchmarks() error { return a.CanRecord() }

// CanRecordBenchmark checks that the actor may record a benchmark result on
// the case now: 404 when the case is not visible, 403 for labs and compliance
// officers, 409 naming the state once the case is decided or withdrawn, 409
// naming attest-no-conflict before attesting.
func (a CaseAccess) CanRecordBenchmark() error { return a.CheckAdd(agencyWork...) }
