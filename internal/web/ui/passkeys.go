package ui

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// Adding a passkey on the account page: the page's script asks POST
// /account/passkeys/options for a ceremony, hands the options to the
// browser, and posts the browser's answer, the ceremony's id and the name
// typed to POST /account/passkeys as a form. Without a browser that makes
// passkeys, the form stays hidden and the authenticator app is the way.

// PasskeyService is what the pages call of the passkeys service.
type PasskeyService interface {
	Off() string
	BeginEnrol(ctx context.Context, a docket.Actor) (*app.PasskeyOptions, error)
	FinishEnrol(ctx context.Context, a docket.Actor, ceremonyID, name string, response []byte) (*app.PasskeyAdded, error)
}

// PasskeyOptions begins adding a passkey and answers the ceremony's options as JSON.
func (h *AccountPages) PasskeyOptions(c echo.Context) error {
	o, err := h.passkeys.BeginEnrol(c.Request().Context(), httpx.MustActor(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{"ceremony": o.CeremonyID, "options": o.Options})
}

// AddPasskey adds the passkey the browser made; a refusal shows the account
// page with why. A first factor added with the password alone ends the
// session: the sign-in page asks for the passkey next.
func (h *AccountPages) AddPasskey(c echo.Context) error {
	added, err := h.passkeys.FinishEnrol(c.Request().Context(), httpx.MustActor(c), form(c, "ceremony"), form(c, "name"), []byte(form(c, "credential")))
	if err != nil {
		e := docket.AsError(err)
		if e == nil || e.Code != docket.EUnprocessable {
			return err
		}
		pg, perr := h.accountPageOf(c, nil)
		if perr != nil {
			return perr
		}
		pg.MFA.PasskeyError = "The passkey was not added: " + e.Field + " " + e.Message + "."
		c.Response().Header().Set("Cache-Control", "no-store")
		return h.r.Render(c, http.StatusUnprocessableEntity, "account.html", pg)
	}
	if added.SessionEnded {
		h.endSession(c)
		return c.Redirect(http.StatusSeeOther, "/login?passkey_added=1&next=%2Faccount")
	}
	return c.Redirect(http.StatusSeeOther, "/account?done=passkey-added")
}
