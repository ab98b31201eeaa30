package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/auth"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/config"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/files"
	"github.com/docket/docket/internal/store"
	"github.com/docket/docket/internal/storetest"
)

// demoFixture is a fresh database with a service whose clock the test holds.
type demoFixture struct {
	t   *testing.T
	ctx context.Context
	st  *store.Store
	cfg config.Config
	svc *app.Services
	now time.Time
	// clk is the service's clock: now until a test moves it.
	clk *clock.Fake
	e   env
	out *bytes.Buffer
}

func newDemoFixture(t *testing.T, now time.Time) *demoFixture {
	t.Helper()
	old := demoHashParams
	demoHashParams = auth.Params{Memory: 64, Time: 1, Threads: 1}
	t.Cleanup(func() { demoHashParams = old })

	ctx := context.Background()
	cfg := config.Default()
	cfg.DB = filepath.Join(t.TempDir(), "demo.db")
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.Secret = strings.Repeat("s", 32)
	cfg.Auth.MFARequiredRoles = config.NoMFARoles // the tests sign in with passwords alone
	st, err := store.Open(cfg.DB)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(now)
	nowFn := clk.Now
	signer, err := auth.NewSigner([]byte(cfg.Secret), cfg.Auth.Issuer, nowFn)
	if err != nil {
		t.Fatal(err)
	}
	svc := app.New(st, app.Options{Config: cfg, Now: nowFn, Hasher: auth.NewHasher(demoHashParams), Signer: signer,
		Logger: newLogger(cfg, &bytes.Buffer{}), Files: files.New(cfg.AttachmentsDir())})
	out := &bytes.Buffer{}
	return &demoFixture{t: t, ctx: ctx, st: st, cfg: cfg, svc: svc, now: now, clk: clk, out: out,
		e: env{Stdout: out, Stderr: &bytes.Buffer{}, Now: nowFn}}
}

func (f *demoFixture) seed() {
	f.t.Helper()
	if err := seedDemo(f.ctx, f.svc, f.st, f.cfg, f.e, "http://127.0.0.1:8080"); err != nil {
		f.t.Fatalf("seedDemo: %v", err)
	}
}

// as returns the actor of the demo user with that key.
func (f *demoFixture) as(key string) docket.Actor {
	f.t.Helper()
	for _, u := range demoUsers {
		if u.key != key {
			continue
		}
		var user *docket.User
		err := f.st.Read(f.ctx, func(tx app.Tx) error {
			var err error
			user, err = tx.Users().UserByEmail(u.email)
			return err
		})
		if err != nil {
			f.t.Fatalf("user %s: %v", u.email, err)
		}
		return docket.Actor{UserID: user.ID, Role: user.Role, OrgID: user.OrgID, OrgKind: user.Org.Kind,
			RequestID: "test", ClientIP: "127.0.0.1"}
	}
	f.t.Fatalf("no demo user %s", key)
	return docket.Actor{}
}

// instantOf is the instant the seeder places a step at, with no shift.
func (f *demoFixture) instantOf(at demoAt) time.Time {
	return (&demoSeeder{now: f.now, loc: f.cfg.Location()}).instant(at, 0)
}

func (f *demoFixture) list(a docket.Actor, filter app.CaseFilter) []*app.CaseView {
	f.t.Helper()
	views, next, err := f.svc.Cases.ListCases(f.ctx, a, filter, app.Page{Limit: 200})
	if err != nil || next != "" {
		f.t.Fatalf("ListCases: %v (next %q)", err, next)
	}
	return views
}

// allCases lists every demo case, drafts included, through the two labs' members.
func (f *demoFixture) allCases() []*app.CaseView {
	return append(f.list(f.as("carter"), app.CaseFilter{}), f.list(f.as("sato"), app.CaseFilter{})...)
}

func (f *demoFixture) find(model, version string) *app.CaseView {
	f.t.Helper()
	for _, v := range f.allCases() {
		if v.Case.ModelName == model && v.Case.ModelVersion == version {
			return v
		}
	}
	f.t.Fatalf("no case %s %s", model, version)
	return nil
}

