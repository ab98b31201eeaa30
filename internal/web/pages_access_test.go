package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// pageScope says what a page route is about, for the page access matrix.
type pageScope int

const (
	pageNone    pageScope = iota // not about one case
	pageCase                     // /cases/:id…
	pageRequest                  // /info-requests/:id…
	pageUser                     // /admin/users/:id
)

// The scopes of a case's work and of the inbox.
const (
	pageFinding    pageScope = pageUser + 1 + iota // /findings/:id…
	pageAttachment                                 // /attachments/:id
	pageNotice                                     // /inbox/:id…, /notifications/:id… (their own test: pages_inbox_test.go)
)

// pageSpec is the access entry of one page route. Every page route must have
// one: adding a page without deciding who may reach it fails.
type pageSpec struct {
	scope  pageScope
	public bool
	// roles lists the roles that may open a non-case page; nil means every signed-in role.
	roles []string
	form  url.Values
}

var pageAccess = map[string]pageSpec{
	"GET /login":                         {public: true},
	"POST /login":                        {public: true},
	"POST /login/second-factor":          {public: true},
	"POST /login/passkey/options":        {public: true},
	"POST /login/passkey":                {public: true},
	"GET /auth/oidc/start":               {public: true},
	"GET /auth/oidc/callback":            {public: true},
	"POST /logout":                       {},
	"GET /":                              {},
	"GET /dashboard":                     {roles: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},
	"GET /dashboard.csv":                 {roles: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},
	"GET /cases":                         {roles: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},
	"GET /cases/new":                     {roles: []string{"lab_member"}},
	"POST /cases/new":                    {roles: []string{"lab_member"}, form: url.Values{"model_name": {"X"}, "model_version": {"1"}}},
	"GET /cases/:id":                     {scope: pageCase},
	"GET /cases/:id/edit":                {scope: pageCase},
	"POST /cases/:id/edit":               {scope: pageCase, form: url.Values{"model_name": {"X"}, "model_version": {"1"}}},
	"POST /cases/:id/submit":             {scope: pageCase},
	"GET /cases/:id/delete":              {scope: pageCase},
	"POST /cases/:id/delete":             {scope: pageCase},
	"POST /cases/:id/assign":             {scope: pageCase},
	"POST /cases/:id/attest-no-conflict": {scope: pageCase},
	"POST /cases/:id/declare-conflict":   {scope: pageCase, form: url.Values{"reason": {"x"}}},
	"POST /cases/:id/info-requests":      {scope: pageCase, form: url.Values{"question": {"x"}}},
	"POST /info-requests/:id/answer":     {scope: pageRequest, form: url.Values{"answer": {"x"}}},
	"POST /info-requests/:id/cancel":     {scope: pageRequest},
	"POST /cases/:id/decision":           {scope: pageCase, form: url.Values{"outcome": {"no_concerns"}, "rationale": {"x"}}},
	"GET /cases/:id/withdraw":            {scope: pageCase},
	"POST /cases/:id/withdraw":           {scope: pageCase, form: url.Values{"reason": {"x"}}},
	"GET /admin/users":                   {roles: []string{"admin"}},
	"POST /admin/users":                  {roles: []string{"admin"}, form: url.Values{"email": {"x@example.org"}}},
	"POST /admin/users/:id":              {scope: pageUser, roles: []string{"admin"}, form: url.Values{"role": {"lab_member"}}},
	"POST /admin/users/:id/mfa/remove":   {scope: pageUser, roles: []string{"admin"}},
	"GET /admin/orgs":                    {roles: []string{"admin"}},
	"GET /admin/deliveries":              {roles: []string{"admin"}},
	"POST /admin/deliveries/:id/retry":   {roles: []string{"admin"}},
	"POST /admin/orgs":                   {roles: []string{"admin"}, form: url.Values{"name": {"X"}, "kind": {"lab"}}},
	"GET /webhooks":                      {roles: []string{"lab_member", "admin"}},
	"GET /webhooks/:id/deliveries":       {roles: []string{"lab_member", "admin"}},
	"POST /webhooks/:id/ping":            {roles: []string{"lab_member", "admin"}},

	// Administration takes two (pages_approvals_test.go: a requester and a decided change).
	"GET /approvals":              {roles: []string{"review_lead", "compliance_officer", "admin"}},
	"POST /approvals/:id/approve": {roles: []string{"review_lead"}},
	"POST /approvals/:id/reject":  {roles: []string{"review_lead"}},

	// The case's work, the inbox and the forecast.
	"POST /cases/:id/findings": {scope: pageCase, form: url.Values{"title": {"X"}, "description": {"x"},
		"category": {"other"}, "severity": {"low"}, "tlp": {"TLP:CLEAR"}}},
	"POST /findings/:id/share":       {scope: pageFinding},
	"POST /findings/:id/edit":        {scope: pageFinding, form: url.Values{"title": {"x"}}},
	"POST /findings/:id/respond":     {scope: pageFinding, form: url.Values{"response": {"x"}}},
	"POST /findings/:id/resolve":     {scope: pageFinding, form: url.Values{"resolution": {"resolved"}, "note": {"x"}}},
	"POST /cases/:id/comments":       {scope: pageCase, form: url.Values{"body": {"x"}, "visibility": {"shared"}}},
	"POST /cases/:id/attachments":    {scope: pageCase},
	"POST /findings/:id/attachments": {scope: pageFinding},
	"GET /attachments/:id":           {scope: pageAttachment},
	"GET /inbox":                     {},
	"POST /inbox/:id/read":           {scope: pageNotice},
	"POST /notifications/:id/ack":    {scope: pageNotice},
	"GET /forecast":                  {roles: []string{"lab_member", "reviewer", "review_lead", "compliance_officer"}},

	// Every user's own account (pages_account_test.go: another user's token is 404).
	"GET /account":                        {},
	"POST /account/password":              {form: url.Values{"current_password": {"x"}, "new_password": {"y"}}},
	"POST /account/api-tokens":            {form: url.Values{"name": {"x"}, "days": {"30"}}},
	"POST /account/api-tokens/:id/revoke": {},
	"POST /account/calendar-url":          {},
	"POST /account/calendar-url/delete":   {},
	"POST /account/mfa/totp":              {form: url.Values{"name": {"x"}}},
	"POST /account/mfa/:id/confirm":       {form: url.Values{"code": {"123456"}}},
	"POST /account/mfa/:id/remove":        {form: url.Values{"code": {"123456"}}},
	"POST /account/mfa/recovery-codes":    {},
	"POST /account/passkeys/options":      {},
	"POST /account/passkeys":              {form: url.Values{"name": {"x"}, "ceremony": {"x"}, "credential": {"{}"}}},

	// Amendments, benchmark results, publishing, the statement and the Clearinghouse.
	"GET /cases/:id/statement":          {scope: pageCase},
	"POST /cases/:id/amendments":        {scope: pageCase, form: url.Values{"summary": {"x"}}},
	"POST /amendments/:id/resolve":      {scope: pageAmendment, form: url.Values{"note": {"x"}}},
	"POST /cases/:id/benchmark-results": {scope: pageCase, form: url.Values{"benchmark_id": {"ctf-professional"}, "score": {"1"}}},
	"POST /cases/:id/evaluations":       {scope: pageCase, form: url.Values{"run_by": {"agency"}}},
	"POST /findings/:id/publish":        {scope: pageFinding},
	"GET /clearinghouse":                {},
	"GET /verify":                       {public: true},
	"POST /verify":                      {public: true},
	"GET /clearinghouse.csv":            {},
}

