// Package webtest builds the HTTP server for tests the way main builds it
// (cmd/docket's run): web.New builds nothing of its own, so the tests' harnesses
// (the web package's, the browser tests', the benchmarks') get the metrics and
// the webhook address guard here, from one place.
package webtest

import (
	"testing"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/metrics"
	"github.com/docket/docket/internal/notify"
	"github.com/docket/docket/internal/web"
)

// Options returns o with what main passes filled in where o leaves it out:
// metrics in a registry of their own watching svc (no sweep holder), and the
// webhook address guard of o.Config's webhooks.allow_private_targets with the
// system resolver. What o sets is kept.
func Options(svc *app.Services, o web.Options) web.Options {
	if o.Metrics == nil {
		m := metrics.New()
		m.Watch(svc.Delivery, svc.Cases, "")
		o.Metrics = m
	}
	if o.Guard == nil {
		o.Guard = notify.NewGuard(o.Config.Webhooks.AllowPrivateTargets)
	}
	return o
}

// New builds the server over svc with Options(svc, o), ending the test when
// web.New refuses.
func New(tb testing.TB, svc *app.Services, o web.Options) *web.Server {
	tb.Helper()
	srv, err := web.New(svc, Options(svc, o))
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}
