package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/templates"
)

// pages renders the server-side HTML from the embedded templates, parsed once.
type pages struct {
	s    *Server
	tmpl map[string]*template.Template
}

// views are the page templates; each is parsed with the layout and the partials.
var views = append([]string{"error.html"}, pageViews...)

// viewPartials are the templates a view includes beyond the layout and the
// common partials, parsed with it.
var viewPartials = map[string][]string{
	"case.html": {"case_findings.html", "case_comments.html", "case_attachments.html", "case_review.html"},
}

func newPages(s *Server) (*pages, error) {
	p := &pages{s: s, tmpl: map[string]*template.Template{}}
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

func (p *pages) routes(e *echo.Echo) {
	p.s.registerPages(e)
}

// isPage reports whether the request is for a page rather than the API.
func isPage(c echo.Context) bool {
	path := c.Request().URL.Path
	return !strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, "/.well-known/") &&
		path != "/healthz" && path != "/readyz" && path != "/metrics"
}

// render executes a view into a buffer first, so a template error never leaves half a page.
func (p *pages) render(c echo.Context, status int, view string, data any) error {
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

// renderError shows a friendly error page that says no more than the API
// would: a 404 never tells "hidden" from "missing", a 500 only its request id.
func (p *pages) renderError(c echo.Context, status int, e *docket.Error) {
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
	p.s.quietSession(c)
	ep := errorPage{pageBase: p.base(c, title), Status: status, Message: msg}
	if status >= 500 {
		ep.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	}
	if err := p.render(c, status, "error.html", ep); err != nil {
		_ = c.String(status, title)
	}
}
