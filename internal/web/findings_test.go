package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
)

// findingBody is a complete new finding.
func findingBody(severity, tlp string) map[string]any {
	return map[string]any{
		"title": "Sandbox escape through the code tool", "description": "The model chained two tool calls to reach the host.",
		"category": "exploit_development", "severity": severity, "tlp": tlp, "atlas_technique": "AML.T0051.000",
		"component": "code-execution tool", "evidence": "Transcript 14, turns 3-9.", "embargo_until": "2026-12-01",
	}
}

func idOf(r response) string { return r.JSON()["id"].(string) }

// finding records a finding on the case as user and brings it to state:
// draft, shared, lab_responded (by lab), resolved or risk_accepted (by lead).
func (w *world) finding(caseID, user, state string, body map[string]any, recipients ...string) string {
	t := w.t
	t.Helper()
	w.clock.Advance(time.Millisecond) // lists order by creation
	r := w.as(user, "POST", "/api/v1/cases/"+caseID+"/findings", body)
	want(t, r, 201)
	id := idOf(r)
	if state == "draft" {
		return id
	}
	share := map[string]any{}
	if len(recipients) > 0 {
		share["recipient_ids"] = recipients
	}
	want(t, w.as("lead", "POST", "/api/v1/findings/"+id+"/share", share), 200)
	switch state {
	case "shared":
	case "lab_responded":
		want(t, w.as("lab", "POST", "/api/v1/findings/"+id+"/respond", map[string]any{"response": "Fixed in 2.1."}), 200)
	case "resolved":
		want(t, w.as("lead", "POST", "/api/v1/findings/"+id+"/resolve", map[string]any{"resolution": state, "note": "Checked."}), 200)
	case "risk_accepted":
		want(t, w.as("lead", "POST", "/api/v1/findings/"+id+"/resolve", map[string]any{"resolution": state, "note": "Checked.",
			"accepted_until": w.clock.Now().AddDate(0, 3, 0).Format("2006-01-02")}), 200)
	default:
		t.Fatalf("no finding state %s", state)
	}
	return id
}

// withContent adds to a fixture a finding shared by the lead with evidence
// attached, or, on a draft, a case attachment by the lab.
func (w *world) withContent(f fixture) fixture {
	w.t.Helper()
	if f.requestID == "" { // a draft: only its lab sees it
		r := w.upload("lab", "/api/v1/cases/"+f.caseID+"/attachments", "model_card", "card.md", []byte("# Model card\n"))
		want(w.t, r, 201)
		f.attachmentID = idOf(r)
		return f
	}
	f.findingID = w.finding(f.caseID, "lead", "shared", findingBody("high", "TLP:AMBER"))
	r := w.upload("lead", "/api/v1/findings/"+f.findingID+"/attachments", "evidence", "transcript.txt", []byte("turn 1\n"))
	want(w.t, r, 201)
	f.attachmentID = idOf(r)
	return f
}

// reviewCase is a case in review with rev and rev2 assigned and attested, and
// lead2, a lead who has not attested.
func (w *world) reviewCase() string {
	w.t.Helper()
	id := w.caseIn("in_review").caseID
	want(w.t, w.as("lead", "POST", "/api/v1/cases/"+id+"/assign",
		map[string]any{"reviewer_ids": []string{w.users["rev"].ID, w.users["rev2"].ID}, "lead_id": w.users["lead"].ID}), 200)
	want(w.t, w.as("rev2", "POST", "/api/v1/cases/"+id+"/attest-no-conflict", nil), 200)
	if _, ok := w.users["lead2"]; !ok {
		w.addUser("lead2", "review_lead", "Agency")
		w.addUser("rev3", "reviewer", "Agency")
	}
	return id
}

type findingAction struct {
	name   string
	method string
	suffix string
	body   any
	ok     int
	users  []string // who may take it (when they see the finding)
	states []string // finding states it is allowed in
}

var (
	findingStates = []string{"draft", "shared", "lab_responded", "resolved", "risk_accepted"}
	findingUsers  = []string{"lab", "rival", "rev", "rev2", "rev3", "lead", "lead2", "co", "admin"}
	readers       = []string{"lab", "rev", "rev2", "lead"}
)

// DESIGN.md's finding lifecycle, restated; rev is the author, rev2 another assigned reviewer.
var findingActions = []findingAction{
	{"read", "GET", "", nil, 200, readers, findingStates},
	{"edit", "PATCH", "", map[string]any{"severity": "critical"}, 200, []string{"rev", "lead"}, []string{"draft"}},
	{"share", "POST", "/share", nil, 200, []string{"rev", "lead"}, []string{"draft"}},
	{"respond", "POST", "/respond", map[string]any{"response": "Patched."}, 200, []string{"lab"}, []string{"shared"}},
	{"resolve", "POST", "/resolve", map[string]any{"resolution": "risk_accepted", "note": "Residual risk is low.", "accepted_until": "2026-06-30"}, 200, []string{"lead"}, []string{"shared", "lab_responded"}},
}

