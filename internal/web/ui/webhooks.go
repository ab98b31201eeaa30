package ui

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The webhook owners' pages: lab members see their lab's endpoints, admins
// the agency's (/webhooks), and each endpoint's deliveries
// (/webhooks/{id}/deliveries), metadata only, never a body, with a test ping.
// Endpoints are added, changed and rotated through the API (/api/v1/webhooks),
// whose answers carry the secrets, shown once.

// WebhookPages serves the webhook owners' pages.
type WebhookPages struct {
	r        *view.Renderer
	delivery webhookPagesDeliveryCalls
}

type webhooksPage struct {
	view.PageBase
	Hooks []docket.Webhook
}

type webhookDeliveriesPage struct {
	view.PageBase
	Hook     *docket.Webhook
	Rows     []docket.Delivery
	NextHref string
}

// Webhooks lists the caller's organisation's webhooks, each with a link to its deliveries.
func (h *WebhookPages) Webhooks(c echo.Context) error {
	a := httpx.MustActor(c)
	hooks, _, err := h.delivery.ListWebhooks(c.Request().Context(), a, app.Page{Limit: docket.MaxWebhooksPerOrg})
	if err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "webhooks.html", &webhooksPage{PageBase: h.r.Base(c, "Webhooks"), Hooks: hooks})
}

// Deliveries lists one webhook's deliveries, newest first, fifty a page.
func (h *WebhookPages) Deliveries(c echo.Context) error {
	a := httpx.MustActor(c)
	ctx := c.Request().Context()
	if !docket.CanManageWebhooks(a.Role) {
		return docket.Forbidden()
	}
	cursor := c.QueryParam("cursor")
	if len(cursor) > 512 {
		return docket.Unacceptable("cursor", "is not a cursor this list gave")
	}
	hook, err := h.delivery.Webhook(ctx, a, c.Param("id"))
	if err != nil {
		return err
	}
	ds, next, err := h.delivery.ListWebhookDeliveries(ctx, a, hook.ID, app.Page{Limit: 50, Cursor: cursor})
	if err != nil {
		return err
	}
	pg := &webhookDeliveriesPage{PageBase: h.r.Base(c, "Webhook deliveries"), Hook: hook, Rows: ds}
	pg.Flash = view.FlashOf(c)
	if next != "" {
		pg.NextHref = "/webhooks/" + url.PathEscape(hook.ID) + "/deliveries?cursor=" + url.QueryEscape(next)
	}
	return h.r.Render(c, http.StatusOK, "webhook_deliveries.html", pg)
}

// Ping sends the webhook a ping through the outbox and shows its deliveries.
func (h *WebhookPages) Ping(c echo.Context) error {
	id := c.Param("id")
	if err := h.delivery.PingWebhook(c.Request().Context(), httpx.MustActor(c), id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/webhooks/"+url.PathEscape(id)+"/deliveries?done=pinged")
}
