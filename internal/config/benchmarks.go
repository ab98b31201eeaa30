package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"gopkg.in/yaml.v3"

	"github.com/docket/docket/configs"
	"github.com/docket/docket/internal/docket"
)

// DefaultBenchmarks is the default of the benchmarks setting.
const DefaultBenchmarks = "configs/benchmarks.yaml"

// BuiltInBenchmarks names the source of the example set built into Docket.
const BuiltInBenchmarks = "the example benchmarks built into Docket"

// LoadBenchmarks reads and validates the benchmarks file at path. When path is
// the default and no such file exists (Docket runs outside its folder), it
// returns the example set built into the binary, the same as the shipped
// file. It also returns where the set came from. Every error names the file,
// and the benchmark and the field at fault.
func LoadBenchmarks(path string) ([]docket.Benchmark, string, error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		list, err := ParseBenchmarks(path, data)
		return list, path, err
	case path == DefaultBenchmarks && errors.Is(err, fs.ErrNotExist):
		return ExampleBenchmarks(), BuiltInBenchmarks, nil
	}
	return nil, "", fmt.Errorf("benchmarks: %w", err)
}

// ExampleBenchmarks returns the example set built into Docket. It panics if
// that file does not parse, which a test rules out.
func ExampleBenchmarks() []docket.Benchmark {
	list, err := ParseBenchmarks("configs/benchmarks.yaml (built in)", configs.Benchmarks)
	if err != nil {
		panic(err)
	}
	return list
}

// benchmarkKeys are the keys a benchmark may have.
var benchmarkKeys = map[string]bool{"id": true, "name": true, "version": true, "description": true, "unit": true,
	"min": true, "max": true, "higher_is_riskier": true, "thresholds": true, "inspect": true}

// ParseBenchmarks reads a benchmarks file: a mapping with one key,
// benchmarks, a list of benchmarks. Unknown or repeated keys, missing
// required fields, values of the wrong type and thresholds in the wrong order
// are errors naming the file, the benchmark (its id, else its position) and
// the field.
func ParseBenchmarks(name string, data []byte) ([]docket.Benchmark, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("benchmarks file %s: %s", name, fmt.Sprintf(format, args...))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fail("not YAML: %v", err)
	}
	if len(doc.Content) == 0 {
		return nil, fail("empty: want a mapping with the key benchmarks")
	}
	root := deref(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil, fail("want a mapping with the key benchmarks, got %s", kindName(root))
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k := root.Content[i].Value
		if k != "benchmarks" {
			return nil, fail("line %d: unknown key %q (the file has one key, benchmarks)", root.Content[i].Line, k)
		}
		if list != nil {
			return nil, fail("line %d: benchmarks given twice", root.Content[i].Line)
		}
		list = deref(root.Content[i+1])
	}
	if list == nil {
		return nil, fail("no benchmarks key")
	}
	if isNull(list) {
		return []docket.Benchmark{}, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fail("benchmarks: want a list, got %s", kindName(list))
	}
	out := make([]docket.Benchmark, 0, len(list.Content))
	for i, item := range list.Content {
		b, who, err := parseBenchmark(deref(item), i)
		if err != nil {
			return nil, fail("%s: %v", who, err)
		}
		if err := b.Validate(); err != nil {
			e := docket.AsError(err)
			return nil, fail("%s: %s: %s", who, e.Field, e.Message)
		}
		out = append(out, b)
	}
	if err := docket.ValidateBenchmarks(out); err != nil {
		return nil, fail("%v", err)
	}
	return out, nil
}

