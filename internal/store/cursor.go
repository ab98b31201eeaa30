package store

import (
	"encoding/base64"
	"encoding/json"

	"github.com/docket/docket/internal/docket"
)

// cursor is the position after the last item of a page: its sort key and id,
// and for lists sorted on time left, the instant the first page was computed at.
type cursor struct {
	K  int64  `json:"k"`
	ID string `json:"i"`
	At int64  `json:"a,omitempty"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, bool) {
	var c cursor
	if s == "" || len(s) > 512 {
		return c, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return c, false
	}
	return c, true
}

func badCursor() error { return docket.Unacceptable("cursor", "is not a cursor this list gave") }
