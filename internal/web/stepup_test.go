package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/web"
)

// Step-up for what matters most (DESIGN.md "Signing in"): with
// auth.tlp_red_requires_phishing_resistant, a TLP:RED finding, its files
// and the answers on it are read, acted on, shared and labelled only in a
// session made with a passkey or a phishing-resistant single sign-on.
// Phishing-resistant sessions are made here two ways: through the test
// provider, asked by the page's own link for a phishing-resistant acr, and
// (passkey) by recording hwk in a session's amr through the users store, as
// a passkey sign-in will.

// requireStepUp is the shipped rule, which newTestServer turns off.
func requireStepUp(c *config.Config) { c.Auth.TLPRedRequiresPhishingResistant = true }

// redMark is in every text of the TLP:RED fixture, and in its file: no
// answer to a session that must step up may carry it.
const redMark = "REDMARK"

// redFindingBody is a TLP:RED finding whose every text carries redMark.
func redFindingBody() map[string]any {
	return map[string]any{"title": "Weights reachable " + redMark + "-title", "description": redMark + "-description: the model fetched its own weights.",
		"category": "weights_security", "severity": "critical", "tlp": "TLP:RED", "component": redMark + "-component",
		"evidence": redMark + "-evidence"}
}

// passkey signs the named user in again through the API and records that
// this session was made with a passkey too (markPasskey); the session is the
// world's user name+"+pk".
func (ts *testServer) passkey(name string) string {
	ts.t.Helper()
	u, ok := ts.users[name]
	if !ok {
		ts.t.Fatalf("no user %s", name)
	}
	pk := *u
	pk.Token = ts.signIn(u.Email, testPassword)
	ts.markPasskey(pk.Token)
	ts.users[name+"+pk"] = &pk
	return name + "+pk"
}

// passkeyPage signs the named user in on the sign-in page and records that
// this page session was made with a passkey too (markPasskey).
func (w *world) passkeyPage(name string) *browser {
	w.t.Helper()
	b := w.pageAs(name)
	c, ok := b.cookies["docket_session"]
	if !ok {
		w.t.Fatalf("%s has no session cookie", name)
	}
	w.markPasskey(c.Value)
	return b
}

// markPasskey records through the users store that the session of raw (its
// token) was made with a password and a passkey (amr pwd, hwk), as a passkey
// sign-in will make it.
func (ts *testServer) markPasskey(raw string) {
	ts.t.Helper()
	var c jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(raw, &c); err != nil || c.ID == "" {
		ts.t.Fatalf("the session token: %v", err)
	}
	if err := ts.store.Write(context.Background(), func(tx app.Tx) error {
		return tx.Users().SetTokenAMR(c.ID, []string{"pwd", "hwk"})
	}); err != nil {
		ts.t.Fatal(err)
	}
}

// redFixture is what redOn makes on a case in review: a TLP:RED finding
// recorded by rev and shared by the lead with lab2, with a file the lead
// attached, and a TLP:RED draft; every text and the file carry redMark.
type redFixture struct {
	caseID, shared, draft, attachment string
}

// redOn records the fixture on the case in passkey sessions (rev+pk,
// lead+pk, which passkey makes once).
func (w *world) redOn(caseID string) redFixture {
	w.t.Helper()
	for _, u := range []string{"rev", "lead", "lab2"} {
		if _, ok := w.users[u+"+pk"]; !ok {
			w.passkey(u)
		}
	}
	r := w.as("rev+pk", "POST", "/api/v1/cases/"+caseID+"/findings", redFindingBody())
	want(w.t, r, 201)
	f := redFixture{caseID: caseID, shared: idOf(r)}
	want(w.t, w.as("lead+pk", "POST", "/api/v1/findings/"+f.shared+"/share",
		map[string]any{"recipient_ids": []string{w.users["lab2"].ID}}), 200)
	at := w.upload("lead+pk", "/api/v1/findings/"+f.shared+"/attachments", "evidence", redMark+"-exploit.txt", []byte(redMark+"-bytes\n"))
	want(w.t, at, 201)
	f.attachment = idOf(at)
	d := w.as("rev+pk", "POST", "/api/v1/cases/"+caseID+"/findings", redFindingBody())
	want(w.t, d, 201)
	f.draft = idOf(d)
	return f
}

