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
	fmt.Fprintln(tw, "| workload\t requests/s\t p50\t p99\t errors\t vs bare\t peak RSS\t")
	fmt.Fprintln(tw, "| ---\t ---:\t ---:\t ---:\t ---:\t ---:\t ---:\t")
	for _, r := range rows {
		if r.skipped != "" {
			fmt.Fprintf(tw, "| %s\t —\t —\t —\t —\t —\t —\t\n", r.name+" ("+r.skipped+")")
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
		fmt.Fprintf(tw, "| %s\t %s\t %s\t %s\t %s\t %s\t %s\t\n", r.name, rate, ms(r.p50), ms(r.p99), errs, ratio, rss)
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
		if r.http && r.key != "bare" && r.skipped == "" {
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
		check(r.ratio >= 0.40, "GET /api/v1/cases/{id} >= 40% of the bare handler", fmt.Sprintf("%.0f%%", 100*r.ratio))
	}
	if r, ok := by["dashboard"]; ok {
		check(r.rate >= 2000 && r.p99 <= 50*time.Millisecond && r.errors == 0,
			"dashboard first page >= 2,000 requests/s, p99 <= 50 ms", fmt.Sprintf("%s/s, p99 %s", thousands(r.rate), ms(r.p99)))
	}
	if r, ok := by["writes"]; ok {
		check(r.rate >= 1000 && r.errors == 0, "32 writers: 0 errors, >= 1,000 writes/s, every write present, chain verifies",
			fmt.Sprintf("%s/s, %d errors", thousands(r.rate), r.errors))
	}
	if peak > 0 {
		check(peak <= 100e6, "peak RSS <= 100 MB under the HTTP workloads", fmt.Sprintf("%.0f MB", float64(peak)/1e6))
	}
	if r, ok := by["sweep0"]; ok {
		check(r.p50 <= 50*time.Millisecond, "sweep over 100,000 open cases, nothing due <= 50 ms", ms(r.p50))
	}
	if r, ok := by["cold"]; ok {
		check(r.p50 <= 300*time.Millisecond, "cold start to /readyz with 100,000 cases <= 300 ms", ms(r.p50))
	}
}
