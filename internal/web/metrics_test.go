package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/metrics"
	"github.com/docket/docket/internal/web"
)

// scrape gets /metrics from a remote address with an optional Authorization header.
func (ts *testServer) scrape(remote, authorization string, headers ...string) (int, string) {
	ts.t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.RemoteAddr = remote
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	ts.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func TestMetricsAnswerOnLoopbackOnly(t *testing.T) {
	w := newWorld(t)
	m := metrics.New()
	w.svc.Delivery.Observe(m)
	m.Watch(w.svc.Delivery, w.svc.Cases, "this-process")
	m.WatchPools(w.store.Pools())
	w.rebuild(func(o *web.Options) { o.Metrics = m })
	f := w.caseIn("in_review")
	want(t, w.as("lab", "GET", "/api/v1/cases/"+f.caseID, nil), 200)
	w.clock.Set(time.Date(2026, 1, 6, 0, 0, 0, 0, time.UTC))
	if _, err := w.svc.Delivery.HoldLease(context.Background(), "this-process"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Delivery.Sweep(context.Background(), "this-process"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Delivery.Deliver(context.Background(), w.channels()); err != nil {
		t.Fatal(err)
	}

	code, body := w.scrape("127.0.0.1:50000", "")
	if code != 200 {
		t.Fatalf("loopback: %d %s", code, body)
	}
	for _, want := range []string{
		`docket_http_requests_total{method="GET",route="/api/v1/cases/:id",status="200"}`,
		`docket_http_requests_total{method="POST",route="/api/v1/cases/:id/submit",status="200"}`,
		`docket_sweeps_total{result="ok"} 1`,
		`docket_sweep_duration_seconds_count 1`,
		`docket_lease_held 1`,
		`docket_last_sweep_success_timestamp_seconds 1.`,
		`docket_cases_open{band="on_track"} 1`,
		`docket_cases_open{band="overdue"} 0`,
		`docket_build_info{goversion="go`,
		`go_sql_max_open_connections{db_name=`,
		`docket_signin_failures_total{reason="failed"} 0`,
		`docket_statements_issued_total{kind="lapse"} 0`,
		`docket_lockouts_total 0`,
		`docket_outbox_depth{state="delivered"}`,
		`docket_deliveries_total{channel="email",result="delivered"}`,
		`docket_delivery_queue{channel="email",state="delivered"}`,
		`docket_metrics_database_up 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(body, f.caseID) {
		t.Fatal("a path, not its pattern, reached the metrics")
	}
	if code, _ := w.scrape("[::1]:50000", ""); code != 200 {
		t.Fatalf("IPv6 loopback: %d", code)
	}
	for _, c := range []struct {
		remote  string
		headers []string
	}{
		{"192.0.2.10:50000", nil},
		{"10.0.0.5:50000", nil},
		{"[2001:db8::1]:50000", nil},
		{"127.0.0.1:50000", []string{"X-Forwarded-For", "198.51.100.7"}},
		{"127.0.0.1:50000", []string{"Forwarded", "for=198.51.100.7"}},
		{"127.0.0.1:50000", []string{"X-Real-IP", "198.51.100.7"}},
	} {
		if code, body := w.scrape(c.remote, "", c.headers...); code != 403 || strings.Contains(body, "docket_") {
			t.Errorf("%s %v: %d", c.remote, c.headers, code)
		}
	}
	// Another process holds the lease: this one reports 0.
	w.clock.Advance(w.cfg.Notify.LeaseTTL + time.Second)
	if _, err := w.svc.Delivery.HoldLease(context.Background(), "other-process"); err != nil {
		t.Fatal(err)
	}
	if _, body := w.scrape("127.0.0.1:50000", ""); !strings.Contains(body, `docket_lease_held 0`) {
		t.Fatal("the lease gauge still says this process holds it")
	}
}

func TestMetricsWithATokenNeedTheToken(t *testing.T) {
	const token = "metrics-scraper-token-0123456789"
	w := newWorld(t, func(c *config.Config) { c.Metrics.Token = token })
	for _, c := range []struct {
		remote, auth string
		code         int
	}{
		{"192.0.2.10:50000", "Bearer " + token, 200},
		{"127.0.0.1:50000", "Bearer " + token, 200},
		{"127.0.0.1:50000", "", 401},
		{"192.0.2.10:50000", "", 401},
		{"192.0.2.10:50000", "Bearer " + token + "x", 401},
		{"192.0.2.10:50000", "Bearer " + token[:10], 401},
		{"192.0.2.10:50000", "Basic " + token, 401},
		{"192.0.2.10:50000", "Bearer " + w.users["admin"].Token, 401},
	} {
		code, body := w.scrape(c.remote, c.auth)
		if code != c.code {
			t.Errorf("%s %q: %d, want %d", c.remote, c.auth, code, c.code)
		}
		if c.code == 200 && !strings.Contains(body, "docket_http_requests_total") {
			t.Errorf("no metrics: %s", body)
		}
	}
}

// TestMetricsSpeakPrometheus: sign-in failures, the lockout they cause and a
// decision's statement are counted; the page passes promtool check metrics
// (Debian's prometheus; skipped without it unless CI is set, as .ci/run
// installs it); OpenMetrics is served to a scraper that asks for it.
func TestMetricsSpeakPrometheus(t *testing.T) {
	w := newWorld(t, func(c *config.Config) { c.Auth.MaxFailures = 3 })
	m := metrics.New()
	w.svc.Delivery.Observe(m)
	m.Watch(w.svc.Delivery, w.svc.Cases, "this-process")
	m.WatchPools(w.store.Pools())
	w.rebuild(func(o *web.Options) { o.Metrics = m })
	for i := 0; i < 3; i++ {
		w.clock.Advance(time.Minute)
		w.signInFrom("10.1.0.4", w.users["rev"].Email, "wrong password!!")
	}
	w.caseIn("decided")
	_, body := w.scrape("127.0.0.1:50000", "")
	for _, want := range []string{
		`docket_signin_failures_total{reason="failed"} 3`,
		`docket_lockouts_total 1`,
		`docket_statements_issued_total{kind="decision"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	promtool, err := exec.LookPath("promtool")
	switch {
	case err == nil:
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(body)
		if out, err := cmd.CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	case os.Getenv("CI") != "":
		t.Errorf("promtool is not installed; .ci/run installs Debian's prometheus")
	default:
		t.Log("promtool is not installed (Debian: prometheus): not run")
	}
	code, om := w.scrape("127.0.0.1:50000", "", "Accept", "application/openmetrics-text; version=1.0.0")
	if code != 200 || !strings.HasSuffix(om, "# EOF\n") || !strings.Contains(om, "docket_cases_open") {
		t.Errorf("OpenMetrics: %d, ends %q", code, om[max(0, len(om)-20):])
	}
}
