package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/inspect"
)

// EvaluationStore keeps the evaluations imported on cases.
type EvaluationStore interface {
	CreateEvaluation(e *docket.Evaluation) error
	// EvaluationByID returns an evaluation with its log's uploader (404 when none).
	EvaluationByID(id string) (*docket.Evaluation, error)
	// ListEvaluations returns a case's evaluations, the latest imported first.
	ListEvaluations(caseID string) ([]docket.Evaluation, error)
	// SameEvaluation returns the case's evaluation of the same file or the
	// same run (eval_id and run_id); nil when there is none.
	SameEvaluation(caseID, sha256, evalID, runID string) (*docket.Evaluation, error)
}

// evaluationsTx is the evaluations service's view.
type evaluationsTx interface {
	auditing
	caseReader
	contentReader
	riskTx
	Users() UserStore
	Evaluations() EvaluationStore
}

func (s *Evaluations) read(ctx context.Context, fn func(evaluationsTx) error) error {
	return s.store.Read(ctx, func(tx Tx) error { return fn(tx) })
}

func (s *Evaluations) write(ctx context.Context, fn func(evaluationsTx) error) error {
	return s.store.Write(ctx, func(tx Tx) error { return fn(tx) })
}

// Evaluations is the use cases of evaluation evidence: Inspect logs imported
// on a case, each kept as an attachment of kind eval_log, whose mapped scores
// become benchmark results with their source.
type Evaluations struct {
	*core
	benchmarks []docket.Benchmark
	// maxUpload bounds an uploaded log's size in bytes.
	maxUpload int64
}

// EvaluationView is an evaluation as its reader may see it: with its scores
// and the benchmark results it made (Full), or, for the lab, its metadata only.
type EvaluationView struct {
	docket.Evaluation
	Results []docket.BenchmarkResult
	Full    bool
}

// StagedLog is an uploaded Inspect log received into a pending file and read:
// what an import would record. Discard removes it unless an import kept it.
type StagedLog struct {
	file    PendingFile
	Name    string
	Size    int64
	SHA256  string
	Log     *inspect.Log
	Results []inspect.Result
}

// Discard removes the pending file, if it is still there.
func (l *StagedLog) Discard() {
	if l != nil && l.file != nil {
		l.file.Abort()
		l.file = nil
	}
}

// CheckImport answers, before any byte of an upload is read, whether the
// actor may import an evaluation on the case: 404, 403, or 409 (decided or
// withdrawn; attest first).
func (s *Evaluations) CheckImport(ctx context.Context, a docket.Actor, caseID string) error {
	return s.read(ctx, func(tx evaluationsTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		return acc.CanImportEvaluation()
	})
}