// findingCode is the status the policy promises: 404 when the user may not
// see the finding, 403 when its role never may do this (compliance officers
// read nothing; a reviewer edits and shares only its own), 409 before
// attesting, 409 in a state that does not allow it.
func findingCode(a findingAction, user, state string) int {
	switch user {
	case "rival", "rev3", "admin":
		return 404
	case "lab":
		if state == "draft" {
			return 404
		}
	case "co":
		return 403
	case "lead2":
		return 409
	}
	if !has(a.users, user) {
		return 403
	}
	if !has(a.states, state) {
		return 409
	}
	return a.ok
}

func TestFindingLifecycleByRole(t *testing.T) {
	w := newWorld(t)
	caseID := w.reviewCase()
	for _, a := range findingActions {
		for _, state := range findingStates {
			for _, user := range findingUsers {
				t.Run(fmt.Sprintf("%s/%s/%s", a.name, state, user), func(t *testing.T) {
					w.t = t
					id := w.finding(caseID, "rev", state, findingBody("medium", "TLP:GREEN"))
					code := findingCode(a, user, state)
					r := w.as(user, a.method, "/api/v1/findings/"+id+a.suffix, a.body)
					if r.Code != code {
						t.Fatalf("%s as %s on a %s finding: want %d, got %d: %s", a.name, user, state, code, r.Code, r.Body)
					}
					switch {
					case code == 409 && user == "lead2":
						if !strings.Contains(r.Body, "attest-no-conflict") {
							t.Fatalf("the 409 does not name the attestation: %s", r.Body)
						}
					case code == 409:
						if !strings.Contains(r.Body, "the finding is "+state) {
							t.Fatalf("the 409 does not name the state: %s", r.Body)
						}
					case code == 200 && a.name != "read":
						if got := r.JSON()["status"]; a.name == "respond" && got != "lab_responded" ||
							a.name == "resolve" && got != "risk_accepted" || a.name == "share" && got != "shared" {
							t.Fatalf("%s left the finding %v", a.name, got)
						}
					}
				})
			}
		}
	}
	w.t = t

	// Recording: assigned reviewers and leads after attesting; nobody else.
	for user, code := range map[string]int{"lab": 403, "rival": 404, "rev": 201, "rev2": 201, "rev3": 404,
		"lead": 201, "lead2": 409, "co": 403, "admin": 404} {
		r := w.as(user, "POST", "/api/v1/cases/"+caseID+"/findings", findingBody("low", "TLP:CLEAR"))
		if r.Code != code {
			t.Errorf("record as %s: want %d, got %d: %s", user, code, r.Code, r.Body)
		}
		if code == 201 && (r.JSON()["status"] != "draft" || r.JSON()["author_id"] != w.users[user].ID || r.JSON()["shared_at"] != nil) {
			t.Errorf("a new finding: %s", r.Body)
		}
	}
	// Listing: the same readers; compliance officers 403.
	for user, code := range map[string]int{"lab": 200, "rival": 404, "rev": 200, "rev3": 404, "lead": 200, "lead2": 409, "co": 403, "admin": 404} {
		if r := w.as(user, "GET", "/api/v1/cases/"+caseID+"/findings", nil); r.Code != code {
			t.Errorf("list as %s: want %d, got %d: %s", user, code, r.Code, r.Body)
		}
	}
}

func TestFindingListsShowWhatTheLabMaySee(t *testing.T) {
	w := newWorld(t)
	caseID := w.reviewCase()
	draft := w.finding(caseID, "rev", "draft", findingBody("critical", "TLP:AMBER"))
	shared := w.finding(caseID, "rev", "shared", findingBody("high", "TLP:AMBER+STRICT"))
	red := w.finding(caseID, "rev", "shared", findingBody("critical", "TLP:RED"), w.users["lab2"].ID)
	done := w.finding(caseID, "rev", "resolved", findingBody("low", "TLP:CLEAR"))
	ids := func(user, query string) []string {
		r := w.as(user, "GET", "/api/v1/cases/"+caseID+"/findings"+query, nil)
		want(t, r, 200)
		var out []string
		for _, it := range r.JSON()["items"].([]any) {
			out = append(out, it.(map[string]any)["id"].(string))
		}
		return out
	}
	for user, expect := range map[string][]string{
		"lab":  {shared, done},
		"lab2": {shared, red, done},
		"rev":  {draft, shared, red, done},
		"lead": {draft, shared, red, done},
	} {
		if got := ids(user, ""); strings.Join(got, ",") != strings.Join(expect, ",") {
			t.Errorf("%s sees %v, want %v", user, got, expect)
		}
	}
	if got := ids("lead", "?status=shared&severity=critical"); len(got) != 1 || got[0] != red {
		t.Errorf("filtered: %v", got)
	}
	// Pages of one, in order, with an opaque cursor.
	var paged []string
	q := "?limit=1"
	for i := 0; i < 10; i++ {
		r := w.as("lead", "GET", "/api/v1/cases/"+caseID+"/findings"+q, nil)
		want(t, r, 200)
		for _, it := range r.JSON()["items"].([]any) {
			paged = append(paged, it.(map[string]any)["id"].(string))
		}
		next, _ := r.JSON()["next_cursor"].(string)
		if next == "" {
			break
		}
		q = "?limit=1&cursor=" + next
	}
	if strings.Join(paged, ",") != strings.Join([]string{draft, shared, red, done}, ",") {
		t.Errorf("paged: %v", paged)
	}
	for _, bad := range []string{"?status=open", "?severity=severe", "?limit=0", "?cursor=x"} {
		if r := w.as("lead", "GET", "/api/v1/cases/"+caseID+"/findings"+bad, nil); r.Code != 422 {
			t.Errorf("%s: %d %s", bad, r.Code, r.Body)
		}
	}
	want(t, w.as("lead", "GET", "/api/v1/cases/"+caseID+"/findings?tlp=x", nil), 400)
}

