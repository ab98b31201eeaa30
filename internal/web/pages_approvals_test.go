package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The approvals page, the admin's user form when its change waits, and the
// inbox item that leads there.

// TestTheApprovalsPage: the admin's user form says when a change waits; the
// page lists it for leads (with Approve and Reject), compliance officers and
// the admin (without); its forms refuse a post without the CSRF token (403,
// nothing written); a lead approves from the page, and a second decision
// says why it cannot be done (409).
func TestTheApprovalsPage(t *testing.T) {
	w := newWorld(t)
	admin := w.pageAs("admin")

	// The admin adds a reviewer: the form says it waits.
	r := admin.post("/admin/users", "/admin/users", url.Values{"email": {"nia@example.org"}, "name": {"Nia Reviewer"},
		"role": {"reviewer"}, "org_id": {w.users["lead"].OrgID}, "password": {adminsPassword}})
	wantPage(t, r, http.StatusSeeOther)
	if r.Location != "/admin/users?done=pending" {
		t.Fatalf("went to %q", r.Location)
	}
	users := admin.get(r.Location)
	wantPage(t, users, http.StatusOK)
	users.has(t, "waiting for a review lead's approval", "Create Nia Reviewer (nia@example.org) as Reviewer in Agency")
	// And raises the compliance officer from its row.
	r = admin.post("/admin/users", "/admin/users/"+w.users["co"].ID, url.Values{"role": {"review_lead"}})
	wantPage(t, r, http.StatusSeeOther)
	admin.get(r.Location).has(t, "waiting for a review lead's approval",
		"Waiting for a review lead's approval: Change co (co@example.org) from Compliance officer to Review lead")
	byKind := map[string]string{}
	for _, it := range w.as("lead", "GET", "/api/v1/approvals?status=pending", nil).JSON()["items"].([]any) {
		byKind[it.(map[string]any)["kind"].(string)] = it.(map[string]any)["id"].(string)
	}
	raise, create := byKind["user.role"], byKind["user.create"]
	if len(byKind) != 2 || raise == "" || create == "" {
		t.Fatalf("pending: %v", byKind)
	}

	// Every role that may read the page, as that role sees it.
	lead := w.pageAs("lead")
	p := lead.get("/approvals")
	wantPage(t, p, http.StatusOK)
	p.has(t, "Waiting for approval", "Create Nia Reviewer (nia@example.org) as Reviewer in Agency", "admin")
	for _, id := range []string{create, raise} {
		for _, action := range []string{"approve", "reject"} {
			if !strings.Contains(p.Body, `action="/approvals/`+id+`/`+action+`"`) {
				t.Errorf("the lead has no %s form for %s", action, id)
			}
		}
	}
	for _, user := range []string{"co", "admin"} {
		p := w.pageAs(user).get("/approvals")
		wantPage(t, p, http.StatusOK)
		p.has(t, "Create Nia Reviewer (nia@example.org) as Reviewer in Agency", "A review lead decides.")
		if strings.Contains(p.Body, `/approve"`) || strings.Contains(p.Body, `/reject"`) {
			t.Errorf("%s is offered the decision", user)
		}
	}
	for _, user := range []string{"rev", "lab"} {
		wantPage(t, w.pageAs(user).get("/approvals"), http.StatusForbidden)
	}
	// The navigation leads there for the roles that may go, and only for them.
	nav := regexp.MustCompile(`<nav class="nav"[\s\S]*?</nav>`)
	for user, shown := range map[string]bool{"lead": true, "co": true, "admin": true, "rev": false, "lab": false} {
		got := strings.Contains(nav.FindString(w.pageAs(user).get("/clearinghouse").Body), `href="/approvals"`)
		if got != shown {
			t.Errorf("%s's navigation offers the approvals: %v", user, got)
		}
	}
	// The lead's inbox item leads to the page.
	inbox := lead.get("/inbox")
	inbox.has(t, "A change to an account waits for a review lead's approval", "No deadline")
	if !strings.Contains(inbox.Body, `<a href="/approvals">Approvals</a>`) {
		t.Error("the inbox item does not link to the approvals")
	}

	// Without the CSRF token, or with another session's: refused, nothing written.
	before := w.auditTrail()
	other := w.pageAs("lead").get("/").csrf()
	for _, tok := range []string{"", other} {
		form := url.Values{}
		if tok != "" {
			form.Set("csrf_token", tok)
		}
		for _, action := range []string{"approve", "reject"} {
			if r := lead.do(http.MethodPost, "/approvals/"+create+"/"+action, form); r.Code != http.StatusForbidden {
				t.Errorf("%s with token %q: %d", action, tok, r.Code)
			}
		}
	}
	if ids := w.approvalIDs("lead", "?status=pending"); len(ids) != 2 {
		t.Fatalf("a refused form decided: %v", ids)
	}
	// The trail records the refusals (access.denied) and nothing else.
	for _, line := range strings.Split(strings.TrimSpace(strings.TrimPrefix(w.auditTrail(), before)), "\n") {
		if !strings.HasPrefix(line, "access.denied ") && !strings.HasPrefix(line, "auth.sign_in ") {
			t.Errorf("a refused form wrote %s", line)
		}
	}

	// Approve and reject from the page.
	r = lead.post("/approvals", "/approvals/"+create+"/approve", nil)
	wantPage(t, r, http.StatusSeeOther)
	lead.get(r.Location).has(t, "The change is approved and applied.", "Approved and applied by lead")
	w.signIn("nia@example.org", adminsPassword)
	r = lead.post("/approvals", "/approvals/"+raise+"/reject", nil)
	wantPage(t, r, http.StatusSeeOther)
	lead.get(r.Location).has(t, "The change is rejected. Nothing of it was applied.", "Rejected by lead")
	// A decision on a decided change says why it cannot be done.
	r = lead.post("/approvals", "/approvals/"+raise+"/approve", nil)
	wantPage(t, r, http.StatusConflict)
	r.has(t, "The change is rejected already.")
	if me := w.as("co", "GET", "/api/v1/me", nil).JSON(); me["role"] != "compliance_officer" {
		t.Fatalf("co is %v", me["role"])
	}
	// Compliance officers and the admin cannot decide from a forged form either.
	for _, user := range []string{"co", "admin"} {
		b := w.pageAs(user)
		wantPage(t, b.post("/approvals", "/approvals/"+raise+"/approve", nil), http.StatusForbidden)
	}
	w.pageAs("co").get("/approvals").has(t, "Nothing waits.", "Decided lately")
}
