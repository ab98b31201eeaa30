package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// newDigest is a weights digest other than draftBody's.
func newDigest(b byte) string { return "sha256:" + strings.Repeat(fmt.Sprintf("%02x", b), 32) }

// withAmendment adds to a fixture of an open case a pending amendment (a new
// weights digest) filed by the lab.
func (w *world) withAmendment(f fixture) fixture {
	w.t.Helper()
	if f.requestID == "" { // a draft cannot be amended
		return f
	}
	r := w.as("lab", "POST", "/api/v1/cases/"+f.caseID+"/amendments", map[string]any{"weights_digest": newDigest(0xcd)})
	want(w.t, r, 201)
	f.amendmentID = idOf(r)
	return f
}

func TestAmendmentsAndMaterialChanges(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC))
	id := w.caseIn("in_review").caseID
	path := "/api/v1/cases/" + id
	old := w.get("lab", path)["weights_digest"].(string)

	// A summary changes at once.
	r := w.as("lab", "POST", path+"/amendments", map[string]any{"summary": "Now with a safety appendix."})
	want(t, r, 201)
	if m := r.JSON(); m["status"] != "applied" || m["new_digest"] != nil || m["old_digest"] != old ||
		fmt.Sprint(m["changes"]) != "[summary]" || m["summary"] != "Now with a safety appendix." {
		t.Fatalf("summary amendment: %s", r.Body)
	}
	if got := w.get("lead", path)["summary"]; got != "Now with a safety appendix." {
		t.Fatalf("the summary is %v", got)
	}

	// A release date changes at once, and the release conflict with it.
	r = w.as("lab", "POST", path+"/amendments", map[string]any{"planned_release_date": "2026-06-20"})
	want(t, r, 201)
	if c := w.get("co", path); !clockOf(c)["release_conflict"].(bool) || c["planned_release_date"] != "2026-06-20" {
		t.Fatalf("no release conflict: %v", c)
	}
	want(t, w.as("lab", "POST", path+"/amendments", map[string]any{"planned_release_date": ""}), 201)
	if c := w.get("co", path); clockOf(c)["release_conflict"].(bool) || c["planned_release_date"] != nil {
		t.Fatalf("the cleared date still conflicts: %v", c)
	}

	// Bad amendments: 422 naming the field; nothing is written.
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{}, ""},
		{map[string]any{"weights_digest": "sha256:XYZ"}, "weights_digest"},
		{map[string]any{"weights_digest": old}, "weights_digest"},
		{map[string]any{"planned_release_date": "2026-02-30"}, "planned_release_date"},
	} {
		r := w.as("lab", "POST", path+"/amendments", tc.body)
		if r.Code != 422 || r.ErrorField() != tc.field {
			t.Errorf("%v: %d %s", tc.body, r.Code, r.Body)
		}
	}
	// Fields the lab may not set this way: 400.
	if r := w.as("lab", "POST", path+"/amendments", map[string]any{"status": "decided"}); r.Code != 400 || r.ErrorField() != "status" {
		t.Errorf("status in an amendment: %d %s", r.Code, r.Body)
	}

	// A new digest is pending; the case keeps the old one meanwhile.
	r = w.as("lab", "POST", path+"/amendments", map[string]any{"weights_digest": newDigest(0x11), "summary": "Retrained."})
	want(t, r, 201)
	pending := r.JSON()
	amendID := pending["id"].(string)
	if pending["status"] != "pending" || pending["old_digest"] != old || pending["new_digest"] != newDigest(0x11) ||
		pending["resolved_at"] != nil || pending["note"] != nil {
		t.Fatalf("pending amendment: %s", r.Body)
	}
	if c := w.get("lead", path); c["weights_digest"] != old || c["summary"] != "Now with a safety appendix." {
		t.Fatalf("a pending amendment applied: %v", c)
	}
	// A second digest waits for the first (409 naming it); a summary does not.
	r = w.as("lab", "POST", path+"/amendments", map[string]any{"weights_digest": newDigest(0x22)})
	if r.Code != 409 || !strings.Contains(r.Body, amendID) {
		t.Fatalf("a second digest: %d %s", r.Code, r.Body)
	}
	want(t, w.as("lab", "POST", path+"/amendments", map[string]any{"summary": "Retrained, see card."}), 201)

	// No decision while it is pending: 409 naming the amendment.
	r = w.as("lead", "POST", path+"/decision", map[string]any{"outcome": "no_concerns", "rationale": "Fine."})
	if r.Code != 409 || !strings.Contains(r.Body, amendID) || !strings.Contains(r.Body, "/api/v1/amendments/"+amendID+"/resolve") {
		t.Fatalf("decision while pending: %d %s", r.Code, r.Body)
	}
	// Even a bad decision body answers the 409 first.
	if r := w.as("lead", "POST", path+"/decision", map[string]any{"outcome": "nope", "rationale": ""}); r.Code != 409 {
		t.Fatalf("bad decision while pending: %d %s", r.Code, r.Body)
	}

	// Who resolves: leads who attested; others 403, hidden 404, unattested 409.
	resolve := "/api/v1/amendments/" + amendID + "/resolve"
	body := map[string]any{"restart_clock": true, "note": "The retrained weights need a fresh review."}
	w.addUser("lead2", "review_lead", "Agency")
	for user, code := range map[string]int{"lab": 403, "rev": 403, "co": 403, "rival": 404, "admin": 404, "lead2": 409} {
		if r := w.as(user, "POST", resolve, body); r.Code != code {
			t.Errorf("resolve as %s: %d %s", user, r.Code, r.Body)
		}
	}
	if r := w.as("lead", "POST", "/api/v1/amendments/00000000-0000-0000-0000-000000000000/resolve", body); r.Code != 404 ||
		!strings.Contains(r.Body, "amendment not found") {
		t.Fatalf("missing amendment: %d %s", r.Code, r.Body)
	}
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"note": "x"}, "restart_clock"},
		{map[string]any{"restart_clock": true}, "note"},
		{map[string]any{"restart_clock": true, "note": " "}, "note"},
		{map[string]any{"restart_clock": true, "note": "x", "outcome": "rejected"}, "restart_clock"},
		{map[string]any{"restart_clock": false, "note": "x", "outcome": "maybe"}, "outcome"},
	} {
		if r := w.as("lead", "POST", resolve, tc.body); r.Code != 422 || r.ErrorField() != tc.field {
			t.Errorf("resolve %v: %d %s", tc.body, r.Code, r.Body)
		}
	}

	// Accepted with a restart, three days later at 01:30 EDT: day 0 is that local date.
	resolvedAt := time.Date(2026, 6, 10, 5, 30, 0, 0, time.UTC)
	w.clock.Set(resolvedAt)
	r = w.as("lead", "POST", resolve, body)
	want(t, r, 200)
	m := r.JSON()
	if m["status"] != "accepted" || m["restart_clock"] != true || m["resolved_at"] != "2026-06-10T05:30:00.000Z" ||
		m["note"] != body["note"] || m["resolved_by"] != w.users["lead"].ID {
		t.Fatalf("resolved: %s", r.Body)
	}
	c := w.get("lead", path)
	if c["weights_digest"] != newDigest(0x11) || c["summary"] != "Retrained." {
		t.Fatalf("the accepted amendment did not apply: %v", c)
	}
	k := w.get("lead", path+"/clock")
	if k["started_at"] != "2026-06-10T05:30:00.000Z" || k["received_at"] == k["started_at"] ||
		k["base_due_at"] != "2026-07-11T03:59:59.999Z" || len(k["stops"].([]any)) != 0 {
		t.Fatalf("the new clock: %v", k)
	}
	hist := k["history"].([]any)
	if len(hist) != 1 {
		t.Fatalf("history: %v", hist)
	}
	h := hist[0].(map[string]any)
	if h["ended_at"] != "2026-06-10T05:30:00.000Z" || !strings.Contains(h["end_reason"].(string), amendID) ||
		len(h["stops"].([]any)) != 1 {
		t.Fatalf("the earlier clock: %v", h)
	}
	// Resolved once only.
	if r := w.as("lead", "POST", resolve, body); r.Code != 409 || !strings.Contains(r.Body, "accepted") {
		t.Fatalf("resolved twice: %d %s", r.Code, r.Body)
	}

	// Now the lead decides; the decision and the statement name the new digest.
	want(t, w.as("lead", "POST", path+"/decision", map[string]any{"outcome": "no_concerns", "rationale": "Fine."}), 200)
	st := w.get("lab", path+"/statement")
	if st["kind"] != "decision" || !strings.Contains(claimsOf(t, st["statement"].(string)), newDigest(0x11)) {
		t.Fatalf("statement: %v", st)
	}
	// Closed: no more amendments.
	if r := w.as("lab", "POST", path+"/amendments", map[string]any{"summary": "x"}); r.Code != 409 || !strings.Contains(r.Body, "the case is decided") {
		t.Fatalf("amending a decided case: %d %s", r.Code, r.Body)
	}

	// The trail: both digests and the resolution, the summary and the note only as hashes.
	trail := w.as("lead", "GET", path+"/audit?limit=200", nil)
	want(t, trail, 200)
	for _, s := range []string{"amendment.filed", "amendment.resolved", old, newDigest(0x11), `"restart_clock":true`, `"clock":"restarted"`} {
		if !strings.Contains(trail.Body, s) {
			t.Errorf("the trail lacks %s", s)
		}
	}
	for _, s := range []string{"Retrained", "safety appendix", "fresh review"} {
		if strings.Contains(trail.Body, s) {
			t.Errorf("the trail carries the text %q", s)
		}
	}

	// The list: oldest first, to those who read the content.
	list := w.get("lab", path+"/amendments")["items"].([]any)
	statuses := map[any]int{}
	for _, x := range list {
		statuses[x.(map[string]any)["status"]]++
	}
	if len(list) != 5 || statuses["accepted"] != 1 || statuses["applied"] != 4 {
		t.Fatalf("amendments: %v", list)
	}
	want(t, w.as("co", "GET", path+"/amendments", nil), 403)
}

