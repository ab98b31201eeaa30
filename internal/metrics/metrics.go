// Package metrics holds Docket's Prometheus metrics in a registry of their
// own (no package globals): sweeps, the outbox and delivery queues, delivery
// results, the sweep lease, HTTP requests by route pattern, the open cases
// by band, sign-in failures and lockouts, statements issued, the database
// pools and the build.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
)

// Source is what the scrape reads from the database: the queues and the
// lease holder (the app service).
type Source interface {
	QueueDepth(ctx context.Context) (app.QueueDepth, error)
	LeaseHolder(ctx context.Context) (string, error)
}

// CaseSource counts the open cases by band (the cases service).
type CaseSource interface {
	OpenCaseBands(ctx context.Context) (map[clock.Band]int, error)
}

// Metrics owns a registry and the metrics in it. It is an app.Observer.
type Metrics struct {
	reg          *prometheus.Registry
	sweeps       *prometheus.CounterVec
	sweepTime    prometheus.Histogram
	lastSweep    prometheus.Gauge
	written      prometheus.Counter
	deliveries   *prometheus.CounterVec
	webhookTime  prometheus.Histogram
	requests     *prometheus.CounterVec
	requestTime  *prometheus.HistogramVec
	signinFailed *prometheus.CounterVec
	lockouts     prometheus.Counter
	statements   *prometheus.CounterVec
}

// build reads the binary's version and VCS revision ("unknown" when the
// build carries none, as under go test).
func build() (version, revision string) {
	version, revision = "unknown", "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, kv := range bi.Settings {
			if kv.Key == "vcs.revision" && kv.Value != "" {
				revision = kv.Value
			}
		}
	}
	return version, revision
}

// New builds the metrics in a fresh registry, with the Go runtime's and the
// process's own.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		sweeps: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "docket_sweeps_total",
			Help: "Sweeps run, by result: ok, error, or not_holder (another process holds the lease)."}, []string{"result"}),
		sweepTime: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "docket_sweep_duration_seconds",
			Help: "How long a sweep took.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}),
		written: prometheus.NewCounter(prometheus.CounterOpts{Name: "docket_notifications_written_total",
			Help: "Notifications the sweeps wrote to the outbox."}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "docket_deliveries_total",
			Help: "Delivery attempts by channel and result: delivered, retry, or failed (parked)."}, []string{"channel", "result"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "docket_http_requests_total",
			Help: "HTTP requests by method, route pattern and status."}, []string{"method", "route", "status"}),
		requestTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "docket_http_request_duration_seconds",
			Help: "HTTP request durations by route pattern.", Buckets: prometheus.DefBuckets}, []string{"route"}),
		lastSweep: prometheus.NewGauge(prometheus.GaugeOpts{Name: "docket_last_sweep_success_timestamp_seconds",
			Help: "When this process last finished a sweep without error while holding the lease (Unix seconds; 0: never)."}),
		webhookTime: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "docket_webhook_delivery_seconds",
			Help: "How long each webhook delivery attempt took, answered or not.", Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 9)}),
		signinFailed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "docket_signin_failures_total",
			Help: "Sign-ins refused, by reason: failed (a wrong password, an unknown or disabled user), locked, or throttled."}, []string{"reason"}),
		lockouts: prometheus.NewCounter(prometheus.CounterOpts{Name: "docket_lockouts_total",
			Help: "Accounts locked for a client address after auth.max_failures failed sign-ins."}),
		statements: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "docket_statements_issued_total",
			Help: "Signed review statements issued, by kind: decision or lapse."}, []string{"kind"}),
	}
	version, revision := build()
	info := prometheus.NewGauge(prometheus.GaugeOpts{Name: "docket_build_info",
		Help:        "Always 1: the build of the running binary in its labels.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": runtime.Version()}})
	info.Set(1)
	// Every label value is there from the start, so that a rate or an alert
	// has a series to read before the first event.
	for _, r := range []string{"failed", "locked", "throttled"} {
		m.signinFailed.WithLabelValues(r)
	}
	for _, k := range []string{"decision", "lapse"} {
		m.statements.WithLabelValues(k)
	}
	m.reg.MustRegister(m.sweeps, m.sweepTime, m.lastSweep, m.written, m.deliveries, m.webhookTime, m.requests, m.requestTime,
		m.signinFailed, m.lockouts, m.statements, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// WatchPools adds the database pools' statistics (go_sql_*, labelled
// db_name), one collector per pool.
func (m *Metrics) WatchPools(pools map[string]*sql.DB) {
	for name, db := range pools {
		m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
	}
}

// Watch adds the gauges read from the database at each scrape: the outbox by
// state, each channel's queue by state, whether holder (this process) holds
// the sweep lease, and the open cases by band.
func (m *Metrics) Watch(src Source, cases CaseSource, holder string) {
	m.reg.MustRegister(&gauges{src: src, cases: cases, holder: holder,
		outbox: prometheus.NewDesc("docket_outbox_depth", "Outbox rows (one per notification) by state.", []string{"state"}, nil),
		queue: prometheus.NewDesc("docket_delivery_queue", "Messages of each channel by state.",
			[]string{"channel", "state"}, nil),
		lease: prometheus.NewDesc("docket_lease_held",
			"1 when this process holds the sweep lease, 0 when it does not.", nil, nil),
		open: prometheus.NewDesc("docket_cases_open",
			"Open cases (drafts aside) by deadline band, as the dashboard counts them.", []string{"band"}, nil),
		up: prometheus.NewDesc("docket_metrics_database_up", "1 when the scrape could read the database.", nil, nil),
	})
}

// Handler serves the registry in the Prometheus text format, or OpenMetrics
// when the scraper asks for it.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, EnableOpenMetrics: true})
}

