// Package inspect reads the logs of the UK AI Security Institute's Inspect
// framework (inspect_ai): an .eval file (a ZIP whose header.json holds the
// finished run, its entries deflate- or Zstandard-compressed) or a .json log
// (the same object in one file, samples included, read as a stream so that a
// log of hundreds of megabytes is never held in memory). It reads the header
// only, and of it only what Docket records: status, invalidated, eval.{eval_id,
// run_id, created, task, task_registry_name, task_version, task_args, model,
// dataset.{name, samples}, config.epochs, revision.commit,
// packages.inspect_ai} and results.{total_samples, completed_samples,
// scores[].{name, scorer, reducer, metrics.<name>.value}}.
//
// Every refusal is a *docket.Error naming the field (file or task) and saying
// why: 422 for a log that is not evidence, 413 for a ZIP over the size limits.
package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/docket/docket/internal/docket"
)

// The formats of a log.
const (
	FormatEval = "eval"
	FormatJSON = "json"
)

// Size limits of an .eval file: an entry over MaxEntryBytes uncompressed, or
// entries over MaxTotalBytes in all, are refused (413) before anything is
// decompressed past the limit, so a ZIP bomb stops there.
const (
	MaxEntryBytes int64 = 64 << 20
	MaxTotalBytes int64 = 256 << 20
)

// MaxTaskArgsBytes bounds the task arguments kept from a log (compact JSON).
const MaxTaskArgsBytes = 16 << 10

// maxText bounds every other text kept from a log.
const maxText = 1000

// Log is what Docket reads of an Inspect log's header.
type Log struct {
	Format      string
	Status      string
	Invalidated bool
	Eval        Eval
	// Results is nil when the log has none (a run that did not finish).
	Results *Results
}

// Eval is the run's identity and configuration.
type Eval struct {
	EvalID           string
	RunID            string
	Created          string
	Task             string
	TaskRegistryName string
	// TaskVersion is the task's version as the log writes it (a number or a text).
	TaskVersion string
	// TaskArgs is the task's arguments as compact JSON ({} when none).
	TaskArgs       json.RawMessage
	Model          string
	DatasetName    string
	DatasetSamples *int
	Epochs         *int
	Commit         string
	InspectVersion string
}

// TaskName is the name a benchmark's mapping matches: the task's registry
// name, else its name.
func (e Eval) TaskName() string {
	if e.TaskRegistryName != "" {
		return e.TaskRegistryName
	}
	return e.Task
}

// Results are the run's sample counts and scores.
type Results struct {
	TotalSamples     int
	CompletedSamples int
	Scores           []Score
}

// Score is one scorer's results: its metrics in the order the log gives them.
type Score struct {
	Name    string
	Scorer  string
	Reducer string
	Metrics []Metric
}

// Metric is one metric's value. Value is nil when the log has none (Inspect
// writes a NaN as null).
type Metric struct {
	Name  string
	Value *float64
}

// Read reads a log from r (size bytes): an .eval ZIP when it starts with a
// ZIP signature, else a JSON log. It checks the log is one Docket can take as
// evidence (see Check) and returns its header. Errors are *docket.Error: 422
// naming file when it is not a log or not evidence, 413 naming file for a ZIP
// over the limits.
func Read(r io.ReaderAt, size int64) (*Log, error) {
	var head [4]byte
	n, _ := r.ReadAt(head[:], 0)
	var l *Log
	var err error
	switch {
	case n >= 4 && bytes.Equal(head[:], []byte("PK\x03\x04")), n >= 4 && bytes.Equal(head[:], []byte("PK\x05\x06")):
		l, err = readEval(r, size)
	case n > 0 && firstNonSpace(io.NewSectionReader(r, 0, size)) == '{':
		l, err = readJSON(io.NewSectionReader(r, 0, size))
	default:
		return nil, refuse("is neither an Inspect .eval log (a ZIP) nor a .json log")
	}
	if err != nil {
		return nil, err
	}
	if err := l.Check(); err != nil {
		return nil, err
	}
	return l, nil
}

