package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// The changes to accounts that wait for a review lead's approval
// ("Administration takes two"): GET /approvals, and the leads' approve and
// reject. The administrators' user routes answer 201 with such a change when
// theirs waits (api_auth.go).

// ApprovalService is what the approvals' routes and page call (app.Approvals).
type ApprovalService interface {
	List(ctx context.Context, a docket.Actor, f app.ApprovalFilter, p app.Page) ([]docket.Approval, string, error)
	Approve(ctx context.Context, a docket.Actor, id string) (*docket.Approval, error)
	Reject(ctx context.Context, a docket.Actor, id string) (*docket.Approval, error)
}

type approvalJSON struct {
	ID          string  `json:"id"`
	Kind        string  `json:"kind"`
	UserID      string  `json:"user_id"`
	RequestedBy string  `json:"requested_by"`
	RequestedAt string  `json:"requested_at"`
	Status      string  `json:"status"`
	DecidedBy   *string `json:"decided_by"`
	DecidedAt   *string `json:"decided_at"`
	Email       string  `json:"email"`
	Name        string  `json:"name"`
	OrgID       string  `json:"org_id"`
	Role        *string `json:"role"`
	FromRole    *string `json:"from_role"`
	SetsPass    bool    `json:"sets_password"`
}

// presentApproval shows a change: what it does, never a password or its hash.
func presentApproval(p *docket.Approval) approvalJSON {
	out := approvalJSON{ID: p.ID, Kind: p.Kind, UserID: p.UserID, RequestedBy: p.RequestedBy, RequestedAt: httpx.Instant(p.RequestedAt),
		Status: p.Status, DecidedAt: httpx.InstantPtr(p.DecidedAt), Email: p.Email, Name: p.Name, OrgID: p.OrgID, SetsPass: p.SetsPassword}
	if p.DecidedBy != "" {
		out.DecidedBy = httpx.StrPtr(p.DecidedBy)
	}
	if p.Role != "" {
		out.Role = httpx.StrPtr(string(p.Role))
	}
	if p.FromRole != "" {
		out.FromRole = httpx.StrPtr(string(p.FromRole))
	}
	return out
}

func (s *Approvals) GetApprovals(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	var f app.ApprovalFilter
	if v := c.QueryParam("status"); v != "" {
		f.Status = &v
	}
	items, next, err := s.approvals.List(c.Request().Context(), httpx.MustActor(c), f, p)
	if err != nil {
		return err
	}
	out := make([]approvalJSON, len(items))
	for i := range items {
		out[i] = presentApproval(&items[i])
	}
	return c.JSON(http.StatusOK, listOf(out, next))
}

func (s *Approvals) PostApprove(c echo.Context) error {
	if err := noBody(c); err != nil {
		return err
	}
	ap, err := s.approvals.Approve(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentApproval(ap))
}

func (s *Approvals) PostReject(c echo.Context) error {
	if err := noBody(c); err != nil {
		return err
	}
	ap, err := s.approvals.Reject(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentApproval(ap))
}

// userChangeResult answers an administrator's change to a user: the user
// with status (201 for a create, 200 otherwise), or 201 with the change that
// waits for a review lead's approval.
func userChangeResult(c echo.Context, status int, ch app.UserChange) error {
	if ch.Pending != nil {
		return c.JSON(http.StatusCreated, presentApproval(ch.Pending))
	}
	return c.JSON(status, presentUser(ch.User))
}
