package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/notify"
	"github.com/docket/docket/internal/storetest"
)

// TestAPingIsDeliveredAtOnce: through the real run, with the sweep scheduled
// only hourly, a lab member's ping reaches the endpoint right away (the ping
// wakes the delivery job), signed with the webhook's secret, and is listed
// among the webhook's deliveries.
func TestAPingIsDeliveredAtOnce(t *testing.T) {
	type got struct {
		h    http.Header
		body []byte
	}
	calls := make(chan got, 4)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		calls <- got{r.Header.Clone(), b}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	vars := map[string]string{
		"DOCKET_DB":                             storetest.DSN(t),
		"DOCKET_ADDR":                           "127.0.0.1:0",
		"DOCKET_SECRET":                         strings.Repeat("w", 40),
		"DOCKET_CONFIG":                         filepath.Join("..", "..", "configs", "docket.yaml"),
		"DOCKET_NOTIFY_SCHEDULE":                "@every 1h",
		"DOCKET_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true", // the receiver is on loopback, in this test only
	}
	const pw = "correct horse battery staple"
	if code, out := runCmd(t, vars, pw+"\n", "user", "create", "--email", "lab@frontier.example", "--name", "Lab",
		"--role", "lab_member", "--org", "Frontier Labs", "--org-kind", "lab"); code != 0 {
		t.Fatalf("user create: %d %s", code, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: io.Discard,
			Getenv: testEnv(vars), Ready: ready})
	}()
	var addr string
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("serve exited %d", code)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d", code)
		}
	}()
	lab := (&client{t: t, base: "http://" + addr}).signIn("lab@frontier.example", pw)
	hook := lab.must(201, "POST", "/api/v1/webhooks", map[string]any{"url": recv.URL + "/hook", "events": []string{"reminder"}})
	id, secret := hook["id"].(string), hook["secret"].(string)
	lab.must(202, "POST", "/api/v1/webhooks/"+id+"/ping", nil)
	var c got
	select {
	case c = <-calls:
	case <-time.After(30 * time.Second):
		t.Fatal("the ping did not arrive within 30 s (the sweep runs hourly here)")
	}
	var env struct {
		Type string
		Data map[string]any
	}
	if err := json.Unmarshal(c.body, &env); err != nil || env.Type != "ping" || env.Data["id"] != c.h.Get("webhook-id") {
		t.Fatalf("the ping's body %s (%v)", c.body, err)
	}
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if want := notify.Sign(key, c.h.Get("webhook-id"), c.h.Get("webhook-timestamp"), c.body); c.h.Get("webhook-signature") != want {
		t.Fatalf("signature %q, want %q", c.h.Get("webhook-signature"), want)
	}
	// The outcome is written once the receiver has answered: poll the log until it is.
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for {
		items := lab.must(200, "GET", "/api/v1/webhooks/"+id+"/deliveries", nil)["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["type"] != "ping" {
			t.Fatalf("the webhook's deliveries: %v", items)
		}
		if items[0].(map[string]any)["state"] == "delivered" {
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("the ping is not recorded as delivered: %v", items)
		}
	}
}
