package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The administrators' page of deliveries: what e-mail and webhooks could not
// deliver, with a retry. Metadata only: never a message's body.

type deliveryRow struct {
	docket.Delivery
	CanRetry bool
}

type deliveriesPage struct {
	view.PageBase
	State    string
	States   []view.Option
	Rows     []deliveryRow
	NextHref string
	// Empty says what the list would hold, and why it holds nothing.
	Empty string
}

// deliveriesEmpty says, for each state shown, what would be listed and why nothing is.
var deliveriesEmpty = map[string]string{
	docket.DeliveryFailed:    "No delivery is parked as failed. An e-mail or webhook call that still fails after its last retry appears here, with a button to send it again.",
	docket.DeliveryPending:   "Nothing is waiting to be sent. Reminders, escalations and case events wait here between the sweep that decides them and their delivery, or between retries.",
	docket.DeliveryDelivered: "Nothing has been delivered yet. Each e-mail and webhook call appears here once its receiver accepted it.",
	"all":                    "Docket has sent nothing yet. Reminders, escalations and case events appear here as the sweep sends them by e-mail or webhook.",
}

func (h *AdminPages) Deliveries(c echo.Context) error {
	a := httpx.MustActor(c)
	if a.Role != docket.RoleAdmin {
		return docket.Forbidden()
	}
	state := c.QueryParam("state")
	if state == "" {
		state = docket.DeliveryFailed
	}
	var f app.DeliveryFilter
	if state != "all" {
		if state != docket.DeliveryFailed && state != docket.DeliveryPending && state != docket.DeliveryDelivered {
			return docket.Unacceptable("state", "must be failed, pending, delivered or all")
		}
		f.State = &state
	}
	cursor := c.QueryParam("cursor")
	if len(cursor) > 512 {
		return docket.Unacceptable("cursor", "is not a cursor this list gave")
	}
	ds, next, err := h.delivery.ListDeliveries(c.Request().Context(), a, f, app.Page{Limit: 50, Cursor: cursor})
	if err != nil {
		return err
	}
	pg := &deliveriesPage{PageBase: h.r.Base(c, "Deliveries"), State: state, Empty: deliveriesEmpty[state]}
	for _, v := range []struct{ value, label string }{{"failed", "Parked as failed"}, {"pending", "Waiting to be sent"}, {"delivered", "Delivered"}, {"all", "All"}} {
		pg.States = append(pg.States, view.Option{Value: v.value, Label: v.label, Selected: v.value == state})
	}
	for _, d := range ds {
		pg.Rows = append(pg.Rows, deliveryRow{Delivery: d, CanRetry: d.State == docket.DeliveryFailed})
	}
	if next != "" {
		pg.NextHref = "/admin/deliveries?state=" + state + "&cursor=" + next
	}
	return h.r.Render(c, http.StatusOK, "admin_deliveries.html", pg)
}

func (h *AdminPages) RetryDelivery(c echo.Context) error {
	if _, err := h.delivery.RetryDelivery(c.Request().Context(), httpx.MustActor(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/admin/deliveries?state=pending&done=retried")
}