func TestTLPRedGoesOnlyToTheNamedLabUsers(t *testing.T) {
	w := newWorld(t)
	caseID := w.reviewCase()
	share := func(id string, body any) response { return w.as("lead", "POST", "/api/v1/findings/"+id+"/share", body) }
	red := w.finding(caseID, "rev", "draft", findingBody("critical", "TLP:RED"))
	amber := w.finding(caseID, "rev", "draft", findingBody("high", "TLP:AMBER"))
	for name, body := range map[string]any{
		"no recipients":     map[string]any{},
		"empty recipients":  map[string]any{"recipient_ids": []string{}},
		"another lab":       map[string]any{"recipient_ids": []string{w.users["rival"].ID}},
		"a reviewer":        map[string]any{"recipient_ids": []string{w.users["rev"].ID}},
		"nobody":            map[string]any{"recipient_ids": []string{"00000000-0000-0000-0000-000000000000"}},
		"twice":             map[string]any{"recipient_ids": []string{w.users["lab2"].ID, w.users["lab2"].ID}},
		"one good, one bad": map[string]any{"recipient_ids": []string{w.users["lab2"].ID, w.users["rival"].ID}},
	} {
		r := share(red, body)
		if r.Code != 422 || r.ErrorField() != "recipient_ids" {
			t.Errorf("%s: %d %s", name, r.Code, r.Body)
		}
	}
	r := share(amber, map[string]any{"recipient_ids": []string{w.users["lab2"].ID}})
	if r.Code != 422 || r.ErrorField() != "recipient_ids" {
		t.Errorf("recipients on an amber finding: %d %s", r.Code, r.Body)
	}
	want(t, share(amber, nil), 200)
	r = share(red, map[string]any{"recipient_ids": []string{w.users["lab2"].ID}})
	want(t, r, 200)
	if got := r.JSON()["recipient_ids"].([]any); len(got) != 1 || got[0] != w.users["lab2"].ID {
		t.Fatalf("recipients: %v", got)
	}
	ev := w.upload("rev", "/api/v1/findings/"+red+"/attachments", "evidence", "exploit.txt", []byte("payload\n"))
	want(t, ev, 201)

	// lab2 is named; lab, of the same organisation, is not.
	want(t, w.as("lab2", "GET", "/api/v1/findings/"+red, nil), 200)
	want(t, w.as("lab2", "GET", "/api/v1/attachments/"+idOf(ev)+"/content", nil), 200)
	for _, req := range []struct{ method, path string }{
		{"GET", "/api/v1/findings/" + red}, {"POST", "/api/v1/findings/" + red + "/respond"},
		{"GET", "/api/v1/attachments/" + idOf(ev)}, {"GET", "/api/v1/attachments/" + idOf(ev) + "/content"},
	} {
		var body any
		if req.method == "POST" {
			body = map[string]any{"response": "x"}
		}
		if r := w.as("lab", req.method, req.path, body); r.Code != 404 {
			t.Errorf("lab %s %s: %d %s", req.method, req.path, r.Code, r.Body)
		}
	}
	want(t, w.upload("lab", "/api/v1/findings/"+red+"/attachments", "evidence", "x.txt", []byte("x")), 404)
	want(t, w.as("lab", "GET", "/api/v1/findings/"+amber, nil), 200)
	// The dashboard counts follow what each lab user sees.
	counts := func(user string) map[string]any {
		for _, it := range w.get(user, "/api/v1/dashboard")["items"].([]any) {
			if m := it.(map[string]any); m["id"] == caseID {
				return m
			}
		}
		t.Fatalf("%s's dashboard lacks the case", user)
		return nil
	}
	if c := counts("lab")["open_findings"].(map[string]any); c["critical"] != 0.0 || c["high"] != 1.0 {
		t.Errorf("lab counts %v", c)
	}
	if c := counts("lab2")["open_findings"].(map[string]any); c["critical"] != 1.0 || c["high"] != 1.0 {
		t.Errorf("lab2 counts %v", c)
	}
	want(t, w.as("lab2", "POST", "/api/v1/findings/"+red+"/respond", map[string]any{"response": "Rotated the keys."}), 200)
}

