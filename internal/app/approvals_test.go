package app_test

import (
	"strings"
	"testing"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/files"
)

const approvalPassword = "a password the admin chose"

// newApprovalEnv is newEnv with two admins and a second lead, its service
// built with the approvals service (returned) as main builds it.
func newApprovalEnv(t *testing.T) (*env, *app.Approvals) {
	t.Helper()
	e := newEnv(t)
	p := app.NewApprovals(e.st, app.ApprovalOptions{Now: e.clock.Now})
	signer, _ := auth.NewSigner([]byte(e.cfg.Secret), "docket", e.clock.Now)
	e.svc = app.New(e.st, app.Options{Config: e.cfg, Now: e.clock.Now, Signer: signer, Approvals: p,
		Hasher: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1}), Files: files.New(e.cfg.AttachmentsDir())})
	for name, role := range map[string]string{"admin": "admin", "admin2": "admin", "lead2": "review_lead"} {
		u, err := e.svc.Accounts.CreateUserCLI(ctx, name+"@example.org", name, role, "Agency", "agency", "correct horse battery staple")
		e.must(err)
		e.a[name] = docket.Actor{UserID: u.ID, Role: u.Role, OrgID: u.OrgID, OrgKind: u.Org.Kind}
	}
	return e, p
}

// approval reads a change as stored, its password hash included.
func (e *env) approval(id string) *docket.Approval {
	e.t.Helper()
	var p *docket.Approval
	e.must(e.st.Read(ctx, func(tx app.Tx) error {
		var err error
		p, err = tx.Approvals().ApprovalByID(id)
		return err
	}))
	return p
}

// auditText is every audit event's action and changes, one per line.
func (e *env) auditText() string {
	e.t.Helper()
	var b strings.Builder
	e.must(e.st.Read(ctx, func(tx app.Tx) error {
		return tx.Audit().WalkAudit(func(ev docket.AuditEvent) error {
			b.WriteString(ev.Action + " " + ev.SubjectID + " " + ev.Changes + "\n")
			return nil
		})
	}))
	return b.String()
}

func (e *env) signsIn(email, password string) bool {
	_, err := e.svc.Accounts.SignIn(ctx, email, password, docket.Actor{ClientIP: "192.0.2.9"})
	return err == nil
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if docket.ErrorCode(err) != code {
		t.Fatalf("want %q, got %v", code, err)
	}
}

// TestRequesterNeverDecidesItsOwnChange: the service refuses the requester,
// even a review lead (a change stored as a lead's request: leads cannot
// administer, so only a fixture makes one), with 403; another lead may
// reject it, but not approve it, since its requester is no administrator.
func TestRequesterNeverDecidesItsOwnChange(t *testing.T) {
	e, p := newApprovalEnv(t)
	hash, _ := auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1}).Hash(approvalPassword)
	own := &docket.Approval{ID: "00000000-0000-0000-0000-00000000a001", Kind: docket.ApprovalUserPassword,
		UserID: e.a["rev"].UserID, RequestedBy: e.a["lead"].UserID, RequestedAt: e.clock.Now(), Status: docket.ApprovalPending,
		Email: "rev@example.org", Name: "rev", SetsPassword: true, PasswordHash: hash}
	e.must(e.st.Write(ctx, func(tx app.Tx) error { return tx.Approvals().CreateApproval(own) }))

	_, err := p.Approve(ctx, e.a["lead"], own.ID)
	wantCode(t, err, docket.EForbidden)
	_, err = p.Reject(ctx, e.a["lead"], own.ID)
	wantCode(t, err, docket.EForbidden)
	_, err = p.Approve(ctx, e.a["lead2"], own.ID)
	wantCode(t, err, docket.EConflict)
	if !strings.Contains(err.Error(), "no longer an active administrator") || e.approval(own.ID).Status != docket.ApprovalPending {
		t.Fatalf("approve: %v", err)
	}
	if !e.signsIn("rev@example.org", "correct horse battery staple") {
		t.Fatal("the refused approval changed the password")
	}
	got, err := p.Reject(ctx, e.a["lead2"], own.ID)
	e.must(err)
	if got.Status != docket.ApprovalRejected || got.DecidedBy != e.a["lead2"].UserID {
		t.Fatalf("rejected: %+v", got)
	}
	// Nobody but a lead decides, whatever the change.
	for _, who := range []string{"admin", "co", "rev", "lab"} {
		_, err := p.Approve(ctx, e.a[who], own.ID)
		wantCode(t, err, docket.EForbidden)
	}
	_, err = p.Approve(ctx, e.a["lead2"], "no-such-change")
	wantCode(t, err, docket.ENotFound)
}

