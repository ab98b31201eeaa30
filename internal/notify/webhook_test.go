package notify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/notify"
)

// verifyStandardWebhook is the receiver's side of the Standard Webhooks
// specification, written from the specification and not from Docket's code:
// the three headers, a timestamp within five minutes of now, and a v1
// signature equal to the base64 HMAC-SHA256 of "id.timestamp.body" keyed by
// the base64-decoded secret after "whsec_".
func verifyStandardWebhook(secret string, h http.Header, body []byte, now time.Time) error {
	id, stamp, sigs := h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature")
	if id == "" || stamp == "" || sigs == "" {
		return errors.New("missing header")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil || !strings.HasPrefix(secret, "whsec_") {
		return errors.New("bad secret")
	}
	sec, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil {
		return errors.New("bad timestamp")
	}
	if d := now.Unix() - sec; d > 300 || d < -300 {
		return errors.New("timestamp too old or too new")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + stamp + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Split(sigs, " ") {
		version, sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no matching signature")
}

// receiver is a local webhook endpoint answering a script of statuses (the
// last one repeats) and keeping what it gets.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []hit
	landed   int // requests that followed a redirect
	srv      *httptest.Server
}

type hit struct {
	Header http.Header
	Body   []byte
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	r := &receiver{statuses: statuses}
	mux := http.NewServeMux()
	mux.HandleFunc("/hook", func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, hit{req.Header.Clone(), b})
		status := r.statuses[0]
		if len(r.statuses) > 1 {
			r.statuses = r.statuses[1:]
		}
		r.mu.Unlock()
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "/landed")
		}
		w.WriteHeader(status)
	})
	mux.HandleFunc("/landed", func(w http.ResponseWriter, _ *http.Request) {
		r.mu.Lock()
		r.landed++
		r.mu.Unlock()
	})
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) hits() []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit{}, r.got...)
}

func (r *receiver) answer(statuses ...int) {
	r.mu.Lock()
	r.statuses = statuses
	r.mu.Unlock()
}

// allowLoopback lets this test's webhooks reach the local receiver.
func allowLoopback(c *config.Config) { c.Webhooks.AllowPrivateTargets = true }

func (e *env) webhook(user, url string, guard app.URLGuard, events ...string) (*docket.Webhook, string) {
	e.t.Helper()
	w, secret, err := e.svc.Delivery.CreateWebhook(ctx, e.a[user], app.WebhookInput{URL: url, Events: events}, guard)
	e.must(err)
	return w, secret
}

func (e *env) webhookDeliveries(state string) []docket.Delivery {
	var out []docket.Delivery
	for _, d := range e.deliveries(state) {
		if d.Channel == docket.ChannelWebhook {
			out = append(out, d)
		}
	}
	return out
}

