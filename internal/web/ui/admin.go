package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The administrators' pages: organisations and users. Admins see no case.

type userRow struct {
	ID, Name, Email, Role, RoleLabel, Org, OrgKind string
	Disabled, Self                                 bool
	// MFA: the user has a second factor, which the admin may remove.
	MFA   bool
	Roles []view.Option
	// Waiting says what of the user's waits for a review lead's approval.
	Waiting []string
}

type newUserForm struct {
	Email, Name, Role, OrgID string
}

type usersPage struct {
	view.PageBase
	Users    []userRow
	Orgs     []view.Option
	Roles    []view.Option
	New      newUserForm
	Errors   view.FieldErrors
	NextHref string
	Summary  []fieldError
	// Creating lists the users whose creation waits for a review lead.
	Creating []string
}

const usersPerPage = 100

// allOrgs lists every organisation (admins only).
func (h *AdminPages) allOrgs(c echo.Context) ([]docket.Org, error) {
	var out []docket.Org
	cursor := ""
	for {
		orgs, next, err := h.accounts.ListOrgs(c.Request().Context(), httpx.MustActor(c), app.Page{Limit: 200, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		out = append(out, orgs...)
		if next == "" {
			return out, nil
		}
		cursor = next
	}
}

func rolesFor(kind string, selected docket.Role) []view.Option {
	var out []view.Option
	for _, r := range docket.Roles {
		if kind == "" || r.OrgKind() == kind {
			out = append(out, view.Option{Value: string(r), Label: view.RoleLabel(r), Selected: r == selected})
		}
	}
	return out
}

func (h *AdminPages) usersPageOf(c echo.Context, nf newUserForm, errs view.FieldErrors) (*usersPage, error) {
	a := httpx.MustActor(c)
	cursor := c.QueryParam("cursor")
	if len(cursor) > 512 {
		return nil, docket.Unacceptable("cursor", "is not a cursor this list gave")
	}
	users, next, err := h.accounts.ListUsers(c.Request().Context(), a, app.UserFilter{}, app.Page{Limit: usersPerPage, Cursor: cursor})
	if err != nil {
		return nil, err
	}
	orgs, err := h.allOrgs(c)
	if err != nil {
		return nil, err
	}
	pg := &usersPage{PageBase: h.r.Base(c, "Users"), New: nf, Errors: errs, Roles: rolesFor("", docket.Role(nf.Role))}
	for _, o := range orgs {
		kind := "lab"
		if o.Kind == docket.OrgKindAgency {
			kind = "agency office"
		}
		pg.Orgs = append(pg.Orgs, view.Option{Value: o.ID, Label: o.Name + " (" + kind + ")", Selected: o.ID == nf.OrgID})
	}
	pending := docket.ApprovalPending
	waiting, _, err := h.approvals.List(c.Request().Context(), a, app.ApprovalFilter{Status: &pending}, app.Page{Limit: 200})
	if err != nil {
		return nil, err
	}
	byUser := map[string][]string{}
	for i := range waiting {
		w := &waiting[i]
		if w.Kind == docket.ApprovalUserCreate {
			pg.Creating = append(pg.Creating, approvalWords(w))
		} else {
			byUser[w.UserID] = append(byUser[w.UserID], approvalWords(w))
		}
	}
	for _, u := range users {
		pg.Users = append(pg.Users, userRow{ID: u.ID, Name: u.Name, Email: u.Email, Role: string(u.Role),
			RoleLabel: view.RoleLabel(u.Role), Org: u.Org.Name, OrgKind: u.Org.Kind, Disabled: u.Disabled, Self: u.ID == a.UserID,
			MFA: u.MFAEnrolled, Roles: rolesFor(u.Org.Kind, u.Role), Waiting: byUser[u.ID]})
	}
	if next != "" {
		pg.NextHref = "/admin/users?" + url.Values{"cursor": {next}}.Encode()
	}
	for _, f := range []string{"email", "name", "role", "org_id", "password"} {
		if m, ok := errs[f]; ok {
			pg.Summary = append(pg.Summary, fieldError{Field: f, Message: m})
		}
	}
	return pg, nil
}

func (h *AdminPages) Users(c echo.Context) error {
	pg, err := h.usersPageOf(c, newUserForm{}, nil)
	if err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "admin_users.html", pg)
}

func (h *AdminPages) CreateUser(c echo.Context) error {
	nf := newUserForm{Email: strings.TrimSpace(form(c, "email")), Name: form(c, "name"), Role: form(c, "role"),
		OrgID: form(c, "org_id")}
	ch, err := h.accounts.CreateUser(c.Request().Context(), httpx.MustActor(c),
		app.NewUser{Email: nf.Email, Name: nf.Name, Role: nf.Role, OrgID: nf.OrgID, Password: form(c, "password")})
	if err == nil {
		return userChangeDone(c, ch, "user")
	}
	errs := view.FieldErrors{}
	status, alert, ok := view.Refusal(err, errs, view.AdminWords)
	if !ok {
		return err
	}
	if alert == "" {
		alert = "Check the fields marked below."
	}
	pg, perr := h.usersPageOf(c, nf, errs)
	if perr != nil {
		return perr
	}
	pg.Alert = alert
	return h.r.Render(c, status, "admin_users.html", pg)
}

func (h *AdminPages) UpdateUser(c echo.Context) error {
	var p app.UserPatch
	role := form(c, "role")
	if role != "" {
		p.Role = &role
	}
	disabled := form(c, "disabled") == "on"
	p.Disabled = &disabled
	if pw := form(c, "password"); pw != "" {
		p.Password = &pw
	}
	ch, err := h.accounts.UpdateUser(c.Request().Context(), httpx.MustActor(c), c.Param("id"), p)
	return h.userChangeAnswer(c, ch, err, "userupdate")
}

// userChangeAnswer answers a change to a user: back to the users page
// saying what it did, or the page again with why it was refused.
func (h *AdminPages) userChangeAnswer(c echo.Context, ch app.UserChange, err error, done string) error {
	if err == nil {
		return userChangeDone(c, ch, done)
	}
	status, alert, ok := view.Refusal(err, view.FieldErrors{}, view.UserChangeWords)
	if !ok {
		return err
	}
	pg, perr := h.usersPageOf(c, newUserForm{}, nil)
	if perr != nil {
		return perr
	}
	pg.Alert = alert
	return h.r.Render(c, status, "admin_users.html", pg)
}

// RemoveFactors removes a user's second factors (one who lost them); a
// reviewer's or review lead's waits for a review lead's approval.
func (h *AdminPages) RemoveFactors(c echo.Context) error {
	ch, err := h.accounts.RemoveFactors(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	return h.userChangeAnswer(c, ch, err, "factors-removed")
}

// userChangeDone returns to the users page saying what a change did: done,
// or that it waits for a review lead's approval.
func userChangeDone(c echo.Context, ch app.UserChange, done string) error {
	if ch.Pending != nil {
		done = "pending"
	}
	return c.Redirect(http.StatusSeeOther, "/admin/users?done="+done)
}

type orgsPage struct {
	view.PageBase
	Orgs   []docket.Org
	Name   string
	Kind   string
	Kinds  []view.Option
	Errors view.FieldErrors
}

func (h *AdminPages) orgsPageOf(c echo.Context, name, kind string, errs view.FieldErrors) (*orgsPage, error) {
	orgs, err := h.allOrgs(c)
	if err != nil {
		return nil, err
	}
	if kind == "" {
		kind = docket.OrgKindLab
	}
	return &orgsPage{PageBase: h.r.Base(c, "Organisations"), Orgs: orgs, Name: name, Kind: kind, Errors: errs,
		Kinds: view.Options([]string{docket.OrgKindLab, docket.OrgKindAgency}, map[string]string{
			docket.OrgKindLab: "Lab (submits models)", docket.OrgKindAgency: "Agency office (reviews them)"}, kind)}, nil
}

func (h *AdminPages) Orgs(c echo.Context) error {
	pg, err := h.orgsPageOf(c, "", "", nil)
	if err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "admin_orgs.html", pg)
}

func (h *AdminPages) CreateOrg(c echo.Context) error {
	name, kind := form(c, "name"), form(c, "kind")
	_, err := h.accounts.CreateOrg(c.Request().Context(), httpx.MustActor(c), name, kind)
	if err == nil {
		return c.Redirect(http.StatusSeeOther, "/admin/orgs?done=org")
	}
	errs := view.FieldErrors{}
	status, alert, ok := view.Refusal(err, errs, view.AdminWords)
	if !ok {
		return err
	}
	if alert == "" {
		alert = "Check the fields marked below."
	}
	pg, perr := h.orgsPageOf(c, name, kind, errs)
	if perr != nil {
		return perr
	}
	pg.Alert = alert
	return h.r.Render(c, status, "admin_orgs.html", pg)
}
