package docket_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

func f64(v float64) *float64 { return &v }

// ctf is a benchmark where higher scores are riskier; speed one where lower are.
var (
	ctf   = docket.Benchmark{ID: "ctf", Name: "CTF", Version: "1", Description: "d", HigherIsRiskier: true, Min: f64(0), Max: f64(100), Elevated: 15, High: 35, Critical: 60}
	speed = docket.Benchmark{ID: "speed", Name: "Speed", Version: "2", Description: "d", HigherIsRiskier: false, Elevated: 240, High: 90, Critical: 30}
)

func TestBenchmarkTier(t *testing.T) {
	for _, tc := range []struct {
		b     docket.Benchmark
		score float64
		want  string
	}{
		{ctf, 0, "low"}, {ctf, 14.999, "low"}, {ctf, 15, "elevated"}, {ctf, 34.9, "elevated"}, {ctf, 35, "high"},
		{ctf, 59.99, "high"}, {ctf, 60, "critical"}, {ctf, 100, "critical"},
		{speed, 1440, "low"}, {speed, 240.5, "low"}, {speed, 240, "elevated"}, {speed, 91, "elevated"}, {speed, 90, "high"},
		{speed, 30.01, "high"}, {speed, 30, "critical"}, {speed, 0, "critical"},
	} {
		if got := tc.b.Tier(tc.score); got != tc.want {
			t.Errorf("%s at %g: %s, want %s", tc.b.ID, tc.score, got, tc.want)
		}
	}
}

func TestSeverityTier(t *testing.T) {
	for sev, want := range map[string]string{"critical": "critical", "high": "high", "medium": "elevated", "low": "low", "informational": "low"} {
		if got := docket.SeverityTier(sev); got != want {
			t.Errorf("%s: %s, want %s", sev, got, want)
		}
	}
}