func TestFindingValidationNamesTheField(t *testing.T) {
	w := newWorld(t)
	caseID := w.reviewCase()
	with := func(field string, v any) map[string]any {
		b := findingBody("high", "TLP:GREEN")
		if v == nil {
			delete(b, field)
		} else {
			b[field] = v
		}
		return b
	}
	cases := []struct {
		name  string
		body  any
		code  int
		field string
	}{
		{"no title", with("title", nil), 422, "title"},
		{"blank title", with("title", "  "), 422, "title"},
		{"long title", with("title", strings.Repeat("t", 201)), 422, "title"},
		{"control in title", with("title", "a\x07b"), 422, "title"},
		{"no description", with("description", nil), 422, "description"},
		{"blank description", with("description", "\n"), 422, "description"},
		{"long description", with("description", strings.Repeat("d", 50001)), 422, "description"},
		{"no category", with("category", nil), 422, "category"},
		{"bad category", with("category", "jailbreak"), 422, "category"},
		{"no severity", with("severity", nil), 422, "severity"},
		{"bad severity", with("severity", "severe"), 422, "severity"},
		{"no tlp", with("tlp", nil), 422, "tlp"},
		{"TLP 1.0 white", with("tlp", "TLP:WHITE"), 422, "tlp"},
		{"lowercase tlp", with("tlp", "tlp:red"), 422, "tlp"},
		{"atlas short", with("atlas_technique", "AML.T123"), 422, "atlas_technique"},
		{"atlas bad sub", with("atlas_technique", "AML.T0051.1"), 422, "atlas_technique"},
		{"atlas lowercase", with("atlas_technique", "aml.t0051"), 422, "atlas_technique"},
		{"atlas trailing", with("atlas_technique", "AML.T0051 "), 422, "atlas_technique"},
		{"not a date", with("embargo_until", "tomorrow"), 422, "embargo_until"},
		{"no such date", with("embargo_until", "2026-02-30"), 422, "embargo_until"},
		{"instant for date", with("embargo_until", "2026-12-01T00:00:00Z"), 422, "embargo_until"},
		{"long component", with("component", strings.Repeat("c", 201)), 422, "component"},
		{"long evidence", with("evidence", strings.Repeat("e", 50001)), 422, "evidence"},
		{"status is not settable", with("status", "shared"), 400, "status"},
		{"author is not settable", with("author_id", w.users["lead"].ID), 400, "author_id"},
		{"response_due_at is not settable", with("response_due_at", "2026-01-01T00:00:00.000Z"), 400, "response_due_at"},
		{"wrong type", with("severity", 3), 400, "severity"},
		{"atlas technique", with("atlas_technique", "AML.T0051"), 201, ""},
		{"atlas sub-technique", with("atlas_technique", "AML.T0051.000"), 201, ""},
		{"no optional fields", map[string]any{"title": "T", "description": "D", "category": "other", "severity": "informational", "tlp": "TLP:CLEAR"}, 201, ""},
	}
	for _, c := range cases {
		r := w.as("rev", "POST", "/api/v1/cases/"+caseID+"/findings", c.body)
		if r.Code != c.code || c.field != "" && r.ErrorField() != c.field {
			t.Errorf("%s: want %d naming %q, got %d: %s", c.name, c.code, c.field, r.Code, r.Body)
		}
	}
	// A patch validates the same way and leaves the finding as it was.
	id := w.finding(caseID, "rev", "draft", findingBody("high", "TLP:GREEN"))
	r := w.as("rev", "PATCH", "/api/v1/findings/"+id, map[string]any{"severity": "critical", "tlp": "TLP:BLUE"})
	if r.Code != 422 || r.ErrorField() != "tlp" {
		t.Fatalf("patch: %d %s", r.Code, r.Body)
	}
	r = w.as("rev", "PATCH", "/api/v1/findings/"+id, map[string]any{"atlas_technique": "", "embargo_until": "", "evidence": ""})
	want(t, r, 200)
	if m := r.JSON(); m["severity"] != "high" || m["atlas_technique"] != nil || m["embargo_until"] != nil || m["evidence"] != nil {
		t.Fatalf("patched: %s", r.Body)
	}
	want(t, w.as("lead", "POST", "/api/v1/findings/"+id+"/share", nil), 200)
	for _, c := range []struct {
		user, suffix string
		body         any
		field        string
	}{
		{"lab", "/respond", map[string]any{"response": " "}, "response"},
		{"lab", "/respond", map[string]any{}, "response"},
		{"lead", "/resolve", map[string]any{"resolution": "closed", "note": "x"}, "resolution"},
		{"lead", "/resolve", map[string]any{"resolution": "resolved"}, "note"},
		{"lead", "/resolve", map[string]any{"resolution": "resolved", "note": ""}, "note"},
	} {
		if r := w.as(c.user, "POST", "/api/v1/findings/"+id+c.suffix, c.body); r.Code != 422 || r.ErrorField() != c.field {
			t.Errorf("%s %v: %d %s", c.suffix, c.body, r.Code, r.Body)
		}
	}
	if r := w.as("lab", "POST", "/api/v1/findings/"+id+"/respond", map[string]any{"response": "x", "status": "resolved"}); r.Code != 400 || r.ErrorField() != "status" {
		t.Errorf("status in a response: %d %s", r.Code, r.Body)
	}
}

