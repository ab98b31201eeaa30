package store

import (
	"encoding/base64"
	"strings"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

type deliveryRow struct {
	ID            string
	Channel       string
	MessageID     string
	Type          string
	TargetID      string
	OrgID         string
	CaseID        string
	Payload       string
	State         string
	Attempts      int
	NextAttemptAt int64
	LastAttemptAt *int64
	LastStatus    int
	LastError     string
	CreatedAt     int64
	DeliveredAt   *int64
}

func (deliveryRow) TableName() string { return "deliveries" }

func (r deliveryRow) domain() docket.Delivery {
	return docket.Delivery{ID: r.ID, Channel: r.Channel, MessageID: r.MessageID, Type: r.Type, TargetID: r.TargetID,
		OrgID: r.OrgID, CaseID: r.CaseID, Payload: []byte(r.Payload), State: r.State, Attempts: r.Attempts,
		NextAttemptAt: tm(r.NextAttemptAt), LastAttemptAt: tmp(r.LastAttemptAt), LastStatus: r.LastStatus,
		LastError: r.LastError, CreatedAt: tm(r.CreatedAt), DeliveredAt: tmp(r.DeliveredAt)}
}

// InsertDeliveries relies on the unique (channel, message_id): a message planned twice is stored once.
func (t deliveryRepo) InsertDeliveries(ds []docket.Delivery) (int, error) {
	added := 0
	for _, d := range ds {
		res := t.db.Exec(`INSERT INTO deliveries (id, channel, message_id, type, target_id, org_id, case_id, payload, state,
attempts, next_attempt_at, last_status, last_error, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '', ?) ON CONFLICT (channel, message_id) DO NOTHING`,
			d.ID, d.Channel, d.MessageID, d.Type, d.TargetID, d.OrgID, d.CaseID, string(d.Payload), d.State,
			d.Attempts, ms(d.NextAttemptAt), ms(d.CreatedAt))
		if res.Error != nil {
			return added, res.Error
		}
		added += int(res.RowsAffected)
	}
	return added, nil
}

func (t deliveryRepo) DueDeliveries(channel string, now time.Time, limit int) ([]docket.Delivery, error) {
	var rows []deliveryRow
	err := t.db.Where("channel = ? AND state = ? AND next_attempt_at <= ?", channel, docket.DeliveryPending, ms(now)).
		Order("next_attempt_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]docket.Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// UpdateDelivery writes every column that an attempt or a retry changes, zero values included.
func (t deliveryRepo) UpdateDelivery(d *docket.Delivery) error {
	return t.db.Exec(`UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, last_attempt_at = ?,
last_status = ?, last_error = ?, delivered_at = ? WHERE id = ?`,
		d.State, d.Attempts, ms(d.NextAttemptAt), msp(d.LastAttemptAt), d.LastStatus, d.LastError, msp(d.DeliveredAt), d.ID).Error
}

func (t deliveryRepo) DeliveryByID(id string) (*docket.Delivery, error) {
	var r deliveryRow
	if err := t.db.Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, notFound(err, "delivery")
	}
	d := r.domain()
	return &d, nil
}

func (t deliveryRepo) ListDeliveries(f app.DeliveryFilter, p app.Page) ([]docket.Delivery, string, error) {
	q := t.db.Model(&deliveryRow{}).Order("created_at DESC, id DESC").Limit(p.Limit + 1)
	if f.State != nil {
		q = q.Where("state = ?", *f.State)
	}
	if f.Channel != nil {
		q = q.Where("channel = ?", *f.Channel)
	}
	if f.TargetID != nil {
		q = q.Where("target_id = ?", *f.TargetID)
	}
	if c, ok := decodeCursor(p.Cursor); ok {
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", c.K, c.K, c.ID)
	} else if p.Cursor != "" {
		return nil, "", badCursor()
	}
	var rows []deliveryRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", err
	}
	rows, next := cutPage(rows, p.Limit)
	out := make([]docket.Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

func (t deliveryRepo) FailPendingDeliveries(targetID, reason string, at time.Time) error {
	return t.db.Exec(`UPDATE deliveries SET state = ?, last_error = ?, last_attempt_at = ? WHERE target_id = ? AND state = ?`,
		docket.DeliveryFailed, reason, ms(at), targetID, docket.DeliveryPending).Error
}

func (t deliveryRepo) QueueDepth() (app.QueueDepth, error) {
	q := app.QueueDepth{Notifications: map[string]int{}, Deliveries: map[string]map[string]int{}}
	var ns []struct {
		State string
		N     int
	}
	if err := t.db.Raw(`SELECT state, COUNT(*) AS n FROM notifications GROUP BY state`).Scan(&ns).Error; err != nil {
		return q, err
	}
	for _, r := range ns {
		q.Notifications[r.State] = r.N
	}
	var ds []struct {
		Channel string
		State   string
		N       int
	}
	if err := t.db.Raw(`SELECT channel, state, COUNT(*) AS n FROM deliveries GROUP BY channel, state`).Scan(&ds).Error; err != nil {
		return q, err
	}
	for _, r := range ds {
		if q.Deliveries[r.Channel] == nil {
			q.Deliveries[r.Channel] = map[string]int{}
		}
		q.Deliveries[r.Channel][r.State] = r.N
	}
	return q, nil
}

func (t deliveryRepo) UsersByID(ids []string) (map[string]docket.User, error) {
	out := map[string]docket.User{}
	seen := map[string]bool{}
	var uniq []string
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	for _, chunk := range chunks(uniq, 500) {
		var rows []userRow
		if err := t.db.Raw(userSelect+" WHERE users.id IN ?", chunk).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = *r.domain()
		}
	}
	return out, nil
}

type webhookRow struct {
	ID             string
	OrgID          string
	URL            string
	Events         string
	Secret         string // base64 of the sealed secret
	PreviousSecret string // base64 of the sealed secret before the last rotation, "" when none
	PreviousUntil  *int64
	Disabled       bool
	CreatedBy      string
	CreatedAt      int64
	OrgKind        string `gorm:"->;-:migration"`
}

func (webhookRow) TableName() string { return "webhooks" }

func (r webhookRow) domain() docket.Webhook {
	var events []string
	if r.Events != "" {
		events = strings.Split(r.Events, ",")
	}
	secret, _ := base64.StdEncoding.DecodeString(r.Secret)
	previous, _ := base64.StdEncoding.DecodeString(r.PreviousSecret)
	return docket.Webhook{ID: r.ID, OrgID: r.OrgID, OrgKind: r.OrgKind, URL: r.URL, Events: events, Secret: secret,
		PreviousSecret: previous, PreviousUntil: tmp(r.PreviousUntil), Disabled: r.Disabled,
		CreatedBy: r.CreatedBy, CreatedAt: tm(r.CreatedAt)}
}

const webhookSelect = `SELECT webhooks.*, orgs.kind AS org_kind FROM webhooks JOIN orgs ON orgs.id = webhooks.org_id`

func (t deliveryRepo) CreateWebhook(w *docket.Webhook) error {
	return translate(t.db.Exec(`INSERT INTO webhooks (id, org_id, url, events, secret, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		w.ID, w.OrgID, w.URL, strings.Join(w.Events, ","), base64.StdEncoding.EncodeToString(w.Secret), w.CreatedBy, ms(w.CreatedAt)).Error)
}

// UpdateWebhook writes what an owner changes of a webhook, zero values
// included: its events, whether it is disabled, and its secrets.
func (t deliveryRepo) UpdateWebhook(w *docket.Webhook) error {
	previous := ""
	if len(w.PreviousSecret) > 0 {
		previous = base64.StdEncoding.EncodeToString(w.PreviousSecret)
	}
	return t.db.Exec(`UPDATE webhooks SET events = ?, disabled = ?, secret = ?, previous_secret = ?, previous_until = ? WHERE id = ?`,
		strings.Join(w.Events, ","), w.Disabled, base64.StdEncoding.EncodeToString(w.Secret), previous, msp(w.PreviousUntil), w.ID).Error
}

func (t deliveryRepo) WebhookByID(id string) (*docket.Webhook, error) {
	var rows []webhookRow
	if err := t.db.Raw(webhookSelect+" WHERE webhooks.id = ?", id).Scan(&rows).Error; err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, docket.NotFound("webhook")
	}
	w := rows[0].domain()
	return &w, nil
}

func (t deliveryRepo) ListWebhooks(orgID string, p app.Page) ([]docket.Webhook, string, error) {
	sql := webhookSelect + " WHERE webhooks.org_id = ?"
	args := []any{orgID}
	if c, ok := decodeCursor(p.Cursor); ok {
		sql += " AND (webhooks.created_at > ? OR (webhooks.created_at = ? AND webhooks.id > ?))"
		args = append(args, c.K, c.K, c.ID)
	} else if p.Cursor != "" {
		return nil, "", badCursor()
	}
	sql += " ORDER BY webhooks.created_at, webhooks.id LIMIT ?"
	args = append(args, p.Limit+1)
	var rows []webhookRow
	if err := t.db.Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, "", err
	}
	rows, next := cutPage(rows, p.Limit)
	out := make([]docket.Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

func (t deliveryRepo) CountWebhooks(orgID string) (int, error) {
	var n int64
	err := t.db.Raw(`SELECT COUNT(*) FROM webhooks WHERE org_id = ?`, orgID).Scan(&n).Error
	return int(n), err
}

func (t deliveryRepo) AllWebhooks() ([]docket.Webhook, error) {
	var rows []webhookRow
	if err := t.db.Raw(webhookSelect + " ORDER BY webhooks.created_at, webhooks.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.Webhook, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (t deliveryRepo) DeleteWebhook(id string) error {
	return t.db.Exec(`DELETE FROM webhooks WHERE id = ?`, id).Error
}

type eventRow struct {
	ID          string
	Type        string
	SubjectType string
	SubjectID   string
	CaseID      string
	CaseNumber  string
	OrgID       string
	LabVisible  bool
	DueAt       *int64
	CreatedAt   int64
	State       string
}

func (eventRow) TableName() string { return "webhook_events" }

func (t deliveryRepo) InsertEvent(e *docket.Event) error {
	return t.db.Exec(`INSERT INTO webhook_events (id, type, subject_type, subject_id, case_id, case_number, org_id, lab_visible,
due_at, created_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
		e.ID, e.Type, e.SubjectType, e.SubjectID, e.CaseID, e.CaseNumber, e.OrgID, e.LabVisible, msp(e.DueAt), ms(e.CreatedAt)).Error
}

func (t deliveryRepo) PendingEvents(limit int) ([]docket.Event, error) {
	var rows []eventRow
	if err := t.db.Where("state = 'pending'").Order("created_at, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.Event, len(rows))
	for i, r := range rows {
		out[i] = docket.Event{ID: r.ID, Type: r.Type, SubjectType: r.SubjectType, SubjectID: r.SubjectID, CaseID: r.CaseID,
			CaseNumber: r.CaseNumber, OrgID: r.OrgID, LabVisible: r.LabVisible, DueAt: tmp(r.DueAt), CreatedAt: tm(r.CreatedAt)}
	}
	return out, nil
}

// oldEventsSQL lists events handed over before an instant, by the index of
// state and creation (plan_test.go).
const oldEventsSQL = `SELECT id FROM webhook_events WHERE state = 'dispatched' AND created_at < ? ORDER BY created_at LIMIT ?`

func (t deliveryRepo) DispatchedEventsBefore(before time.Time, limit int) ([]string, error) {
	rows, err := scanRows[struct{ ID string }](t.query(oldEventsSQL, ms(before), limit))
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, err
}

func (t deliveryRepo) DeleteEvents(ids []string) error {
	for _, chunk := range chunks(ids, 500) {
		if err := t.db.Exec(`DELETE FROM webhook_events WHERE state = 'dispatched' AND id IN ?`, chunk).Error; err != nil {
			return err
		}
	}
	return nil
}

func (t deliveryRepo) MarkEventsDispatched(ids []string) error {
	for _, chunk := range chunks(ids, 500) {
		if err := t.db.Exec(`UPDATE webhook_events SET state = 'dispatched' WHERE id IN ?`, chunk).Error; err != nil {
			return err
		}
	}
	return nil
}

type calendarRow struct {
	UserID       string
	TokenHash    string
	TokenVersion int
	CreatedAt    int64
}

func (calendarRow) TableName() string { return "calendar_feeds" }

func (r calendarRow) domain() *docket.CalendarFeed {
	return &docket.CalendarFeed{UserID: r.UserID, TokenHash: r.TokenHash, TokenVersion: r.TokenVersion, CreatedAt: tm(r.CreatedAt)}
}

func (t deliveryRepo) SetCalendarFeed(f *docket.CalendarFeed) error {
	return t.db.Exec(`INSERT INTO calendar_feeds (user_id, token_hash, token_version, created_at) VALUES (?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, token_version = excluded.token_version, created_at = excluded.created_at`,
		f.UserID, f.TokenHash, f.TokenVersion, ms(f.CreatedAt)).Error
}

func (t *tx) calendarWhere(cond, arg string) (*docket.CalendarFeed, error) {
	var r calendarRow
	if err := t.db.Where(cond, arg).Take(&r).Error; err != nil {
		return nil, notFound(err, "calendar feed")
	}
	return r.domain(), nil
}

func (t deliveryRepo) CalendarFeedOf(userID string) (*docket.CalendarFeed, error) {
	return t.calendarWhere("user_id = ?", userID)
}

func (t deliveryRepo) CalendarFeedByHash(hash string) (*docket.CalendarFeed, error) {
	return t.calendarWhere("token_hash = ?", hash)
}

func (t deliveryRepo) DeleteCalendarFeed(userID string) (bool, error) {
	res := t.db.Exec(`DELETE FROM calendar_feeds WHERE user_id = ?`, userID)
	return res.RowsAffected > 0, res.Error
}

// casesFindings is the condition and arguments of the findings of a chunk
// of cases that match cond (labViewer: only those that lab member sees).
func casesFindings(chunk []string, cond, labViewer string) (string, map[string]any) {
	where := "findings.case_id IN @cases AND " + cond
	args := map[string]any{"cases": chunk}
	if labViewer != "" {
		where += " AND " + labSees
		args["viewer"] = labViewer
	}
	return where, args
}

// AcceptanceEnds returns the risk-accepted findings of the cases whose
// acceptance ends on a date (labViewer: only those that lab member sees).
func (t deliveryRepo) AcceptanceEnds(caseIDs []string, labViewer string) ([]app.FindingDeadline, error) {
	var out []app.FindingDeadline
	for _, chunk := range chunks(caseIDs, 500) {
		where, args := casesFindings(chunk, "findings.status = 'risk_accepted' AND findings.accepted_until <> ''", labViewer)
		var rows []struct {
			ID            string
			CaseID        string
			AcceptedUntil string
			ResolvedAt    *int64
		}
		if err := t.db.Raw(`SELECT findings.id, findings.case_id, findings.accepted_until, findings.resolved_at FROM findings WHERE `+where+
			` ORDER BY findings.accepted_until, findings.id`, args).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			d, err := clock.ParseDate(r.AcceptedUntil)
			if err != nil {
				continue
			}
			fd := app.FindingDeadline{FindingID: r.ID, CaseID: r.CaseID, DueDate: d}
			if r.ResolvedAt != nil {
				fd.SharedAt = tm(*r.ResolvedAt)
			}
			out = append(out, fd)
		}
	}
	return out, nil
}

// FindingDeadlines reads only deadlines: no finding text leaves this query.
func (t deliveryRepo) FindingDeadlines(caseIDs []string, labViewer string) ([]app.FindingDeadline, error) {
	var out []app.FindingDeadline
	for _, chunk := range chunks(caseIDs, 500) {
		where, args := casesFindings(chunk, "findings.status = 'shared' AND findings.response_due_at IS NOT NULL", labViewer)
		var rows []struct {
			ID            string
			CaseID        string
			ResponseDueAt int64
			SharedAt      *int64
		}
		if err := t.db.Raw(`SELECT findings.id, findings.case_id, findings.response_due_at, findings.shared_at FROM findings WHERE `+where+
			` ORDER BY findings.response_due_at, findings.id`, args).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			fd := app.FindingDeadline{FindingID: r.ID, CaseID: r.CaseID, DueAt: tm(r.ResponseDueAt)}
			if r.SharedAt != nil {
				fd.SharedAt = tm(*r.SharedAt)
			}
			out = append(out, fd)
		}
	}
	return out, nil
}