func TestSignedWebhookRetriedUnderOneID(t *testing.T) {
	e := newEnv(t, allowLoopback)
	r := newReceiver(t, 500, 500, 200)
	_, secret := e.webhook("lab", r.srv.URL+"/hook", notify.NewGuard(true), "case.submitted")
	chs := e.channels()
	// Saving a webhook sends nothing.
	e.svc.Delivery.Deliver(ctx, chs)
	if len(r.hits()) != 0 || len(e.webhookDeliveries("")) != 0 {
		t.Fatal("saving a webhook sent something")
	}
	c := e.submit(received, "Atlas")
	var at []time.Time
	var gaps []time.Duration
	for i := 0; i < 3; i++ {
		at = append(at, e.clock.Now())
		e.svc.Delivery.Deliver(ctx, chs)
		if got := len(r.hits()); got != i+1 {
			t.Fatalf("attempt %d: the receiver has %d requests", i+1, got)
		}
		// Not due again yet: a run at the same instant makes no attempt.
		e.svc.Delivery.Deliver(ctx, chs)
		if got := len(r.hits()); got != i+1 {
			t.Fatalf("a retry before its time: %d requests", got)
		}
		ds := e.webhookDeliveries("")
		if len(ds) != 1 {
			t.Fatalf("%d webhook deliveries", len(ds))
		}
		d := ds[0]
		if i < 2 {
			if d.State != docket.DeliveryPending || d.Attempts != i+1 || d.LastStatus != 500 || d.LastError != "the receiver answered 500" {
				t.Fatalf("after attempt %d: %+v", i+1, d)
			}
			gaps = append(gaps, d.NextAttemptAt.Sub(e.clock.Now()))
			e.clock.Set(d.NextAttemptAt)
		} else if d.State != docket.DeliveryDelivered || d.Attempts != 3 {
			t.Fatalf("after the 200: %+v", d)
		}
	}
	if gaps[0] < time.Minute || gaps[0] >= 75*time.Second || gaps[1] < 2*time.Minute || gaps[1] >= 150*time.Second || gaps[1] <= gaps[0] {
		t.Fatalf("backoff %v: want about 1 then 2 minutes, growing, with jitter", gaps)
	}
	hits := r.hits()
	id := hits[0].Header.Get("webhook-id")
	for i, h := range hits {
		if h.Header.Get("webhook-id") != id || string(h.Body) != string(hits[0].Body) {
			t.Fatalf("attempt %d carries another id or body", i+1)
		}
		if h.Header.Get("webhook-timestamp") != strconv.FormatInt(at[i].Unix(), 10) {
			t.Fatalf("attempt %d stamped %s, want the injected clock's %d", i+1, h.Header.Get("webhook-timestamp"), at[i].Unix())
		}
		if err := verifyStandardWebhook(secret, h.Header, h.Body, at[i]); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	// The body: the Standard Webhooks envelope {type, timestamp, data} with
	// exactly the documented fields, nothing confidential.
	var env map[string]any
	if err := json.Unmarshal(hits[0].Body, &env); err != nil {
		t.Fatal(err)
	}
	if got := sortedKeys(env); got != "data,timestamp,type" {
		t.Fatalf("envelope fields %v", got)
	}
	body := env["data"].(map[string]any)
	if got := sortedKeys(body); got != "case,created_at,due_at,id,rule,threshold" {
		t.Fatalf("data fields %v", got)
	}
	stamp, err := time.Parse(time.RFC3339, env["timestamp"].(string))
	if err != nil || !stamp.Equal(received) || env["timestamp"] != body["created_at"] {
		t.Fatalf("timestamp %v (%v): want RFC 3339, the submission's instant", env["timestamp"], err)
	}
	cs := body["case"].(map[string]any)
	if env["type"] != "case.submitted" || body["id"] != id || cs["number"] != "DKT-2026-0001" || cs["id"] != c.ID ||
		body["due_at"] != "2026-07-03T03:59:59.999Z" || body["rule"] != nil {
		t.Fatalf("body %s", hits[0].Body)
	}
	if strings.Contains(string(hits[0].Body), "Atlas") || strings.Contains(string(hits[0].Body), "Secret summary") {
		t.Fatal("the body carries content")
	}

	// The receiver's verification refuses what it should.
	h, b, now := hits[0].Header, hits[0].Body, at[0]
	tampered := []byte(strings.Replace(string(b), "DKT-2026-0001", "DKT-2026-0002", 1))
	_, other, _ := e.svc.Delivery.CreateWebhook(ctx, e.a["rival"], app.WebhookInput{URL: r.srv.URL + "/hook", Events: []string{"reminder"}},
		notify.NewGuard(true))
	for name, err := range map[string]error{
		"tampered body":     verifyStandardWebhook(secret, h, tampered, now),
		"wrong secret":      verifyStandardWebhook(other, h, b, now),
		"stale timestamp":   verifyStandardWebhook(secret, h, b, now.Add(5*time.Minute+time.Second)),
		"future timestamp":  verifyStandardWebhook(secret, h, b, now.Add(-6*time.Minute)),
		"missing signature": verifyStandardWebhook(secret, without(h, "webhook-signature"), b, now),
		"missing id":        verifyStandardWebhook(secret, without(h, "webhook-id"), b, now),
		"missing timestamp": verifyStandardWebhook(secret, without(h, "webhook-timestamp"), b, now),
		"another id":        verifyStandardWebhook(secret, with(h, "webhook-id", "msg_other"), b, now),
	} {
		if err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	if err := verifyStandardWebhook(secret, h, b, now.Add(4*time.Minute)); err != nil {
		t.Errorf("within the tolerance: %v", err)
	}
}

// sortedKeys lists an object's keys, sorted, comma-separated.
func sortedKeys(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return strings.Join(keys, ",")
}

func without(h http.Header, name string) http.Header {
	c := h.Clone()
	c.Del(name)
	return c
}

func with(h http.Header, name, value string) http.Header {
	c := h.Clone()
	c.Set(name, value)
	return c
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	e := newEnv(t, allowLoopback)
	r := newReceiver(t, http.StatusFound)
	e.webhook("lab", r.srv.URL+"/hook", notify.NewGuard(true), "case.submitted")
	e.submit(received, "Atlas")
	e.svc.Delivery.Deliver(ctx, e.channels())
	d := e.webhookDeliveries("")[0]
	if len(r.hits()) != 1 || r.landed != 0 {
		t.Fatalf("hits %d, redirect followed %d times", len(r.hits()), r.landed)
	}
	if d.State != docket.DeliveryPending || d.LastStatus != 302 || !strings.Contains(d.LastError, "redirect") {
		t.Fatalf("a redirect counted as %+v", d)
	}
}

func TestParkedAfterMaxAttemptsThenRetried(t *testing.T) {
	e := newEnv(t, allowLoopback, func(c *config.Config) { c.Webhooks.MaxAttempts = 3 })
	r := newReceiver(t, 503)
	e.webhook("lab", r.srv.URL+"/hook", notify.NewGuard(true), "case.submitted")
	e.submit(received, "Atlas")
	chs := e.channels()
	for i := 0; i < 5; i++ {
		e.svc.Delivery.Deliver(ctx, chs)
		e.clock.Advance(7 * time.Hour)
	}
	if len(r.hits()) != 3 {
		t.Fatalf("%d attempts, want max_attempts = 3", len(r.hits()))
	}
	failed := e.webhookDeliveries(docket.DeliveryFailed)
	if len(failed) != 1 || failed[0].Attempts != 3 || failed[0].LastStatus != 503 {
		t.Fatalf("parked: %+v", failed)
	}
	if _, err := e.svc.Delivery.RetryDelivery(ctx, e.a["lab"], failed[0].ID); docket.ErrorCode(err) != docket.EForbidden {
		t.Fatalf("a lab member retried: %v", err)
	}
	d, err := e.svc.Delivery.RetryDelivery(ctx, e.a["admin"], failed[0].ID)
	e.must(err)
	if d.State != docket.DeliveryPending || d.Attempts != 0 {
		t.Fatalf("retried: %+v", d)
	}
	if _, err := e.svc.Delivery.RetryDelivery(ctx, e.a["admin"], failed[0].ID); docket.ErrorCode(err) != docket.EConflict {
		t.Fatalf("a pending delivery retried: %v", err)
	}
	r.answer(204)
	e.svc.Delivery.Deliver(ctx, chs)
	hits := r.hits()
	if len(hits) != 4 || hits[3].Header.Get("webhook-id") != hits[0].Header.Get("webhook-id") {
		t.Fatalf("the retry: %d hits", len(hits))
	}
	if d := e.webhookDeliveries("")[0]; d.State != docket.DeliveryDelivered {
		t.Fatalf("after the retry: %+v", d)
	}
}

// TestEscalationsGoOncePerWebhookOfTheRecipientsOrganisation: a lapse is told
// to two lab members and to the agency; each organisation's webhook gets one
// message, another lab's webhook nothing.
func TestEscalationsGoOncePerWebhookOfTheRecipientsOrganisation(t *testing.T) {
	e := newEnv(t, allowLoopback)
	labHook, agencyHook, rivalHook := newReceiver(t, 200), newReceiver(t, 200), newReceiver(t, 200)
	g := notify.NewGuard(true)
	e.webhook("lab", labHook.srv.URL+"/hook", g, "escalation", "reminder")
	e.webhook("admin", agencyHook.srv.URL+"/hook", g, "escalation")
	e.webhook("rival", rivalHook.srv.URL+"/hook", g, "escalation", "reminder", "case.submitted")
	e.submit(received, "Atlas")
	e.clock.Set(time.Date(2026, 7, 3, 4, 0, 0, 0, time.UTC)) // just past the deadline
	e.sweep(e.svc)
	e.svc.Delivery.Deliver(ctx, e.channels())
	if n := len(rivalHook.hits()); n != 0 {
		t.Fatalf("another lab's webhook got %d messages", n)
	}
	var lab, agency struct {
		Type string
		Data map[string]any
	}
	if hits := labHook.hits(); len(hits) != 1 {
		t.Fatalf("the lab's webhook got %d messages for two members", len(hits))
	} else {
		_ = json.Unmarshal(hits[0].Body, &lab)
	}
	if hits := agencyHook.hits(); len(hits) != 1 {
		t.Fatalf("the agency's webhook got %d messages for the lead and the compliance officer", len(hits))
	} else {
		_ = json.Unmarshal(hits[0].Body, &agency)
	}
	if lab.Type != "escalation" || lab.Data["rule"] != "case.lapsed" || lab.Data["threshold"] != "lapsed-lab" ||
		agency.Data["threshold"] != "lapsed" || lab.Data["due_at"] != "2026-07-03T03:59:59.999Z" {
		t.Fatalf("lab %v agency %v", lab, agency)
	}
}

// TestALocalhostURLIsRefusedWhenDialled: a URL that passed the save check
// (here through a resolver that lies about localhost) is refused when the
// dialler connects to the address it really resolves to; nothing reaches the
// receiver.
func TestALocalhostURLIsRefusedWhenDialled(t *testing.T) {
	e := newEnv(t) // private targets not allowed
	r := newReceiver(t, 200)
	port := r.srv.URL[strings.LastIndex(r.srv.URL, ":")+1:]
	e.webhook("lab", "http://localhost:"+port+"/hook", &notify.Guard{Resolver: resolver}, "case.submitted")
	e.submit(received, "Atlas")
	e.svc.Delivery.Deliver(ctx, e.channels())
	if len(r.hits()) != 0 {
		t.Fatal("the receiver on loopback was reached")
	}
	d := e.webhookDeliveries("")[0]
	if d.State != docket.DeliveryPending || !strings.HasPrefix(d.LastError, "refused when dialled: a loopback address") {
		t.Fatalf("%+v", d)
	}
	// A literal inward address that slipped into the table is refused before any dial.
	e.webhook("rival", "http://127.0.0.1:"+port+"/hook", notify.NewGuard(true), "case.submitted")
	e.clock.Advance(time.Hour)
	e.svc.Delivery.Deliver(ctx, e.channels())
	if len(r.hits()) != 0 {
		t.Fatal("reached")
	}
}

func TestADeletedWebhooksMessagesAreParked(t *testing.T) {
	e := newEnv(t, allowLoopback)
	r := newReceiver(t, 500)
	w, _ := e.webhook("lab", r.srv.URL+"/hook", notify.NewGuard(true), "case.submitted")
	e.submit(received, "Atlas")
	e.svc.Delivery.Deliver(ctx, e.channels())
	if err := e.svc.Delivery.DeleteWebhook(ctx, e.a["rival"], w.ID); docket.ErrorCode(err) != docket.ENotFound {
		t.Fatalf("another lab deleted it: %v", err)
	}
	e.must(e.svc.Delivery.DeleteWebhook(ctx, e.a["lab"], w.ID))
	d := e.webhookDeliveries("")[0]
	if d.State != docket.DeliveryFailed || d.LastError != "the webhook was deleted" {
		t.Fatalf("%+v", d)
	}
	if _, err := e.svc.Delivery.RetryDelivery(ctx, e.a["admin"], d.ID); docket.ErrorCode(err) != docket.EConflict {
		t.Fatalf("retrying a deleted webhook's delivery: %v", err)
	}
}

// TestADeadEndpointHoldsBackNoOther: a webhook that fails costs one attempt
// per run; the other organisations' webhooks are served in the same run.
func TestADeadEndpointHoldsBackNoOther(t *testing.T) {
	e := newEnv(t, allowLoopback)
	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close() // connection refused from now on
	alive := newReceiver(t, 200)
	g := notify.NewGuard(true)
	e.webhook("lab", deadURL+"/hook", g, "case.submitted", "info_request.opened")
	e.webhook("admin", alive.srv.URL+"/hook", g, "case.submitted", "info_request.opened")
	c := e.submit(received, "Atlas")
	e.submit(received, "Boreas")
	_, err := e.svc.Cases.Attest(ctx, e.a["lead"], c.ID)
	e.must(err)
	_, err = e.svc.Cases.RequestInfo(ctx, e.a["lead"], c.ID, "Which evals?")
	e.must(err)
	e.svc.Delivery.Deliver(ctx, e.channels())
	if n := len(alive.hits()); n != 3 {
		t.Fatalf("the agency's webhook got %d of 3", n)
	}
	for _, h := range alive.hits() {
		if strings.Contains(string(h.Body), "Which evals") {
			t.Fatalf("the question reached a webhook: %s", h.Body)
		}
	}
	attempted := 0
	for _, d := range e.webhookDeliveries(docket.DeliveryPending) {
		if d.Attempts > 0 {
			attempted++
			if d.LastError != "connection refused" {
				t.Errorf("reason %q", d.LastError)
			}
		}
	}
	if attempted != 1 {
		t.Fatalf("the dead endpoint was tried %d times in one run", attempted)
	}
}

// TestDispatchedEventsAreKeptThirtyDays: a lifecycle event handed to the
// channels is kept 30 days, then deleted by a delivery run; the message made
// from it stays, and an event not yet handed over is never deleted.
func TestDispatchedEventsAreKeptThirtyDays(t *testing.T) {
	e := newEnv(t, allowLoopback)
	r := newReceiver(t, 204)
	e.webhook("lab", r.srv.URL+"/hook", notify.NewGuard(true), "case.submitted")
	events := func() (pending, dispatched int) {
		t.Helper()
		e.must(e.st.Read(ctx, func(tx app.Tx) error {
			p, err := tx.Delivery().PendingEvents(1000)
			if err != nil {
				return err
			}
			d, err := tx.Delivery().DispatchedEventsBefore(e.clock.Now().Add(1000*24*time.Hour), 1000)
			pending, dispatched = len(p), len(d)
			return err
		}))
		return pending, dispatched
	}
	e.submit(received, "Atlas")
	chs := e.channels()
	e.svc.Delivery.Deliver(ctx, chs)
	if p, d := events(); p != 0 || d != 1 || len(r.hits()) != 1 {
		t.Fatalf("after the first run: %d pending, %d dispatched, %d sent", p, d, len(r.hits()))
	}
	e.clock.Advance(29 * 24 * time.Hour)
	e.submit(e.clock.Now(), "Borealis") // a second event, 29 days younger
	e.svc.Delivery.Deliver(ctx, chs)
	if p, d := events(); p != 0 || d != 2 {
		t.Fatalf("after 29 days: %d pending, %d dispatched", p, d)
	}
	e.clock.Advance(2 * 24 * time.Hour)
	e.svc.Delivery.Deliver(ctx, chs)
	if p, d := events(); p != 0 || d != 1 {
		t.Fatalf("after 31 days: %d pending, %d dispatched (the first should be gone)", p, d)
	}
	if n := len(e.webhookDeliveries(docket.DeliveryDelivered)); n != 2 {
		t.Fatalf("%d delivered messages kept, want 2", n)
	}
	// An event not handed over is neither listed nor deleted, however old.
	old := &docket.Event{ID: "00000000-0000-0000-0000-0000000000e1", Type: "case.submitted", SubjectType: "case",
		SubjectID: "x", OrgID: e.a["lab"].OrgID, CreatedAt: e.clock.Now().Add(-90 * 24 * time.Hour)}
	e.must(e.st.Write(ctx, func(tx app.Tx) error { return tx.Delivery().InsertEvent(old) }))
	e.must(e.st.Write(ctx, func(tx app.Tx) error { return tx.Delivery().DeleteEvents([]string{old.ID}) }))
	if p, d := events(); p != 1 || d != 1 {
		t.Fatalf("a pending event: %d pending, %d dispatched", p, d)
	}
}
