package main

import (
	"testing"
	"time"
)

func TestParseWrk(t *testing.T) {
	out := `Running 2s test @ http://127.0.0.1:40000/api/v1/dashboard?limit=50
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     5.21ms    3.10ms  41.02ms   80.00%
    Req/Sec     3.10k   200.00     3.50k    70.00%
  Latency Distribution
     50%  850.00us
     75%    6.00ms
     90%    9.00ms
     99%    1.02s
  12345 requests in 2.00s, 45.00MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:   6172.50
Transfer/sec:     22.50MB
`
	r, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.requests != 12345 || r.errors != 7 || r.elapsed != 2*time.Second || r.p50 != 850*time.Microsecond || r.p99 != 1020*time.Millisecond {
		t.Fatalf("%+v", r)
	}
	if _, err := parseWrk("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Fatal("no error for wrk's failure")
	}
}
