package ui

import (
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The inbox (/inbox): the signed-in user's notifications, a row per
// escalation with its repeats, per reminder and per digest (one group key),
// the most recently added to first, each with what it is about in words
// (docket.RuleWords), its case and when it is due; a digest says what it
// carries and links to the dashboard. Marking a row read (all of it) and
// acknowledging an escalation are POST forms. The unread count rides in the
// header of every page, one count query per page.

// inboxPerPage is how many rows a page of the inbox shows.
const inboxPerPage = 50

type inboxPage struct {
	view.PageBase
	// Approvals says the viewer is told of changes that wait for approval;
	// Forecast that the viewer reads the forecast.
	Approvals bool
	Forecast  bool
	Rows      []inboxRow
	Cursor    string
	NextHref  string
	FirstHref string
}

type inboxRow struct {
	// InboxID and NotificationID are the newest notification's of the row.
	InboxID, NotificationID string
	Kind, KindLabel         string
	What                    string
	CaseID, CaseNumber      string
	Due                     time.Time
	// First and Last are when the row's first and newest notifications
	// arrived; Count how many it holds, Unread how many of them are unread.
	First, Last       time.Time
	Count, Unread     int
	Escalation, Acked bool
	// Href is where an item about no case leads (an approval: /approvals;
	// a digest: /dashboard); Undated is an item with no deadline.
	Href    string
	Undated bool
	// Digest lists what a digest carries, by rule.
	Digest []app.DigestLine
}

var kindLabels = map[string]string{docket.KindReminder: "Reminder", docket.KindEscalation: "Escalation",
	docket.KindDigest: "Daily digest", docket.KindApproval: "Approval"}

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
	groups, next, err := h.delivery.InboxGroups(ctx, a, app.Page{Limit: inboxPerPage, Cursor: cursor})
	if err != nil {
		return err
	}
	latest := make([]docket.Notification, len(groups))
	for i, g := range groups {
		latest[i] = g.Latest
	}
	acked, err := h.cases.AcknowledgedOf(ctx, a, latest)
	if err != nil {
		return err
	}
	digests, err := h.delivery.DigestsOf(ctx, a, latest)
	if err != nil {
		return err
	}
	pg := inboxPage{PageBase: h.r.Base(c, "Inbox"), Cursor: cursor, Approvals: docket.CanSeeAllApprovals(a.Role),
		Forecast: docket.CanForecast(a.Role)}
	if m, ok := inboxFlashes[c.QueryParam("done")]; ok {
		pg.Flash = m
	}
	pg.Alert = alert
	for _, g := range groups {
		n := g.Latest
		row := inboxRow{InboxID: n.InboxID, NotificationID: n.ID, Kind: n.Kind,
			KindLabel: view.LabelOr(kindLabels[n.Kind], n.Kind), What: docket.RuleWords(n.Rule, n.Threshold),
			CaseID: n.CaseID, CaseNumber: n.CaseNumber, Due: n.DueAt, First: g.FirstAt, Last: g.LastAt,
			Count: g.Count, Unread: g.Unread, Escalation: n.Kind == docket.KindEscalation, Acked: acked[n.ID]}
		switch n.Kind {
		case docket.KindApproval:
			row.Href, row.Undated = "/approvals", true
		case docket.KindDigest:
			carries := digests[n.ID]
			row.Href, row.Undated, row.What = "/dashboard", true, app.DigestWords(carries)
			row.Digest = app.DigestLines(carries)
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

// MarkRead marks a row of the inbox read: the notification and every other
// of its group (an escalation's repeats).
func (h *InboxPages) MarkRead(c echo.Context) error {
	if _, err := h.delivery.MarkGroupRead(c.Request().Context(), httpx.MustActor(c), c.Param("id")); err != nil {
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
	if _, err := h.delivery.MarkGroupRead(ctx, a, n.InboxID); err != nil {
		return err
	}
	return backToInbox(c, "acknowledged")
}
