package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/docket/docket/internal/app"
)

// addition is one way of adding something to a case, through the API (under
// /api/v1) and through the case page's form at the same path.
type addition struct {
	name string
	// users may add it while the review is open (rev and the lead assigned
	// and attested, the finding shared).
	users []string
	path  func(f fixture) string
	// body is the API's JSON, form the page's; both nil for an upload.
	body map[string]any
	form url.Values
	// bad is a body the route refuses with 422 on an open case: on a closed
	// one the state answers first.
	bad map[string]any
}

func (a addition) upload() bool { return a.body == nil }

// additions lists every addition to a case (DESIGN.md "Security": nothing
// can be added once the case is decided or withdrawn).
var additions = []addition{
	{name: "case attachment", users: []string{"lab", "rev", "lead"}, path: casePath2("/attachments")},
	{name: "finding attachment", users: []string{"lab", "rev", "lead"},
		path: func(f fixture) string { return "/findings/" + f.findingID + "/attachments" }},
	{name: "finding", users: []string{"rev", "lead"}, path: casePath2("/findings"),
		body: findingBody("high", "TLP:AMBER"),
		form: url.Values{"title": {"Late"}, "description": {"Found after the end."}, "category": {"other"}, "severity": {"low"}, "tlp": {"TLP:CLEAR"}},
		bad:  map[string]any{"title": "Late"}},
	{name: "comment", users: []string{"lab", "rev", "lead"}, path: casePath2("/comments"),
		body: map[string]any{"body": "One more thing.", "visibility": "shared"},
		form: url.Values{"body": {"One more thing."}, "visibility": {"shared"}},
		bad:  map[string]any{"body": " ", "visibility": "shared"}},
	{name: "information request", users: []string{"rev", "lead"}, path: casePath2("/info-requests"),
		body: map[string]any{"question": "Anything else?"}, form: url.Values{"question": {"Anything else?"}},
		bad: map[string]any{"question": " "}},
	{name: "benchmark result", users: []string{"rev", "lead"}, path: casePath2("/benchmark-results"),
		body: resultBody("ctf-professional", 12),
		form: url.Values{"benchmark_id": {"ctf-professional"}, "score": {"12"}, "run_by": {"agency"}, "run_at": {"2026-01-04"}},
		bad:  map[string]any{"benchmark_id": "no-such-benchmark", "score": 1}},
	{name: "amendment of the summary", users: []string{"lab"}, path: casePath2("/amendments"),
		body: map[string]any{"summary": "Revised after the end."}, form: url.Values{"summary": {"Revised after the end."}},
		bad: map[string]any{}},
	{name: "amendment of the weights", users: []string{"lab"}, path: casePath2("/amendments"),
		body: map[string]any{"weights_digest": newDigest(0xef)}, form: url.Values{"weights_digest": {newDigest(0xef)}},
		bad: map[string]any{"weights_digest": "md5:0"}},
}

// casePath2 is a path under the fixture's case, without the API prefix.
func casePath2(suffix string) func(f fixture) string {
	return func(f fixture) string { return "/cases/" + f.caseID + suffix }
}

// closedCase is a case worked while open (rev and the lead assigned and
// attested, a finding shared with the lab and evidence attached to it),
// then decided or withdrawn.
func (w *world) closedCase(state string) fixture {
	w.t.Helper()
	f := w.withContent(w.caseIn("in_review"))
	switch state {
	case "decided":
		want(w.t, w.as("lead", "POST", "/api/v1/cases/"+f.caseID+"/decision", map[string]any{"outcome": "concerns_noted", "rationale": "Done."}), 200)
	case "withdrawn":
		want(w.t, w.as("lab", "POST", "/api/v1/cases/"+f.caseID+"/withdraw", map[string]any{"reason": "Not releasing."}), 200)
	default:
		w.t.Fatalf("no closed state %s", state)
	}
	return f
}

// caseRows counts, straight from the store, what a case holds, the audit
// chain's length and the files in the attachments directory (temporary
// upload files included).
type caseRows struct {
	Attachments, Findings, Comments, Requests, Results, Amendments, Files int
	Audit                                                                 int64
}

