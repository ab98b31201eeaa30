package main

import (
	"context"
	"fmt"
	"time"

	"github.com/docket/docket/internal/benchdata"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/store"
)

// measureSweeps times the sweep use case directly, over o.bigCases open
// cases: once with nothing due, once with 1,000 cases (at most all) whose
// seven-day reminder is due (the outbox rows are deleted between runs, untimed).
func measureSweeps(ctx context.Context, o options) ([]row, error) {
	var rows []row
	for _, due := range []int{0, min(1000, o.bigCases)} {
		now := time.Now().UTC().Truncate(time.Millisecond)
		d, err := seedDataset(ctx, o, fmt.Sprintf("sweep-%d", due), o.bigCases, benchdata.SeedOptions{OpenOnly: true, DueSoon: due, Now: now}, false)
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("sweep over %s open cases, nothing due (in process)", thousands(float64(o.bigCases)))
		if due > 0 {
			name = fmt.Sprintf("sweep over %s open cases, %s due (in process)", thousands(float64(o.bigCases)), thousands(float64(due)))
		}
		r, err := timeSweeps(ctx, o, d, fmt.Sprintf("sweep%d", due), name, due, now)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// timeSweeps times the sweep use case on d standing at now: a first sweep,
// untimed, sends what is due once; then up to o.sweeps sweeps (at most 20 s)
// are timed, each of which must write due reminders (before each, untimed,
// the reminders' cases are made due again in the sweep's plan and the
// reminder rows are deleted) and nothing else.
func timeSweeps(ctx context.Context, o options, d *dataset, key, name string, due int, now time.Time) (row, error) {
	r := row{key: key, name: name, engine: d.engine}
	st, err := store.Open(d.db)
	if err != nil {
		return r, err
	}
	defer st.Close()
	svc, err := service(st, d.cfg, func() time.Time { return now })
	if err != nil {
		return r, err
	}
	if _, err := svc.Delivery.HoldLease(ctx, "bench"); err != nil {
		return r, err
	}
	// The first sweep sends what is due once (the digest and the reminders).
	// Its failure is the row's error (the workloads after it still run).
	if _, err := svc.Delivery.Sweep(ctx, "bench"); err != nil {
		if ctx.Err() != nil {
			return r, err
		}
		logf("%s: the first sweep failed: %v", r.name, err)
		r.name += ": the first sweep failed: " + err.Error()
		r.errors, r.total = 1, 1
		return r, nil
	}
	var runs []time.Duration
	var spent time.Duration
	deadline := time.Now().Add(20 * time.Second)
	for len(runs) < o.sweeps && time.Now().Before(deadline) && ctx.Err() == nil {
		if due > 0 {
			// The reminders' cases are due again, as at their reminder's
			// instant: their place in the sweep's plan says now (sweep_due),
			// and what was sent is forgotten.
			if err := st.Exec(fmt.Sprintf(`UPDATE sweep_due SET due_at = 0, changes = changes + 1
WHERE case_id IN (SELECT case_id FROM notifications WHERE rule = '%s')`, docket.RuleCaseReminder)); err != nil {
				return r, err
			}
			if err := st.Exec(fmt.Sprintf(`DELETE FROM notifications WHERE rule = '%s'`, docket.RuleCaseReminder)); err != nil {
				return r, err
			}
		}
		begin := time.Now()
		res, err := svc.Delivery.Sweep(ctx, "bench")
		took := time.Since(begin)
		r.total++
		if err != nil || res.Inserted != due {
			r.errors++
			logf("%s: %+v %v", r.name, res, err)
		}
		runs = append(runs, took)
		spent += took
	}
	r.p50, r.p99 = latencies(runs)
	if spent > 0 {
		r.rate = float64(len(runs)) / spent.Seconds()
	}
	logf("%s: p50 %s, max %s over %d runs", r.name, ms(r.p50), ms(r.p99), len(runs))
	return r, nil
}

// measureColdStart times the real binary from exec to its first 200 on
// /readyz over o.bigCases cases of every state. A first start, not timed,
// lets the first sweep send what the fresh dataset has due, as a running
// deployment would have; then o.starts restarts are timed.
func measureColdStart(ctx context.Context, o options) (row, []string, error) {
	d, err := seedDataset(ctx, o, "cold", o.bigCases, benchdata.SeedOptions{}, false)
	if err != nil {
		return row{}, nil, err
	}
	return timeStarts(ctx, o, d, "cold", fmt.Sprintf("cold start to /readyz, %s cases", thousands(float64(o.bigCases))))
}

// timeStarts times o.starts restarts of the real binary on d, after a first
// start that is not timed.
func timeStarts(ctx context.Context, o options, d *dataset, key, name string) (row, []string, error) {
	r := row{key: key, name: name, engine: d.engine}
	n := len(d.seeded.CaseIDs)
	var notes []string
	var starts []time.Duration
	for i := 0; i <= o.starts; i++ {
		cmd, logFile, err := docketCmd(ctx, o, d, fmt.Sprintf("%s-start-%d.log", key, i), "serve")
		if err != nil {
			return r, nil, err
		}
		begin := time.Now()
		p, err := start(ctx, cmd, "Docket is listening on ")
		if err == nil {
			err = waitReady(ctx, p.url+"/readyz", time.Minute)
		}
		took := time.Since(begin)
		logFile.Close()
		if err != nil {
			return r, nil, err
		}
		if i == 0 {
			notes = append(notes, fmt.Sprintf("Cold start (%s): the first start on the freshly seeded %s cases took %s (its first sweep sends everything the seed left due); the %d restarts after it are timed, with the operating system's file cache warm.",
				d.engine, thousands(float64(n)), ms(took), o.starts))
		} else {
			starts = append(starts, took)
			r.rss = max(r.rss, p.peakRSS())
			r.total++
		}
		if err := p.stop(); err != nil {
			return r, nil, err
		}
	}
	r.p50, r.p99 = latencies(starts)
	logf("%s: p50 %s, max %s", r.name, ms(r.p50), ms(r.p99))
	return r, notes, nil
}
