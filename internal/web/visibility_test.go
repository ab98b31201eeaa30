package web_test

import (
	"strings"
	"testing"
)

// scope says what a route is about, for the access matrix.
type scope int

const (
	scopeNone       scope = iota // not about one case
	scopeCase                    // /cases/:id…
	scopeRequest                 // /info-requests/:id…
	scopeFinding                 // /findings/:id…
	scopeAttachment              // /attachments/:id…
	scopeAmendment               // /amendments/:id…
)

// routeSpec is the access-matrix entry of one route. Every route of the
// router must have one: adding a route without deciding who may reach it fails.
type routeSpec struct {
	scope scope
	body  any
	// allowed lists the roles that may call a non-case route; nil means every signed-in role.
	allowed []string
	public  bool
	// content marks the routes of a case's content (findings, comments,
	// attachments), which compliance officers may never use: 403 on a case they see.
	content bool
	// red is what the route does with a TLP:RED finding for a session made
	// with neither a passkey nor a phishing-resistant single sign-on
	// (stepup_test.go): nothing (it carries none), 403 step_up_required, or
	// the finding listed withheld.
	red redRule
	// redBody is the body that makes the route carry TLP:RED, when body does not.
	redBody any
}

// redRule is a route's answer about a TLP:RED finding to a session that
// must step up to read it.
type redRule int

const (
	redNone     redRule = iota // the route carries no TLP:RED content
	redStepUp                  // 403 step_up_required
	redWithheld                // 200, the finding listed withheld (step_up_required: true)
)

