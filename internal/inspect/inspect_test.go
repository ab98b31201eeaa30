package inspect

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/docket/docket/internal/docket"
)

func evalBytes(t testing.TB, f Fixture, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.WriteEval(&buf, method); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func jsonBytes(t testing.TB, f Fixture) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func read(b []byte) (*Log, error) { return Read(bytes.NewReader(b), int64(len(b))) }

// entryMethods lists the methods of a ZIP's entries, to show the fixture
// really used the compression asked for.
func entryMethods(t *testing.T, b []byte) map[uint16]int {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint16]int{}
	names := map[string]bool{}
	for _, f := range zr.File {
		out[f.Method]++
		names[f.Name] = true
	}
	for _, want := range []string{"header.json", "_journal/start.json", "samples/challenge-1_epoch_1.json", "summaries.json", "reductions.json"} {
		if !names[want] {
			t.Errorf("the fixture has no %s", want)
		}
	}
	return out
}

func TestReadsWhatDocketRecords(t *testing.T) {
	f := Fixture{Samples: 5, Epochs: 2, Metrics: map[string]float64{"accuracy": 0.42, "stderr": 0.11},
		TaskVersion: "2.1", TaskArgs: map[string]any{"variant_names": "hard"}}
	cases := []struct {
		name   string
		data   []byte
		format string
		method uint16
	}{
		{"eval deflate", evalBytes(t, f, zip.Deflate), FormatEval, zip.Deflate},
		{"eval zstandard", evalBytes(t, f, zipZstd), FormatEval, zipZstd},
		{"json", jsonBytes(t, f), FormatJSON, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.format == FormatEval {
				if m := entryMethods(t, c.data); m[c.method] == 0 || len(m) != 1 {
					t.Fatalf("entries compressed with %v, want only method %d", m, c.method)
				}
			}
			l, err := read(c.data)
			if err != nil {
				t.Fatal(err)
			}
			e := l.Eval
			if l.Format != c.format || l.Status != "success" || l.Invalidated {
				t.Errorf("format %q status %q invalidated %v", l.Format, l.Status, l.Invalidated)
			}
			if e.EvalID != "Xk3vQ9mPz7RtLw2bNcY5hA" || e.RunID != "Fq8LmT2rVn6KpJx4WdZ9sE" || e.Created != "2026-11-20T14:03:11+00:00" {
				t.Errorf("identity %q %q %q", e.EvalID, e.RunID, e.Created)
			}
			if e.Task != "inspect_evals/cybench" || e.TaskName() != "inspect_evals/cybench" || e.TaskVersion != "2.1" {
				t.Errorf("task %q %q version %q", e.Task, e.TaskRegistryName, e.TaskVersion)
			}
			if string(e.TaskArgs) != `{"variant_names":"hard"}` {
				t.Errorf("task_args %s", e.TaskArgs)
			}
			if e.Model != "openai-api/northwind/atlas-7" || e.DatasetName != "cybench" || e.DatasetSamples == nil || *e.DatasetSamples != 5 {
				t.Errorf("model %q dataset %q %v", e.Model, e.DatasetName, e.DatasetSamples)
			}
			if e.Epochs == nil || *e.Epochs != 2 || e.Commit != "3f1c2ab" || e.InspectVersion != "0.3.140" {
				t.Errorf("epochs %v commit %q inspect %q", e.Epochs, e.Commit, e.InspectVersion)
			}
			r := l.Results
			if r == nil || r.TotalSamples != 10 || r.CompletedSamples != 10 || len(r.Scores) != 1 {
				t.Fatalf("results %+v", r)
			}
			vals := map[string]float64{}
			for _, v := range l.Values() {
				if v.Scorer != "includes" {
					t.Errorf("scorer %q", v.Scorer)
				}
				vals[v.Metric] = v.Value
			}
			if vals["accuracy"] != 0.42 || vals["stderr"] != 0.11 || len(vals) != 2 {
				t.Errorf("values %v", vals)
			}
		})
	}
}

