package store

import (
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// A notification held for a digest (mail 'digest') is carried by the first
// digest of its recipient whose instant (deadline_at) is after it was made;
// until that digest is made, it is uncovered. Both queries read the partial
// indexes of migration 0018.

// uncoveredHeldSQL lists the held notifications made since the instant that
// no digest of their recipient's carries yet (read through the partial index
// of held notifications; grouping in SQL would walk the inbox index instead).
const uncoveredHeldSQL = `SELECT n.recipient_id, n.created_at FROM notifications n
WHERE n.mail = 'digest' AND n.created_at >= ?
AND NOT EXISTS (SELECT 1 FROM notifications d WHERE d.rule = 'digest.daily' AND d.recipient_id = n.recipient_id AND d.deadline_at > n.created_at)`

func (t notifyRepo) UncoveredHeld(since time.Time) (map[string]time.Time, error) {
	rows, err := scanRows[struct {
		RecipientID string
		CreatedAt   int64
	}](t.query(uncoveredHeldSQL, ms(since)))
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	for _, r := range rows {
		if at, ok := out[r.RecipientID]; !ok || tm(r.CreatedAt).Before(at) {
			out[r.RecipientID] = tm(r.CreatedAt)
		}
	}
	return out, nil
}

// digestCarriesSQL lists what a recipient's digest at an instant carries:
// what was held for them, made before the instant and since the lower
// bound, and carried by no earlier digest of theirs.
const digestCarriesSQL = `SELECT * FROM notifications n
WHERE n.recipient_id = ? AND n.mail = 'digest' AND n.created_at < ? AND n.created_at >= ?
AND NOT EXISTS (SELECT 1 FROM notifications d WHERE d.rule = 'digest.daily' AND d.recipient_id = n.recipient_id
  AND d.deadline_at > n.created_at AND d.deadline_at < ?)
ORDER BY n.created_at, n.id LIMIT 1000`

func (t notifyRepo) DigestCarries(recipientID string, at, since time.Time) ([]docket.Notification, error) {
	return t.notificationsOf(digestCarriesSQL, recipientID, ms(at), ms(since), ms(at))
}

// notificationsOf runs a query of whole notification rows.
func (t notifyRepo) notificationsOf(q string, args ...any) ([]docket.Notification, error) {
	rows, err := scanRows[notificationRow](t.query(q, args...))
	if err != nil {
		return nil, err
	}
	out := make([]docket.Notification, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func (t notifyRepo) GroupRecipients(groups []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, chunk := range chunks(groups, 500) {
		rows, err := scanRows[struct{ GroupKey, RecipientID string }](t.query(
			`SELECT DISTINCT group_key, recipient_id FROM notifications WHERE group_key IN (`+placeholders(len(chunk))+`)`, anys(chunk)...))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.GroupKey+"|"+r.RecipientID] = true
		}
	}
	return out, nil
}

// inboxGroupRow is one escalation, reminder or digest of a recipient's inbox
// with all its repeats: the group's key, how many it holds, how many unread,
// and when the first and the last were made.
type inboxGroupRow struct {
	GroupKey string
	Count    int
	Unread   int
	FirstAt  int64
	LastAt   int64
}

func (r inboxGroupRow) key() cursor { return cursor{K: r.LastAt, ID: r.GroupKey} }

func (t notifyRepo) ListInboxGroups(userID string, p app.Page) ([]app.InboxGroup, string, error) {
	q := `SELECT group_key, COUNT(*) AS count, SUM(CASE WHEN read_at IS NULL THEN 1 ELSE 0 END) AS unread,
MIN(created_at) AS first_at, MAX(created_at) AS last_at FROM notifications WHERE recipient_id = ? GROUP BY group_key`
	args := []any{userID}
	if c, ok := decodeCursor(p.Cursor); ok {
		q += " HAVING MAX(created_at) < ? OR (MAX(created_at) = ? AND group_key < ?)"
		args = append(args, c.K, c.K, c.ID)
	} else if p.Cursor != "" {
		return nil, "", badCursor()
	}
	q += " ORDER BY last_at DESC, group_key DESC LIMIT ?"
	args = append(args, p.Limit+1)
	groups, err := scanRows[inboxGroupRow](t.query(q, args...))
	if err != nil {
		return nil, "", err
	}
	groups, next := cutPage(groups, p.Limit)
	if len(groups) == 0 {
		return nil, next, nil
	}
	keys := make([]string, len(groups))
	for i, g := range groups {
		keys[i] = g.GroupKey
	}
	// The newest notification of each group stands for it.
	ns, err := t.notificationsOf(`SELECT * FROM notifications WHERE recipient_id = ? AND group_key IN (`+
		placeholders(len(keys))+`) ORDER BY created_at DESC, id DESC`, append([]any{userID}, anys(keys)...)...)
	if err != nil {
		return nil, "", err
	}
	latest := map[string]docket.Notification{}
	for _, n := range ns {
		if _, ok := latest[n.GroupKey]; !ok {
			latest[n.GroupKey] = n
		}
	}
	out := make([]app.InboxGroup, len(groups))
	for i, g := range groups {
		out[i] = app.InboxGroup{Latest: latest[g.GroupKey], Count: g.Count, Unread: g.Unread, FirstAt: tm(g.FirstAt), LastAt: tm(g.LastAt)}
	}
	return out, next, nil
}

func (t notifyRepo) UnreadOfGroup(userID, groupKey string) ([]docket.Notification, error) {
	return t.notificationsOf(`SELECT * FROM notifications WHERE recipient_id = ? AND group_key = ? AND read_at IS NULL
ORDER BY created_at, id`, userID, groupKey)
}