var accessMatrix = map[string]routeSpec{
	"POST /api/v1/auth/token":  {public: true},
	"POST /api/v1/auth/logout": {},
	"GET /api/v1/me":           {},
	"POST /api/v1/me/password": {body: map[string]any{}},
	// One's own choice of e-mail: every role but the administrator's, who gets no notification.
	"PATCH /api/v1/me": {body: map[string]any{"email_delivery": "digest"}, allowed: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},
	// One's own second factors: every signed-in role.
	"GET /api/v1/me/mfa":                 {},
	"POST /api/v1/me/mfa/totp":           {body: map[string]any{}},
	"POST /api/v1/me/mfa/recovery-codes": {},
	"POST /api/v1/me/mfa/:id/confirm":    {body: map[string]any{"code": "123456"}},
	"DELETE /api/v1/me/mfa/:id":          {body: map[string]any{"code": "123456"}},
	"POST /api/v1/api-tokens":            {body: map[string]any{}},
	"GET /api/v1/api-tokens":             {},
	"DELETE /api/v1/api-tokens/:id":      {},
	"POST /api/v1/orgs":                  {body: map[string]any{}, allowed: []string{"admin"}},
	"GET /api/v1/orgs":                   {allowed: []string{"admin"}},
	"POST /api/v1/users":                 {body: map[string]any{}, allowed: []string{"admin"}},
	"GET /api/v1/users":                  {allowed: []string{"admin"}},
	"PATCH /api/v1/users/:id":            {body: map[string]any{}, allowed: []string{"admin"}},
	"DELETE /api/v1/users/:id/mfa":       {allowed: []string{"admin"}},
	"GET /api/v1/audit":                  {allowed: []string{"compliance_officer", "admin"}},
	// Administration takes two: leads decide, compliance officers read, admins read their own requests.
	"GET /api/v1/approvals":                     {allowed: []string{"review_lead", "compliance_officer", "admin"}},
	"POST /api/v1/approvals/:id/approve":        {allowed: []string{"review_lead"}},
	"POST /api/v1/approvals/:id/reject":         {allowed: []string{"review_lead"}},
	"POST /api/v1/cases":                        {body: draftBody("x"), allowed: []string{"lab_member"}},
	"GET /api/v1/cases":                         {allowed: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},
	"GET /api/v1/dashboard":                     {allowed: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},
	"GET /api/v1/dashboard.csv":                 {allowed: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},
	"GET /api/v1/cases/:id":                     {scope: scopeCase},
	"PATCH /api/v1/cases/:id":                   {scope: scopeCase, body: map[string]any{"summary": "x"}},
	"DELETE /api/v1/cases/:id":                  {scope: scopeCase},
	"POST /api/v1/cases/:id/submit":             {scope: scopeCase},
	"POST /api/v1/cases/:id/assign":             {scope: scopeCase, body: map[string]any{"reviewer_ids": []string{}}},
	"POST /api/v1/cases/:id/attest-no-conflict": {scope: scopeCase},
	"POST /api/v1/cases/:id/declare-conflict":   {scope: scopeCase, body: map[string]any{"reason": "x"}},
	"POST /api/v1/cases/:id/info-requests":      {scope: scopeCase, body: map[string]any{"question": "x"}},
	"GET /api/v1/cases/:id/info-requests":       {scope: scopeCase},
	"POST /api/v1/info-requests/:id/answer":     {scope: scopeRequest, body: map[string]any{"answer": "x"}},
	"POST /api/v1/info-requests/:id/cancel":     {scope: scopeRequest},
	"POST /api/v1/cases/:id/decision":           {scope: scopeCase, body: map[string]any{"outcome": "no_concerns", "rationale": "x"}},
	"POST /api/v1/cases/:id/withdraw":           {scope: scopeCase, body: map[string]any{"reason": "x"}},
	"GET /api/v1/cases/:id/clock":               {scope: scopeCase},
	"GET /api/v1/cases/:id/audit":               {scope: scopeCase},
	"POST /api/v1/cases/:id/findings": {scope: scopeCase, content: true, body: findingBody("high", "TLP:AMBER"),
		red: redStepUp, redBody: findingBody("high", "TLP:RED")},
	"GET /api/v1/cases/:id/findings":        {scope: scopeCase, content: true, red: redWithheld},
	"GET /api/v1/findings/:id":              {scope: scopeFinding, content: true, red: redStepUp},
	"PATCH /api/v1/findings/:id":            {scope: scopeFinding, content: true, body: map[string]any{"title": "x"}, red: redStepUp},
	"POST /api/v1/findings/:id/share":       {scope: scopeFinding, content: true, red: redStepUp},
	"POST /api/v1/findings/:id/respond":     {scope: scopeFinding, content: true, body: map[string]any{"response": "x"}, red: redStepUp},
	"POST /api/v1/findings/:id/resolve":     {scope: scopeFinding, content: true, body: map[string]any{"resolution": "resolved", "note": "x"}, red: redStepUp},
	"POST /api/v1/findings/:id/attachments": {scope: scopeFinding, content: true, red: redStepUp},
	"POST /api/v1/cases/:id/comments":       {scope: scopeCase, content: true, body: map[string]any{"body": "x", "visibility": "shared"}},
	"GET /api/v1/cases/:id/comments":        {scope: scopeCase, content: true},
	"POST /api/v1/cases/:id/attachments":    {scope: scopeCase, content: true},
	"GET /api/v1/attachments/:id":           {scope: scopeAttachment, content: true, red: redStepUp},
	"GET /api/v1/attachments/:id/content":   {scope: scopeAttachment, content: true, red: redStepUp},
	"GET /api/v1/inbox":                     {},
	"POST /api/v1/inbox/:id/read":           {},
	"POST /api/v1/notifications/:id/ack":    {},
	"GET /api/v1/notifications/forecast":    {allowed: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},

	// Delivery: webhooks are managed by lab members (their lab's) and admins
	// (the agency's); deliveries by admins; calendar feeds by everyone who sees cases.
	"POST /api/v1/webhooks": {allowed: []string{"lab_member", "admin"},
		body: map[string]any{"url": "https://hooks.example.org/docket", "events": []string{"reminder"}}},
	"GET /api/v1/webhooks":                    {allowed: []string{"lab_member", "admin"}},
	"DELETE /api/v1/webhooks/:id":             {allowed: []string{"lab_member", "admin"}},
	"PATCH /api/v1/webhooks/:id":              {allowed: []string{"lab_member", "admin"}, body: map[string]any{"disabled": false}},
	"POST /api/v1/webhooks/:id/rotate-secret": {allowed: []string{"lab_member", "admin"}},
	"POST /api/v1/webhooks/:id/ping":          {allowed: []string{"lab_member", "admin"}},
	"GET /api/v1/webhooks/:id/deliveries":     {allowed: []string{"lab_member", "admin"}},
	"GET /api/v1/admin/deliveries":            {allowed: []string{"admin"}},
	"POST /api/v1/admin/deliveries/:id/retry": {allowed: []string{"admin"}},
	"POST /api/v1/calendar-url":               {allowed: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},
	"GET /api/v1/calendar-url":                {allowed: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},
	"DELETE /api/v1/calendar-url":             {allowed: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},

	// Model identity, benchmarks, the Clearinghouse and statements. Benchmark
	// results are case content that labs never read (403 on their own case);
	// the Clearinghouse is every signed-in user's; a case's statement goes to
	// everyone who sees the case.
	"POST /api/v1/cases/:id/amendments":        {scope: scopeCase, content: true, body: map[string]any{"summary": "Revised."}},
	"GET /api/v1/cases/:id/amendments":         {scope: scopeCase, content: true},
	"POST /api/v1/amendments/:id/resolve":      {scope: scopeAmendment, content: true, body: map[string]any{"restart_clock": false, "note": "x"}},
	"GET /api/v1/benchmarks":                   {allowed: []string{"reviewer", "review_lead", "compliance_officer"}},
	"POST /api/v1/cases/:id/benchmark-results": {scope: scopeCase, content: true, body: resultBody("ctf-professional", 12)},
	"GET /api/v1/cases/:id/benchmark-results":  {scope: scopeCase, content: true},
	"POST /api/v1/cases/:id/evaluations":       {scope: scopeCase, content: true, body: map[string]any{"attachment_id": "x", "run_by": "agency"}},
	"GET /api/v1/cases/:id/evaluations":        {scope: scopeCase, content: true},
	"GET /api/v1/evaluations/:id":              {},
	"POST /api/v1/findings/:id/publish":        {scope: scopeFinding, content: true, body: publishBody()},
	"GET /api/v1/clearinghouse":                {public: true},
	"GET /api/v1/clearinghouse.csv":            {public: true},
	"GET /api/v1/clearinghouse/schema.json":    {public: true},
	"GET /api/v1/clearinghouse/kev.json":       {public: true},
	"GET /api/v1/clearinghouse/stix.json":      {public: true},
	"GET /api/v1/cases/:id/statement":          {scope: scopeCase},
	"POST /api/v1/statements/verify":           {public: true},
}

