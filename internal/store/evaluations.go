package store

import (
	"encoding/json"

	"github.com/docket/docket/internal/docket"
)

type evaluationRow struct {
	ID               string
	CaseID           string
	AttachmentID     string
	FileName         string
	FileSize         int64
	SHA256           string `gorm:"column:sha256"`
	Format           string
	Task             string
	TaskVersion      string
	TaskArgs         string
	Model            string
	EvalID           string
	RunID            string
	Created          string
	InspectVersion   string
	TotalSamples     int64
	CompletedSamples int64
	Scores           string
	RunBy            string
	Notes            string
	ImportedBy       string
	ImportedAt       int64
	// UploadedBy is read from the log's attachment, never written here.
	UploadedBy string `gorm:"->"`
}

func (evaluationRow) TableName() string { return "evaluations" }

// evaluationColumns reads an evaluation with its attachment's uploader.
const evaluationColumns = `e.id, e.case_id, e.attachment_id, e.file_name, e.file_size, e.sha256, e.format, e.task,
	e.task_version, e.task_args, e.model, e.eval_id, e.run_id, e.created, e.inspect_version, e.total_samples,
	e.completed_samples, e.scores, e.run_by, e.notes, e.imported_by, e.imported_at, a.uploaded_by`

func (r evaluationRow) evaluation() docket.Evaluation {
	var scores []docket.EvalScore
	_ = json.Unmarshal([]byte(r.Scores), &scores)
	return docket.Evaluation{ID: r.ID, CaseID: r.CaseID, AttachmentID: r.AttachmentID, FileName: r.FileName,
		FileSize: r.FileSize, SHA256: r.SHA256, Format: r.Format, Task: r.Task, TaskVersion: r.TaskVersion,
		TaskArgs: r.TaskArgs, Model: r.Model, EvalID: r.EvalID, RunID: r.RunID, Created: r.Created,
		InspectVersion: r.InspectVersion, TotalSamples: int(r.TotalSamples), CompletedSamples: int(r.CompletedSamples),
		Scores: scores, RunBy: r.RunBy, Notes: r.Notes, ImportedBy: r.ImportedBy, ImportedAt: tm(r.ImportedAt),
		UploadedBy: r.UploadedBy}
}

// CreateEvaluation stores an evaluation; its attachment row exists already.
func (t evaluationRepo) CreateEvaluation(e *docket.Evaluation) error {
	scores, err := json.Marshal(e.Scores)
	if err != nil {
		return err
	}
	if e.Scores == nil {
		scores = []byte("[]")
	}
	return translate(t.db.Create(&evaluationRow{ID: e.ID, CaseID: e.CaseID, AttachmentID: e.AttachmentID,
		FileName: e.FileName, FileSize: e.FileSize, SHA256: e.SHA256, Format: e.Format, Task: e.Task,
		TaskVersion: e.TaskVersion, TaskArgs: e.TaskArgs, Model: e.Model, EvalID: e.EvalID, RunID: e.RunID,
		Created: e.Created, InspectVersion: e.InspectVersion, TotalSamples: int64(e.TotalSamples),
		CompletedSamples: int64(e.CompletedSamples), Scores: string(scores), RunBy: e.RunBy, Notes: e.Notes,
		ImportedBy: e.ImportedBy, ImportedAt: ms(e.ImportedAt)}).Error)
}

// EvaluationByID returns an evaluation (not found: docket's 404).
func (t evaluationRepo) EvaluationByID(id string) (*docket.Evaluation, error) {
	var rows []evaluationRow
	if err := t.db.Raw(`SELECT `+evaluationColumns+` FROM evaluations e JOIN attachments a ON a.id = e.attachment_id
		WHERE e.id = ?`, id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, docket.NotFound("evaluation")
	}
	e := rows[0].evaluation()
	return &e, nil
}

// ListEvaluations returns a case's evaluations, the latest imported first.
func (t evaluationRepo) ListEvaluations(caseID string) ([]docket.Evaluation, error) {
	var rows []evaluationRow
	if err := t.db.Raw(`SELECT `+evaluationColumns+` FROM evaluations e JOIN attachments a ON a.id = e.attachment_id
		WHERE e.case_id = ? ORDER BY e.imported_at DESC, e.id DESC`, caseID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.Evaluation, len(rows))
	for i, r := range rows {
		out[i] = r.evaluation()
	}
	return out, nil
}

// SameEvaluation returns the case's evaluation of the same file (sha256) or
// the same run (eval_id and run_id, when the log names them); nil when none.
func (t evaluationRepo) SameEvaluation(caseID, sha256, evalID, runID string) (*docket.Evaluation, error) {
	var rows []evaluationRow
	if err := t.db.Raw(`SELECT `+evaluationColumns+` FROM evaluations e JOIN attachments a ON a.id = e.attachment_id
		WHERE e.case_id = ? AND (e.sha256 = ? OR (e.eval_id = ? AND e.run_id = ? AND e.eval_id <> ''))
		ORDER BY e.imported_at, e.id LIMIT 1`, caseID, sha256, evalID, runID).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	e := rows[0].evaluation()
	return &e, nil
}