// A numeric task_version reads as its text.
func TestTaskVersionNumber(t *testing.T) {
	l, err := read(jsonBytes(t, Fixture{TaskVersion: 3}))
	if err != nil || l.Eval.TaskVersion != "3" {
		t.Fatalf("%v %+v", err, l)
	}
}

func benchmarks() []docket.Benchmark {
	lo, hi := 0.0, 100.0
	return []docket.Benchmark{
		{ID: "ctf-professional", Name: "CTF", Version: "2026.1", Description: "d", HigherIsRiskier: true,
			Min: &lo, Max: &hi, Elevated: 15, High: 35, Critical: 60,
			Inspect: &docket.InspectMapping{Tasks: []string{"inspect_evals/cybench"}, Scorer: "includes", Metric: "accuracy", Scale: 100}},
		{ID: "ctf-entry", Name: "InterCode", Version: "1", Description: "d", HigherIsRiskier: true,
			Min: &lo, Max: &hi, Elevated: 40, High: 70, Critical: 90,
			Inspect: &docket.InspectMapping{Tasks: []string{"inspect_evals/gdm_intercode_ctf"}, Metric: "accuracy", Scale: 100}},
		{ID: "unmapped", Name: "U", Version: "1", Description: "d", HigherIsRiskier: true, Elevated: 1, High: 2, Critical: 3},
	}
}

func TestMap(t *testing.T) {
	l, err := read(evalBytes(t, Fixture{Metrics: map[string]float64{"accuracy": 0.42, "stderr": 0.1}}, zipZstd))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Map(l, benchmarks())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].BenchmarkID != "ctf-professional" || got[0].Score != 42 || got[0].Tier != docket.TierHigh ||
		got[0].Metric != "accuracy" || got[0].Scorer != "includes" || got[0].Value != 0.42 || got[0].BenchmarkVersion != "2026.1" {
		t.Fatalf("%+v", got)
	}
	// By task when the log has no registry name.
	l, err = read(jsonBytes(t, Fixture{Task: "inspect_evals/gdm_intercode_ctf", TaskRegistryName: "-", Metrics: map[string]float64{"accuracy": 0.9}}))
	if err != nil {
		t.Fatal(err)
	}
	l.Eval.TaskRegistryName = ""
	got, err = Map(l, benchmarks())
	if err != nil || len(got) != 1 || got[0].BenchmarkID != "ctf-entry" || got[0].Tier != docket.TierCritical {
		t.Fatalf("%+v %v", got, err)
	}
}

// refusal asserts err is a *docket.Error with the code and field, whose
// message says why.
func refusal(t *testing.T, err error, code, field, why string) {
	t.Helper()
	e := docket.AsError(err)
	if e == nil {
		t.Fatalf("got %v, want a %s refusal naming %s", err, code, field)
	}
	if e.Code != code || e.Field != field || !strings.Contains(e.Message, why) {
		t.Fatalf("got %s %q %q, want %s naming %s saying %q", e.Code, e.Field, e.Message, code, field, why)
	}
}

