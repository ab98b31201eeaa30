package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

type webhookJSON struct {
	ID       string   `json:"id"`
	URL      string   `json:"url"`
	Events   []string `json:"events"`
	Disabled bool     `json:"disabled"`
	// PreviousSecretUntil is when the secret replaced by the last rotation
	// stops signing deliveries; null when the secret was never rotated.
	PreviousSecretUntil *string `json:"previous_secret_until"`
	CreatedAt           string  `json:"created_at"`
}

// rotatedJSON is the answer of a rotation: the new secret, shown this once.
type rotatedJSON struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
}

type webhookCreatedJSON struct {
	webhookJSON
	Secret string `json:"secret"`
}

func presentWebhook(w docket.Webhook) webhookJSON {
	events := w.Events
	if events == nil {
		events = []string{}
	}
	out := webhookJSON{ID: w.ID, URL: w.URL, Events: events, Disabled: w.Disabled, CreatedAt: httpx.Instant(w.CreatedAt)}
	if len(w.PreviousSecret) > 0 {
		out.PreviousSecretUntil = httpx.InstantPtr(w.PreviousUntil)
	}
	return out
}

// PostWebhook adds an endpoint to the caller's organisation; the secret is in this answer only.
func (s *Delivery) PostWebhook(c echo.Context) error {
	a := httpx.MustActor(c)
	if !docket.CanManageWebhooks(a.Role) {
		return docket.Forbidden()
	}
	var in app.WebhookInput
	if err := decode(c, &in); err != nil {
		return err
	}
	w, secret, err := s.delivery.CreateWebhook(c.Request().Context(), a, in, s.guard)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, webhookCreatedJSON{presentWebhook(*w), secret})
}

func (s *Delivery) GetWebhooks(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	hooks, next, err := s.delivery.ListWebhooks(c.Request().Context(), httpx.MustActor(c), p)
	if err != nil {
		return err
	}
	items := make([]webhookJSON, len(hooks))
	for i, w := range hooks {
		items[i] = presentWebhook(w)
	}
	return c.JSON(http.StatusOK, listOf(items, next))
}

