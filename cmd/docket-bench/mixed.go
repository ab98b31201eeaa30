package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// measureMixed runs the writers (writeTargeter, o.connections of them) and
// the API dashboard's readers (as many) against the server at the same
// time, each with its own warm-up and measurement of the same lengths, and
// reports the two sides as two rows.
func measureMixed(ctx context.Context, o options, d *dataset, p *proc) ([]row, error) {
	writes, err := writeTargeter(d, p)
	if err != nil {
		return nil, err
	}
	first := p.url + "/api/v1/dashboard?limit=50"
	reads := getTargeter(func() string { return first }, http.Header{"Authorization": {"Bearer " + d.tokens[d.seeded.Compliance.ID]}})
	var wg sync.WaitGroup
	var rows [2]row
	var errs [2]error
	wg.Add(2)
	go func() {
		defer wg.Done()
		rows[0], errs[0] = attack(ctx, o, "mixed-dashboard", fmt.Sprintf("mixed: GET /api/v1/dashboard (first page) while %d writers write", o.connections), p, reads, nil)
	}()
	go func() {
		defer wg.Done()
		rows[1], errs[1] = attack(ctx, o, "mixed-writes", fmt.Sprintf("mixed: %d writers (POST cases and findings) while the dashboard is read", o.connections), p, writes, nil)
	}()
	wg.Wait()
	// The server's CPU was spent on both sides: per request it means nothing here.
	rows[0].cpu, rows[1].cpu = 0, 0
	for _, err := range errs {
		if err != nil {
			return rows[:], err
		}
	}
	return rows[:], nil
}

// measureReplicas starts a second docket process on the dataset's database
// beside p (the sweep lease lets one of them sweep), sends the case read and
// the API dashboard, half and half, to the two in turn, and reports per
// replica the requests/s and latencies it served; each must have served
// reads. The second replica is stopped at the end.
func measureReplicas(ctx context.Context, o options, d *dataset, p *proc) ([]row, []string, error) {
	cmd, logFile, err := docketCmd(ctx, o, d, "requests-replica2.log", "serve")
	if err != nil {
		return nil, nil, err
	}
	defer logFile.Close()
	logf("docket: starting a second replica on the same %s database", d.engine)
	p2, err := start(ctx, cmd, "Docket is listening on ")
	if err != nil {
		return nil, nil, err
	}
	defer p2.stop()
	if err := waitReady(ctx, p2.url+"/readyz", 30*time.Second); err != nil {
		return nil, nil, err
	}
	replicas := []*proc{p, p2}
	lead, co := "Bearer "+d.tokens[d.seeded.Leads[0].ID], "Bearer "+d.tokens[d.seeded.Compliance.ID]
	visible := d.seeded.Visible
	var n atomic.Uint64
	tr := func(t *vegeta.Target) error {
		i := n.Add(1)
		base := replicas[i%2].url
		t.Method = http.MethodGet
		if i/2%2 == 0 {
			t.URL, t.Header = base+"/api/v1/cases/"+visible[rand.IntN(len(visible))], http.Header{"Authorization": {lead}}
		} else {
			t.URL, t.Header = base+"/api/v1/dashboard?limit=50", http.Header{"Authorization": {co}}
		}
		return nil
	}
	const key = "replicas"
	type served struct {
		ok, errors int64
		lat        []time.Duration
	}
	var mu sync.Mutex
	by := map[string]*served{p.url: {}, p2.url: {}}
	onResult := func(res *vegeta.Result) {
		if res.Attack != key {
			return // the warm-up
		}
		for base, s := range by {
			if len(res.URL) > len(base) && res.URL[:len(base)] == base {
				mu.Lock()
				if res.Error != "" || res.Code < 200 || res.Code >= 300 {
					s.errors++
				} else {
					s.ok++
				}
				s.lat = append(s.lat, res.Latency)
				mu.Unlock()
			}
		}
	}
	all, err := attack(ctx, o, key, "two replicas: GET /api/v1/cases/{id} and /api/v1/dashboard, split evenly", p, tr, onResult)
	if err != nil {
		return nil, nil, err
	}
	all.cpu, all.rss = 0, 0
	rows := []row{all}
	var notes []string
	for i, base := range []string{p.url, p2.url} {
		s := by[base]
		r := row{key: fmt.Sprintf("replica%d", i+1), name: fmt.Sprintf("  replica %d of 2 (%s): the reads it served", i+1, base),
			http: true, total: s.ok + s.errors, errors: s.errors, rss: replicas[i].peakRSS()}
		r.rate = float64(s.ok) / o.duration.Seconds()
		r.p50, r.p99 = latencies(s.lat)
		rows = append(rows, r)
		if s.ok == 0 {
			notes = append(notes, fmt.Sprintf("Replicas: replica %d served no read.", i+1))
		}
	}
	return rows, notes, nil
}