// wantBands is the dashboard of the demo at start, for a compliance officer.
var wantBands = map[clock.Band]int{
	clock.OnTrack: 4, clock.DueSoon: 1, clock.Critical: 1, clock.Overdue: 1, clock.Paused: 1, clock.Closed: 3,
}

// checkBands checks every band's count, open cases on the default dashboard
// and closed ones on the dashboard filtered to them.
func (f *demoFixture) checkBands() {
	f.t.Helper()
	co := f.as("kim")
	d, err := f.svc.Cases.Dashboard(f.ctx, co, app.CaseFilter{}, app.Page{Limit: 200})
	if err != nil {
		f.t.Fatal(err)
	}
	closed := clock.Closed
	dc, err := f.svc.Cases.Dashboard(f.ctx, co, app.CaseFilter{Band: &closed}, app.Page{Limit: 200})
	if err != nil {
		f.t.Fatal(err)
	}
	for band, n := range wantBands {
		got := d.Counts[band]
		if band == clock.Closed {
			got = dc.Counts[band]
			if len(dc.Items) != n {
				f.t.Errorf("at %s: closed dashboard lists %d cases, want %d", f.now, len(dc.Items), n)
			}
		}
		if got != n {
			f.t.Errorf("at %s: band %s counts %d, want %d (counts %v)", f.now, band, got, n, d.Counts)
		}
	}
	if len(d.Items) != 8 {
		f.t.Errorf("at %s: dashboard lists %d open cases, want 8", f.now, len(d.Items))
	}
	// The list's clocks agree with the counts.
	seen := map[clock.Band]int{}
	for _, v := range append(d.Items, dc.Items...) {
		seen[v.Clock.Band]++
	}
	for band, n := range wantBands {
		if seen[band] != n {
			f.t.Errorf("at %s: %d listed cases in band %s, want %d", f.now, seen[band], band, n)
		}
	}
	byModel := map[string]clock.Band{}
	for _, v := range append(d.Items, dc.Items...) {
		byModel[v.Case.ModelName+" "+v.Case.ModelVersion] = v.Clock.Band
	}
	for _, c := range demoCases {
		if c.band != "" && byModel[c.model+" "+c.version] != c.band {
			f.t.Errorf("at %s: %s %s is %s, want %s", f.now, c.model, c.version, byModel[c.model+" "+c.version], c.band)
		}
	}
}

