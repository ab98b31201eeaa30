package app

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/seal"
)

// URLGuard checks a webhook URL before it is saved; it refuses with a 422
// naming the field url.
type URLGuard interface {
	CheckURL(ctx context.Context, raw string) error
}

// WebhookInput is a new webhook: where to and which events.
type WebhookInput struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

// CreateWebhook adds an endpoint to the actor's organisation (lab members for
// their lab, admins for the agency; 403 otherwise) after the guard accepted its
// URL (422 naming url or events). It returns the webhook and its signing
// secret, which is shown this once and stored sealed. Saving sends nothing.
func (s *Delivery) CreateWebhook(ctx context.Context, a docket.Actor, in WebhookInput, guard URLGuard) (*docket.Webhook, string, error) {
	if !docket.CanManageWebhooks(a.Role) {
		return nil, "", docket.Forbidden()
	}
	if err := docket.ValidateWebhookURLText(in.URL); err != nil {
		return nil, "", err
	}
	if err := docket.ValidateWebhookEvents(in.Events); err != nil {
		return nil, "", err
	}
	if guard == nil {
		return nil, "", errors.New("webhooks: no address guard")
	}
	if err := guard.CheckURL(ctx, in.URL); err != nil {
		return nil, "", err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	now := s.Now()
	w := &docket.Webhook{ID: newID(), OrgID: a.OrgID, OrgKind: a.OrgKind, URL: in.URL,
		Events: append([]string{}, in.Events...), CreatedBy: a.UserID, CreatedAt: now}
	sealed, err := s.sealSecret(raw, w.ID)
	if err != nil {
		return nil, "", err
	}
	w.Secret = sealed
	err = s.write(ctx, func(tx deliveryTx) error {
		n, err := tx.Delivery().CountWebhooks(a.OrgID)
		if err != nil {
			return err
		}
		if n >= docket.MaxWebhooksPerOrg {
			return docket.Errorf(docket.EConflict, "the organisation has %d webhooks, the most it may have; delete one first", n)
		}
		if err := tx.Delivery().CreateWebhook(w); err != nil {
			return err
		}
		return s.audit(tx, a, "webhook.created", "webhook", w.ID, "", docket.Changes{"events": w.Events, "host": urlHost(w.URL)})
	})
	if err != nil {
		return nil, "", err
	}
	return w, docket.WebhookSecretPrefix + base64.StdEncoding.EncodeToString(raw), nil
}

// urlHost is what the audit trail keeps of a URL: its host, never a path or query that may hold a token.
func urlHost(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Host
	}
	return ""
}

// ListWebhooks lists the actor's organisation's webhooks, without their secrets.
func (s *Delivery) ListWebhooks(ctx context.Context, a docket.Actor, p Page) ([]docket.Webhook, string, error) {
	if !docket.CanManageWebhooks(a.Role) {
		return nil, "", docket.Forbidden()
	}
	var out []docket.Webhook
	var next string
	err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		out, next, err = tx.Delivery().ListWebhooks(a.OrgID, Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
		return err
	})
	return out, next, err
}

// DeleteWebhook removes one of the actor's organisation's webhooks (404 for
// any other); its messages not yet delivered are parked as failed.
func (s *Delivery) DeleteWebhook(ctx context.Context, a docket.Actor, id string) error {
	if !docket.CanManageWebhooks(a.Role) {
		return docket.Forbidden()
	}
	return s.write(ctx, func(tx deliveryTx) error {
		w, err := tx.Delivery().WebhookByID(id)
		if err != nil || w.OrgID != a.OrgID {
			return docket.NotFound("webhook")
		}
		if err := tx.Delivery().DeleteWebhook(id); err != nil {
			return err
		}
		if err := tx.Delivery().FailPendingDeliveries(id, "the webhook was deleted", s.Now()); err != nil {
			return err
		}
		return s.audit(tx, a, "webhook.deleted", "webhook", id, "", docket.Changes{"host": urlHost(w.URL)})
	})
}

