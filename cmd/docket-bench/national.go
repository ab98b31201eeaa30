package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/docket/docket/internal/benchdata"
)

// measureNational seeds the national-scale dataset (o.nationalCases cases
// of every state and an audit chain padded to o.nationalAudit events, by
// COPY into a schema of its own) and measures on it: the sweep with nothing
// due (in process, after a first sweep that sends what the seed left due),
// the cold start to /readyz, and the API dashboard's first page under load.
func measureNational(ctx context.Context, o options) ([]row, []string, error) {
	if o.pg == nil {
		return nil, nil, fmt.Errorf("the national-scale workload runs on PostgreSQL: give --db")
	}
	d, err := seedDataset(ctx, o, "national", o.nationalCases, benchdata.SeedOptions{AuditEvents: o.nationalAudit}, true)
	if err != nil {
		return nil, nil, fmt.Errorf("seed: %w", err)
	}
	scale := fmt.Sprintf("%s cases, %s audit events", thousands(float64(o.nationalCases)), thousands(float64(d.seeded.AuditEvents)))
	notes := []string{fmt.Sprintf("National scale: seeded %s (%s findings) into %s in %s: %s cases/s, %s audit events/s.",
		scale, thousands(float64(d.seeded.Findings)), d.engine, d.took.Round(time.Second),
		thousands(float64(o.nationalCases)/d.took.Seconds()), thousands(float64(d.seeded.AuditEvents)/d.took.Seconds()))}
	var rows []row

	now := time.Now().UTC().Truncate(time.Millisecond)
	r, err := timeSweeps(ctx, o, d, "national-sweep", "national: sweep over "+scale+", nothing due (in process)", 0, now)
	if err != nil {
		return rows, notes, fmt.Errorf("sweep: %w", err)
	}
	rows = append(rows, r)

	r, n, err := timeStarts(ctx, o, d, "national-cold", "national: cold start to /readyz, "+scale)
	if err != nil {
		return rows, notes, fmt.Errorf("cold start: %w", err)
	}
	rows = append(rows, r)
	notes = append(notes, n...)

	cmd, logFile, err := docketCmd(ctx, o, d, "national-requests.log", "serve")
	if err != nil {
		return rows, notes, err
	}
	defer logFile.Close()
	p, err := start(ctx, cmd, "Docket is listening on ")
	if err != nil {
		return rows, notes, err
	}
	defer p.stop()
	if err := waitReady(ctx, p.url+"/readyz", time.Minute); err != nil {
		return rows, notes, err
	}
	first := p.url + "/api/v1/dashboard?limit=50"
	hdr := http.Header{"Authorization": {"Bearer " + d.tokens[d.seeded.Compliance.ID]}}
	r, err = attack(ctx, o, "national-dashboard", "national: GET /api/v1/dashboard, first page of 50, "+scale, p, getTargeter(func() string { return first }, hdr), nil)
	r.engine = d.engine
	rows = append(rows, r)
	return rows, notes, err
}