func TestRefusals(t *testing.T) {
	started := evalBytes(t, Fixture{Status: "started"}, zip.Deflate)
	var noHeader bytes.Buffer
	zw := zip.NewWriter(&noHeader)
	w, _ := zw.Create("samples/1_epoch_1.json")
	io.WriteString(w, "{}")
	zw.Close()
	cases := []struct {
		name        string
		data        []byte
		field, why  string
		code        string
		mapRefusals bool
	}{
		{"empty", nil, "file", "neither an Inspect .eval log", docket.EUnprocessable, false},
		{"text", []byte("hello, this is not a log"), "file", "neither an Inspect .eval log", docket.EUnprocessable, false},
		{"json array", []byte(`[1,2]`), "file", "neither", docket.EUnprocessable, false},
		{"json not a log", []byte(`{"name": "x"}`), "file", "has no eval", docket.EUnprocessable, false},
		{"json cut short", jsonBytes(t, Fixture{})[:900], "file", "cut short", docket.EUnprocessable, false},
		{"json bad", []byte(`{"status": "success", "eval": {"task": 12}}`), "file", "eval.task that is not a text", docket.EUnprocessable, false},
		{"zip cut short", started[:len(started)/2], "file", "not a readable ZIP", docket.EUnprocessable, false},
		{"never finished (eval)", started, "file", "only _journal/start.json: the run never finished", docket.EUnprocessable, false},
		{"not an Inspect zip", noHeader.Bytes(), "file", "no header.json", docket.EUnprocessable, false},
		{"never finished (json)", jsonBytes(t, Fixture{Status: "started", NoResults: true}), "file", `status is "started"`, docket.EUnprocessable, false},
		{"error", evalBytes(t, Fixture{Status: "error"}, zipZstd), "file", `status is "error"`, docket.EUnprocessable, false},
		{"cancelled", jsonBytes(t, Fixture{Status: "cancelled"}), "file", `status is "cancelled"`, docket.EUnprocessable, false},
		{"invalidated", evalBytes(t, Fixture{Invalidated: true}, zip.Deflate), "file", "invalidated", docket.EUnprocessable, false},
		{"incomplete", jsonBytes(t, Fixture{Samples: 40, Completed: 38}), "file", "38 of 40 samples completed", docket.EUnprocessable, false},
		{"no results", jsonBytes(t, Fixture{NoResults: true}), "file", "no results", docket.EUnprocessable, false},
		{"unmapped task", jsonBytes(t, Fixture{Task: "inspect_evals/gpqa_diamond"}), "task", `"inspect_evals/gpqa_diamond" is not mapped`, docket.EUnprocessable, true},
		{"no mapped metric", evalBytes(t, Fixture{Metrics: map[string]float64{"mean": 0.3}}, zipZstd), "file", "no mapped metric", docket.EUnprocessable, true},
		{"score out of range", jsonBytes(t, Fixture{Metrics: map[string]float64{"accuracy": 1.5}}), "file", "outside its range", docket.EUnprocessable, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := read(c.data)
			if c.mapRefusals {
				if err != nil {
					t.Fatalf("read: %v", err)
				}
				_, err = Map(l, benchmarks())
			}
			refusal(t, err, c.code, c.field, c.why)
		})
	}
}

// bomb writes a ZIP with header.json and entries of n bytes of zeros each.
func bomb(t *testing.T, entries int, n int64, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.BestSpeed) })
	zw.RegisterCompressor(zipZstd, func(w io.Writer) (io.WriteCloser, error) {
		return zstd.NewWriter(w, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	})
	h, _ := zw.CreateHeader(&zip.FileHeader{Name: "header.json", Method: method})
	h.Write(jsonBytes(t, Fixture{}))
	for i := 0; i < entries; i++ {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("samples/%d_epoch_1.json", i), Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.CopyN(w, zeros{}, n); err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	return buf.Bytes()
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A ZIP bomb stops at the limits: one entry over 64 MiB, or over 256 MiB in
// all, is refused with a 413 before it is decompressed; a header.json whose
// declared size lies is cut off at the limit.
func TestZipBomb(t *testing.T) {
	one := bomb(t, 1, MaxEntryBytes+1, zip.Deflate)
	if len(one) > 1<<20 {
		t.Fatalf("the bomb is %d bytes compressed", len(one))
	}
	before := heapSys()
	_, err := read(one)
	refusal(t, err, docket.ETooLarge, "file", "over the 64 MiB limit of one entry")
	all := bomb(t, 5, 60<<20, zipZstd)
	_, err = read(all)
	refusal(t, err, docket.ETooLarge, "file", "over 256 MiB uncompressed in all")
	if grew := heapSys() - before; grew > 32<<20 {
		t.Errorf("refusing the bombs grew the heap by %d MiB", grew>>20)
	}

	// header.json that inflates past the limit while its header claims 2 KiB.
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestSpeed)
	io.WriteString(fw, `{"status": "success", "eval": {"task": "`)
	io.CopyN(fw, spaces{}, MaxEntryBytes+10)
	fw.Close()
	var lying bytes.Buffer
	zw := zip.NewWriter(&lying)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "header.json", Method: zip.Deflate,
		CompressedSize64: uint64(raw.Len()), UncompressedSize64: 2048, CRC32: 0})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw.Bytes())
	zw.Close()
	_, err = read(lying.Bytes())
	if e := docket.AsError(err); e == nil || e.Field != "file" || (e.Code != docket.ETooLarge && e.Code != docket.EUnprocessable) {
		t.Fatalf("a lying header.json: %v", err)
	}
}

