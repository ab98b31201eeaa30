package ui

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/docket/docket/internal/web/ui/view"
)

// TestEveryViewExists: each view a handler renders is one the Renderer
// parses at start (view.Views), and each of those is rendered by a page,
// but the error page and the sign-in form, which the Renderer renders
// itself. That each view is a template file, and each template file a view
// or a partial, is the view package's TestEveryViewExists.
func TestEveryViewExists(t *testing.T) {
	views := view.Views()
	rendered := regexp.MustCompile(`\.Render\(c, [^,]+, "([a-z_]+\.html)"`)
	srcs, _ := filepath.Glob("*.go")
	seen := map[string]bool{}
	for _, src := range srcs {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range rendered.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = true
			if !slices.Contains(views, m[1]) {
				t.Errorf("%s renders %s, which is not parsed at start", src, m[1])
			}
		}
	}
	for _, v := range views {
		if !seen[v] && v != "error.html" && v != "login.html" {
			t.Errorf("no page renders %s", v)
		}
	}
}