// TestEveryRouteIsKnown walks the router: every route is an API route, a page
// route with an entry in the page access table, static files or a probe.
func TestEveryRouteIsKnown(t *testing.T) {
	ts := newTestServer(t)
	api := map[string]bool{}
	for _, r := range ts.srv.APIRoutes() {
		api[r.Method+" "+r.Path] = true
	}
	pages := map[string]bool{}
	for _, r := range ts.srv.PageRoutes() {
		key := r.Method + " " + r.Path
		pages[key] = true
		spec, ok := pageAccess[key]
		if !ok {
			t.Errorf("page route %s has no entry in the page access table", key)
			continue
		}
		if spec.public != r.Public {
			t.Errorf("page route %s: public is %v in the router, %v in the table", key, r.Public, spec.public)
		}
	}
	for key := range pageAccess {
		if !pages[key] {
			t.Errorf("the page access table names %s, which the router lacks", key)
		}
	}
	infra := map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /api/openapi.json": true,
		"GET /metrics": true, "GET /.well-known/jwks.json": true}
	for _, r := range ts.srv.Echo().Routes() {
		key := r.Method + " " + r.Path
		switch {
		case api[key], pages[key], infra[key]:
		case strings.HasPrefix(r.Path, "/static"):
		case strings.HasPrefix(r.Path, "/api/v1/*"): // the JSON 404 of unknown API paths
		case strings.HasPrefix(r.Path, "/calendar/"): // the secret calendar feeds: their own test
		case strings.HasPrefix(r.Path, "/.well-known/csaf/"), r.Path == "/.well-known/security.txt": // the CSAF provider: its own tests
		default:
			t.Errorf("route %s is neither an API route, a page with an access entry, nor static or a probe", key)
		}
	}
}

