package api

import (
	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/web/httpx"
)

// PatchMe changes the signed-in user's own settings, `{email_delivery}`
// (each, digest or none: how notifications reach them by e-mail), and
// answers with the user as GET /me does.
func (s *Accounts) PatchMe(c echo.Context) error {
	var in struct {
		EmailDelivery *string `json:"email_delivery"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.EmailDelivery != nil {
		if _, err := s.accounts.SetEmailDelivery(c.Request().Context(), httpx.MustActor(c), *in.EmailDelivery); err != nil {
			return err
		}
	}
	return s.GetMe(c)
}
