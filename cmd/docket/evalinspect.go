package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/inspect"
)

// cmdEvalInspect reads an Inspect log without a database and prints what an
// import would record, or why it would be refused: exit 0 when it would be
// imported, 1 when refused, 2 for a wrong command line. The benchmarks are
// --benchmarks FILE, else the configuration's benchmarks setting.
func cmdEvalInspect(_ context.Context, args []string, e env) int {
	var c common
	fs := newFlags("eval inspect", e, &c)
	benchFile := fs.String("benchmarks", "", "the benchmarks file whose Inspect mappings apply (default: the configuration's benchmarks setting)")
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files, rest = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	if len(files) != 1 {
		fmt.Fprintln(e.Stderr, "docket: eval inspect: give one Inspect log FILE (.eval or .json)")
		return 2
	}
	path := *benchFile
	if path == "" {
		cfg, err := load(c, e, nil)
		if err != nil {
			fmt.Fprintf(e.Stderr, "docket: %v\n", err)
			return 2
		}
		path = cfg.Benchmarks
	}
	bench, from, err := config.LoadBenchmarks(path)
	if err != nil {
		fmt.Fprintf(e.Stderr, "docket: %v\n", err)
		return 2
	}
	w := e.Stdout
	refused := func(err error) int {
		if de := docket.AsError(err); de != nil {
			fmt.Fprintf(w, "refused (%s, field %s): %s\n", httpStatusName(de.Code), de.Field, de.Message)
		} else {
			fmt.Fprintf(w, "refused: %v\n", err)
		}
		return 1
	}
	f, err := os.Open(files[0])
	if err != nil {
		return refused(docket.Unacceptable("file", "cannot be read: %v", err))
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return refused(docket.Unacceptable("file", "is not a regular file"))
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, f); err != nil {
		return refused(docket.Unacceptable("file", "cannot be read: %v", err))
	}
	digest := "sha256:" + hex.EncodeToString(sum.Sum(nil))
	fmt.Fprintf(w, "log:        %s (%d bytes, %s)\n", filepath.Base(files[0]), info.Size(), digest)
	fmt.Fprintf(w, "benchmarks: %s\n", from)
	l, err := inspect.Read(f, info.Size())
	if err != nil {
		return refused(err)
	}
	ev := l.Eval
	fmt.Fprintf(w, "format:     %s\n", l.Format)
	task := ev.TaskName()
	if ev.TaskVersion != "" {
		task += " (version " + ev.TaskVersion + ")"
	}
	fmt.Fprintf(w, "task:       %s\n", task)
	if len(ev.TaskArgs) > 0 && string(ev.TaskArgs) != "{}" {
		fmt.Fprintf(w, "task args:  %s\n", ev.TaskArgs)
	}
	fmt.Fprintf(w, "model:      %s\n", ev.Model)
	fmt.Fprintf(w, "run:        eval_id %s, run_id %s, created %s\n", orDash(ev.EvalID), orDash(ev.RunID), orDash(ev.Created))
	if ev.InspectVersion != "" {
		fmt.Fprintf(w, "inspect_ai: %s\n", ev.InspectVersion)
	}
	samples := fmt.Sprintf("%d of %d completed", l.Results.CompletedSamples, l.Results.TotalSamples)
	if ev.DatasetName != "" {
		samples += ", dataset " + ev.DatasetName
	}
	if ev.Epochs != nil {
		samples += fmt.Sprintf(", %d epoch(s)", *ev.Epochs)
	}
	fmt.Fprintf(w, "samples:    %s\n", samples)
	var scores []string
	for _, v := range l.Values() {
		scores = append(scores, fmt.Sprintf("%s/%s %g", v.Scorer, v.Metric, v.Value))
	}
	fmt.Fprintf(w, "scores:     %s\n", orDash(strings.Join(scores, ", ")))
	results, err := inspect.Map(l, bench)
	if err != nil {
		return refused(err)
	}
	fmt.Fprintln(w, "an import would record these benchmark results:")
	for _, r := range results {
		fmt.Fprintf(w, "  %s (version %s): %g, tier %s (from %s/%s %g)\n", r.BenchmarkID, r.BenchmarkVersion, r.Score, r.Tier, r.Scorer, r.Metric, r.Value)
	}
	fmt.Fprintln(w, "(on import a case also refuses a run or a file it already holds: the same eval_id and run_id, or the same sha256)")
	return 0
}

// httpStatusName is the HTTP status an import would answer for a refusal.
func httpStatusName(code string) string {
	switch code {
	case docket.ETooLarge:
		return "413"
	case docket.EConflict:
		return "409"
	case docket.EUnprocessable:
		return "422"
	}
	return code
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
