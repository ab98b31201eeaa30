package docket

import (
	"math"
	"regexp"
)

// InspectMapping says which Inspect tasks measure a benchmark and how a
// log's score becomes the benchmark's: the value of Metric (reported by
// Scorer, when given) times Scale, so an accuracy of 0.42 is 42 on a 0–100
// benchmark. A task matches by its registry name, else by its name.
type InspectMapping struct {
	Tasks  []string
	Scorer string
	Metric string
	Scale  float64
}

// inspectNameRE is a task, scorer or metric name as Inspect writes them
// ("inspect_evals/cybench", "includes", "accuracy").
var inspectNameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.:/@-]{0,199}$`)

// Validate checks a mapping: every failure is a 422 whose field names the
// setting ("inspect.tasks").
func (m InspectMapping) Validate() error {
	if len(m.Tasks) == 0 {
		return Unacceptable("inspect.tasks", "is required: the Inspect tasks that measure the benchmark (e.g. inspect_evals/cybench)")
	}
	seen := map[string]bool{}
	for _, t := range m.Tasks {
		if !inspectNameRE.MatchString(t) {
			return Unacceptable("inspect.tasks", "%q is not a task name (letters, digits, '_', '.', ':', '/', '@', '-')", t)
		}
		if seen[t] {
			return Unacceptable("inspect.tasks", "%q is listed twice", t)
		}
		seen[t] = true
	}
	if m.Scorer != "" && !inspectNameRE.MatchString(m.Scorer) {
		return Unacceptable("inspect.scorer", "%q is not a scorer name", m.Scorer)
	}
	if !inspectNameRE.MatchString(m.Metric) {
		return Unacceptable("inspect.metric", "is required: the metric whose value becomes the score (e.g. accuracy)")
	}
	if math.IsNaN(m.Scale) || math.IsInf(m.Scale, 0) || m.Scale <= 0 {
		return Unacceptable("inspect.scale", "must be a number above 0 (the metric's value times scale is the score)")
	}
	return nil
}
