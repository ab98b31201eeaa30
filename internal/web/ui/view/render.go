// Package view is how Docket's pages look: the templates, parsed once, and
// the Renderer that executes them; the data every page's layout needs
// (PageBase) and the rows, countdowns and clock timeline the pages share; the
// labels, durations and dates they show; and the wording of a form a use
// case refuses (Refusal). It has no handlers and calls no use case beyond the
// clock and the unread count of the layout: the pages (web/ui) load their
// data, build it with this package and render it with the Renderer.
package view

import (
	"bytes"
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/templates"
)

// Renderer renders the pages from the embedded templates, parsed once, and
// fills the layout's data (Base) on every page: the signed-in user, the
// navigation, the unread count and the clock's thresholds.
type Renderer struct {
	tmpl map[string]*template.Template
	// loc is the agency's zone, which the pages show instants in.
	loc      *time.Location
	log      *slog.Logger
	cases    CaseCalls
	delivery DeliveryCalls
	// ssoName names the single sign-on provider ("": none configured), which a step-up offers.
	ssoName string
	// bands are the bands' words under the clock's thresholds.
	bands BandWords
}

// views are the page templates; each is parsed with the layout and the partials.
var views = append([]string{"error.html"}, pageViews...)

// Views are the names of the views the Renderer parses at start, which Render
// renders; any other name is an error.
func Views() []string { return slices.Clone(views) }

// viewPartials are the templates a view includes beyond the layout and the
// common partials, parsed with it.
var viewPartials = map[string][]string{
	"case.html":    {"case_state.html", "case_findings.html", "case_comments.html", "case_attachments.html", "case_review.html"},
	"account.html": {"account_email.html"},
}

// New parses the templates; it fails on a template that does not parse. The
// layout's data comes from cases (the clock) and delivery (the unread count);
// loc is the agency's zone (nil: UTC), log notes what a page leaves out
// (nil: the default logger); ssoName names the single sign-on provider a
// step-up to TLP:RED offers ("": single sign-on is not configured).
func New(cases CaseCalls, delivery DeliveryCalls, loc *time.Location, log *slog.Logger, ssoName string) (*Renderer, error) {
	p := &Renderer{tmpl: map[string]*template.Template{}, loc: loc, log: log, cases: cases, delivery: delivery, ssoName: ssoName,
		bands: NewBandWords(cases.Thresholds())}
	if p.loc == nil {
		p.loc = time.UTC
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	for _, v := range views {
		files := append([]string{"layout.html", "partials.html", v}, viewPartials[v]...)
		t, err := template.New("layout.html").Funcs(p.funcs()).ParseFS(templates.FS, files...)
		if err != nil {
			return nil, err
		}
		p.tmpl[v] = t
	}
	return p, nil
}

// Location is the agency's zone, which the pages show instants in.
func (p *Renderer) Location() *time.Location { return p.loc }

// Bands are what the pages call the clock's bands.
func (p *Renderer) Bands() BandWords { return p.bands }

// Render executes the view name with data into a buffer first, so a template
// error never leaves half a page.
func (p *Renderer) Render(c echo.Context, status int, name string, data any) error {
	t, ok := p.tmpl[name]
	if !ok {
		return docket.Errorf(docket.EInternal, "no view %s", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

type errorPage struct {
	PageBase
	Status    int
	Message   string
	RequestID string
	// StepUp offers the sign-in a TLP:RED read needs (RenderStepUp).
	StepUp *StepUp
}

// RenderError shows a friendly error page that says no more than the API
// would: a 404 never tells "hidden" from "missing", a 500 only its request id.
// The caller has recognised the signed-in user, if any, so that the page
// shows the user's navigation.
func (p *Renderer) RenderError(c echo.Context, status int, e *docket.Error) {
	title := http.StatusText(status)
	msg := e.Message
	switch status {
	case http.StatusNotFound:
		title, msg = "Page not found", "There is nothing here, or you may not see it. Check the address, or go back to your home page."
	case http.StatusForbidden:
		title = "Not allowed"
		if e != httpx.ErrCSRF && e != httpx.ErrCrossOrigin {
			msg = "Your role may not do this. If you think it should, ask your administrator."
		}
	case http.StatusInternalServerError:
		title, msg = "Something went wrong", "Docket could not finish this request. Try again; if it keeps failing, quote the request id below to your administrator."
	}
	ep := errorPage{PageBase: p.Base(c, title), Status: status, Message: msg}
	if status >= 500 {
		ep.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	}
	if err := p.Render(c, status, "error.html", ep); err != nil {
		_ = c.String(status, title)
	}
}

// LoginPage is the sign-in form's data; the web package's sign-in handlers
// fill it, and Token with the form's CSRF token.
type LoginPage struct {
	PageBase
	Email   string
	Next    string
	Token   string
	Error   string
	Notice  string
	Invalid bool
	// SecondStep: the password was right; the form asks for the second factor's code.
	SecondStep bool
	// SSOName names the identity provider single sign-on goes through ("": none configured).
	SSOName string
	// Passkeys: signing in with a passkey can be offered here.
	Passkeys bool
	// StepUp: the page asked for needs a phishing-resistant sign-in.
	StepUp bool
}

// RenderLogin answers with the sign-in form.
func (p *Renderer) RenderLogin(c echo.Context, status int, lp LoginPage) error {
	lp.PageBase = p.Base(c, "Sign in")
	return p.Render(c, status, "login.html", lp)
}

// CaseCalls is what the renderer calls of the cases service.
type CaseCalls interface {
	Now() time.Time
	Thresholds() clock.Thresholds
}

// DeliveryCalls is what the renderer calls of the delivery service.
type DeliveryCalls interface {
	UnreadCount(ctx context.Context, a docket.Actor) (int, error)
}
