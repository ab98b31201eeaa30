package store

import "testing"

// TestCutPage: rows read with one more than the limit are cut to the page,
// and the cursor names the page's last row; a short read is the last page.
func TestCutPage(t *testing.T) {
	rows := []orgRow{{ID: "a", CreatedAt: 1}, {ID: "b", CreatedAt: 2}, {ID: "c", CreatedAt: 3}}
	page, next := cutPage(rows, 2)
	if len(page) != 2 || page[1].ID != "b" {
		t.Fatalf("page %v", page)
	}
	c, ok := decodeCursor(next)
	if !ok || c.K != 2 || c.ID != "b" {
		t.Fatalf("cursor %q = %+v, %v", next, c, ok)
	}
	if page, next := cutPage(rows, 3); len(page) != 3 || next != "" {
		t.Fatalf("last page: %d rows, cursor %q", len(page), next)
	}
	if page, next := cutPage([]auditRow{{Seq: 7}, {Seq: 8}}, 1); len(page) != 1 || next != encodeCursor(cursor{K: 7, ID: "seq"}) {
		t.Fatalf("audit page: %v %q", page, next)
	}
}
