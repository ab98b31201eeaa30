package store

import (
	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

type commentRow struct {
	ID         string
	CaseID     string
	AuthorID   string
	AuthorRole string
	Body       string
	Visibility string
	CreatedAt  int64
}

func (commentRow) TableName() string { return "comments" }

func (t contentRepo) CreateComment(c *docket.Comment) error {
	return translate(t.db.Create(&commentRow{ID: c.ID, CaseID: c.CaseID, AuthorID: c.AuthorID,
		AuthorRole: string(c.AuthorRole), Body: c.Body, Visibility: c.Visibility, CreatedAt: ms(c.CreatedAt)}).Error)
}

func (t contentRepo) ListComments(caseID string, sharedOnly bool, p app.Page) ([]docket.Comment, string, error) {
	q := t.db.Model(&commentRow{}).Where("case_id = ?", caseID).Order("created_at, id").Limit(p.Limit + 1)
	if sharedOnly {
		q = q.Where("visibility = ?", docket.CommentShared)
	}
	if p.Cursor != "" {
		c, ok := decodeCursor(p.Cursor)
		if !ok {
			return nil, "", badCursor()
		}
		q = q.Where("(created_at > ? OR (created_at = ? AND id > ?))", c.K, c.K, c.ID)
	}
	var rows []commentRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", err
	}
	rows, next := cutPage(rows, p.Limit)
	out := make([]docket.Comment, len(rows))
	for i, r := range rows {
		out[i] = docket.Comment{ID: r.ID, CaseID: r.CaseID, AuthorID: r.AuthorID, AuthorRole: docket.Role(r.AuthorRole),
			Body: r.Body, Visibility: r.Visibility, CreatedAt: tm(r.CreatedAt)}
	}
	return out, next, nil
}
