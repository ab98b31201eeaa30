package browsertest_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/notify"
)

// TestAWebhookOwnerReadsItsDeliveries: a lab member goes from the navigation
// to the lab's webhooks, opens one endpoint's deliveries, sends it a test
// ping and, after a delivery run, sees the ping and why it did not arrive
// (a loopback URL is refused when sent); axe-core checks both pages.
func TestAWebhookOwnerReadsItsDeliveries(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Saved through a guard that allows loopback; the channels' own guard
	// (allow_private_targets off) refuses it when sending, so nothing leaves.
	hook, _, err := e.svc.Delivery.CreateWebhook(ctx, e.actor("lab"),
		app.WebhookInput{URL: "http://127.0.0.1:9/docket", Events: []string{"case.submitted", "reminder"}}, notify.NewGuard(true))
	if err != nil {
		t.Fatal(err)
	}
	b := e.tab("lab")
	b.signIn()
	b.submit("open the webhooks from the navigation", `nav a[href="/webhooks"]`, http.StatusOK)
	b.sees("Webhooks", "http://127.0.0.1:9/docket", "case.submitted, reminder", "Enabled")
	b.accessible("webhooks")
	b.submit("open the endpoint's deliveries", chromedp.CSS(`a[href="/webhooks/`+hook.ID+`/deliveries"]`), http.StatusOK)
	b.sees("Webhook deliveries", "http://127.0.0.1:9/docket", "Nothing has been sent to this endpoint yet.", "Send a test ping")
	b.submit("send a test ping", `form[action$="/ping"] button`, http.StatusOK)
	b.sees("A ping is on its way")
	chs, err := notify.Channels(notify.Options{Config: config.Default(), BaseURL: e.url, Targets: e.svc.Delivery,
		Now: e.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Delivery.Deliver(ctx, chs); err != nil {
		t.Fatal(err)
	}
	b.open("/webhooks/"+hook.ID+"/deliveries", http.StatusOK)
	b.sees("ping", "Parked as failed", "the URL is refused: points to a loopback address")
	b.shot("webhook-deliveries")
	b.accessible("webhook-deliveries")
}
