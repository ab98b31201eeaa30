package ui

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The comments on the case page: a lab reads and posts the shared ones; the
// agency's assigned reviewers and leads, once attested, read all and choose
// for each new one whether it stays internal or is shared with the lab.

type commentsSection struct {
	Rows []commentRow
	Form *commentForm
}

type commentRow struct {
	ID, Author, Body string
	// Lab names the author's lab, for the agency's readers.
	Lab      string
	Internal bool
	Created  time.Time
}

// commentFields are the comment form's fields as typed.
type commentFields struct {
	Body, Visibility string
}

type commentForm struct {
	Body            workField
	Visibility      []view.Option
	VisibilityError string
	// Choose: the agency picks the visibility; a lab's comments are shared.
	Choose bool
}

var visibilityLabels = map[string]string{docket.CommentInternal: "Internal: the agency only",
	docket.CommentShared: "Shared with the lab"}

func (w *caseWork) commentsSection() *commentsSection {
	src := w.src
	sec := &commentsSection{}
	for _, cm := range src.comments {
		r := commentRow{ID: cm.ID, Author: src.names.of(cm.AuthorID), Body: cm.Body,
			Internal: cm.Visibility == docket.CommentInternal, Created: cm.CreatedAt}
		if !w.IsLab && cm.AuthorRole == docket.RoleLabMember {
			r.Lab = w.Lab
		}
		sec.Rows = append(sec.Rows, r)
	}
	if !src.status.AcceptsAdditions() {
		return sec // a decided or withdrawn case takes no more comments
	}
	errs := w.errsFor(formComment, "")
	var f commentFields
	if errs != nil {
		f = w.Form.Comment
	}
	if f.Visibility == "" {
		f.Visibility = docket.CommentInternal
	}
	hint := "The review team reads it."
	if !w.IsLab {
		hint = "Choose below whether the lab reads it."
	}
	cf := &commentForm{Choose: !w.IsLab, VisibilityError: errs["visibility"],
		Body:       field("comment-body", "body", "Your comment", hint, "textarea", f.Body, errs),
		Visibility: view.Options([]string{docket.CommentInternal, docket.CommentShared}, visibilityLabels, f.Visibility)}
	cf.Body.Rows = 4
	sec.Form = cf
	return sec
}

func (h *FindingPages) CreateComment(c echo.Context) error {
	id := c.Param("id")
	f := commentFields{Body: form(c, "body"), Visibility: form(c, "visibility")}
	if f.Visibility == "" && httpx.MustActor(c).Role == docket.RoleLabMember {
		f.Visibility = docket.CommentShared // a lab's form has no choice to make
	}
	wf := workForm{Which: formComment, Comment: f}
	if _, err := h.findings.CreateComment(c.Request().Context(), httpx.MustActor(c), id, f.Body, f.Visibility); err != nil {
		return h.present.renderWorkError(c, id, wf, nil, err)
	}
	return c.Redirect(http.StatusSeeOther, "/cases/"+id+"?done=commented#comments")
}
