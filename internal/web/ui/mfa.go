package ui

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/boombuler/barcode/qr"
	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The account page's second factors: an authenticator app (TOTP) enrolled
// with a QR code drawn here, confirmed with its first code; recovery codes,
// shown once; removal with a current code. A user whose role needs a second
// factor and has none is sent here and can do nothing else until done.

// accountFactorsCalls is what the account page calls of the factors service.
type accountFactorsCalls interface {
	ListFactors(ctx context.Context, a docket.Actor) (*app.FactorList, error)
	EnrolTOTP(ctx context.Context, a docket.Actor, name string) (*app.TOTPEnrolment, error)
	ConfirmFactor(ctx context.Context, a docket.Actor, id, code string) (*app.FactorView, error)
	DeleteFactor(ctx context.Context, a docket.Actor, id, code string) error
	NewRecoveryCodes(ctx context.Context, a docket.Actor) ([]string, error)
	Enrolment(ctx context.Context, a docket.Actor, id string) (*app.TOTPEnrolment, error)
}

// FactorService is what the pages call of the factors service.
type FactorService interface{ accountFactorsCalls }

// factorsPart is the account page's second-factor section.
type factorsPart struct {
	Factors      []app.FactorView
	RecoveryLeft int
	Required     bool
	Enrolled     bool
	// Walkthrough: the role needs a second factor and this session has none.
	Walkthrough bool
	// Enrolling is a TOTP enrolment waiting for its first code: its secret and QR code.
	Enrolling *enrolling
	// NewCodes are recovery codes, shown once.
	NewCodes []string
	// PasskeysOff says why passkeys cannot be added here ("": they can).
	PasskeysOff string
	// PasskeyError says why the passkey just offered was not added.
	PasskeyError string
}

type enrolling struct {
	ID, Name, Secret, URL string
	QR                    template.HTML
}

func (h *AccountPages) factorsOf(c echo.Context) (factorsPart, error) {
	a := httpx.MustActor(c)
	l, err := h.factors.ListFactors(c.Request().Context(), a)
	if err != nil {
		return factorsPart{}, err
	}
	return factorsPart{Factors: l.Items, RecoveryLeft: l.RecoveryLeft, Required: l.Required, Enrolled: l.Enrolled,
		Walkthrough: docket.MustEnrolSecondFactor(a), PasskeysOff: h.passkeys.Off()}, nil
}

// EnrolTOTP starts an enrolment and shows its QR code and secret, with the form for its first code.
func (h *AccountPages) EnrolTOTP(c echo.Context) error {
	e, err := h.factors.EnrolTOTP(c.Request().Context(), httpx.MustActor(c), form(c, "name"))
	if err != nil {
		return h.accountFormError(c, err)
	}
	pg, err := h.accountPageOf(c, nil)
	if err != nil {
		return err
	}
	svg, err := qrSVG(e.OTPAuthURL)
	if err != nil {
		return err
	}
	pg.MFA.Enrolling = &enrolling{ID: e.Factor.ID, Name: e.Factor.Name, Secret: spaced(e.Secret), URL: e.OTPAuthURL, QR: svg}
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.r.Render(c, http.StatusCreated, "account.html", pg)
}

// showEnrolment answers the account page with a pending enrolment shown
// again and the error beside its code field.
func (h *AccountPages) showEnrolment(c echo.Context, status int, e *app.TOTPEnrolment, errs view.FieldErrors) error {
	pg, err := h.accountPageOf(c, errs)
	if err != nil {
		return err
	}
	svg, err := qrSVG(e.OTPAuthURL)
	if err != nil {
		return err
	}
	pg.MFA.Enrolling = &enrolling{ID: e.Factor.ID, Name: e.Factor.Name, Secret: spaced(e.Secret), URL: e.OTPAuthURL, QR: svg}
	pg.Alert = "The authenticator app is not added yet: check the code below."
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.r.Render(c, status, "account.html", pg)
}

// ConfirmTOTP confirms an enrolment with its first code.
func (h *AccountPages) ConfirmTOTP(c echo.Context) error {
	_, err := h.factors.ConfirmFactor(c.Request().Context(), httpx.MustActor(c), c.Param("id"), form(c, "code"))
	if err != nil {
		if e := docket.AsError(err); e != nil && e.Code == docket.EUnprocessable {
			// The enrolment stays: shown again, with why beside the code.
			pending, perr := h.factors.Enrolment(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
			if perr != nil {
				return h.accountFormError(c, err)
			}
			return h.showEnrolment(c, http.StatusUnprocessableEntity, pending, view.FieldErrors{"code": e.Message})
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?done=factor-added")
}

// RecoveryCodes makes a new set of recovery codes and shows them once.
func (h *AccountPages) RecoveryCodes(c echo.Context) error {
	codes, err := h.factors.NewRecoveryCodes(c.Request().Context(), httpx.MustActor(c))
	if err != nil {
		return h.accountFormError(c, err)
	}
	pg, err := h.accountPageOf(c, nil)
	if err != nil {
		return err
	}
	pg.MFA.NewCodes = codes
	c.Response().Header().Set("Cache-Control", "no-store")
	return h.r.Render(c, http.StatusCreated, "account.html", pg)
}

// RemoveFactor removes a factor, given a current code.
func (h *AccountPages) RemoveFactor(c echo.Context) error {
	err := h.factors.DeleteFactor(c.Request().Context(), httpx.MustActor(c), c.Param("id"), form(c, "code"))
	if err != nil {
		if docket.ErrorCode(err) == docket.EUnprocessable {
			pg, perr := h.accountPageOf(c, nil)
			if perr != nil {
				return perr
			}
			pg.Alert = "That code is not right, or it was used already: nothing was removed. Enter a current code from your authenticator app, or a recovery code."
			return h.r.Render(c, http.StatusUnprocessableEntity, "account.html", pg)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?done=factor-removed")
}

// spaced groups a base32 secret by four for reading aloud or typing.
func spaced(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// qrSVG draws the QR code of text as SVG, one square per dark module, with
// a quiet zone of four modules: drawn here, so no outside service sees the secret.
func qrSVG(text string) (template.HTML, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", err
	}
	n := code.Bounds().Dx()
	const quiet = 4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="qr-title" shape-rendering="crispEdges"><title id="qr-title">QR code of the authenticator app's setup key</title><rect width="100%%" height="100%%" fill="#fff"/><path fill="#000" d="`,
		n+2*quiet, n+2*quiet, (n+2*quiet)*5, (n+2*quiet)*5)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if r, _, _, _ := code.At(x, y).RGBA(); r == 0 {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil // #nosec G203 -- built here from numbers only
}
