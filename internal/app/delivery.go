package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/docket/docket/internal/docket"
)

// DeliveryStore keeps what leaves Docket: the messages of each channel with
// their delivery state, the webhooks, the lifecycle events for them, and the
// calendar feeds.
type DeliveryStore interface {
	// InsertDeliveries adds messages, skipping any whose channel and message
	// id exist already; it returns how many it added.
	InsertDeliveries(ds []docket.Delivery) (int, error)
	// DueDeliveries returns a channel's pending messages due at now, the
	// longest waiting first.
	DueDeliveries(channel string, now time.Time, limit int) ([]docket.Delivery, error)
	// UpdateDelivery stores the state of a delivery after an attempt or a retry.
	UpdateDelivery(d *docket.Delivery) error
	DeliveryByID(id string) (*docket.Delivery, error)
	// ListDeliveries lists deliveries matching f, newest first.
	ListDeliveries(f DeliveryFilter, p Page) ([]docket.Delivery, string, error)
	// FailPendingDeliveries parks the pending messages to a target (a deleted webhook).
	FailPendingDeliveries(targetID, reason string, at time.Time) error
	// QueueDepth counts the outbox rows by state and the deliveries by channel and state.
	QueueDepth() (QueueDepth, error)
	// UsersByID loads users with their organisations; missing ids are left out.
	UsersByID(ids []string) (map[string]docket.User, error)

	CreateWebhook(w *docket.Webhook) error
	// UpdateWebhook stores a webhook's events, disabled flag and secrets.
	UpdateWebhook(w *docket.Webhook) error
	// WebhookByID returns a webhook with its organisation's kind.
	WebhookByID(id string) (*docket.Webhook, error)
	// ListWebhooks lists an organisation's webhooks, oldest first.
	ListWebhooks(orgID string, p Page) ([]docket.Webhook, string, error)
	CountWebhooks(orgID string) (int, error)
	// AllWebhooks returns every webhook with its organisation's kind.
	AllWebhooks() ([]docket.Webhook, error)
	DeleteWebhook(id string) error

	InsertEvent(e *docket.Event) error
	PendingEvents(limit int) ([]docket.Event, error)
	MarkEventsDispatched(ids []string) error
	// DispatchedEventsBefore lists up to limit events handed to the channels
	// and made before the instant, oldest first.
	DispatchedEventsBefore(before time.Time, limit int) ([]string, error)
	// DeleteEvents deletes the listed events that were handed to the channels.
	DeleteEvents(ids []string) error

	CalendarStore
}

// DeliveryFilter narrows the deliveries list.
type DeliveryFilter struct {
	State   *string
	Channel *string
	// TargetID keeps the messages to one target (a webhook's, with Channel webhook).
	TargetID *string
}

// QueueDepth is how much waits where, for the metrics.
type QueueDepth struct {
	Notifications map[string]int            // outbox rows by state
	Deliveries    map[string]map[string]int // channel → state → count
}

// Batch is what a channel plans its messages from: the notifications and
// lifecycle events not yet handed to the channels, and what the channels need
// to address them.
type Batch struct {
	Now           time.Time
	Notifications []docket.Notification
	Events        []docket.Event
	// Users holds the notifications' recipients with their organisations.
	Users map[string]docket.User
	// Webhooks holds every webhook with its organisation's kind.
	Webhooks []docket.Webhook
	// Digests holds what each digest among Notifications carries, by the
	// digest's notification id (DigestLines sums it up).
	Digests map[string][]docket.Notification
}

// RetryPolicy says how a channel retries: exponential backoff from Base,
// capped at Max, with jitter; parked as failed after MaxAttempts (0: never).
type RetryPolicy struct {
	MaxAttempts int
	Base        time.Duration
	Max         time.Duration
}

// AttemptsWithin is how many attempts the policy's waits, with their mean
// jitter, make from a first attempt until d has passed: the attempt count at
// which retrying for about d gives up. It counts from the first attempt, not
// from the message's making, so a message an administrator sends again gets
// the whole time again.
func (p RetryPolicy) AttemptsWithin(d time.Duration) int {
	n, elapsed := 1, time.Duration(0)
	for elapsed < d {
		w := max(p.wait(n), time.Second) // a zero wait would never pass d
		elapsed += w + w/8               // Backoff adds up to a quarter: an eighth on average
		n++
	}
	return n
}