func (s *Delivery) DeleteWebhook(c echo.Context) error {
	if err := s.delivery.DeleteWebhook(c.Request().Context(), httpx.MustActor(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// PatchWebhook changes a webhook's events or disables or enables it.
func (s *Delivery) PatchWebhook(c echo.Context) error {
	a := httpx.MustActor(c)
	if !docket.CanManageWebhooks(a.Role) {
		return docket.Forbidden()
	}
	var in docket.WebhookUpdate
	if err := decode(c, &in); err != nil {
		return err
	}
	w, err := s.delivery.UpdateWebhook(c.Request().Context(), a, c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentWebhook(*w))
}

// PostRotateSecret gives a webhook a new secret, in this answer only; the old
// one signs beside it for webhooks.secret_overlap.
func (s *Delivery) PostRotateSecret(c echo.Context) error {
	a := httpx.MustActor(c)
	if !docket.CanManageWebhooks(a.Role) {
		return docket.Forbidden()
	}
	if err := noBody(c); err != nil {
		return err
	}
	w, secret, err := s.delivery.RotateWebhookSecret(c.Request().Context(), a, c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rotatedJSON{ID: w.ID, Secret: secret})
}

// PostPing sends the webhook a ping event through the outbox, at once.
func (s *Delivery) PostPing(c echo.Context) error {
	a := httpx.MustActor(c)
	if !docket.CanManageWebhooks(a.Role) {
		return docket.Forbidden()
	}
	if err := noBody(c); err != nil {
		return err
	}
	if err := s.delivery.PingWebhook(c.Request().Context(), a, c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusAccepted)
}

// deliveryStateJSON is where a delivery stands: its attempts and their outcome.
type deliveryStateJSON struct {
	State         string  `json:"state"`
	Attempts      int     `json:"attempts"`
	LastStatus    *int    `json:"last_status"`
	LastError     *string `json:"last_error"`
	LastAttemptAt *string `json:"last_attempt_at"`
	NextAttemptAt *string `json:"next_attempt_at"`
	CreatedAt     string  `json:"created_at"`
	DeliveredAt   *string `json:"delivered_at"`
}

// webhookDeliveryJSON is a delivery as the webhook's owners see it: metadata, never the body.
type webhookDeliveryJSON struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	MessageID string `json:"message_id"`
	deliveryStateJSON
}

// GetWebhookDeliveries lists a webhook's deliveries, newest first, to its owners.
func (s *Delivery) GetWebhookDeliveries(c echo.Context) error {
	a := httpx.MustActor(c)
	if !docket.CanManageWebhooks(a.Role) {
		return docket.Forbidden()
	}
	for name := range c.QueryParams() {
		if name != "limit" && name != "cursor" {
			return docket.FieldError(name, "is not a parameter of this list")
		}
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	ds, next, err := s.delivery.ListWebhookDeliveries(c.Request().Context(), a, c.Param("id"), p)
	if err != nil {
		return err
	}
	items := make([]webhookDeliveryJSON, len(ds))
	for i, d := range ds {
		m := presentDelivery(d)
		items[i] = webhookDeliveryJSON{ID: m.ID, Type: m.Type, MessageID: m.MessageID, deliveryStateJSON: m.deliveryStateJSON}
	}
	return c.JSON(http.StatusOK, listOf(items, next))
}

// deliveryJSON is a delivery's metadata: never its body.
type deliveryJSON struct {
	ID        string `json:"id"`
	Channel   string `json:"channel"`
	Type      string `json:"type"`
	MessageID string `json:"message_id"`
	TargetID  string `json:"target_id"`
	OrgID     string `json:"org_id"`
	deliveryStateJSON
}

func presentDelivery(d docket.Delivery) deliveryJSON {
	st := deliveryStateJSON{State: d.State, Attempts: d.Attempts, LastAttemptAt: httpx.InstantPtr(d.LastAttemptAt),
		CreatedAt: httpx.Instant(d.CreatedAt), DeliveredAt: httpx.InstantPtr(d.DeliveredAt)}
	if d.LastStatus != 0 {
		st.LastStatus = &d.LastStatus
	}
	if d.LastError != "" {
		st.LastError = &d.LastError
	}
	if d.State == docket.DeliveryPending {
		st.NextAttemptAt = httpx.InstantPtr(&d.NextAttemptAt)
	}
	return deliveryJSON{ID: d.ID, Channel: d.Channel, Type: d.Type, MessageID: d.MessageID, TargetID: d.TargetID,
		OrgID: d.OrgID, deliveryStateJSON: st}
}

func (s *Delivery) GetDeliveries(c echo.Context) error {
	if httpx.MustActor(c).Role != docket.RoleAdmin {
		return docket.Forbidden()
	}
	var f app.DeliveryFilter
	for name := range c.QueryParams() {
		switch name {
		case "state", "channel", "limit", "cursor":
		default:
			return docket.FieldError(name, "is not a filter of this list")
		}
	}
	if v := c.QueryParam("state"); v != "" {
		f.State = &v
	}
	if v := c.QueryParam("channel"); v != "" {
		f.Channel = &v
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	ds, next, err := s.delivery.ListDeliveries(c.Request().Context(), httpx.MustActor(c), f, p)
	if err != nil {
		return err
	}
	items := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		items[i] = presentDelivery(d)
	}
	return c.JSON(http.StatusOK, listOf(items, next))
}

func (s *Delivery) PostRetryDelivery(c echo.Context) error {
	if httpx.MustActor(c).Role != docket.RoleAdmin {
		return docket.Forbidden()
	}
	if err := noBody(c); err != nil {
		return err
	}
	d, err := s.delivery.RetryDelivery(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentDelivery(*d))
}