// Check refuses a log that is not evidence of a finished, valid run: a status
// other than success, invalidated samples, no results, fewer completed samples
// than the total. Each refusal is a 422 naming file.
func (l *Log) Check() error {
	switch {
	case l.Status != "success":
		st := l.Status
		if st == "" {
			st = "missing"
		}
		return refuse("status is %q: only a run that finished with status success is evidence", st)
	case l.Invalidated:
		return refuse("is invalidated: samples of this run were invalidated after it ran")
	case l.Results == nil:
		return refuse("has no results: the run never finished")
	case l.Results.CompletedSamples < l.Results.TotalSamples:
		return refuse("is incomplete: %d of %d samples completed", l.Results.CompletedSamples, l.Results.TotalSamples)
	case l.Eval.TaskName() == "":
		return refuse("names no task (eval.task)")
	}
	return nil
}

// refuse is a 422 about the file.
func refuse(format string, args ...any) error {
	return docket.Unacceptable("file", "the log "+format, args...)
}

// tooLarge is a 413 about the file.
func tooLarge(format string, args ...any) error {
	return &docket.Error{Code: docket.ETooLarge, Field: "file", Message: fmt.Sprintf(format, args...)}
}

func firstNonSpace(r io.Reader) byte {
	var b [1]byte
	br := io.LimitReader(r, 4096)
	for {
		if _, err := br.Read(b[:]); err != nil {
			return 0
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			continue
		case 0xEF: // a UTF-8 byte order mark
			continue
		case 0xBB, 0xBF:
			continue
		}
		return b[0]
	}
}

// readJSON reads a .json log: the whole log object in one file, streamed.
func readJSON(r io.Reader) (*Log, error) {
	l, err := decodeHeader(r, "")
	if err != nil {
		return nil, err
	}
	l.Format = FormatJSON
	return l, nil
}

// decoder walks a log's JSON token by token, decoding only the fields Docket
// reads and skipping the rest (samples, events, messages) without holding them.
type decoder struct {
	dec *json.Decoder
	// where names the object being read in errors ("header.json: ").
	where string
}

// malformed is a 422 about a log whose JSON does not parse or has a field of
// the wrong type.
func (d *decoder) malformed(path string, err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return refuse("%sis cut short: the JSON ends inside %s", d.where, orTop(path))
	case errors.As(err, &syn):
		return refuse("%sis not valid JSON at byte %d (%s)", d.where, syn.Offset, syn.Error())
	case docket.AsError(err) != nil:
		return err
	}
	return refuse("%shas an unreadable %s: %v", d.where, orTop(path), err)
}

func orTop(path string) string {
	if path == "" {
		return "the top-level object"
	}
	return path
}

// decodeHeader reads the log object from r: the top-level fields status,
// invalidated, eval and results; every other field (version, plan, stats,
// error, samples, reductions, …) is skipped token by token.
func decodeHeader(r io.Reader, where string) (*Log, error) {
	d := &decoder{dec: json.NewDecoder(r), where: where}
	d.dec.UseNumber()
	l := &Log{}
	seenEval := false
	err := d.object("", func(key string) error {
		switch key {
		case "status":
			return d.str("status", &l.Status)
		case "invalidated":
			var v any
			if err := d.dec.Decode(&v); err != nil {
				return d.malformed("invalidated", err)
			}
			b, ok := v.(bool)
			if v != nil && !ok {
				return refuse("%shas invalidated that is not true or false", d.where)
			}
			l.Invalidated = b
			return nil
		case "eval":
			seenEval = true
			return d.eval(&l.Eval)
		case "results":
			return d.results(&l.Results)
		}
		return d.skip(key)
	})
	if err != nil {
		return nil, err
	}
	if tok, err := d.dec.Token(); err != io.EOF {
		if err != nil {
			return nil, d.malformed("", err)
		}
		return nil, refuse("%shas data after the log object (%v)", d.where, tok)
	}
	if !seenEval {
		return nil, refuse("%shas no eval: this is not an Inspect log", d.where)
	}
	return l, nil
}