// The response deadline is the end of the local day, in the case's zone,
// severity-days after the local date of sharing, by the case clock's engine.
func TestFindingResponseDeadline(t *testing.T) {
	w := newWorld(t)
	caseID := w.reviewCase()
	ny, _ := time.LoadLocation("America/New_York")
	cases := []struct {
		name     string
		sharedAt time.Time
		severity string
		due      any
	}{
		{"summer, end of the local day", time.Date(2026, 6, 2, 14, 0, 0, 0, ny), "critical", "2026-06-06T03:59:59.999Z"},
		{"late evening: the local date, not the UTC one", time.Date(2026, 6, 2, 23, 30, 0, 0, ny), "medium", "2026-06-17T03:59:59.999Z"},
		{"across the November 2026 fall-back", time.Date(2026, 10, 30, 14, 0, 0, 0, ny), "critical", "2026-11-03T04:59:59.999Z"},
		{"a week across fall-back", time.Date(2026, 10, 28, 23, 30, 0, 0, ny), "high", "2026-11-05T04:59:59.999Z"},
		{"a month across fall-back", time.Date(2026, 10, 20, 0, 30, 0, 0, ny), "low", "2026-11-20T04:59:59.999Z"},
		{"shared on the fall-back day", time.Date(2026, 11, 1, 1, 30, 0, 0, ny), "critical", "2026-11-05T04:59:59.999Z"},
		{"across the March spring-forward", time.Date(2026, 3, 6, 9, 0, 0, 0, ny), "high", "2026-03-14T03:59:59.999Z"},
		{"informational: no deadline", time.Date(2026, 10, 30, 14, 0, 0, 0, ny), "informational", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w.t = t
			w.clock.Set(c.sharedAt.Add(-time.Hour))
			id := w.finding(caseID, "rev", "draft", findingBody(c.severity, "TLP:GREEN"))
			w.clock.Set(c.sharedAt)
			r := w.as("rev", "POST", "/api/v1/findings/"+id+"/share", nil)
			want(t, r, 200)
			m := r.JSON()
			if m["response_due_at"] != c.due {
				t.Fatalf("due %v, want %v", m["response_due_at"], c.due)
			}
			if c.due == nil {
				return
			}
			due, _ := time.Parse(time.RFC3339, c.due.(string))
			naive := c.sharedAt.Add(24 * time.Hour)
			if !due.After(naive) {
				t.Fatalf("due %s is not past a day after sharing", due)
			}
			if local := due.In(ny); local.Hour() != 23 || local.Minute() != 59 || local.Second() != 59 {
				t.Fatalf("due %s is not the end of a local day", local)
			}
			// Overdue the millisecond after, and no longer once the lab responds.
			w.clock.Set(due)
			if w.get("lead", "/api/v1/findings/"+id)["overdue"] != false {
				t.Fatal("overdue at its deadline")
			}
			w.clock.Set(due.Add(time.Millisecond))
			if w.get("lead", "/api/v1/findings/"+id)["overdue"] != true {
				t.Fatal("not overdue after its deadline")
			}
			want(t, w.as("lab", "POST", "/api/v1/findings/"+id+"/respond", map[string]any{"response": "Late, sorry."}), 200)
			if w.get("lead", "/api/v1/findings/"+id)["overdue"] != false {
				t.Fatal("overdue after the response")
			}
		})
	}
}

// The response days per severity come from findings.response_days; 0 means none.
func TestFindingResponseDaysFromConfig(t *testing.T) {
	w := newWorld(t, func(c *config.Config) { c.Findings.ResponseDays["high"], c.Findings.ResponseDays["critical"] = 2, 0 })
	caseID := w.reviewCase()
	w.clock.Set(time.Date(2026, 4, 7, 13, 0, 0, 0, time.UTC)) // 09:00 EDT
	high := w.get("lead", "/api/v1/findings/"+w.finding(caseID, "rev", "shared", findingBody("high", "TLP:GREEN")))
	if high["response_due_at"] != "2026-04-10T03:59:59.999Z" {
		t.Errorf("high, 2 days: due %v", high["response_due_at"])
	}
	crit := w.get("lead", "/api/v1/findings/"+w.finding(caseID, "rev", "shared", findingBody("critical", "TLP:GREEN")))
	if crit["response_due_at"] != nil || crit["overdue"] != false {
		t.Errorf("critical, 0 days: due %v", crit["response_due_at"])
	}
}