// TestCreateWaitsThenApplies: an admin's reviewer is a pending change that
// holds only the password's argon2 hash, tells every lead and compliance
// officer, and becomes a user only when a lead approves it; every step is
// audited without the password or its hash.
func TestCreateWaitsThenApplies(t *testing.T) {
	e, p := newApprovalEnv(t)
	ch, err := e.svc.Accounts.CreateUser(ctx, e.a["admin"], app.NewUser{Email: "Nia@Example.org", Name: "Nia", Role: "reviewer",
		OrgID: e.a["lead"].OrgID, Password: approvalPassword})
	e.must(err)
	if ch.User != nil || ch.Pending == nil || ch.Pending.Status != docket.ApprovalPending || ch.Pending.Kind != docket.ApprovalUserCreate ||
		ch.Pending.RequestedBy != e.a["admin"].UserID || ch.Pending.Email != "nia@example.org" || ch.Pending.PasswordHash != "" {
		t.Fatalf("change: %+v", ch)
	}
	id := ch.Pending.ID
	stored := e.approval(id)
	if !strings.HasPrefix(stored.PasswordHash, "$argon2id$") || strings.Contains(stored.PasswordHash, approvalPassword) {
		t.Fatalf("stored hash %q", stored.PasswordHash)
	}
	if e.signsIn("nia@example.org", approvalPassword) {
		t.Fatal("a reviewer waiting for approval signs in")
	}
	// The inbox of every lead and compliance officer, nobody else's.
	for who, want := range map[string]int{"lead": 1, "lead2": 1, "co": 1, "rev": 0, "lab": 0, "admin": 0} {
		items, _, err := e.svc.Delivery.Inbox(ctx, e.a[who], app.Page{})
		e.must(err)
		n := 0
		for _, it := range items {
			if it.Rule == docket.RuleApprovalRequested && it.Kind == docket.KindApproval && it.SubjectID == id && it.CaseID == "" {
				n++
			}
		}
		if n != want {
			t.Errorf("%s has %d inbox items about the change, want %d", who, n, want)
		}
	}

	e.clock.Advance(3600e9)
	got, err := p.Approve(ctx, e.a["lead"], id)
	e.must(err)
	if got.Status != docket.ApprovalApproved || got.DecidedBy != e.a["lead"].UserID || got.DecidedAt == nil ||
		!got.DecidedAt.Equal(e.clock.Now()) || got.PasswordHash != "" {
		t.Fatalf("approved: %+v", got)
	}
	if !e.signsIn("nia@example.org", approvalPassword) {
		t.Fatal("the approved reviewer cannot sign in")
	}
	u, err := e.svc.Accounts.Me(ctx, docket.Actor{UserID: got.UserID})
	e.must(err)
	if u.Role != docket.RoleReviewer || u.Email != "nia@example.org" || u.OrgID != e.a["lead"].OrgID {
		t.Fatalf("user: %+v", u)
	}
	if h := e.approval(id).PasswordHash; h != "" {
		t.Fatalf("the decided change keeps the hash %q", h)
	}
	_, err = p.Approve(ctx, e.a["lead2"], id)
	wantCode(t, err, docket.EConflict)
	_, err = p.Reject(ctx, e.a["lead2"], id)
	if err == nil || !strings.Contains(err.Error(), "approved already") {
		t.Fatalf("reject after approval: %v", err)
	}

	trail := e.auditText()
	for _, want := range []string{"approval.requested " + id, "approval.approved " + id, "user.created " + got.UserID} {
		if !strings.Contains(trail, want) {
			t.Errorf("the trail lacks %q:\n%s", want, trail)
		}
	}
	if !strings.Contains(trail, `"approval_id":"`+id+`"`) {
		t.Errorf("the user's creation does not name the change:\n%s", trail)
	}
	if strings.Contains(trail, approvalPassword) || strings.Contains(trail, "argon2") || strings.Contains(trail, stored.PasswordHash) {
		t.Errorf("the trail carries the password or its hash:\n%s", trail)
	}
}

