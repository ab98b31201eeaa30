package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// WebhookSource gives the webhook channel the URL and the raw signing
// secrets of a webhook (two during the overlap after a rotation), and
// whether it is disabled; a deleted one answers a not_found error.
type WebhookSource interface {
	WebhookTarget(ctx context.Context, id string) (app.WebhookTarget, error)
}

// WebhookOptions configure the webhook channel.
type WebhookOptions struct {
	Targets     WebhookSource
	Guard       *Guard
	Timeout     time.Duration
	MaxAttempts int
	// Now is the injected clock: it stamps webhook-timestamp.
	Now func() time.Time
}

// Webhooks calls the organisations' endpoints, signed in the Standard
// Webhooks format, through the address guard, never following redirects.
type Webhooks struct {
	targets WebhookSource
	guard   *Guard
	client  *http.Client
	now     func() time.Time
	policy  app.RetryPolicy
}

// NewWebhooks builds the webhook channel.
func NewWebhooks(o WebhookOptions) *Webhooks {
	if o.Guard == nil {
		o.Guard = NewGuard(false)
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 8
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	tr := &http.Transport{
		Proxy:                  nil, // a proxy would dial the target itself, past the guard
		DialContext:            o.Guard.Dialer(o.Timeout).DialContext,
		TLSHandshakeTimeout:    o.Timeout,
		ResponseHeaderTimeout:  o.Timeout,
		MaxIdleConns:           16,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
		ForceAttemptHTTP2:      true,
	}
	return &Webhooks{targets: o.Targets, guard: o.Guard, now: o.Now,
		client: &http.Client{Transport: tr, Timeout: o.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		policy: app.RetryPolicy{MaxAttempts: o.MaxAttempts, Base: time.Minute, Max: 6 * time.Hour}}
}

// Name is the channel's name in the deliveries table.
func (w *Webhooks) Name() string { return docket.ChannelWebhook }

// Retry backs off from a minute, doubling up to six hours, and parks a
// message after webhooks.max_attempts.
func (w *Webhooks) Retry() app.RetryPolicy { return w.policy }

// caseRef is {id, number}.
type caseRef struct {
	ID     string `json:"id"`
	Number string `json:"number"`
}

// Envelope is what a webhook receives, the Standard Webhooks payload
// structure: the event type, when it happened (RFC 3339), and its data.
// Nothing in it is confidential.
type Envelope struct {
	Type      string `json:"type"`
	Timestamp string `json:"timestamp"`
	Data      Data   `json:"data"`
}

// Data is an envelope's data: the message id (the webhook-id header), the
// rule and threshold of a reminder or an escalation, the case it is about,
// the deadline, and when the notification or event was made. A field that
// does not apply (a lifecycle event has no rule, a ping no case) is null.
type Data struct {
	ID        string   `json:"id"`
	Rule      *string  `json:"rule"`
	Threshold *string  `json:"threshold"`
	Case      *caseRef `json:"case"`
	DueAt     *string  `json:"due_at"`
	CreatedAt string   `json:"created_at"`
}

// Plan addresses the batch to the webhooks that are not disabled: a reminder
// or an escalation goes to the webhooks of its recipient's organisation that
// want its kind, once per webhook whatever the number of recipients there; a
// lifecycle event goes to the agency's webhooks and, unless it is hidden from
// the lab, to those of the case's lab; a ping goes to the webhook it names.
// Each message id is derived from the webhook and the notification's group
// (or the event), so a retry or a resend carries the same webhook-id. The
// envelope's timestamp is when the notification or the event was made.
func (w *Webhooks) Plan(b app.Batch) ([]docket.Delivery, error) {
	var out []docket.Delivery
	seen := map[string]bool{}
	add := func(hook docket.Webhook, mid, typ, caseID string, data Data) error {
		if seen[mid] {
			return nil
		}
		seen[mid] = true
		data.ID = mid
		payload, err := json.Marshal(Envelope{Type: typ, Timestamp: data.CreatedAt, Data: data})
		if err != nil {
			return err
		}
		out = append(out, docket.Delivery{MessageID: mid, Type: typ, TargetID: hook.ID, OrgID: hook.OrgID, CaseID: caseID,
			Payload: payload})
		return nil
	}
	for _, n := range b.Notifications {
		if n.Kind != docket.KindReminder && n.Kind != docket.KindEscalation {
			continue
		}
		u, ok := b.Users[n.RecipientID]
		if !ok {
			continue
		}
		for _, hook := range b.Webhooks {
			if hook.Disabled || hook.OrgID != u.OrgID || !hook.Wants(n.Kind) {
				continue
			}
			rule, threshold, due := n.Rule, n.Threshold, ts(n.DueAt)
			data := Data{Rule: &rule, Threshold: &threshold, DueAt: &due, CreatedAt: ts(n.CreatedAt)}
			if n.CaseID != "" {
				data.Case = &caseRef{ID: n.CaseID, Number: n.CaseNumber}
			}
			mid := docket.MessageID("webhook", hook.ID, n.GroupKey, strconv.Itoa(n.Repeat))
			if err := add(hook, mid, n.Kind, n.CaseID, data); err != nil {
				return nil, err
			}
		}
	}
	for _, e := range b.Events {
		for _, hook := range b.Webhooks {
			if hook.Disabled || !eventFor(e, hook) {
				continue
			}
			data := Data{CreatedAt: ts(e.CreatedAt)}
			if e.CaseID != "" {
				data.Case = &caseRef{ID: e.CaseID, Number: e.CaseNumber}
			}
			if e.DueAt != nil {
				due := ts(*e.DueAt)
				data.DueAt = &due
			}
			if err := add(hook, docket.MessageID("webhook", hook.ID, e.ID), e.Type, e.CaseID, data); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// eventFor says whether a lifecycle event goes to a webhook: a ping to the
// webhook it names only; any other event to the webhooks that want it, of
// the agency or, when the lab may learn of it, of the case's lab.
func eventFor(e docket.Event, hook docket.Webhook) bool {
	if e.Type == docket.EventPing {
		return e.SubjectType == "webhook" && e.SubjectID == hook.ID
	}
	return hook.Wants(e.Type) && (hook.OrgKind == docket.OrgKindAgency || (hook.OrgID == e.OrgID && e.LabVisible))
}

// Sign is the Standard Webhooks signature: "v1," and the base64 HMAC-SHA256,
// keyed by the raw secret, of id.timestamp.body.
func Sign(secret []byte, id, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SignAll is the webhook-signature header for several secrets: each one's
// signature, space-separated, as the specification allows while a receiver
// moves from one secret to the next.
func SignAll(secrets [][]byte, id, timestamp string, body []byte) string {
	sigs := make([]string, len(secrets))
	for i, k := range secrets {
		sigs[i] = Sign(k, id, timestamp, body)
	}
	return strings.Join(sigs, " ")
}

// Send makes one signed call. Only a 2xx answer is a delivery; a redirect is
// not followed and counts as a failure. A disabled or deleted webhook gets
// nothing: the message is parked.
func (w *Webhooks) Send(ctx context.Context, d docket.Delivery) error {
	t, err := w.targets.WebhookTarget(ctx, d.TargetID)
	if docket.ErrorCode(err) == docket.ENotFound {
		return &app.SendError{Reason: "the webhook was deleted", Permanent: true}
	} else if err != nil || len(t.Secrets) == 0 {
		return &app.SendError{Reason: "the webhook could not be loaded"}
	}
	if t.Disabled {
		return &app.SendError{Reason: "the webhook was disabled", Permanent: true}
	}
	target := t.URL
	if _, _, err := w.guard.checkForm(target); err != nil {
		return &app.SendError{Reason: "the URL is refused: " + docket.AsError(err).Message, Permanent: true}
	}
	stamp := strconv.FormatInt(w.now().Unix(), 10)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(d.Payload))
	if err != nil {
		return &app.SendError{Reason: "the URL is not usable", Permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Docket-Webhooks/1")
	req.Header.Set("webhook-id", d.MessageID)
	req.Header.Set("webhook-timestamp", stamp)
	req.Header.Set("webhook-signature", SignAll(t.Secrets, d.MessageID, stamp, d.Payload))
	resp, err := w.client.Do(req)
	if err != nil {
		return dialFailure(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return nil
	case code >= 300 && code < 400:
		return &app.SendError{Reason: fmt.Sprintf("the receiver answered a redirect (%d), which is not followed", code), Status: code}
	default:
		return &app.SendError{Reason: fmt.Sprintf("the receiver answered %d", code), Status: code}
	}
}

// dialFailure names why a call got no answer, without the URL.
func dialFailure(err error) error {
	var ne net.Error
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	switch {
	case errors.Is(err, ErrRefusedAddress):
		why := "an address webhooks may not reach"
		if _, after, ok := strings.Cut(err.Error(), ErrRefusedAddress.Error()+": "); ok {
			why = after
		}
		return &app.SendError{Reason: "refused when dialled: " + why}
	case errors.As(err, &dns):
		return &app.SendError{Reason: "the host does not resolve"}
	case errors.Is(err, syscall.ECONNREFUSED):
		return &app.SendError{Reason: "connection refused"}
	case errors.As(err, &cert), errors.As(err, &unknownCA), errors.As(err, &hostname):
		return &app.SendError{Reason: "the receiver's TLS certificate is not valid"}
	case errors.As(err, &ne) && ne.Timeout():
		return &app.SendError{Reason: "timed out"}
	}
	return &app.SendError{Reason: "the receiver could not be reached"}
}
