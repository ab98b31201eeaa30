package ui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The account page (/account): every signed-in user's own settings, the
// browser's way to what the API offers at /me/password, /api-tokens and
// /calendar-url. A new API token or calendar address is shown once, on the
// answer to the form that made it, and never again.

type accountPage struct {
	view.PageBase
	Email, Role, Org string
	Tokens           []tokenRow
	// NewToken and NewCalendarURL are shown once, right after they are made.
	NewToken     string
	NewTokenName string
	TokenDays    []view.Option
	// HasCalendar is false for administrators, who see no deadlines.
	HasCalendar    bool
	Calendar       *time.Time
	NewCalendarURL string
	Errors         view.FieldErrors
	// MFA is the second factors' section (mfa.go).
	MFA factorsPart
	// Mail is the choice of how notifications come by e-mail (account_email.go).
	Mail mailPart
}

type tokenRow struct {
	ID, Name, Scope    string
	Created, ExpiresAt time.Time
}

// tokenDays are the lifetimes offered for a new API token, in days.
var tokenDays = []int{30, 90, 365}

func (h *AccountPages) accountPageOf(c echo.Context, errs view.FieldErrors) (*accountPage, error) {
	ctx, a := c.Request().Context(), httpx.MustActor(c)
	me, err := h.accounts.Me(ctx, a)
	if err != nil {
		return nil, err
	}
	toks, err := h.accounts.ListAPITokens(ctx, a)
	if err != nil {
		return nil, err
	}
	// Administrators see no case, so they have no calendar of deadlines.
	cal, err := h.accounts.CalendarURL(ctx, a)
	noCalendar := docket.ErrorCode(err) == docket.EForbidden
	if err != nil && !noCalendar {
		return nil, err
	}
	pg := &accountPage{PageBase: h.r.Base(c, "Your account"), Email: me.Email, Role: view.RoleLabel(me.Role),
		Org: me.Org.Name, Errors: errs, HasCalendar: !noCalendar}
	for _, t := range toks {
		pg.Tokens = append(pg.Tokens, tokenRow{ID: t.ID, Name: t.Name, Scope: string(t.Scope), Created: t.CreatedAt, ExpiresAt: t.ExpiresAt})
	}
	if cal != nil {
		pg.Calendar = &cal.CreatedAt
	}
	pg.TokenDays = h.tokenDays(form(c, "days"))
	pg.Flash = view.FlashOf(c)
	if pg.MFA, err = h.factorsOf(c); err != nil {
		return nil, err
	}
	pg.Mail = h.mailPartOf(me, form(c, "email_delivery"))
	return pg, nil
}

// tokenDays are the lifetimes offered for a new token: those of tokenDays
// within auth.api_token_max_ttl (the longest allowed, when none is), picked
// selected (90 days when nothing is picked).
func (h *AccountPages) tokenDays(picked string) []view.Option {
	var out []view.Option
	maxDays := int(h.tokenMaxTTL / (24 * time.Hour))
	for _, d := range tokenDays {
		if d <= maxDays {
			v := strconv.Itoa(d)
			out = append(out, view.Option{Value: v, Label: v + " days", Selected: v == picked || (picked == "" && d == 90)})
		}
	}
	if len(out) == 0 {
		v := strconv.Itoa(max(maxDays, 1))
		out = []view.Option{{Value: v, Label: v + " days", Selected: true}}
	}
	return out
}

// renderAccount answers with the account page; a page carrying a secret
// shown once is never stored by a cache.
func (h *AccountPages) renderAccount(c echo.Context, status int, pg *accountPage) error {
	if pg.NewToken != "" || pg.NewCalendarURL != "" {
		c.Response().Header().Set("Cache-Control", "no-store")
	}
	return h.r.Render(c, status, "account.html", pg)
}

func (h *AccountPages) Account(c echo.Context) error {
	pg, err := h.accountPageOf(c, nil)
	if err != nil {
		return err
	}
	return h.renderAccount(c, http.StatusOK, pg)
}

// accountFormError shows the account page again with the error beside its
// field, or as the page's alert; any other error is the error page's.
func (h *AccountPages) accountFormError(c echo.Context, err error) error {
	errs := view.FieldErrors{}
	status, alert, ok := view.Refusal(err, errs, view.AccountWords)
	if !ok {
		return err
	}
	if alert == "" {
		alert = "Nothing was changed. Check the fields marked below."
	}
	pg, perr := h.accountPageOf(c, errs)
	if perr != nil {
		return perr
	}
	pg.Alert = alert
	return h.renderAccount(c, status, pg)
}

// pageChangePassword changes the password; every session ends with it, this
// one too, so the answer is the sign-in page.
func (h *AccountPages) ChangePassword(c echo.Context) error {
	err := h.accounts.ChangePassword(c.Request().Context(), httpx.MustActor(c), form(c, "current_password"), form(c, "new_password"))
	if err != nil {
		return h.accountFormError(c, err)
	}
	h.endSession(c)
	return c.Redirect(http.StatusSeeOther, "/login?password_changed=1")
}

func (h *AccountPages) CreateAPIToken(c echo.Context) error {
	days, offered := 0, false
	for _, o := range h.tokenDays("") {
		if o.Value == form(c, "days") {
			days, _ = strconv.Atoi(o.Value)
			offered = true
		}
	}
	if !offered {
		return h.accountFormError(c, docket.Unacceptable("days", "must be one of the lifetimes offered"))
	}
	exp := h.cases.Now().Add(time.Duration(days) * 24 * time.Hour)
	name := form(c, "name")
	sess, _, err := h.accounts.CreateAPIToken(c.Request().Context(), httpx.MustActor(c), name, docket.Scope(form(c, "scope")), &exp)
	if err != nil {
		return h.accountFormError(c, err)
	}
	pg, err := h.accountPageOf(c, nil)
	if err != nil {
		return err
	}
	pg.NewToken, pg.NewTokenName = sess.Token, name
	return h.renderAccount(c, http.StatusCreated, pg)
}

func (h *AccountPages) RevokeAPIToken(c echo.Context) error {
	if err := h.accounts.DeleteAPIToken(c.Request().Context(), httpx.MustActor(c), c.Param("id")); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?done=token-revoked")
}

func (h *AccountPages) CreateCalendarURL(c echo.Context) error {
	token, _, err := h.accounts.CreateCalendarURL(c.Request().Context(), httpx.MustActor(c))
	if err != nil {
		return err
	}
	pg, err := h.accountPageOf(c, nil)
	if err != nil {
		return err
	}
	pg.NewCalendarURL = httpx.LinkBase(c, h.baseURL) + "/calendar/" + token + ".ics"
	return h.renderAccount(c, http.StatusCreated, pg)
}

func (h *AccountPages) DeleteCalendarURL(c echo.Context) error {
	if err := h.accounts.DeleteCalendarURL(c.Request().Context(), httpx.MustActor(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/account?done=calendar-off")
}
