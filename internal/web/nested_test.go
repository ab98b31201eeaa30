package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/inspect"
)

// nestedKind is what an id nested in a route's path names: anything but a
// case (the case routes have their own matrix, visibility_test.go).
type nestedKind string

const (
	kindRequest      nestedKind = "information request"
	kindFinding      nestedKind = "finding"
	kindAttachment   nestedKind = "attachment"
	kindAmendment    nestedKind = "amendment"
	kindInbox        nestedKind = "inbox item"
	kindNotification nestedKind = "notification"
	kindToken        nestedKind = "API token"
	kindWebhook      nestedKind = "webhook"
	kindDelivery     nestedKind = "delivery"
	kindUser         nestedKind = "user"
	kindApproval     nestedKind = "approval"
	kindFactor       nestedKind = "second factor"
	kindEvaluation   nestedKind = "evaluation"
)

// nestedIDs is the entry of every route, API and pages, whose path holds an
// id other than a case's: what that id names. A route added without an entry
// fails TestNestedIDsAnswerAsMissingOnes; the bodies and forms sent are the
// access tables' (accessMatrix, pageAccess).
var nestedIDs = map[string]nestedKind{
	"DELETE /api/v1/api-tokens/:id":           kindToken,
	"POST /api/v1/me/mfa/:id/confirm":         kindFactor,
	"DELETE /api/v1/me/mfa/:id":               kindFactor,
	"DELETE /api/v1/users/:id/mfa":            kindUser,
	"PATCH /api/v1/users/:id":                 kindUser,
	"POST /api/v1/info-requests/:id/answer":   kindRequest,
	"POST /api/v1/info-requests/:id/cancel":   kindRequest,
	"GET /api/v1/findings/:id":                kindFinding,
	"PATCH /api/v1/findings/:id":              kindFinding,
	"POST /api/v1/findings/:id/share":         kindFinding,
	"POST /api/v1/findings/:id/respond":       kindFinding,
	"POST /api/v1/findings/:id/resolve":       kindFinding,
	"POST /api/v1/findings/:id/attachments":   kindFinding,
	"POST /api/v1/findings/:id/publish":       kindFinding,
	"GET /api/v1/attachments/:id":             kindAttachment,
	"GET /api/v1/attachments/:id/content":     kindAttachment,
	"GET /api/v1/evaluations/:id":             kindEvaluation,
	"POST /api/v1/amendments/:id/resolve":     kindAmendment,
	"POST /api/v1/inbox/:id/read":             kindInbox,
	"POST /api/v1/notifications/:id/ack":      kindNotification,
	"DELETE /api/v1/webhooks/:id":             kindWebhook,
	"PATCH /api/v1/webhooks/:id":              kindWebhook,
	"POST /api/v1/webhooks/:id/rotate-secret": kindWebhook,
	"POST /api/v1/webhooks/:id/ping":          kindWebhook,
	"GET /api/v1/webhooks/:id/deliveries":     kindWebhook,
	"POST /api/v1/admin/deliveries/:id/retry": kindDelivery,

	"POST /info-requests/:id/answer":      kindRequest,
	"POST /info-requests/:id/cancel":      kindRequest,
	"POST /findings/:id/edit":             kindFinding,
	"POST /findings/:id/share":            kindFinding,
	"POST /findings/:id/respond":          kindFinding,
	"POST /findings/:id/resolve":          kindFinding,
	"POST /findings/:id/attachments":      kindFinding,
	"POST /findings/:id/publish":          kindFinding,
	"GET /attachments/:id":                kindAttachment,
	"POST /amendments/:id/resolve":        kindAmendment,
	"POST /inbox/:id/read":                kindInbox,
	"POST /notifications/:id/ack":         kindNotification,
	"POST /account/api-tokens/:id/revoke": kindToken,
	"POST /account/mfa/:id/confirm":       kindFactor,
	"POST /account/mfa/:id/remove":        kindFactor,
	"POST /admin/users/:id":               kindUser,
	"POST /admin/users/:id/mfa/remove":    kindUser,
	"POST /admin/deliveries/:id/retry":    kindDelivery,
	"GET /webhooks/:id/deliveries":        kindWebhook,
	"POST /webhooks/:id/ping":             kindWebhook,
	"POST /api/v1/approvals/:id/approve":  kindApproval,
	"POST /api/v1/approvals/:id/reject":   kindApproval,
	"POST /approvals/:id/approve":         kindApproval,
	"POST /approvals/:id/reject":          kindApproval,
}

