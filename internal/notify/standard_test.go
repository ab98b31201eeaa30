package notify_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/notify"
	"github.com/docket/docket/internal/web/api"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestDocketSignsTheSpecificationsTestVector: Docket's signer reproduces the
// Standard Webhooks specification's published test vector (the reference
// libraries' TestWebhookSign: standard-webhooks/standard-webhooks,
// libraries/go/webhook_test.go), the secret decoded as Docket shows its own
// (whsec_ and base64).
func TestDocketSignsTheSpecificationsTestVector(t *testing.T) {
	const (
		secret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
		id        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
		timestamp = "1614265330"
		payload   = `{"test": 2432232314}`
		expected  = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	)
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, docket.WebhookSecretPrefix))
	if err != nil {
		t.Fatal(err)
	}
	if got := notify.Sign(key, id, timestamp, []byte(payload)); got != expected {
		t.Fatalf("Sign = %s, want the specification's %s", got, expected)
	}
	// During a rotation the header carries the new secret's signature, then
	// the old one's, space-separated.
	other := []byte("another key of thirty-two bytes!")
	want := notify.Sign(other, id, timestamp, []byte(payload)) + " " + expected
	if got := notify.SignAll([][]byte{other, key}, id, timestamp, []byte(payload)); got != want {
		t.Fatalf("SignAll = %s, want %s", got, want)
	}
	if got := notify.Sign(key, id, timestamp, []byte(payload+" ")); got == expected {
		t.Fatal("a changed body signs the same")
	}
}

// envelopeSchema is the OpenAPI document's WebhookBody, the envelope every
// delivery's body must match (JSON Schema 2020-12, null taken strictly).
func envelopeSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPI))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("openapi.json#/components/schemas/WebhookBody")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// matchesEnvelope fails unless every body matches the documented envelope.
func matchesEnvelope(t *testing.T, hits []hit) {
	t.Helper()
	s := envelopeSchema(t)
	for i, h := range hits {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(h.Body))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(inst); err != nil {
			t.Errorf("delivery %d does not match WebhookBody: %v\n%s", i+1, err, h.Body)
		}
	}
}

// standardWebhooks returns the npm prefix holding the standardwebhooks
// package (DOCKET_STANDARDWEBHOOKS_DIR, or ~/.cache/docket/standardwebhooks,
// where .ci/run installs it), installing it there when npm is at hand. Without
// it and node the test is skipped, unless CI is set.
func standardWebhooks(t *testing.T) (node, dir string) {
	t.Helper()
	dir = os.Getenv("DOCKET_STANDARDWEBHOOKS_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		dir = filepath.Join(home, ".cache", "docket", "standardwebhooks")
	}
	pkg := filepath.Join(dir, "node_modules", "standardwebhooks", "package.json")
	if _, err := os.Stat(pkg); err != nil {
		if npm, err := exec.LookPath("npm"); err == nil {
			if out, err := exec.Command(npm, "install", "--no-audit", "--no-fund", "--prefix", dir, "standardwebhooks@1").CombinedOutput(); err != nil {
				t.Logf("npm install standardwebhooks: %v\n%s", err, out)
			}
		}
	}
	node, err := exec.LookPath("node")
	if _, serr := os.Stat(pkg); err != nil || serr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node or the npm standardwebhooks package is missing (%s); .ci/run installs them", dir)
		}
		t.Skip("node or the npm standardwebhooks package is missing: not run")
	}
	return node, dir
}