// TestRejectAppliesNothing: a rejected create leaves no user and no hash; a
// rejected raise leaves the role.
func TestRejectAppliesNothing(t *testing.T) {
	e, p := newApprovalEnv(t)
	ch, err := e.svc.Accounts.CreateUser(ctx, e.a["admin"], app.NewUser{Email: "omar@example.org", Name: "Omar", Role: "review_lead",
		OrgID: e.a["lead"].OrgID, Password: approvalPassword})
	e.must(err)
	got, err := p.Reject(ctx, e.a["lead"], ch.Pending.ID)
	e.must(err)
	if got.Status != docket.ApprovalRejected || e.approval(got.ID).PasswordHash != "" {
		t.Fatalf("rejected: %+v", got)
	}
	if e.signsIn("omar@example.org", approvalPassword) {
		t.Fatal("a rejected lead signs in")
	}
	_, err = e.svc.Accounts.Me(ctx, docket.Actor{UserID: got.UserID})
	wantCode(t, err, docket.ENotFound)

	ch, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["co"].UserID, app.UserPatch{Role: ptr("review_lead")})
	e.must(err)
	if ch.Pending == nil || ch.Pending.Kind != docket.ApprovalUserRole || ch.Pending.FromRole != docket.RoleCompliance ||
		ch.Pending.Role != docket.RoleReviewLead || ch.User.Role != docket.RoleCompliance {
		t.Fatalf("raise: %+v %+v", ch.Pending, ch.User)
	}
	_, err = p.Reject(ctx, e.a["lead2"], ch.Pending.ID)
	e.must(err)
	u, _ := e.svc.Accounts.Me(ctx, e.a["co"])
	if u.Role != docket.RoleCompliance {
		t.Fatalf("role after rejection: %s", u.Role)
	}
	if !strings.Contains(e.auditText(), "approval.rejected "+ch.Pending.ID) {
		t.Fatal("the rejection is not audited")
	}
}

func ptr(s string) *string { return &s }

