package docket

import (
	"strings"
	"time"
)

// Comment visibilities: internal comments stay in the agency, shared ones
// reach the lab.
const (
	CommentInternal = "internal"
	CommentShared   = "shared"
	MaxCommentBody  = 20000
)

// Comment is a remark on a case.
type Comment struct {
	ID         string
	CaseID     string
	AuthorID   string
	AuthorRole Role
	Body       string
	Visibility string
	CreatedAt  time.Time
}

// CheckComment decides whether the actor may post a comment of the given
// visibility on the case: 404 when the case is not visible, 403 for
// compliance officers, 409 naming the state once the case is decided or
// withdrawn, 409 naming attest-no-conflict, then 422 naming the field for a
// bad body or visibility (labs post shared comments only).
func (a CaseAccess) CheckComment(body, visibility string) error {
	if err := a.CheckAdd(RoleLabMember, RoleReviewer, RoleReviewLead); err != nil {
		return err
	}
	if visibility != CommentInternal && visibility != CommentShared {
		return Unacceptable("visibility", "must be %s or %s", CommentInternal, CommentShared)
	}
	if a.Actor.Role == RoleLabMember && visibility != CommentShared {
		return Unacceptable("visibility", "a lab posts shared comments only")
	}
	if strings.TrimSpace(body) == "" {
		return Unacceptable("body", "is required")
	}
	return validText("body", body, MaxCommentBody, true)
}

// CanSeeComment reports whether an actor who may read the case's content sees
// the comment: labs only shared ones.
func (a CaseAccess) CanSeeComment(c *Comment) bool {
	if a.Actor.Role == RoleLabMember {
		return c.Visibility == CommentShared
	}
	return true
}