// ObserveSweep counts a sweep and how long it took.
func (m *Metrics) ObserveSweep(d time.Duration, held bool, written int, err error) {
	switch {
	case err != nil:
		m.sweeps.WithLabelValues("error").Inc()
	case !held:
		m.sweeps.WithLabelValues("not_holder").Inc()
		return
	default:
		m.sweeps.WithLabelValues("ok").Inc()
		m.lastSweep.SetToCurrentTime()
	}
	m.sweepTime.Observe(d.Seconds())
	m.written.Add(float64(written))
}

// ObserveDelivery counts one delivery attempt; a webhook's time goes to
// docket_webhook_delivery_seconds.
func (m *Metrics) ObserveDelivery(channel, result string, d time.Duration) {
	m.deliveries.WithLabelValues(channel, result).Inc()
	if channel == "webhook" {
		m.webhookTime.Observe(d.Seconds())
	}
}

// ObserveSignInFailure counts a refused sign-in, and a lockout it caused.
func (m *Metrics) ObserveSignInFailure(reason string, lockedNow bool) {
	m.signinFailed.WithLabelValues(reason).Inc()
	if lockedNow {
		m.lockouts.Inc()
	}
}

// ObserveStatements counts statements issued.
func (m *Metrics) ObserveStatements(kind string, n int) {
	m.statements.WithLabelValues(kind).Add(float64(n))
}

// ObserveRequest counts one HTTP request by its route pattern, never its path.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.requestTime.WithLabelValues(route).Observe(d.Seconds())
}

// gauges reads the database at scrape time.
type gauges struct {
	src                            Source
	cases                          CaseSource
	holder                         string
	outbox, queue, lease, open, up *prometheus.Desc
}

func (g *gauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- g.outbox
	ch <- g.queue
	ch <- g.lease
	ch <- g.open
	ch <- g.up
}

func (g *gauges) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	up := 1.0
	if q, err := g.src.QueueDepth(ctx); err == nil {
		for state, n := range q.Notifications {
			ch <- prometheus.MustNewConstMetric(g.outbox, prometheus.GaugeValue, float64(n), state)
		}
		for channel, states := range q.Deliveries {
			for state, n := range states {
				ch <- prometheus.MustNewConstMetric(g.queue, prometheus.GaugeValue, float64(n), channel, state)
			}
		}
	} else {
		up = 0
	}
	if h, err := g.src.LeaseHolder(ctx); err == nil {
		held := 0.0
		if h != "" && h == g.holder {
			held = 1
		}
		ch <- prometheus.MustNewConstMetric(g.lease, prometheus.GaugeValue, held)
	} else {
		up = 0
	}
	if g.cases != nil {
		if bands, err := g.cases.OpenCaseBands(ctx); err == nil {
			for b, n := range bands {
				ch <- prometheus.MustNewConstMetric(g.open, prometheus.GaugeValue, float64(n), string(b))
			}
		} else {
			up = 0
		}
	}
	ch <- prometheus.MustNewConstMetric(g.up, prometheus.GaugeValue, up)
}
