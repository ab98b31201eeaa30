package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
)

// Risk acceptance expires: accepted_until is required with risk_accepted and
// bounded; 14 days before, at the reminder hour, the case lead is told; at
// 00:00 agency time on the date the sweep reopens the finding as shared with
// a fresh response deadline and tells the lab and the case lead, exactly
// once, from the database state, so a process that restarts across the date
// still reopens it once.
func TestRiskAcceptanceExpires(t *testing.T) {
	w := newWorld(t) // the clock stands at 2026-01-05 15:00 UTC, 10:00 in New York
	id := w.caseIn("in_review").caseID
	fid := w.finding(id, "lead", "shared", findingBody("high", "TLP:AMBER"))
	resolve := func(body map[string]any) response {
		return w.as("lead", "POST", "/api/v1/findings/"+fid+"/resolve", body)
	}
	for _, tc := range []struct {
		body map[string]any
		why  string
	}{
		{map[string]any{"resolution": "risk_accepted", "note": "x"}, "is required with risk_accepted"},
		{map[string]any{"resolution": "risk_accepted", "note": "x", "accepted_until": "soon"}, "must be a date"},
		{map[string]any{"resolution": "risk_accepted", "note": "x", "accepted_until": "2026-01-05"}, "must be after today"},
		{map[string]any{"resolution": "risk_accepted", "note": "x", "accepted_until": "2027-01-06"}, "at most 365 days ahead"},
		{map[string]any{"resolution": "resolved", "note": "x", "accepted_until": "2026-02-01"}, "only given with the resolution risk_accepted"},
	} {
		wantRefusal(t, resolve(tc.body), 422, "accepted_until", tc.why)
	}
	if tier := w.get("co", "/api/v1/cases/"+id)["risk_tier"]; tier != "high" {
		t.Fatalf("tier with the open high finding: %v", tier)
	}
	r := resolve(map[string]any{"resolution": "risk_accepted", "note": "Compensating controls.", "accepted_until": "2026-01-25"})
	want(t, r, 200)
	if r.JSON()["accepted_until"] != "2026-01-25" || r.JSON()["status"] != "risk_accepted" {
		t.Fatalf("resolved: %s", r.Body)
	}
	if tier := w.get("co", "/api/v1/cases/"+id)["risk_tier"]; tier != "low" {
		t.Fatalf("tier once accepted: %v", tier)
	}
	// The forecast shows both notices before they are sent.
	fc := w.as("lead", "GET", "/api/v1/notifications/forecast?until=2026-01-26T00:00:00Z", nil)
	want(t, fc, 200)
	if !strings.Contains(fc.Body, "finding.acceptance_expiring") || !strings.Contains(fc.Body, "finding.acceptance_expired") {
		t.Fatalf("forecast: %s", fc.Body)
	}

	// The calendar feeds of the case lead and the lab carry the end, with an
	// alarm at the warning.
	leadFeed, labFeed := w.feedURL("lead"), w.feedURL("lab")
	for _, path := range []string{leadFeed, labFeed} {
		_, text := w.feed(path)
		if !strings.Contains(text, "risk acceptance ends") || !strings.Contains(text, "acceptance-"+fid) {
			t.Fatalf("the feed %s lacks the acceptance's end:\n%s", path, text)
		}
	}

	// The warning: 14 days before, 2026-01-11 at 09:00 New York (14:00 UTC).
	w.clock.Set(time.Date(2026, 1, 11, 13, 59, 0, 0, time.UTC))
	w.sweep()
	if n := countRule(w, "lead", "finding.acceptance_expiring"); n != 0 {
		t.Fatalf("warned %d times before the reminder hour", n)
	}
	w.clock.Set(time.Date(2026, 1, 11, 14, 0, 0, 0, time.UTC))
	w.sweep()
	w.sweep()
	if n := countRule(w, "lead", "finding.acceptance_expiring"); n != 1 {
		t.Fatalf("the lead was warned %d times, want once", n)
	}
	if n := countRule(w, "lab", "finding.acceptance_expiring"); n != 0 {
		t.Fatalf("the lab was warned")
	}

	// A minute before midnight on the 24th: still accepted.
	w.clock.Set(time.Date(2026, 1, 25, 4, 59, 0, 0, time.UTC))
	w.sweep()
	if st := w.get("lead", "/api/v1/findings/"+fid)["status"]; st != "risk_accepted" {
		t.Fatalf("reopened early: %v", st)
	}

	// The process restarts; the new one's first sweep is after 00:00 on the 25th.
	restarted := app.New(w.store, app.Options{Config: w.cfg, Now: w.clock.Now, Secret: []byte(w.cfg.Secret)})
	w.clock.Set(time.Date(2026, 1, 25, 5, 0, 30, 0, time.UTC))
	ctx := context.Background()
	if _, err := restarted.Delivery.HoldLease(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	res, err := restarted.Delivery.Sweep(ctx, "test")
	if err != nil || res.Reopened != 1 {
		t.Fatalf("the restarted sweep: %+v %v", res, err)
	}
	f := w.get("lead", "/api/v1/findings/"+fid)
	// A high finding's seven days from the reopening: the end of 2026-02-01 in New York.
	if f["status"] != "shared" || f["response_due_at"] != "2026-02-02T04:59:59.999Z" {
		t.Fatalf("reopened: %v", f)
	}
	if tier := w.get("co", "/api/v1/cases/"+id)["risk_tier"]; tier != "high" {
		t.Fatalf("tier once reopened: %v", tier)
	}
	// Sweeping again, by either process, sends nothing twice and reopens nothing again.
	w.sweep()
	if res, err := restarted.Delivery.Sweep(ctx, "test"); err != nil || res.Reopened != 0 {
		t.Fatalf("a second sweep: %+v %v", res, err)
	}
	for _, u := range []string{"lab", "lead"} {
		if n := countRule(w, u, "finding.acceptance_expired"); n != 1 {
			t.Fatalf("%s was told %d times that the acceptance ended, want once", u, n)
		}
	}
	if _, text := w.feed(leadFeed); strings.Contains(text, "acceptance-"+fid) {
		t.Fatal("the feed still shows the acceptance's end once the finding reopened")
	}
	audit := w.as("lead", "GET", "/api/v1/cases/"+id+"/audit", nil)
	want(t, audit, 200)
	if n := strings.Count(audit.Body, "finding.acceptance_expired"); n != 1 {
		t.Fatalf("the reopening is audited %d times", n)
	}
}
