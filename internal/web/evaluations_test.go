package web_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/inspect"
)

// logBytes writes a fixture log: .eval (Zstandard entries) or .json.
func logBytes(t *testing.T, f inspect.Fixture, format string) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	if format == "json" {
		err = f.WriteJSON(&buf)
	} else {
		err = f.WriteEval(&buf, 93)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// importLog uploads a log to POST /cases/{id}/evaluations as a user.
func (w *world) importLog(user, caseID, name string, content []byte, fields map[string]string) response {
	w.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	part, _ := mw.CreateFormFile("file", name)
	_, _ = part.Write(content)
	_ = mw.Close()
	return w.sendRaw(user, "/api/v1/cases/"+caseID+"/evaluations", mw.FormDataContentType(), &buf)
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// wantRefusal checks an error answer's status, field and reason.
func wantRefusal(t *testing.T, r response, code int, field, why string) {
	t.Helper()
	want(t, r, code)
	e, _ := r.JSON()["error"].(map[string]any)
	if e == nil || e["field"] != field || !strings.Contains(fmt.Sprint(e["message"]), why) {
		t.Fatalf("want %d naming %s saying %q, got %s", code, field, why, r.Body)
	}
}

func TestEvaluationImport(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("in_review").caseID
	path := "/api/v1/cases/" + id
	tier := func() any { return w.get("co", path)["risk_tier"] }
	count := func() int { return len(w.get("lead", path+"/evaluations")["items"].([]any)) }
	results := func() int { return len(w.get("lead", path+"/benchmark-results")["items"].([]any)) }
	files := len(w.attachmentFiles())

	// A reviewer uploads a Cybench log: 42.5% solved is high on the professional CTF suite.
	cybench := logBytes(t, inspect.Fixture{Samples: 40, Metrics: map[string]float64{"accuracy": 0.425, "stderr": 0.078}}, "eval")
	r := w.importLog("rev", id, "2026-11-20T14-03-11_cybench.eval", cybench, map[string]string{"run_by": "agency", "notes": "Sandbox 3."})
	want(t, r, 201)
	ev := r.JSON()
	file := ev["file"].(map[string]any)
	if ev["format"] != "eval" || ev["task"] != "inspect_evals/cybench" || ev["task_version"] != "1" || ev["model"] != "openai-api/northwind/atlas-7" ||
		ev["eval_id"] != "Xk3vQ9mPz7RtLw2bNcY5hA" || ev["run_id"] != "Fq8LmT2rVn6KpJx4WdZ9sE" || ev["inspect_version"] != "0.3.140" ||
		ev["total_samples"] != 40.0 || ev["completed_samples"] != 40.0 || ev["run_by"] != "agency" || ev["notes"] != "Sandbox 3." ||
		ev["imported_by"] != w.users["rev"].ID || file["sha256"] != digest(cybench) || file["size"] != float64(len(cybench)) ||
		file["name"] != "2026-11-20T14-03-11_cybench.eval" {
		t.Fatalf("evaluation: %s", r.Body)
	}
	if args := ev["task_args"].(map[string]any); args["variant_names"] != "hard" {
		t.Fatalf("task_args: %v", args)
	}
	made := ev["results"].([]any)
	if len(made) != 1 {
		t.Fatalf("results: %v", made)
	}
	res := made[0].(map[string]any)
	src := res["source"].(map[string]any)
	if res["benchmark_id"] != "ctf-professional" || res["score"] != 42.5 || res["tier"] != "high" || res["run_by"] != "agency" ||
		src["evaluation_id"] != ev["id"] || src["log_sha256"] != digest(cybench) {
		t.Fatalf("result: %v", res)
	}
	if tier() != "high" {
		t.Fatalf("tier after the import: %v", tier())
	}
	// The log is kept as an attachment of kind eval_log, with the same digest.
	at := w.get("rev", "/api/v1/attachments/"+ev["attachment_id"].(string))
	if at["kind"] != "eval_log" || at["sha256"] != digest(cybench) || at["content_type"] != "application/zip" {
		t.Fatalf("attachment: %v", at)
	}
	// The results list carries the source; a result recorded by hand has none.
	want(t, w.as("rev", "POST", path+"/benchmark-results", resultBody("exploit-speed", 600)), 201)
	for _, it := range w.get("rev", path+"/benchmark-results")["items"].([]any) {
		m := it.(map[string]any)
		if (m["benchmark_id"] == "ctf-professional") != (m["source"] != nil) {
			t.Fatalf("source on %v", m)
		}
	}
	// The evaluation reads back the same, with its results.
	got := w.get("lead", "/api/v1/evaluations/"+ev["id"].(string))
	if got["id"] != ev["id"] || len(got["results"].([]any)) != 1 || len(got["scores"].([]any)) != 2 {
		t.Fatalf("read back: %v", got)
	}
	// The audit event names the log's hash, never its content or scores.
	audit := w.as("lead", "GET", path+"/audit", nil)
	want(t, audit, 200)
	if !strings.Contains(audit.Body, "evaluation.imported") || !strings.Contains(audit.Body, digest(cybench)) ||
		strings.Contains(audit.Body, "0.425") || strings.Contains(audit.Body, "atlas-7") {
		t.Fatalf("audit: %s", audit.Body)
	}

	// The same file again, or the same run in the other format: 409 naming the first.
	wantRefusal(t, w.importLog("lead", id, "again.eval", cybench, map[string]string{"run_by": "agency"}), 409, "file", ev["id"].(string))
	sameRun := logBytes(t, inspect.Fixture{Samples: 40, Metrics: map[string]float64{"accuracy": 0.425}}, "json")
	wantRefusal(t, w.importLog("lead", id, "again.json", sameRun, map[string]string{"run_by": "agency"}), 409, "file", "the same run")

	// Every refusal stores nothing: no evaluation, no result, no file.
	before, beforeResults, beforeFiles := count(), results(), len(w.attachmentFiles())
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	h, _ := zw.CreateHeader(&zip.FileHeader{Name: "header.json", Method: zip.Deflate})
	h.Write(logBytes(t, inspect.Fixture{EvalID: "bomb"}, "json"))
	big, _ := zw.CreateHeader(&zip.FileHeader{Name: "samples/1_epoch_1.json", Method: zip.Deflate})
	io.CopyN(big, zeroReader{}, inspect.MaxEntryBytes+1)
	zw.Close()
	for _, tc := range []struct {
		name    string
		content []byte
		fields  map[string]string
		code    int
		field   string
		why     string
	}{
		{"not a log", []byte("%PDF-1.7 a report"), nil, 422, "file", "neither an Inspect .eval log"},
		{"never finished", logBytes(t, inspect.Fixture{EvalID: "e1", Status: "started"}, "eval"), nil, 422, "file", "the run never finished"},
		{"error", logBytes(t, inspect.Fixture{EvalID: "e2", Status: "error"}, "json"), nil, 422, "file", `status is "error"`},
		{"cancelled", logBytes(t, inspect.Fixture{EvalID: "e3", Status: "cancelled"}, "eval"), nil, 422, "file", `status is "cancelled"`},
		{"invalidated", logBytes(t, inspect.Fixture{EvalID: "e4", Invalidated: true}, "eval"), nil, 422, "file", "invalidated"},
		{"incomplete", logBytes(t, inspect.Fixture{EvalID: "e5", Samples: 40, Completed: 39}, "json"), nil, 422, "file", "39 of 40 samples"},
		{"unmapped task", logBytes(t, inspect.Fixture{EvalID: "e6", Task: "inspect_evals/gpqa_diamond"}, "eval"), nil, 422, "task", "inspect_evals/gpqa_diamond"},
		{"no mapped metric", logBytes(t, inspect.Fixture{EvalID: "e7", Metrics: map[string]float64{"mean": 0.5}}, "eval"), nil, 422, "file", "no mapped metric"},
		{"zip bomb", bomb.Bytes(), nil, 413, "file", "64 MiB"},
		{"no run_by", logBytes(t, inspect.Fixture{EvalID: "e8"}, "eval"), map[string]string{}, 422, "run_by", "lab or agency"},
		{"bad run_by", logBytes(t, inspect.Fixture{EvalID: "e9"}, "eval"), map[string]string{"run_by": "vendor"}, 422, "run_by", "lab or agency"},
		{"unknown field", logBytes(t, inspect.Fixture{EvalID: "e10"}, "eval"), map[string]string{"run_by": "lab", "score": "99"}, 400, "score", "not a field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fields := tc.fields
			if fields == nil {
				fields = map[string]string{"run_by": "agency"}
			}
			wantRefusal(t, w.importLog("rev", id, tc.name+".eval", tc.content, fields), tc.code, tc.field, tc.why)
			if count() != before || results() != beforeResults || len(w.attachmentFiles()) != beforeFiles {
				t.Fatalf("a refusal stored something: %d evaluations, %d results, %d files", count(), results(), len(w.attachmentFiles()))
			}
		})
	}
	if files+1 != beforeFiles {
		t.Fatalf("files: %d before, %d after one import", files, beforeFiles)
	}

	// Who may import: not labs or compliance officers (403), not a reviewer
	// of another case (404), not before attesting (409).
	other := logBytes(t, inspect.Fixture{EvalID: "other"}, "eval")
	want(t, w.importLog("lab", id, "x.eval", other, map[string]string{"run_by": "lab"}), 403)
	want(t, w.importLog("co", id, "x.eval", other, map[string]string{"run_by": "lab"}), 403)
	want(t, w.importLog("rev2", id, "x.eval", other, map[string]string{"run_by": "lab"}), 404)
	want(t, w.as("co", "GET", path+"/evaluations", nil), 403)
	want(t, w.as("rival", "GET", path+"/evaluations", nil), 404)
	want(t, w.as("rival", "GET", "/api/v1/evaluations/"+ev["id"].(string), nil), 404)
	// The lab does not see the agency's evaluation.
	if items := w.get("lab", path+"/evaluations")["items"].([]any); len(items) != 0 {
		t.Fatalf("the lab sees the agency's evaluation: %v", items)
	}
	want(t, w.as("lab", "GET", "/api/v1/evaluations/"+ev["id"].(string), nil), 404)

	// A lab attaches its own log (kind eval_log); a ZIP of any other kind is refused.
	labLog := logBytes(t, inspect.Fixture{EvalID: "LabRun1", RunID: "LabRun1r", Task: "inspect_evals/gdm_intercode_ctf",
		Metrics: map[string]float64{"accuracy": 0.92}}, "eval")
	want(t, w.upload("lab", path+"/attachments", "evidence", "run.eval", labLog), 415)
	wantRefusal(t, w.upload("lab", path+"/attachments", "eval_log", "run.eval", logBytes(t, inspect.Fixture{Status: "error"}, "eval")), 422, "file", `status is "error"`)
	r = w.upload("lab", path+"/attachments", "eval_log", "run.eval", labLog)
	want(t, r, 201)
	attID := r.JSON()["id"].(string)
	// The lead imports it: InterCode CTF at 92% is critical.
	wantRefusal(t, w.as("lead", "POST", path+"/evaluations", map[string]any{"run_by": "lab"}), 422, "attachment_id", "is required")
	wantRefusal(t, w.as("lead", "POST", path+"/evaluations", map[string]any{"attachment_id": ev["attachment_id"], "run_by": "lab", "notes": "x"}), 409, "file", "the same file")
	r = w.as("lead", "POST", path+"/evaluations", map[string]any{"attachment_id": attID, "run_by": "lab"})
	want(t, r, 201)
	labEv := r.JSON()
	if labEv["attachment_id"] != attID || labEv["task"] != "inspect_evals/gdm_intercode_ctf" || labEv["results"].([]any)[0].(map[string]any)["tier"] != "critical" {
		t.Fatalf("lab's log: %s", r.Body)
	}
	if tier() != "critical" {
		t.Fatalf("tier after the lab's log: %v", tier())
	}
	// The lab sees that evaluation's metadata, never its scores.
	items := w.get("lab", path+"/evaluations")["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("the lab sees %d evaluations", len(items))
	}
	mine := items[0].(map[string]any)
	if mine["id"] != labEv["id"] || mine["scores"] != nil || mine["results"] != nil || mine["file"].(map[string]any)["sha256"] != digest(labLog) {
		t.Fatalf("the lab's view: %v", mine)
	}
	// The agency sees both, the latest first.
	if items := w.get("rev", path+"/evaluations")["items"].([]any); len(items) != 2 || items[0].(map[string]any)["id"] != labEv["id"] {
		t.Fatalf("the agency's list: %v", items)
	}

	// The decision statement names the logs the review considered, by hash, without scores.
	want(t, w.as("lead", "POST", path+"/decision", map[string]any{"outcome": "concerns_noted", "rationale": "Capable at CTFs."}), 200)
	claims := claimsOf(t, w.get("lab", path+"/statement")["statement"].(string))
	for _, wantText := range []string{`"evaluations":[`, `"task":"inspect_evals/cybench"`, `"log_sha256":"` + digest(cybench) + `"`,
		`"log_sha256":"` + digest(labLog) + `"`, `"eval_id":"LabRun1"`, `"run_by":"lab"`, `"task_version":"1"`} {
		if !strings.Contains(claims, wantText) {
			t.Errorf("the statement lacks %s: %s", wantText, claims)
		}
	}
	if strings.Contains(claims, "0.425") || strings.Contains(claims, "42.5") || strings.Contains(claims, "accuracy") {
		t.Errorf("the statement carries scores: %s", claims)
	}
	if strings.Index(claims, digest(cybench)) > strings.Index(claims, digest(labLog)) {
		t.Errorf("the statement's evaluations are not oldest first: %s", claims)
	}
	// A decided case takes no more evaluations.
	want(t, w.importLog("lead", id, "late.eval", other, map[string]string{"run_by": "agency"}), 409)
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A lab's cases of one model form a line of versions: each result shows the
// same benchmark's latest on the previous case, and a result two tiers above
// it is a capability jump, which the sweep escalates to the case lead and
// every lead until one acknowledges it.
func TestCapabilityJump(t *testing.T) {
	w := newWorld(t)
	w.addUser("lead2", "review_lead", "Agency")
	v1 := w.caseIn("in_review").caseID
	want(t, w.as("rev", "POST", "/api/v1/cases/"+v1+"/benchmark-results", resultBody("ctf-professional", 12)), 201) // low
	w.clock.Advance(24 * time.Hour)
	v2 := w.caseIn("in_review").caseID
	p2 := "/api/v1/cases/" + v2
	// elevated over low: no jump.
	r := w.importLog("rev", v2, "run1.eval", logBytes(t, inspect.Fixture{EvalID: "j1", Metrics: map[string]float64{"accuracy": 0.2}}, "eval"), map[string]string{"run_by": "agency"})
	want(t, r, 201)
	prev := r.JSON()["results"].([]any)[0].(map[string]any)["previous"].(map[string]any)
	if prev["case_id"] != v1 || prev["score"] != 12.0 || prev["tier"] != "low" || prev["model_version"] != "1.0" || prev["case_number"] == "" {
		t.Fatalf("previous: %v", prev)
	}
	w.sweep()
	if n := countRule(w, "lead2", "case.capability_jump"); n != 0 {
		t.Fatalf("an elevated result over a low one escalated %d times", n)
	}
	// 35 is high: two tiers above low, a jump.
	w.clock.Advance(time.Hour)
	r = w.importLog("rev", v2, "run2.eval", logBytes(t, inspect.Fixture{EvalID: "j2", Metrics: map[string]float64{"accuracy": 0.35}}, "eval"), map[string]string{"run_by": "agency"})
	want(t, r, 201)
	items := w.get("rev", p2+"/benchmark-results")["items"].([]any)
	for _, it := range items {
		m := it.(map[string]any)
		if m["previous"] == nil || m["previous"].(map[string]any)["tier"] != "low" {
			t.Fatalf("previous on %v", m)
		}
	}
	// v1's own results have no previous version.
	for _, it := range w.get("rev", "/api/v1/cases/"+v1+"/benchmark-results")["items"].([]any) {
		if it.(map[string]any)["previous"] != nil {
			t.Fatalf("the first version has a previous: %v", it)
		}
	}
	w.sweep()
	for _, u := range []string{"lead", "lead2"} {
		if n := countRule(w, u, "case.capability_jump"); n != 1 {
			t.Fatalf("%s got %d capability-jump escalations, want 1", u, n)
		}
	}
	if n := countRule(w, "co", "case.capability_jump"); n != 0 {
		t.Fatalf("a compliance officer got the capability jump")
	}
	// It repeats a day later until acknowledged.
	w.clock.Advance(25 * time.Hour)
	w.sweep()
	if n := countRule(w, "lead2", "case.capability_jump"); n != 2 {
		t.Fatalf("after a day lead2 has %d, want the repeat", n)
	}
	var nid string
	for _, it := range w.get("lead", "/api/v1/inbox")["items"].([]any) {
		if m := it.(map[string]any); m["rule"] == "case.capability_jump" {
			nid = m["notification_id"].(string)
		}
	}
	want(t, w.as("lead", "POST", "/api/v1/notifications/"+nid+"/ack", nil), 200)
	w.clock.Advance(25 * time.Hour)
	w.sweep()
	if n := countRule(w, "lead2", "case.capability_jump"); n != 2 {
		t.Fatalf("after the acknowledgement lead2 has %d, want no more", n)
	}
}

// countRule counts a user's inbox items of a rule.
func countRule(w *world, user, rule string) int {
	n := 0
	for _, it := range w.get(user, "/api/v1/inbox?limit=200")["items"].([]any) {
		if it.(map[string]any)["rule"] == rule {
			n++
		}
	}
	return n
}

// evaluationForm builds the case page's import form as a browser sends it:
// the CSRF token first, then run_by and the file.
func evaluationForm(token, runBy, name string, content []byte) (string, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", token)
	if runBy != "" {
		_ = mw.WriteField("run_by", runBy)
	}
	part, _ := mw.CreateFormFile("file", name)
	_, _ = part.Write(content)
	_ = mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

// A reviewer imports a log from the case page and sees the evaluation, the
// result it made, the new risk tier and the line's chart; a refused log shows
// the form again saying why; the lab sees none of it.
func TestEvaluationOnCasePage(t *testing.T) {
	w := newWorld(t)
	v1 := w.caseIn("in_review").caseID
	want(t, w.as("rev", "POST", "/api/v1/cases/"+v1+"/benchmark-results", resultBody("ctf-professional", 12)), 201)
	w.clock.Advance(24 * time.Hour)
	id := w.caseIn("in_review").caseID
	b := w.pageAs("rev")
	casePath := "/cases/" + id
	pg := b.get(casePath)
	if pg.Code != 200 || !strings.Contains(pg.Body, `action="/cases/`+id+`/evaluations#act-import"`) {
		t.Fatalf("no import form: %d", pg.Code)
	}
	log := logBytes(t, inspect.Fixture{Metrics: map[string]float64{"accuracy": 0.425}}, "eval")
	ct, body := evaluationForm(pg.csrf(), "agency", "cybench.eval", log)
	r := b.raw("POST", casePath+"/evaluations", ct, body)
	if r.Code != 303 || !strings.HasPrefix(r.Location, casePath+"?done=evaluation#evaluation-") {
		t.Fatalf("import: %d %s %s", r.Code, r.Location, r.Body)
	}
	pg = b.get(casePath)
	for _, want := range []string{"inspect_evals/cybench", digest(log), "4 of 4 completed", "includes accuracy 0.425",
		"Professional capture-the-flag suite: 42.5", `<svg class="line-chart"`, `class="band band-critical"`,
		"12 on 1.0", "Capability jump", "(this case)", `<a href="#evaluation-`} {
		if !strings.Contains(pg.Body, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if !strings.Contains(pg.Body, ">High</strong>. It is the highest") {
		t.Errorf("the page does not show the high tier")
	}
	// A refusal: the form again, saying why, nothing stored.
	pg = b.get(casePath)
	ct, body = evaluationForm(pg.csrf(), "agency", "failed.eval", logBytes(t, inspect.Fixture{EvalID: "f", Status: "error"}, "eval"))
	r = b.raw("POST", casePath+"/evaluations", ct, body)
	if r.Code != 422 || !strings.Contains(r.Body, `status is &#34;error&#34;`) || !strings.Contains(r.Body, `id="e-evaluation-file"`) {
		t.Fatalf("refusal: %d %s", r.Code, r.Body)
	}
	ct, body = evaluationForm(pg.csrf(), "", "norun.eval", logBytes(t, inspect.Fixture{EvalID: "g"}, "eval"))
	if r = b.raw("POST", casePath+"/evaluations", ct, body); r.Code != 422 || !strings.Contains(r.Body, `id="e-evaluation-run-by"`) {
		t.Fatalf("no run_by: %d", r.Code)
	}
	if n := len(w.get("rev", "/api/v1/cases/"+id+"/evaluations")["items"].([]any)); n != 1 {
		t.Fatalf("%d evaluations after the refusals", n)
	}
	// Without the CSRF token first, nothing is read.
	ct, body = evaluationForm("forged", "agency", "x.eval", logBytes(t, inspect.Fixture{EvalID: "h"}, "eval"))
	if r = b.raw("POST", casePath+"/evaluations", ct, body); r.Code != 403 {
		t.Fatalf("forged token: %d", r.Code)
	}
	// The lab sees neither the evaluations nor the chart.
	lab := w.pageAs("lab").get(casePath)
	if lab.Code != 200 || strings.Contains(lab.Body, "line-chart") || strings.Contains(lab.Body, `id="evaluations"`) {
		t.Fatalf("the lab's page shows evaluations: %d", lab.Code)
	}
}

// A 200 MB .json log imported through the API, streamed end to end: the
// request body into the pending file, the reader over it token by token. It
// writes and uploads 211 MB, so it runs when DOCKET_LARGE_IMPORT=1 (the
// reader's own streaming test runs always: internal/inspect).
func TestLargeLogImport(t *testing.T) {
	if os.Getenv("DOCKET_LARGE_IMPORT") != "1" {
		t.Skip("set DOCKET_LARGE_IMPORT=1 to import a 211 MB log")
	}
	w := newWorld(t, func(c *config.Config) { c.Uploads.MaxBytes = 300 << 20 })
	id := w.caseIn("in_review").caseID
	f := inspect.Fixture{Samples: 3200, SampleText: strings.Repeat("nmap -sV 10.0.0.5; curl http://target/ | grep flag\n", 32<<10/52),
		Metrics: map[string]float64{"accuracy": 0.31, "stderr": 0.02}}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	var size int64
	go func() {
		_ = mw.WriteField("run_by", "agency")
		part, _ := mw.CreateFormFile("file", "big.json")
		cw := &countWriter{w: part}
		err := f.WriteJSON(cw)
		size = cw.n
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peak := before.HeapInuse
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapInuse)
			}
		}
	}()
	start := time.Now()
	r := w.sendRaw("rev", "/api/v1/cases/"+id+"/evaluations", mw.FormDataContentType(), pr)
	elapsed := time.Since(start)
	close(stop)
	<-done
	want(t, r, 201)
	if ev := r.JSON(); ev["total_samples"] != 3200.0 || ev["results"].([]any)[0].(map[string]any)["score"] != 31.0 {
		t.Fatalf("import: %s", r.Body)
	}
	grew := int64(peak) - int64(before.HeapInuse)
	t.Logf("imported a %d MB .json log through the API in %v; heap in use grew by at most %.1f MiB", size/1e6,
		elapsed.Round(time.Millisecond), float64(grew)/(1<<20))
	if size < 200e6 || grew > 64<<20 {
		t.Fatalf("size %d, heap growth %d", size, grew)
	}
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
