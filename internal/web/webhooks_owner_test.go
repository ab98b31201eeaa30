package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/config"
)

// TestWebhookOwnersManageTheirEndpoint: through the API, a lab member
// changes, pings, rotates and reads the deliveries of the lab's webhook;
// bodies are checked strictly (422 naming the field); every change is
// audited without the secret; another organisation's webhook answers 404
// and roles that manage none 403 (the access matrices check every route).
func TestWebhookOwnersManageTheirEndpoint(t *testing.T) {
	w := newWorld(t, func(c *config.Config) {
		c.Webhooks.AllowPrivateTargets = true // the receiver is on loopback, in this test only
		c.Webhooks.SecretOverlap = 2 * time.Hour
	})
	recv := &flaky{status: 200}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	r := w.as("lab", "POST", "/api/v1/webhooks", map[string]any{"url": srv.URL + "/hook", "events": []string{"case.submitted"}})
	want(t, r, 201)
	created := r.JSON()
	id, first := created["id"].(string), created["secret"].(string)
	if created["disabled"] != false || created["previous_secret_until"] != nil {
		t.Fatalf("a new webhook: %s", r.Body)
	}
	base := "/api/v1/webhooks/" + id

	// PATCH: the events, then disabled; strict bodies.
	for _, c := range []struct {
		body  any
		code  int
		field string
	}{
		{map[string]any{}, 422, ""},
		{map[string]any{"events": []string{}}, 422, "events"},
		{map[string]any{"events": []string{"case.deleted"}}, 422, "events"},
		{map[string]any{"events": []string{"ping"}}, 422, "events"},
		{map[string]any{"events": []string{"reminder", "reminder"}}, 422, "events"},
		{map[string]any{"disabled": "yes"}, 400, "disabled"},
		{map[string]any{"url": "https://hooks.example.org/elsewhere"}, 400, "url"},
		{map[string]any{"secret": "mine"}, 400, "secret"},
	} {
		r := w.as("lab", "PATCH", base, c.body)
		if r.Code != c.code || r.ErrorField() != c.field {
			t.Errorf("PATCH %v: %d %s, want %d naming %q", c.body, r.Code, r.Body, c.code, c.field)
		}
	}
	r = w.as("lab2", "PATCH", base, map[string]any{"events": []string{"case.submitted", "case.decided"}})
	want(t, r, 200)
	if ev := r.JSON()["events"].([]any); len(ev) != 2 || ev[1] != "case.decided" || r.JSON()["disabled"] != false {
		t.Fatalf("after PATCH events: %s", r.Body)
	}
	want(t, w.as("rival", "PATCH", base, map[string]any{"disabled": true}), 404)
	want(t, w.as("admin", "PATCH", base, map[string]any{"disabled": true}), 404)
	want(t, w.as("lead", "PATCH", base, map[string]any{"disabled": true}), 403)

	// Ping: 202, delivered by the next run (the scheduler's, woken at once, in the product).
	want(t, w.as("lab", "POST", base+"/ping", map[string]any{"x": 1}), 400)
	want(t, w.as("rival", "POST", base+"/ping", nil), 404)
	r = w.as("lab", "POST", base+"/ping", nil)
	want(t, r, 202)
	if r.Body != "" {
		t.Fatalf("the ping answered a body: %q", r.Body)
	}
	chs := w.channels()
	if _, err := w.svc.Delivery.Deliver(context.Background(), chs); err != nil {
		t.Fatal(err)
	}
	if len(recv.ids) != 1 {
		t.Fatalf("the receiver got %d calls for one ping", len(recv.ids))
	}

	// Rotate: {id, secret}, a new secret; the webhook says until when the old one signs.
	want(t, w.as("lab", "POST", base+"/rotate-secret", map[string]any{"secret": "mine"}), 400)
	want(t, w.as("rival", "POST", base+"/rotate-secret", nil), 404)
	rotatedAt := w.clock.Now()
	r = w.as("lab", "POST", base+"/rotate-secret", nil)
	want(t, r, 200)
	rot := r.JSON()
	second, _ := rot["secret"].(string)
	if len(rot) != 2 || rot["id"] != id || !secretRE.MatchString(second) || second == first {
		t.Fatalf("rotation: %s", r.Body)
	}
	l := w.as("lab", "GET", "/api/v1/webhooks", nil)
	hook := l.JSON()["items"].([]any)[0].(map[string]any)
	until, err := time.Parse(time.RFC3339, hook["previous_secret_until"].(string))
	if err != nil || !until.Equal(rotatedAt.Add(2*time.Hour)) || strings.Contains(l.Body, second) {
		t.Fatalf("after the rotation: %s", l.Body)
	}

	// A submission, then disabled: its pending delivery parked.
	recv.mu.Lock()
	recv.status = 500
	recv.mu.Unlock()
	w.clock.Advance(time.Minute) // newest first: the submission after the ping
	w.caseIn("submitted")
	if _, err := w.svc.Delivery.Deliver(context.Background(), chs); err != nil {
		t.Fatal(err)
	}
	r = w.as("lab", "PATCH", base, map[string]any{"disabled": true})
	want(t, r, 200)
	if r.JSON()["disabled"] != true {
		t.Fatalf("disabled: %s", r.Body)
	}
	want(t, w.as("lab", "POST", base+"/ping", nil), 409)

	// The owners' delivery log: newest first, metadata only, paged.
	r = w.as("lab2", "GET", base+"/deliveries", nil)
	want(t, r, 200)
	items := r.JSON()["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("deliveries: %s", r.Body)
	}
	sub, ping := items[0].(map[string]any), items[1].(map[string]any)
	if sub["type"] != "case.submitted" || sub["state"] != "failed" || sub["attempts"] != float64(1) ||
		sub["last_status"] != float64(500) || sub["last_error"] != "the webhook was disabled" {
		t.Fatalf("the parked submission: %v", sub)
	}
	if ping["type"] != "ping" || ping["state"] != "delivered" || ping["attempts"] != float64(1) || ping["delivered_at"] == nil ||
		ping["last_status"] != nil || ping["message_id"] != recv.ids[0] {
		t.Fatalf("the ping: %v", ping)
	}
	for _, leak := range []string{"DKT-", `"data"`, `"payload"`, "/hook", "whsec_"} {
		if strings.Contains(r.Body, leak) {
			t.Fatalf("the delivery log carries %q: %s", leak, r.Body)
		}
	}
	p1 := w.as("lab", "GET", base+"/deliveries?limit=1", nil)
	want(t, p1, 200)
	next, _ := p1.JSON()["next_cursor"].(string)
	if len(p1.JSON()["items"].([]any)) != 1 || next == "" {
		t.Fatalf("page 1: %s", p1.Body)
	}
	p2 := w.as("lab", "GET", base+"/deliveries?limit=1&cursor="+next, nil)
	want(t, p2, 200)
	if it := p2.JSON()["items"].([]any); len(it) != 1 || it[0].(map[string]any)["type"] != "ping" || p2.JSON()["next_cursor"] != nil {
		t.Fatalf("page 2: %s", p2.Body)
	}
	want(t, w.as("lab", "GET", base+"/deliveries?state=failed", nil), 400)
	want(t, w.as("lab", "GET", base+"/deliveries?limit=0", nil), 422)
	want(t, w.as("rival", "GET", base+"/deliveries", nil), 404)
	want(t, w.as("admin", "GET", base+"/deliveries", nil), 404)
	want(t, w.as("rev", "GET", base+"/deliveries", nil), 403)

	// Audited, with neither secret nor the URL's path.
	audit := w.as("admin", "GET", "/api/v1/audit?limit=200", nil)
	want(t, audit, 200)
	for _, action := range []string{"webhook.updated", "webhook.pinged", "webhook.secret_rotated"} {
		if !strings.Contains(audit.Body, action) {
			t.Errorf("no %s in the audit trail", action)
		}
	}
	for _, leak := range []string{strings.TrimPrefix(first, "whsec_"), strings.TrimPrefix(second, "whsec_"), "/hook"} {
		if strings.Contains(audit.Body, leak) {
			t.Errorf("the audit trail carries %q", leak)
		}
	}
}
