package web_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/notify"
	"github.com/docket/docket/internal/storetest"
	"github.com/docket/docket/internal/web"
	"github.com/docket/docket/internal/webtest"
)

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// rebuild swaps the server for one built with more options over the same service.
func (ts *testServer) rebuild(mutate func(*web.Options)) {
	ts.t.Helper()
	o := web.Options{Config: ts.cfg, Health: ts.store, Logger: discard, Approvals: ts.approvals}
	mutate(&o)
	srv := webtest.New(ts.t, ts.svc, o)
	ts.srv, ts.h = srv, contractChecker(ts.t, srv.Handler())
}

// channels are the delivery channels over the test's service and clock.
func (ts *testServer) channels() []app.Channel {
	ts.t.Helper()
	chs, err := notify.Channels(notify.Options{Config: ts.cfg, BaseURL: "https://docket.example.gov", Targets: ts.svc.Delivery,
		Now: ts.clock.Now, Logger: discard})
	if err != nil {
		ts.t.Fatal(err)
	}
	return chs
}

// names is a resolver that answers from a table, for the save-time guard.
type names map[string]string

func (n names) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	a, ok := n[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	return []netip.Addr{netip.MustParseAddr(a)}, nil
}

var testNames = names{"hooks.example.org": "93.184.216.34", "inward.example.org": "192.168.10.20",
	"meta.example.org": "169.254.169.254", "v6.example.org": "::1"}

var secretRE = regexp.MustCompile(`^whsec_[A-Za-z0-9+/]{43}=$`)

func TestWebhooksAreManagedPerOrganisation(t *testing.T) {
	w := newWorld(t)
	w.rebuild(func(o *web.Options) { o.Guard = &notify.Guard{Resolver: testNames} })
	hook := map[string]any{"url": "https://hooks.example.org/docket?team=7", "events": []string{"reminder", "case.submitted"}}
	r := w.as("lab", "POST", "/api/v1/webhooks", hook)
	want(t, r, 201)
	created := r.JSON()
	secret, _ := created["secret"].(string)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if !secretRE.MatchString(secret) || err != nil || len(raw) != 32 {
		t.Fatalf("secret %q: want whsec_ and the base64 of 32 bytes", secret)
	}
	id := created["id"].(string)

	// Listed to the lab's members without the secret; other labs see none of it.
	for user, n := range map[string]int{"lab": 1, "lab2": 1, "rival": 0} {
		l := w.as(user, "GET", "/api/v1/webhooks", nil)
		want(t, l, 200)
		if got := len(l.JSON()["items"].([]any)); got != n || strings.Contains(l.Body, secret) || strings.Contains(l.Body, `"secret"`) {
			t.Fatalf("%s lists %d (want %d): %s", user, got, n, l.Body)
		}
	}
	// Admins manage the agency's own.
	want(t, w.as("admin", "POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.org/agency", "events": []string{"escalation"}}), 201)
	if l := w.as("admin", "GET", "/api/v1/webhooks", nil); len(l.JSON()["items"].([]any)) != 1 || strings.Contains(l.Body, "team=7") {
		t.Fatalf("the admin's list: %s", l.Body)
	}
	want(t, w.as("rival", "DELETE", "/api/v1/webhooks/"+id, nil), 404)
	want(t, w.as("admin", "DELETE", "/api/v1/webhooks/"+id, nil), 404)

	// Bodies: strict fields, known events, a URL.
	for _, c := range []struct {
		body  any
		code  int
		field string
	}{
		{map[string]any{"url": "https://hooks.example.org/x", "events": []string{"reminder"}, "secret": "mine"}, 400, "secret"},
		{map[string]any{"url": "https://hooks.example.org/x", "events": "reminder"}, 400, "events"},
		{map[string]any{"url": "https://hooks.example.org/x", "events": []string{}}, 422, "events"},
		{map[string]any{"url": "https://hooks.example.org/x", "events": []string{"case.deleted"}}, 422, "events"},
		{map[string]any{"url": "https://hooks.example.org/x", "events": []string{"reminder", "reminder"}}, 422, "events"},
		{map[string]any{"events": []string{"reminder"}}, 422, "url"},
		{map[string]any{"url": "https://hooks.example.org/\x01", "events": []string{"reminder"}}, 422, "url"},
	} {
		r := w.as("lab", "POST", "/api/v1/webhooks", c.body)
		if r.Code != c.code || r.ErrorField() != c.field {
			t.Errorf("%v: %d %s, want %d naming %s", c.body, r.Code, r.Body, c.code, c.field)
		}
	}

	// The secret is stored sealed, and neither it nor the URL's path and query reach the audit trail.
	driver := "sqlite3"
	if storetest.Postgres() {
		driver = "pgx"
	}
	db, err := sql.Open(driver, w.cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var stored string
	if err := db.QueryRow(`SELECT secret FROM webhooks WHERE id = $1`, id).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, strings.TrimPrefix(secret, "whsec_")) || strings.Contains(stored, string(raw)) || len(stored) < 60 {
		t.Fatalf("the secret is stored as %q", stored)
	}
	audit := w.as("admin", "GET", "/api/v1/audit?limit=200", nil)
	want(t, audit, 200)
	if !strings.Contains(audit.Body, "webhook.created") || strings.Contains(audit.Body, "team=7") ||
		strings.Contains(audit.Body, strings.TrimPrefix(secret, "whsec_")) {
		t.Fatalf("audit: %s", audit.Body)
	}

	want(t, w.as("lab2", "DELETE", "/api/v1/webhooks/"+id, nil), 204)
	want(t, w.as("lab", "DELETE", "/api/v1/webhooks/"+id, nil), 404)
}

