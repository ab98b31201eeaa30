package api

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// factorsCalls is what the second-factor handlers call of the factors service.
type factorsCalls interface {
	ListFactors(ctx context.Context, a docket.Actor) (*app.FactorList, error)
	EnrolTOTP(ctx context.Context, a docket.Actor, name string) (*app.TOTPEnrolment, error)
	ConfirmFactor(ctx context.Context, a docket.Actor, id, code string) (*app.FactorView, error)
	DeleteFactor(ctx context.Context, a docket.Actor, id, code string) error
	NewRecoveryCodes(ctx context.Context, a docket.Actor) ([]string, error)
}

// FactorService is all the API calls of the factors service.
type FactorService interface{ factorsCalls }

// Factors serves the caller's own second factors under /me/mfa.
type Factors struct{ factors factorsCalls }

type factorJSON struct {
	ID         string  `json:"id"`
	Kind       string  `json:"kind"`
	Name       string  `json:"name"`
	Confirmed  bool    `json:"confirmed"`
	CreatedAt  string  `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
}

func presentFactor(f app.FactorView) factorJSON {
	out := factorJSON{ID: f.ID, Kind: f.Kind, Name: f.Name, Confirmed: f.Confirmed, CreatedAt: httpx.Instant(f.CreatedAt)}
	if f.LastUsedAt != nil {
		at := httpx.Instant(*f.LastUsedAt)
		out.LastUsedAt = &at
	}
	return out
}

// GetFactors lists the caller's confirmed factors and recovery codes left.
func (s *Factors) GetFactors(c echo.Context) error {
	l, err := s.factors.ListFactors(c.Request().Context(), httpx.MustActor(c))
	if err != nil {
		return err
	}
	items := make([]factorJSON, len(l.Items))
	for i, f := range l.Items {
		items[i] = presentFactor(f)
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items, "recovery_codes_left": l.RecoveryLeft,
		"enrolled": l.Enrolled, "required": l.Required})
}

// PostTOTP starts a TOTP enrolment; the secret is in this answer only.
func (s *Factors) PostTOTP(c echo.Context) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	e, err := s.factors.EnrolTOTP(c.Request().Context(), httpx.MustActor(c), in.Name)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, map[string]any{"id": e.Factor.ID, "kind": e.Factor.Kind, "name": e.Factor.Name,
		"secret": e.Secret, "otpauth_url": e.OTPAuthURL, "confirmed": false, "created_at": httpx.Instant(e.Factor.CreatedAt)})
}

// PostConfirm confirms an enrolment with a code from it.
func (s *Factors) PostConfirm(c echo.Context) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	f, err := s.factors.ConfirmFactor(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Code)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentFactor(*f))
}

// DeleteFactor removes a factor, given a current code.
func (s *Factors) DeleteFactor(c echo.Context) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if err := s.factors.DeleteFactor(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Code); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// PostRecoveryCodes makes a new set of recovery codes, shown once.
func (s *Factors) PostRecoveryCodes(c echo.Context) error {
	codes, err := s.factors.NewRecoveryCodes(c.Request().Context(), httpx.MustActor(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, map[string]any{"codes": codes})
}