// TestPagesByRole: every page route for every role: signed out → sign-in
// page, a role a page is not for → 403 page, a case the user may not see →
// 404 page, exactly as a missing id.
func TestPagesByRole(t *testing.T) {
	w := newWorld(t)
	w.addUser("rev3", "reviewer", "Agency")
	hiddenFrom := map[string][]string{}
	subjects := map[string]func() fixture{
		"other lab's case": func() fixture { return w.caseIn("awaiting_lab") },
		"draft":            func() fixture { return w.caseIn("draft") },
		"missing": func() fixture {
			return fixture{caseID: "00000000-0000-0000-0000-000000000000", requestID: "00000000-0000-0000-0000-000000000000",
				findingID: "00000000-0000-0000-0000-000000000000", attachmentID: "00000000-0000-0000-0000-000000000000"}
		},
	}
	hiddenFrom["other lab's case"] = []string{"rival", "rev3", "admin"}
	hiddenFrom["draft"] = []string{"rival", "rev", "rev3", "lead", "co", "admin"}
	hiddenFrom["missing"] = []string{"lab", "rival", "rev", "lead", "co", "admin"}
	browsers := map[string]*browser{}
	as := func(user string) *browser {
		if browsers[user] == nil {
			browsers[user] = w.pageAs(user)
		}
		return browsers[user]
	}
	count := 0
	for _, r := range w.srv.PageRoutes() {
		key := r.Method + " " + r.Path
		spec := pageAccess[key]
		if spec.public {
			continue
		}
		// Signed out: GET goes to the sign-in page, anything else too, and nothing runs.
		out := w.browser()
		path := strings.NewReplacer(":id", "00000000-0000-0000-0000-000000000000").Replace(r.Path)
		res := out.do(r.Method, path, spec.form)
		if key == "POST /account/passkeys/options" {
			// Fetched by the passkey script, which reads JSON: 401 there.
			if res.Code != 401 || !strings.Contains(res.Body, `"unauthorized"`) {
				t.Errorf("%s signed out: %d %.100s", key, res.Code, res.Body)
			}
		} else if res.Code != 303 || !strings.HasPrefix(res.Location, "/login") {
			t.Errorf("%s signed out: %d %q", key, res.Code, res.Location)
		}
		switch spec.scope {
		case pageCase, pageRequest, pageFinding, pageAttachment:
			for name, sub := range subjects {
				for _, user := range hiddenFrom[name] {
					f := sub()
					if (spec.scope == pageFinding || spec.scope == pageAttachment) && f.attachmentID == "" {
						f = w.withContent(f) // a finding shared with evidence, or a draft's document
					}
					id := map[pageScope]string{pageCase: f.caseID, pageRequest: f.requestID, pageFinding: f.findingID,
						pageAttachment: f.attachmentID}[spec.scope]
					if id == "" {
						continue
					}
					p := strings.Replace(r.Path, ":id", id, 1)
					b := as(user)
					var res page
					if r.Method == "GET" {
						res = b.get(p)
					} else {
						res = b.post("/", p, spec.form)
					}
					count++
					if res.Code != 404 || !strings.Contains(res.Body, "Page not found") {
						t.Errorf("%s on %s as %s: %d", key, name, user, res.Code)
					}
					if strings.Contains(res.Body, "Model awaiting_lab") || strings.Contains(res.Body, "Model draft") {
						t.Errorf("%s on %s as %s: the 404 names the case", key, name, user)
					}
				}
			}
		default:
			if spec.roles == nil {
				continue
			}
			for role, user := range roles {
				if has(spec.roles, role) {
					continue
				}
				p := strings.Replace(r.Path, ":id", w.users["lab"].ID, 1)
				b := as(user)
				var res page
				if r.Method == "GET" {
					res = b.get(p)
				} else {
					res = b.post("/", p, spec.form)
				}
				count++
				if res.Code != 403 || !strings.Contains(res.Body, "Not allowed") {
					t.Errorf("%s as %s: %d", key, role, res.Code)
				}
			}
		}
	}
	t.Logf("%d page requests by the wrong user answered 403 or 404", count)
}
