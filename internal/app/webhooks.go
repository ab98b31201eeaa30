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

// WebhookTarget returns where a webhook delivery goes and the key that signs
// it: the URL and the raw secret. A deleted webhook answers 404.
func (s *Delivery) WebhookTarget(ctx context.Context, id string) (string, []byte, error) {
	var w *docket.Webhook
	if err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		w, err = tx.Delivery().WebhookByID(id)
		return err
	}); err != nil {
		return "", nil, notFoundAs(err, "webhook")
	}
	key, err := s.openSecret(w.Secret, w.ID)
	return w.URL, key, err
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
