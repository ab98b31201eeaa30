package store

import (
	"testing"
	"unicode/utf8"
)

// FuzzCursor: a cursor from outside never panics the decoder, and every cursor
// Docket gives decodes to what it encoded.
func FuzzCursor(f *testing.F) {
	f.Add("eyJrIjoxLCJpIjoieCJ9", int64(1), "x")
	f.Add("", int64(0), "")
	f.Add("!!!", int64(-5), "id")
	f.Fuzz(func(t *testing.T, raw string, k int64, id string) {
		_, _ = decodeCursor(raw)
		if id == "" || !utf8.ValidString(id) {
			return // ids Docket gives are UUIDs
		}
		c := cursor{K: k, ID: id}
		got, ok := decodeCursor(encodeCursor(c))
		if len(encodeCursor(c)) <= 512 && (!ok || got != c) {
			t.Fatalf("round trip of %+v gave %+v %v", c, got, ok)
		}
	})
}