// TestApprovalThatNoLongerFitsFailsCleanly: a change that conflicts with what
// happened since it was requested is 409 saying why, and nothing is written:
// it stays pending, no audit event, no user changed.
func TestApprovalThatNoLongerFitsFailsCleanly(t *testing.T) {
	e, p := newApprovalEnv(t)
	agency := e.a["lead"].OrgID
	check := func(id, why string) {
		t.Helper()
		before := e.auditText()
		_, err := p.Approve(ctx, e.a["lead"], id)
		wantCode(t, err, docket.EConflict)
		if !strings.Contains(err.Error(), why) {
			t.Fatalf("the 409 does not say %q: %v", why, err)
		}
		if got := e.approval(id); got.Status != docket.ApprovalPending || got.PasswordHash == "" && got.SetsPassword {
			t.Fatalf("after a failed approval: %+v", got)
		}
		if e.auditText() != before {
			t.Fatal("a failed approval wrote to the audit trail")
		}
	}

	// The e-mail was taken meanwhile (by the command line).
	ch, err := e.svc.Accounts.CreateUser(ctx, e.a["admin"], app.NewUser{Email: "zoe@example.org", Name: "Zoe", Role: "reviewer",
		OrgID: agency, Password: approvalPassword})
	e.must(err)
	_, err = e.svc.Accounts.CreateUserCLI(ctx, "zoe@example.org", "Zoe", "compliance_officer", "Agency", "agency", "correct horse battery staple")
	e.must(err)
	check(ch.Pending.ID, "a user with the e-mail zoe@example.org exists now")
	if !e.signsIn("zoe@example.org", "correct horse battery staple") || e.signsIn("zoe@example.org", approvalPassword) {
		t.Fatal("the failed approval changed the existing user")
	}

	// The user's role changed meanwhile (at once, to a role that needs no approval).
	ch, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["co"].UserID, app.UserPatch{Role: ptr("reviewer")})
	e.must(err)
	_, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["co"].UserID, app.UserPatch{Role: ptr("admin")})
	e.must(err)
	check(ch.Pending.ID, "the user's role changed since it was requested (it is admin now)")

	// The user changed its own password after the admin asked to set one.
	ch, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["rev"].UserID, app.UserPatch{Password: ptr(approvalPassword)})
	e.must(err)
	if ch.Pending == nil || ch.Pending.Kind != docket.ApprovalUserPassword || !ch.Pending.SetsPassword {
		t.Fatalf("password: %+v", ch.Pending)
	}
	e.must(e.svc.Accounts.ChangePassword(ctx, e.a["rev"], "correct horse battery staple", "the reviewer's own new one"))
	check(ch.Pending.ID, "the account changed since it was requested")
	if !e.signsIn("rev@example.org", "the reviewer's own new one") {
		t.Fatal("the failed approval overwrote the user's password")
	}

	// The requester is disabled meanwhile.
	ch, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin2"], e.a["rev2"].UserID, app.UserPatch{Password: ptr(approvalPassword)})
	e.must(err)
	_, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["admin2"].UserID, app.UserPatch{Disabled: boolp(true)})
	e.must(err)
	check(ch.Pending.ID, "its requester is no longer an active administrator")
}

func boolp(b bool) *bool { return &b }

