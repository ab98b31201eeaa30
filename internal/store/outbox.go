package store

import (
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// notifyCasesSQL finds the ids of the cases that can have something due.
const notifyCasesSQL = `SELECT id FROM cases WHERE status IN ('submitted', 'in_review', 'awaiting_lab') AND open_stop_at IS NULL AND deadline_key <= ?
UNION SELECT id FROM cases WHERE open_stop_at > 0
UNION SELECT id FROM cases WHERE status = 'submitted' AND received_at <= ?
UNION SELECT id FROM cases WHERE release_conflict_at > 0
UNION SELECT id FROM cases WHERE risk_critical_at > 0
UNION SELECT id FROM cases WHERE capability_jump_at > 0`

// NotifyCases reads only what can be due: each part of the union is served by
// an index (written as ranges, so that the planner picks the narrow index; a
// closed case has neither an open stop nor a conflict), and the cases are then
// loaded by primary key; the rules skip any that is no longer open.
func (t notifyRepo) NotifyCases(runningBefore, unassignedBefore time.Time) ([]*docket.Case, error) {
	rows, err := scanRows[struct{ ID string }](t.query(notifyCasesSQL, ms(runningBefore), ms(unassignedBefore)))
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	byID, err := t.CasesByID(ids)
	if err != nil {
		return nil, err
	}
	out := make([]*docket.Case, 0, len(byID))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

func (t notifyRepo) OpenRequestsBefore(before time.Time) ([]docket.InfoRequest, error) {
	var rows []infoRequestRow
	if err := t.db.Where("status = 'open' AND opened_at <= ?", ms(before)).Order("opened_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.InfoRequest, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (t notifyRepo) CasesByID(ids []string) (map[string]*docket.Case, error) {
	out := map[string]*docket.Case{}
	for _, chunk := range chunks(ids, 500) {
		// With their reviewers in the same query (caseread.go).
		rows, err := scanRows[caseFullRow](t.query(`SELECT cases.*, orgs.name AS org_name, `+t.reviewerList()+
			` FROM cases JOIN orgs ON orgs.id = cases.org_id WHERE cases.id IN (`+placeholders(len(chunk))+`)`, anys(chunk)...))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.ID] = t.caseOf(r)
		}
	}
	return out, nil
}

func (t notifyRepo) ActiveUsers(role docket.Role) ([]docket.User, error) {
	var rows []userRow
	if err := t.db.Raw(userSelect+" WHERE users.role = ? AND users.disabled = ? ORDER BY users.id", string(role), false).Scan(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.User, len(rows))
	for i, r := range rows {
		out[i] = *r.domain()
	}
	return out, nil
}

func chunks(s []string, n int) [][]string {
	var out [][]string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if len(s) > 0 {
		out = append(out, s)
	}
	return out
}

// present returns which of the values the column holds.
func (t *tx) present(table, column string, values []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, chunk := range chunks(values, 500) {
		rows, err := t.query("SELECT "+column+" FROM "+table+" WHERE "+column+" IN ("+placeholders(len(chunk))+")", anys(chunk)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, err
			}
			out[k] = true
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t notifyRepo) ExistingKeys(keys []string) (map[string]bool, error) {
	return t.present("notifications", "key", keys)
}

func (t notifyRepo) AckedGroups(groups []string) (map[string]bool, error) {
	return t.present("notification_acks", "group_key", groups)
}

type notificationRow struct {
	ID          string
	InboxID     string
	Key         string
	GroupKey    string
	Rule        string
	Kind        string
	SubjectType string
	SubjectID   string
	CaseID      string
	CaseNumber  string
	RecipientID string
	DeadlineAt  int64
	DueAt       int64
	Threshold   string
	Repeat      int
	CreatedAt   int64
	ReadAt      *int64
	State       string
	DeliveredAt *int64
	Mail        string
}

func (notificationRow) TableName() string { return "notifications" }

func (r notificationRow) domain() docket.Notification {
	return docket.Notification{ID: r.ID, InboxID: r.InboxID, Key: r.Key, GroupKey: r.GroupKey, Rule: r.Rule, Kind: r.Kind,
		SubjectType: r.SubjectType, SubjectID: r.SubjectID, CaseID: r.CaseID, CaseNumber: r.CaseNumber,
		RecipientID: r.RecipientID, DeadlineAt: tm(r.DeadlineAt), DueAt: tm(r.DueAt), Threshold: r.Threshold,
		Repeat: r.Repeat, CreatedAt: tm(r.CreatedAt), ReadAt: tmp(r.ReadAt), State: r.State, DeliveredAt: tmp(r.DeliveredAt), Mail: r.Mail}
}

// InsertNotifications relies on the unique key: a second write of a key is a no-op.
func (t notifyRepo) InsertNotifications(ns []docket.Notification) (int, error) {
	added := 0
	for _, n := range ns {
		res := t.db.Exec(`INSERT INTO notifications (id, inbox_id, key, group_key, rule, kind, subject_type, subject_id, case_id,
case_number, recipient_id, deadline_at, due_at, threshold, repeat, created_at, state, mail)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
			n.ID, n.InboxID, n.Key, n.GroupKey, n.Rule, n.Kind, n.SubjectType, n.SubjectID, n.CaseID, n.CaseNumber,
			n.RecipientID, ms(n.DeadlineAt), ms(n.DueAt), n.Threshold, n.Repeat, ms(n.CreatedAt), n.State, mailOf(n))
		if res.Error != nil {
			return added, res.Error
		}
		added += int(res.RowsAffected)
	}
	return added, nil
}

// mailOf is how a notification reaches its recipient by e-mail, each when unset.
func mailOf(n docket.Notification) string {
	if n.Mail == "" {
		return docket.EmailEach
	}
	return n.Mail
}

// HoldLease takes the lease when it is free or expired, or renews it for its holder.
func (t notifyRepo) HoldLease(name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	if err := t.db.Exec(`INSERT INTO leases (name, holder, expires_at) VALUES (?, '', 0) ON CONFLICT (name) DO NOTHING`, name).Error; err != nil {
		return false, err
	}
	res := t.db.Exec(`UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at < ?)`,
		holder, ms(now.Add(ttl)), name, holder, ms(now))
	return res.RowsAffected == 1, res.Error
}

func (t notifyRepo) LeaseHolder(name string, now time.Time) (string, error) {
	var rows []struct {
		Holder    string
		ExpiresAt int64
	}
	if err := t.db.Raw(`SELECT holder, expires_at FROM leases WHERE name = ?`, name).Scan(&rows).Error; err != nil {
		return "", err
	}
	if len(rows) == 0 || rows[0].ExpiresAt < ms(now) {
		return "", nil
	}
	return rows[0].Holder, nil
}

func (t notifyRepo) ListInbox(userID string, p app.Page) ([]docket.Notification, string, error) {
	q := t.db.Where("recipient_id = ?", userID).Order("created_at DESC, id DESC").Limit(p.Limit + 1)
	if c, ok := decodeCursor(p.Cursor); ok {
		q = q.Where("created_at < ? OR (created_at = ? AND id < ?)", c.K, c.K, c.ID)
	} else if p.Cursor != "" {
		return nil, "", badCursor()
	}
	var rows []notificationRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, "", err
	}
	rows, next := cutPage(rows, p.Limit)
	out := make([]docket.Notification, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, next, nil
}

func (t *tx) notificationWhere(cond, arg string) (*docket.Notification, error) {
	var r notificationRow
	if err := t.db.Where(cond, arg).Take(&r).Error; err != nil {
		return nil, notFound(err, "notification")
	}
	n := r.domain()
	return &n, nil
}

func (t notifyRepo) NotificationByID(id string) (*docket.Notification, error) {
	return t.notificationWhere("id = ?", id)
}

func (t notifyRepo) InboxItem(inboxID string) (*docket.Notification, error) {
	return t.notificationWhere("inbox_id = ?", inboxID)
}

func (t notifyRepo) MarkRead(inboxID string, at time.Time) error {
	return t.db.Exec(`UPDATE notifications SET read_at = ? WHERE inbox_id = ? AND read_at IS NULL`, ms(at), inboxID).Error
}

func (t notifyRepo) Ack(groupKey, notificationID, userID string, at time.Time) (bool, error) {
	res := t.db.Exec(`INSERT INTO notification_acks (group_key, notification_id, acked_by, acked_at) VALUES (?, ?, ?, ?) ON CONFLICT (group_key) DO NOTHING`,
		groupKey, notificationID, userID, ms(at))
	return res.RowsAffected == 1, res.Error
}

func (t notifyRepo) UnreadCount(userID string) (int, error) {
	var n int64
	err := t.db.Raw(`SELECT COUNT(*) FROM notifications WHERE recipient_id = ? AND read_at IS NULL`, userID).Scan(&n).Error
	return int(n), err
}

func (t notifyRepo) PendingNotifications(limit int) ([]docket.Notification, error) {
	var rows []notificationRow
	if err := t.db.Where("state = 'pending'").Order("created_at, id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]docket.Notification, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (t notifyRepo) MarkDelivered(ids []string, at time.Time) error {
	for _, chunk := range chunks(ids, 500) {
		if err := t.db.Exec(`UPDATE notifications SET state = 'delivered', delivered_at = ? WHERE id IN ?`, ms(at), chunk).Error; err != nil {
			return err
		}
	}
	return nil
}

// FindingsDueBefore returns shared findings awaiting the lab's response whose
// deadline falls before t, with their recipients (served by findings_open).
func (t notifyRepo) FindingsDueBefore(before time.Time) ([]*docket.Finding, error) {
	var rows []findingRow
	if err := t.db.Where("(status = 'shared' AND response_due_at <= ?) OR (status = 'risk_accepted' AND accepted_until <> '')", ms(before)).
		Order("response_due_at, id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]*docket.Finding, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, t.loadRecipients(out)
}
