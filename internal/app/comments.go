package app

import (
	"context"

	"github.com/docket/docket/internal/docket"
)

// CommentStore keeps comments on cases.
type CommentStore interface {
	CreateComment(c *docket.Comment) error
	// ListComments returns a case's comments, oldest first; sharedOnly keeps
	// the shared ones.
	ListComments(caseID string, sharedOnly bool, p Page) ([]docket.Comment, string, error)
}

// CreateComment posts a comment on a case: labs post shared comments on their
// own cases; assigned reviewers and leads, after attesting, post internal or
// shared ones; compliance officers get 403; a decided or withdrawn case takes
// no more (409 naming the state); then 422 naming the field. The audit event
// keeps only a hash of the body.
func (s *Findings) CreateComment(ctx context.Context, a docket.Actor, caseID, body, visibility string) (*docket.Comment, error) {
	var out *docket.Comment
	err := s.write(ctx, func(tx findingsTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CheckComment(body, visibility); err != nil {
			return err
		}
		c := &docket.Comment{ID: newID(), CaseID: caseID, AuthorID: a.UserID, AuthorRole: a.Role, Body: body,
			Visibility: visibility, CreatedAt: s.Now()}
		if err := tx.Content().CreateComment(c); err != nil {
			return err
		}
		out = c
		return s.audit(tx, a, "comment.created", "comment", c.ID, caseID,
			docket.Changes{"visibility": visibility}.Secret("body", body))
	})
	return out, err
}

// ListComments returns a case's comments as the actor may see them: labs the
// shared ones, assigned reviewers and leads (after attesting) all of them.
func (s *Findings) ListComments(ctx context.Context, a docket.Actor, caseID string, p Page) ([]docket.Comment, string, error) {
	var out []docket.Comment
	var next string
	err := s.read(ctx, func(tx findingsTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CheckContent(); err != nil {
			return err
		}
		list, n, err := tx.Content().ListComments(caseID, a.Role == docket.RoleLabMember, Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
		if err != nil {
			return err
		}
		next = n
		for i := range list {
			if acc.CanSeeComment(&list[i]) {
				out = append(out, list[i])
			}
		}
		return nil
	})
	return out, next, err
}