// TestWhatWaitsAndWhatDoesNot: content roles, their passwords and the
// password of a user with a raise waiting wait; everything else (labs'
// users, compliance officers, admins, disabling, a role away from the
// content roles) applies at once. One change of a kind waits per user, one
// create per e-mail.
func TestWhatWaitsAndWhatDoesNot(t *testing.T) {
	e, _ := newApprovalEnv(t)
	agency, lab := e.a["lead"].OrgID, e.a["lab"].OrgID
	for _, tc := range []struct {
		role, org string
		waits     bool
	}{{"lab_member", lab, false}, {"compliance_officer", agency, false}, {"admin", agency, false},
		{"reviewer", agency, true}, {"review_lead", agency, true}} {
		ch, err := e.svc.Accounts.CreateUser(ctx, e.a["admin"], app.NewUser{Email: tc.role + ".new@example.org", Name: "New",
			Role: tc.role, OrgID: tc.org, Password: approvalPassword})
		e.must(err)
		if (ch.Pending != nil) != tc.waits || (ch.User != nil) == tc.waits {
			t.Errorf("create %s: %+v", tc.role, ch)
		}
	}
	_, err := e.svc.Accounts.CreateUser(ctx, e.a["admin2"], app.NewUser{Email: "reviewer.new@example.org", Name: "Again",
		Role: "review_lead", OrgID: agency, Password: approvalPassword})
	wantCode(t, err, docket.EConflict)
	// A role that does not fit the organisation is refused before anything waits.
	_, err = e.svc.Accounts.CreateUser(ctx, e.a["admin"], app.NewUser{Email: "misfit@example.org", Name: "Misfit",
		Role: "reviewer", OrgID: lab, Password: approvalPassword})
	wantCode(t, err, docket.EUnprocessable)

	// Disabling a reviewer and renaming it apply at once, its password waits.
	ch, err := e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["rev"].UserID, app.UserPatch{Disabled: boolp(true), Name: ptr("Rev R."),
		Password: ptr(approvalPassword)})
	e.must(err)
	if ch.Pending == nil || ch.Pending.Kind != docket.ApprovalUserPassword || !ch.User.Disabled || ch.User.Name != "Rev R." {
		t.Fatalf("mixed patch: %+v %+v", ch.Pending, ch.User)
	}
	_, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin2"], e.a["rev"].UserID, app.UserPatch{Password: ptr("yet another password")})
	wantCode(t, err, docket.EConflict)

	// A compliance officer's password applies at once, until a raise waits for it.
	ch, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["co"].UserID, app.UserPatch{Password: ptr(approvalPassword)})
	e.must(err)
	if ch.Pending != nil || !e.signsIn("co@example.org", approvalPassword) {
		t.Fatalf("a compliance officer's password waited: %+v", ch.Pending)
	}
	// A password the administrator chose is no password to raise: the owner
	// chooses their own first (otherwise demote, reset, raise would hand the
	// administrator a reviewer's password behind a plain-looking raise).
	_, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["co"].UserID, app.UserPatch{Role: ptr("reviewer")})
	wantCode(t, err, docket.EConflict)
	e.must(e.svc.Accounts.ChangePassword(ctx, e.a["co"], approvalPassword, "the officer's own choice"))
	ch, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["co"].UserID, app.UserPatch{Role: ptr("reviewer")})
	e.must(err)
	if ch.Pending == nil {
		t.Fatal("the raise did not wait")
	}
	ch, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["co"].UserID, app.UserPatch{Password: ptr("a second password")})
	e.must(err)
	if ch.Pending == nil || ch.Pending.Kind != docket.ApprovalUserPassword || !e.signsIn("co@example.org", "the officer's own choice") {
		t.Fatalf("the password of a user with a raise waiting applied at once: %+v", ch.Pending)
	}
	// A raise with a password is one change.
	ch, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["lab"].UserID, app.UserPatch{Password: ptr("lab password here")})
	e.must(err)
	if ch.Pending != nil {
		t.Fatal("a lab member's password waited")
	}
	u, err := e.svc.Accounts.CreateUserCLI(ctx, "co2@example.org", "co2", "compliance_officer", "Agency", "agency", "correct horse battery staple")
	e.must(err)
	ch, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], u.ID, app.UserPatch{Role: ptr("review_lead"), Password: ptr(approvalPassword)})
	e.must(err)
	if ch.Pending == nil || ch.Pending.Kind != docket.ApprovalUserRole || !ch.Pending.SetsPassword ||
		!e.signsIn("co2@example.org", "correct horse battery staple") {
		t.Fatalf("raise with a password: %+v", ch.Pending)
	}
	// Demoting a lead applies at once.
	ch, err = e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["lead2"].UserID, app.UserPatch{Role: ptr("compliance_officer")})
	e.must(err)
	if ch.Pending != nil || ch.User.Role != docket.RoleCompliance {
		t.Fatalf("demotion: %+v", ch)
	}
}

// TestApprovedPasswordAndRaiseEndSessions: an approved password set or raise
// ends the user's sessions; until then the old password works.
func TestApprovedPasswordAndRaiseEndSessions(t *testing.T) {
	e, p := newApprovalEnv(t)
	old, err := e.svc.Accounts.SignIn(ctx, "lead@example.org", "correct horse battery staple", docket.Actor{ClientIP: "192.0.2.9"})
	e.must(err)
	ch, err := e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["lead"].UserID, app.UserPatch{Password: ptr(approvalPassword)})
	e.must(err)
	if _, _, err := e.svc.Accounts.Authenticate(ctx, auth.KindSession, old.Token, docket.Actor{}); err != nil {
		t.Fatalf("a pending password ended the session: %v", err)
	}
	if !e.signsIn("lead@example.org", "correct horse battery staple") || e.signsIn("lead@example.org", approvalPassword) {
		t.Fatal("the password changed before approval")
	}
	_, err = p.Approve(ctx, e.a["lead2"], ch.Pending.ID)
	e.must(err)
	if _, _, err := e.svc.Accounts.Authenticate(ctx, auth.KindSession, old.Token, docket.Actor{}); docket.ErrorCode(err) != docket.EUnauthorized {
		t.Fatalf("the session outlived the approved password: %v", err)
	}
	if e.signsIn("lead@example.org", "correct horse battery staple") || !e.signsIn("lead@example.org", approvalPassword) {
		t.Fatal("the approved password is not the one in force")
	}
	if trail := e.auditText(); strings.Contains(trail, approvalPassword) || strings.Contains(trail, "argon2") {
		t.Fatalf("the trail carries the password or its hash:\n%s", trail)
	}
}

