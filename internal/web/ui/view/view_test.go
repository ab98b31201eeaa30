package view

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/templates"
)

// renderCall is how the Renderer and the pages (web/ui) render a view.
var renderCall = regexp.MustCompile(`Render\(c, [^,]+, "([a-z_]+\.html)"`)

// TestEveryViewExists: each listed view is a template file, no template file
// is left out, and each view this package renders itself is in the list
// parsed at start (the pages' own renders: web/ui's TestEveryViewExists).
func TestEveryViewExists(t *testing.T) {
	files, err := fs.Glob(templates.FS, "*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		if !slices.Contains(files, v) {
			t.Errorf("view %s has no template file", v)
		}
	}
	partials := map[string]bool{}
	for v, ps := range viewPartials {
		if !slices.Contains(views, v) {
			t.Errorf("partials of %s, which is not a view", v)
		}
		for _, p := range ps {
			partials[p] = true
			if !slices.Contains(files, p) {
				t.Errorf("partial %s of %s has no template file", p, v)
			}
		}
	}
	for _, f := range files {
		if f != "layout.html" && f != "partials.html" && !slices.Contains(views, f) && !partials[f] {
			t.Errorf("template %s is not parsed at start", f)
		}
	}
	srcs, _ := filepath.Glob("*.go")
	var seen []string
	for _, src := range srcs {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range renderCall.FindAllStringSubmatch(string(b), -1) {
			seen = append(seen, m[1])
			if !slices.Contains(views, m[1]) {
				t.Errorf("%s renders %s, which is not parsed at start", src, m[1])
			}
		}
	}
	if !slices.Contains(seen, "error.html") || !slices.Contains(seen, "login.html") {
		t.Errorf("found only the render calls of %v", seen)
	}
}

// TestHumanDurations pins the texts the pages and the script share.
func TestHumanDurations(t *testing.T) {
	for d, want := range map[int64]string{0: "0 d 00 h 00 m 00 s", 90061: "1 d 01 h 01 m 01 s", -3600: "overdue by 0 d 01 h 00 m 00 s"} {
		if got := countdownText(secondsOf(d)); got != want {
			t.Errorf("%d: %q, want %q", d, got, want)
		}
	}
	if got := humanDuration(secondsOf(2*86400 + 3600)); got != "2 days 1 hour" {
		t.Errorf("humanDuration: %q", got)
	}
}

func secondsOf(n int64) time.Duration { return time.Duration(n) * time.Second }