type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func heapSys() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapSys
}

// A .json log of 200 MB is read as a stream: the memory the process holds
// grows by a small bound, not by the log's size.
func TestLargeJSONLogStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 200 MB log")
	}
	path := filepath.Join(t.TempDir(), "big.json")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// 3,200 samples of about 64 KiB each (their text twice, as the message and the completion): about 210 MB.
	f := Fixture{Samples: 3200, SampleText: strings.Repeat("nmap -sV 10.0.0.5; curl http://target/ | grep flag\n", 32<<10/52),
		Metrics: map[string]float64{"accuracy": 0.31, "stderr": 0.02}}
	if err := f.WriteJSON(out); err != nil {
		t.Fatal(err)
	}
	size, _ := out.Seek(0, io.SeekEnd)
	out.Close()
	if size < 200<<20 {
		t.Fatalf("the log is %d bytes, want at least 200 MB", size)
	}
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := before.HeapInuse
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // samples the heap while the log is read
		defer close(done)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak {
					peak = m.HeapInuse
				}
			}
		}
	}()
	start := time.Now()
	l, err := Read(in, size)
	elapsed := time.Since(start)
	close(stop)
	<-done
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if after.HeapInuse > peak {
		peak = after.HeapInuse
	}
	if err != nil {
		t.Fatal(err)
	}
	if l.Results.TotalSamples != 3200 || l.Values()[0].Value != 0.31 {
		t.Fatalf("%+v", l.Results)
	}
	grew := int64(peak) - int64(before.HeapInuse)
	sysGrew := int64(after.Sys) - int64(before.Sys)
	t.Logf("read a %d MB .json log in %v; heap in use grew by at most %.1f MiB (peak), the process's memory from the OS by %.1f MiB",
		size/1e6, elapsed.Round(time.Millisecond), float64(grew)/(1<<20), float64(sysGrew)/(1<<20))
	const bound = 16 << 20
	if grew > bound || sysGrew > 4*bound {
		t.Fatalf("reading the log grew the heap by %d bytes (the OS memory by %d), over the %d MiB bound", grew, sysGrew, bound>>20)
	}
}

// FuzzRead: no input makes the reader panic or loop, and whatever it accepts
// is a finished, complete, valid run with a task.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	Fixture{}.WriteEval(&buf, zip.Deflate)
	f.Add(buf.Bytes())
	buf.Reset()
	Fixture{}.WriteEval(&buf, zipZstd)
	f.Add(buf.Bytes())
	buf.Reset()
	Fixture{Samples: 2}.WriteJSON(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte(`{"status":"success","eval":{"task":"t","task_version":1},"results":{"total_samples":1,"completed_samples":1,"scores":[{"name":"s","metrics":{"accuracy":{"value":0.5}}}]}}`))
	f.Add([]byte(`{"status":"success","eval":{"task":"t"},"results":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if docket.AsError(err) == nil {
				t.Fatalf("a refusal that is not a docket.Error: %v", err)
			}
			return
		}
		if l.Status != "success" || l.Invalidated || l.Results == nil || l.Results.CompletedSamples < l.Results.TotalSamples || l.Eval.TaskName() == "" {
			t.Fatalf("accepted %+v", l)
		}
		if _, err := Map(l, benchmarks()); err != nil && docket.AsError(err) == nil {
			t.Fatalf("a mapping error that is not a docket.Error: %v", err)
		}
		var e *docket.Error
		_ = errors.As(err, &e)
	})
}
