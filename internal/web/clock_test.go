package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func (w *world) submitAt(at time.Time, body map[string]any) string {
	w.t.Helper()
	w.clock.Set(at)
	r := w.as("lab", "POST", "/api/v1/cases", body)
	want(w.t, r, 201)
	id := r.JSON()["id"].(string)
	want(w.t, w.as("lab", "POST", "/api/v1/cases/"+id+"/submit", nil), 200)
	return id
}

func (w *world) get(user, path string) map[string]any {
	w.t.Helper()
	r := w.as(user, "GET", path, nil)
	want(w.t, r, 200)
	return r.JSON()
}

func clockOf(m map[string]any) map[string]any { return m["clock"].(map[string]any) }

func TestClockThroughTheAPI(t *testing.T) {
	w := newWorld(t)
	received := time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC) // 14:00 EDT
	body := draftBody("Clockwork")
	body["planned_release_date"] = "2026-07-05"
	id := w.submitAt(received, body)
	c := w.get("lab", "/api/v1/cases/"+id)
	if c["number"] != "DKT-2026-0001" || c["status"] != "submitted" {
		t.Fatalf("submitted case: %v", c)
	}
	k := clockOf(c)
	if k["received_at"] != "2026-06-02T18:00:00.000Z" || k["base_due_at"] != "2026-07-03T03:59:59.999Z" || k["due_at"] != k["base_due_at"] {
		t.Fatalf("clock %v", k)
	}
	if k["band"] != "on_track" || k["release_conflict"] != false {
		t.Fatalf("clock %v", k)
	}
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/attest-no-conflict", nil), 200)
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/assign", map[string]any{"reviewer_ids": []string{w.users["rev"].ID}}), 200)
	want(t, w.as("rev", "POST", "/api/v1/cases/"+id+"/attest-no-conflict", nil), 200)

	// Day 1: two overlapping requests make one stop.
	w.clock.Set(received.Add(24 * time.Hour))
	r1 := w.as("rev", "POST", "/api/v1/cases/"+id+"/info-requests", map[string]any{"question": "Eval logs?"})
	want(t, r1, 201)
	before := clockOf(w.get("co", "/api/v1/cases/"+id))
	w.clock.Advance(36 * time.Hour)
	r2 := w.as("lead", "POST", "/api/v1/cases/"+id+"/info-requests", map[string]any{"question": "Red-team report?"})
	want(t, r2, 201)
	w.clock.Advance(12 * time.Hour)
	during := clockOf(w.get("co", "/api/v1/cases/"+id))
	if during["band"] != "paused" || during["remaining_seconds"] != before["remaining_seconds"] {
		t.Fatalf("remaining moved while stopped: before %v, during %v", before, during)
	}
	if during["due_at"] != "2026-07-05T03:59:59.999Z" {
		t.Fatalf("due while stopped for 48h: %v", during["due_at"])
	}
	// The release date (July 5) is still after the due date (July 4 local).
	if during["release_conflict"] != false {
		t.Fatal("conflict too early")
	}
	want(t, w.as("lab", "POST", "/api/v1/info-requests/"+r1.JSON()["id"].(string)+"/answer", map[string]any{"answer": "Attached."}), 200)
	w.clock.Advance(24 * time.Hour)
	still := w.get("co", "/api/v1/cases/"+id)
	if still["status"] != "awaiting_lab" || clockOf(still)["band"] != "paused" {
		t.Fatalf("one request still open, but %v", still)
	}
	// 72 hours stopped: due moves to July 5 local, the release date → conflict.
	if clockOf(still)["release_conflict"] != true {
		t.Fatalf("a stop pushing the deadline onto the release date is a conflict: %v", clockOf(still))
	}
	want(t, w.as("rev", "POST", "/api/v1/info-requests/"+r2.JSON()["id"].(string)+"/cancel", nil), 200)
	after := w.get("co", "/api/v1/cases/"+id)
	k = clockOf(after)
	if after["status"] != "in_review" || k["band"] != "on_track" || k["due_at"] != "2026-07-06T03:59:59.999Z" {
		t.Fatalf("after the stop: %v", after)
	}
	detail := w.get("co", "/api/v1/cases/"+id+"/clock")
	stops := detail["stops"].([]any)
	if len(stops) != 1 {
		t.Fatalf("want one stop, got %v", stops)
	}
	st := stops[0].(map[string]any)
	if st["seconds"] != float64(72*3600) || st["info_request_id"] != r1.JSON()["id"] || st["ended_at"] == nil {
		t.Fatalf("stop %v", st)
	}
	if detail["window_days"] != float64(30) || detail["timezone"] != "America/New_York" || detail["started_at"] != "2026-06-02T18:00:00.000Z" {
		t.Fatalf("clock detail %v", detail)
	}

	// Bands as the deadline nears, then the lapse: the case stays open, overdue.
	due, _ := time.Parse(time.RFC3339, k["due_at"].(string))
	for _, tc := range []struct {
		at   time.Time
		band string
	}{
		{due.Add(-7*24*time.Hour - time.Second), "on_track"},
		{due.Add(-7 * 24 * time.Hour), "due_soon"},
		{due.Add(-48 * time.Hour), "critical"},
		{due, "critical"},
		{due.Add(time.Millisecond), "overdue"},
	} {
		w.clock.Set(tc.at)
		k := clockOf(w.get("co", "/api/v1/cases/"+id))
		if k["band"] != tc.band {
			t.Fatalf("at %s: band %v, want %s", tc.at, k["band"], tc.band)
		}
		r := w.as("co", "GET", "/api/v1/dashboard?band="+tc.band, nil)
		if !strings.Contains(r.Body, id) {
			t.Fatalf("the dashboard's %s filter misses the case at %s", tc.band, tc.at)
		}
	}
	lapsed := w.get("co", "/api/v1/cases/"+id)
	if lapsed["status"] != "in_review" || clockOf(lapsed)["remaining_seconds"].(float64) >= 0 {
		t.Fatalf("lapsed case %v", lapsed)
	}
	// Deciding ends the clock; the band is closed.
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/decision", map[string]any{"outcome": "mitigations_requested", "rationale": "Needs safeguards.", "conditions": "Deploy the filter."}), 200)
	k = clockOf(w.get("co", "/api/v1/cases/"+id))
	if k["band"] != "closed" || k["release_conflict"] != false {
		t.Fatalf("decided clock %v", k)
	}
}

