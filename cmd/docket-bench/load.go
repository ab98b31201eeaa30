package main

import (
	"context"
	"net/http"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// getTargeter makes GET requests to the URLs url returns, with hdr.
func getTargeter(url func() string, hdr http.Header) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		t.Method, t.URL, t.Header = http.MethodGet, url(), hdr
		return nil
	}
}

// client is the load generator's HTTP client: at most o.connections
// connections, kept alive between the warm-up and the measurement, no redirects.
func client(o options) *http.Client {
	tr := &http.Transport{MaxIdleConns: o.connections, MaxIdleConnsPerHost: o.connections,
		MaxConnsPerHost: o.connections, IdleConnTimeout: time.Minute}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// attack drives one workload: o.warmup unmeasured, then o.duration measured,
// each with o.connections workers sending as fast as answers come back.
// onResult, when set, sees every result (warm-up included) with its body.
func attack(ctx context.Context, o options, key, name string, p *proc, tr vegeta.Targeter, onResult func(*vegeta.Result)) (row, error) {
	hc := client(o)
	defer hc.CloseIdleConnections()
	maxBody := int64(0) // read and discard the body; keep it only when looked at
	if onResult != nil {
		maxBody = -1
	}
	attacker := func() *vegeta.Attacker {
		n := uint64(o.connections)
		return vegeta.NewAttacker(vegeta.Client(hc), vegeta.Workers(n), vegeta.MaxWorkers(n), vegeta.MaxBody(maxBody))
	}
	logf("%s: warming up for %s", name, o.warmup)
	if o.warmup > 0 {
		a := attacker()
		for res := range a.Attack(tr, vegeta.Rate{Freq: 0}, o.warmup, key+"-warmup") {
			if onResult != nil {
				onResult(res)
			}
			if ctx.Err() != nil {
				a.Stop()
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return row{}, err
	}
	p.resetPeakRSS()
	logf("%s: measuring for %s", name, o.duration)
	a := attacker()
	r := row{key: key, name: name, http: true}
	lat := make([]time.Duration, 0, 1<<16)
	cpu0, self0 := p.cpu(), selfCPU()
	begin := time.Now()
	for res := range a.Attack(tr, vegeta.Rate{Freq: 0}, o.duration, key) {
		r.total++
		if res.Error != "" || res.Code < 200 || res.Code >= 300 {
			r.errors++
			if r.errors <= 3 {
				logf("%s: error: %d %s %.200s", name, res.Code, res.Error, res.Body)
			}
		}
		lat = append(lat, res.Latency)
		if onResult != nil {
			onResult(res)
		}
		if ctx.Err() != nil {
			a.Stop()
		}
	}
	elapsed := time.Since(begin)
	cpu, self := p.cpu()-cpu0, selfCPU()-self0
	r.rate = float64(r.total-r.errors) / elapsed.Seconds()
	r.p50, r.p99 = latencies(lat)
	r.rss = p.peakRSS()
	if r.total > 0 {
		r.cpu = cpu / time.Duration(r.total)
	}
	logf("%s: %.0f requests/s, p50 %s, p99 %s, %d errors of %d; CPU per request: server %.0f µs, load generator %.0f µs",
		name, r.rate, ms(r.p50), ms(r.p99), r.errors, r.total, float64(r.cpu)/1e3, float64(self)/float64(max(r.total, 1))/1e3)
	logf("%s: server memory: peak RSS %.0f MB; now RSS %.0f MB (anonymous %.0f MB, files %.0f MB)", name, float64(r.rss)/1e6,
		float64(p.status("VmRSS"))/1e6, float64(p.status("RssAnon"))/1e6, float64(p.status("RssFile"))/1e6)
	return r, ctx.Err()
}

// selfCPU is this process's user and system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