// TestApprovalsListedByRole: leads and compliance officers list every
// change, an admin its own, other roles nothing (403); the status filter is
// checked (422).
func TestApprovalsListedByRole(t *testing.T) {
	e, p := newApprovalEnv(t)
	mine, err := e.svc.Accounts.UpdateUser(ctx, e.a["admin"], e.a["rev"].UserID, app.UserPatch{Password: ptr(approvalPassword)})
	e.must(err)
	e.clock.Advance(60e9)
	theirs, err := e.svc.Accounts.UpdateUser(ctx, e.a["admin2"], e.a["rev2"].UserID, app.UserPatch{Password: ptr(approvalPassword)})
	e.must(err)
	_, err = p.Reject(ctx, e.a["lead"], theirs.Pending.ID)
	e.must(err)
	ids := func(who string, f app.ApprovalFilter) string {
		t.Helper()
		items, _, err := p.List(ctx, e.a[who], f, app.Page{})
		e.must(err)
		var out []string
		for _, it := range items {
			if it.PasswordHash != "" {
				t.Fatalf("a list carries a hash")
			}
			out = append(out, it.ID)
		}
		return strings.Join(out, ",")
	}
	both := theirs.Pending.ID + "," + mine.Pending.ID // newest first
	for who, want := range map[string]string{"lead": both, "co": both, "admin": mine.Pending.ID, "admin2": theirs.Pending.ID} {
		if got := ids(who, app.ApprovalFilter{}); got != want {
			t.Errorf("%s lists %s, want %s", who, got, want)
		}
	}
	pending := docket.ApprovalPending
	if got := ids("co", app.ApprovalFilter{Status: &pending}); got != mine.Pending.ID {
		t.Errorf("pending: %s", got)
	}
	for _, who := range []string{"rev", "lab"} {
		_, _, err := p.List(ctx, e.a[who], app.ApprovalFilter{}, app.Page{})
		wantCode(t, err, docket.EForbidden)
	}
	bad := "soon"
	_, _, err = p.List(ctx, e.a["lead"], app.ApprovalFilter{Status: &bad}, app.Page{})
	wantCode(t, err, docket.EUnprocessable)
}

// TestWithoutApprovalsNothingIsApplied: a service built without the
// approvals service refuses the changes that take two instead of applying
// them; the command line still creates a lead at once.
func TestWithoutApprovalsNothingIsApplied(t *testing.T) {
	e := newEnv(t)
	admin, err := e.svc.Accounts.CreateUserCLI(ctx, "admin@example.org", "admin", "admin", "Agency", "agency", "correct horse battery staple")
	e.must(err)
	a := docket.Actor{UserID: admin.ID, Role: admin.Role, OrgID: admin.OrgID, OrgKind: admin.Org.Kind}
	_, err = e.svc.Accounts.CreateUser(ctx, a, app.NewUser{Email: "x@example.org", Name: "X", Role: "reviewer", OrgID: admin.OrgID,
		Password: approvalPassword})
	if err == nil || e.signsIn("x@example.org", approvalPassword) {
		t.Fatalf("created without approval: %v", err)
	}
	_, err = e.svc.Accounts.UpdateUser(ctx, a, e.a["co"].UserID, app.UserPatch{Role: ptr("review_lead")})
	if err == nil {
		t.Fatal("raised without approval")
	}
	if u, _ := e.svc.Accounts.Me(ctx, e.a["co"]); u.Role != docket.RoleCompliance {
		t.Fatalf("role %s", u.Role)
	}
	u, err := e.svc.Accounts.CreateUserCLI(ctx, "first.lead@example.org", "First", "review_lead", "Agency", "", approvalPassword)
	e.must(err)
	if u.Role != docket.RoleReviewLead || !e.signsIn("first.lead@example.org", approvalPassword) {
		t.Fatalf("the command line's lead: %+v", u)
	}
}
