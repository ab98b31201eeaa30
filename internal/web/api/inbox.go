package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

type caseRefJSON struct {
	ID     string `json:"id"`
	Number string `json:"number"`
}

type inboxItemJSON struct {
	ID             string       `json:"id"`
	NotificationID string       `json:"notification_id"`
	Rule           string       `json:"rule"`
	Kind           string       `json:"kind"`
	Threshold      string       `json:"threshold"`
	Case           *caseRefJSON `json:"case"`
	DueAt          string       `json:"due_at"`
	CreatedAt      string       `json:"created_at"`
	ReadAt         *string      `json:"read_at"`
}

func presentInbox(n *docket.Notification) inboxItemJSON {
	out := inboxItemJSON{ID: n.InboxID, NotificationID: n.ID, Rule: n.Rule, Kind: n.Kind, Threshold: n.Threshold,
		DueAt: httpx.Instant(n.DueAt), CreatedAt: httpx.Instant(n.CreatedAt), ReadAt: httpx.InstantPtr(n.ReadAt)}
	if n.CaseID != "" {
		out.Case = &caseRefJSON{ID: n.CaseID, Number: n.CaseNumber}
	}
	return out
}

func (s *Delivery) GetInbox(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	a := httpx.MustActor(c)
	items, next, err := s.delivery.Inbox(c.Request().Context(), a, p)
	if err != nil {
		return err
	}
	unread, err := s.delivery.UnreadCount(c.Request().Context(), a)
	if err != nil {
		return err
	}
	out := make([]inboxItemJSON, len(items))
	for i := range items {
		out[i] = presentInbox(&items[i])
	}
	return c.JSON(http.StatusOK, struct {
		list
		Unread int `json:"unread"`
	}{listOf(out, next), unread})
}

func (s *Delivery) PostInboxRead(c echo.Context) error {
	if err := noBody(c); err != nil {
		return err
	}
	n, err := s.delivery.MarkRead(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentInbox(n))
}

func (s *Delivery) PostAck(c echo.Context) error {
	if err := noBody(c); err != nil {
		return err
	}
	n, err := s.delivery.Acknowledge(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentInbox(n))
}

type forecastItemJSON struct {
	At          string       `json:"at"`
	Rule        string       `json:"rule"`
	Kind        string       `json:"kind"`
	Threshold   string       `json:"threshold"`
	Repeat      int          `json:"repeat"`
	RecipientID string       `json:"recipient_id"`
	Case        *caseRefJSON `json:"case"`
	DueAt       string       `json:"due_at"`
}

// forecastUntil reads ?until= as an RFC 3339 instant.
func forecastUntil(c echo.Context) (time.Time, error) {
	raw := c.QueryParam("until")
	if raw == "" {
		return time.Time{}, docket.Unacceptable("until", "is required: an RFC 3339 instant")
	}
	t, err := time.Parse(time.RFC3339Nano, raw)
	if err != nil {
		return time.Time{}, docket.Unacceptable("until", "must be an RFC 3339 instant")
	}
	return t, nil
}

func presentForecast(occ []app.Occurrence) []forecastItemJSON {
	out := make([]forecastItemJSON, len(occ))
	for i, o := range occ {
		out[i] = forecastItemJSON{At: httpx.Instant(o.At), Rule: o.Rule, Kind: o.Kind, Threshold: o.Threshold, Repeat: o.Repeat,
			RecipientID: o.RecipientID, DueAt: httpx.Instant(o.DueAt)}
		if o.CaseID != "" {
			out[i].Case = &caseRefJSON{ID: o.CaseID, Number: o.CaseNumber}
		}
	}
	return out
}

func (s *Delivery) GetForecast(c echo.Context) error {
	if !docket.CanForecast(httpx.MustActor(c).Role) {
		return docket.Forbidden()
	}
	until, err := forecastUntil(c)
	if err != nil {
		return err
	}
	occ, err := s.delivery.Forecast(c.Request().Context(), httpx.MustActor(c), until)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(presentForecast(occ), ""))
}