// stepUpRefused checks a 403 step_up_required that says nothing of the finding.
func stepUpRefused(t *testing.T, what string, r response) {
	t.Helper()
	if r.Code != http.StatusForbidden || r.ErrorCode() != "step_up_required" {
		t.Errorf("%s: want 403 step_up_required, got %d %.300s", what, r.Code, r.Body)
	}
	if strings.Contains(r.Body, redMark) {
		t.Errorf("%s: the refusal carries the finding: %.300s", what, r.Body)
	}
}

// TestTLPRedNeedsAPhishingResistantSession: password sessions (and a
// password and TOTP session) of the lead, the author and the lab user the
// finding names get 403 step_up_required from the finding, its file, its
// answer, sharing and labelling TLP:RED; the lists show it withheld;
// passkey sessions, and API tokens made from them, read and act; what was
// hidden stays 404 and a compliance officer's 403 stays "forbidden"; each
// refusal is audited with its code.
func TestTLPRedNeedsAPhishingResistantSession(t *testing.T) {
	w := newWorld(t, requireStepUp)
	caseID := w.reviewCase()
	f := w.redOn(caseID)
	finding := "/api/v1/findings/" + f.shared

	for _, u := range []string{"lead", "rev", "lab2"} {
		stepUpRefused(t, u+" reads the finding", w.as(u, "GET", finding, nil))
	}
	for _, u := range []string{"lead", "lab2"} {
		stepUpRefused(t, u+" reads its file", w.as(u, "GET", "/api/v1/attachments/"+f.attachment, nil))
		stepUpRefused(t, u+" downloads its file", w.as(u, "GET", "/api/v1/attachments/"+f.attachment+"/content", nil))
	}
	stepUpRefused(t, "lab2 responds", w.as("lab2", "POST", finding+"/respond", map[string]any{"response": "Rotated."}))
	stepUpRefused(t, "the lead resolves", w.as("lead", "POST", finding+"/resolve", map[string]any{"resolution": "resolved", "note": "x"}))
	before := w.attachmentRows(caseID)
	stepUpRefused(t, "lab2 attaches", w.upload("lab2", finding+"/attachments", "evidence", "more.txt", []byte("more\n")))
	if n := w.attachmentRows(caseID); n != before {
		t.Errorf("a refused upload left %d rows, had %d", n, before)
	}
	stepUpRefused(t, "the lead shares a TLP:RED draft", w.as("lead", "POST", "/api/v1/findings/"+f.draft+"/share",
		map[string]any{"recipient_ids": []string{w.users["lab2"].ID}}))
	stepUpRefused(t, "the author edits a TLP:RED draft", w.as("rev", "PATCH", "/api/v1/findings/"+f.draft, map[string]any{"severity": "low"}))
	stepUpRefused(t, "the author records a TLP:RED finding", w.as("rev", "POST", "/api/v1/cases/"+caseID+"/findings", redFindingBody()))
	amber := w.finding(caseID, "rev", "draft", findingBody("high", "TLP:AMBER"))
	stepUpRefused(t, "the author labels a draft TLP:RED", w.as("rev", "PATCH", "/api/v1/findings/"+amber, map[string]any{"tlp": "TLP:RED"}))
	if got := w.as("rev", "GET", "/api/v1/findings/"+amber, nil).JSON()["tlp"]; got != "TLP:AMBER" {
		t.Errorf("the refused label was kept: %v", got)
	}

	// Who may not know of the finding still learns nothing: 404 as before;
	// a role that never reads findings is forbidden, not asked to step up.
	for _, u := range []string{"lab", "rival", "rev3", "admin"} {
		if r := w.as(u, "GET", finding, nil); r.Code != http.StatusNotFound {
			t.Errorf("%s: %d %s", u, r.Code, r.Body)
		}
	}
	if r := w.as("co", "GET", finding, nil); r.Code != http.StatusForbidden || r.ErrorCode() != "forbidden" {
		t.Errorf("a compliance officer: %d %s", r.Code, r.Body)
	}

	// The lists show the finding exists, withheld; never its content.
	listed := func(user string) map[string]map[string]any {
		t.Helper()
		r := w.as(user, "GET", "/api/v1/cases/"+caseID+"/findings", nil)
		want(t, r, http.StatusOK)
		out := map[string]map[string]any{}
		for _, it := range r.JSON()["items"].([]any) {
			m := it.(map[string]any)
			out[m["id"].(string)] = m
		}
		if strings.Contains(r.Body, redMark) != strings.HasSuffix(user, "+pk") {
			t.Errorf("%s's list shows the TLP:RED text: %v", user, strings.Contains(r.Body, redMark))
		}
		return out
	}
	withheld := []string{"case_id", "created_at", "id", "overdue", "response_due_at", "severity", "shared_at", "status",
		"step_up_required", "tlp", "updated_at"}
	for user, ids := range map[string][]string{"lead": {f.shared, f.draft}, "rev": {f.shared, f.draft}, "lab2": {f.shared}} {
		items := listed(user)
		for _, id := range ids {
			m := items[id]
			var keys []string
			for k := range m {
				keys = append(keys, k)
			}
			if m["step_up_required"] != true || len(keys) != len(withheld) || m["title"] != nil || m["severity"] != "critical" {
				t.Errorf("%s lists %s as %v", user, id, m)
			}
		}
		if m := items[amber]; user != "lab2" && (m["step_up_required"] != false || m["title"] == nil) {
			t.Errorf("%s lists the amber draft as %v", user, m)
		}
	}
	if _, ok := listed("lab")[f.shared]; ok {
		t.Errorf("a lab user it does not name sees the finding exists")
	}

	// Passkey sessions read and act, the lab user named as well.
	for _, u := range []string{"lead+pk", "rev+pk", "lab2+pk"} {
		r := w.as(u, "GET", finding, nil)
		want(t, r, http.StatusOK)
		if !strings.Contains(r.Body, redMark+"-evidence") || r.JSON()["step_up_required"] != false {
			t.Fatalf("%s reads %s", u, r.Body)
		}
		if m := listed(u)[f.shared]; m["step_up_required"] != false || m["title"] == nil {
			t.Errorf("%s lists %v", u, m)
		}
	}
	if r := w.as("lab2+pk", "GET", "/api/v1/attachments/"+f.attachment+"/content", nil); r.Code != http.StatusOK || r.Body != redMark+"-bytes\n" {
		t.Fatalf("lab2's passkey session downloads: %d %q", r.Code, r.Body)
	}
	want(t, w.as("lab2+pk", "POST", finding+"/respond", map[string]any{"response": redMark + "-response"}), http.StatusOK)
	want(t, w.as("lead+pk", "PATCH", "/api/v1/findings/"+amber, map[string]any{"tlp": "TLP:RED"}), http.StatusOK)

	// An API token counts as the session it was made from.
	tokenOf := func(user string) string {
		r := w.as(user, "POST", "/api/v1/api-tokens", map[string]any{"name": "ci"})
		want(t, r, http.StatusCreated)
		return r.JSON()["token"].(string)
	}
	want(t, w.do("GET", finding, tokenOf("lead+pk"), nil), http.StatusOK)
	stepUpRefused(t, "an API token of a password session", w.do("GET", finding, tokenOf("lead"), nil))

	// Each refusal is in the trail as a denied access with its code.
	refused := 0
	if err := w.store.Read(context.Background(), func(tx app.Tx) error {
		for p := (app.Page{Limit: 200}); ; {
			evs, next, err := tx.Audit().ListAudit("", p)
			if err != nil {
				return err
			}
			for _, ev := range evs {
				if ev.Action == "access.denied" && strings.Contains(ev.Changes, `"code":"step_up_required"`) {
					refused++
					if ev.ActorID == w.users["co"].ID {
						t.Errorf("the compliance officer's refusal is recorded as a step-up: %+v", ev)
					}
				}
			}
			if next == "" {
				return nil
			}
			p.Cursor = next
		}
	}); err != nil {
		t.Fatal(err)
	}
	if refused < 12 {
		t.Errorf("%d refusals audited as step_up_required, want at least the 12 above", refused)
	}

	// A password and a second factor are not phishing-resistant: lab2's
	// session, once it confirmed an authenticator app, is still refused.
	enrolTOTP(t, w.testServer, w.users["lab2"].Token)
	if amr := w.as("lab2", "GET", "/api/v1/me", nil).JSON()["session"].(map[string]any)["amr"].([]any); len(amr) != 2 || amr[1] != "otp" {
		t.Fatalf("lab2's session: amr %v", amr)
	}
	stepUpRefused(t, "a password and TOTP session", w.as("lab2", "GET", finding, nil))
}

