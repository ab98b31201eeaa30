package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/docket/docket/internal/config"
)

// A complete draft's fields.
func draftBody(name string) map[string]any {
	return map[string]any{
		"model_name": name, "model_version": "1.0", "summary": "A frontier model.",
		"weights_digest": "sha256:" + strings.Repeat("ab", 32), "modality": "text", "deployment": "api",
		"training_compute_flops": 3.1e25, "planned_release_date": "2026-09-30",
	}
}

// world is a server with one user per role, plus a second lab and a second reviewer.
type world struct {
	*testServer
}

func newWorld(t *testing.T, mutate ...func(*config.Config)) *world {
	ts := newTestServer(t, mutate...)
	ts.addUser("lab", "lab_member", "Frontier Labs")
	ts.addUser("lab2", "lab_member", "Frontier Labs")
	ts.addUser("rival", "lab_member", "Meridian AI")
	ts.addUser("rev", "reviewer", "Agency")
	ts.addUser("rev2", "reviewer", "Agency")
	ts.addUser("lead", "review_lead", "Agency")
	ts.addUser("co", "compliance_officer", "Agency")
	ts.addUser("admin", "admin", "Agency")
	return &world{ts}
}

// fixture is a case brought to a state, with an information request where the state allows one.
type fixture struct {
	caseID    string
	requestID string
	// findingID and attachmentID are set by withContent (findings_test.go).
	findingID    string
	attachmentID string
	// amendmentID is set by withAmendment (amendments_test.go).
	amendmentID string
}

// caseIn creates a case of "lab" and brings it to state: reviewers rev (and the
// lead) assigned and attested from in_review on; a closed request in every
// non-draft state, an open one in awaiting_lab.
func (w *world) caseIn(state string) fixture {
	t := w.t
	t.Helper()
	r := w.as("lab", "POST", "/api/v1/cases", draftBody("Model "+state))
	want(t, r, 201)
	f := fixture{caseID: r.JSON()["id"].(string)}
	if state == "draft" {
		return f
	}
	id := f.caseID
	want(t, w.as("lab", "POST", "/api/v1/cases/"+id+"/submit", nil), 200)
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/attest-no-conflict", nil), 200)
	ask := func() string {
		r := w.as("lead", "POST", "/api/v1/cases/"+id+"/info-requests", map[string]any{"question": "Which evals?"})
		want(t, r, 201)
		return r.JSON()["id"].(string)
	}
	f.requestID = ask()
	want(t, w.as("lab", "POST", "/api/v1/info-requests/"+f.requestID+"/answer", map[string]any{"answer": "These."}), 200)
	if state == "submitted" {
		return f
	}
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/assign", map[string]any{"reviewer_ids": []string{w.users["rev"].ID}, "lead_id": w.users["lead"].ID}), 200)
	want(t, w.as("rev", "POST", "/api/v1/cases/"+id+"/attest-no-conflict", nil), 200)
	switch state {
	case "in_review":
	case "awaiting_lab":
		f.requestID = ask()
	case "decided":
		want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/decision", map[string]any{"outcome": "no_concerns", "rationale": "Fine."}), 200)
	case "withdrawn":
		want(t, w.as("lab", "POST", "/api/v1/cases/"+id+"/withdraw", map[string]any{"reason": "Cancelled."}), 200)
	default:
		t.Fatalf("no state %s", state)
	}
	return f
}

type lifecycleAction struct {
	name   string
	method string
	path   func(f fixture) string
	body   any
	ok     int
	roles  []string // roles that may take it
	states []string // states it is allowed in
}

var (
	open     = []string{"submitted", "in_review", "awaiting_lab"}
	nonDraft = []string{"submitted", "in_review", "awaiting_lab", "decided", "withdrawn"}
	states   = []string{"draft", "submitted", "in_review", "awaiting_lab", "decided", "withdrawn"}
	roles    = map[string]string{"lab_member": "lab", "reviewer": "rev", "review_lead": "lead", "compliance_officer": "co", "admin": "admin"}
)

func casePath(suffix string) func(f fixture) string {
	return func(f fixture) string { return "/api/v1/cases/" + f.caseID + suffix }
}

func requestPath(suffix string) func(f fixture) string {
	return func(f fixture) string { return "/api/v1/info-requests/" + f.requestID + suffix }
}

// DESIGN.md's lifecycle table, restated.
var lifecycle = []lifecycleAction{
	{"edit", "PATCH", casePath(""), map[string]any{"summary": ""}, 200, []string{"lab_member"}, []string{"draft"}},
	{"delete", "DELETE", casePath(""), nil, 204, []string{"lab_member"}, []string{"draft"}},
	{"submit", "POST", casePath("/submit"), nil, 200, []string{"lab_member"}, []string{"draft"}},
	{"assign", "POST", casePath("/assign"), map[string]any{"reviewer_ids": []string{}}, 200, []string{"review_lead"}, open},
	{"attest", "POST", casePath("/attest-no-conflict"), nil, 200, []string{"reviewer", "review_lead"}, nonDraft},
	{"declare conflict", "POST", casePath("/declare-conflict"), map[string]any{"reason": "I consulted for them."}, 200, []string{"reviewer"}, open},
	{"request information", "POST", casePath("/info-requests"), map[string]any{"question": "More?"}, 201, []string{"reviewer", "review_lead"}, open},
	{"answer", "POST", requestPath("/answer"), map[string]any{"answer": "Here."}, 200, []string{"lab_member"}, []string{"awaiting_lab"}},
	{"cancel request", "POST", requestPath("/cancel"), nil, 200, []string{"reviewer", "review_lead"}, []string{"awaiting_lab"}},
	{"decide", "POST", casePath("/decision"), map[string]any{"outcome": "concerns_noted", "rationale": "See findings."}, 200, []string{"review_lead"}, []string{"in_review", "awaiting_lab"}},
	{"withdraw", "POST", casePath("/withdraw"), map[string]any{"reason": "Not releasing."}, 200, []string{"lab_member"}, open},
}

// visibleTo says whether the role sees a case of "lab" in the state (reviewer
// rev is assigned from in_review on).
func visibleTo(role, state string) bool {
	switch role {
	case "lab_member":
		return true
	case "reviewer":
		return state != "draft" && state != "submitted"
	case "review_lead", "compliance_officer":
		return state != "draft"
	}
	return false
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestLifecycleMatrix(t *testing.T) {
	w := newWorld(t)
	fixtures := map[string]fixture{}
	for _, a := range lifecycle {
		for _, state := range states {
			if state == "draft" && (a.name == "answer" || a.name == "cancel request") {
				continue // a draft has no information requests
			}
			for role, user := range roles {
				name := fmt.Sprintf("%s/%s/%s", a.name, state, role)
				t.Run(name, func(t *testing.T) {
					w.t = t
					f := w.caseIn(state)
					fixtures[name] = f
					wantCode := a.ok
					switch {
					case !visibleTo(role, state):
						wantCode = 404
					case !has(a.roles, role):
						wantCode = 403
					case !has(a.states, state):
						wantCode = 409
					}
					r := w.as(user, a.method, a.path(f), a.body)
					if r.Code != wantCode {
						t.Fatalf("%s as %s in %s: want %d, got %d: %s", a.name, role, state, wantCode, r.Code, r.Body)
					}
					if wantCode == 409 && a.name != "answer" && a.name != "cancel request" && !strings.Contains(r.Body, "the case is "+state) {
						t.Fatalf("the 409 does not name the state: %s", r.Body)
					}
				})
			}
		}
	}
}
