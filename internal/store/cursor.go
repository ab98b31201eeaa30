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

// keyed is a row of a list paged by cursor: its key is the cursor of the
// page that starts after it.
type keyed interface{ key() cursor }

// cutPage cuts rows, read with one more than limit, to the page, and gives
// the cursor of the page after it ("" on the last page).
func cutPage[R keyed](rows []R, limit int) ([]R, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, encodeCursor(rows[len(rows)-1].key())
}

// The lists in (created_at, id) order, and the audit trail in sequence order.
func (r orgRow) key() cursor          { return cursor{K: r.CreatedAt, ID: r.ID} }
func (r userRow) key() cursor         { return cursor{K: r.CreatedAt, ID: r.ID} }
func (r commentRow) key() cursor      { return cursor{K: r.CreatedAt, ID: r.ID} }
func (r findingRow) key() cursor      { return cursor{K: r.CreatedAt, ID: r.ID} }
func (r deliveryRow) key() cursor     { return cursor{K: r.CreatedAt, ID: r.ID} }
func (r webhookRow) key() cursor      { return cursor{K: r.CreatedAt, ID: r.ID} }
func (r notificationRow) key() cursor { return cursor{K: r.CreatedAt, ID: r.ID} }
func (r auditRow) key() cursor        { return cursor{K: r.Seq, ID: "seq"} }