// TestTLPRedWithTheSettingOff: with auth.tlp_red_requires_phishing_resistant
// false, password sessions read and act on TLP:RED findings as they did
// before the rule, and the lists show them whole.
func TestTLPRedWithTheSettingOff(t *testing.T) {
	w := newWorld(t) // newTestServer: the setting off
	caseID := w.reviewCase()
	f := w.redOn(caseID)
	finding := "/api/v1/findings/" + f.shared
	for _, u := range []string{"lead", "rev", "lab2"} {
		r := w.as(u, "GET", finding, nil)
		if r.Code != http.StatusOK || !strings.Contains(r.Body, redMark+"-description") {
			t.Errorf("%s: %d %.200s", u, r.Code, r.Body)
		}
	}
	if r := w.as("lab2", "GET", "/api/v1/attachments/"+f.attachment+"/content", nil); r.Code != http.StatusOK || r.Body != redMark+"-bytes\n" {
		t.Errorf("lab2 downloads: %d %q", r.Code, r.Body)
	}
	r := w.as("lab2", "GET", "/api/v1/cases/"+caseID+"/findings", nil)
	want(t, r, http.StatusOK)
	if strings.Contains(r.Body, `"step_up_required":true`) || !strings.Contains(r.Body, redMark+"-title") {
		t.Errorf("lab2's list: %.500s", r.Body)
	}
	want(t, w.as("lab2", "POST", finding+"/respond", map[string]any{"response": "Rotated."}), http.StatusOK)
	want(t, w.as("lead", "POST", "/api/v1/findings/"+f.draft+"/share", map[string]any{"recipient_ids": []string{w.users["lab2"].ID}}), http.StatusOK)
	want(t, w.as("rev", "POST", "/api/v1/cases/"+caseID+"/findings", redFindingBody()), http.StatusCreated)
	page := w.pageAs("lead").get("/cases/" + caseID)
	wantPage(t, page, http.StatusOK)
	page.has(t, "Weights reachable "+redMark+"-title")
	page.hasNot(t, "withheld")
}

