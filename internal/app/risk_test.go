package app_test

import (
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

func (e *env) result(caseID, who, benchmark string, score float64, runAt string) {
	e.t.Helper()
	s := func(v string) *string { return &v }
	_, err := e.svc.Evidence.RecordBenchmarkResult(ctx, e.a[who], caseID, docket.BenchmarkResultInput{BenchmarkID: s(benchmark),
		Score: &score, RunBy: s("agency"), RunAt: s(runAt)})
	e.must(err)
}

func (e *env) tier(caseID string) string {
	e.t.Helper()
	v, err := e.svc.Cases.GetCase(ctx, e.a["co"], caseID)
	e.must(err)
	return v.Case.RiskTier
}

// Reaching the critical tier escalates to every lead and compliance officer
// at once, repeats until acknowledged, and stops when the tier drops; a
// second climb is a new escalation.
func TestRiskCriticalEscalates(t *testing.T) {
	e := newEnv(t)
	id := e.submitAt(received, true)
	_, err := e.svc.Cases.Attest(ctx, e.a["rev"], id)
	e.must(err)
	e.clock.Advance(time.Hour)
	e.result(id, "rev", "ctf-professional", 30, "2026-06-02")
	if e.tier(id) != "elevated" {
		t.Fatalf("tier %s", e.tier(id))
	}
	e.clock.Advance(time.Minute)
	if n := e.sweep(e.svc, "p1"); n != 0 {
		t.Fatalf("escalated below critical: %v", e.sent())
	}
	e.result(id, "rev", "ctf-professional", 75, "2026-06-02")
	if e.tier(id) != "critical" {
		t.Fatalf("tier %s", e.tier(id))
	}
	critical := e.clock.Now()
	e.clock.Advance(time.Minute)
	e.sweep(e.svc, "p1")
	if got := e.count(docket.RuleRiskCritical); got != 2 {
		t.Fatalf("at once: %d, want the lead and the compliance officer: %v", got, e.sent())
	}
	for _, s := range e.sent() {
		if s == docket.RuleRiskCritical+" risk-critical rev" || s == docket.RuleRiskCritical+" risk-critical lab" {
			t.Fatalf("escalated to %s", s)
		}
	}
	// The repeat comes escalation_repeat later, and not before.
	e.clock.Set(critical.Add(24*time.Hour - time.Millisecond))
	e.sweep(e.svc, "p1")
	if got := e.count(docket.RuleRiskCritical); got != 2 {
		t.Fatalf("repeated early: %v", e.sent())
	}
	e.clock.Set(critical.Add(24 * time.Hour))
	e.sweep(e.svc, "p1")
	if got := e.count(docket.RuleRiskCritical); got != 4 {
		t.Fatalf("the repeat: %d %v", got, e.sent())
	}
	// An acknowledgement stops the repeats for everyone.
	items, _, err := e.svc.Delivery.Inbox(ctx, e.a["co"], app.Page{Limit: 200})
	e.must(err)
	for _, it := range items {
		if it.Rule == docket.RuleRiskCritical {
			_, err := e.svc.Delivery.Acknowledge(ctx, e.a["co"], it.ID)
			e.must(err)
			break
		}
	}
	e.clock.Advance(72 * time.Hour)
	e.sweep(e.svc, "p1")
	if got := e.count(docket.RuleRiskCritical); got != 4 {
		t.Fatalf("after the acknowledgement: %d", got)
	}

	// A second case: critical through a finding, then back below when it is resolved.
	other := e.submitAt(e.clock.Now(), true)
	_, err = e.svc.Cases.Attest(ctx, e.a["lead"], other)
	e.must(err)
	s := func(v string) *string { return &v }
	f, err := e.svc.Findings.CreateFinding(ctx, e.a["lead"], other, docket.FindingInput{Title: s("Weights exposed"), Description: s("d"),
		Category: s("weights_security"), Severity: s("critical"), TLP: s("TLP:AMBER")})
	e.must(err)
	if e.tier(other) != "critical" {
		t.Fatalf("a critical draft finding: %s", e.tier(other))
	}
	before := e.count(docket.RuleRiskCritical)
	e.clock.Advance(time.Minute)
	e.sweep(e.svc, "p1")
	if got := e.count(docket.RuleRiskCritical); got != before+2 {
		t.Fatalf("the finding's escalation: %d after %d", got, before)
	}
	_, err = e.svc.Findings.ShareFinding(ctx, e.a["lead"], f.Finding.ID, nil)
	e.must(err)
	_, err = e.svc.Findings.ResolveFinding(ctx, e.a["lead"], f.Finding.ID, "resolved", "Fixed.", "")
	e.must(err)
	if e.tier(other) != "low" {
		t.Fatalf("after resolving: %s", e.tier(other))
	}
	e.clock.Advance(48 * time.Hour)
	e.sweep(e.svc, "p1")
	if got := e.count(docket.RuleRiskCritical); got != before+2 {
		t.Fatalf("escalated after the tier dropped: %d", got)
	}
	// Climbing back is a new escalation, at once.
	_, err = e.svc.Findings.CreateFinding(ctx, e.a["lead"], other, docket.FindingInput{Title: s("Again"), Description: s("d"),
		Category: s("other"), Severity: s("critical"), TLP: s("TLP:AMBER")})
	e.must(err)
	e.clock.Advance(time.Minute)
	e.sweep(e.svc, "p1")
	if got := e.count(docket.RuleRiskCritical); got != before+4 {
		t.Fatalf("a second climb: %d", got)
	}
	// A decided case is no longer escalated.
	_, err = e.svc.Cases.Decide(ctx, e.a["lead"], other, app.DecisionInput{Outcome: "concerns_noted", Rationale: "Critical findings."})
	e.must(err)
	e.clock.Advance(48 * time.Hour)
	e.sweep(e.svc, "p1")
	if got := e.count(docket.RuleRiskCritical); got != before+4 {
		t.Fatalf("escalated after the decision: %d", got)
	}
}