// A restart while an information request is open: the old clock's stop ends
// at the resolution, and the new clock starts stopped, naming the request.
func TestRestartWhileARequestIsOpen(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC))
	f := w.caseIn("awaiting_lab")
	path := "/api/v1/cases/" + f.caseID
	w.clock.Advance(48 * time.Hour)
	want(t, w.as("lab", "POST", path+"/amendments", map[string]any{"weights_digest": newDigest(0x33)}), 201)
	amend := w.get("lead", path+"/amendments")["items"].([]any)[0].(map[string]any)["id"].(string)
	w.clock.Advance(time.Hour)
	resolved := w.clock.Now()
	want(t, w.as("lead", "POST", "/api/v1/amendments/"+amend+"/resolve", map[string]any{"restart_clock": true, "note": "New weights."}), 200)
	k := w.get("lead", path+"/clock")
	stops := k["stops"].([]any)
	if k["band"] != "paused" || len(stops) != 1 || stops[0].(map[string]any)["ended_at"] != nil ||
		stops[0].(map[string]any)["started_at"] != isoMs(resolved) || stops[0].(map[string]any)["info_request_id"] != f.requestID {
		t.Fatalf("the new clock: %v", k)
	}
	old := k["history"].([]any)[0].(map[string]any)["stops"].([]any)
	if last := old[len(old)-1].(map[string]any); last["ended_at"] != isoMs(resolved) {
		t.Fatalf("the old clock's stop: %v", old)
	}
	// The lab answers two days later: the new clock runs, its deadline later by exactly that.
	w.clock.Advance(48 * time.Hour)
	want(t, w.as("lab", "POST", "/api/v1/info-requests/"+f.requestID+"/answer", map[string]any{"answer": "Here."}), 200)
	k = w.get("lead", path+"/clock")
	base, _ := time.Parse(time.RFC3339, k["base_due_at"].(string))
	due, _ := time.Parse(time.RFC3339, k["due_at"].(string))
	if due.Sub(base) != 48*time.Hour || k["band"] != "on_track" {
		t.Fatalf("after the answer: %v", k)
	}
}