// wait is the backoff after attempts failed attempts, without jitter.
func (p RetryPolicy) wait(attempts int) time.Duration {
	d := p.Base
	for i := 1; i < attempts && d < p.Max; i++ {
		d *= 2
	}
	if p.Max > 0 && d > p.Max {
		d = p.Max
	}
	return d
}

// Backoff is the wait after the given number of failed attempts (1 for the
// first failure): Base doubled each time up to Max, plus up to a quarter of
// it as jitter, so that the waits grow and retries do not march in step.
func (p RetryPolicy) Backoff(attempts int) time.Duration {
	d := p.wait(attempts)
	if q := int64(d / 4); q > 0 {
		d += time.Duration(rand.Int64N(q)) // #nosec G404 -- backoff jitter spreads retries; it guards no secret
	}
	return d
}

// Channel delivers notifications and lifecycle events outside the inbox
// (e-mail, webhooks). Delivery happens in two steps, so that nothing is lost
// and nothing is sent twice under two ids: Plan turns a batch into messages
// with stable message ids, which Docket stores in the same transaction that
// marks the batch handed over; then Send sends each stored message, and
// Docket records the outcome and retries failures on the injected clock with
// the channel's policy. Each channel keeps its own state: one failing never
// holds back the inbox or another channel.
type Channel interface {
	Name() string
	// Plan must be deterministic: the same batch gives the same message ids.
	// It sets MessageID, Type, TargetID, OrgID, CaseID and Payload.
	Plan(b Batch) ([]docket.Delivery, error)
	// Send makes one attempt at one stored message. It returns nil when the
	// receiver took it, otherwise preferably a *SendError.
	Send(ctx context.Context, d docket.Delivery) error
	Retry() RetryPolicy
}

// SendError is a failed attempt: a safe reason (never a URL, a secret or a
// body), the receiver's status code if it answered, and whether trying again
// cannot help.
type SendError struct {
	Reason    string
	Status    int
	Permanent bool
}

func (e *SendError) Error() string { return e.Reason }

// Observer is told about sweeps and deliveries, for the metrics.
type Observer interface {
	// ObserveSweep counts a sweep: how long it took, whether this process
	// held the lease, how many notifications it wrote.
	ObserveSweep(d time.Duration, held bool, written int, err error)
	// ObserveDelivery counts one delivery attempt and how long it took.
	ObserveDelivery(channel, result string, d time.Duration)
	// ObserveSignInFailure counts a refused sign-in by why (failed, locked,
	// throttled); lockedNow says it locked the account for its address.
	ObserveSignInFailure(reason string, lockedNow bool)
	// ObserveStatements counts review statements issued, by kind.
	ObserveStatements(kind string, n int)
}

// Observe sets the observer of every service (they share it): sweeps,
// deliveries, sign-ins and statements. Call it before the scheduler starts.
func (c *core) Observe(o Observer) { c.obs = o }

func (s *Delivery) observeSweep(start time.Time, res SweepResult, err error) {
	if s.obs != nil {
		s.obs.ObserveSweep(time.Since(start), res.Held, res.Inserted, err)
		if err == nil && res.Statements > 0 {
			s.obs.ObserveStatements(docket.StatementLapse, res.Statements)
		}
	}
}

// sendPerRun and sendBudget bound what one channel sends in one delivery run
// (a count, and wall-clock time, so that a slow receiver cannot hold up the
// next sweep); the rest wait for the next run.
const (
	sendPerRun = 200
	sendBudget = 40 * time.Second
)

// Deliver hands the notifications and lifecycle events not yet handed over to
// the channels, then sends what each channel has due, the channels side by
// side. It returns how many messages went out. Only the lease holder calls it.
func (s *Delivery) Deliver(ctx context.Context, channels []Channel) (int, error) {
	if err := s.dispatch(ctx, channels); err != nil {
		return 0, err
	}
	if err := s.pruneEvents(ctx); err != nil {
		return 0, err
	}
	var (
		mu   sync.Mutex
		sent int
		errs []error
		wg   sync.WaitGroup
	)
	for _, ch := range channels {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := s.sendDue(ctx, ch)
			mu.Lock()
			defer mu.Unlock()
			sent += n
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", ch.Name(), err))
			}
		}()
	}
	wg.Wait()
	return sent, errors.Join(errs...)
}

// eventRetention is how long a lifecycle event is kept once handed to the
// channels: its messages carry all they need (deliveries.payload), so the
// event is only a record of what happened, which the audit trail keeps too.
const eventRetention = 30 * 24 * time.Hour

