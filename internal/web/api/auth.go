package api

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

func (s *Accounts) PostToken(c echo.Context) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
		OTP      string `json:"otp"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	sess, err := s.accounts.SignInWithCode(c.Request().Context(), in.Email, in.Password, in.OTP, httpx.Anon(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]string{
		"access_token": sess.Token, "token_type": "Bearer", "expires_at": httpx.Instant(sess.ExpiresAt)})
}

func (s *Accounts) PostLogout(c echo.Context) error {
	if err := s.accounts.Logout(c.Request().Context(), httpx.MustActor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// meJSON is the signed-in user with its second-factor state and how this session was made.
type meJSON struct {
	userJSON
	MFA     meMFAJSON     `json:"mfa"`
	Session meSessionJSON `json:"session"`
	// EmailDelivery is how notifications reach the user by e-mail (PATCH /me).
	EmailDelivery string `json:"email_delivery"`
}

type meMFAJSON struct {
	Enrolled bool `json:"enrolled"`
	Required bool `json:"required"`
}

type meSessionJSON struct {
	AMR             []string `json:"amr"`
	ACR             *string  `json:"acr"`
	AuthenticatedAt *string  `json:"authenticated_at"`
}

func (s *Accounts) GetMe(c echo.Context) error {
	a := httpx.MustActor(c)
	u, err := s.accounts.Me(c.Request().Context(), a)
	if err != nil {
		return err
	}
	me := meJSON{userJSON: presentUser(u), MFA: meMFAJSON{Enrolled: u.MFAEnrolled, Required: a.MFARequired},
		Session: meSessionJSON{AMR: append([]string{}, a.AMR...)}, EmailDelivery: u.EmailDelivery}
	if a.ACR != "" {
		me.Session.ACR = &a.ACR
	}
	if !a.AuthenticatedAt.IsZero() && a.AuthenticatedAt.Unix() > 0 {
		at := httpx.Instant(a.AuthenticatedAt)
		me.Session.AuthenticatedAt = &at
	}
	return c.JSON(http.StatusOK, me)
}

func (s *Accounts) PostPassword(c echo.Context) error {
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.accounts.ChangePassword(c.Request().Context(), httpx.MustActor(c), in.Current, in.New); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type apiTokenJSON struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Scope     string  `json:"scope"`
	Token     *string `json:"token,omitempty"`
	CreatedAt string  `json:"created_at"`
	ExpiresAt string  `json:"expires_at"`
}

func (s *Accounts) PostAPIToken(c echo.Context) error {
	var in struct {
		Name      string          `json:"name"`
		ExpiresAt json.RawMessage `json:"expires_at"`
		Scope     string          `json:"scope"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	var exp *time.Time
	if len(in.ExpiresAt) > 0 && string(in.ExpiresAt) != "null" {
		var raw string
		if err := json.Unmarshal(in.ExpiresAt, &raw); err != nil {
			return docket.FieldError("expires_at", "must be a JSON string")
		}
		t, err := time.Parse(time.RFC3339Nano, raw)
		if err != nil {
			return docket.Unacceptable("expires_at", "must be an RFC 3339 instant")
		}
		exp = &t
	}
	sess, tok, err := s.accounts.CreateAPIToken(c.Request().Context(), httpx.MustActor(c), in.Name, docket.Scope(in.Scope), exp)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, apiTokenJSON{ID: tok.ID, Name: tok.Name, Scope: string(tok.Scope), Token: &sess.Token,
		CreatedAt: httpx.Instant(tok.CreatedAt), ExpiresAt: httpx.Instant(tok.ExpiresAt)})
}

func (s *Accounts) GetAPITokens(c echo.Context) error {
	toks, err := s.accounts.ListAPITokens(c.Request().Context(), httpx.MustActor(c))
	if err != nil {
		return err
	}
	items := []apiTokenJSON{}
	for _, t := range toks {
		items = append(items, apiTokenJSON{ID: t.ID, Name: t.Name, Scope: string(t.Scope), CreatedAt: httpx.Instant(t.CreatedAt), ExpiresAt: httpx.Instant(t.ExpiresAt)})
	}
	return c.JSON(http.StatusOK, listOf(items, ""))
}

func (s *Accounts) DeleteAPIToken(c echo.Context) error {
	if err := s.accounts.DeleteAPIToken(c.Request().Context(), httpx.MustActor(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Accounts) PostOrg(c echo.Context) error {
	var in struct {
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	o, err := s.accounts.CreateOrg(c.Request().Context(), httpx.MustActor(c), in.Name, in.Kind)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentOrg(*o))
}

func (s *Accounts) GetOrgs(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	orgs, next, err := s.accounts.ListOrgs(c.Request().Context(), httpx.MustActor(c), p)
	if err != nil {
		return err
	}
	items := make([]orgJSON, len(orgs))
	for i, o := range orgs {
		items[i] = presentOrg(o)
	}
	return c.JSON(http.StatusOK, listOf(items, next))
}

func (s *Accounts) PostUser(c echo.Context) error {
	var in app.NewUser
	if err := decode(c, &in); err != nil {
		return err
	}
	ch, err := s.accounts.CreateUser(c.Request().Context(), httpx.MustActor(c), in)
	if err != nil {
		return err
	}
	return userChangeResult(c, http.StatusCreated, ch)
}

func (s *Accounts) GetUsers(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	var f app.UserFilter
	if v := c.QueryParam("org_id"); v != "" {
		f.OrgID = &v
	}
	if v := c.QueryParam("role"); v != "" {
		r := docket.Role(v)
		if !r.Valid() {
			return docket.Unacceptable("role", "is not a role")
		}
		f.Role = &r
	}
	users, next, err := s.accounts.ListUsers(c.Request().Context(), httpx.MustActor(c), f, p)
	if err != nil {
		return err
	}
	items := make([]userJSON, len(users))
	for i := range users {
		items[i] = presentUser(&users[i])
	}
	return c.JSON(http.StatusOK, listOf(items, next))
}

func (s *Accounts) PatchUser(c echo.Context) error {
	var in app.UserPatch
	if err := decode(c, &in); err != nil {
		return err
	}
	ch, err := s.accounts.UpdateUser(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	if err != nil {
		return err
	}
	return userChangeResult(c, http.StatusOK, ch)
}

// DeleteUserFactors removes a user's second factors (administrators): 200
// with the user, or 201 with the change that waits for a review lead.
func (s *Accounts) DeleteUserFactors(c echo.Context) error {
	ch, err := s.accounts.RemoveFactors(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return userChangeResult(c, http.StatusOK, ch)
}

func (s *Accounts) GetAudit(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	evs, next, err := s.audit.ListAllAudit(c.Request().Context(), httpx.MustActor(c), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(presentAudit(evs, false), next))
}

// presentAudit shows events; withChanges adds what changed (names, metadata values and hashes only).
func presentAudit(evs []docket.AuditEvent, withChanges bool) []auditJSON {
	out := make([]auditJSON, len(evs))
	for i, e := range evs {
		out[i] = auditJSON{Seq: e.Seq, ID: e.ID, At: httpx.Instant(e.At), ActorID: e.ActorID, ActorRole: e.ActorRole,
			OrgID: e.OrgID, Action: e.Action, SubjectType: e.SubjectType, SubjectID: e.SubjectID, CaseID: e.CaseID,
			RequestID: e.RequestID, ClientIP: e.ClientIP, Hash: e.Hash, PrevHash: e.PrevHash}
		if withChanges {
			out[i].Changes = json.RawMessage(e.Changes)
		}
	}
	return out
}
