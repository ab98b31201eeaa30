package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// MaxVerifyBody bounds the body of POST /statements/verify: a statement of
// at most app.MaxStatementBytes and the JSON around it.
const MaxVerifyBody = app.MaxStatementBytes + 1024

type verifyIn struct {
	Statement *string `json:"statement"`
}

// VerificationView is the answer of POST /statements/verify.
type VerificationView struct {
	Valid        bool                  `json:"valid"`
	Reason       *string               `json:"reason,omitempty"`
	Kid          *string               `json:"kid,omitempty"`
	Claims       json.RawMessage       `json:"claims,omitempty"`
	Status       string                `json:"status"`
	SupersededBy *SupersedingStatement `json:"superseded_by,omitempty"`
}

// SupersedingStatement is the later statement of a superseded one.
type SupersedingStatement struct {
	Kind     string `json:"kind"`
	IssuedAt string `json:"issued_at"`
}

// PresentVerification is a verification as the API answers it.
func PresentVerification(v *app.Verification) VerificationView {
	out := VerificationView{Valid: v.Valid, Status: v.Status, Claims: v.Claims}
	if v.Reason != "" {
		out.Reason = &v.Reason
	}
	if v.KeyID != "" {
		out.Kid = &v.KeyID
	}
	if v.SupersededBy != nil {
		out.SupersededBy = &SupersedingStatement{Kind: v.SupersededBy.Kind, IssuedAt: httpx.Instant(v.SupersededBy.IssuedAt)}
	}
	return out
}

// ReadVerifyBody reads a verification request's body, at most MaxVerifyBody
// bytes (413 beyond).
func ReadVerifyBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, MaxVerifyBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &docket.Error{Code: docket.ETooLarge, Message: "the body is larger than 64 KiB: a statement is a few KiB"}
	}
	return body, err
}

// PostVerifyStatement checks a review statement for anyone (no sign-in):
// {statement} → {valid, reason?, kid?, claims?, status, superseded_by?}.
// The route is rate-limited per client address; it writes nothing.
func (s *Evidence) PostVerifyStatement(c echo.Context) error {
	body, err := ReadVerifyBody(c)
	if err != nil {
		return err
	}
	c.Request().Body = io.NopCloser(bytes.NewReader(body))
	var in verifyIn
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.Statement == nil {
		return docket.Unacceptable("statement", "is required: the statement, a JWS (three parts separated by dots)")
	}
	v, err := s.evidence.VerifyStatement(c.Request().Context(), *in.Statement)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, PresentVerification(v))
}