func TestRiskTier(t *testing.T) {
	day := func(s string) clock.Date { d, _ := clock.ParseDate(s); return d }
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	res := func(id, bench, tier, runAt string, recorded time.Duration) docket.BenchmarkResult {
		return docket.BenchmarkResult{ID: id, BenchmarkID: bench, Tier: tier, RunAt: day(runAt), CreatedAt: at.Add(recorded)}
	}
	for _, tc := range []struct {
		name     string
		results  []docket.BenchmarkResult
		findings []string
		want     string
	}{
		{"nothing", nil, nil, "low"},
		{"one result", []docket.BenchmarkResult{res("a", "ctf", "high", "2026-06-01", 0)}, nil, "high"},
		{"the highest benchmark wins", []docket.BenchmarkResult{res("a", "ctf", "elevated", "2026-06-01", 0), res("b", "speed", "critical", "2026-06-01", 0)}, nil, "critical"},
		{"a later run replaces an earlier one", []docket.BenchmarkResult{res("a", "ctf", "critical", "2026-06-01", 0), res("b", "ctf", "low", "2026-06-02", 0)}, nil, "low"},
		{"an older run recorded later does not", []docket.BenchmarkResult{res("a", "ctf", "low", "2026-06-02", 0), res("b", "ctf", "critical", "2026-05-01", time.Hour)}, nil, "low"},
		{"on the same day the last recorded wins", []docket.BenchmarkResult{res("a", "ctf", "critical", "2026-06-02", 0), res("b", "ctf", "elevated", "2026-06-02", time.Minute)}, nil, "elevated"},
		{"a medium finding is elevated", nil, []string{"medium"}, "elevated"},
		{"low and informational findings stay low", nil, []string{"low", "informational"}, "low"},
		{"a finding above the results", []docket.BenchmarkResult{res("a", "ctf", "elevated", "2026-06-01", 0)}, []string{"high"}, "high"},
		{"results above the findings", []docket.BenchmarkResult{res("a", "ctf", "critical", "2026-06-01", 0)}, []string{"medium", "low"}, "critical"},
		{"a critical finding", []docket.BenchmarkResult{res("a", "ctf", "low", "2026-06-01", 0)}, []string{"low", "critical"}, "critical"},
	} {
		if got := docket.RiskTier(tc.results, tc.findings); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestMarkRisk(t *testing.T) {
	t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	c := &docket.Case{Status: docket.StatusInReview, RiskTier: "critical"}
	c.MarkRisk(t0)
	c.MarkRisk(t0.Add(time.Hour))
	if c.RiskCriticalAt == nil || !c.RiskCriticalAt.Equal(t0) {
		t.Fatalf("critical since %v", c.RiskCriticalAt)
	}
	c.RiskTier = "high"
	c.MarkRisk(t0.Add(2 * time.Hour))
	if c.RiskCriticalAt != nil {
		t.Fatal("still critical below critical")
	}
	c.RiskTier, c.Status = "critical", docket.StatusDecided
	c.MarkRisk(t0.Add(3 * time.Hour))
	if c.RiskCriticalAt != nil {
		t.Fatal("a closed case escalates")
	}
}

func TestBenchmarkValidation(t *testing.T) {
	for _, b := range []docket.Benchmark{ctf, speed} {
		if err := b.Validate(); err != nil {
			t.Errorf("%s: %v", b.ID, err)
		}
	}
	for _, tc := range []struct {
		change func(*docket.Benchmark)
		field  string
	}{
		{func(b *docket.Benchmark) { b.ID = "Has Spaces" }, "id"},
		{func(b *docket.Benchmark) { b.Name = " " }, "name"},
		{func(b *docket.Benchmark) { b.Version = "" }, "version"},
		{func(b *docket.Benchmark) { b.Description = "" }, "description"},
		{func(b *docket.Benchmark) { b.High = 10 }, "thresholds.high"},
		{func(b *docket.Benchmark) { b.Critical = 35 }, "thresholds.critical"},
		{func(b *docket.Benchmark) { b.HigherIsRiskier = false }, "thresholds.high"},
		{func(b *docket.Benchmark) { b.Critical = math.Inf(1) }, "thresholds.critical"},
		{func(b *docket.Benchmark) { b.Max = nil }, "max"},
		{func(b *docket.Benchmark) { b.Max = f64(50) }, "thresholds.critical"},
	} {
		b := ctf
		tc.change(&b)
		err := docket.AsError(b.Validate())
		if err == nil || err.Field != tc.field {
			t.Errorf("want an error on %s, got %v", tc.field, err)
		}
	}
	if err := docket.ValidateBenchmarks([]docket.Benchmark{ctf, speed, ctf}); err == nil || !strings.Contains(err.Error(), `benchmark "ctf": id`) {
		t.Errorf("a repeated id: %v", err)
	}
}

func TestBenchmarkResultInput(t *testing.T) {
	today, _ := clock.ParseDate("2026-06-10")
	list := []docket.Benchmark{ctf, speed}
	s := func(v string) *string { return &v }
	good := func() docket.BenchmarkResultInput {
		return docket.BenchmarkResultInput{BenchmarkID: s("ctf"), Score: f64(40), RunBy: s("lab"), RunAt: s("2026-06-10")}
	}
	r, err := good().Result(list, today)
	if err != nil || r.Tier != "high" || r.BenchmarkVersion != "1" || r.RunAt != today {
		t.Fatalf("%+v %v", r, err)
	}
	for _, tc := range []struct {
		change func(*docket.BenchmarkResultInput)
		field  string
	}{
		{func(in *docket.BenchmarkResultInput) { in.BenchmarkID = s("unknown") }, "benchmark_id"},
		{func(in *docket.BenchmarkResultInput) { in.Score = nil }, "score"},
		{func(in *docket.BenchmarkResultInput) { in.Score = f64(math.NaN()) }, "score"},
		{func(in *docket.BenchmarkResultInput) { in.Score = f64(-1) }, "score"},
		{func(in *docket.BenchmarkResultInput) { in.RunBy = s("both") }, "run_by"},
		{func(in *docket.BenchmarkResultInput) { in.RunAt = s("2026-06-11") }, "run_at"},
		{func(in *docket.BenchmarkResultInput) { in.Notes = s("a\x00b") }, "notes"},
	} {
		in := good()
		tc.change(&in)
		_, err := in.Result(list, today)
		if e := docket.AsError(err); e == nil || e.Field != tc.field || e.Code != docket.EUnprocessable {
			t.Errorf("want 422 on %s, got %v", tc.field, err)
		}
	}
}

// The jump rule at its thresholds: a result two tiers or more above the
// previous version's, on the same benchmark's thresholds.
func TestCapabilityJumpAtThresholds(t *testing.T) {
	b := docket.Benchmark{ID: "ctf", HigherIsRiskier: true, Elevated: 15, High: 35, Critical: 60}
	for _, tc := range []struct {
		prev, now float64
		jump      bool
	}{
		{14.99, 34.99, false}, // low → elevated
		{14.99, 35, true},     // low → high
		{0, 60, true},         // low → critical
		{15, 59.99, false},    // elevated → high
		{15, 60, true},        // elevated → critical
		{35, 100, false},      // high → critical
		{60, 0, false},        // down
	} {
		if got := docket.CapabilityJump(b.Tier(tc.now), b.Tier(tc.prev)); got != tc.jump {
			t.Errorf("%g (%s) after %g (%s): jump %v, want %v", tc.now, b.Tier(tc.now), tc.prev, b.Tier(tc.prev), got, tc.jump)
		}
	}
	if docket.CapabilityJump(docket.TierCritical, "") {
		t.Error("a jump over no previous result")
	}
	// Lower is riskier: 30 minutes after 300 is low → critical.
	speed := docket.Benchmark{ID: "speed", HigherIsRiskier: false, Elevated: 240, High: 90, Critical: 30}
	if !docket.CapabilityJump(speed.Tier(30), speed.Tier(300)) || docket.CapabilityJump(speed.Tier(90), speed.Tier(240)) {
		t.Error("the jump rule on a lower-is-riskier benchmark")
	}
	// WithPrevious compares the latest result of each benchmark.
	prev := &docket.Case{ID: "p", Number: "DKT-2026-0001", ModelVersion: "1.0"}
	before := []docket.BenchmarkResult{{ID: "a", BenchmarkID: "ctf", Score: 10, Tier: docket.TierLow}}
	now := []docket.BenchmarkResult{{ID: "b", BenchmarkID: "ctf", Score: 40, Tier: docket.TierHigh}, {ID: "c", BenchmarkID: "speed", Score: 30, Tier: docket.TierCritical}}
	if !docket.WithPrevious(now, prev, before) || now[0].Previous == nil || now[0].Previous.Score != 10 || now[0].Previous.CaseNumber != "DKT-2026-0001" || now[1].Previous != nil {
		t.Fatalf("%+v", now)
	}
	if docket.WithPrevious(now, nil, before) {
		t.Fatal("a jump without a previous case")
	}
}
