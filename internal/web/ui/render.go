package ui

import (
	"bytes"
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/templates"
)

// Renderer renders the pages from the embedded templates, parsed once, and
// fills the layout's data (base) on every page: the signed-in user, the
// navigation, the unread count and the clock's thresholds.
type Renderer struct {
	tmpl map[string]*template.Template
	// loc is the agency's zone, which the pages show instants in.
	loc      *time.Location
	log      *slog.Logger
	cases    rendererCasesCalls
	delivery rendererDeliveryCalls
}

// views are the page templates; each is parsed with the layout and the partials.
var views = append([]string{"error.html"}, pageViews...)

// viewPartials are the templates a view includes beyond the layout and the
// common partials, parsed with it.
var viewPartials = map[string][]string{
	"case.html": {"case_findings.html", "case_comments.html", "case_attachments.html", "case_review.html"},
}

// newRenderer parses the templates; it fails on a template that does not parse.
// loc is the agency's zone (nil: UTC), log notes what a page leaves out
// (nil: the default logger).
func newRenderer(cases rendererCasesCalls, delivery rendererDeliveryCalls, loc *time.Location, log *slog.Logger) (*Renderer, error) {
	p := &Renderer{tmpl: map[string]*template.Template{}, loc: loc, log: log, cases: cases, delivery: delivery}
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

// location is the agency's zone, which the pages show instants in.
func (p *Renderer) location() *time.Location { return p.loc }

// render executes a view into a buffer first, so a template error never leaves half a page.
func (p *Renderer) render(c echo.Context, status int, view string, data any) error {
	t, ok := p.tmpl[view]
	if !ok {
		return docket.Errorf(docket.EInternal, "no view %s", view)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

type errorPage struct {
	pageBase
	Status    int
	Message   string
	RequestID string
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
	ep := errorPage{pageBase: p.base(c, title), Status: status, Message: msg}
	if status >= 500 {
		ep.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	}
	if err := p.render(c, status, "error.html", ep); err != nil {
		_ = c.String(status, title)
	}
}

// LoginPage is the sign-in form's data; the web package's sign-in handlers
// fill it, and Token with the form's CSRF token.
type LoginPage struct {
	pageBase
	Email   string
	Next    string
	Token   string
	Error   string
	Notice  string
	Invalid bool
}

// RenderLogin answers with the sign-in form.
func (p *Renderer) RenderLogin(c echo.Context, status int, lp LoginPage) error {
	lp.pageBase = p.base(c, "Sign in")
	return p.render(c, status, "login.html", lp)
}

// rendererCasesCalls is what the renderer calls of the cases service.
type rendererCasesCalls interface {
	Now() time.Time
	Thresholds() clock.Thresholds
}

// rendererDeliveryCalls is what the renderer calls of the delivery service.
type rendererDeliveryCalls interface {
	UnreadCount(ctx context.Context, a docket.Actor) (int, error)
}
