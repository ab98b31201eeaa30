package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// measureWrk drives url with wrk (a second load generator, in C, with its
// own connections and threads) when it is installed: wrk -t2 -c<connections>
// --latency, a warm-up run first, with the same headers as vegeta's. It
// answers a skipped row when wrk is not on PATH.
func measureWrk(ctx context.Context, o options, key, name, url string, hdr http.Header) (row, error) {
	r := row{key: key, name: name, http: true}
	bin, err := exec.LookPath("wrk")
	if err != nil {
		r.skipped = "wrk not installed (Debian: apt-get install wrk)"
		logf("%s: skipped, wrk is not on PATH", name)
		return r, nil
	}
	args := []string{"-t2", fmt.Sprintf("-c%d", o.connections), "--timeout", "10s", "--latency"}
	for k, vs := range hdr {
		for _, v := range vs {
			args = append(args, "-H", k+": "+v)
		}
	}
	// wrk takes whole seconds.
	secs := func(d time.Duration) string { return fmt.Sprintf("%ds", max(1, int(math.Round(d.Seconds())))) }
	if o.warmup > 0 {
		logf("%s: warming up for %s", name, secs(o.warmup))
		if _, err := runWrk(ctx, bin, append(args, "-d"+secs(o.warmup), url), o.warmup); err != nil {
			return r, err
		}
	}
	logf("%s: measuring for %s", name, secs(o.duration))
	out, err := runWrk(ctx, bin, append(args, "-d"+secs(o.duration), url), o.duration)
	if err != nil {
		return r, err
	}
	res, err := parseWrk(out)
	if err != nil {
		return r, fmt.Errorf("wrk: %w\n%s", err, out)
	}
	r.total, r.errors, r.p50, r.p99 = res.requests, res.errors, res.p50, res.p99
	if res.elapsed > 0 {
		r.rate = float64(res.requests-res.errors) / res.elapsed.Seconds()
	}
	logf("%s: %.0f requests/s, p50 %s, p99 %s, %d errors of %d", name, r.rate, ms(r.p50), ms(r.p99), r.errors, r.total)
	return r, nil
}

// runWrk runs wrk for about d (bounded at d plus a minute) and returns its output.
func runWrk(ctx context.Context, bin string, args []string, d time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, d+time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput() // #nosec G204 -- wrk from PATH, our own arguments
	if err != nil {
		return string(out), fmt.Errorf("wrk: %w: %s", err, out)
	}
	return string(out), nil
}

// wrkResult is what wrk --latency reports.
type wrkResult struct {
	requests, errors int64
	elapsed          time.Duration
	p50, p99         time.Duration
}

// parseWrk reads wrk's report: the latency distribution, "N requests in
// 2.00s", "Non-2xx or 3xx responses: N" and "Socket errors: connect N, read
// N, write N, timeout N".
func parseWrk(out string) (wrkResult, error) {
	var res wrkResult
	var got50, got99, gotN bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 2 && (f[0] == "50%" || f[0] == "99%"):
			d, err := time.ParseDuration(f[1])
			if err != nil {
				return res, err
			}
			if f[0] == "50%" {
				res.p50, got50 = d, true
			} else {
				res.p99, got99 = d, true
			}
		case len(f) >= 4 && f[1] == "requests" && f[2] == "in":
			n, err := strconv.ParseInt(f[0], 10, 64)
			if err != nil {
				return res, err
			}
			d, err := time.ParseDuration(strings.TrimSuffix(f[3], ","))
			if err != nil {
				return res, err
			}
			res.requests, res.elapsed, gotN = n, d, true
		case strings.HasPrefix(sc.Text(), "  Non-2xx or 3xx responses:"):
			n, err := strconv.ParseInt(f[len(f)-1], 10, 64)
			if err != nil {
				return res, err
			}
			res.errors += n
		case len(f) > 2 && f[0] == "Socket" && f[1] == "errors:":
			for i := 2; i+1 < len(f); i += 2 {
				n, err := strconv.ParseInt(strings.TrimSuffix(f[i+1], ","), 10, 64)
				if err != nil {
					return res, err
				}
				res.errors += n
			}
		}
	}
	if !got50 || !got99 || !gotN {
		return res, fmt.Errorf("no latency distribution or request count in wrk's output")
	}
	return res, nil
}
