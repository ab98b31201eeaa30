package inspect

import (
	"fmt"
	"sort"
	"strings"

	"github.com/docket/docket/internal/docket"
)

// Value is one metric a log reports: the scorer that reported it, the
// metric's name and its value. Metrics without a value are left out.
type Value struct {
	Scorer string  `json:"scorer"`
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
}

// Values lists the log's metrics with a value, in the log's order.
func (l *Log) Values() []Value {
	var out []Value
	if l.Results == nil {
		return out
	}
	for _, s := range l.Results.Scores {
		for _, m := range s.Metrics {
			if m.Value != nil {
				out = append(out, Value{Scorer: scorerName(s), Metric: m.Name, Value: *m.Value})
			}
		}
	}
	return out
}

// scorerName is the name a mapping's scorer matches: the score's scorer,
// else its name.
func scorerName(s Score) string {
	if s.Scorer != "" {
		return s.Scorer
	}
	return s.Name
}

// Result is one benchmark score a log makes.
type Result struct {
	BenchmarkID      string
	BenchmarkVersion string
	// Scorer and Metric name the value taken; Value is the log's, Score the
	// benchmark's (Value × the mapping's scale).
	Scorer string
	Metric string
	Value  float64
	Score  float64
	Tier   string
}

// Map turns a log's scores into benchmark results by the benchmarks'
// mappings: each benchmark that lists the log's task takes the first value of
// its metric (from its scorer, when the mapping names one). Refusals are 422s:
// a task no benchmark maps (field task, naming it); no mapped metric among the
// log's scores, or a score outside its benchmark's range (field file).
func Map(l *Log, benchmarks []docket.Benchmark) ([]Result, error) {
	matched := matching(l.Eval.TaskRegistryName, benchmarks)
	if len(matched) == 0 {
		matched = matching(l.Eval.Task, benchmarks)
	}
	if len(matched) == 0 {
		return nil, docket.Unacceptable("task", "the task %q is not mapped to any of the agency's benchmarks (inspect.tasks in the benchmarks file)", l.Eval.TaskName())
	}
	var out []Result
	var wanted []string
	for _, b := range matched {
		m := b.Inspect
		want := m.Metric
		if m.Scorer != "" {
			want = m.Scorer + "/" + m.Metric
		}
		wanted = append(wanted, fmt.Sprintf("%s for %s", want, b.ID))
		v, ok := find(l, m.Scorer, m.Metric)
		if !ok {
			continue
		}
		score := v.Value * m.Scale
		if b.Min != nil && (score < *b.Min || score > *b.Max) {
			return nil, docket.Unacceptable("file", "the log's %s %s is %g, which makes %g on %s, outside its range %g to %g",
				v.Scorer, v.Metric, v.Value, score, b.ID, *b.Min, *b.Max)
		}
		out = append(out, Result{BenchmarkID: b.ID, BenchmarkVersion: b.Version, Scorer: v.Scorer, Metric: v.Metric,
			Value: v.Value, Score: score, Tier: b.Tier(score)})
	}
	if len(out) == 0 {
		var have []string
		for _, v := range l.Values() {
			have = append(have, v.Scorer+"/"+v.Metric)
		}
		got := "none"
		if len(have) > 0 {
			got = strings.Join(have, ", ")
		}
		return nil, docket.Unacceptable("file", "the log's scores hold no mapped metric: the benchmarks want %s; the log has %s",
			strings.Join(wanted, "; "), got)
	}
	return out, nil
}

// matching lists the benchmarks whose mapping names the task, by id.
func matching(task string, benchmarks []docket.Benchmark) []docket.Benchmark {
	if task == "" {
		return nil
	}
	var out []docket.Benchmark
	for _, b := range benchmarks {
		if b.Inspect == nil {
			continue
		}
		for _, t := range b.Inspect.Tasks {
			if t == task {
				out = append(out, b)
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// find returns the first value of the metric, from the scorer when one is
// named (matching a score's scorer or its name).
func find(l *Log, scorer, metric string) (Value, bool) {
	if l.Results == nil {
		return Value{}, false
	}
	for _, s := range l.Results.Scores {
		if scorer != "" && s.Scorer != scorer && s.Name != scorer {
			continue
		}
		for _, m := range s.Metrics {
			if m.Name == metric && m.Value != nil {
				return Value{Scorer: scorerName(s), Metric: m.Name, Value: *m.Value}, true
			}
		}
	}
	return Value{}, false
}