// swCase is one verification the npm package makes.
type swCase struct {
	Secret  string            `json:"secret"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
	NowMs   int64             `json:"now_ms"`
}

type swResult struct {
	OK    bool   `json:"ok"`
	Type  string `json:"type"`
	Error string `json:"error"`
}

// verifyWithNPM runs the npm standardwebhooks package's Webhook.verify on
// each case, the receiver's clock set to the case's instant.
func verifyWithNPM(t *testing.T, cases []swCase) []swResult {
	t.Helper()
	node, dir := standardWebhooks(t)
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "standardwebhooks_verify.js"), dir)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var res []swResult
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(cases) {
		t.Fatalf("node answered %s (%v)", out, err)
	}
	return res
}

// caseOf is a received delivery as the npm package's verify takes it.
func caseOf(secret string, h hit) swCase {
	stamp, _ := strconv.ParseInt(h.Header.Get("webhook-timestamp"), 10, 64)
	return swCase{Secret: secret, Body: string(h.Body), NowMs: stamp * 1000, Headers: map[string]string{
		"webhook-id": h.Header.Get("webhook-id"), "webhook-timestamp": h.Header.Get("webhook-timestamp"),
		"webhook-signature": h.Header.Get("webhook-signature")}}
}

// TestStandardWebhooksVerifiesDeliveriesThroughARotation: the npm
// standardwebhooks package, as a receiver uses it, verifies real deliveries
// that a loopback receiver got: before a rotation with the first secret;
// during the overlap (two signatures) with the old secret and with the new
// one; after it with the new one only. A ping goes the same way.
func TestStandardWebhooksVerifiesDeliveriesThroughARotation(t *testing.T) {
	e := newEnv(t, allowLoopback, func(c *config.Config) { c.Webhooks.SecretOverlap = 24 * time.Hour })
	r := newReceiver(t, 200)
	w, oldSecret := e.webhook("lab", r.srv.URL+"/hook", notify.NewGuard(true), "case.submitted")
	chs := e.channels()
	e.submit(received, "Atlas")
	e.svc.Delivery.Deliver(ctx, chs)

	rotatedAt := received.Add(time.Hour)
	e.clock.Set(rotatedAt)
	if _, _, err := e.svc.Delivery.RotateWebhookSecret(ctx, e.a["rival"], w.ID); docket.ErrorCode(err) != docket.ENotFound {
		t.Fatalf("another lab rotated the secret: %v", err)
	}
	if _, _, err := e.svc.Delivery.RotateWebhookSecret(ctx, e.a["rev"], w.ID); docket.ErrorCode(err) != docket.EForbidden {
		t.Fatalf("a reviewer rotated the secret: %v", err)
	}
	rotated, newSecret, err := e.svc.Delivery.RotateWebhookSecret(ctx, e.a["lab2"], w.ID)
	e.must(err)
	if newSecret == oldSecret || !strings.HasPrefix(newSecret, "whsec_") || rotated.PreviousUntil == nil ||
		!rotated.PreviousUntil.Equal(rotatedAt.Add(24*time.Hour)) {
		t.Fatalf("rotation: %q, previous until %v", newSecret, rotated.PreviousUntil)
	}
	e.submit(rotatedAt.Add(time.Hour), "Boreas") // within the overlap
	e.svc.Delivery.Deliver(ctx, chs)
	e.clock.Set(rotatedAt.Add(24*time.Hour - time.Second)) // the last second of the overlap
	e.must(e.svc.Delivery.PingWebhook(ctx, e.a["lab"], w.ID))
	e.svc.Delivery.Deliver(ctx, chs)
	e.clock.Set(rotatedAt.Add(24 * time.Hour)) // the overlap is over
	e.must(e.svc.Delivery.PingWebhook(ctx, e.a["lab"], w.ID))
	e.svc.Delivery.Deliver(ctx, chs)

	hits := r.hits()
	if len(hits) != 4 {
		t.Fatalf("the receiver got %d deliveries, want 4", len(hits))
	}
	matchesEnvelope(t, hits)
	sigs := func(h hit) []string { return strings.Split(h.Header.Get("webhook-signature"), " ") }
	for i, n := range []int{1, 2, 2, 1} {
		if got := sigs(hits[i]); len(got) != n {
			t.Fatalf("delivery %d carries %d signatures (%q), want %d", i+1, len(got), got, n)
		}
	}
	var cases []swCase
	var want []bool
	add := func(secret string, h hit, ok bool) {
		cases = append(cases, caseOf(secret, h))
		want = append(want, ok)
	}
	add(oldSecret, hits[0], true)  // before the rotation
	add(newSecret, hits[0], false) // the new secret did not sign it
	add(oldSecret, hits[1], true)  // during the overlap: the old one…
	add(newSecret, hits[1], true)  // …and the new one
	add(oldSecret, hits[2], true)
	add(newSecret, hits[2], true)
	add(newSecret, hits[3], true) // after it, the new one only
	add(oldSecret, hits[3], false)
	tampered := caseOf(newSecret, hits[3])
	tampered.Body = strings.Replace(tampered.Body, "ping", "pong", 1)
	cases, want = append(cases, tampered), append(want, false)
	res := verifyWithNPM(t, cases)
	accepted, refused := 0, 0
	for i, r := range res {
		if r.OK != want[i] {
			t.Errorf("case %d: standardwebhooks verify ok=%v (%s), want %v", i+1, r.OK, r.Error, want[i])
		} else if r.OK {
			accepted++
		} else {
			refused++
		}
	}
	t.Logf("npm standardwebhooks on %d real deliveries: %d verifications accepted and %d refused, as expected", len(hits), accepted, refused)
	for i, typ := range []string{"case.submitted", "case.submitted", "ping", "ping"} {
		if res[[]int{0, 2, 4, 6}[i]].Type != typ {
			t.Errorf("delivery %d: verified type %q, want %q", i+1, res[[]int{0, 2, 4, 6}[i]].Type, typ)
		}
	}
	// Docket's own reading of the same: the new secret's signature comes first.
	if err := verifyStandardWebhook(newSecret, with(hits[1].Header, "webhook-signature", sigs(hits[1])[0]), hits[1].Body,
		rotatedAt.Add(time.Hour)); err != nil {
		t.Errorf("the first signature during the overlap is not the new secret's: %v", err)
	}
}

// TestAPingGoesThroughTheOutbox: a ping is an envelope of type ping with no
// case, sent to that webhook only, listed among its deliveries; it asks for a
// delivery run at once. A disabled webhook is not pinged (409), gets nothing
// new, and its pending messages are parked.
func TestAPingGoesThroughTheOutbox(t *testing.T) {
	e := newEnv(t, allowLoopback)
	r, other := newReceiver(t, 200), newReceiver(t, 200)
	g := notify.NewGuard(true)
	w, _ := e.webhook("lab", r.srv.URL+"/hook", g, "case.submitted")
	e.webhook("lab", other.srv.URL+"/hook", g, "case.submitted")
	e.clock.Set(received)
	select {
	case <-e.svc.Delivery.Wakes():
		t.Fatal("a wake before any ping")
	default:
	}
	e.must(e.svc.Delivery.PingWebhook(ctx, e.a["lab"], w.ID))
	select {
	case <-e.svc.Delivery.Wakes():
	default:
		t.Fatal("the ping did not ask for a delivery run")
	}
	if err := e.svc.Delivery.PingWebhook(ctx, e.a["admin"], w.ID); docket.ErrorCode(err) != docket.ENotFound {
		t.Fatalf("the agency pinged a lab's webhook: %v", err)
	}
	e.svc.Delivery.Deliver(ctx, e.channels())
	if len(other.hits()) != 0 || len(r.hits()) != 1 {
		t.Fatalf("the ping reached %d and %d webhooks' receivers", len(r.hits()), len(other.hits()))
	}
	matchesEnvelope(t, r.hits())
	var env struct {
		Type      string
		Timestamp string
		Data      map[string]any
	}
	e.must(json.Unmarshal(r.hits()[0].Body, &env))
	if env.Type != "ping" || env.Timestamp != "2026-06-02T18:00:00.000Z" || env.Data["case"] != nil ||
		env.Data["id"] != r.hits()[0].Header.Get("webhook-id") || sortedKeys(env.Data) != "case,created_at,due_at,id,rule,threshold" {
		t.Fatalf("ping body %s", r.hits()[0].Body)
	}
	ds, _, err := e.svc.Delivery.ListWebhookDeliveries(ctx, e.a["lab2"], w.ID, app.Page{})
	e.must(err)
	if len(ds) != 1 || ds[0].Type != "ping" || ds[0].State != docket.DeliveryDelivered || ds[0].Attempts != 1 {
		t.Fatalf("the webhook's deliveries: %+v", ds)
	}

	// Disabled: a pending message is parked, nothing new is planned, no ping.
	r.answer(500)
	e.submit(received.Add(time.Hour), "Atlas")
	e.svc.Delivery.Deliver(ctx, e.channels())
	off, on := true, false
	_, err = e.svc.Delivery.UpdateWebhook(ctx, e.a["lab"], w.ID, docket.WebhookUpdate{Disabled: &off})
	e.must(err)
	ds, _, err = e.svc.Delivery.ListWebhookDeliveries(ctx, e.a["lab"], w.ID, app.Page{})
	e.must(err)
	if ds[0].Type != "case.submitted" || ds[0].State != docket.DeliveryFailed || ds[0].LastError != "the webhook was disabled" {
		t.Fatalf("the pending message of a disabled webhook: %+v", ds[0])
	}
	if err := e.svc.Delivery.PingWebhook(ctx, e.a["lab"], w.ID); docket.ErrorCode(err) != docket.EConflict {
		t.Fatalf("a disabled webhook pinged: %v", err)
	}
	if _, err := e.svc.Delivery.RetryDelivery(ctx, e.a["admin"], ds[0].ID); docket.ErrorCode(err) != docket.EConflict {
		t.Fatalf("a disabled webhook's delivery retried: %v", err)
	}
	before := len(r.hits())
	e.clock.Advance(7 * time.Hour)
	e.submit(e.clock.Now(), "Boreas")
	e.svc.Delivery.Deliver(ctx, e.channels())
	if n := len(r.hits()); n != before {
		t.Fatalf("a disabled webhook got %d more calls", n-before)
	}
	if n := len(other.hits()); n != 2 {
		t.Fatalf("the other webhook got %d of 2 submissions", n)
	}
	all, _, err := e.svc.Delivery.ListWebhookDeliveries(ctx, e.a["lab"], w.ID, app.Page{})
	e.must(err)
	if len(all) != 2 {
		t.Fatalf("a disabled webhook was planned a message: %d deliveries, want the ping and the parked one", len(all))
	}
	// Enabled again, it hears of what comes next.
	r.answer(200)
	_, err = e.svc.Delivery.UpdateWebhook(ctx, e.a["lab"], w.ID, docket.WebhookUpdate{Disabled: &on})
	e.must(err)
	e.submit(e.clock.Now().Add(time.Hour), "Cygnus")
	e.svc.Delivery.Deliver(ctx, e.channels())
	if n := len(r.hits()); n != before+1 {
		t.Fatalf("the enabled webhook got %d new calls, want 1", n-before)
	}
}
