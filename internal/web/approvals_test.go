package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// Administration takes two, through the API: an admin's reviewers, leads,
// raises to those roles and their passwords wait for a review lead other than
// the requester.

const adminsPassword = "a password the admin knows"

// approvalIDs lists the ids a user's GET /approvals answers.
func (w *world) approvalIDs(user, query string) []string {
	w.t.Helper()
	r := w.as(user, "GET", "/api/v1/approvals"+query, nil)
	want(w.t, r, http.StatusOK)
	var out []string
	for _, it := range r.JSON()["items"].([]any) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

// auditTrail is every stored audit event's action and changes, one a line.
func (w *world) auditTrail() string {
	w.t.Helper()
	var b strings.Builder
	if err := w.store.Read(context.Background(), func(tx app.Tx) error {
		return tx.Audit().WalkAudit(func(ev docket.AuditEvent) error {
			b.WriteString(ev.Action + " " + ev.SubjectID + " " + ev.Changes + "\n")
			return nil
		})
	}); err != nil {
		w.t.Fatal(err)
	}
	return b.String()
}

// inboxRules lists the rules of a user's inbox items.
func (w *world) inboxRules(user string) string {
	w.t.Helper()
	r := w.as(user, "GET", "/api/v1/inbox", nil)
	want(w.t, r, http.StatusOK)
	var out []string
	for _, it := range r.JSON()["items"].([]any) {
		m := it.(map[string]any)
		out = append(out, m["rule"].(string)+"/"+m["kind"].(string))
	}
	return strings.Join(out, ",")
}

// TestAdminsReviewerWaitsForAnotherLead: an admin creating a reviewer gets
// 201 with the pending change, and the user cannot sign in until a lead
// approves; the admin, compliance officers and everyone but a lead get 403
// from approve; leads and compliance officers are told in their inbox; the
// approval applies and audits; a second decision is 409 naming the state.
func TestAdminsReviewerWaitsForAnotherLead(t *testing.T) {
	w := newWorld(t)
	r := w.as("admin", "POST", "/api/v1/users", map[string]any{"email": "nia@example.org", "name": "Nia",
		"role": "reviewer", "org_id": w.users["lead"].OrgID, "password": adminsPassword})
	want(t, r, http.StatusCreated)
	ap := r.JSON()
	id := ap["id"].(string)
	if ap["kind"] != "user.create" || ap["status"] != "pending" || ap["requested_by"] != w.users["admin"].ID ||
		ap["user_id"] == "" || ap["requested_at"] != "2026-01-05T15:00:00.000Z" || ap["decided_by"] != nil {
		t.Fatalf("pending change: %s", r.Body)
	}
	if strings.Contains(r.Body, adminsPassword) || strings.Contains(r.Body, "argon2") {
		t.Fatalf("the answer carries the password or its hash: %s", r.Body)
	}
	signIn := func() int {
		return w.do("POST", "/api/v1/auth/token", "", map[string]string{"email": "nia@example.org", "password": adminsPassword}).Code
	}
	if code := signIn(); code != http.StatusUnauthorized {
		t.Fatalf("a reviewer waiting for approval signs in: %d", code)
	}
	if strings.Contains(w.as("admin", "GET", "/api/v1/users?limit=200", nil).Body, "nia@example.org") {
		t.Fatal("the waiting reviewer is listed as a user")
	}

	// Nobody but a lead decides.
	for _, user := range []string{"admin", "co", "rev", "lab"} {
		for _, action := range []string{"approve", "reject"} {
			want(t, w.as(user, "POST", "/api/v1/approvals/"+id+"/"+action, nil), http.StatusForbidden)
		}
	}
	// Leads and compliance officers read every change, the admin its own; nobody else.
	for _, user := range []string{"lead", "co", "admin"} {
		if ids := w.approvalIDs(user, "?status=pending"); !has(ids, id) {
			t.Errorf("%s does not list the change: %v", user, ids)
		}
	}
	for _, user := range []string{"rev", "lab"} {
		want(t, w.as(user, "GET", "/api/v1/approvals", nil), http.StatusForbidden)
	}
	// The inbox of leads and compliance officers.
	for user, told := range map[string]bool{"lead": true, "co": true, "rev": false, "lab": false, "admin": false} {
		if got := strings.Contains(w.inboxRules(user), "approval.requested/approval"); got != told {
			t.Errorf("%s told of the change: %v", user, got)
		}
	}

	w.clock.Advance(90e9)
	r = w.as("lead", "POST", "/api/v1/approvals/"+id+"/approve", nil)
	want(t, r, http.StatusOK)
	if got := r.JSON(); got["status"] != "approved" || got["decided_by"] != w.users["lead"].ID || got["decided_at"] != "2026-01-05T15:01:30.000Z" {
		t.Fatalf("approved: %s", r.Body)
	}
	if code := signIn(); code != http.StatusOK {
		t.Fatalf("the approved reviewer cannot sign in: %d", code)
	}
	r = w.as("lead", "POST", "/api/v1/approvals/"+id+"/approve", nil)
	want(t, r, http.StatusConflict)
	if !strings.Contains(r.Body, "approved already") {
		t.Fatalf("the 409 does not name the state: %s", r.Body)
	}
	want(t, w.as("lead", "POST", "/api/v1/approvals/"+id+"/reject", nil), http.StatusConflict)
	want(t, w.as("lead", "POST", "/api/v1/approvals/00000000-0000-0000-0000-000000000000/approve", nil), http.StatusNotFound)
	want(t, w.as("lead", "POST", "/api/v1/approvals/"+id+"/approve", map[string]any{"status": "approved"}), http.StatusBadRequest)

	trail := w.auditTrail()
	for _, action := range []string{"approval.requested " + id, "approval.approved " + id, "user.created " + ap["user_id"].(string)} {
		if !strings.Contains(trail, action) {
			t.Errorf("the trail lacks %s", action)
		}
	}
	if strings.Contains(trail, adminsPassword) || strings.Contains(trail, "argon2") {
		t.Error("the trail carries the password or its hash")
	}
	if ids := w.approvalIDs("co", "?status=approved"); len(ids) != 1 || ids[0] != id {
		t.Errorf("approved: %v", ids)
	}
}

// TestRejectedChangeAppliesNothing: a rejected lead is never created, and a
// rejected raise leaves the role; deciding again is 409.
func TestRejectedChangeAppliesNothing(t *testing.T) {
	w := newWorld(t)
	r := w.as("admin", "POST", "/api/v1/users", map[string]any{"email": "omar@example.org", "name": "Omar",
		"role": "review_lead", "org_id": w.users["lead"].OrgID, "password": adminsPassword})
	want(t, r, http.StatusCreated)
	create := r.JSON()["id"].(string)
	r = w.as("admin", "PATCH", "/api/v1/users/"+w.users["co"].ID, map[string]any{"role": "reviewer"})
	want(t, r, http.StatusCreated)
	raise := r.JSON()
	if raise["kind"] != "user.role" || raise["from_role"] != "compliance_officer" || raise["role"] != "reviewer" ||
		raise["user_id"] != w.users["co"].ID {
		t.Fatalf("raise: %s", r.Body)
	}
	for _, id := range []string{create, raise["id"].(string)} {
		r := w.as("lead", "POST", "/api/v1/approvals/"+id+"/reject", nil)
		want(t, r, http.StatusOK)
		if r.JSON()["status"] != "rejected" {
			t.Fatalf("rejected: %s", r.Body)
		}
		r = w.as("lead", "POST", "/api/v1/approvals/"+id+"/approve", nil)
		want(t, r, http.StatusConflict)
		if !strings.Contains(r.Body, "rejected already") {
			t.Fatalf("the 409 does not name the state: %s", r.Body)
		}
	}
	want(t, w.do("POST", "/api/v1/auth/token", "", map[string]string{"email": "omar@example.org", "password": adminsPassword}), http.StatusUnauthorized)
	if strings.Contains(w.as("admin", "GET", "/api/v1/users?limit=200", nil).Body, "omar@example.org") {
		t.Fatal("a rejected lead exists")
	}
	if me := w.as("co", "GET", "/api/v1/me", nil).JSON(); me["role"] != "compliance_officer" {
		t.Fatalf("the rejected raise applied: %v", me["role"])
	}
	if !strings.Contains(w.auditTrail(), "approval.rejected "+create) {
		t.Fatal("the rejection is not audited")
	}
}

// TestLeadsPasswordWaits: setting a lead's password waits; the old password
// and sessions work until another lead approves, then the sessions end and
// only the new password works.
func TestLeadsPasswordWaits(t *testing.T) {
	w := newWorld(t)
	lee := w.addUser("lee", "review_lead", "Agency")
	r := w.as("admin", "PATCH", "/api/v1/users/"+lee.ID, map[string]any{"password": adminsPassword})
	want(t, r, http.StatusCreated)
	ap := r.JSON()
	if ap["kind"] != "user.password" || ap["user_id"] != lee.ID || ap["sets_password"] != true || ap["role"] != nil {
		t.Fatalf("pending: %s", r.Body)
	}
	want(t, w.as("lee", "GET", "/api/v1/me", nil), http.StatusOK)
	w.signIn(lee.Email, testPassword)
	want(t, w.do("POST", "/api/v1/auth/token", "", map[string]string{"email": lee.Email, "password": adminsPassword}), http.StatusUnauthorized)
	// A second password request for the same user waits behind the first: 409.
	want(t, w.as("admin", "PATCH", "/api/v1/users/"+lee.ID, map[string]any{"password": "another one of twelve"}), http.StatusConflict)

	want(t, w.as("lead", "POST", "/api/v1/approvals/"+ap["id"].(string)+"/approve", nil), http.StatusOK)
	want(t, w.as("lee", "GET", "/api/v1/me", nil), http.StatusUnauthorized)
	want(t, w.do("POST", "/api/v1/auth/token", "", map[string]string{"email": lee.Email, "password": testPassword}), http.StatusUnauthorized)
	w.signIn(lee.Email, adminsPassword)
	trail := w.auditTrail()
	if !strings.Contains(trail, "user.updated "+lee.ID) || strings.Contains(trail, adminsPassword) || strings.Contains(trail, "argon2") {
		t.Fatalf("the trail: %s", trail)
	}
}

// TestAdminsListTheirOwnRequests: an admin lists only the changes it asked
// for; a bad status filter is 422.
func TestAdminsListTheirOwnRequests(t *testing.T) {
	w := newWorld(t)
	w.addUser("admin2", "admin", "Agency")
	mine := w.as("admin", "PATCH", "/api/v1/users/"+w.users["rev"].ID, map[string]any{"password": adminsPassword})
	want(t, mine, http.StatusCreated)
	theirs := w.as("admin2", "PATCH", "/api/v1/users/"+w.users["rev2"].ID, map[string]any{"password": adminsPassword})
	want(t, theirs, http.StatusCreated)
	if ids := w.approvalIDs("admin", ""); len(ids) != 1 || ids[0] != mine.JSON()["id"] {
		t.Fatalf("admin lists %v", ids)
	}
	if ids := w.approvalIDs("lead", "?limit=1"); len(ids) != 1 {
		t.Fatalf("a page of one: %v", ids)
	}
	if ids := w.approvalIDs("co", ""); len(ids) != 2 {
		t.Fatalf("co lists %v", ids)
	}
	r := w.as("lead", "GET", "/api/v1/approvals?status=done", nil)
	want(t, r, http.StatusUnprocessableEntity)
	if r.ErrorField() != "status" {
		t.Fatalf("field %q", r.ErrorField())
	}
}

// TestNoPasswordOfTheAdministratorsBehindARaise: demoting a reviewer (at
// once), setting its password (at once, it reads no content now) and
// raising it back would hand the administrator a reviewer's password behind
// a plain-looking raise: the raise is refused until the owner has chosen a
// password of its own. And no lead approves a change to its own account.
func TestNoPasswordOfTheAdministratorsBehindARaise(t *testing.T) {
	w := newWorld(t)
	rev := w.users["rev"]
	want(t, w.as("admin", "PATCH", "/api/v1/users/"+rev.ID, map[string]any{"role": "compliance_officer"}), http.StatusOK)
	want(t, w.as("admin", "PATCH", "/api/v1/users/"+rev.ID, map[string]any{"password": adminsPassword}), http.StatusOK)
	r := w.as("admin", "PATCH", "/api/v1/users/"+rev.ID, map[string]any{"role": "reviewer"})
	if r.Code != http.StatusConflict || !strings.Contains(r.Body, "set by an administrator") {
		t.Fatalf("the raise after an administrator's password: %d %s", r.Code, r.Body)
	}
	if ids := w.approvalIDs("lead", "?status=pending"); len(ids) != 0 {
		t.Fatalf("a change waits anyway: %v", ids)
	}
	// Once the owner chose its own password, the raise waits for a lead as usual.
	own := w.signIn(rev.Email, adminsPassword)
	want(t, w.do("POST", "/api/v1/me/password", own, map[string]string{"current_password": adminsPassword, "new_password": "the reviewer's own one"}), http.StatusNoContent)
	want(t, w.as("admin", "PATCH", "/api/v1/users/"+rev.ID, map[string]any{"role": "reviewer"}), http.StatusCreated)

	// A lead's own password set by the admin waits, and that lead cannot approve it.
	r = w.as("admin", "PATCH", "/api/v1/users/"+w.users["lead"].ID, map[string]any{"password": adminsPassword})
	want(t, r, http.StatusCreated)
	got := w.as("lead", "POST", "/api/v1/approvals/"+r.JSON()["id"].(string)+"/approve", nil)
	if got.Code != http.StatusForbidden {
		t.Fatalf("a lead approved a change to its own account: %d %s", got.Code, got.Body)
	}
}
