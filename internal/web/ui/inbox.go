package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The inbox (/inbox): the signed-in user's notifications, newest first, each
// with what it is about in words, its case and when it is due; marking read
// and acknowledging escalations are POST forms. The unread count rides in the
// header of every page, one count query per page.

// inboxPerPage is how many notifications a page of the inbox shows.
const inboxPerPage = 50

type inboxPage struct {
	view.PageBase
	// Approvals says the viewer is told of changes that wait for approval.
	Approvals bool
	Rows      []inboxRow
	Cursor    string
	NextHref  string
	FirstHref string
}

type inboxRow struct {
	InboxID, NotificationID string
	Kind, KindLabel         string
	What                    string
	CaseID, CaseNumber      string
	Due, Created            time.Time
	ReadAt                  *time.Time
	Escalation, Acked       bool
	// Href is where an item about no case leads (an approval: /approvals);
	// Undated is an item with no deadline.
	Href    string
	Undated bool
}

var kindLabels = map[string]string{docket.KindReminder: "Reminder", docket.KindEscalation: "Escalation",
	docket.KindDigest: "Daily digest", docket.KindApproval: "Approval"}

// days turns a threshold such as "7d" into "7 days".
func days(threshold string) string {
	n := strings.TrimSuffix(threshold, "d")
	if n == "1" {
		return "1 day"
	}
	return n + " days"
}

// ruleWords says in words what a notification is about. It names deadlines
// and subjects only, never their content.
func ruleWords(rule, threshold string, repeat int) string {
	var s string
	switch rule {
	case docket.RuleCaseReminder:
		s = "The review deadline is " + days(threshold) + " away"
	case docket.RuleCaseUnassigned:
		s = "The case is still unassigned after it was received"
	case docket.RuleCaseLapsed:
		if threshold == "lapsed-lab" {
			s = "The review window has elapsed without a decision"
		} else {
			s = "The review deadline has lapsed without a decision"
		}
	case docket.RuleReleaseConflict:
		s = "The planned release falls on or before the review deadline"
	case docket.RuleRequestLab:
		s = "An information request is unanswered after " + days(threshold)
	case docket.RuleRequestLead:
		s = "An information request is still unanswered after " + days(threshold)
	case docket.RuleFindingReminder:
		s = "A response to a finding is due within " + days(threshold)
	case docket.RuleFindingOverdueLab:
		s = "A response to a finding is overdue"
	case docket.RuleFindingOverdue:
		s = "The lab's response to a finding is overdue"
	case docket.RuleRiskCritical:
		s = "The case's risk tier has reached critical"
	case docket.RuleCapabilityJump:
		s = "A benchmark result is two tiers or more above the previous version's"
	case docket.RuleAcceptanceExpiring:
		s = "The risk acceptance of a finding ends in " + days(threshold)
	case docket.RuleAcceptanceExpired:
		s = "The risk acceptance of a finding has ended: the finding is open again"
	case docket.RuleDigest:
		s = "The daily digest of the countdown"
	case docket.RuleApprovalRequested:
		s = "A change to an account is waiting for a review lead's approval"
	default:
		s = rule
	}
	if repeat > 0 {
		s += fmt.Sprintf(" (repeat %d)", repeat)
	}
	return s
}

var inboxFlashes = map[string]string{
	"read":         "Marked as read.",
	"acknowledged": "Acknowledged. The escalation stops repeating, for every recipient.",
}

func (h *InboxPages) Inbox(c echo.Context) error {
	return h.renderInbox(c, http.StatusOK, "")
}

func (h *InboxPages) renderInbox(c echo.Context, status int, alert string) error {
	a := httpx.MustActor(c)
	ctx := c.Request().Context()
	cursor := c.QueryParam("cursor")
	if len(cursor) > 512 {
		return docket.Unacceptable("cursor", "is not a cursor this list gave")
	}
	items, next, err := h.delivery.Inbox(ctx, a, app.Page{Limit: inboxPerPage, Cursor: cursor})
	if err != nil {
		return err
	}
	acked, err := h.cases.AcknowledgedOf(ctx, a, items)
	if err != nil {
		return err
	}
	pg := inboxPage{PageBase: h.r.Base(c, "Inbox"), Cursor: cursor, Approvals: docket.CanSeeAllApprovals(a.Role)}
	if m, ok := inboxFlashes[c.QueryParam("done")]; ok {
		pg.Flash = m
	}
	pg.Alert = alert
	for _, n := range items {
		row := inboxRow{InboxID: n.InboxID, NotificationID: n.ID, Kind: n.Kind,
			KindLabel: view.LabelOr(kindLabels[n.Kind], n.Kind), What: ruleWords(n.Rule, n.Threshold, n.Repeat),
			CaseID: n.CaseID, CaseNumber: n.CaseNumber, Due: n.DueAt, Created: n.CreatedAt, ReadAt: n.ReadAt,
			Escalation: n.Kind == docket.KindEscalation, Acked: acked[n.ID]}
		if n.Kind == docket.KindApproval {
			row.Href, row.Undated = "/approvals", true
		}
		pg.Rows = append(pg.Rows, row)
	}
	if next != "" {
		pg.NextHref = "/inbox?" + url.Values{"cursor": {next}}.Encode()
	}
	if cursor != "" {
		pg.FirstHref = "/inbox"
	}
	return h.r.Render(c, status, "inbox.html", pg)
}

// backToInbox returns to the page of the inbox the form was on.
func backToInbox(c echo.Context, what string) error {
	q := url.Values{"done": {what}}
	if cur := form(c, "cursor"); cur != "" && len(cur) <= 512 {
		q.Set("cursor", cur)
	}
	return c.Redirect(http.StatusSeeOther, "/inbox?"+q.Encode())
}

func (h *InboxPages) MarkRead(c echo.Context) error {
	if _, err := h.delivery.MarkRead(c.Request().Context(), httpx.MustActor(c), c.Param("id")); err != nil {
		return err
	}
	return backToInbox(c, "read")
}

// pageAcknowledge acknowledges an escalation (404 for anyone but a
// recipient, 409 for a reminder or a digest) and marks the item read.
func (h *InboxPages) Acknowledge(c echo.Context) error {
	a := httpx.MustActor(c)
	ctx := c.Request().Context()
	n, err := h.delivery.Acknowledge(ctx, a, c.Param("id"))
	if err != nil {
		if status, alert, ok := view.Refusal(err, view.FieldErrors{}, view.StateWords); ok {
			return h.renderInbox(c, status, alert)
		}
		return err
	}
	if n.ReadAt == nil {
		if _, err := h.delivery.MarkRead(ctx, a, n.InboxID); err != nil {
			return err
		}
	}
	return backToInbox(c, "acknowledged")
}
