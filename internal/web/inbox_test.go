package web_test

import (
	"context"
	"strings"
	"testing"
	"time"
)

func (w *world) sweep() {
	w.t.Helper()
	if _, err := w.svc.Delivery.HoldLease(context.Background(), "test"); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.svc.Delivery.Sweep(context.Background(), "test"); err != nil {
		w.t.Fatal(err)
	}
}

func TestInboxAcknowledgementAndForecastOverHTTP(t *testing.T) {
	w := newWorld(t)
	id := w.submitAt(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC), draftBody("Inboxed"))
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/assign", map[string]any{"reviewer_ids": []string{w.users["rev"].ID}}), 200)

	// The forecast shows the seven-day reminder before it is sent.
	w.clock.Set(time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC))
	fc := w.as("lead", "GET", "/api/v1/notifications/forecast?until=2026-06-26T00:00:00Z", nil)
	want(t, fc, 200)
	if !strings.Contains(fc.Body, `"at":"2026-06-25T13:00:00.000Z"`) || !strings.Contains(fc.Body, `"threshold":"7d"`) {
		t.Fatalf("forecast %s", fc.Body)
	}
	mine := w.as("lab", "GET", "/api/v1/notifications/forecast?until=2026-06-26T00:00:00Z", nil)
	want(t, mine, 200)
	if strings.Contains(mine.Body, w.users["rev"].ID) {
		t.Fatalf("the lab sees the reviewers' forecast: %s", mine.Body)
	}
	want(t, w.as("lead", "GET", "/api/v1/notifications/forecast?until=yesterday", nil), 422)

	w.clock.Set(time.Date(2026, 6, 25, 13, 0, 0, 0, time.UTC))
	w.sweep()
	inbox := w.as("rev", "GET", "/api/v1/inbox", nil)
	want(t, inbox, 200)
	m := inbox.JSON()
	items := m["items"].([]any)
	if len(items) != 1 || m["unread"] != float64(1) {
		t.Fatalf("inbox %s", inbox.Body)
	}
	item := items[0].(map[string]any)
	if item["kind"] != "reminder" || item["case"].(map[string]any)["number"] != "DKT-2026-0001" || item["read_at"] != nil {
		t.Fatalf("item %v", item)
	}
	// Nobody else can read or acknowledge it.
	want(t, w.as("lab", "POST", "/api/v1/inbox/"+item["id"].(string)+"/read", nil), 404)
	want(t, w.as("lab", "POST", "/api/v1/notifications/"+item["notification_id"].(string)+"/ack", nil), 404)
	// A reminder needs no acknowledgement.
	want(t, w.as("rev", "POST", "/api/v1/notifications/"+item["notification_id"].(string)+"/ack", nil), 409)
	r := w.as("rev", "POST", "/api/v1/inbox/"+item["id"].(string)+"/read", nil)
	want(t, r, 200)
	if r.JSON()["read_at"] == nil {
		t.Fatal("not marked read")
	}
	if w.as("rev", "GET", "/api/v1/inbox", nil).JSON()["unread"] != float64(0) {
		t.Fatal("still unread")
	}

	// The lapse escalates to the compliance officer until acknowledged.
	w.clock.Set(time.Date(2026, 7, 3, 4, 0, 0, 0, time.UTC))
	w.sweep()
	co := w.as("co", "GET", "/api/v1/inbox", nil).JSON()["items"].([]any)
	var esc map[string]any
	for _, it := range co {
		if it.(map[string]any)["kind"] == "escalation" {
			esc = it.(map[string]any)
		}
	}
	if esc == nil {
		t.Fatalf("no escalation in %v", co)
	}
	want(t, w.as("co", "POST", "/api/v1/notifications/"+esc["notification_id"].(string)+"/ack", nil), 200)
	w.clock.Advance(72 * time.Hour)
	w.sweep()
	for _, it := range w.as("co", "GET", "/api/v1/inbox", nil).JSON()["items"].([]any) {
		x := it.(map[string]any)
		if x["kind"] == "escalation" && x["id"] != esc["id"] && x["rule"] == esc["rule"] {
			t.Fatalf("a repeat after the acknowledgement: %v", x)
		}
	}
	// Notifications carry no content: nothing but numbers, rules and instants.
	for _, u := range []string{"rev", "lead", "co", "lab"} {
		body := w.as(u, "GET", "/api/v1/inbox", nil).Body
		if strings.Contains(body, "A frontier model.") || strings.Contains(body, "Inboxed") {
			t.Fatalf("content in %s's inbox: %s", u, body)
		}
	}
}
