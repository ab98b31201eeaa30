package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the table.
type row struct {
	key      string // what the targets refer to
	name     string
	engine   string  // the database the server (or the use case) ran on; empty: none
	rate     float64 // successful requests (sweeps, starts) per second
	p50, p99 time.Duration
	errors   int64
	total    int64
	ratio    float64       // rate / the bare handler's rate (HTTP rows)
	rss      int64         // the server's peak RSS during the workload, bytes; 0: not measured
	cpu      time.Duration // the server's CPU time per request
	http     bool
	skipped  string // why the workload did not run
}

// latencies summarises a sample of durations.
func latencies(d []time.Duration) (p50, p99 time.Duration) {
	if len(d) == 0 {
		return 0, 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	at := func(q float64) time.Duration {
		i := int(q*float64(len(s)) + 0.5)
		return s[min(max(i-1, 0), len(s)-1)]
	}
	return at(0.50), at(0.99)
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "—"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}

// thousands writes a rate: one decimal under 100, else whole with separators.
func thousands(v float64) string {
	if v < 100 {
		return fmt.Sprintf("%.1f", v)
	}
	return count(int64(v + 0.5))
}

// count writes a whole number with thousands separators.
func count(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// printTable writes the table as GitHub Markdown, aligned for a terminal too.
func printTable(w io.Writer, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "| workload\t engine\t requests/s\t p50\t p99\t errors\t vs bare\t peak RSS\t")
	fmt.Fprintln(tw, "| ---\t ---\t ---:\t ---:\t ---:\t ---:\t ---:\t ---:\t")
	for _, r := range rows {
		engine := r.engine
		if engine == "" {
			engine = "—"
		}
		if r.skipped != "" {
			fmt.Fprintf(tw, "| %s\t %s\t —\t —\t —\t —\t —\t —\t\n", r.name+" ("+r.skipped+")", engine)
			continue
		}
		rate, ratio, rss := "—", "—", "—"
		if r.rate > 0 {
			rate = thousands(r.rate)
		}
		if r.ratio > 0 {
			ratio = fmt.Sprintf("%.0f%%", 100*r.ratio)
		}
		if r.rss > 0 {
			rss = fmt.Sprintf("%.0f MB", float64(r.rss)/1e6)
		}
		errs := fmt.Sprint(r.errors)
		if r.total > 0 {
			errs = fmt.Sprintf("%d / %s", r.errors, count(r.total))
		}
		fmt.Fprintf(tw, "| %s\t %s\t %s\t %s\t %s\t %s\t %s\t %s\t\n", r.name, engine, rate, ms(r.p50), ms(r.p99), errs, ratio, rss)
	}
	tw.Flush()
}

// printTargets checks the targets against the rows.
func printTargets(w io.Writer, rows []row) {
	by := map[string]row{}
	var peak int64
	for _, r := range rows {
		if r.skipped == "" {
			by[r.key] = r
		}
		if r.http && r.key != "bare" && r.skipped == "" && !strings.HasPrefix(r.key, "national") {
			peak = max(peak, r.rss)
		}
	}
	fmt.Fprintln(w, "\nTargets:")
	check := func(ok bool, what, got string) {
		mark := "met   "
		if !ok {
			mark = "MISSED"
		}
		fmt.Fprintf(w, "  %s %-62s %s\n", mark, what, got)
	}
	if r, ok := by["case"]; ok && r.ratio > 0 {
		want := 0.40
		if r.engine == "PostgreSQL" {
			want = 0.25
		}
		check(r.ratio >= want, fmt.Sprintf("%s: GET /api/v1/cases/{id} >= %.0f%% of the bare handler", r.engine, 100*want), fmt.Sprintf("%.0f%%", 100*r.ratio))
	}
	if r, ok := by["dashboard"]; ok {
		if r.engine == "PostgreSQL" {
			check(r.p99 <= 50*time.Millisecond && r.errors == 0, "PostgreSQL: dashboard first page p99 <= 50 ms",
				fmt.Sprintf("%s/s, p99 %s", thousands(r.rate), ms(r.p99)))
		} else {
			check(r.rate >= 2000 && r.p99 <= 50*time.Millisecond && r.errors == 0,
				"dashboard first page >= 2,000 requests/s, p99 <= 50 ms", fmt.Sprintf("%s/s, p99 %s", thousands(r.rate), ms(r.p99)))
		}
	}
	if r, ok := by["wrk"]; ok {
		check(r.p99 <= 50*time.Millisecond && r.errors == 0, r.engine+": dashboard first page p99 <= 50 ms under wrk -t2 -c32",
			fmt.Sprintf("%s/s, p99 %s", thousands(r.rate), ms(r.p99)))
	}
	if r, ok := by["writes"]; ok {
		check(r.rate >= 1000 && r.errors == 0, r.engine+": 32 writers: 0 errors, >= 1,000 writes/s, every write present, chain verifies",
			fmt.Sprintf("%s/s, %d errors", thousands(r.rate), r.errors))
	}
	if r, ok := by["mixed-dashboard"]; ok {
		check(r.rate >= 1000 && r.p99 <= 100*time.Millisecond && r.errors == 0, r.engine+": dashboard >= 1,000/s, p99 <= 100 ms while 32 writers write",
			fmt.Sprintf("%s/s, p99 %s, %d errors", thousands(r.rate), ms(r.p99), r.errors))
	}
	if r, ok := by["mixed-writes"]; ok {
		check(r.p99 <= 50*time.Millisecond && r.errors == 0, r.engine+": the writers' p99 <= 50 ms, 0 errors, beside the dashboard's readers",
			fmt.Sprintf("%s/s, p99 %s, %d errors", thousands(r.rate), ms(r.p99), r.errors))
	}
	if r1, ok := by["replica1"]; ok {
		r2 := by["replica2"]
		check(r1.rate > 0 && r2.rate > 0 && r1.errors == 0 && r2.errors == 0, "two replicas behind the same load, each serving reads",
			fmt.Sprintf("%s/s and %s/s, %d errors", thousands(r1.rate), thousands(r2.rate), r1.errors+r2.errors))
	}
	if r, ok := by["national-dashboard"]; ok {
		check(r.p99 <= 50*time.Millisecond && r.errors == 0, "national: dashboard first page p99 <= 50 ms", ms(r.p99))
	}
	if r, ok := by["national-sweep"]; ok {
		check(r.p50 <= 50*time.Millisecond && r.errors == 0, "national: sweep with nothing due <= 50 ms", ms(r.p50))
	}
	if r, ok := by["national-cold"]; ok {
		check(r.p50 <= time.Second, "national: cold start to /readyz <= 1 s", ms(r.p50))
	}
	if peak > 0 {
		check(peak <= 100e6, "peak RSS <= 100 MB under the HTTP workloads", fmt.Sprintf("%.0f MB", float64(peak)/1e6))
	}
	if r, ok := by["sweep0"]; ok {
		check(r.p50 <= 50*time.Millisecond, r.engine+": "+strings.TrimSuffix(r.name, " (in process)")+" <= 50 ms", ms(r.p50))
	}
	if r, ok := by["cold"]; ok {
		check(r.p50 <= 300*time.Millisecond, r.engine+": "+r.name+" <= 300 ms", ms(r.p50))
	}
}