// pruneEvents deletes up to a thousand events handed to the channels more
// than eventRetention ago; a run with nothing to delete writes nothing.
func (s *Delivery) pruneEvents(ctx context.Context) error {
	var ids []string
	if err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		ids, err = tx.Delivery().DispatchedEventsBefore(s.Now().Add(-eventRetention), 1000)
		return err
	}); err != nil || len(ids) == 0 {
		return err
	}
	return s.write(ctx, func(tx deliveryTx) error { return tx.Delivery().DeleteEvents(ids) })
}

// dispatch plans one batch on every channel and, in one transaction, stores
// the messages and marks the batch handed over. A crash before the commit
// leaves the batch pending; after it, the messages are stored and are sent
// (again, under the same ids) by the next run.
func (s *Delivery) dispatch(ctx context.Context, channels []Channel) error {
	b := Batch{Now: s.Now()}
	err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		if b.Notifications, err = tx.Notifications().PendingNotifications(1000); err != nil {
			return err
		}
		if b.Events, err = tx.Delivery().PendingEvents(1000); err != nil {
			return err
		}
		if len(channels) == 0 || len(b.Notifications)+len(b.Events) == 0 {
			return nil
		}
		var ids []string
		for _, n := range b.Notifications {
			ids = append(ids, n.RecipientID)
		}
		if b.Users, err = tx.Delivery().UsersByID(ids); err != nil {
			return err
		}
		if b.Digests, err = digestContents(tx, b.Notifications); err != nil {
			return err
		}
		b.Webhooks, err = tx.Delivery().AllWebhooks()
		return err
	})
	if err != nil || len(b.Notifications)+len(b.Events) == 0 {
		return err
	}
	var msgs []docket.Delivery
	for _, ch := range channels {
		planned, err := ch.Plan(b)
		if err != nil {
			return fmt.Errorf("%s: plan: %w", ch.Name(), err)
		}
		for _, d := range planned {
			d.ID, d.Channel, d.State = newID(), ch.Name(), docket.DeliveryPending
			d.Attempts, d.NextAttemptAt, d.CreatedAt = 0, b.Now, b.Now
			msgs = append(msgs, d)
		}
	}
	return s.write(ctx, func(tx deliveryTx) error {
		if _, err := tx.Delivery().InsertDeliveries(msgs); err != nil {
			return err
		}
		ids := make([]string, len(b.Notifications))
		for i, n := range b.Notifications {
			ids[i] = n.ID
		}
		if err := tx.Notifications().MarkDelivered(ids, b.Now); err != nil {
			return err
		}
		evs := make([]string, len(b.Events))
		for i, e := range b.Events {
			evs[i] = e.ID
		}
		return tx.Delivery().MarkEventsDispatched(evs)
	})
}

// sendDue makes one attempt at each of the channel's messages that are due,
// recording each outcome as it goes: delivered, retried later (backoff on the
// injected clock), or parked as failed.
func (s *Delivery) sendDue(ctx context.Context, ch Channel) (int, error) {
	var due []docket.Delivery
	if err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		due, err = tx.Delivery().DueDeliveries(ch.Name(), s.Now(), sendPerRun)
		return err
	}); err != nil {
		return 0, err
	}
	policy, sent, stop := ch.Retry(), 0, time.Now().Add(sendBudget)
	// A target that failed once in this run is not tried again until the next
	// one, so that a dead endpoint costs one timeout per run, not one per message.
	failing := map[string]bool{}
	for _, d := range due {
		if ctx.Err() != nil || time.Now().After(stop) {
			break
		}
		if failing[d.TargetID] {
			continue
		}
		began := time.Now()
		err := ch.Send(ctx, d)
		took := time.Since(began)
		now := s.Now()
		d.Attempts++
		d.LastAttemptAt = &now
		result := "delivered"
		if err == nil {
			d.State, d.DeliveredAt, d.LastError, d.LastStatus = docket.DeliveryDelivered, &now, "", 0
			sent++
		} else {
			failing[d.TargetID] = true
			se := &SendError{Reason: "the attempt failed"}
			if !errors.As(err, &se) {
				s.log.Warn("delivery attempt failed", "channel", ch.Name(), "delivery", d.ID, "err", err)
			}
			d.LastError, d.LastStatus = truncateReason(se.Reason), se.Status
			if se.Permanent || (policy.MaxAttempts > 0 && d.Attempts >= policy.MaxAttempts) {
				d.State, result = docket.DeliveryFailed, "failed"
			} else {
				d.NextAttemptAt, result = now.Add(policy.Backoff(d.Attempts)), "retry"
			}
		}
		if err := s.write(ctx, func(tx deliveryTx) error { return tx.Delivery().UpdateDelivery(&d) }); err != nil {
			return sent, err
		}
		if s.obs != nil {
			s.obs.ObserveDelivery(ch.Name(), result, took)
		}
	}
	return sent, nil
}

