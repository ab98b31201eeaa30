package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/config"
)

// TestTheDeliveriesPage: an admin sees a parked webhook delivery (metadata
// only) and retries it from the page; nobody else may.
func TestTheDeliveriesPage(t *testing.T) {
	w := newWorld(t, func(c *config.Config) {
		c.Webhooks.AllowPrivateTargets = true // the receiver is on loopback, in this test only
		c.Webhooks.MaxAttempts = 1
	})
	recv := &flaky{status: 500}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	want(t, w.as("lab", "POST", "/api/v1/webhooks", map[string]any{"url": srv.URL + "/hook", "events": []string{"case.submitted"}}), 201)
	w.caseIn("submitted")
	if _, err := w.svc.Delivery.Deliver(context.Background(), w.channels()); err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Hour)
	admin := w.pageAs("admin")
	pg := admin.get("/admin/deliveries")
	if pg.Code != http.StatusOK || !strings.Contains(pg.Body, "case.submitted") || !strings.Contains(pg.Body, "HTTP 500") ||
		!strings.Contains(pg.Body, ">Retry</button>") {
		t.Fatalf("the page: %d %s", pg.Code, pg.text())
	}
	if strings.Contains(pg.Body, srv.URL) || strings.Contains(pg.Body, "DKT-") {
		t.Fatal("the page shows more than metadata")
	}
	l := w.as("admin", "GET", "/api/v1/admin/deliveries?state=failed", nil)
	id := l.JSON()["items"].([]any)[0].(map[string]any)["id"].(string)
	// Without the CSRF token: refused, nothing retried.
	if r := admin.do(http.MethodPost, "/admin/deliveries/"+id+"/retry", url.Values{}); r.Code != http.StatusForbidden {
		t.Fatalf("a retry without the CSRF token: %d", r.Code)
	}
	if w.as("admin", "GET", "/api/v1/admin/deliveries?state=failed", nil).JSON()["items"].([]any) == nil {
		t.Fatal("the refused retry changed the delivery")
	}
	r := admin.post("/admin/deliveries", "/admin/deliveries/"+id+"/retry", url.Values{})
	if r.Code != http.StatusSeeOther {
		t.Fatalf("retry: %d %s", r.Code, r.text())
	}
	if items := w.as("admin", "GET", "/api/v1/admin/deliveries?state=pending", nil).JSON()["items"].([]any); len(items) != 1 {
		t.Fatalf("after the retry: %v", items)
	}
	if p := w.pageAs("lead").get("/admin/deliveries"); p.Code != http.StatusForbidden {
		t.Fatalf("a lead reads the deliveries page: %d", p.Code)
	}
	if p := admin.get("/admin/deliveries?state=stuck"); p.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a bad filter: %d", p.Code)
	}
}

// TestTheWebhookDeliveriesPage: a lab member reaches the lab's webhooks from
// the navigation, reads one endpoint's deliveries (metadata only) and pings
// it from the page (CSRF token required); another lab's member gets the
// page of a missing webhook, a reviewer 403.
func TestTheWebhookDeliveriesPage(t *testing.T) {
	w := newWorld(t, func(c *config.Config) {
		c.Webhooks.AllowPrivateTargets = true // the receiver is on loopback, in this test only
		c.Webhooks.MaxAttempts = 1
	})
	recv := &flaky{status: 500}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	r := w.as("lab", "POST", "/api/v1/webhooks", map[string]any{"url": srv.URL + "/hook", "events": []string{"case.submitted"}})
	want(t, r, 201)
	id := idOf(r)
	w.caseIn("submitted")
	chs := w.channels()
	if _, err := w.svc.Delivery.Deliver(context.Background(), chs); err != nil {
		t.Fatal(err)
	}
	lab := w.pageAs("lab")
	list := lab.get("/webhooks")
	if list.Code != http.StatusOK || !strings.Contains(list.Body, `href="/webhooks"`) ||
		!strings.Contains(list.Body, `href="/webhooks/`+id+`/deliveries"`) || !strings.Contains(list.Body, srv.URL+"/hook") {
		t.Fatalf("the webhooks page: %d %s", list.Code, list.text())
	}
	path := "/webhooks/" + id + "/deliveries"
	pg := lab.get(path)
	if pg.Code != http.StatusOK || !strings.Contains(pg.Body, "case.submitted") || !strings.Contains(pg.Body, "HTTP 500") ||
		!strings.Contains(pg.Body, "Parked as failed") || !strings.Contains(pg.Body, "Send a test ping") {
		t.Fatalf("the deliveries page: %d %s", pg.Code, pg.text())
	}
	if strings.Contains(pg.Body, "DKT-") || strings.Contains(pg.Body, `"data"`) {
		t.Fatal("the page shows a body")
	}
	// Without the CSRF token: refused, nothing queued.
	if r := lab.do(http.MethodPost, "/webhooks/"+id+"/ping", url.Values{}); r.Code != http.StatusForbidden {
		t.Fatalf("a ping without the CSRF token: %d", r.Code)
	}
	r2 := lab.post(path, "/webhooks/"+id+"/ping", url.Values{})
	if r2.Code != http.StatusSeeOther || r2.Location != path+"?done=pinged" {
		t.Fatalf("ping: %d %q", r2.Code, r2.Location)
	}
	if p := lab.get(path + "?done=pinged"); !strings.Contains(p.Body, "A ping is on its way") {
		t.Fatalf("no flash: %s", p.text())
	}
	recv.mu.Lock()
	recv.status = 204
	recv.mu.Unlock()
	if _, err := w.svc.Delivery.Deliver(context.Background(), chs); err != nil {
		t.Fatal(err)
	}
	if n := len(recv.ids); n != 2 {
		t.Fatalf("the receiver got %d calls, want the submission and one ping", n)
	}
	pg = lab.get(path)
	if !strings.Contains(pg.Body, ">ping<") || !strings.Contains(pg.Body, "Delivered") {
		t.Fatalf("after the ping: %s", pg.text())
	}
	if p := w.pageAs("rival").get(path); p.Code != http.StatusNotFound || !strings.Contains(p.Body, "Page not found") ||
		strings.Contains(p.Body, "/hook") {
		t.Fatalf("another lab's webhook: %d %s", p.Code, p.text())
	}
	if p := w.pageAs("rev").get(path); p.Code != http.StatusForbidden {
		t.Fatalf("a reviewer: %d", p.Code)
	}
	if p := w.pageAs("rev").get("/webhooks"); p.Code != http.StatusForbidden {
		t.Fatalf("a reviewer's webhooks page: %d", p.Code)
	}
}