func TestDashboardCountsOpenAndOverdueFindings(t *testing.T) {
	w := newWorld(t)
	caseID := w.reviewCase()
	other := w.caseIn("in_review").caseID
	w.finding(caseID, "rev", "draft", findingBody("critical", "TLP:AMBER"))
	w.finding(caseID, "rev", "shared", findingBody("critical", "TLP:AMBER"))
	w.finding(caseID, "rev", "shared", findingBody("high", "TLP:RED"), w.users["lab2"].ID)
	w.finding(caseID, "rev", "lab_responded", findingBody("medium", "TLP:GREEN"))
	w.finding(caseID, "rev", "resolved", findingBody("low", "TLP:GREEN"))
	w.finding(caseID, "rev", "risk_accepted", findingBody("low", "TLP:GREEN"))
	w.finding(caseID, "rev", "shared", findingBody("informational", "TLP:CLEAR"))
	w.finding(other, "lead", "shared", findingBody("low", "TLP:CLEAR"))
	item := func(user, id string) map[string]any {
		for _, it := range w.get(user, "/api/v1/dashboard")["items"].([]any) {
			if m := it.(map[string]any); m["id"] == id {
				return m
			}
		}
		t.Fatalf("%s's dashboard lacks %s", user, id)
		return nil
	}
	check := func(user, id string, open map[string]float64, overdue float64) {
		t.Helper()
		m := item(user, id)
		got := m["open_findings"].(map[string]any)
		for _, sev := range []string{"critical", "high", "medium", "low", "informational"} {
			if got[sev] != open[sev] {
				t.Errorf("%s, %s: open %s = %v, want %v (%v)", user, id, sev, got[sev], open[sev], got)
			}
		}
		if m["overdue_findings"] != overdue {
			t.Errorf("%s, %s: overdue %v, want %v", user, id, m["overdue_findings"], overdue)
		}
	}
	agency := map[string]float64{"critical": 2, "high": 1, "medium": 1, "informational": 1}
	for _, user := range []string{"rev", "lead", "co"} {
		check(user, caseID, agency, 0)
	}
	check("lab", caseID, map[string]float64{"critical": 1, "medium": 1, "informational": 1}, 0)
	check("lab2", caseID, map[string]float64{"critical": 1, "high": 1, "medium": 1, "informational": 1}, 0)
	check("lead", other, map[string]float64{"low": 1}, 0)
	// Eight days on, the critical (3 days) and high (7 days) shared ones are late;
	// the answered one and informational (no deadline) are not.
	w.clock.Advance(8 * 24 * time.Hour)
	check("lead", caseID, agency, 2)
	check("co", caseID, agency, 2)
	check("lab", caseID, map[string]float64{"critical": 1, "medium": 1, "informational": 1}, 1)
	check("lead", other, map[string]float64{"low": 1}, 0)
}