// TestEveryRouteKeepsTLPRedBehindStepUp walks the access matrix: each route
// it marks red, for each of the users who could act on a TLP:RED finding
// (its author, the lead, the lab user it names), answers a password session
// 403 step_up_required exactly where the same user's passkey session gets
// past the check (or lists the finding withheld where it would list it
// whole), and never with the finding's content; routes that take a
// finding's or a file's id and are not marked carry none of it either.
func TestEveryRouteKeepsTLPRedBehindStepUp(t *testing.T) {
	w := newWorld(t, requireStepUp)
	caseID := w.reviewCase()
	users := []string{"rev", "lead", "lab2"}
	passed := func(r response) bool { return r.Code != http.StatusForbidden && r.Code != http.StatusNotFound }
	for _, rt := range w.srv.APIRoutes() {
		key := rt.Method + " " + rt.Path
		spec := accessMatrix[key]
		if spec.red == redNone && spec.scope != scopeFinding && spec.scope != scopeAttachment {
			continue
		}
		body := spec.body
		if spec.redBody != nil {
			body = spec.redBody
		}
		gotPast := 0
		for _, u := range users {
			for _, target := range []string{"shared", "draft"} {
				if target == "draft" && spec.scope != scopeFinding {
					continue
				}
				f := w.redOn(caseID)
				fx := fixture{caseID: f.caseID, findingID: f.shared, attachmentID: f.attachment}
				if target == "draft" {
					fx.findingID = f.draft
				}
				path := scopedPath(rt.Path, spec.scope, fx)
				pw := w.as(u, rt.Method, path, body)
				if strings.Contains(pw.Body, redMark) {
					t.Errorf("%s as %s on the %s finding: the answer carries it: %.300s", key, u, target, pw.Body)
				}
				switch spec.red {
				case redNone:
					if pw.Code/100 == 2 {
						t.Errorf("%s as %s on the %s finding: %d, and the route is not marked red", key, u, target, pw.Code)
					}
				case redWithheld:
					want(t, pw, http.StatusOK)
					if !strings.Contains(pw.Body, `"step_up_required":true`) {
						t.Errorf("%s as %s: no finding withheld: %.300s", key, u, pw.Body)
					}
					if pk := w.as(u+"+pk", rt.Method, path, body); pk.Code != http.StatusOK || !strings.Contains(pk.Body, redMark) {
						t.Errorf("%s as %s's passkey session: %d, the finding not shown whole", key, u, pk.Code)
					}
					gotPast++
				case redStepUp:
					if pw.Code/100 == 2 {
						t.Errorf("%s as %s on the %s finding: %d with a password session", key, u, target, pw.Code)
					}
					pk := w.as(u+"+pk", rt.Method, path, body)
					if pk.Code == http.StatusForbidden && pk.ErrorCode() == "step_up_required" {
						t.Errorf("%s as %s's passkey session: asked to step up", key, u)
					}
					if !passed(pk) {
						continue // the user may not do this anyway: the step-up is not what stops it
					}
					gotPast++
					if pw.Code != http.StatusForbidden || pw.ErrorCode() != "step_up_required" {
						t.Errorf("%s as %s on the %s finding: a passkey session gets %d, a password one %d %.200s, want 403 step_up_required",
							key, u, target, pk.Code, pw.Code, pw.Body)
					}
				}
			}
		}
		if spec.red != redNone && gotPast == 0 {
			t.Errorf("%s: no user's passkey session got past the check: the route's red mark is never exercised", key)
		}
	}
}