func (ts *testServer) rowsOf(caseID string) caseRows {
	ts.t.Helper()
	var n caseRows
	err := ts.store.Read(context.Background(), func(tx app.Tx) error {
		atts, err := tx.Content().ListAttachments(caseID, true)
		if err != nil {
			return err
		}
		fs, _, err := tx.Content().ListFindings(app.FindingFilter{CaseID: caseID}, app.Page{Limit: 200})
		if err != nil {
			return err
		}
		cs, _, err := tx.Content().ListComments(caseID, false, app.Page{Limit: 200})
		if err != nil {
			return err
		}
		rs, err := tx.Cases().ListInfoRequests(caseID)
		if err != nil {
			return err
		}
		br, err := tx.Benchmarks().ListBenchmarkResults(caseID)
		if err != nil {
			return err
		}
		ms, err := tx.Amendments().ListAmendments(caseID)
		if err != nil {
			return err
		}
		n.Attachments, n.Findings, n.Comments, n.Requests, n.Results, n.Amendments = len(atts), len(fs), len(cs), len(rs), len(br), len(ms)
		n.Audit, _, err = tx.Audit().AuditHead()
		return err
	})
	if err != nil {
		ts.t.Fatal(err)
	}
	n.Files = len(ts.attachmentFiles())
	return n
}

// TestNothingIsAddedToAClosedCase: every addition route, through the API and
// through the page's form, by every user who may add it while the review is
// open, on a decided and on a withdrawn case: 409 naming the state (before
// any complaint about the body), and nothing written: no row, no audit
// event, no file.
func TestNothingIsAddedToAClosedCase(t *testing.T) {
	w := newWorld(t)
	browsers := map[string]*browser{} // signed in first: signing in is audited
	for _, user := range []string{"lab", "rev", "lead"} {
		browsers[user] = w.pageAs(user)
	}
	requests := 0
	for _, state := range []string{"decided", "withdrawn"} {
		f := w.closedCase(state)
		msg := "the case is " + state + "; nothing can be added to it"
		before := w.rowsOf(f.caseID)
		check := func(what string) {
			t.Helper()
			requests++
			if after := w.rowsOf(f.caseID); after != before {
				t.Errorf("%s on a %s case wrote something: %+v, then %+v", what, state, before, after)
				before = after
			}
		}
		for _, a := range additions {
			for _, user := range a.users {
				what := a.name + " by " + user + " (API)"
				var r response
				if a.upload() {
					r = w.upload(user, "/api/v1"+a.path(f), "model_card", "card.md", []byte("# Model card\n"))
				} else {
					r = w.as(user, "POST", "/api/v1"+a.path(f), a.body)
				}
				if r.Code != 409 || r.JSON()["error"].(map[string]any)["code"] != "conflict" ||
					r.JSON()["error"].(map[string]any)["message"] != msg {
					t.Errorf("%s on a %s case: %d %s, want 409 %q", what, state, r.Code, r.Body, msg)
				}
				check(what)

				// A body the route would refuse: the state still answers first.
				what = a.name + " by " + user + " with a bad body (API)"
				if a.upload() {
					r = w.upload(user, "/api/v1"+a.path(f), "no-such-kind", "empty.txt", nil)
				} else {
					r = w.as(user, "POST", "/api/v1"+a.path(f), a.bad)
				}
				if r.Code != 409 || !strings.Contains(r.Body, msg) {
					t.Errorf("%s on a %s case: %d %s, want 409 %q", what, state, r.Code, r.Body, msg)
				}
				check(what)

				// The case page's form.
				what = a.name + " by " + user + " (page)"
				b := browsers[user]
				from := "/cases/" + f.caseID
				var p page
				if a.upload() {
					p = b.uploadPage(from, a.path(f), "model_card", "card.md", []byte("# Model card\n"))
				} else {
					p = b.post(from, a.path(f), a.form)
				}
				if p.Code != 409 || !strings.Contains(p.text(), "The case is "+state+"; nothing can be added to it.") {
					t.Errorf("%s on a %s case: %d, want 409 saying why: %.600s", what, state, p.Code, p.text())
				}
				check(what)
			}
		}
		// The case page offers no form that adds to the case.
		for _, user := range []string{"lab", "rev", "lead"} {
			p := browsers[user].get("/cases/" + f.caseID)
			wantPage(t, p, 200)
			for _, action := range []string{"/attachments", "/findings", "/comments", "/info-requests", "/benchmark-results", "/amendments"} {
				if strings.Contains(p.Body, `action="/cases/`+f.caseID+action) {
					t.Errorf("the %s case's page offers %s the form of %s", state, user, action)
				}
			}
			if strings.Contains(p.Body, `action="/findings/`+f.findingID+`/attachments`) {
				t.Errorf("the %s case's page offers %s the finding's upload form", state, user)
			}
		}
	}
	t.Logf("%d additions to closed cases refused, with nothing written", requests)
}