// seesEvery names, for each kind, the roles to whom no existing object of it
// is hidden, and why: for them only missing ids exist.
var seesEvery = map[nestedKind]map[string]string{
	kindDelivery: {"admin": "admins see and retry every delivery"},
	kindUser:     {"admin": "admins manage every user"},
	kindApproval: {"review_lead": "leads see every change, to approve it", "compliance_officer": "compliance officers read every change"},
}

// nestedParam reports whether a route's path holds an id other than a case's.
func nestedParam(path string) bool {
	segs := strings.Split(strings.TrimPrefix(path, "/api/v1"), "/")
	for i, s := range segs {
		if strings.HasPrefix(s, ":") && (i == 0 || segs[i-1] != "cases") {
			return true
		}
	}
	return false
}

// hiddenObject is an object that exists and that a user may not see.
type hiddenObject struct{ why, id string }

// nestedWorld is a world with, for every kind of nested id and every role,
// objects that role may not see.
type nestedWorld struct {
	*world
	hidden map[nestedKind]map[string][]hiddenObject // kind → user → objects
}

func (w *nestedWorld) hide(kind nestedKind, why, id string, users ...string) {
	w.t.Helper()
	if id == "" {
		w.t.Fatalf("no id for %s (%s)", kind, why)
	}
	if w.hidden[kind] == nil {
		w.hidden[kind] = map[string][]hiddenObject{}
	}
	for _, u := range users {
		w.hidden[kind][u] = append(w.hidden[kind][u], hiddenObject{why, id})
	}
}

