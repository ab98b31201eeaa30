package docket

import (
	"slices"
	"strings"
	"time"
)

// Delivery channels.
const (
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Delivery states: pending until sent or parked.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// Webhook event types: the notification kinds that go to webhooks, and the
// lifecycle events the use cases emit.
const (
	EventReminder          = KindReminder
	EventEscalation        = KindEscalation
	EventCaseSubmitted     = "case.submitted"
	EventCaseDecided       = "case.decided"
	EventInfoRequestOpened = "info_request.opened"
	EventFindingShared     = "finding.shared"
	// EventPing is the test message an endpoint's owner sends it
	// (POST /webhooks/{id}/ping): never subscribed to, sent to that endpoint only.
	EventPing = "ping"
)

// WebhookSecretPrefix starts every webhook signing secret, as in Standard Webhooks.
const WebhookSecretPrefix = "whsec_"

// MaxWebhooksPerOrg bounds the endpoints of one organisation.
const MaxWebhooksPerOrg = 20

const (
	maxWebhookURLLength    = 2000
	webhookEventsDescribed = "reminder, escalation, case.submitted, case.decided, info_request.opened, finding.shared"
)

// WebhookEvents lists every event a webhook can subscribe to.
var WebhookEvents = []string{EventReminder, EventEscalation, EventCaseSubmitted, EventCaseDecided,
	EventInfoRequestOpened, EventFindingShared}

// Delivery is one message to send on one channel: an e-mail to one recipient,
// or one webhook call. Its MessageID is stable (derived from the outbox keys or
// the event it carries), so a resend after a crash or a retry carries the same
// id and receivers can drop duplicates. Payload is what is sent and never holds
// confidential content.
type Delivery struct {
	ID            string
	Channel       string
	MessageID     string
	Type          string // reminder, escalation, digest or a lifecycle event
	TargetID      string // the recipient (e-mail) or the webhook
	OrgID         string // the organisation of the target
	CaseID        string // the case, when the message is about one
	Payload       []byte
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LastAttemptAt *time.Time
	LastStatus    int    // the receiver's status code of the last failed attempt, if any
	LastError     string // a safe reason: never a URL, a secret or a body
	CreatedAt     time.Time
	DeliveredAt   *time.Time
}

// Webhook is an endpoint of an organisation. Secret is the signing secret as
// stored: sealed with a key derived from the signing secret of the deployment.
// After a rotation, PreviousSecret (sealed the same way) still signs every
// delivery beside the new one until PreviousUntil, so that receivers can
// change their secret without dropping a message. A disabled webhook gets no
// deliveries.
type Webhook struct {
	ID             string
	OrgID          string
	OrgKind        string
	URL            string
	Events         []string
	Secret         []byte
	PreviousSecret []byte
	PreviousUntil  *time.Time
	Disabled       bool
	CreatedBy      string
	CreatedAt      time.Time
}

// WebhookUpdate changes a webhook: nil fields stay as they are.
type WebhookUpdate struct {
	Events   *[]string `json:"events"`
	Disabled *bool     `json:"disabled"`
}

// Validate checks the update: the events as ValidateWebhookEvents does, and
// something to change (422, naming the field when one is wrong).
func (u WebhookUpdate) Validate() error {
	if u.Events == nil && u.Disabled == nil {
		return Unacceptable("", "send events, disabled or both: there is nothing to change")
	}
	if u.Events != nil {
		return ValidateWebhookEvents(*u.Events)
	}
	return nil
}

// SigningSecrets returns the sealed secrets that sign a delivery at now: the
// current one, and the previous one while its overlap lasts.
func (w Webhook) SigningSecrets(now time.Time) [][]byte {
	out := [][]byte{w.Secret}
	if len(w.PreviousSecret) > 0 && w.PreviousUntil != nil && now.Before(*w.PreviousUntil) {
		out = append(out, w.PreviousSecret)
	}
	return out
}

// Wants reports whether the webhook subscribes to the event type.
func (w Webhook) Wants(event string) bool { return slices.Contains(w.Events, event) }

// Event is a lifecycle event for webhooks, written in the transaction of the
// use case that caused it. LabVisible is false when the case's lab may not
// learn of it from a webhook (a TLP:RED finding goes to named users only).
type Event struct {
	ID          string
	Type        string
	SubjectType string
	SubjectID   string
	CaseID      string
	CaseNumber  string
	OrgID       string // the case's lab
	LabVisible  bool
	DueAt       *time.Time
	CreatedAt   time.Time
}

// CalendarFeed is a user's secret calendar feed: the hash of its token, and
// the user's token version when it was made (a password change, disabling or
// a role change ends it).
type CalendarFeed struct {
	UserID       string
	TokenHash    string
	TokenVersion int
	CreatedAt    time.Time
}

// CanManageWebhooks says who manages webhooks: lab members their lab's,
// admins the agency's.
func CanManageWebhooks(r Role) bool { return r == RoleLabMember || r == RoleAdmin }

// CanSubscribeCalendar says who may have a calendar feed: everyone who sees cases.
func CanSubscribeCalendar(r Role) bool { return r.Valid() && r != RoleAdmin }

// ValidateWebhookEvents checks a webhook's event list: at least one, each
// known, none twice. It answers 422 naming the field.
func ValidateWebhookEvents(events []string) error {
	if len(events) == 0 {
		return Unacceptable("events", "name at least one of %s", webhookEventsDescribed)
	}
	seen := map[string]bool{}
	for i, e := range events {
		if !slices.Contains(WebhookEvents, e) {
			return Unacceptable("events", "item %d: %q is not one of %s", i, e, webhookEventsDescribed)
		}
		if seen[e] {
			return Unacceptable("events", "item %d: %q is listed twice", i, e)
		}
		seen[e] = true
	}
	return nil
}

// ValidateWebhookURLText checks what can be checked of a URL without the
// address guard: present, not too long, no control characters or spaces.
func ValidateWebhookURLText(raw string) error {
	switch {
	case strings.TrimSpace(raw) == "":
		return Unacceptable("url", "is required")
	case len(raw) > maxWebhookURLLength:
		return Unacceptable("url", "must be at most %d bytes", maxWebhookURLLength)
	case hasControl(raw) || strings.ContainsAny(raw, " \t"):
		return Unacceptable("url", "must not contain spaces or control characters")
	}
	return nil
}