func TestEveryRouteHasAnAccessEntry(t *testing.T) {
	ts := newTestServer(t)
	seen := map[string]bool{}
	for _, r := range ts.srv.APIRoutes() {
		key := r.Method + " " + r.Path
		seen[key] = true
		spec, ok := accessMatrix[key]
		if !ok {
			t.Errorf("route %s has no entry in the access matrix", key)
			continue
		}
		if spec.public != r.Public {
			t.Errorf("route %s: public is %v in the router, %v in the matrix", key, r.Public, spec.public)
		}
	}
	for key := range accessMatrix {
		if !seen[key] {
			t.Errorf("the access matrix names %s, which the router lacks", key)
		}
	}
}

// TestCaseRoutesHideWhatTheCallerMayNotSee: every case-scoped route (and every
// route of a case's findings and attachments), for every role, on a case it
// may not see (another lab's, a draft, an unassigned one, and anything for
// admins), answers 404 exactly as a missing id does; compliance officers, who
// see the cases, get 403 from every content route.
func TestCaseRoutesHideWhatTheCallerMayNotSee(t *testing.T) {
	w := newWorld(t)
	w.addUser("rev3", "reviewer", "Agency")
	type subject struct {
		name string
		f    func() fixture
		// hidden lists the users the subject is invisible to.
		hidden []string
	}
	// withContent adds a shared finding with evidence (a case attachment on a draft).
	subjects := []subject{
		{"other lab's case", func() fixture { return w.withAmendment(w.withContent(w.caseIn("awaiting_lab"))) }, []string{"rival", "rev3", "admin"}},
		{"draft", func() fixture { return w.withContent(w.caseIn("draft")) }, []string{"rival", "rev", "rev3", "lead", "co", "admin"}},
		{"unassigned case", func() fixture { return w.withAmendment(w.withContent(w.caseIn("submitted"))) }, []string{"rival", "rev", "rev3", "admin"}},
		{"missing id", func() fixture {
			const none = "00000000-0000-0000-0000-000000000000"
			return fixture{caseID: none, requestID: none, findingID: none, attachmentID: none, amendmentID: none}
		}, []string{"lab", "rival", "rev", "lead", "co", "admin"}},
	}
	var notFoundBody string
	count := 0
	for _, sub := range subjects {
		for _, r := range w.srv.APIRoutes() {
			key := r.Method + " " + r.Path
			spec := accessMatrix[key]
			if spec.scope == scopeNone {
				continue
			}
			for _, user := range sub.hidden {
				f := sub.f()
				if spec.scope == scopeRequest && f.requestID == "" || spec.scope == scopeFinding && f.findingID == "" ||
					spec.scope == scopeAmendment && f.amendmentID == "" {
					continue
				}
				path := scopedPath(r.Path, spec.scope, f)
				resp := w.as(user, r.Method, path, spec.body)
				count++
				if resp.Code != 404 {
					t.Errorf("%s on %s as %s: %d %s", key, sub.name, user, resp.Code, resp.Body)
					continue
				}
				body := strings.ReplaceAll(resp.Body, "information request", "case")
				if notFoundBody == "" {
					notFoundBody = body
				} else if body != notFoundBody && !strings.Contains(resp.Body, "not found") {
					t.Errorf("%s on %s as %s: the 404 differs: %s", key, sub.name, user, resp.Body)
				}
			}
		}
	}
	t.Logf("%d hidden-subject requests answered 404", count)

	// Compliance officers see these cases, but never their content.
	for _, f := range []fixture{w.withAmendment(w.withContent(w.caseIn("awaiting_lab"))), w.withAmendment(w.withContent(w.caseIn("submitted")))} {
		for _, r := range w.srv.APIRoutes() {
			key := r.Method + " " + r.Path
			if spec := accessMatrix[key]; spec.content {
				if resp := w.as("co", r.Method, scopedPath(r.Path, spec.scope, f), spec.body); resp.Code != 403 {
					t.Errorf("%s as a compliance officer: %d %s", key, resp.Code, resp.Body)
				}
			}
		}
	}
}

