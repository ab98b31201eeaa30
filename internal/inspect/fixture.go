package inspect

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Fixture describes a run to write as an Inspect log, for tests and the demo.
// The logs it writes follow Inspect's layout: an .eval ZIP holds
// _journal/start.json, samples/<id>_epoch_<n>.json, _journal/summaries/<n>.json,
// summaries.json, reductions.json and header.json (written last, when the run
// finished); a .json log is the whole object (version, status, eval, plan,
// results, stats, error, samples, reductions) in one file.
type Fixture struct {
	Status           string // success unless set
	Invalidated      bool
	EvalID, RunID    string
	Created          string // RFC 3339
	Task             string // e.g. inspect_evals/cybench
	TaskRegistryName string // defaults to Task
	TaskVersion      any
	TaskArgs         map[string]any
	Model            string
	Dataset          string
	Samples          int // dataset samples; total = Samples × Epochs
	Epochs           int
	Completed        int // completed samples; total unless set
	Scorer           string
	Metrics          map[string]float64
	// NoResults leaves the results out (a run that did not finish).
	NoResults bool
	// SampleText pads each sample's output, to make a large log.
	SampleText string
}

func (f Fixture) withDefaults() Fixture {
	if f.Status == "" {
		f.Status = "success"
	}
	if f.EvalID == "" {
		f.EvalID = "Xk3vQ9mPz7RtLw2bNcY5hA"
	}
	if f.RunID == "" {
		f.RunID = "Fq8LmT2rVn6KpJx4WdZ9sE"
	}
	if f.Created == "" {
		f.Created = "2026-11-20T14:03:11+00:00"
	}
	if f.Task == "" {
		f.Task = "inspect_evals/cybench"
	}
	if f.TaskRegistryName == "" {
		f.TaskRegistryName = f.Task
	}
	if f.TaskVersion == nil {
		f.TaskVersion = 1
	}
	if f.TaskArgs == nil {
		f.TaskArgs = map[string]any{"eval_names": nil, "variant_names": "hard", "sandbox_type": "docker"}
	}
	if f.Model == "" {
		f.Model = "openai-api/northwind/atlas-7"
	}
	if f.Dataset == "" {
		f.Dataset = "cybench"
	}
	if f.Samples == 0 {
		f.Samples = 4
	}
	if f.Epochs == 0 {
		f.Epochs = 1
	}
	if f.Completed == 0 {
		f.Completed = f.Samples * f.Epochs
	}
	if f.Scorer == "" {
		f.Scorer = "includes"
	}
	if f.Metrics == nil {
		f.Metrics = map[string]float64{"accuracy": 0.5, "stderr": 0.25}
	}
	return f
}

func (f Fixture) spec() map[string]any {
	return map[string]any{
		"eval_set_id": nil, "eval_id": f.EvalID, "run_id": f.RunID, "created": f.Created,
		"task": f.Task, "task_id": "k9XcT4vB", "task_version": f.TaskVersion, "task_file": nil,
		"task_registry_name": f.TaskRegistryName, "task_attribs": map[string]any{},
		"task_args": f.TaskArgs, "task_args_passed": map[string]any{},
		"dataset": map[string]any{"name": f.Dataset, "location": f.Dataset, "samples": f.Samples,
			"sample_ids": sampleIDs(f.Samples), "shuffled": false},
		"sandbox": map[string]any{"type": "docker", "config": nil},
		"model":   f.Model, "model_generate_config": map[string]any{}, "model_args": map[string]any{},
		"config": map[string]any{"epochs": f.Epochs, "epochs_reducer": []string{"mean"}, "fail_on_error": true,
			"sandbox_cleanup": true, "log_samples": true, "log_realtime": true, "log_images": true, "score_display": true},
		"revision": map[string]any{"type": "git", "origin": "https://github.com/UKGovernmentBEIS/inspect_evals.git",
			"commit": "3f1c2ab", "dirty": false},
		"packages": map[string]any{"inspect_ai": "0.3.140", "inspect_evals": "0.3.101"},
		"scorers":  []any{map[string]any{"name": f.Scorer, "options": map[string]any{}, "metrics": []any{}}},
	}
}

func sampleIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("challenge-%d", i+1)
	}
	return ids
}

func (f Fixture) plan() map[string]any {
	return map[string]any{"name": "plan", "steps": []any{map[string]any{"solver": "react", "params": map[string]any{}}},
		"config": map[string]any{}}
}

func (f Fixture) results() any {
	if f.NoResults {
		return nil
	}
	metrics := map[string]any{}
	for name, v := range f.Metrics {
		metrics[name] = map[string]any{"name": name, "value": v, "params": map[string]any{}}
	}
	return map[string]any{
		"total_samples": f.Samples * f.Epochs, "completed_samples": f.Completed,
		"scores": []any{map[string]any{"name": f.Scorer, "scorer": f.Scorer, "reducer": "mean",
			"scored_samples": f.Completed, "unscored_samples": 0, "params": map[string]any{}, "metrics": metrics}},
	}
}

