package app

import (
	"context"

	"github.com/docket/docket/internal/docket"
)

// SetEmailDelivery records how notifications reach the actor by e-mail:
// docket.EmailEach, EmailDigest or EmailNone (422 on email_delivery for
// anything else). It applies to the notifications made from then on; the
// inbox keeps everything whatever the choice, and a lapse is e-mailed
// whatever it is. An administrator, who never gets a notification, has no
// choice to make (403). Audited when it changes.
func (s *Accounts) SetEmailDelivery(ctx context.Context, a docket.Actor, choice string) (*docket.User, error) {
	if !docket.ReceivesNotifications(a.Role) {
		return nil, docket.Forbidden()
	}
	if err := docket.ValidEmailDelivery(choice); err != nil {
		return nil, err
	}
	var u *docket.User
	err := s.write(ctx, func(tx accountsTx) error {
		var err error
		if u, err = tx.Users().UserByID(a.UserID); err != nil {
			return err
		}
		if u.EmailDelivery == choice {
			return nil
		}
		u.EmailDelivery, u.UpdatedAt = choice, s.Now()
		if err := tx.Users().UpdateUser(u); err != nil {
			return err
		}
		return s.audit(tx, a, "user.email_delivery_changed", "user", u.ID, "", docket.Changes{"email_delivery": choice})
	})
	return u, err
}