// Rejecting a material change applies nothing and frees the decision.
func TestRejectedAmendment(t *testing.T) {
	w := newWorld(t)
	id := w.caseIn("in_review").caseID
	path := "/api/v1/cases/" + id
	old := w.get("lab", path)["weights_digest"]
	r := w.as("lab", "POST", path+"/amendments", map[string]any{"weights_digest": newDigest(0x44), "planned_release_date": "2027-01-01"})
	want(t, r, 201)
	r = w.as("lead", "POST", "/api/v1/amendments/"+idOf(r)+"/resolve", map[string]any{"outcome": "rejected", "restart_clock": false, "note": "Keep the reviewed weights."})
	want(t, r, 200)
	if r.JSON()["status"] != "rejected" {
		t.Fatalf("rejected: %s", r.Body)
	}
	if c := w.get("lead", path); c["weights_digest"] != old || c["planned_release_date"] != "2026-09-30" {
		t.Fatalf("a rejected amendment applied: %v", c)
	}
	if k := w.get("lead", path+"/clock"); len(k["history"].([]any)) != 0 {
		t.Fatalf("a rejected amendment restarted the clock: %v", k)
	}
	want(t, w.as("lead", "POST", path+"/decision", map[string]any{"outcome": "no_concerns", "rationale": "Fine."}), 200)
}

// Who may amend, in which state: DESIGN.md's lifecycle table.
func TestAmendMatrix(t *testing.T) {
	w := newWorld(t)
	for _, state := range states {
		f := w.caseIn(state)
		for role, user := range roles {
			code := 201
			switch {
			case !visibleTo(role, state):
				code = 404
			case role != "lab_member":
				code = 403
			case !has(open, state):
				code = 409
			}
			r := w.as(user, "POST", "/api/v1/cases/"+f.caseID+"/amendments", map[string]any{"summary": "Amended."})
			if r.Code != code {
				t.Errorf("amend as %s in %s: want %d, got %d %s", role, state, code, r.Code, r.Body)
			}
			if code == 409 && !strings.Contains(r.Body, "the case is "+state) {
				t.Errorf("the 409 does not name the state: %s", r.Body)
			}
		}
	}
}
