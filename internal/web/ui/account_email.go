package ui

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The account page's e-mail section: how notifications reach the user by
// e-mail (each, digest or none), the browser's way to PATCH /me. The inbox
// has everything whatever the choice; a lapse is e-mailed whatever it is.
// Administrators, who never get a notification, have no such section.

// mailPart is the e-mail section of the account page.
type mailPart struct {
	Show    bool
	Choices []mailChoice
	// RepeatsInDigest: an escalation's repeats wait for the daily digest.
	RepeatsInDigest bool
}

// mailChoice is one choice with what it means.
type mailChoice struct {
	view.Option
	Hint string
}

var mailChoiceLabels = map[string]string{docket.EmailEach: "Each notification as it comes",
	docket.EmailDigest: "One daily digest", docket.EmailNone: "No e-mail"}

// mailPartOf is the section for user u, picked preselected when the form
// asked for it (a refused form shows what was asked).
func (h *AccountPages) mailPartOf(u *docket.User, picked string) mailPart {
	part := mailPart{Show: docket.ReceivesNotifications(u.Role), RepeatsInDigest: h.repeatsInDigest}
	if !docket.OneOf(picked, docket.EmailDeliveries) {
		picked = u.EmailDelivery
	}
	each := "Reminders and an escalation's first message by e-mail, those of one moment in one message."
	if h.repeatsInDigest {
		each += " An escalation's daily repeats come in your daily digest."
	}
	hints := map[string]string{docket.EmailEach: each,
		docket.EmailDigest: "Everything in one e-mail a day, at the digest's hour, saying what it holds.",
		docket.EmailNone:   "Nothing by e-mail: read your inbox. A review window that elapsed without a decision is e-mailed all the same."}
	for _, o := range view.Options(docket.EmailDeliveries, mailChoiceLabels, picked) {
		part.Choices = append(part.Choices, mailChoice{Option: o, Hint: hints[o.Value]})
	}
	return part
}

// SetEmailDelivery records the choice and shows the account page again.
func (h *AccountPages) SetEmailDelivery(c echo.Context) error {
	if _, err := h.accounts.SetEmailDelivery(c.Request().Context(), httpx.MustActor(c), form(c, "email_delivery")); err != nil {
		return h.accountFormError(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/account?done=email-delivery#email-title")
}
