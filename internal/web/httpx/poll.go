package httpx

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Polled answers a GET of a document that tools poll (the Clearinghouse's
// feeds and CSAF files): with a weak ETag of its bytes and, when modified is
// not zero, Last-Modified; 304 with no body to an If-None-Match that matches
// (or, without one, to an If-Modified-Since not before modified); gzip when
// the client accepts it. The ETag is weak because the gzip and identity
// forms share it.
func Polled(c echo.Context, contentType string, body []byte, modified time.Time) error {
	sum := sha256.Sum256(body)
	etag := `W/"` + hex.EncodeToString(sum[:16]) + `"`
	h := c.Response().Header()
	h.Set("ETag", etag)
	h.Add("Vary", "Accept-Encoding")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-cache")
	}
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
	}
	req := c.Request().Header
	if inm := req.Get("If-None-Match"); inm != "" {
		if ETagMatches(inm, etag) {
			return c.NoContent(http.StatusNotModified)
		}
	} else if ims := req.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		if t, err := http.ParseTime(ims); err == nil && !modified.Truncate(time.Second).After(t) {
			return c.NoContent(http.StatusNotModified)
		}
	}
	if AcceptsGzip(req.Get("Accept-Encoding")) {
		gz, err := gzipped.of(etag, body)
		if err != nil {
			return err
		}
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(gz)))
		return c.Blob(http.StatusOK, contentType, gz)
	}
	return c.Blob(http.StatusOK, contentType, body)
}

// AcceptsGzip reports whether an Accept-Encoding header accepts gzip (named,
// or by *, and not with q=0).
func AcceptsGzip(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" && name != "*" {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(k, "q") {
				if q, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && q == 0 {
					return false
				}
			}
		}
		return true
	}
	return false
}

// gzipCache keeps the gzip form of the documents served last, by ETag:
// feeds are read far more often than they change.
type gzipCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

var gzipped = &gzipCache{}

// maxGzipped bounds the documents kept; when full, all are forgotten.
const maxGzipped = 256

func (g *gzipCache) of(etag string, body []byte) ([]byte, error) {
	g.mu.Lock()
	gz, ok := g.m[etag]
	g.mu.Unlock()
	if ok {
		return gz, nil
	}
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := w.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	gz = buf.Bytes()
	g.mu.Lock()
	if g.m == nil || len(g.m) >= maxGzipped {
		g.m = map[string][]byte{}
	}
	g.m[etag] = gz
	g.mu.Unlock()
	return gz, nil
}