func truncateReason(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}

// ListDeliveries lists deliveries, newest first, for admins: metadata only.
func (s *Delivery) ListDeliveries(ctx context.Context, a docket.Actor, f DeliveryFilter, p Page) ([]docket.Delivery, string, error) {
	if a.Role != docket.RoleAdmin {
		return nil, "", docket.Forbidden()
	}
	if f.State != nil && !docket.OneOf(*f.State, []string{docket.DeliveryPending, docket.DeliveryDelivered, docket.DeliveryFailed}) {
		return nil, "", docket.Unacceptable("state", "must be one of pending, delivered, failed")
	}
	if f.Channel != nil && !docket.OneOf(*f.Channel, []string{docket.ChannelEmail, docket.ChannelWebhook}) {
		return nil, "", docket.Unacceptable("channel", "must be one of email, webhook")
	}
	var out []docket.Delivery
	var next string
	err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		out, next, err = tx.Delivery().ListDeliveries(f, Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
		return err
	})
	return out, next, err
}

// RetryDelivery gives a parked delivery a fresh round of attempts, from the
// next delivery run on (admins; 409 unless it failed, or when its webhook
// was deleted or is disabled).
func (s *Delivery) RetryDelivery(ctx context.Context, a docket.Actor, id string) (*docket.Delivery, error) {
	if a.Role != docket.RoleAdmin {
		return nil, docket.Forbidden()
	}
	var d *docket.Delivery
	err := s.write(ctx, func(tx deliveryTx) error {
		var err error
		if d, err = tx.Delivery().DeliveryByID(id); err != nil {
			return notFoundAs(err, "delivery")
		}
		if d.State != docket.DeliveryFailed {
			return docket.Errorf(docket.EConflict, "the delivery is %s; only a failed delivery is retried", d.State)
		}
		if d.Channel == docket.ChannelWebhook {
			if w, err := tx.Delivery().WebhookByID(d.TargetID); docket.ErrorCode(err) == docket.ENotFound {
				return docket.Errorf(docket.EConflict, "the webhook was deleted; nothing to retry")
			} else if err != nil {
				return err
			} else if w.Disabled {
				return docket.Errorf(docket.EConflict, "the webhook is disabled; its owners enable it first")
			}
		}
		now := s.Now()
		d.State, d.Attempts, d.NextAttemptAt, d.LastError, d.LastStatus = docket.DeliveryPending, 0, now, "", 0
		if err := tx.Delivery().UpdateDelivery(d); err != nil {
			return err
		}
		return s.audit(tx, a, "delivery.retried", "delivery", d.ID, "", docket.Changes{"channel": d.Channel, "message_id": d.MessageID})
	})
	return d, err
}

// QueueDepth counts what waits in the outbox and in each channel.
func (s *Delivery) QueueDepth(ctx context.Context) (QueueDepth, error) {
	var q QueueDepth
	err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		q, err = tx.Delivery().QueueDepth()
		return err
	})
	return q, err
}

// sortedKeys returns the notifications' keys in order, for a message id.
func sortedKeys(ns []docket.Notification) []string {
	keys := make([]string, len(ns))
	for i, n := range ns {
		keys[i] = n.Key
	}
	sort.Strings(keys)
	return keys
}

// GroupByRecipient splits notifications by recipient, in recipient order, each
// group sorted by key; its message id is docket.MessageID of the sorted keys.
func GroupByRecipient(ns []docket.Notification) []RecipientGroup {
	by := map[string][]docket.Notification{}
	for _, n := range ns {
		by[n.RecipientID] = append(by[n.RecipientID], n)
	}
	out := make([]RecipientGroup, 0, len(by))
	for r, g := range by {
		sort.Slice(g, func(i, j int) bool { return g[i].Key < g[j].Key })
		out = append(out, RecipientGroup{RecipientID: r, Notifications: g, MessageID: docket.MessageID(sortedKeys(g)...)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RecipientID < out[j].RecipientID })
	return out
}

// RecipientGroup is one recipient's notifications of one batch: one e-mail.
type RecipientGroup struct {
	RecipientID   string
	Notifications []docket.Notification
	MessageID     string
}