func TestDemoSeedsEveryStateAndBand(t *testing.T) {
	f := newDemoFixture(t, clock.Ms(time.Now()))
	f.seed()

	out := f.out.String()
	for _, want := range []string{"http://127.0.0.1:8080", "Seeded the demo", demoPassword,
		"curl -s -X POST http://127.0.0.1:8080/api/v1/auth/token -H 'Content-Type: application/json'"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	roles := map[docket.Role]int{}
	for _, u := range demoUsers {
		if !strings.Contains(out, u.email) || !strings.Contains(out, u.name) {
			t.Errorf("output lacks the sign-in of %s", u.email)
		}
		roles[u.role]++
	}
	for role, n := range map[docket.Role]int{docket.RoleAdmin: 1, docket.RoleReviewLead: 2, docket.RoleReviewer: 3,
		docket.RoleCompliance: 1, docket.RoleLabMember: 4} {
		if roles[role] != n {
			t.Errorf("%d users of role %s, want %d", roles[role], role, n)
		}
	}

	// The printed password signs in.
	if _, err := f.svc.Accounts.SignIn(f.ctx, demoUsers[1].email, demoPassword, docket.Actor{ClientIP: "127.0.0.1"}); err != nil {
		t.Fatalf("sign in as the demo lead: %v", err)
	}

	// Every state, the draft only to its own lab.
	all := f.allCases()
	if len(all) != len(demoCases) {
		t.Fatalf("the labs see %d cases, want %d", len(all), len(demoCases))
	}
	states := map[docket.Status]int{}
	labs := map[string]int{}
	for _, v := range all {
		states[v.Case.Status]++
		labs[v.Case.OrgName]++
		if v.Case.Status != docket.StatusDraft && !docket.ValidCaseNumber(v.Case.Number) {
			t.Errorf("%s has number %q", v.Case.ModelName, v.Case.Number)
		}
		if !docket.ValidDigest(v.Case.WeightsDigest) {
			t.Errorf("%s has digest %q", v.Case.ModelName, v.Case.WeightsDigest)
		}
	}
	for _, s := range docket.Statuses {
		if states[s] == 0 {
			t.Errorf("no case is %s (states %v)", s, states)
		}
	}
	if labs[demoFrontier] == 0 || labs[demoMeridian] == 0 {
		t.Errorf("cases per lab: %v", labs)
	}
	draft := f.find("Meridian Sage", "3.0-rc1")
	if draft.Case.Status != docket.StatusDraft || draft.Case.WeightsDigest == "" || draft.Case.Deployment == "" {
		t.Errorf("the draft: %+v", draft.Case)
	}
	lead := f.as("chen")
	if _, err := f.svc.Cases.GetCase(f.ctx, lead, draft.Case.ID); docket.ErrorCode(err) != docket.ENotFound {
		t.Errorf("a lead sees the draft: %v", err)
	}
	if _, err := f.svc.Cases.GetCase(f.ctx, f.as("carter"), draft.Case.ID); docket.ErrorCode(err) != docket.ENotFound {
		t.Errorf("another lab sees the draft: %v", err)
	}
	co := f.list(f.as("kim"), app.CaseFilter{})
	if len(co) != len(demoCases)-1 {
		t.Errorf("the compliance officer sees %d cases, want %d", len(co), len(demoCases)-1)
	}
	// A reviewer sees its assigned cases only.
	if n := len(f.list(f.as("patel"), app.CaseFilter{})); n == 0 || n >= len(co) {
		t.Errorf("a reviewer sees %d cases", n)
	}

	// Just received: minutes ago, nobody assigned.
	fresh := f.find("Frontier-5 Mini", "5.0-mini")
	if fresh.Case.Status != docket.StatusSubmitted || len(fresh.Case.ReviewerIDs) != 0 || fresh.Case.LeadID != "" ||
		f.now.Sub(fresh.Clock.ReceivedAt) > time.Hour {
		t.Errorf("just received: %s, reviewers %v, received %s", fresh.Case.Status, fresh.Case.ReviewerIDs, fresh.Clock.ReceivedAt)
	}

	// The bands, through the dashboard.
	f.checkBands()

	// A release conflict.
	conflicts := 0
	for _, v := range co {
		if v.Clock.ReleaseConflict {
			conflicts++
			if v.Case.ModelName != "Frontier-4.5 Turbo" {
				t.Errorf("unexpected release conflict on %s", v.Case.ModelName)
			}
		}
	}
	if conflicts != 1 {
		t.Errorf("%d release conflicts, want 1", conflicts)
	}

	// Paused: an open stop on an open request.
	paused := f.find("Frontier Operator", "1.0")
	cl, err := f.svc.Cases.GetClock(f.ctx, lead, paused.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	if paused.Case.Status != docket.StatusAwaitingLab || len(cl.Stops) != 1 || cl.Stops[0].EndedAt != nil ||
		cl.Stops[0].InfoRequestID == "" {
		t.Errorf("paused case: %s, stops %+v", paused.Case.Status, cl.Stops)
	}

	// A stop that ended moved the deadline later by exactly its length.
	ended := f.find("Meridian Sage", "2.1")
	cl, err = f.svc.Cases.GetClock(f.ctx, f.as("ortiz"), ended.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ended.Case.Status != docket.StatusInReview || len(cl.Stops) != 1 || cl.Stops[0].EndedAt == nil {
		t.Fatalf("stop ended: %s, stops %+v", ended.Case.Status, cl.Stops)
	}
	stop := cl.Stops[0].EndedAt.Sub(cl.Stops[0].StartedAt)
	if stop < 6*24*time.Hour || cl.View.DueAt.Sub(cl.View.BaseDueAt) != stop {
		t.Errorf("stop of %s; due %s, base %s", stop, cl.View.DueAt, cl.View.BaseDueAt)
	}
	reqs, err := f.svc.Cases.ListInfoRequests(f.ctx, f.as("lee"), ended.Case.ID)
	if err != nil || len(reqs) != 1 || reqs[0].Status != docket.RequestAnswered {
		t.Errorf("requests of the stop-ended case: %+v, %v", reqs, err)
	}

	// Decided with a rationale; withdrawn with its request closed.
	decided := f.find("Frontier-4.5", "4.5.0")
	dec, err := f.svc.Cases.GetDecision(f.ctx, lead, decided.Case.ID)
	if err != nil || dec.Outcome != "mitigations_requested" || dec.Rationale == "" || dec.Conditions == "" ||
		dec.WeightsDigest != decided.Case.WeightsDigest {
		t.Errorf("decision: %+v, %v", dec, err)
	}
	withdrawn := f.find("Meridian Echo", "0.9")
	reqs, err = f.svc.Cases.ListInfoRequests(f.ctx, f.as("lee"), withdrawn.Case.ID)
	if err != nil || withdrawn.Case.Status != docket.StatusWithdrawn || len(reqs) != 1 || reqs[0].Status != docket.RequestCancelled {
		t.Errorf("withdrawn: %s, requests %+v, %v", withdrawn.Case.Status, reqs, err)
	}

	// The audit chain is intact, long, and reads in time order up to now.
	r, err := f.svc.AuditTrail.VerifyAudit(f.ctx)
	if err != nil || r.Reason != "" || r.Count <= 20 {
		t.Fatalf("audit: %+v, %v", r, err)
	}
	var prev time.Time
	cursor := ""
	n := int64(0)
	for {
		evs, next, err := f.svc.AuditTrail.ListAllAudit(f.ctx, f.as("kim"), app.Page{Limit: 200, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			n++
			if ev.At.Before(prev) || ev.At.After(f.now) {
				t.Errorf("audit event %d (%s) at %s, after %s, now %s", ev.Seq, ev.Action, ev.At, prev, f.now)
			}
			prev = ev.At
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if n != r.Count {
		t.Errorf("listed %d events, verified %d", n, r.Count)
	}
	trail, _, err := f.svc.AuditTrail.ListCaseAudit(f.ctx, lead, decided.Case.ID, app.Page{Limit: 200})
	if err != nil || len(trail) < 8 || trail[0].Action != "case.created" || trail[len(trail)-1].Action != "case.decided" {
		t.Errorf("the decided case's trail: %d events, %v", len(trail), err)
	}

	// The first lead approved the other lead and the reviewers the admin
	// created; one change, requested the afternoon before, still waits.
	approvals := app.NewApprovals(f.st, app.ApprovalOptions{Now: func() time.Time { return f.now }})
	changes, _, err := approvals.List(f.ctx, f.as("ortiz"), app.ApprovalFilter{}, app.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var pending []docket.Approval
	approved := 0
	for _, p := range changes {
		switch {
		case p.Status == docket.ApprovalPending:
			pending = append(pending, p)
		case p.Status == docket.ApprovalApproved && p.DecidedBy == f.as(demoFirstLead).UserID && p.RequestedBy == f.as("okafor").UserID:
			approved++
		default:
			t.Errorf("change %+v", p)
		}
	}
	if approved != 4 || len(pending) != 1 || pending[0].Email != demoPending.email || pending[0].Kind != docket.ApprovalUserCreate ||
		pending[0].Role != docket.RoleReviewer || !pending[0].RequestedAt.Equal(f.instantOf(demoPendingAt)) {
		t.Fatalf("approved %d, pending %+v", approved, pending)
	}
	for _, key := range []string{"chen", "ortiz", "kim"} {
		items, _, err := f.svc.Delivery.Inbox(f.ctx, f.as(key), app.Page{Limit: 200})
		found := false
		for _, n := range items {
			found = found || (n.Rule == docket.RuleApprovalRequested && n.SubjectID == pending[0].ID)
		}
		if err != nil || !found {
			t.Errorf("%s's inbox lacks the waiting change (%v)", key, err)
		}
	}

	// Seeding again adds nothing and prints the sign-ins again.
	f.out.Reset()
	f.seed()
	if got := len(f.allCases()); got != len(demoCases) {
		t.Errorf("after a second seed the labs see %d cases", got)
	}
	r2, err := f.svc.AuditTrail.VerifyAudit(f.ctx)
	if err != nil || r2.Count != r.Count || r2.Reason != "" {
		t.Errorf("after a second seed: %+v (before %+v), %v", r2, r, err)
	}
	if out := f.out.String(); !strings.Contains(out, "already there") || !strings.Contains(out, demoUsers[0].email) ||
		!strings.Contains(out, demoPassword) {
		t.Errorf("second output:\n%s", out)
	}
	// The reviewer waiting for approval cannot sign in (a refused sign-in is audited, so last).
	if _, err := f.svc.Accounts.SignIn(f.ctx, demoPending.email, demoPassword, docket.Actor{ClientIP: "127.0.0.1"}); err == nil {
		t.Error("the reviewer waiting for approval signs in")
	}
}

// The demo is placed relative to its start, so it stands the same at any
// instant, around daylight-saving changes and across a new year too.
func TestDemoBandsAtOtherInstants(t *testing.T) {
	for _, at := range []string{
		"2026-03-08T07:30:00Z", // 03:30 EDT, the morning clocks sprang forward
		"2026-03-07T05:15:00Z", // 00:15 EST, the day before
		"2026-11-01T04:30:00Z", // 00:30 EDT, hours before clocks fall back: tips the critical case without a nudge
		"2027-01-02T16:00:00Z", // cases received in two years
	} {
		t.Run(at, func(t *testing.T) {
			now, err := time.Parse(time.RFC3339, at)
			if err != nil {
				t.Fatal(err)
			}
			f := newDemoFixture(t, now)
			f.seed()
			f.checkBands()
			if r, err := f.svc.AuditTrail.VerifyAudit(f.ctx); err != nil || r.Reason != "" {
				t.Errorf("audit: %+v, %v", r, err)
			}
		})
	}
}

// A database that holds someone else's users is left alone.
func TestDemoLeavesOtherDatabasesAlone(t *testing.T) {
	f := newDemoFixture(t, clock.Ms(time.Now()))
	if _, err := f.svc.Accounts.CreateUserCLI(f.ctx, "ops@agency.example.gov", "Ops", "admin", "Operations", "", "a-long-enough-password"); err != nil {
		t.Fatal(err)
	}
	f.seed()
	if !strings.Contains(f.out.String(), "nothing was seeded") {
		t.Errorf("output:\n%s", f.out.String())
	}
	seeded, _, err := demoState(f.ctx, f.st)
	if err != nil || seeded {
		t.Errorf("seeded %v, %v", seeded, err)
	}
}

// The demo's findings, comments and attachments: a reviewer records findings
// with evidence, shares them (one TLP:RED with a named lab user), the lab
// responds with a document, the lead resolves one and accepts the risk of
// another, and a compliance officer sees only counts.
func TestDemoFindingsCommentsAndAttachments(t *testing.T) {
	f := newDemoFixture(t, clock.Ms(time.Now()))
	f.seed()
	five := f.find("Frontier-5", "5.0")
	coder := f.find("Meridian Coder", "2.0")
	lead := f.as("chen")

	list := func(a docket.Actor, caseID string) []*app.FindingView {
		t.Helper()
		views, _, err := f.svc.Findings.ListFindings(f.ctx, a, caseID, app.FindingFilter{}, app.Page{Limit: 200})
		if err != nil {
			t.Fatalf("ListFindings: %v", err)
		}
		return views
	}
	byTitle := map[string]*app.FindingView{}
	statuses := map[docket.FindingStatus]int{}
	severities := map[string]int{}
	for _, v := range append(list(lead, five.Case.ID), list(f.as("ortiz"), coder.Case.ID)...) {
		byTitle[v.Finding.Title] = v
		statuses[v.Finding.Status]++
		severities[v.Finding.Severity]++
	}
	for st, n := range map[docket.FindingStatus]int{docket.FindingDraft: 1, docket.FindingShared: 1,
		docket.FindingLabResponded: 1, docket.FindingResolved: 1, docket.FindingRiskAccepted: 1} {
		if statuses[st] != n {
			t.Errorf("%d findings %s, want %d (%v)", statuses[st], st, n, statuses)
		}
	}
	if len(severities) < 4 {
		t.Errorf("severities %v", severities)
	}
	var red *app.FindingView
	for _, v := range byTitle {
		if v.Finding.TLP == docket.TLPRed {
			red = v
		}
	}
	if red == nil || red.Finding.Status != docket.FindingShared || len(red.Finding.RecipientIDs) != 1 ||
		red.Finding.RecipientIDs[0] != f.as("brooks").UserID || red.Finding.ResponseDueAt == nil {
		t.Fatalf("the TLP:RED finding: %+v", red)
	}
	if _, err := f.svc.Findings.GetFinding(f.ctx, f.as("brooks"), red.Finding.ID); err != nil {
		t.Errorf("the named lab user cannot read it: %v", err)
	}
	if _, err := f.svc.Findings.GetFinding(f.ctx, f.as("carter"), red.Finding.ID); docket.ErrorCode(err) != docket.ENotFound {
		t.Errorf("an unnamed lab user reads it: %v", err)
	}
	if n := len(list(f.as("carter"), five.Case.ID)); n != 2 {
		t.Errorf("carter sees %d findings, want the 2 shared with the whole lab", n)
	}
	// The lab responded with a document; the agency's evidence is attached too.
	var labDoc, pdf, md bool
	for _, v := range byTitle {
		for _, at := range v.Attachments {
			if at.UploadedBy == f.as("carter").UserID {
				labDoc = true
			}
		}
	}
	atts, err := f.svc.Findings.ListAttachments(f.ctx, lead, five.Case.ID)
	if err != nil || len(atts) != 3 {
		t.Fatalf("attachments of Frontier-5: %d, %v", len(atts), err)
	}
	for _, at := range atts {
		_, data, err := f.svc.Findings.AttachmentContent(f.ctx, lead, at.ID)
		if err != nil || int64(len(data)) != at.Size {
			t.Errorf("%s: %v", at.Name, err)
		}
		pdf = pdf || at.ContentType == docket.TypePDF
		md = md || at.ContentType == docket.TypeMarkdown
	}
	if !labDoc || !pdf || !md {
		t.Errorf("lab document %v, PDF %v, Markdown %v", labDoc, pdf, md)
	}
	// Comments: the lab reads the shared ones only.
	all, _, err := f.svc.Findings.ListComments(f.ctx, lead, five.Case.ID, app.Page{})
	if err != nil {
		t.Fatal(err)
	}
	shared, _, err := f.svc.Findings.ListComments(f.ctx, f.as("carter"), five.Case.ID, app.Page{})
	if err != nil || len(all) != 3 || len(shared) != 2 {
		t.Errorf("comments: %d for the lead, %d for the lab, %v", len(all), len(shared), err)
	}
	// The compliance officer: counts, nothing else.
	co := f.as("kim")
	if _, _, err := f.svc.Findings.ListFindings(f.ctx, co, five.Case.ID, app.FindingFilter{}, app.Page{}); docket.ErrorCode(err) != docket.EForbidden {
		t.Errorf("compliance lists findings: %v", err)
	}
	if _, err := f.svc.Findings.GetAttachment(f.ctx, co, atts[0].ID); docket.ErrorCode(err) != docket.EForbidden {
		t.Errorf("compliance reads an attachment: %v", err)
	}
	d, err := f.svc.Cases.Dashboard(f.ctx, co, app.CaseFilter{}, app.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	counts := d.Findings
	if c := counts[five.Case.ID]; c.Open["critical"] != 1 || c.Open["informational"] != 1 || c.Overdue != 1 {
		t.Errorf("Frontier-5 counts: %+v", c)
	}
	if c := counts[coder.Case.ID]; c.Open["high"] != 1 || c.Overdue != 0 {
		t.Errorf("Meridian Coder counts: %+v", c)
	}
	// No finding text, response or comment in the audit trail.
	var texts []string
	for _, c := range demoCases {
		for _, fd := range c.findings {
			texts = append(texts, fd.title, fd.description, fd.evidence)
		}
		for _, st := range c.steps {
			if st.act == "respond" || st.act == "comment" || st.act == "resolve" {
				texts = append(texts, st.text)
			}
		}
	}
	err = f.st.Read(f.ctx, func(tx app.Tx) error {
		return tx.Audit().WalkAudit(func(ev docket.AuditEvent) error {
			for _, s := range texts {
				if strings.Contains(ev.Changes, s) {
					t.Errorf("audit event %d (%s) carries %q", ev.Seq, ev.Action, s)
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// serveDemo runs `docket serve --demo` on a fresh SQLite file in the
// test's directory, with cheap password hashes and extra (beside the
// database, address, secret, shipped file and data directory) in its
// environment, writing what it prints to stdout; it returns the server's
// base URL and stop, which ends it and waits (read stdout only after).
func serveDemo(t *testing.T, extra map[string]string, stdout io.Writer) (base string, stop func()) {
	t.Helper()
	storetest.SkipOnPostgres(t, "the demo seeds a SQLite file")
	old := demoHashParams
	demoHashParams = auth.Params{Memory: 64, Time: 1, Threads: 1}
	t.Cleanup(func() { demoHashParams = old })
	db := filepath.Join(t.TempDir(), "docket.db")
	vars := map[string]string{"DOCKET_DB": db, "DOCKET_ADDR": "127.0.0.1:0", "DOCKET_SECRET": strings.Repeat("d", 40),
		"DOCKET_CONFIG": filepath.Join("..", "..", "configs", "docket.yaml"), "DOCKET_DATA_DIR": filepath.Join(filepath.Dir(db), "data")}
	for k, v := range extra {
		vars[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--demo"}, env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: io.Discard,
			Getenv: testEnv(vars), Ready: ready, Now: time.Now})
	}()
	select {
	case addr := <-ready:
		return "http://" + addr, func() { cancel(); <-done }
	case code := <-done:
		cancel()
		t.Fatalf("serve exited %d", code)
	case <-time.After(90 * time.Second):
		cancel()
		t.Fatal("the demo did not start")
	}
	return "", nil
}

// TestServeDemoRelaxesTheStepUp: serve --demo turns
// auth.tlp_red_requires_phishing_resistant off and says so, and how it is
// on otherwise: the lab user its TLP:RED finding names reads it, in the
// list and alone, with the demo's password.
func TestServeDemoRelaxesTheStepUp(t *testing.T) {
	var out bytes.Buffer // read once serve is done
	base, stop := serveDemo(t, nil, &out)
	brooks := (&client{t: t, base: base}).signIn("noah.brooks@frontierlabs.example", demoPassword)
	red := ""
	for _, c := range brooks.must(200, "GET", "/api/v1/cases?limit=200", nil)["items"].([]any) {
		id := c.(map[string]any)["id"].(string)
		for _, it := range brooks.must(200, "GET", "/api/v1/cases/"+id+"/findings", nil)["items"].([]any) {
			if f := it.(map[string]any); f["tlp"] == docket.TLPRed {
				if f["step_up_required"] != false || f["title"] == nil {
					t.Errorf("the demo lists its TLP:RED finding as %v", f)
				}
				red = f["id"].(string)
			}
		}
	}
	if red == "" {
		t.Fatal("brooks sees no TLP:RED finding")
	}
	brooks.must(200, "GET", "/api/v1/findings/"+red, nil)
	stop()
	for _, want := range []string{"auth.tlp_red_requires_phishing_resistant is false",
		"DOCKET_AUTH_TLP_RED_REQUIRES_PHISHING_RESISTANT", "passkey or a phishing-resistant single sign-on"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve --demo does not say %q:\n%s", want, out.String())
		}
	}
}
