package api

import (
	"encoding/json"
	"slices"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/web/export"
	"github.com/docket/docket/internal/web/httpx"
)

// The Clearinghouse feed is read whole by every client and changes only when
// an entry is published; entries are never changed or removed once published.
// So the feed of a search is known by its entries' ids, in order, with the
// catalog's version and release, and its encoded bytes can be served again
// until a publication changes those: encoding ~100 KB on every request is
// most of the feed's cost and of the garbage a busy server makes.

// feeds holds the encoded feed of a few searches.
type feeds struct {
	mu sync.Mutex
	m  map[string]*encodedFeed
}

type encodedFeed struct {
	version, released string
	ids               []string
	body              []byte
}

// maxFeeds bounds the searches kept; when full, all are forgotten.
const maxFeeds = 16

// of reports whether f was encoded from cat.
func (f *encodedFeed) of(cat *app.Catalog) bool {
	if f.version != cat.Version || f.released != releasedOf(cat) || len(f.ids) != len(cat.Entries) {
		return false
	}
	for i := range cat.Entries {
		if f.ids[i] != cat.Entries[i].ID {
			return false
		}
	}
	return true
}

func releasedOf(cat *app.Catalog) string {
	if cat.Released == nil {
		return ""
	}
	return httpx.Instant(*cat.Released)
}

// encoded returns the feed of cat for the search q, encoding it when it has
// not been encoded from the same catalog.
func (fs *feeds) encoded(q string, cat *app.Catalog) ([]byte, error) {
	fs.mu.Lock()
	f, ok := fs.m[q]
	fs.mu.Unlock()
	if ok && f.of(cat) {
		return f.body, nil
	}
	body, err := json.Marshal(export.Catalog(cat))
	if err != nil {
		return nil, err
	}
	f = &encodedFeed{version: cat.Version, released: releasedOf(cat), body: append(body, '\n'),
		ids: make([]string, len(cat.Entries))}
	for i := range cat.Entries {
		f.ids[i] = cat.Entries[i].ID
	}
	fs.mu.Lock()
	if fs.m == nil || len(fs.m) >= maxFeeds {
		fs.m = map[string]*encodedFeed{}
	}
	fs.m[q] = f
	fs.mu.Unlock()
	return slices.Clip(f.body), nil
}

// answerFeed answers with the feed of cat for the search q, as c.JSON would,
// for polling (httpx.Polled).
func (s *Clearinghouse) answerFeed(c echo.Context, q string, cat *app.Catalog) error {
	if cat.Public {
		q = "\x00public\x00" + q // the public feed is kept apart from the full one
	}
	body, err := s.feeds.encoded(q, cat)
	if err != nil {
		return err
	}
	return httpx.Polled(c, echo.MIMEApplicationJSON, body, *cat.Released)
}