func newNestedWorld(t *testing.T) *nestedWorld {
	recv := httptest.NewServer(&flaky{status: 500})
	t.Cleanup(recv.Close)
	w := &nestedWorld{world: newWorld(t, func(c *config.Config) {
		c.Webhooks.AllowPrivateTargets = true // the receiver is on loopback, in this test only
		c.Webhooks.MaxAttempts = 1
	}), hidden: map[nestedKind]map[string][]hiddenObject{}}
	ctx := context.Background()
	agency := []string{"rev", "lead", "co"}
	everyone := []string{"lab", "rev", "lead", "co", "admin"}

	// Webhooks: each organisation's own. The lab's hears of submissions, and
	// its receiver fails: a parked delivery.
	hook := func(user, path string, events ...string) string {
		r := w.as(user, "POST", "/api/v1/webhooks", map[string]any{"url": recv.URL + path, "events": events})
		want(t, r, 201)
		return idOf(r)
	}
	labHook, rivalHook, agencyHook := hook("lab", "/lab", "case.submitted"), hook("rival", "/rival", "reminder"), hook("admin", "/agency", "escalation")
	w.hide(kindWebhook, "another lab's webhook", rivalHook, "lab")
	w.hide(kindWebhook, "the agency's webhook", agencyHook, "lab")
	w.hide(kindWebhook, "a lab's webhook", labHook, "admin")
	w.hide(kindWebhook, "a webhook, to a role that manages none", labHook, agency...)

	// Another lab's case, in review by rev2 alone: hidden from the lab (not
	// its lab's), from rev (not assigned) and from the admin.
	r := w.as("rival", "POST", "/api/v1/cases", draftBody("Rival model"))
	want(t, r, 201)
	rc := idOf(r)
	want(t, w.as("rival", "POST", "/api/v1/cases/"+rc+"/submit", nil), 200)
	want(t, w.as("lead", "POST", "/api/v1/cases/"+rc+"/attest-no-conflict", nil), 200)
	want(t, w.as("lead", "POST", "/api/v1/cases/"+rc+"/assign", map[string]any{"reviewer_ids": []string{w.users["rev2"].ID}}), 200)
	r = w.as("lead", "POST", "/api/v1/cases/"+rc+"/info-requests", map[string]any{"question": "Which evals?"})
	want(t, r, 201)
	rivalReq := idOf(r)
	rivalFinding := w.finding(rc, "lead", "shared", findingBody("high", "TLP:AMBER"))
	r = w.upload("lead", "/api/v1/findings/"+rivalFinding+"/attachments", "evidence", "transcript.txt", []byte("turn 1\n"))
	want(t, r, 201)
	rivalEvidence := idOf(r)
	r = w.upload("rival", "/api/v1/cases/"+rc+"/attachments", "model_card", "card.md", []byte("# Card\n"))
	want(t, r, 201)
	rivalCard := idOf(r)
	r = w.as("rival", "POST", "/api/v1/cases/"+rc+"/amendments", map[string]any{"weights_digest": newDigest(0xcd)})
	want(t, r, 201)
	rivalAmendment := idOf(r)
	notTheirs := []string{"lab", "rev", "admin"}
	w.hide(kindRequest, "a request on another lab's case, rev unassigned", rivalReq, notTheirs...)
	w.hide(kindFinding, "a finding on another lab's case, rev unassigned", rivalFinding, notTheirs...)
	w.hide(kindAttachment, "evidence on another lab's case, rev unassigned", rivalEvidence, notTheirs...)
	w.hide(kindAttachment, "a document of another lab's case, rev unassigned", rivalCard, notTheirs...)
	w.hide(kindAmendment, "an amendment of another lab's case, rev unassigned", rivalAmendment, notTheirs...)
	r = w.importLog("lead", rc, "run.eval", logBytes(t, inspect.Fixture{EvalID: "rival"}, "eval"), map[string]string{"run_by": "agency"})
	want(t, r, 201)
	w.hide(kindEvaluation, "an evaluation on another lab's case, rev unassigned; compliance officers see tiers only",
		idOf(r), append(notTheirs, "co")...)

	// The lab's own case, rev, rev2 and the lead on it: findings the lab may
	// not see (a draft; a TLP:RED one shared with lab2 alone) and evidence.
	own := w.caseIn("in_review").caseID
	want(t, w.as("lead", "POST", "/api/v1/cases/"+own+"/assign",
		map[string]any{"reviewer_ids": []string{w.users["rev"].ID, w.users["rev2"].ID}, "lead_id": w.users["lead"].ID}), 200)
	draftFinding := w.finding(own, "rev", "draft", findingBody("high", "TLP:AMBER"))
	redFinding := w.finding(own, "lead", "shared", findingBody("critical", "TLP:RED"), w.users["lab2"].ID)
	r = w.upload("rev", "/api/v1/findings/"+draftFinding+"/attachments", "evidence", "draft.txt", []byte("turn 2\n"))
	want(t, r, 201)
	w.hide(kindFinding, "a draft finding on its own case", draftFinding, "lab")
	w.hide(kindFinding, "a TLP:RED finding shared with another member", redFinding, "lab")
	w.hide(kindAttachment, "evidence of a draft finding on its own case", idOf(r), "lab")
	r = w.upload("lead", "/api/v1/findings/"+redFinding+"/attachments", "evidence", "red.txt", []byte("turn 3\n"))
	want(t, r, 201)
	w.hide(kindAttachment, "evidence of a TLP:RED finding shared with another member", idOf(r), "lab")
	r = w.importLog("rev", own, "run.eval", logBytes(t, inspect.Fixture{EvalID: "own"}, "eval"), map[string]string{"run_by": "agency"})
	want(t, r, 201)
	w.hide(kindEvaluation, "the agency's evaluation on the lab's own case", idOf(r), "lab")

	// The lab's draft: hidden from everyone but its lab. Its document is
	// real; no route puts a request, a finding or an amendment on a draft,
	// so those are written straight to the store, standing for any object
	// of a case the caller may not see.
	draft := w.caseIn("draft").caseID
	r = w.upload("lab", "/api/v1/cases/"+draft+"/attachments", "model_card", "card.md", []byte("# Draft card\n"))
	want(t, r, 201)
	w.hide(kindAttachment, "a draft's document", idOf(r), append(agency, "admin")...)
	draftDoc := idOf(r)
	now := w.clock.Now()
	seeded := struct{ req, finding, amendment, evaluation string }{uuid.NewString(), uuid.NewString(), uuid.NewString(), uuid.NewString()}
	err := w.store.Write(ctx, func(tx app.Tx) error {
		if err := tx.Evaluations().CreateEvaluation(&docket.Evaluation{ID: seeded.evaluation, CaseID: draft, AttachmentID: draftDoc,
			FileName: "card.md", FileSize: 13, SHA256: strings.Repeat("ab", 32), Format: "json", Task: "inspect_evals/cybench",
			TaskArgs: "{}", RunBy: "lab", ImportedBy: w.users["lab"].ID, ImportedAt: now}); err != nil {
			return err
		}
		if err := tx.Cases().CreateInfoRequest(&docket.InfoRequest{ID: seeded.req, CaseID: draft, Question: "Seeded?",
			Status: docket.RequestOpen, OpenedBy: w.users["lead"].ID, OpenedAt: now}); err != nil {
			return err
		}
		if err := tx.Content().CreateFinding(&docket.Finding{ID: seeded.finding, CaseID: draft, Status: docket.FindingShared,
			Title: "Seeded", Description: "Seeded.", Category: "other", Severity: "low", TLP: "TLP:CLEAR",
			AuthorID: w.users["lead"].ID, RecipientIDs: []string{}, SharedBy: w.users["lead"].ID, SharedAt: &now,
			CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		return tx.Amendments().CreateAmendment(&docket.Amendment{ID: seeded.amendment, CaseID: draft, Status: docket.AmendmentPending,
			OldDigest: draftBody("x")["weights_digest"].(string), NewDigest: newDigest(0xab), CreatedBy: w.users["lab"].ID, CreatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.hide(kindRequest, "a request on a draft", seeded.req, append(agency, "admin")...)
	w.hide(kindFinding, "a finding on a draft", seeded.finding, append(agency, "admin")...)
	w.hide(kindAmendment, "an amendment of a draft", seeded.amendment, append(agency, "admin")...)
	w.hide(kindEvaluation, "an evaluation on a draft", seeded.evaluation, append(agency, "admin")...)

	// The lab's webhook fails its submissions: a parked delivery, which
	// only admins may see.
	if _, err := w.svc.Delivery.Deliver(ctx, w.channels()); err != nil {
		t.Fatal(err)
	}
	l := w.as("admin", "GET", "/api/v1/admin/deliveries?state=failed", nil)
	want(t, l, 200)
	items := l.JSON()["items"].([]any)
	if len(items) == 0 {
		t.Fatalf("no parked delivery: %s", l.Body)
	}
	w.hide(kindDelivery, "a delivery, to a role that sees none", items[0].(map[string]any)["id"].(string), "lab", "rev", "lead", "co")
	w.hide(kindUser, "a user, to a role that changes none", w.users["rev2"].ID, "lab", "rev", "lead", "co")

	// A change another administrator asked for, waiting for a lead.
	w.addUser("admin2", "admin", "Agency")
	r = w.as("admin2", "POST", "/api/v1/users", map[string]any{"email": "new.reviewer@example.org", "name": "New Reviewer",
		"role": "reviewer", "org_id": w.users["rev"].OrgID, "password": testPassword})
	want(t, r, 201)
	w.hide(kindApproval, "another administrator's change, or any change to a role that sees none", idOf(r), "lab", "rev", "admin")

	// rev2's own things: a reminder in its inbox, and an API token.
	w.clock.Advance(25 * 24 * time.Hour) // seven days before the lab's case is due
	w.sweep()
	inbox := w.as("rev2", "GET", "/api/v1/inbox", nil)
	want(t, inbox, 200)
	mine := inbox.JSON()["items"].([]any)
	if len(mine) == 0 {
		t.Fatalf("rev2 has nothing in its inbox: %s", inbox.Body)
	}
	item := mine[0].(map[string]any)
	w.hide(kindInbox, "another user's inbox item", item["id"].(string), everyone...)
	w.hide(kindNotification, "another user's notification", item["notification_id"].(string), everyone...)
	r = w.as("rev2", "POST", "/api/v1/api-tokens", map[string]any{"name": "ci"})
	want(t, r, 201)
	w.hide(kindToken, "another user's API token", idOf(r), everyone...)
	r = w.as("rev2", "POST", "/api/v1/me/mfa/totp", map[string]any{"name": "phone"})
	want(t, r, 201)
	w.hide(kindFactor, "another user's second factor", idOf(r), everyone...)
	return w
}

// answer is what a request answered, as the comparison needs it.
type answer struct {
	Status   int
	Location string
	Body     string
}

// TestNestedIDsAnswerAsMissingOnes: for every route of the API and the
// pages whose path holds an id other than a case's, for every role, an id
// the caller may not see (another lab's object, an unassigned case's, a
// draft's, a finding hidden from the lab, another user's inbox item or
// token, another organisation's webhook, what a role may never reach)
// answers byte for byte as a random id that does not exist: the same
// status, the same error code and message (the same page). A route without
// an entry in nestedIDs fails.
func TestNestedIDsAnswerAsMissingOnes(t *testing.T) {
	w := newNestedWorld(t)
	type route struct {
		key, method, path string
		page              bool
	}
	var routes []route
	seen := map[string]bool{}
	for _, r := range w.srv.APIRoutes() {
		if nestedParam(r.Path) {
			routes = append(routes, route{r.Method + " " + r.Path, r.Method, r.Path, false})
		}
	}
	for _, r := range w.srv.PageRoutes() {
		if nestedParam(r.Path) {
			routes = append(routes, route{r.Method + " " + r.Path, r.Method, r.Path, true})
		}
	}
	for _, r := range routes {
		seen[r.key] = true
		if _, ok := nestedIDs[r.key]; !ok {
			t.Errorf("route %s has a nested id but no entry in nestedIDs", r.key)
		}
	}
	for key := range nestedIDs {
		if !seen[key] {
			t.Errorf("nestedIDs names %s, which the router lacks (or whose id is a case's)", key)
		}
	}

	browsers, tokens := map[string]*browser{}, map[string]string{}
	users := make([]string, 0, len(roles))
	for role := range roles {
		users = append(users, role)
	}
	sort.Strings(users)
	for _, role := range users {
		user := roles[role]
		browsers[user] = w.pageAs(user)
		tokens[user] = browsers[user].get("/").csrf()
	}
	send := func(r route, user, id string) answer {
		path := strings.Replace(r.path, ":id", id, 1)
		upload := r.method == http.MethodPost && strings.HasSuffix(r.path, "/attachments")
		if !r.page {
			var res response
			if upload {
				ct, body := multipartBody("evidence", "evidence.txt", []byte("more\n"))
				res = w.sendRaw(user, path, ct, strings.NewReader(string(body)))
			} else {
				res = w.as(user, r.method, path, accessMatrix[r.key].body)
			}
			return answer{res.Code, res.Header.Get("Location"), res.Body}
		}
		b := browsers[user]
		var p page
		switch {
		case r.method == http.MethodGet:
			p = b.get(path)
		case upload:
			ct, body := multipartForm(tokens[user], "evidence", "evidence.txt", []byte("more\n"), false)
			p = b.raw(r.method, path, ct, body)
		default:
			form := url.Values{}
			for k, v := range pageAccess[r.key].form {
				form[k] = v
			}
			form.Set("csrf_token", tokens[user])
			p = b.do(r.method, path, form)
		}
		return answer{p.Code, p.Location, p.Body}
	}

	compared, skipped := 0, 0
	for _, r := range routes {
		kind, ok := nestedIDs[r.key]
		if !ok {
			continue // failed above
		}
		for _, role := range users {
			user := roles[role]
			objs := w.hidden[kind][user]
			if len(objs) == 0 {
				if _, ok := seesEvery[kind][role]; !ok {
					t.Errorf("%s: no %s is hidden from a %s, and seesEvery does not say why", r.key, kind, role)
				}
				skipped++
				continue
			}
			for _, o := range objs {
				hidden := send(r, user, o.id)
				missing := send(r, user, uuid.NewString())
				compared++
				if hidden != missing {
					t.Errorf("%s as %s, %s: %s\n  answers %s\n  a missing id answers %s", r.key, role, o.why, o.id,
						short(hidden), short(missing))
					continue
				}
				if hidden.Status < 400 {
					t.Errorf("%s as %s, %s: %d for a hidden and a missing id", r.key, role, o.why, hidden.Status)
				}
			}
		}
	}
	t.Logf("%d routes with a nested id (%d API, %d pages); %d hidden ids compared with missing ones (%d requests); %d route×role pairs see every object",
		len(routes), countOf(routes, func(r route) bool { return !r.page }), countOf(routes, func(r route) bool { return r.page }),
		compared, 2*compared, skipped)
}

func countOf[T any](xs []T, f func(T) bool) int {
	n := 0
	for _, x := range xs {
		if f(x) {
			n++
		}
	}
	return n
}

// short is an answer for a failure message: the status, the redirect, and
// the body's error (a page: its title) in a few hundred bytes.
func short(a answer) string {
	body := a.Body
	if i := strings.Index(body, "<h1>"); i >= 0 {
		body = body[i:]
	}
	if len(body) > 300 {
		body = body[:300]
	}
	return fmt.Sprintf("%d %q %s", a.Status, a.Location, body)
}
