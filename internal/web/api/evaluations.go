package api

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// EvaluationService is all the API calls of the evaluations service.
type EvaluationService interface {
	CheckImport(ctx context.Context, a docket.Actor, caseID string) error
	StageLog(r io.Reader, clientName string) (*app.StagedLog, error)
	ImportUpload(ctx context.Context, a docket.Actor, caseID string, in docket.EvaluationInput, st *app.StagedLog) (*app.EvaluationView, error)
	ImportAttachment(ctx context.Context, a docket.Actor, caseID string, in docket.EvaluationInput) (*app.EvaluationView, error)
	ListEvaluations(ctx context.Context, a docket.Actor, caseID string) ([]app.EvaluationView, error)
	GetEvaluation(ctx context.Context, a docket.Actor, id string) (*app.EvaluationView, error)
}

// Evaluations serves the evaluation routes of the API: Inspect logs imported
// on a case.
type Evaluations struct {
	evaluations EvaluationService
	// uploads opens multipart bodies cut off past the upload limit.
	uploads httpx.Uploads
}

// PostEvaluation imports an Inspect log on the case: a multipart upload
// (file, run_by, notes?), or JSON {attachment_id, run_by, notes?} naming a
// log the lab attached. Access is checked before a byte of the body is read.
func (s *Evaluations) PostEvaluation(c echo.Context) error {
	ctx, a, caseID := c.Request().Context(), httpx.MustActor(c), c.Param("id")
	if err := s.evaluations.CheckImport(ctx, a, caseID); err != nil {
		return err
	}
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if mt == echo.MIMEApplicationJSON {
		var in docket.EvaluationInput
		if err := decode(c, &in); err != nil {
			return err
		}
		v, err := s.evaluations.ImportAttachment(ctx, a, caseID, in)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusCreated, presentEvaluation(v))
	}
	mr, body, err := s.uploads.Open(c)
	if err != nil {
		return err
	}
	var st *app.StagedLog
	defer func() { st.Discard() }()
	var in docket.EvaluationInput
	seen := map[string]bool{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return httpx.BodyError(err)
		}
		name := part.FormName()
		if seen[name] {
			return docket.FieldError(name, "is given twice")
		}
		seen[name] = true
		switch name {
		case "run_by", "notes":
			b, err := io.ReadAll(io.LimitReader(part, docket.MaxEvalNotes+1))
			if err != nil {
				return httpx.BodyError(err)
			}
			if len(b) > docket.MaxEvalNotes {
				return docket.Unacceptable(name, "is longer than %d bytes", docket.MaxEvalNotes)
			}
			v := string(b)
			if name == "run_by" {
				in.RunBy = &v
			} else {
				in.Notes = &v
			}
		case "file":
			st, err = s.evaluations.StageLog(part, httpx.PartFileName(part))
			if err != nil {
				if body.Err() != nil {
					return httpx.BodyError(body.Err())
				}
				return err
			}
		default:
			return docket.FieldError(name, "is not a field of this upload (file, run_by, notes)")
		}
		part.Close()
	}
	if st == nil {
		return docket.Unacceptable("file", "is required: a file part named file holding the Inspect log (.eval or .json)")
	}
	v, err := s.evaluations.ImportUpload(ctx, a, caseID, in, st)
	st = nil // consumed
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentEvaluation(v))
}

// GetEvaluations lists a case's evaluations.
func (s *Evaluations) GetEvaluations(c echo.Context) error {
	list, err := s.evaluations.ListEvaluations(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	items := make([]evaluationJSON, len(list))
	for i := range list {
		items[i] = presentEvaluation(&list[i])
	}
	return c.JSON(http.StatusOK, listOf(items, ""))
}

// GetEvaluation reads one evaluation.
func (s *Evaluations) GetEvaluation(c echo.Context) error {
	v, err := s.evaluations.GetEvaluation(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentEvaluation(v))
}

type evaluationJSON struct {
	ID               string          `json:"id"`
	CaseID           string          `json:"case_id"`
	AttachmentID     string          `json:"attachment_id"`
	File             evalFileJSON    `json:"file"`
	Format           string          `json:"format"`
	Task             string          `json:"task"`
	TaskVersion      string          `json:"task_version"`
	TaskArgs         json.RawMessage `json:"task_args"`
	Model            string          `json:"model"`
	EvalID           string          `json:"eval_id"`
	RunID            string          `json:"run_id"`
	Created          string          `json:"created"`
	InspectVersion   string          `json:"inspect_version"`
	TotalSamples     int             `json:"total_samples"`
	CompletedSamples int             `json:"completed_samples"`
	// Scores and Results are null for the lab, which never sees scores.
	Scores     []docket.EvalScore    `json:"scores"`
	Results    []benchmarkResultJSON `json:"results"`
	RunBy      string                `json:"run_by"`
	Notes      string                `json:"notes"`
	ImportedBy string                `json:"imported_by"`
	ImportedAt string                `json:"imported_at"`
}

type evalFileJSON struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

func presentEvaluation(v *app.EvaluationView) evaluationJSON {
	e := v.Evaluation
	args := json.RawMessage(e.TaskArgs)
	if !json.Valid(args) {
		args = json.RawMessage("{}")
	}
	out := evaluationJSON{ID: e.ID, CaseID: e.CaseID, AttachmentID: e.AttachmentID,
		File:   evalFileJSON{Name: e.FileName, Size: e.FileSize, SHA256: e.Digest()},
		Format: e.Format, Task: e.Task, TaskVersion: e.TaskVersion, TaskArgs: args, Model: e.Model, EvalID: e.EvalID,
		RunID: e.RunID, Created: e.Created, InspectVersion: e.InspectVersion, TotalSamples: e.TotalSamples,
		CompletedSamples: e.CompletedSamples, RunBy: e.RunBy, Notes: e.Notes, ImportedBy: e.ImportedBy,
		ImportedAt: httpx.Instant(e.ImportedAt)}
	if v.Full {
		out.Scores = e.Scores
		if out.Scores == nil {
			out.Scores = []docket.EvalScore{}
		}
		out.Results = make([]benchmarkResultJSON, len(v.Results))
		for i := range v.Results {
			out.Results[i] = presentBenchmarkResult(&v.Results[i])
		}
	}
	return out
}
