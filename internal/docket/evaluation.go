package docket

import (
	"math"
	"regexp"
	"time"
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

// The formats of an Inspect log.
const (
	EvalFormatEval = "eval"
	EvalFormatJSON = "json"
)

// AttachmentEvalLog is the kind of attachment an Inspect log is kept as.
const AttachmentEvalLog = "eval_log"

// EvalScore is one metric an evaluation's log reports.
type EvalScore struct {
	Scorer string  `json:"scorer"`
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
}

// Evaluation is an Inspect log imported on a case: what Docket read of its
// header, the log kept as an attachment of kind eval_log, and who imported it.
type Evaluation struct {
	ID           string
	CaseID       string
	AttachmentID string
	FileName     string
	FileSize     int64
	// SHA256 is the log file's digest, lowercase hex.
	SHA256           string
	Format           string
	Task             string
	TaskVersion      string
	TaskArgs         string // compact JSON
	Model            string
	EvalID           string
	RunID            string
	Created          string
	InspectVersion   string
	TotalSamples     int
	CompletedSamples int
	Scores           []EvalScore
	RunBy            string
	Notes            string
	ImportedBy       string
	ImportedAt       time.Time
	// UploadedBy is who uploaded the log's attachment (a lab member, for a
	// log the lab attached).
	UploadedBy string
}

// Digest returns the log's digest as shown: sha256: and the hex.
func (e *Evaluation) Digest() string { return "sha256:" + e.SHA256 }

// ResultSource is where a benchmark result came from: the evaluation that
// made it and its log's digest; nil for a result recorded by hand.
type ResultSource struct {
	EvaluationID string
	LogSHA256    string // sha256:hex
}

// MaxEvalNotes bounds an evaluation's notes, in bytes.
const MaxEvalNotes = MaxBenchmarkNotes

// EvaluationInput is what an import names besides the log: who ran it and notes.
type EvaluationInput struct {
	AttachmentID *string `json:"attachment_id"`
	RunBy        *string `json:"run_by"`
	Notes        *string `json:"notes"`
}

// Validate checks run_by and notes (422 naming the field).
func (in EvaluationInput) Validate() (runBy, notes string, err error) {
	if in.RunBy == nil || (*in.RunBy != RunByLab && *in.RunBy != RunByAgency) {
		return "", "", Unacceptable("run_by", "must be lab or agency")
	}
	if in.Notes != nil {
		if err := validText("notes", *in.Notes, MaxEvalNotes, false); err != nil {
			return "", "", err
		}
		notes = *in.Notes
	}
	return *in.RunBy, notes, nil
}

// CanImportEvaluation checks that the actor may import an evaluation on the
// case now: as recording a benchmark result (404, 403 for labs and compliance
// officers, 409 naming the state or attest-no-conflict).
func (a CaseAccess) CanImportEvaluation() error { return a.CanRecordBenchmark() }

// CanReadEvaluations checks that the actor may list a case's evaluations:
// assigned reviewers and leads after attesting (everything), and the case's
// lab (the evaluations of the logs its members uploaded, metadata only);
// 403 for compliance officers, who see the tier only.
func (a CaseAccess) CanReadEvaluations() error {
	if a.Actor.Role == RoleLabMember {
		return a.CheckContent()
	}
	return a.CanReadBenchmarks()
}