// ownWebhook loads a webhook of the actor's organisation inside tx: 404 for
// any other organisation's, as for one that does not exist.
func ownWebhook(tx deliveryTx, a docket.Actor, id string) (*docket.Webhook, error) {
	w, err := tx.Delivery().WebhookByID(id)
	switch {
	case docket.ErrorCode(err) == docket.ENotFound:
		return nil, docket.NotFound("webhook")
	case err != nil:
		return nil, err
	case w.OrgID != a.OrgID:
		return nil, docket.NotFound("webhook")
	}
	return w, nil
}

// UpdateWebhook changes the events of one of the actor's organisation's
// webhooks, or disables or enables it (403 for roles that manage none, 404
// for another organisation's, 422 naming events). Disabling it parks its
// messages not yet delivered as failed; a disabled webhook gets no new ones.
func (s *Delivery) UpdateWebhook(ctx context.Context, a docket.Actor, id string, in docket.WebhookUpdate) (*docket.Webhook, error) {
	if !docket.CanManageWebhooks(a.Role) {
		return nil, docket.Forbidden()
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var w *docket.Webhook
	err := s.write(ctx, func(tx deliveryTx) error {
		var err error
		if w, err = ownWebhook(tx, a, id); err != nil {
			return err
		}
		ch := docket.Changes{"host": urlHost(w.URL)}
		if in.Events != nil {
			w.Events = append([]string{}, (*in.Events)...)
			ch["events"] = w.Events
		}
		if in.Disabled != nil {
			if *in.Disabled && !w.Disabled {
				if err := tx.Delivery().FailPendingDeliveries(w.ID, "the webhook was disabled", s.Now()); err != nil {
					return err
				}
			}
			w.Disabled = *in.Disabled
			ch["disabled"] = w.Disabled
		}
		if err := tx.Delivery().UpdateWebhook(w); err != nil {
			return err
		}
		return s.audit(tx, a, "webhook.updated", "webhook", w.ID, "", ch)
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// RotateWebhookSecret gives one of the actor's organisation's webhooks a new
// signing secret, returned this once (403 for roles that manage none, 404 for
// another organisation's). The secret it replaces still signs each delivery
// beside the new one for webhooks.secret_overlap; a secret older than that
// (from a rotation before) signs nothing more.
func (s *Delivery) RotateWebhookSecret(ctx context.Context, a docket.Actor, id string) (*docket.Webhook, string, error) {
	if !docket.CanManageWebhooks(a.Role) {
		return nil, "", docket.Forbidden()
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, "", err
	}
	var w *docket.Webhook
	err := s.write(ctx, func(tx deliveryTx) error {
		var err error
		if w, err = ownWebhook(tx, a, id); err != nil {
			return err
		}
		sealed, err := s.sealSecret(raw, w.ID)
		if err != nil {
			return err
		}
		now := s.Now()
		until := now.Add(s.secretOverlap)
		w.PreviousSecret, w.PreviousUntil, w.Secret = w.Secret, &until, sealed
		if err := tx.Delivery().UpdateWebhook(w); err != nil {
			return err
		}
		return s.audit(tx, a, "webhook.secret_rotated", "webhook", w.ID, "",
			docket.Changes{"host": urlHost(w.URL), "previous_until": until.UTC().Format(time.RFC3339Nano)})
	})
	if err != nil {
		return nil, "", err
	}
	return w, docket.WebhookSecretPrefix + base64.StdEncoding.EncodeToString(raw), nil
}

// PingWebhook sends one of the actor's organisation's webhooks a ping event
// through the outbox, like any other message: signed, retried, listed among
// its deliveries (403 for roles that manage none, 404 for another
// organisation's, 409 when it is disabled). It asks for a delivery run at once.
func (s *Delivery) PingWebhook(ctx context.Context, a docket.Actor, id string) error {
	if !docket.CanManageWebhooks(a.Role) {
		return docket.Forbidden()
	}
	err := s.write(ctx, func(tx deliveryTx) error {
		w, err := ownWebhook(tx, a, id)
		if err != nil {
			return err
		}
		if w.Disabled {
			return docket.Errorf(docket.EConflict, "the webhook is disabled; enable it before pinging it")
		}
		e := &docket.Event{ID: newID(), Type: docket.EventPing, SubjectType: "webhook", SubjectID: w.ID, OrgID: w.OrgID,
			CreatedAt: s.Now()}
		if err := tx.Delivery().InsertEvent(e); err != nil {
			return err
		}
		return s.audit(tx, a, "webhook.pinged", "webhook", w.ID, "", docket.Changes{"host": urlHost(w.URL)})
	})
	if err != nil {
		return err
	}
	s.Wake()
	return nil
}

// Wake asks for a delivery run now; a request already waiting covers this one.
func (s *Delivery) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Wakes is where the scheduler hears that a delivery run is wanted now.
func (s *Delivery) Wakes() <-chan struct{} { return s.wake }

// ListWebhookDeliveries lists the messages of one of the actor's
// organisation's webhooks, newest first: metadata only, never a body (403 for
// roles that manage none, 404 for another organisation's).
func (s *Delivery) ListWebhookDeliveries(ctx context.Context, a docket.Actor, id string, p Page) ([]docket.Delivery, string, error) {
	if !docket.CanManageWebhooks(a.Role) {
		return nil, "", docket.Forbidden()
	}
	var out []docket.Delivery
	var next string
	err := s.read(ctx, func(tx deliveryTx) error {
		if _, err := ownWebhook(tx, a, id); err != nil {
			return err
		}
		channel := docket.ChannelWebhook
		var err error
		out, next, err = tx.Delivery().ListDeliveries(DeliveryFilter{Channel: &channel, TargetID: &id},
			Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
		return err
	})
	return out, next, err
}

// Webhook returns one of the actor's organisation's webhooks, without its
// secrets (403 for roles that manage none, 404 for another organisation's).
func (s *Delivery) Webhook(ctx context.Context, a docket.Actor, id string) (*docket.Webhook, error) {
	if !docket.CanManageWebhooks(a.Role) {
		return nil, docket.Forbidden()
	}
	var w *docket.Webhook
	err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		w, err = ownWebhook(tx, a, id)
		return err
	})
	return w, err
}

// WebhookTarget is where a webhook delivery goes and the keys that sign it.
type WebhookTarget struct {
	URL string
	// Secrets are the raw signing secrets: the current one first, then the
	// one it replaced while the overlap after a rotation lasts.
	Secrets [][]byte
	// Disabled says the owner paused the webhook: nothing is sent.
	Disabled bool
}

// WebhookTarget returns where a webhook delivery goes and the keys that sign
// it now. A deleted webhook answers 404.
func (s *Delivery) WebhookTarget(ctx context.Context, id string) (WebhookTarget, error) {
	var w *docket.Webhook
	if err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		w, err = tx.Delivery().WebhookByID(id)
		return err
	}); err != nil {
		return WebhookTarget{}, notFoundAs(err, "webhook")
	}
	t := WebhookTarget{URL: w.URL, Disabled: w.Disabled}
	for _, sealed := range w.SigningSecrets(s.Now()) {
		key, err := s.openSecret(sealed, w.ID)
		if err != nil {
			return WebhookTarget{}, err
		}
		t.Secrets = append(t.Secrets, key)
	}
	return t, nil
}

// emit records a lifecycle event for webhooks inside the use case's transaction.
func (s *core) emit(tx eventTx, typ string, c *docket.Case, subjectType, subjectID string, due *time.Time, labVisible bool) error {
	e := &docket.Event{ID: newID(), Type: typ, SubjectType: subjectType, SubjectID: subjectID, CaseID: c.ID,
		CaseNumber: c.Number, OrgID: c.OrgID, LabVisible: labVisible, DueAt: due, CreatedAt: s.Now()}
	return tx.Delivery().InsertEvent(e)
}

// sealSecret encrypts a webhook secret, bound to the webhook's id.
func (s *Delivery) sealSecret(plain []byte, webhookID string) ([]byte, error) {
	k, err := seal.New(s.secret, seal.WebhookSecrets)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return k.Seal(plain, webhookID)
}

// openSecret decrypts what sealSecret sealed for the same webhook.
func (s *Delivery) openSecret(sealed []byte, webhookID string) ([]byte, error) {
	k, err := seal.New(s.secret, seal.WebhookSecrets)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	plain, err := k.Open(sealed, webhookID)
	if err != nil {
		return nil, fmt.Errorf("webhooks: %w", err)
	}
	return plain, nil
}