// StageLog streams an uploaded log into a pending file (413 past
// uploads.max_bytes) and reads it: every refusal of the reader and the
// mapping (422 naming file or task; 413 for a ZIP over its limits) leaves
// nothing behind.
func (s *Evaluations) StageLog(r io.Reader, clientName string) (_ *StagedLog, err error) {
	if s.files == nil {
		return nil, errNoFiles
	}
	f, err := s.files.Begin()
	if err != nil {
		return nil, err
	}
	st := &StagedLog{file: f, Name: docket.CleanFileName(clientName)}
	defer func() {
		if err != nil {
			st.Discard()
		}
	}()
	sum := &countingHash{h: sha256.New(), limit: s.maxUpload}
	if _, err := io.Copy(io.MultiWriter(sum, f), r); err != nil {
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if sum.n == 0 {
		return nil, docket.Unacceptable("file", "is empty")
	}
	st.Size, st.SHA256 = sum.n, hex.EncodeToString(sum.h.Sum(nil))
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if err := s.readLog(rc, st); err != nil {
		return nil, err
	}
	return st, nil
}

// readLog reads the log in rc (an opened file) into st.
func (s *Evaluations) readLog(rc io.Reader, st *StagedLog) error {
	ra, ok := rc.(io.ReaderAt)
	if !ok {
		return errors.New("evaluations: the kept file cannot be read at offsets")
	}
	l, err := inspect.Read(ra, st.Size)
	if err != nil {
		return err
	}
	results, err := inspect.Map(l, s.benchmarks)
	if err != nil {
		return err
	}
	st.Log, st.Results = l, results
	return nil
}

// ImportUpload imports a staged log on the case: the access is checked again
// (404, 403, 409), then run_by and notes (422), then the case must not hold
// the same file or run already (409 naming the earlier evaluation). The log's
// attachment (kind eval_log), the evaluation, its benchmark results (source:
// the evaluation and the log's hash) and the recomputed risk tier commit in
// one transaction with its audit event; only then is the file kept. The
// staged log is consumed either way.
func (s *Evaluations) ImportUpload(ctx context.Context, a docket.Actor, caseID string, in docket.EvaluationInput, st *StagedLog) (*EvaluationView, error) {
	defer st.Discard()
	if st == nil || st.file == nil {
		return nil, docket.Unacceptable("file", "is required: the Inspect log (.eval or .json)")
	}
	var view *EvaluationView
	var at *docket.Attachment
	err := s.write(ctx, func(tx evaluationsTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CanImportEvaluation(); err != nil {
			return err
		}
		runBy, notes, err := in.Validate()
		if err != nil {
			return err
		}
		if err := s.refuseSame(tx, caseID, st); err != nil {
			return err
		}
		ct := docket.TypeJSON
		if st.Log.Format == inspect.FormatEval {
			ct = TypeZip
		}
		at = &docket.Attachment{ID: newID(), CaseID: caseID, Name: st.Name, Kind: docket.AttachmentEvalLog, Size: st.Size,
			ContentType: ct, SHA256: st.SHA256, UploadedBy: a.UserID, CreatedAt: s.Now()}
		if err := tx.Content().CreateAttachment(at); err != nil {
			return err
		}
		view, err = s.record(tx, a, acc, st, at, runBy, notes)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := st.file.Commit(at.ID); err != nil {
		s.log.Error("evaluation: keep the log", "attachment_id", at.ID, "err", err)
		s.withdraw(ctx, a, view)
		return nil, err
	}
	st.file = nil
	return view, nil
}

// TypeZip is the content type an .eval log is kept with.
const TypeZip = "application/zip"

// ImportAttachment imports a log the lab attached to the case (an attachment
// of kind eval_log): as ImportUpload, the attachment named by attachment_id
// (422 when it is not this case's eval_log attachment, or not readable).
func (s *Evaluations) ImportAttachment(ctx context.Context, a docket.Actor, caseID string, in docket.EvaluationInput) (*EvaluationView, error) {
	if err := s.CheckImport(ctx, a, caseID); err != nil {
		return nil, err
	}
	if in.AttachmentID == nil || *in.AttachmentID == "" {
		return nil, docket.Unacceptable("attachment_id", "is required: the id of the case's attachment of kind eval_log")
	}
	// Read the attachment's log outside the transaction: it may be large.
	var at *docket.Attachment
	err := s.read(ctx, func(tx evaluationsTx) error {
		var err error
		at, err = tx.Content().AttachmentByID(*in.AttachmentID)
		if err != nil || at.CaseID != caseID || at.FindingID != "" {
			return docket.Unacceptable("attachment_id", "is not an attachment of this case")
		}
		if at.Kind != docket.AttachmentEvalLog {
			return docket.Unacceptable("attachment_id", "is an attachment of kind %s; an Inspect log is attached as eval_log", at.Kind)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.files == nil {
		return nil, errNoFiles
	}
	st := &StagedLog{Name: at.Name, Size: at.Size, SHA256: at.SHA256}
	f, err := s.files.Open(at.ID)
	if err != nil {
		return nil, fmt.Errorf("attachment %s: %w", at.ID, err)
	}
	defer f.Close()
	h := sha256.New()
	if n, err := io.Copy(h, f); err != nil || n != at.Size || hex.EncodeToString(h.Sum(nil)) != at.SHA256 {
		return nil, fmt.Errorf("attachment %s: content does not match its digest", at.ID)
	}
	if err := s.readLog(f, st); err != nil {
		return nil, err
	}
	var view *EvaluationView
	err = s.write(ctx, func(tx evaluationsTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CanImportEvaluation(); err != nil {
			return err
		}
		runBy, notes, err := in.Validate()
		if err != nil {
			return err
		}
		if _, err := tx.Content().AttachmentByID(at.ID); err != nil {
			return docket.Unacceptable("attachment_id", "is not an attachment of this case")
		}
		if err := s.refuseSame(tx, caseID, st); err != nil {
			return err
		}
		view, err = s.record(tx, a, acc, st, at, runBy, notes)
		return err
	})
	return view, err
}

// refuseSame refuses a log whose file or run the case holds already: 409
// naming the earlier evaluation.
func (s *Evaluations) refuseSame(tx evaluationsTx, caseID string, st *StagedLog) error {
	same, err := tx.Evaluations().SameEvaluation(caseID, st.SHA256, st.Log.Eval.EvalID, st.Log.Eval.RunID)
	if err != nil || same == nil {
		return err
	}
	what := "the same run (eval_id " + same.EvalID + ", run_id " + same.RunID + ")"
	if same.SHA256 == st.SHA256 {
		what = "the same file (" + same.Digest() + ")"
	}
	return &docket.Error{Code: docket.EConflict, Field: "file",
		Message: fmt.Sprintf("this case already holds %s: evaluation %s, imported %s", what, same.ID, same.ImportedAt.UTC().Format(time.RFC3339))}
}

// record writes the evaluation of a read log, its results and the risk tier,
// and the audit event, inside the caller's transaction.
func (s *Evaluations) record(tx evaluationsTx, a docket.Actor, acc docket.CaseAccess, st *StagedLog, at *docket.Attachment, runBy, notes string) (*EvaluationView, error) {
	now := s.Now()
	l := st.Log
	e := docket.Evaluation{ID: newID(), CaseID: acc.Case.ID, AttachmentID: at.ID, FileName: at.Name, FileSize: st.Size,
		SHA256: st.SHA256, Format: l.Format, Task: l.Eval.TaskName(), TaskVersion: l.Eval.TaskVersion,
		TaskArgs: string(l.Eval.TaskArgs), Model: l.Eval.Model, EvalID: l.Eval.EvalID, RunID: l.Eval.RunID,
		Created: l.Eval.Created, InspectVersion: l.Eval.InspectVersion, TotalSamples: l.Results.TotalSamples,
		CompletedSamples: l.Results.CompletedSamples, RunBy: runBy, Notes: notes, ImportedBy: a.UserID,
		ImportedAt: now, UploadedBy: at.UploadedBy}
	if e.TaskArgs == "" {
		e.TaskArgs = "{}"
	}
	for _, v := range l.Values() {
		e.Scores = append(e.Scores, docket.EvalScore{Scorer: v.Scorer, Metric: v.Metric, Value: v.Value})
	}
	if err := tx.Evaluations().CreateEvaluation(&e); err != nil {
		return nil, err
	}
	runAt := s.runDate(l.Eval.Created, now)
	source := &docket.ResultSource{EvaluationID: e.ID, LogSHA256: e.Digest()}
	var results []docket.BenchmarkResult
	var ids, benches []string
	for _, m := range st.Results {
		r := docket.BenchmarkResult{ID: newID(), CaseID: e.CaseID, BenchmarkID: m.BenchmarkID, BenchmarkVersion: m.BenchmarkVersion,
			Score: m.Score, Tier: m.Tier, RunBy: runBy, RunAt: runAt, RecordedBy: a.UserID, CreatedAt: now, Source: source}
		if err := tx.Benchmarks().CreateBenchmarkResult(&r); err != nil {
			return nil, err
		}
		results = append(results, r)
		ids = append(ids, r.ID)
		benches = append(benches, m.BenchmarkID+":"+m.Tier)
	}
	if _, err := s.withPrevious(tx, acc.Case, results); err != nil {
		return nil, err
	}
	ch := docket.Changes{"evaluation_id": e.ID, "attachment_id": at.ID, "format": e.Format, "run_by": runBy,
		"log_sha256": e.Digest(), "benchmark_result_ids": ids, "benchmark_tiers": benches}.
		Secret("task", e.Task).Secret("model", e.Model).Secret("run", e.EvalID+"/"+e.RunID).
		Secret("scores", scoresText(e.Scores)).Secret("notes", notes)
	if err := s.recomputeRisk(tx, acc.Case, ch); err != nil {
		return nil, err
	}
	if err := s.audit(tx, a, "evaluation.imported", "evaluation", e.ID, e.CaseID, ch); err != nil {
		return nil, err
	}
	return &EvaluationView{Evaluation: e, Results: results, Full: true}, nil
}

// runDate is the agency-zone date the log's run was created, or today when
// the log's instant does not parse or lies in the future.
func (s *Evaluations) runDate(created string, now time.Time) clock.Date {
	today := clock.DateOf(now, s.loc)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999-07:00"} {
		if t, err := time.Parse(layout, created); err == nil {
			if d := clock.DateOf(t, s.loc); !d.After(today) {
				return d
			}
			return today
		}
	}
	return today
}

func scoresText(scores []docket.EvalScore) string {
	var b strings.Builder
	for _, sc := range scores {
		fmt.Fprintf(&b, "%s/%s=%s;", sc.Scorer, sc.Metric, formatScore(sc.Value))
	}
	return b.String()
}

// withdraw removes an evaluation whose log could not be kept: its attachment
// row (the evaluation and its results go with it), the tier recomputed,
// recording why; the import's event stays in the chain.
func (s *Evaluations) withdraw(ctx context.Context, a docket.Actor, v *EvaluationView) {
	if v == nil {
		return
	}
	err := s.write(ctx, func(tx evaluationsTx) error {
		if err := tx.Content().DeleteAttachment(v.AttachmentID); err != nil {
			return err
		}
		c, err := tx.Cases().CaseByID(v.CaseID)
		if err != nil {
			return err
		}
		ch := docket.Changes{"reason": "the log could not be stored"}
		if err := s.recomputeRisk(tx, c, ch); err != nil {
			return err
		}
		return s.audit(tx, a, "evaluation.withdrawn", "evaluation", v.ID, v.CaseID, ch)
	})
	if err != nil {
		s.log.Error("evaluation: withdraw the rows of a log not stored", "evaluation_id", v.ID, "err", err)
	}
}

// ListEvaluations lists a case's evaluations, the latest imported first:
// to assigned reviewers and leads after attesting, with their scores and
// results; to the case's lab, the evaluations of logs its members uploaded,
// metadata only (404, 403 for compliance officers, 409 before attesting).
func (s *Evaluations) ListEvaluations(ctx context.Context, a docket.Actor, caseID string) ([]EvaluationView, error) {
	var out []EvaluationView
	err := s.read(ctx, func(tx evaluationsTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CanReadEvaluations(); err != nil {
			return err
		}
		list, err := tx.Evaluations().ListEvaluations(caseID)
		if err != nil {
			return err
		}
		var results []docket.BenchmarkResult
		if a.Role != docket.RoleLabMember {
			if results, err = tx.Benchmarks().ListBenchmarkResults(caseID); err != nil {
				return err
			}
			if _, err := s.withPrevious(tx, acc.Case, results); err != nil {
				return err
			}
		}
		lab, err := s.labUploaders(tx, a, list)
		if err != nil {
			return err
		}
		for _, e := range list {
			if v, ok := view(a, e, results, lab); ok {
				out = append(out, v)
			}
		}
		return nil
	})
	return out, err
}

// GetEvaluation returns one evaluation as its reader may see it; anything
// the caller may not see is "evaluation not found".
func (s *Evaluations) GetEvaluation(ctx context.Context, a docket.Actor, id string) (*EvaluationView, error) {
	var out *EvaluationView
	err := s.read(ctx, func(tx evaluationsTx) error {
		e, err := tx.Evaluations().EvaluationByID(id)
		if err != nil {
			return notFoundAs(err, "evaluation")
		}
		// Anything the caller may not read answers as a missing id.
		acc, err := s.caseAccess(tx, a, e.CaseID)
		if err != nil {
			return notFoundAs(err, "evaluation")
		}
		if err := acc.CanReadEvaluations(); err != nil {
			if docket.ErrorCode(err) == docket.EInternal {
				return err
			}
			return docket.NotFound("evaluation")
		}
		var results []docket.BenchmarkResult
		if a.Role != docket.RoleLabMember {
			if results, err = tx.Benchmarks().ListBenchmarkResults(e.CaseID); err != nil {
				return err
			}
			if _, err := s.withPrevious(tx, acc.Case, results); err != nil {
				return err
			}
		}
		lab, err := s.labUploaders(tx, a, []docket.Evaluation{*e})
		if err != nil {
			return err
		}
		v, ok := view(a, *e, results, lab)
		if !ok {
			return docket.NotFound("evaluation")
		}
		out = &v
		return nil
	})
	return out, err
}

// labUploaders, for a lab member, says which evaluations' logs its
// organisation's members uploaded.
func (s *Evaluations) labUploaders(tx evaluationsTx, a docket.Actor, list []docket.Evaluation) (map[string]bool, error) {
	out := map[string]bool{}
	if a.Role != docket.RoleLabMember {
		return out, nil
	}
	for _, e := range list {
		if _, done := out[e.UploadedBy]; done {
			continue
		}
		u, err := tx.Users().UserByID(e.UploadedBy)
		if err != nil {
			return nil, err
		}
		out[e.UploadedBy] = u.OrgID == a.OrgID
	}
	return out, nil
}

// view shapes an evaluation for its reader: the agency sees everything; the
// lab sees the evaluations of logs its members uploaded, without scores.
func view(a docket.Actor, e docket.Evaluation, results []docket.BenchmarkResult, lab map[string]bool) (EvaluationView, bool) {
	if a.Role == docket.RoleLabMember {
		if !lab[e.UploadedBy] {
			return EvaluationView{}, false
		}
		e.Scores = nil
		return EvaluationView{Evaluation: e}, true
	}
	v := EvaluationView{Evaluation: e, Full: true}
	for _, r := range results {
		if r.Source != nil && r.Source.EvaluationID == e.ID {
			v.Results = append(v.Results, r)
		}
	}
	return v, true
}

// LineVersion is one case of a line of versions with the latest result of
// each benchmark on it.
type LineVersion struct {
	CaseID, Number, ModelVersion string
	Latest                       map[string]docket.BenchmarkResult
}

// Line returns the case's line of versions (the lab's received cases of the
// same model name, the earliest first) with each one's latest result per
// benchmark, to those who read the case's results (404, 403, 409 as
// ListBenchmarkResults).
func (s *Evaluations) Line(ctx context.Context, a docket.Actor, caseID string) ([]LineVersion, error) {
	var out []LineVersion
	err := s.read(ctx, func(tx evaluationsTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CanReadBenchmarks(); err != nil {
			return err
		}
		cases, err := tx.Benchmarks().LineCases(acc.Case.OrgID, acc.Case.ModelName)
		if err != nil {
			return err
		}
		for _, c := range cases {
			rs, err := tx.Benchmarks().ListBenchmarkResults(c.ID)
			if err != nil {
				return err
			}
			v := LineVersion{CaseID: c.ID, Number: c.Number, ModelVersion: c.ModelVersion, Latest: map[string]docket.BenchmarkResult{}}
			for _, r := range docket.LatestResults(rs) {
				v.Latest[r.BenchmarkID] = r
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// Benchmarks returns the agency's benchmarks, whose mappings imports use.
func (s *Evaluations) Benchmarks() []docket.Benchmark { return s.benchmarks }