// Findings, responses, notes, comments and attachment names never reach the
// audit trail, an export, or a compliance officer: only hashes do.
func TestNothingConfidentialLeaks(t *testing.T) {
	w := newWorld(t)
	caseID := w.reviewCase()
	secrets := map[string]string{
		"title":       "Title-7f3a: weights exfiltration path",
		"description": "Description-91c2: the model wrote a working exploit for CVE-2026-0001.",
		"evidence":    "Evidence-44d1: transcript 7",
		"component":   "Component-2b9e",
		"response":    "Response-c0ff: we retrained the refusal head.",
		"note":        "Note-5e11: accepted for the enterprise tier only.",
		"comment":     "Comment-a1b2: internal doubts about the lab's numbers.",
		"shared":      "Comment-d4e5: please send the eval logs.",
		"name":        "Name-beef-report.md",
		"content":     "Content-f00d: raw red-team log",
	}
	body := findingBody("critical", "TLP:AMBER")
	body["title"], body["description"], body["evidence"], body["component"] = secrets["title"], secrets["description"], secrets["evidence"], secrets["component"]
	f := w.finding(caseID, "rev", "shared", body)
	want(t, w.as("rev", "PATCH", "/api/v1/findings/"+w.finding(caseID, "rev", "draft", body), map[string]any{"description": secrets["description"] + " (edited)"}), 200)
	want(t, w.as("lab", "POST", "/api/v1/findings/"+f+"/respond", map[string]any{"response": secrets["response"]}), 200)
	want(t, w.as("lead", "POST", "/api/v1/findings/"+f+"/resolve", map[string]any{"resolution": "risk_accepted", "note": secrets["note"],
		"accepted_until": w.clock.Now().AddDate(0, 3, 0).Format("2006-01-02")}), 200)
	want(t, w.as("rev", "POST", "/api/v1/cases/"+caseID+"/comments", map[string]any{"body": secrets["comment"], "visibility": "internal"}), 201)
	want(t, w.as("lab", "POST", "/api/v1/cases/"+caseID+"/comments", map[string]any{"body": secrets["shared"], "visibility": "shared"}), 201)
	att := w.upload("lab", "/api/v1/findings/"+w.finding(caseID, "rev", "shared", body)+"/attachments", "evidence", secrets["name"], []byte(secrets["content"]))
	want(t, att, 201)

	leaks := func(where, text string) {
		t.Helper()
		for what, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s carries the %s", where, what)
			}
		}
	}
	// Every audit event, walked through the store.
	n, hashed := 0, false
	auditKey, err := app.AuditKey([]byte(w.cfg.Secret))
	if err != nil {
		t.Fatal(err)
	}
	descSum := sha256.Sum256([]byte(secrets["description"]))
	err = w.store.Read(context.Background(), func(tx app.Tx) error {
		return tx.Audit().WalkAudit(func(ev docket.AuditEvent) error {
			n++
			leaks(fmt.Sprintf("audit event %d (%s)", ev.Seq, ev.Action), fmt.Sprintf("%+v", ev))
			if strings.Contains(ev.Changes, hex.EncodeToString(descSum[:])) {
				t.Errorf("audit event %d (%s) holds the description's plain SHA-256", ev.Seq, ev.Action)
			}
			descKeyed := docket.AuditValueHash(auditKey, docket.AuditSubject(ev.SubjectType, ev.SubjectID), "description", secrets["description"])
			if ev.Action == "finding.created" && strings.Contains(ev.Changes, descKeyed) {
				hashed = true
			}
			return nil
		})
	})
	if err != nil || n < 20 {
		t.Fatalf("walked %d events: %v", n, err)
	}
	if !hashed {
		t.Error("no finding.created event holds the description's keyed hash")
	}
	// The CSV export, for everyone who may have it.
	for _, user := range []string{"lab", "rev", "lead", "co"} {
		r := w.as(user, "GET", "/api/v1/dashboard.csv", nil)
		want(t, r, 200)
		leaks(user+"'s dashboard.csv", r.Body)
	}
	// Every route, as a compliance officer.
	paths := []string{"/api/v1/cases", "/api/v1/cases/" + caseID, "/api/v1/dashboard", "/api/v1/dashboard.csv",
		"/api/v1/cases/" + caseID + "/findings", "/api/v1/findings/" + f, "/api/v1/cases/" + caseID + "/comments",
		"/api/v1/attachments/" + idOf(att), "/api/v1/attachments/" + idOf(att) + "/content",
		"/api/v1/cases/" + caseID + "/audit?limit=200", "/api/v1/audit?limit=200", "/api/v1/cases/" + caseID + "/clock"}
	for _, p := range paths {
		r := w.as("co", "GET", p, nil)
		if r.Code >= 500 {
			t.Errorf("%s: %d", p, r.Code)
		}
		leaks("GET "+p+" for a compliance officer", r.Body)
	}
	for _, p := range paths[4:9] {
		if r := w.as("co", "GET", p, nil); r.Code != 403 {
			t.Errorf("GET %s as a compliance officer: %d", p, r.Code)
		}
	}
}