// scopedPath puts the fixture's id of the route's scope into the path.
func scopedPath(path string, sc scope, f fixture) string {
	id := f.caseID
	switch sc {
	case scopeRequest:
		id = f.requestID
	case scopeFinding:
		id = f.findingID
	case scopeAttachment:
		id = f.attachmentID
	case scopeAmendment:
		id = f.amendmentID
	}
	return strings.Replace(path, ":id", id, 1)
}

// TestNonCaseRoutesByRole: roles a route is not for get 403, never 2xx.
func TestNonCaseRoutesByRole(t *testing.T) {
	w := newWorld(t)
	for _, r := range w.srv.APIRoutes() {
		key := r.Method + " " + r.Path
		spec := accessMatrix[key]
		if spec.scope != scopeNone || spec.public || spec.allowed == nil {
			continue
		}
		for role, user := range roles {
			if has(spec.allowed, role) {
				continue
			}
			path := strings.Replace(r.Path, ":id", w.users["lab"].ID, 1)
			resp := w.as(user, r.Method, path, spec.body)
			if resp.Code != 403 {
				t.Errorf("%s as %s: %d %s", key, role, resp.Code, resp.Body)
			}
		}
	}
}

// TestListsShowOnlyWhatTheCallerMaySee: lists and the dashboard never show another lab's cases, drafts to the agency, or unassigned cases to reviewers.
func TestListsShowOnlyWhatTheCallerMaySee(t *testing.T) {
	w := newWorld(t)
	draft := w.caseIn("draft").caseID
	submitted := w.caseIn("submitted").caseID
	reviewing := w.caseIn("in_review").caseID
	rivalCase := w.as("rival", "POST", "/api/v1/cases", draftBody("Rival model"))
	want(t, rivalCase, 201)
	rivalID := rivalCase.JSON()["id"].(string)
	want(t, w.as("rival", "POST", "/api/v1/cases/"+rivalID+"/submit", nil), 200)
	expect := map[string][]string{
		"lab":   {draft, submitted, reviewing},
		"lab2":  {draft, submitted, reviewing},
		"rival": {rivalID},
		"rev":   {reviewing},
		"rev2":  {},
		"lead":  {submitted, reviewing, rivalID},
		"co":    {submitted, reviewing, rivalID},
	}
	for user, ids := range expect {
		for _, path := range []string{"/api/v1/cases", "/api/v1/dashboard?status=", "/api/v1/dashboard.csv?status="} {
			if strings.HasPrefix(path, "/api/v1/dashboard") {
				path = strings.TrimSuffix(path, "?status=")
			}
			r := w.as(user, "GET", path, nil)
			want(t, r, 200)
			for _, id := range []string{draft, submitted, reviewing, rivalID} {
				shown := strings.Contains(r.Body, id)
				if strings.HasSuffix(path, ".csv") {
					continue // the CSV carries numbers, checked below
				}
				if shown != has(ids, id) && !(strings.HasPrefix(path, "/api/v1/dashboard") && id == draft) {
					t.Errorf("%s %s: case %s shown=%v", user, path, id, shown)
				}
			}
		}
	}
	// The lab never learns the risk tier; agency roles do.
	r := w.as("lab", "GET", "/api/v1/cases/"+reviewing, nil)
	if r.JSON()["risk_tier"] != nil {
		t.Fatalf("the lab sees the risk tier: %s", r.Body)
	}
	r = w.as("co", "GET", "/api/v1/cases/"+reviewing, nil)
	if r.JSON()["risk_tier"] != "low" || r.JSON()["summary"] != nil {
		t.Fatalf("compliance sees %s", r.Body)
	}
	// Compliance officers read no content.
	want(t, w.as("co", "GET", "/api/v1/cases/"+reviewing+"/info-requests", nil), 403)
	// A lead who has not attested gets 409 naming the attestation from content routes.
	w.addUser("lead2", "review_lead", "Agency")
	r = w.as("lead2", "GET", "/api/v1/cases/"+reviewing+"/info-requests", nil)
	want(t, r, 409)
	if !strings.Contains(r.Body, "attest-no-conflict") {
		t.Fatalf("the 409 does not name the attestation: %s", r.Body)
	}
	if r := w.as("lead2", "GET", "/api/v1/cases/"+reviewing, nil); r.JSON()["summary"] != nil {
		t.Fatalf("an unattested lead reads the summary: %s", r.Body)
	}
}
