package app

import (
	"context"
	"time"

	"github.com/docket/docket/internal/docket"
)

// InboxGroup is one row of the inbox page: an escalation with its repeats,
// a reminder or a digest (the notifications of one group key), stood for by
// its newest notification, with how many it holds, how many are unread, and
// when the first and the last arrived.
type InboxGroup struct {
	Latest          docket.Notification
	Count, Unread   int
	FirstAt, LastAt time.Time
}

// InboxGroups lists the actor's notifications a group a row, the most
// recently added to first.
func (s *Delivery) InboxGroups(ctx context.Context, a docket.Actor, p Page) ([]InboxGroup, string, error) {
	var out []InboxGroup
	var next string
	err := s.read(ctx, func(tx deliveryTx) error {
		var err error
		out, next, err = tx.Notifications().ListInboxGroups(a.UserID, Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
		return err
	})
	return out, next, err
}

// MarkGroupRead marks read every unread notification of the group of one of
// the actor's inbox items (404 for anyone else's), each audited as
// MarkRead audits one; it returns how many it marked.
func (s *Delivery) MarkGroupRead(ctx context.Context, a docket.Actor, inboxID string) (int, error) {
	n := 0
	err := s.write(ctx, func(tx deliveryTx) error {
		item, err := tx.Notifications().InboxItem(inboxID)
		if err != nil || item.RecipientID != a.UserID {
			return docket.NotFound("inbox item")
		}
		unread, err := tx.Notifications().UnreadOfGroup(a.UserID, item.GroupKey)
		if err != nil {
			return err
		}
		now := s.Now()
		for _, u := range unread {
			if err := tx.Notifications().MarkRead(u.InboxID, now); err != nil {
				return err
			}
			if err := s.audit(tx, a, "notification.read", "notification", u.ID, u.CaseID, nil); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
