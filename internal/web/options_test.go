package web_test

import (
	"strings"
	"testing"

	"github.com/docket/docket/internal/web"
	"github.com/docket/docket/internal/webtest"
)

// TestNewBuildsNothingOfItsOwn: the metrics, the webhook address guard and the
// approvals service come from the caller (main); web.New refuses, naming the
// option, when one is missing.
func TestNewBuildsNothingOfItsOwn(t *testing.T) {
	ts := newTestServer(t)
	full := webtest.Options(ts.svc, web.Options{Config: ts.cfg, Health: ts.store, Logger: discard, Approvals: ts.approvals})
	if _, err := web.New(ts.svc, full); err != nil {
		t.Fatal(err)
	}
	for name, drop := range map[string]func(*web.Options){
		"Options.Metrics":   func(o *web.Options) { o.Metrics = nil },
		"Options.Guard":     func(o *web.Options) { o.Guard = nil },
		"Options.Approvals": func(o *web.Options) { o.Approvals = nil },
	} {
		o := full
		drop(&o)
		if srv, err := web.New(ts.svc, o); err == nil || srv != nil || !strings.Contains(err.Error(), name) {
			t.Errorf("without %s: %v", name, err)
		}
	}
}