func (f Fixture) stats() map[string]any {
	return map[string]any{"started_at": f.Created, "completed_at": f.Created,
		"model_usage": map[string]any{f.Model: map[string]any{"input_tokens": 120400, "output_tokens": 8800, "total_tokens": 129200}}}
}

func (f Fixture) sample(id string, epoch int) map[string]any {
	return map[string]any{
		"id": id, "epoch": epoch, "input": "Capture the flag on the target host.", "target": "flag{demo}",
		"messages": []any{
			map[string]any{"role": "user", "content": "Capture the flag on the target host."},
			map[string]any{"role": "assistant", "content": "I ran nmap against the host. " + f.SampleText},
		},
		"output": map[string]any{"model": f.Model, "choices": []any{}, "completion": f.SampleText},
		"scores": map[string]any{f.Scorer: map[string]any{"value": "C", "answer": "flag{demo}"}},
		"events": []any{}, "model_usage": map[string]any{}, "store": map[string]any{}, "attachments": map[string]any{},
	}
}

func (f Fixture) header() map[string]any {
	h := map[string]any{"version": 2, "status": f.Status, "eval": f.spec(), "plan": f.plan(),
		"results": f.results(), "stats": f.stats(), "error": nil, "invalidated": f.Invalidated}
	if f.Status == "error" {
		h["error"] = map[string]any{"message": "RuntimeError: sandbox failed", "traceback": "", "traceback_ansi": ""}
	}
	return h
}

// WriteJSON writes the run as a .json log, samples included; the samples are
// written one by one, so a large log never sits in memory here either.
func (f Fixture) WriteJSON(w io.Writer) error {
	f = f.withDefaults()
	h := f.header()
	var err error
	put := func(s string) {
		if err == nil {
			_, err = io.WriteString(w, s)
		}
	}
	val := func(v any) {
		if err != nil {
			return
		}
		var b []byte
		b, err = json.Marshal(v)
		put(string(b))
	}
	put("{")
	for i, k := range []string{"version", "status", "eval", "plan", "results", "stats", "error", "invalidated"} {
		if i > 0 {
			put(",")
		}
		val(k)
		put(":")
		val(h[k])
	}
	put(`,"samples":[`)
	n := 0
	for e := 1; e <= f.Epochs; e++ {
		for _, id := range sampleIDs(f.Samples) {
			if n > 0 {
				put(",")
			}
			val(f.sample(id, e))
			n++
		}
	}
	put(`],"reductions":[`)
	val(f.reductions())
	put("]}")
	return err
}

func (f Fixture) reductions() map[string]any {
	var samples []any
	for _, id := range sampleIDs(f.Samples) {
		samples = append(samples, map[string]any{"value": 1, "sample_id": id})
	}
	return map[string]any{"scorer": f.Scorer, "reducer": "mean", "samples": samples}
}

// WriteEval writes the run as an .eval ZIP, its entries compressed with
// method: zip.Deflate, or 93 for Zstandard. A run with status started gets
// no header.json (it never finished).
func (f Fixture) WriteEval(w io.Writer, method uint16) error {
	f = f.withDefaults()
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zipZstd, func(out io.Writer) (io.WriteCloser, error) {
		return zstd.NewWriter(out, zstd.WithEncoderConcurrency(1))
	})
	entry := func(name string, v any) error {
		ew, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method})
		if err != nil {
			return err
		}
		return json.NewEncoder(ew).Encode(v)
	}
	if err := entry(journalStart, map[string]any{"version": 2, "eval": f.spec(), "plan": f.plan()}); err != nil {
		return err
	}
	var summaries []any
	for e := 1; e <= f.Epochs; e++ {
		for _, id := range sampleIDs(f.Samples) {
			if err := entry(fmt.Sprintf("samples/%s_epoch_%d.json", id, e), f.sample(id, e)); err != nil {
				return err
			}
			summaries = append(summaries, map[string]any{"id": id, "epoch": e, "input": "Capture the flag on the target host.",
				"target": "flag{demo}", "scores": map[string]any{f.Scorer: map[string]any{"value": "C"}}})
		}
	}
	if err := entry("_journal/summaries/1.json", summaries); err != nil {
		return err
	}
	if f.Status != "started" {
		if err := entry("summaries.json", summaries); err != nil {
			return err
		}
		if err := entry("reductions.json", []any{f.reductions()}); err != nil {
			return err
		}
		if err := entry(headerEntry, f.header()); err != nil {
			return err
		}
	}
	return zw.Close()
}

// EvalFileName is the name Inspect gives a log: its creation time, the task
// and the eval id.
func (f Fixture) EvalFileName(ext string) string {
	f = f.withDefaults()
	t := strings.NewReplacer(":", "-", "+00-00", "").Replace(f.Created)
	task := f.Task[strings.LastIndex(f.Task, "/")+1:]
	return fmt.Sprintf("%s_%s_%s.%s", t, strings.ReplaceAll(task, "_", "-"), f.EvalID, ext)
}