// TestNoOtherDoorShowsTLPRed: every GET route of the API and every page,
// and the calendar feed, as every user with a password session, on a case
// with a TLP:RED finding, its file and the lab's answer, answers nothing
// of them (the other doors: lists, the case, its trail and clock, the
// dashboard and its CSV, the inbox, the forecast, the statement, the
// Clearinghouse and its feeds).
func TestNoOtherDoorShowsTLPRed(t *testing.T) {
	w := newWorld(t, requireStepUp)
	caseID := w.reviewCase()
	f := w.redOn(caseID)
	want(t, w.as("lab2+pk", "POST", "/api/v1/findings/"+f.shared+"/respond", map[string]any{"response": redMark + "-response"}), http.StatusOK)
	readers := []string{"lab", "lab2", "rev", "lead", "co", "admin"}
	id := func(path string) string {
		switch {
		case strings.HasPrefix(path, "/api/v1/cases/:id"), strings.HasPrefix(path, "/cases/:id"):
			return caseID
		case strings.HasPrefix(path, "/api/v1/findings/:id"):
			return f.shared
		case strings.HasPrefix(path, "/api/v1/attachments/:id"), strings.HasPrefix(path, "/attachments/:id"):
			return f.attachment
		}
		return w.users["lab2"].ID
	}
	count := 0
	for _, u := range readers {
		b := w.pageAs(u)
		for _, rt := range append(w.srv.APIRoutes(), w.srv.PageRoutes()...) {
			if rt.Method != http.MethodGet {
				continue
			}
			path := echoParam.ReplaceAllString(rt.Path, id(rt.Path))
			var code int
			var body string
			if strings.HasPrefix(path, "/api/") {
				r := w.as(u, "GET", path, nil)
				code, body = r.Code, r.Body
			} else {
				p := b.get(path)
				code, body = p.Code, p.Body
			}
			count++
			if strings.Contains(body, redMark) {
				t.Errorf("GET %s as %s (%d) shows the TLP:RED finding: %.300s", rt.Path, u, code, body)
			}
		}
		if u != "admin" {
			if rec := w.fetch(w.feedURL(u)); strings.Contains(rec.Body.String(), redMark) {
				t.Errorf("%s's calendar feed shows the TLP:RED finding", u)
			}
		}
	}
	t.Logf("%d answers, none with the TLP:RED finding", count)
	// The same doors show it to a passkey session: the mark is seen where it may be.
	if r := w.as("lead+pk", "GET", "/api/v1/findings/"+f.shared, nil); !strings.Contains(r.Body, redMark+"-response") {
		t.Fatalf("the passkey session does not read the answer: %.300s", r.Body)
	}
}

