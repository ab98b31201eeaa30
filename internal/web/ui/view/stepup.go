package view

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
)

// StepUp is the sign-in the pages offer a reader of TLP:RED content whose
// session was made with neither a passkey nor a phishing-resistant single
// sign-on (auth.tlp_red_requires_phishing_resistant): single sign-on asking
// the provider for a phishing-resistant sign-in, when single sign-on is
// configured, and the sign-in page's passkey. Both come back to Next.
type StepUp struct {
	// SSOName names the identity provider; "" when single sign-on is not configured.
	SSOName string
	SSOURL  string
	// PasskeyURL is the sign-in page, asked for a passkey.
	PasskeyURL string
}

// StepUpNextKey is the request's context key under which a form's handler
// names the page a refused TLP:RED form's step-up comes back to.
const StepUpNextKey = "docket.step_up_next"

// StepUpTo is the step-up offer that comes back to next, a local path.
func (p *Renderer) StepUpTo(next string) *StepUp {
	q := url.QueryEscape(next)
	s := &StepUp{PasskeyURL: "/login?next=" + q + "&step_up=1"}
	if p.ssoName != "" {
		s.SSOName, s.SSOURL = p.ssoName, "/auth/oidc/start?next="+q+"&step_up=1"
	}
	return s
}

// RenderStepUp answers a refused read of TLP:RED content (403
// step_up_required) with the error page, saying why and offering the
// sign-in that would let the reader in, back to next.
func (p *Renderer) RenderStepUp(c echo.Context, e *docket.Error, next string) {
	status := http.StatusForbidden
	ep := errorPage{PageBase: p.Base(c, "Sign in again to read TLP:RED"), Status: status,
		Message: "This is TLP:RED. Docket shows TLP:RED findings and their files only to a session made with a passkey " +
			"or with a phishing-resistant single sign-on, and you signed in another way. Sign in again with one of them to go on.",
		StepUp: p.StepUpTo(next)}
	if err := p.Render(c, status, "error.html", ep); err != nil {
		_ = c.String(status, e.Message)
	}
}