// object reads an object's opening brace, calls field for each key with the
// decoder before its value (field must consume the value), and reads the
// closing brace. A null is an object without fields.
func (d *decoder) object(path string, field func(key string) error) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.malformed(path, err)
	}
	if tok == nil {
		return nil
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return refuse("%shas %s that is not an object", d.where, orTop(path))
	}
	seen := map[string]bool{}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return d.malformed(path, err)
		}
		key, ok := tok.(string)
		if !ok {
			return d.malformed(path, fmt.Errorf("a key that is not a string"))
		}
		if seen[key] {
			return refuse("%shas %s twice", d.where, join(path, key))
		}
		seen[key] = true
		if err := field(key); err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return d.malformed(path, err)
	}
	return nil
}

// array reads an array, calling item for each element before its value. A
// null is an empty array.
func (d *decoder) array(path string, item func(i int) error) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.malformed(path, err)
	}
	if tok == nil {
		return nil
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		return refuse("%shas %s that is not a list", d.where, path)
	}
	for i := 0; d.dec.More(); i++ {
		if err := item(i); err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return d.malformed(path, err)
	}
	return nil
}

// skip consumes one value of any size, token by token.
func (d *decoder) skip(path string) error {
	depth := 0
	for {
		tok, err := d.dec.Token()
		if err != nil {
			return d.malformed(path, err)
		}
		if delim, ok := tok.(json.Delim); ok {
			switch delim {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// str reads a text (or null, as empty), at most maxText bytes.
func (d *decoder) str(path string, dst *string) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.malformed(path, err)
	}
	switch v := tok.(type) {
	case nil:
		*dst = ""
	case string:
		if len(v) > maxText {
			return refuse("%shas %s longer than %d bytes", d.where, path, maxText)
		}
		*dst = v
	default:
		if _, ok := v.(json.Delim); ok {
			return refuse("%shas %s that is not a text", d.where, path)
		}
		return refuse("%shas %s that is not a text", d.where, path)
	}
	return nil
}

// strOrNumber reads a text or a number as text (task_version is either).
func (d *decoder) strOrNumber(path string, dst *string) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.malformed(path, err)
	}
	switch v := tok.(type) {
	case nil:
		*dst = ""
	case string:
		if len(v) > maxText {
			return refuse("%shas %s longer than %d bytes", d.where, path, maxText)
		}
		*dst = v
	case json.Number:
		*dst = v.String()
	default:
		return refuse("%shas %s that is neither a number nor a text", d.where, path)
	}
	return nil
}

// count reads a whole number of at least 0 (or null, as nil).
func (d *decoder) count(path string, dst **int) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.malformed(path, err)
	}
	switch v := tok.(type) {
	case nil:
		*dst = nil
		return nil
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 32)
		if err != nil || n < 0 {
			return refuse("%shas %s = %s, not a count", d.where, path, v)
		}
		i := int(n)
		*dst = &i
		return nil
	}
	return refuse("%shas %s that is not a number", d.where, path)
}

func (d *decoder) eval(e *Eval) error {
	return d.object("eval", func(key string) error {
		p := "eval." + key
		switch key {
		case "eval_id":
			return d.str(p, &e.EvalID)
		case "run_id":
			return d.str(p, &e.RunID)
		case "created":
			return d.str(p, &e.Created)
		case "task":
			return d.str(p, &e.Task)
		case "task_registry_name":
			return d.str(p, &e.TaskRegistryName)
		case "task_version":
			return d.strOrNumber(p, &e.TaskVersion)
		case "task_args":
			var raw json.RawMessage
			if err := d.dec.Decode(&raw); err != nil {
				return d.malformed(p, err)
			}
			var buf bytes.Buffer
			if err := json.Compact(&buf, raw); err != nil {
				return d.malformed(p, err)
			}
			if buf.Len() > MaxTaskArgsBytes {
				return refuse("%shas eval.task_args of %d bytes, over the %d Docket keeps", d.where, buf.Len(), MaxTaskArgsBytes)
			}
			if t := bytes.TrimSpace(buf.Bytes()); len(t) == 0 || t[0] != '{' {
				if string(t) == "null" {
					e.TaskArgs = json.RawMessage("{}")
					return nil
				}
				return refuse("%shas eval.task_args that is not an object", d.where)
			}
			e.TaskArgs = json.RawMessage(buf.Bytes())
			return nil
		case "model":
			return d.str(p, &e.Model)
		case "dataset":
			return d.object(p, func(k string) error {
				switch k {
				case "name":
					return d.str(p+".name", &e.DatasetName)
				case "samples":
					return d.count(p+".samples", &e.DatasetSamples)
				}
				return d.skip(p + "." + k)
			})
		case "config":
			return d.object(p, func(k string) error {
				if k == "epochs" {
					return d.count(p+".epochs", &e.Epochs)
				}
				return d.skip(p + "." + k)
			})
		case "revision":
			return d.object(p, func(k string) error {
				if k == "commit" {
					return d.str(p+".commit", &e.Commit)
				}
				return d.skip(p + "." + k)
			})
		case "packages":
			return d.object(p, func(k string) error {
				if k == "inspect_ai" {
					return d.str(p+".inspect_ai", &e.InspectVersion)
				}
				return d.skip(p + "." + k)
			})
		}
		return d.skip(p)
	})
}