func TestCommentsByVisibility(t *testing.T) {
	w := newWorld(t)
	caseID := w.reviewCase()
	post := func(user, vis, body string) response {
		w.clock.Advance(time.Millisecond)
		return w.as(user, "POST", "/api/v1/cases/"+caseID+"/comments", map[string]any{"body": body, "visibility": vis})
	}
	want(t, post("rev", "internal", "Agency only."), 201)
	r := post("lead", "shared", "Please send the logs.")
	want(t, r, 201)
	if m := r.JSON(); m["visibility"] != "shared" || m["author_id"] != w.users["lead"].ID || m["author_role"] != "review_lead" {
		t.Fatalf("comment: %s", r.Body)
	}
	want(t, post("lab", "shared", "Attached."), 201)
	for _, c := range []struct {
		user, vis, body string
		code            int
		field           string
	}{
		{"lab", "internal", "Sneaky.", 422, "visibility"},
		{"rev", "public", "x", 422, "visibility"},
		{"rev", "", "x", 422, "visibility"},
		{"rev", "internal", " ", 422, "body"},
		{"rev", "internal", strings.Repeat("b", 20001), 422, "body"},
		{"rival", "shared", "x", 404, ""},
		{"rev3", "internal", "x", 404, ""},
		{"admin", "internal", "x", 404, ""},
		{"co", "internal", "x", 403, ""},
		{"lead2", "internal", "x", 409, ""},
	} {
		if r := post(c.user, c.vis, c.body); r.Code != c.code || c.field != "" && r.ErrorField() != c.field {
			t.Errorf("%s posting %q: %d %s", c.user, c.vis, r.Code, r.Body)
		}
	}
	bodies := func(user, q string) []string {
		r := w.as(user, "GET", "/api/v1/cases/"+caseID+"/comments"+q, nil)
		want(t, r, 200)
		var out []string
		for _, it := range r.JSON()["items"].([]any) {
			out = append(out, it.(map[string]any)["body"].(string))
		}
		return out
	}
	all := "Agency only.|Please send the logs.|Attached."
	for user, expect := range map[string]string{"lab": "Please send the logs.|Attached.", "lab2": "Please send the logs.|Attached.",
		"rev": all, "rev2": all, "lead": all} {
		if got := strings.Join(bodies(user, ""), "|"); got != expect {
			t.Errorf("%s reads %q", user, got)
		}
	}
	if got := bodies("lab", "?limit=1"); len(got) != 1 || got[0] != "Please send the logs." {
		t.Errorf("the lab's first page: %v", got)
	}
	first := w.as("lead", "GET", "/api/v1/cases/"+caseID+"/comments?limit=2", nil)
	want(t, first, 200)
	next, _ := first.JSON()["next_cursor"].(string)
	if got := strings.Join(bodies("lead", "?limit=2&cursor="+next), "|"); next == "" || got != "Attached." {
		t.Errorf("the second page: %q (cursor %q)", got, next)
	}
	for user, code := range map[string]int{"co": 403, "rival": 404, "rev3": 404, "admin": 404, "lead2": 409} {
		if r := w.as(user, "GET", "/api/v1/cases/"+caseID+"/comments", nil); r.Code != code {
			t.Errorf("%s lists: %d", user, r.Code)
		}
	}
	want(t, w.as("lead", "GET", "/api/v1/cases/"+caseID+"/comments?visibility=shared", nil), 400)
	// A lab comments on its own draft; nobody else sees the draft.
	draft := w.caseIn("draft").caseID
	want(t, w.as("lab", "POST", "/api/v1/cases/"+draft+"/comments", map[string]any{"body": "Note to self.", "visibility": "shared"}), 201)
	want(t, w.as("lead", "GET", "/api/v1/cases/"+draft+"/comments", nil), 404)
}

// The audit trail names every finding step, with metadata and hashes.
func TestFindingStepsAreAudited(t *testing.T) {
	w := newWorld(t)
	caseID := w.reviewCase()
	id := w.finding(caseID, "rev", "resolved", findingBody("high", "TLP:GREEN"))
	r := w.as("lead", "GET", "/api/v1/cases/"+caseID+"/audit?limit=200", nil)
	want(t, r, 200)
	var actions []string
	for _, it := range r.JSON()["items"].([]any) {
		ev := it.(map[string]any)
		if ev["subject_id"] == id {
			actions = append(actions, ev["action"].(string))
			ch, _ := ev["changes"].(map[string]any)
			if ev["action"] == "finding.shared" && (ch["severity"] != "high" || ch["response_days"] != 7.0 || ch["response_due_at"] == nil) {
				t.Errorf("finding.shared changes: %v", ch)
			}
			if ev["action"] == "finding.resolved" && ch["resolution"] != "resolved" {
				t.Errorf("finding.resolved changes: %v", ch)
			}
		}
	}
	if strings.Join(actions, ",") != "finding.created,finding.shared,finding.resolved" {
		t.Fatalf("actions %v", actions)
	}
	if rep, err := w.svc.AuditTrail.VerifyAudit(context.Background()); err != nil || rep.Reason != "" {
		t.Fatalf("audit chain: %+v %v", rep, err)
	}
}

// The deadline is computed in the zone the case snapshotted when it was
// submitted, not in the zone configured when the finding is shared.
func TestFindingDeadlineUsesTheCasesZone(t *testing.T) {
	w := newWorld(t)
	caseID := w.reviewCase() // submitted under America/New_York
	id := w.finding(caseID, "rev", "draft", findingBody("critical", "TLP:GREEN"))
	cfg := w.cfg
	cfg.Review.Timezone = "Asia/Tokyo"
	later := app.New(w.store, app.Options{Config: cfg, Now: w.clock.Now, Hasher: testHasher})
	w.clock.Set(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC)) // 14:00 June 2 in New York, 03:00 June 3 in Tokyo
	lead := w.users["lead"]
	v, err := later.Findings.ShareFinding(context.Background(), docket.Actor{UserID: lead.ID, Role: docket.RoleReviewLead, OrgID: lead.OrgID}, id, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Finding.ResponseDueAt.UTC().Format("2006-01-02T15:04:05.000Z"); got != "2026-06-06T03:59:59.999Z" {
		t.Fatalf("due %s, want the end of June 5 in New York", got)
	}
}
