// Command docket-bench is Docket's performance benchmark, run by scripts/bench.
//
// It seeds fresh databases through the store in batches (SQLite files, or
// with --db a fresh PostgreSQL schema per dataset), starts the real docket
// binary on 127.0.0.1 with its request log on, drives it with vegeta (as a
// library) at 32 connections after a warm-up, and with wrk when it is
// installed, measures a bare Echo handler in a separate process as the
// ceiling, times the sweep and the cold start, and prints one table. On
// PostgreSQL it also runs two replicas behind the same load and, when asked,
// the national-scale dataset. Every loop is bounded in count and time.
//
//	docket-bench --docket ./docket [--cases 10000] [--duration 10s] [--db postgres://...]
//	docket-bench bare   (internal: the bare Echo handler)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// options are the benchmark's flags.
type options struct {
	docket      string
	config      string
	cases       int
	bigCases    int
	duration    time.Duration
	warmup      time.Duration
	connections int
	starts      int
	sweeps      int
	only        string
	keep        bool
	dir         string
	// db is the PostgreSQL database the datasets go into (each in a schema
	// of its own, made and dropped by pg); empty: SQLite files in dir.
	db string
	pg *schemas
	// national runs the national-scale workload, over nationalCases cases
	// and an audit chain of nationalAudit events.
	national      bool
	nationalCases int
	nationalAudit int
	// check fails the run when a workload had errors or did nothing (CI);
	// timings are never asserted.
	check bool
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		if err := serveBare(); err != nil {
			fmt.Fprintln(os.Stderr, "docket-bench bare:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	fs := flag.NewFlagSet("docket-bench", flag.ContinueOnError)
	fs.StringVar(&o.docket, "docket", "", "the docket binary to measure (required; scripts/bench builds it)")
	fs.StringVar(&o.config, "config", "configs/docket.yaml", "the configuration file the server runs with")
	fs.IntVar(&o.cases, "cases", 10000, "cases in the database the HTTP workloads run against")
	fs.IntVar(&o.bigCases, "big-cases", 100000, "cases for the sweep and the cold start")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per HTTP workload")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "warm-up before each HTTP workload (not measured)")
	fs.IntVar(&o.connections, "connections", 32, "concurrent connections of the load generator")
	fs.IntVar(&o.starts, "starts", 5, "cold starts to time")
	fs.IntVar(&o.sweeps, "sweeps", 20, "sweeps to time (at most, and at most 20 s)")
	fs.StringVar(&o.only, "only", "", "comma-separated workloads to run: bare,case,dashboard,wrk,deep,page,clearinghouse,replicas,mixed,writes,sweep,cold,national\n"+
		"(default all but national; replicas and national need --db)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (databases and request logs) and the PostgreSQL schemas")
	fs.StringVar(&o.db, "db", "", "a PostgreSQL URL (postgres://...): every dataset goes into a fresh schema of that database; default SQLite files")
	fs.BoolVar(&o.national, "national", false, "also run the national-scale workload (PostgreSQL; long), as --only national does")
	fs.IntVar(&o.nationalCases, "national-cases", 1000000, "cases of the national-scale dataset")
	fs.BoolVar(&o.check, "check", false, "exit non-zero when a workload had errors or made no request (for CI: timings are not checked)")
	fs.IntVar(&o.nationalAudit, "national-audit", 10000000, "audit events of the national-scale dataset (the chain is padded with sign-ins up to it)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		os.Exit(2)
	}
	if o.docket == "" {
		fmt.Fprintln(os.Stderr, "docket-bench: --docket is required (run scripts/bench)")
		os.Exit(2)
	}
	if o.cases < 100 || o.bigCases < 100 || o.nationalCases < 100 || o.duration <= 0 || o.connections < 1 || o.starts < 1 || o.sweeps < 1 {
		fmt.Fprintln(os.Stderr, "docket-bench: --cases, --big-cases and --national-cases need at least 100; durations and counts must be positive")
		os.Exit(2)
	}
	if o.db != "" && !strings.HasPrefix(o.db, "postgres://") && !strings.HasPrefix(o.db, "postgresql://") {
		fmt.Fprintln(os.Stderr, "docket-bench: --db takes a PostgreSQL URL (postgres://...); without it the datasets are SQLite files")
		os.Exit(2)
	}
	if o.db == "" && (o.wants("national") || o.only != "" && o.wants("replicas")) {
		fmt.Fprintln(os.Stderr, "docket-bench: the replicas and national workloads run on PostgreSQL: give --db")
		os.Exit(2)
	}
	var err error
	if o.docket, err = filepath.Abs(o.docket); err == nil {
		o.config, err = filepath.Abs(o.config)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "docket-bench:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "docket-bench:", err)
		os.Exit(1)
	}
}

// wants reports whether the workload name is to run: every one when --only
// is not given, except national, which runs only when asked for.
func (o options) wants(name string) bool {
	if name == "national" && o.national {
		return true
	}
	if o.only == "" {
		return name != "national"
	}
	for _, w := range strings.Split(o.only, ",") {
		if strings.TrimSpace(w) == name {
			return true
		}
	}
	return false
}

func run(ctx context.Context, o options) error {
	dir, err := os.MkdirTemp("", "docket-bench-")
	if err != nil {
		return err
	}
	o.dir = dir
	if o.keep {
		logf("keeping %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	if o.db != "" {
		if o.pg, err = openSchemas(ctx, o.db); err != nil {
			return err
		}
		defer o.pg.close(o.keep)
	}
	logf("machine: %s", machine())
	logf("load average before: %s", loadAverage())
	var rows []row
	var notes []string

	// The ceiling: a bare Echo handler in its own process.
	var bare *row
	if o.wants("bare") || o.wants("case") {
		r, err := measureBare(ctx, o)
		if err != nil {
			return fmt.Errorf("bare handler: %w", err)
		}
		bare = &r
		rows = append(rows, r)
	}

	// The HTTP workloads against the real binary over N cases.
	httpRows, httpNotes, err := measureServer(ctx, o)
	if err != nil {
		return err
	}
	rows = append(rows, httpRows...)
	notes = append(notes, httpNotes...)

	if o.wants("sweep") {
		r, err := measureSweeps(ctx, o)
		if err != nil {
			return fmt.Errorf("sweep: %w", err)
		}
		rows = append(rows, r...)
	}
	if o.wants("cold") {
		r, n, err := measureColdStart(ctx, o)
		if err != nil {
			return fmt.Errorf("cold start: %w", err)
		}
		rows = append(rows, r)
		notes = append(notes, n...)
	}
	if o.wants("national") {
		r, n, err := measureNational(ctx, o)
		if err != nil {
			return fmt.Errorf("national: %w", err)
		}
		rows = append(rows, r...)
		notes = append(notes, n...)
	}
	if bare != nil {
		for i := range rows {
			if rows[i].http && rows[i].rate > 0 {
				rows[i].ratio = rows[i].rate / bare.rate
			}
		}
	}
	fmt.Println()
	fmt.Printf("Docket benchmark on %s: %d cases (sweep and cold start: %d), %d connections, %s per workload after %s of warm-up\n",
		o.engine(), o.cases, o.bigCases, o.connections, o.duration, o.warmup)
	fmt.Printf("machine: %s; load average after: %s\n\n", machine(), loadAverage())
	printTable(os.Stdout, rows)
	fmt.Println()
	for _, n := range notes {
		fmt.Println("- " + n)
	}
	printTargets(os.Stdout, rows)
	if o.check {
		var broken []string
		for _, r := range rows {
			if r.skipped == "" && (r.errors > 0 || r.total == 0) {
				broken = append(broken, fmt.Sprintf("%s (%d errors of %d)", r.name, r.errors, r.total))
			}
		}
		if len(broken) > 0 {
			return fmt.Errorf("--check: broken workloads: %s", strings.Join(broken, "; "))
		}
	}
	return nil
}

// engine names the database the datasets are in.
func (o options) engine() string {
	if o.db != "" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// logf reports progress on stderr, so that stdout holds the table alone.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// machine describes the machine: processors, CPU model and memory.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := "? GB"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "MemTotal:") {
				fmt.Sscanf(strings.TrimPrefix(line, "MemTotal:"), "%d", &kb)
			}
		}
		mem = fmt.Sprintf("%.1f GB", float64(kb)/1024/1024)
	}
	return fmt.Sprintf("%d CPUs (%s), %s RAM, %s", runtime.NumCPU(), model, mem, runtime.Version())
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