// TestInwardWebhookURLsAreRefusedAtSave: every spelling of an inward address
// answers 422 naming url, through the API.
func TestInwardWebhookURLsAreRefusedAtSave(t *testing.T) {
	w := newWorld(t)
	w.rebuild(func(o *web.Options) { o.Guard = &notify.Guard{Resolver: testNames} })
	for _, u := range []string{
		"http://127.0.0.1/", "http://2130706433/", "http://0177.0.0.1/", "http://0x7f.1/", "http://127.1/",
		"http://[::ffff:127.0.0.1]/", "http://[::1]/", "http://10.0.0.1/", "http://172.16.0.1/", "http://192.168.0.1/",
		"http://[fd00::1]/", "http://169.254.169.254/", "http://[fe80::1]/", "http://0.0.0.0/", "http://100.64.0.1/",
		"http://224.0.0.1/", "http://255.255.255.255/", "http://[fd00:ec2::254]/", "http://0xa9.0xfe.0xa9.0xfe/",
		"https://inward.example.org/", "https://meta.example.org/", "https://v6.example.org/", "https://unknown.example.org/",
		"ftp://hooks.example.org/", "https://user:secret@hooks.example.org/", "javascript:alert(1)",
	} {
		r := w.as("lab", "POST", "/api/v1/webhooks", map[string]any{"url": u, "events": []string{"reminder"}})
		if r.Code != 422 || r.ErrorField() != "url" {
			t.Errorf("%s: %d %s", u, r.Code, r.Body)
		}
	}
	// The server's own guard (the system resolver) refuses localhost by resolving it.
	w.rebuild(func(*web.Options) {})
	r := w.as("lab", "POST", "/api/v1/webhooks", map[string]any{"url": "http://localhost:8080/", "events": []string{"reminder"}})
	if r.Code != 422 || r.ErrorField() != "url" {
		t.Errorf("localhost: %d %s", r.Code, r.Body)
	}
	if l := w.as("lab", "GET", "/api/v1/webhooks", nil); len(l.JSON()["items"].([]any)) != 0 {
		t.Fatalf("a refused webhook was saved: %s", l.Body)
	}
}

// flaky answers 500 until told otherwise.
type flaky struct {
	mu     sync.Mutex
	status int
	ids    []string
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids = append(f.ids, r.Header.Get("webhook-id"))
	w.WriteHeader(f.status)
}

// TestFailedDeliveriesAreParkedVisibleAndRetried: after max_attempts the
// delivery is parked; admins see its metadata (never its body) and retry it.
func TestFailedDeliveriesAreParkedVisibleAndRetried(t *testing.T) {
	w := newWorld(t, func(c *config.Config) {
		c.Webhooks.AllowPrivateTargets = true // the receiver is on loopback, in this test only
		c.Webhooks.MaxAttempts = 2
	})
	recv := &flaky{status: 500}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	want(t, w.as("lab", "POST", "/api/v1/webhooks", map[string]any{"url": srv.URL + "/hook", "events": []string{"case.submitted"}}), 201)
	w.caseIn("submitted")
	chs := w.channels()
	for i := 0; i < 3; i++ {
		if _, err := w.svc.Delivery.Deliver(context.Background(), chs); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(time.Hour)
	}
	l := w.as("admin", "GET", "/api/v1/admin/deliveries?state=failed&channel=webhook", nil)
	want(t, l, 200)
	items := l.JSON()["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("failed deliveries: %s", l.Body)
	}
	d := items[0].(map[string]any)
	if d["state"] != "failed" || d["attempts"] != float64(2) || d["last_status"] != float64(500) ||
		d["type"] != "case.submitted" || d["next_attempt_at"] != nil || strings.Contains(l.Body, "DKT-") {
		t.Fatalf("delivery %v", d)
	}
	if len(recv.ids) != 2 || recv.ids[0] != d["message_id"] || recv.ids[1] != d["message_id"] {
		t.Fatalf("webhook ids %v, delivery %v", recv.ids, d["message_id"])
	}
	want(t, w.as("admin", "GET", "/api/v1/admin/deliveries?state=stuck", nil), 422)
	want(t, w.as("admin", "GET", "/api/v1/admin/deliveries?channel=pigeon", nil), 422)
	want(t, w.as("admin", "GET", "/api/v1/admin/deliveries?body=1", nil), 400)
	want(t, w.as("admin", "POST", "/api/v1/admin/deliveries/00000000-0000-0000-0000-000000000000/retry", nil), 404)

	id := d["id"].(string)
	r := w.as("admin", "POST", "/api/v1/admin/deliveries/"+id+"/retry", nil)
	want(t, r, 200)
	if r.JSON()["state"] != "pending" || r.JSON()["attempts"] != float64(0) {
		t.Fatalf("retried: %s", r.Body)
	}
	want(t, w.as("admin", "POST", "/api/v1/admin/deliveries/"+id+"/retry", nil), 409)
	recv.mu.Lock()
	recv.status = 200
	recv.mu.Unlock()
	if _, err := w.svc.Delivery.Deliver(context.Background(), chs); err != nil {
		t.Fatal(err)
	}
	l = w.as("admin", "GET", "/api/v1/admin/deliveries?channel=webhook", nil)
	if d := l.JSON()["items"].([]any)[0].(map[string]any); d["state"] != "delivered" || d["delivered_at"] == nil {
		t.Fatalf("after the retry: %v", d)
	}
	if len(recv.ids) != 3 || recv.ids[2] != recv.ids[0] {
		t.Fatalf("the retry carried another id: %v", recv.ids)
	}
	if !strings.Contains(w.as("admin", "GET", "/api/v1/audit?limit=200", nil).Body, "delivery.retried") {
		t.Fatal("the retry was not audited")
	}
}
