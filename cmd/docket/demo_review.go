package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/inspect"
)

// The demo's model identity, benchmarks and Clearinghouse steps: benchmark
// results, a material change (one still pending, one accepted with a new
// clock), and findings published to the Clearinghouse. Decisions issue their
// signed statements as they are made; the lapsed case's statement comes from
// the first sweep at start.

// demoEntry is a Clearinghouse entry a lead publishes from the case's finding ref.
type demoEntry struct {
	ref, subject, name, description, action, notes string
	dueIn                                          int // days after publication
	redact                                         bool
	cve, vendor, product                           string
}

// result records a benchmark result, run on the step's day by runBy.
func (demoSteps) result(at demoAt, who, benchmark string, score float64, runBy string) demoStep {
	return demoStep{at: at, act: "result", who: who, arg: benchmark, score: score, cond: runBy}
}

// evaluate imports an Inspect log of the task that the demo writes itself
// (an .eval file, Zstandard entries), run by runBy, whose accuracy is given:
// the evidence behind a score instead of a typed number.
func (demoSteps) evaluate(at demoAt, who, task string, accuracy float64, runBy string) demoStep {
	return demoStep{at: at, act: "evaluate", who: who, arg: task, score: accuracy, cond: runBy}
}

// amendDigest files a new weights digest (the model's version plus label) as
// amendment ref, with an optional new summary.
func (demoSteps) amendDigest(at demoAt, who, ref, label, summary string) demoStep {
	return demoStep{at: at, act: "amend", who: who, ref: ref, arg: label, text: summary}
}

// resolveAmendment accepts amendment ref, restarting the clock when restart.
func (demoSteps) resolveAmendment(at demoAt, lead, ref string, restart bool, note string) demoStep {
	return demoStep{at: at, act: "resolve-amendment", who: lead, ref: ref, text: note, cond: strconv.FormatBool(restart)}
}

// publish publishes the case's entry for finding ref (see demoCase.entries).
func (demoSteps) publish(at demoAt, lead, ref string) demoStep {
	return demoStep{at: at, act: "publish", who: lead, ref: ref}
}

// runReview performs the steps of this file; handled is false for any other.
func (s *demoSeeder) runReview(c *seededCase, st demoStep, a docket.Actor) (bool, error) {
	str := func(v string) *string { return &v }
	switch st.act {
	case "result":
		score := st.score
		today := clock.DateOf(s.clk.Now(), s.loc).String()
		_, err := s.svc.Evidence.RecordBenchmarkResult(s.ctx, a, c.id, docket.BenchmarkResultInput{BenchmarkID: str(st.arg),
			Score: &score, RunBy: str(st.cond), RunAt: str(today)})
		return true, err
	case "evaluate":
		now := s.clk.Now()
		id := strings.ReplaceAll(strings.ToLower(c.spec.model+"-"+c.spec.version), " ", "-")
		f := inspect.Fixture{EvalID: "demo-" + id, RunID: "run-" + id, Created: now.UTC().Format(time.RFC3339),
			Task: st.arg, Model: "openai-api/" + strings.ReplaceAll(strings.ToLower(c.spec.model), " ", "-") + "/" + c.spec.version,
			Samples: 40, Metrics: map[string]float64{"accuracy": st.score, "stderr": 0.077}}
		var buf bytes.Buffer
		if err := f.WriteEval(&buf, 93); err != nil {
			return true, err
		}
		staged, err := s.svc.Evaluations.StageLog(&buf, f.EvalFileName("eval"))
		if err != nil {
			return true, err
		}
		_, err = s.svc.Evaluations.ImportUpload(s.ctx, a, c.id, docket.EvaluationInput{RunBy: str(st.cond),
			Notes: str("Run by the agency's evaluation team in the isolated range; the log is the one Inspect wrote.")}, staged)
		return true, err
	case "amend":
		in := docket.AmendmentInput{WeightsDigest: str(demoDigest(c.spec.model, c.spec.version+" "+st.arg))}
		if st.text != "" {
			in.Summary = str(st.text)
		}
		m, err := s.svc.Cases.Amend(s.ctx, a, c.id, in)
		if err == nil {
			c.amends[st.ref] = m.ID
		}
		return true, err
	case "resolve-amendment":
		restart := st.cond == "true"
		_, err := s.svc.Cases.ResolveAmendment(s.ctx, a, c.amends[st.ref], docket.AmendmentResolution{RestartClock: &restart,
			Note: str(st.text)})
		return true, err
	case "publish":
		for _, e := range c.spec.entries {
			if e.ref != st.ref {
				continue
			}
			due := clock.DateOf(s.clk.Now(), s.loc).AddDays(e.dueIn).String()
			in := docket.PublishInput{Subject: str(e.subject), VulnerabilityName: str(e.name), ShortDescription: str(e.description),
				RequiredAction: str(e.action), DueDate: str(due), Notes: str(e.notes), RedactLab: &e.redact}
			if e.subject == docket.SubjectThirdParty {
				in.AffectedVendor, in.AffectedProduct = str(e.vendor), str(e.product)
				if e.cve != "" {
					in.CVEID = str(e.cve)
				}
			}
			_, err := s.svc.Clearinghouse.PublishFinding(s.ctx, a, c.finds[st.ref], in)
			return true, err
		}
		return true, fmt.Errorf("no Clearinghouse entry for finding %s", st.ref)
	}
	return false, nil
}
