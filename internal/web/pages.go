package web

import (
	"bytes"
	"html/template"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/static"
	"github.com/docket/docket/templates"
)

// pages renders the server-side HTML from the embedded templates, parsed once.
type pages struct {
	s    *Server
	tmpl map[string]*template.Template
}

// views are the page templates; each is parsed with the layout.
var views = []string{"error.html", "home.html"}

func newPages(s *Server) (*pages, error) {
	p := &pages{s: s, tmpl: map[string]*template.Template{}}
	for _, v := range views {
		t, err := template.New("layout.html").Funcs(template.FuncMap{}).ParseFS(templates.FS, "layout.html", v)
		if err != nil {
			return nil, err
		}
		p.tmpl[v] = t
	}
	return p, nil
}

func (p *pages) routes(e *echo.Echo) {
	e.GET("/", p.home)
	e.StaticFS("/static", static.FS)
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
	Title   string
	Status  int
	Message string
}

func (p *pages) renderError(c echo.Context, status int, e *docket.Error) {
	title := http.StatusText(status)
	msg := e.Message
	if status == http.StatusNotFound {
		msg = "There is nothing here, or you may not see it."
	}
	if err := p.render(c, status, "error.html", errorPage{Title: title, Status: status, Message: msg}); err != nil {
		_ = c.String(status, title)
	}
}

func (p *pages) home(c echo.Context) error {
	return p.render(c, http.StatusOK, "home.html", struct{ Title string }{"Docket"})
}