func TestDecisionClosesOpenRequestsAndTheStop(t *testing.T) {
	w := newWorld(t)
	f := w.caseIn("awaiting_lab")
	w.clock.Advance(5 * time.Hour)
	want(t, w.as("lead", "POST", "/api/v1/cases/"+f.caseID+"/decision", map[string]any{"outcome": "no_concerns", "rationale": "ok"}), 200)
	reqs := w.get("lead", "/api/v1/cases/"+f.caseID+"/info-requests")["items"].([]any)
	for _, r := range reqs {
		if r.(map[string]any)["status"] == "open" {
			t.Fatalf("a request stayed open: %v", r)
		}
	}
	for _, s := range w.get("lead", "/api/v1/cases/"+f.caseID+"/clock")["stops"].([]any) {
		if s.(map[string]any)["ended_at"] == nil {
			t.Fatal("the stop stayed open")
		}
	}
}

func TestCaseNumbersFollowTheAgencyYear(t *testing.T) {
	w := newWorld(t)
	// 2026-12-31 20:00 EST is 2027-01-01T01:00Z: the number takes the local year.
	id := w.submitAt(time.Date(2027, 1, 1, 1, 0, 0, 0, time.UTC), draftBody("New Year"))
	c := w.get("lab", "/api/v1/cases/"+id)
	if c["number"] != "DKT-2026-0001" || clockOf(c)["base_due_at"] != "2027-01-31T04:59:59.999Z" {
		t.Fatalf("%v %v", c["number"], clockOf(c))
	}
	id = w.submitAt(time.Date(2027, 1, 1, 5, 0, 0, 0, time.UTC), draftBody("First of 2027"))
	if n := w.get("lab", "/api/v1/cases/"+id)["number"]; n != "DKT-2027-0001" {
		t.Fatalf("number %v", n)
	}
	id = w.submitAt(time.Date(2027, 1, 2, 5, 0, 0, 0, time.UTC), draftBody("Second of 2027"))
	if n := w.get("lab", "/api/v1/cases/"+id)["number"]; n != "DKT-2027-0002" {
		t.Fatalf("number %v", n)
	}
}

func TestDSTWindowsThroughTheAPI(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct{ received, base string }{
		{"2026-10-20T04:30:00Z", "2026-11-20T04:59:59.999Z"}, // 00:30 EDT, ends in EST
		{"2026-02-21T04:30:00Z", "2026-03-23T03:59:59.999Z"}, // 23:30 EST, ends in EDT
	} {
		at, _ := time.Parse(time.RFC3339, tc.received)
		id := w.submitAt(at, draftBody("DST "+tc.received))
		if got := clockOf(w.get("lab", "/api/v1/cases/"+id))["base_due_at"]; got != tc.base {
			t.Errorf("received %s: base %v, want %s", tc.received, got, tc.base)
		}
	}
}

