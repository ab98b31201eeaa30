// Package metrics holds Docket's Prometheus metrics in a registry of their
// own (no package globals): sweeps, the outbox and delivery queues, delivery
// results, the sweep lease and HTTP requests by route pattern.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/docket/docket/internal/app"
)

// Source is what the scrape reads from the database: the queues and the
// lease holder (the app service).
type Source interface {
	QueueDepth(ctx context.Context) (app.QueueDepth, error)
	LeaseHolder(ctx context.Context) (string, error)
}

// Metrics owns a registry and the metrics in it. It is an app.Observer.
type Metrics struct {
	reg         *prometheus.Registry
	sweeps      *prometheus.CounterVec
	sweepTime   prometheus.Histogram
	written     prometheus.Counter
	deliveries  *prometheus.CounterVec
	requests    *prometheus.CounterVec
	requestTime *prometheus.HistogramVec
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
	}
	m.reg.MustRegister(m.sweeps, m.sweepTime, m.written, m.deliveries, m.requests, m.requestTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Watch adds the gauges read from the database at each scrape: the outbox by
// state, each channel's queue by state, and whether holder (this process)
// holds the sweep lease.
func (m *Metrics) Watch(src Source, holder string) {
	m.reg.MustRegister(&gauges{src: src, holder: holder,
		outbox: prometheus.NewDesc("docket_outbox_depth", "Outbox rows (one per notification) by state.", []string{"state"}, nil),
		queue: prometheus.NewDesc("docket_delivery_queue", "Messages of each channel by state.",
			[]string{"channel", "state"}, nil),
		lease: prometheus.NewDesc("docket_lease_holder",
			"1 when the process named by holder holds the sweep lease, 0 when it does not.", []string{"holder"}, nil),
		up: prometheus.NewDesc("docket_metrics_database_up", "1 when the scrape could read the database.", nil, nil),
	})
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
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
	}
	m.sweepTime.Observe(d.Seconds())
	m.written.Add(float64(written))
}

// ObserveDelivery counts one delivery attempt.
func (m *Metrics) ObserveDelivery(channel, result string) {
	m.deliveries.WithLabelValues(channel, result).Inc()
}

// ObserveRequest counts one HTTP request by its route pattern, never its path.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.requestTime.WithLabelValues(route).Observe(d.Seconds())
}

// gauges reads the database at scrape time.
type gauges struct {
	src                      Source
	holder                   string
	outbox, queue, lease, up *prometheus.Desc
}

func (g *gauges) Describe(ch chan<- *prometheus.Desc) {
	ch <- g.outbox
	ch <- g.queue
	ch <- g.lease
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
		ch <- prometheus.MustNewConstMetric(g.lease, prometheus.GaugeValue, held, g.holder)
	} else {
		up = 0
	}
	ch <- prometheus.MustNewConstMetric(g.up, prometheus.GaugeValue, up)
}