// parseBenchmark reads one benchmark's mapping. who names it for errors.
func parseBenchmark(n *yaml.Node, i int) (docket.Benchmark, string, error) {
	var b docket.Benchmark
	who := fmt.Sprintf("benchmark %d (line %d)", i+1, n.Line)
	if n.Kind != yaml.MappingNode {
		return b, who, fmt.Errorf("want a mapping, got %s", kindName(n))
	}
	fields := map[string]*yaml.Node{}
	for j := 0; j+1 < len(n.Content); j += 2 {
		k := n.Content[j].Value
		if _, dup := fields[k]; dup {
			return b, who, fmt.Errorf("%s: given twice", k)
		}
		fields[k] = deref(n.Content[j+1])
		if k == "id" && fields[k].Kind == yaml.ScalarNode {
			who = fmt.Sprintf("benchmark %q (line %d)", fields[k].Value, n.Line)
		}
	}
	for j := 0; j+1 < len(n.Content); j += 2 {
		if k := n.Content[j].Value; !benchmarkKeys[k] {
			return b, who, fmt.Errorf("%s: unknown field (line %d)", k, n.Content[j].Line)
		}
	}
	str := func(key string, required bool) (string, error) {
		v, ok := fields[key]
		if !ok || isNull(v) {
			if required {
				return "", fmt.Errorf("%s: is required", key)
			}
			return "", nil
		}
		if v.Kind != yaml.ScalarNode {
			return "", fmt.Errorf("%s: want text, got %s", key, kindName(v))
		}
		return v.Value, nil
	}
	num := func(key string, m map[string]*yaml.Node, path string) (*float64, error) {
		v, ok := m[key]
		if !ok || isNull(v) {
			return nil, nil
		}
		if v.Kind != yaml.ScalarNode || (v.ShortTag() != "!!int" && v.ShortTag() != "!!float") {
			return nil, fmt.Errorf("%s: want a number, got %q", path, v.Value)
		}
		f, err := strconv.ParseFloat(v.Value, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: want a number, got %q", path, v.Value)
		}
		return &f, nil
	}
	var err error
	if b.ID, err = str("id", true); err != nil {
		return b, who, err
	}
	if b.Name, err = str("name", true); err != nil {
		return b, who, err
	}
	if b.Version, err = str("version", true); err != nil {
		return b, who, err
	}
	if b.Description, err = str("description", true); err != nil {
		return b, who, err
	}
	if b.Unit, err = str("unit", false); err != nil {
		return b, who, err
	}
	if b.Min, err = num("min", fields, "min"); err != nil {
		return b, who, err
	}
	if b.Max, err = num("max", fields, "max"); err != nil {
		return b, who, err
	}
	hr, ok := fields["higher_is_riskier"]
	if !ok || isNull(hr) {
		return b, who, errors.New("higher_is_riskier: is required (true or false)")
	}
	if hr.Kind != yaml.ScalarNode || hr.ShortTag() != "!!bool" {
		return b, who, fmt.Errorf("higher_is_riskier: want true or false, got %q", hr.Value)
	}
	b.HigherIsRiskier = hr.Value == "true" || hr.Value == "True" || hr.Value == "TRUE"
	th, ok := fields["thresholds"]
	if !ok || isNull(th) {
		return b, who, errors.New("thresholds: is required (elevated, high and critical)")
	}
	if th.Kind != yaml.MappingNode {
		return b, who, fmt.Errorf("thresholds: want a mapping of elevated, high and critical, got %s", kindName(th))
	}
	tm := map[string]*yaml.Node{}
	for j := 0; j+1 < len(th.Content); j += 2 {
		k := th.Content[j].Value
		if k != "elevated" && k != "high" && k != "critical" {
			return b, who, fmt.Errorf("thresholds.%s: unknown field (the tiers are elevated, high and critical)", k)
		}
		if _, dup := tm[k]; dup {
			return b, who, fmt.Errorf("thresholds.%s: given twice", k)
		}
		tm[k] = deref(th.Content[j+1])
	}
	for _, x := range []struct {
		key string
		dst *float64
	}{{"elevated", &b.Elevated}, {"high", &b.High}, {"critical", &b.Critical}} {
		v, err := num(x.key, tm, "thresholds."+x.key)
		if err != nil {
			return b, who, err
		}
		if v == nil {
			return b, who, fmt.Errorf("thresholds.%s: is required", x.key)
		}
		*x.dst = *v
	}
	if in, ok := fields["inspect"]; ok && !isNull(in) {
		m, err := parseInspect(in, num)
		if err != nil {
			return b, who, err
		}
		b.Inspect = m
	}
	return b, who, nil
}

// parseInspect reads a benchmark's Inspect mapping: {tasks, scorer?, metric, scale}.
func parseInspect(n *yaml.Node, num func(string, map[string]*yaml.Node, string) (*float64, error)) (*docket.InspectMapping, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("inspect: want a mapping of tasks, scorer, metric and scale, got %s", kindName(n))
	}
	fields := map[string]*yaml.Node{}
	for j := 0; j+1 < len(n.Content); j += 2 {
		k := n.Content[j].Value
		switch k {
		case "tasks", "scorer", "metric", "scale":
		default:
			return nil, fmt.Errorf("inspect.%s: unknown field (line %d; the fields are tasks, scorer, metric and scale)", k, n.Content[j].Line)
		}
		if _, dup := fields[k]; dup {
			return nil, fmt.Errorf("inspect.%s: given twice", k)
		}
		fields[k] = deref(n.Content[j+1])
	}
	m := &docket.InspectMapping{}
	tasks, ok := fields["tasks"]
	if !ok || isNull(tasks) {
		return nil, errors.New("inspect.tasks: is required (the Inspect tasks that measure the benchmark, e.g. [inspect_evals/cybench])")
	}
	if tasks.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("inspect.tasks: want a list of task names, got %s", kindName(tasks))
	}
	for _, t := range tasks.Content {
		t = deref(t)
		if t.Kind != yaml.ScalarNode || t.ShortTag() != "!!str" {
			return nil, fmt.Errorf("inspect.tasks: want task names, got %s (line %d)", kindName(t), t.Line)
		}
		m.Tasks = append(m.Tasks, t.Value)
	}
	for _, x := range []struct {
		key string
		dst *string
	}{{"scorer", &m.Scorer}, {"metric", &m.Metric}} {
		v, ok := fields[x.key]
		if !ok || isNull(v) {
			continue
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("inspect.%s: want a name, got %s", x.key, kindName(v))
		}
		*x.dst = v.Value
	}
	scale, err := num("scale", fields, "inspect.scale")
	if err != nil {
		return nil, err
	}
	if scale == nil {
		return nil, errors.New("inspect.scale: is required (the metric's value times scale is the score: 100 for a 0-1 accuracy on a 0-100 benchmark)")
	}
	m.Scale = *scale
	return m, nil
}
