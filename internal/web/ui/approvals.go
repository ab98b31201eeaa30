package ui

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The approvals page (/approvals): the changes to accounts that wait for a
// review lead, and those decided lately. Review leads approve or reject with
// POST forms (never their own requests); compliance officers read; an
// administrator sees its own requests.

// How many changes the page shows: every pending one up to the first number,
// the latest decided ones up to the second.
const (
	approvalsPending = 100
	approvalsDecided = 25
)

type approvalsPage struct {
	view.PageBase
	Pending []approvalRow
	Decided []approvalRow
	// Admin says the viewer sees its own requests only; CanDecide that it
	// approves and rejects.
	Admin, CanDecide bool
}

type approvalRow struct {
	ID          string
	What        string
	Requester   string
	RequestedAt time.Time
	Status      string
	Decider     string
	DecidedAt   *time.Time
	// Mine is a change the viewer requested; Decide offers the buttons.
	Mine, Decide bool
}

// approvalWords says what a change does, for people.
func approvalWords(p *docket.Approval) string {
	who := p.Name
	if p.Email != "" {
		who += " (" + p.Email + ")"
	}
	switch p.Kind {
	case docket.ApprovalUserCreate:
		s := "Create " + who + " as " + view.RoleLabel(p.Role)
		if p.OrgName != "" {
			s += " in " + p.OrgName
		}
		return s
	case docket.ApprovalUserRole:
		s := "Change " + who + " from " + view.RoleLabel(p.FromRole) + " to " + view.RoleLabel(p.Role)
		if p.SetsPassword {
			s += ", with a new password"
		}
		return s
	case docket.ApprovalUserPassword:
		return "Set a new password for " + who
	case docket.ApprovalUserFactors:
		return "Remove the second factors of " + who
	}
	return p.Kind
}

var approvalStatusLabels = map[string]string{docket.ApprovalPending: "Waiting",
	docket.ApprovalApproved: "Approved and applied", docket.ApprovalRejected: "Rejected"}

func (h *ApprovalPages) Approvals(c echo.Context) error {
	return h.renderApprovals(c, http.StatusOK, "")
}

func (h *ApprovalPages) renderApprovals(c echo.Context, status int, alert string) error {
	a := httpx.MustActor(c)
	ctx := c.Request().Context()
	pending := docket.ApprovalPending
	waiting, _, err := h.approvals.List(ctx, a, app.ApprovalFilter{Status: &pending}, app.Page{Limit: approvalsPending})
	if err != nil {
		return err
	}
	recent, _, err := h.approvals.List(ctx, a, app.ApprovalFilter{}, app.Page{Limit: approvalsPending + approvalsDecided})
	if err != nil {
		return err
	}
	pg := approvalsPage{PageBase: h.r.Base(c, "Approvals"), Admin: !docket.CanSeeAllApprovals(a.Role),
		CanDecide: docket.CanDecideApprovals(a.Role)}
	pg.Alert = alert
	row := func(p *docket.Approval) approvalRow {
		r := approvalRow{ID: p.ID, What: approvalWords(p), Requester: p.RequesterName, RequestedAt: p.RequestedAt,
			Status: view.LabelOr(approvalStatusLabels[p.Status], p.Status), Decider: p.DeciderName, DecidedAt: p.DecidedAt,
			Mine: p.RequestedBy == a.UserID}
		r.Decide = p.CheckDecision(a) == nil
		return r
	}
	for i := range waiting {
		pg.Pending = append(pg.Pending, row(&waiting[i]))
	}
	for i := range recent {
		if recent[i].Status != docket.ApprovalPending && len(pg.Decided) < approvalsDecided {
			pg.Decided = append(pg.Decided, row(&recent[i]))
		}
	}
	return h.r.Render(c, status, "approvals.html", pg)
}

func (h *ApprovalPages) Approve(c echo.Context) error {
	return h.decideApproval(c, h.approvals.Approve, "approved")
}

func (h *ApprovalPages) Reject(c echo.Context) error {
	return h.decideApproval(c, h.approvals.Reject, "rejected")
}

// pageDecideApproval approves or rejects a change; a change that is decided
// already, or no longer fits, shows the page again with why (409).
func (h *ApprovalPages) decideApproval(c echo.Context, decide func(context.Context, docket.Actor, string) (*docket.Approval, error), what string) error {
	if _, err := decide(c.Request().Context(), httpx.MustActor(c), c.Param("id")); err != nil {
		if status, alert, ok := view.Refusal(err, view.FieldErrors{}, view.StateWords); ok {
			return h.renderApprovals(c, status, alert)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/approvals?done="+what)
}