var hrefRE = regexp.MustCompile(`href="([^"]*step_up=1[^"]*)"`)

// stepUpLinks are the step-up sign-in links of a page, unescaped, each once.
func stepUpLinks(p page) []string {
	var out []string
	for _, m := range hrefRE.FindAllStringSubmatch(p.Body, -1) {
		if l := strings.ReplaceAll(m[1], "&amp;", "&"); !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// TestTLPRedOnThePagesOffersTheStepUp: to a password session the case page
// shows a TLP:RED finding withheld, with single sign-on asking a
// phishing-resistant sign-in and a passkey sign-in, both back to the case;
// the file's download and a form labelling a draft TLP:RED answer the error
// page with the same offer. Following the single sign-on link (the provider
// asked for oidc.step_up_acr_values) opens the finding and its file, for the
// lead and for the lab user it names. Without single sign-on only the
// passkey is offered.
func TestTLPRedOnThePagesOffersTheStepUp(t *testing.T) {
	p := newProvider(t)
	w := newWorld(t, requireStepUp, withSSO(p))
	p.assertedNow = w.clock.Now
	caseID := w.reviewCase()
	f := w.redOn(caseID)
	casePage := "/cases/" + caseID
	wantLinks := []string{"/auth/oidc/start?next=" + url.QueryEscape(casePage) + "&step_up=1",
		"/login?next=" + url.QueryEscape(casePage) + "&step_up=1"}

	for _, u := range []string{"lead", "lab2"} {
		b := w.pageAs(u)
		pg := b.get(casePage)
		wantPage(t, pg, http.StatusOK)
		pg.has(t, "TLP:RED finding, withheld from this session", "A TLP:RED finding, withheld",
			"Sign in with Login.gov, phishing-resistant", "Sign in again with a passkey")
		pg.hasNot(t, redMark, "attached to findings") // its one file is the TLP:RED finding's
		if got := stepUpLinks(pg); strings.Join(got, " ") != strings.Join(wantLinks, " ") {
			t.Errorf("%s's case page offers %v, want %v", u, got, wantLinks)
		}
		dl := b.get("/attachments/" + f.attachment)
		wantPage(t, dl, http.StatusForbidden)
		dl.has(t, "Sign in again to read TLP:RED", "passkey")
		dl.hasNot(t, redMark)
		if got := stepUpLinks(dl); len(got) != 2 || !strings.Contains(got[0], "next="+url.QueryEscape("/attachments/"+f.attachment)+"&") {
			t.Errorf("%s's download refusal offers %v", u, got)
		}

		// Single sign-on from the page's link: the provider is asked for a
		// phishing-resistant sign-in, and its answer opens the finding.
		p.email, p.acr = w.users[u].Email, "" // the provider signs in as it was asked
		start := b.get(wantLinks[0])
		loc, _ := url.Parse(start.Location)
		if start.Code != http.StatusFound || loc.Query().Get("acr_values") != acrPR {
			t.Fatalf("the step-up start: %d, acr_values %q", start.Code, loc.Query().Get("acr_values"))
		}
		done := ssoFrom(t, b, wantLinks[0], nil)
		if done.Code != http.StatusSeeOther || done.Location != casePage {
			t.Fatalf("%s's step-up callback: %d %q %.300s", u, done.Code, done.Location, done.text())
		}
		after := b.get(casePage)
		wantPage(t, after, http.StatusOK)
		after.has(t, "Weights reachable "+redMark+"-title", redMark+"-evidence")
		after.hasNot(t, "withheld")
		after.has(t, "1 more file is attached to findings")
		if got := b.get("/attachments/" + f.attachment); got.Code != http.StatusOK || got.Body != redMark+"-bytes\n" {
			t.Errorf("%s downloads after stepping up: %d %.100s", u, got.Code, got.Body)
		}
	}

	// A plain single sign-on (acr AAL2) is not phishing-resistant.
	p.email, p.acr = w.users["rev"].Email, acrAAL2
	b := w.browser()
	if r := ssoSignIn(t, b, casePage, nil); r.Code != http.StatusSeeOther {
		t.Fatalf("rev's sign-on: %d", r.Code)
	}
	b.get(casePage).has(t, "A TLP:RED finding, withheld")

	// A form that would label a draft TLP:RED: the error page, back to the case.
	amber := w.finding(caseID, "rev", "draft", findingBody("high", "TLP:AMBER"))
	rev := w.pageAs("rev")
	edit := rev.post(casePage, "/findings/"+amber+"/edit", url.Values{"title": {"Sandbox escape"}, "description": {"x"},
		"category": {"other"}, "severity": {"high"}, "tlp": {"TLP:RED"}})
	wantPage(t, edit, http.StatusForbidden)
	edit.has(t, "Sign in again to read TLP:RED")
	if got := stepUpLinks(edit); strings.Join(got, " ") != strings.Join(wantLinks, " ") {
		t.Errorf("the refused form offers %v, want %v", got, wantLinks)
	}

	// Without single sign-on configured, only the passkey.
	w2 := newWorld(t, requireStepUp)
	f2 := w2.redOn(w2.reviewCase())
	pg := w2.pageAs("lead").get("/cases/" + f2.caseID)
	wantPage(t, pg, http.StatusOK)
	if got := stepUpLinks(pg); len(got) != 1 || !strings.HasPrefix(got[0], "/login?") {
		t.Errorf("without single sign-on the page offers %v", got)
	}
}

// TestEveryPageKeepsTLPRedBehindStepUp walks the page routes the page
// access table marks red: for the author, the lead and the lab user named,
// a password session gets the step-up page (403, with the sign-in offered)
// exactly where the same user's passkey session gets past the check, and
// never the finding's content.
func TestEveryPageKeepsTLPRedBehindStepUp(t *testing.T) {
	w := newWorld(t, requireStepUp)
	caseID := w.reviewCase()
	from := "/cases/" + caseID
	users := []string{"rev", "lead", "lab2"}
	pw, pk := map[string]*browser{}, map[string]*browser{}
	for _, u := range users {
		pw[u], pk[u] = w.pageAs(u), w.passkeyPage(u)
	}
	send := func(b *browser, r web.Route, path string, spec pageSpec) page {
		switch {
		case r.Method == http.MethodGet:
			return b.get(path)
		case strings.HasSuffix(r.Path, "/attachments"):
			return b.uploadPage(from, path, "evidence", "more.txt", []byte("more\n"))
		case spec.redForm != nil:
			return b.post(from, path, spec.redForm)
		}
		return b.post(from, path, spec.form)
	}
	marked := 0
	for _, r := range w.srv.PageRoutes() {
		key := r.Method + " " + r.Path
		spec := pageAccess[key]
		if !spec.red {
			continue
		}
		marked++
		gotPast := 0
		for _, u := range users {
			for _, target := range []string{"shared", "draft"} {
				if target == "draft" && spec.scope != pageFinding {
					continue
				}
				f := w.redOn(caseID)
				id := map[pageScope]string{pageCase: caseID, pageFinding: f.shared, pageAttachment: f.attachment}[spec.scope]
				if target == "draft" {
					id = f.draft
				}
				path := strings.Replace(r.Path, ":id", id, 1)
				refused := send(pw[u], r, path, spec)
				if strings.Contains(refused.Body, redMark) {
					t.Errorf("%s as %s on the %s finding: the page shows it", key, u, target)
				}
				passed := send(pk[u], r, path, spec)
				if passed.Code == http.StatusForbidden && strings.Contains(passed.Body, "Sign in again to read TLP:RED") {
					t.Errorf("%s as %s's passkey session: asked to step up", key, u)
				}
				if passed.Code == http.StatusForbidden || passed.Code == http.StatusNotFound {
					continue // the user may not do this anyway
				}
				gotPast++
				if refused.Code != http.StatusForbidden || !strings.Contains(refused.Body, "Sign in again to read TLP:RED") ||
					!strings.Contains(refused.Body, "step_up=1") {
					t.Errorf("%s as %s on the %s finding: a passkey session gets %d, a password one %d %.200s, want the step-up page",
						key, u, target, passed.Code, refused.Code, refused.text())
				}
			}
		}
		if gotPast == 0 {
			t.Errorf("%s: no user's passkey session got past the check: the route's red mark is never exercised", key)
		}
	}
	if marked < 7 {
		t.Errorf("%d page routes marked red", marked)
	}
}
