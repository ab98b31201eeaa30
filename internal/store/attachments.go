package store

import (
	"github.com/docket/docket/internal/docket"
)

type attachmentRow struct {
	ID          string
	CaseID      string
	FindingID   *string
	Name        string
	Kind        string
	Size        int64
	ContentType string
	Sha256      string
	UploadedBy  string
	CreatedAt   int64
}

func (attachmentRow) TableName() string { return "attachments" }

func (r attachmentRow) domain() docket.Attachment {
	return docket.Attachment{ID: r.ID, CaseID: r.CaseID, FindingID: fromNullable(r.FindingID), Name: r.Name,
		Kind: r.Kind, Size: r.Size, ContentType: r.ContentType, SHA256: r.Sha256, UploadedBy: r.UploadedBy,
		CreatedAt: tm(r.CreatedAt)}
}

func (t contentRepo) CreateAttachment(a *docket.Attachment) error {
	return translate(t.db.Create(&attachmentRow{ID: a.ID, CaseID: a.CaseID, FindingID: toNullable(a.FindingID),
		Name: a.Name, Kind: a.Kind, Size: a.Size, ContentType: a.ContentType, Sha256: a.SHA256,
		UploadedBy: a.UploadedBy, CreatedAt: ms(a.CreatedAt)}).Error)
}

func (t contentRepo) AttachmentByID(id string) (*docket.Attachment, error) {
	var r attachmentRow
	if err := t.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "attachment")
	}
	a := r.domain()
	return &a, nil
}

func (t contentRepo) DeleteAttachment(id string) error {
	return t.db.Exec(`DELETE FROM attachments WHERE id = ?`, id).Error
}

func (t contentRepo) AttachmentsOfFindings(findingIDs []string) (map[string][]docket.Attachment, error) {
	out := map[string][]docket.Attachment{}
	if len(findingIDs) == 0 {
		return out, nil
	}
	// In chunks (PostgreSQL takes at most 65,535 parameters a statement);
	// each finding's attachments stay in their order.
	for _, chunk := range chunks(findingIDs, 500) {
		var rows []attachmentRow
		if err := t.db.Where("finding_id IN ?", chunk).Order("created_at, id").Find(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[*r.FindingID] = append(out[*r.FindingID], r.domain())
		}
	}
	return out, nil
}

func (t contentRepo) ListAttachments(caseID string, withFindings bool) ([]docket.Attachment, error) {
	q := t.db.Where("case_id = ?", caseID).Order("created_at, id")
	if !withFindings {
		q = q.Where("finding_id IS NULL")
	}
	var rows []attachmentRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.Attachment, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}