// maxScores bounds the scorers and metrics read from a log.
const maxScores = 200

func (d *decoder) results(dst **Results) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.malformed("results", err)
	}
	if tok == nil {
		*dst = nil
		return nil
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return refuse("%shas results that is not an object", d.where)
	}
	res := &Results{}
	var total, completed *int
	seen := map[string]bool{}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return d.malformed("results", err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return refuse("%shas results.%s twice", d.where, key)
		}
		seen[key] = true
		switch key {
		case "total_samples":
			err = d.count("results.total_samples", &total)
		case "completed_samples":
			err = d.count("results.completed_samples", &completed)
		case "scores":
			err = d.array("results.scores", func(i int) error {
				if i >= maxScores {
					return refuse("%shas more than %d results.scores", d.where, maxScores)
				}
				s, err := d.score(fmt.Sprintf("results.scores[%d]", i))
				res.Scores = append(res.Scores, s)
				return err
			})
		default:
			err = d.skip("results." + key)
		}
		if err != nil {
			return err
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return d.malformed("results", err)
	}
	if total != nil {
		res.TotalSamples = *total
	}
	if completed != nil {
		res.CompletedSamples = *completed
	}
	*dst = res
	return nil
}

func (d *decoder) score(path string) (Score, error) {
	var s Score
	err := d.object(path, func(key string) error {
		p := path + "." + key
		switch key {
		case "name":
			return d.str(p, &s.Name)
		case "scorer":
			return d.str(p, &s.Scorer)
		case "reducer":
			return d.str(p, &s.Reducer)
		case "metrics":
			return d.object(p, func(name string) error {
				if len(s.Metrics) >= maxScores {
					return refuse("%shas more than %d metrics in %s", d.where, maxScores, p)
				}
				if len(name) > maxText {
					return refuse("%shas a metric name in %s longer than %d bytes", d.where, p, maxText)
				}
				m := Metric{Name: name}
				err := d.object(p+"."+name, func(k string) error {
					if k != "value" {
						return d.skip(p + "." + name + "." + k)
					}
					return d.value(p+"."+name+".value", &m.Value)
				})
				s.Metrics = append(s.Metrics, m)
				return err
			})
		}
		return d.skip(p)
	})
	if s.Scorer == "" {
		s.Scorer = s.Name
	}
	return s, err
}

// value reads a metric's value: a finite number, or null (nil).
func (d *decoder) value(path string, dst **float64) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.malformed(path, err)
	}
	switch v := tok.(type) {
	case nil:
		*dst = nil
		return nil
	case json.Number:
		f, err := v.Float64()
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return refuse("%shas %s = %s, not a finite number", d.where, path, v)
		}
		*dst = &f
		return nil
	}
	return refuse("%shas %s that is not a number", d.where, path)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Describe is a one-line account of the run, for messages.
func (l *Log) Describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s on %s", l.Eval.TaskName(), l.Eval.Model)
	if l.Results != nil {
		fmt.Fprintf(&b, ", %d/%d samples", l.Results.CompletedSamples, l.Results.TotalSamples)
	}
	return b.String()
}