func TestCaseValidation(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct {
		name  string
		patch map[string]any
		code  int
		field string
	}{
		{"status", map[string]any{"status": "decided"}, 400, "status"},
		{"org_id", map[string]any{"org_id": w.users["rival"].OrgID}, 400, "org_id"},
		{"number", map[string]any{"number": "DKT-2026-0001"}, 400, "number"},
		{"due_at", map[string]any{"due_at": "2030-01-01T00:00:00.000Z"}, 400, "due_at"},
		{"flops as string", map[string]any{"training_compute_flops": "1e25"}, 400, "training_compute_flops"},
		{"negative flops", map[string]any{"training_compute_flops": -1}, 422, "training_compute_flops"},
		{"digest", map[string]any{"weights_digest": "sha256:ABC"}, 422, "weights_digest"},
		{"digest upper", map[string]any{"weights_digest": "sha256:" + strings.Repeat("AB", 32)}, 422, "weights_digest"},
		{"date", map[string]any{"planned_release_date": "2026-02-30"}, 422, "planned_release_date"},
		{"modality", map[string]any{"modality": "telepathy"}, 422, "modality"},
		{"deployment", map[string]any{"deployment": "space"}, 422, "deployment"},
		{"empty name", map[string]any{"model_name": "  "}, 422, "model_name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.t = t
			f := w.caseIn("draft")
			before := w.get("lab", "/api/v1/cases/"+f.caseID)
			r := w.as("lab", "PATCH", "/api/v1/cases/"+f.caseID, tc.patch)
			want(t, r, tc.code)
			if r.ErrorField() != tc.field {
				t.Fatalf("field %q, want %q: %s", r.ErrorField(), tc.field, r.Body)
			}
			after := w.get("lab", "/api/v1/cases/"+f.caseID)
			if fmt.Sprint(before) != fmt.Sprint(after) {
				t.Fatalf("a refused patch changed the case:\n%v\n%v", before, after)
			}
		})
	}
	// Zero values stick.
	f := w.caseIn("draft")
	r := w.as("lab", "PATCH", "/api/v1/cases/"+f.caseID, map[string]any{"summary": "", "planned_release_date": ""})
	want(t, r, 200)
	if r.JSON()["summary"] != "" || r.JSON()["planned_release_date"] != nil {
		t.Fatalf("zero values did not stick: %s", r.Body)
	}
	// Submitting an incomplete draft names the missing field.
	r = w.as("lab", "POST", "/api/v1/cases", map[string]any{"model_name": "Half", "model_version": "0.1"})
	want(t, r, 201)
	r = w.as("lab", "POST", "/api/v1/cases/"+r.JSON()["id"].(string)+"/submit", nil)
	want(t, r, 422)
	if r.ErrorField() != "weights_digest" {
		t.Fatalf("field %q", r.ErrorField())
	}
}

func TestCaseFiltersAndPages(t *testing.T) {
	w := newWorld(t)
	var ids []string
	for i := 0; i < 7; i++ {
		ids = append(ids, w.caseIn("submitted").caseID)
		w.clock.Advance(24 * time.Hour)
	}
	w.caseIn("in_review")
	seen := map[string]bool{}
	cursor := ""
	pages := 0
	for {
		r := w.as("co", "GET", "/api/v1/dashboard?status=submitted&limit=3"+cursor, nil)
		want(t, r, 200)
		m := r.JSON()
		pages++
		for _, it := range m["items"].([]any) {
			id := it.(map[string]any)["id"].(string)
			if seen[id] {
				t.Fatalf("case %s on two pages", id)
			}
			seen[id] = true
		}
		next, _ := m["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = "&cursor=" + next
	}
	if len(seen) != 7 || pages != 3 {
		t.Fatalf("%d cases over %d pages", len(seen), pages)
	}
	// Most urgent first: the oldest submission has the least time left.
	r := w.get("co", "/api/v1/dashboard?status=submitted")
	if first := r["items"].([]any)[0].(map[string]any)["id"]; first != ids[0] {
		t.Fatalf("the most urgent case is not first")
	}
	if r["counts"].(map[string]any)["on_track"] != float64(7) { // counts follow the filters
		t.Fatalf("counts %v", r["counts"])
	}
	for q, n := range map[string]int{"?q=model+submitted": 7, "?q=DKT-2026-0003": 1, "?q=nothing": 0, "?status=in_review": 1, "?risk_tier=low": 8, "?org_id=" + w.users["rival"].OrgID: 0, "?q=%25": 0} {
		items := w.get("co", "/api/v1/cases"+q)["items"].([]any)
		if len(items) != n {
			t.Errorf("%s: %d items, want %d", q, len(items), n)
		}
	}
	for _, bad := range []string{"?status=lost", "?band=late", "?risk_tier=extreme", "?limit=0", "?limit=201", "?sort=x&foo=1"} {
		if r := w.as("co", "GET", "/api/v1/cases"+bad, nil); r.Code != 422 && r.Code != 400 {
			t.Errorf("%s: %d", bad, r.Code)
		}
	}
}

func TestDashboardCSVNeutralisesFormulas(t *testing.T) {
	w := newWorld(t)
	body := draftBody("=HYPERLINK(\"http://evil\")")
	w.submitAt(w.clock.Now(), body)
	r := w.as("co", "GET", "/api/v1/dashboard.csv", nil)
	want(t, r, 200)
	if !strings.Contains(r.Body, `'=HYPERLINK`) || strings.Contains(r.Body, ",=HYPERLINK") || strings.Contains(r.Body, "\n=") {
		t.Fatalf("csv: %s", r.Body)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatal(r.Header)
	}
	if _, err := w.svc.AuditTrail.VerifyAudit(context.Background()); err != nil {
		t.Fatal(err)
	}
}
