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
