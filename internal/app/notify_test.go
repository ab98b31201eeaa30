package app_test

import (
	"context"
	"sort"
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

// fakeClock is the tests' shared fake clock.
type fakeClock = clock.Fake

// env is one database with a service on a fake clock and a user per role.
type env struct {
	t     *testing.T
	st    *store.Store
	svc   *app.Services
	clock *fakeClock
	cfg   config.Config
	a     map[string]docket.Actor
}

var ctx = context.Background()

func newEnv(t *testing.T) *env {
	t.Helper()
	st, err := store.Open(storetest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, clock: clock.NewFake(time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)), a: map[string]docket.Actor{}}
	e.cfg = config.Default()
	e.cfg.Auth.MFARequiredRoles = config.NoMFARoles
	e.cfg.Secret = strings.Repeat("s", 32)
	e.cfg.DataDir = t.TempDir() // attachments stay in the test's own directory
	e.svc = e.service()
	for name, role := range map[string]string{"lab": "lab_member", "rev": "reviewer", "rev2": "reviewer", "lead": "review_lead", "co": "compliance_officer"} {
		org, kind := "Agency", "agency"
		if role == "lab_member" {
			org, kind = "Frontier Labs", "lab"
		}
		u, err := e.svc.Accounts.CreateUserCLI(ctx, name+"@example.org", name, role, org, kind, "correct horse battery staple")
		if err != nil {
			t.Fatal(err)
		}
		e.a[name] = docket.Actor{UserID: u.ID, Role: u.Role, OrgID: u.OrgID, OrgKind: u.Org.Kind}
	}
	return e
}

// service builds another process's service on the same database and clock.
func (e *env) service() *app.Services { return app.New(e.st, e.options()) }

// options are what service builds a service with.
func (e *env) options() app.Options {
	signer, _ := auth.NewSigner([]byte(e.cfg.Secret), "docket", e.clock.Now)
	return app.Options{Config: e.cfg, Now: e.clock.Now, Signer: signer,
		Hasher: auth.NewHasher(auth.Params{Memory: 64, Time: 1, Threads: 1}), Files: files.New(e.cfg.AttachmentsDir())}
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// submitAt files and submits a case at the instant, assigned to rev and lead.
func (e *env) submitAt(at time.Time, assign bool) string {
	e.t.Helper()
	return e.submitWith(at, assign, "")
}

func (e *env) submitWith(at time.Time, assign bool, release string) string {
	e.t.Helper()
	e.clock.Set(at)
	s := func(v string) *string { return &v }
	v, err := e.svc.Cases.CreateCase(ctx, e.a["lab"], docket.CaseInput{ModelName: s("Atlas"), ModelVersion: s("1"),
		WeightsDigest: s("sha256:" + strings.Repeat("ab", 32)), Modality: s("text"), Deployment: s("api"),
		PlannedReleaseDate: s(release)})
	e.must(err)
	id := v.Case.ID
	_, err = e.svc.Cases.SubmitCase(ctx, e.a["lab"], id)
	e.must(err)
	if assign {
		_, err = e.svc.Cases.Assign(ctx, e.a["lead"], id, []string{e.a["rev"].UserID}, e.a["lead"].UserID)
		e.must(err)
	}
	return id
}

// sweep holds the lease as holder and sweeps; it returns how many
// notifications other than digests it added.
func (e *env) sweep(svc *app.Services, holder string) int {
	e.t.Helper()
	if _, err := svc.Delivery.HoldLease(ctx, holder); err != nil {
		e.t.Fatal(err)
	}
	before := len(e.sent())
	_, err := svc.Delivery.Sweep(ctx, holder)
	e.must(err)
	return len(e.sent()) - before
}

// sent lists every notification but the daily digests as "rule threshold recipient-name".
func (e *env) sent() []string {
	e.t.Helper()
	names := map[string]string{}
	for n, a := range e.a {
		names[a.UserID] = n
	}
	var out []string
	for n, a := range e.a {
		items, _, err := e.svc.Delivery.Inbox(ctx, a, app.Page{Limit: 200})
		e.must(err)
		for _, it := range items {
			if it.Kind != docket.KindDigest {
				out = append(out, it.Rule+" "+it.Threshold+" "+n)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (e *env) count(rule string) int {
	n := 0
	for _, s := range e.sent() {
		if strings.HasPrefix(s, rule+" ") {
			n++
		}
	}
	return n
}

var received = time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC) // 14:00 EDT; due 2026-07-02 23:59:59.999 EDT

func TestReminderAtItsThreshold(t *testing.T) {
	e := newEnv(t)
	e.submitAt(received, true)
	seven := time.Date(2026, 6, 25, 13, 0, 0, 0, time.UTC) // 09:00 EDT, seven days before the due date
	e.clock.Set(seven.Add(-time.Millisecond))
	if n := e.sweep(e.svc, "p1"); n != 0 {
		t.Fatalf("%d sent before the threshold: %v", n, e.sent())
	}
	e.clock.Set(seven)
	if n := e.sweep(e.svc, "p1"); n != 2 {
		t.Fatalf("at the threshold: %d sent, want the reviewer and the lead: %v", n, e.sent())
	}
	e.clock.Set(seven.Add(time.Minute))
	if n := e.sweep(e.svc, "p1"); n != 0 {
		t.Fatalf("just after the threshold %d more", n)
	}
	got := strings.Join(e.sent(), ",")
	if got != "case.reminder 7d lead,case.reminder 7d rev" {
		t.Fatalf("sent %s", got)
	}
	// The lab never gets the agency's reminders, and none carries content.
	items, _, _ := e.svc.Delivery.Inbox(ctx, e.a["rev"], app.Page{})
	if items[0].CaseNumber != "DKT-2026-0001" || !items[0].DueAt.Equal(time.Date(2026, 7, 3, 3, 59, 59, 999e6, time.UTC)) {
		t.Fatalf("item %+v", items[0])
	}
}

func TestDowntimeSendsOnlyTheMostUrgentOnce(t *testing.T) {
	e := newEnv(t)
	e.submitAt(received, true)
	// Down from before the 7-day threshold until after the 3-day one.
	e.clock.Set(time.Date(2026, 6, 30, 2, 0, 0, 0, time.UTC))
	if n := e.sweep(e.svc, "p1"); n != 2 {
		t.Fatalf("%d sent", n)
	}
	if got := strings.Join(e.sent(), ","); got != "case.reminder 3d lead,case.reminder 3d rev" {
		t.Fatalf("sent %s", got)
	}
	// A restarted process (a new service on the same database) sends nothing again.
	again := e.service()
	e.clock.Advance(3 * time.Hour)
	if n := e.sweep(again, "p2-after-restart"); n != 0 {
		t.Fatalf("after a restart %d more: %v", n, e.sent())
	}
}

func TestRemindersOnDSTDays(t *testing.T) {
	for _, tc := range []struct {
		name     string
		received time.Time
		want     time.Time
	}{
		// Due 2026-03-15 (local); seven days before is 2026-03-08, the spring-forward day: 09:00 EDT.
		{"spring forward", time.Date(2026, 2, 13, 15, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 13, 0, 0, 0, time.UTC)},
		// Due 2026-11-08; seven days before is 2026-11-01, the fall-back day: 09:00 EST.
		{"fall back", time.Date(2026, 10, 9, 15, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.submitAt(tc.received, true)
			var at []time.Time
			// Sweep every 15 minutes across the whole day of the change.
			for s := tc.want.Add(-12 * time.Hour); s.Before(tc.want.Add(12 * time.Hour)); s = s.Add(15 * time.Minute) {
				e.clock.Set(s)
				if n := e.sweep(e.svc, "p1"); n > 0 {
					at = append(at, s)
				}
			}
			if len(at) != 1 || !at[0].Equal(tc.want) {
				t.Fatalf("reminders at %v, want once at %s", at, tc.want)
			}
			if e.count("case.reminder") != 2 {
				t.Fatalf("sent %v", e.sent())
			}
		})
	}
}

func TestAStopMovesTheReminders(t *testing.T) {
	e := newEnv(t)
	id := e.submitAt(received, true)
	_, err := e.svc.Cases.Attest(ctx, e.a["rev"], id)
	e.must(err)
	// Stopped two days before the 7-day threshold, for four days.
	e.clock.Set(time.Date(2026, 6, 23, 13, 0, 0, 0, time.UTC))
	r, err := e.svc.Cases.RequestInfo(ctx, e.a["rev"], id, "Which evals?")
	e.must(err)
	for s := e.clock.Now(); s.Before(time.Date(2026, 6, 27, 13, 0, 0, 0, time.UTC)); s = s.Add(time.Hour) {
		e.clock.Set(s)
		if n := e.sweep(e.svc, "p1"); n != 0 {
			t.Fatalf("a reminder while the clock is stopped at %s: %v", s, e.sent())
		}
	}
	_, err = e.svc.Cases.AnswerInfoRequest(ctx, e.a["lab"], r.ID, "These.")
	e.must(err)
	// The deadline moved four days: the 7-day reminder now falls on 2026-06-29 09:00 EDT.
	e.clock.Set(time.Date(2026, 6, 29, 12, 59, 0, 0, time.UTC))
	if n := e.sweep(e.svc, "p1"); n != 0 {
		t.Fatalf("early: %v", e.sent())
	}
	e.clock.Set(time.Date(2026, 6, 29, 13, 0, 0, 0, time.UTC))
	if n := e.sweep(e.svc, "p1"); n != 2 {
		t.Fatalf("the moved deadline's reminder: %d %v", n, e.sent())
	}
}

func TestEscalationsRepeatUntilAcknowledged(t *testing.T) {
	e := newEnv(t)
	id := e.submitAt(received, true)
	due := time.Date(2026, 7, 3, 3, 59, 59, 999e6, time.UTC)
	e.clock.Set(due.Add(time.Millisecond))
	e.sweep(e.svc, "p1")
	lapse := func(who string) int {
		n := 0
		for _, s := range e.sent() {
			if strings.HasPrefix(s, "case.lapsed") && strings.HasSuffix(s, " "+who) {
				n++
			}
		}
		return n
	}
	if lapse("lead") != 1 || lapse("co") != 1 || lapse("lab") != 1 {
		t.Fatalf("lapse: %v", e.sent())
	}
	e.clock.Advance(24 * time.Hour)
	e.sweep(e.svc, "p1")
	if lapse("lead") != 2 || lapse("co") != 2 || lapse("lab") != 1 {
		t.Fatalf("the first repeat (the lab is told once): %v", e.sent())
	}
	items, _, _ := e.svc.Delivery.Inbox(ctx, e.a["co"], app.Page{})
	var lapseItem, digest docket.Notification
	for _, it := range items {
		switch it.Kind {
		case docket.KindEscalation:
			lapseItem = it
		case docket.KindDigest:
			digest = it
		}
	}
	if _, err := e.svc.Delivery.Acknowledge(ctx, e.a["co"], digest.ID); docket.ErrorCode(err) != docket.EConflict {
		t.Fatalf("acknowledging a digest: %v", err)
	}
	if _, err := e.svc.Delivery.Acknowledge(ctx, e.a["lead"], lapseItem.ID); docket.ErrorCode(err) != docket.ENotFound {
		t.Fatalf("someone else's notification: %v", err)
	}
	if _, err := e.svc.Delivery.Acknowledge(ctx, e.a["co"], lapseItem.ID); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		e.clock.Advance(24 * time.Hour)
		e.sweep(e.svc, "p1")
	}
	if lapse("lead") != 2 || lapse("co") != 2 {
		t.Fatalf("repeats after the acknowledgement: %v", e.sent())
	}
	// Deciding ends the lapse: nothing further.
	_, err := e.svc.Cases.Attest(ctx, e.a["lead"], id)
	e.must(err)
	_, err = e.svc.Cases.Decide(ctx, e.a["lead"], id, app.DecisionInput{Outcome: "no_concerns", Rationale: "late but fine"})
	e.must(err)
	before := len(e.sent())
	e.clock.Advance(48 * time.Hour)
	e.sweep(e.svc, "p1")
	if len(e.sent()) != before+2 && len(e.sent()) != before+1 && len(e.sent()) != before {
		t.Fatalf("after the decision: %v", e.sent())
	}
	for _, s := range e.sent()[before:] {
		if !strings.HasPrefix(s, "digest") {
			t.Fatalf("after the decision: %s", s)
		}
	}
}

func TestARemovedReviewerGetsNothingMore(t *testing.T) {
	e := newEnv(t)
	id := e.submitAt(received, true)
	e.clock.Set(time.Date(2026, 6, 25, 13, 0, 0, 0, time.UTC))
	e.sweep(e.svc, "p1")
	_, err := e.svc.Cases.Assign(ctx, e.a["lead"], id, []string{e.a["rev2"].UserID}, e.a["lead"].UserID)
	e.must(err)
	e.clock.Set(time.Date(2026, 6, 29, 13, 0, 0, 0, time.UTC))
	e.sweep(e.svc, "p1")
	got := strings.Join(e.sent(), ",")
	want := "case.reminder 3d lead,case.reminder 3d rev2,case.reminder 7d lead,case.reminder 7d rev"
	if got != want {
		t.Fatalf("sent %s\nwant %s", got, want)
	}
}

func TestOtherRules(t *testing.T) {
	e := newEnv(t)
	e.cfg.Notify.DigestTime = "08:00"
	unassigned := e.submitAt(received, false)
	e.clock.Set(received.Add(48*time.Hour - time.Millisecond))
	e.sweep(e.svc, "p1")
	if e.count("case.unassigned") != 0 {
		t.Fatal("early")
	}
	e.clock.Set(received.Add(48 * time.Hour))
	e.sweep(e.svc, "p1")
	if e.count("case.unassigned") != 2 { // the lead and the compliance officer
		t.Fatalf("unassigned: %v", e.sent())
	}
	_, err := e.svc.Cases.Assign(ctx, e.a["lead"], unassigned, nil, "")
	e.must(err)
	_, err = e.svc.Cases.Attest(ctx, e.a["lead"], unassigned)
	e.must(err)
	r, err := e.svc.Cases.RequestInfo(ctx, e.a["lead"], unassigned, "Logs?")
	e.must(err)
	opened := e.clock.Now()
	e.clock.Set(opened.Add(5 * 24 * time.Hour))
	e.sweep(e.svc, "p1")
	if e.count("info_request.unanswered_lab") != 1 || e.count("info_request.unanswered_lead") != 0 {
		t.Fatalf("five days: %v", e.sent())
	}
	e.clock.Set(opened.Add(10 * 24 * time.Hour))
	e.sweep(e.svc, "p1")
	if e.count("info_request.unanswered_lead") != 1 {
		t.Fatalf("ten days: %v", e.sent())
	}
	_, err = e.svc.Cases.AnswerInfoRequest(ctx, e.a["lab"], r.ID, "Here.")
	e.must(err)
	e.clock.Advance(24 * time.Hour)
	e.sweep(e.svc, "p1")
	if e.count("info_request.unanswered_lead") != 1 {
		t.Fatalf("an answered request escalated again: %v", e.sent())
	}
	digests, _, err := e.svc.Delivery.Inbox(ctx, e.a["co"], app.Page{Limit: 200})
	e.must(err)
	days := map[string]bool{}
	for _, d := range digests {
		if d.Kind == docket.KindDigest {
			day := d.DeadlineAt.In(e.cfg.Location()).Format("2006-01-02 15:04")
			if days[day] || !strings.HasSuffix(day, " 08:00") {
				t.Fatalf("digest twice or at the wrong time: %s", day)
			}
			days[day] = true
		}
	}
	if len(days) == 0 {
		t.Fatal("no digest for the compliance officer")
	}
}

func TestReleaseConflictEscalatesAtOnce(t *testing.T) {
	e := newEnv(t)
	id := e.submitWith(received, true, "2026-07-01")
	v, err := e.svc.Cases.GetCase(ctx, e.a["co"], id)
	e.must(err)
	if !v.Clock.ReleaseConflict {
		t.Fatal("no conflict")
	}
	e.clock.Advance(time.Minute)
	e.sweep(e.svc, "p1")
	if got := strings.Join(e.sent(), ","); got != "case.release_conflict release-conflict co" {
		t.Fatalf("sent %s", got)
	}
}

func TestTwoProcessesOneDatabase(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 5; i++ {
		e.submitAt(received.Add(time.Duration(i)*26*time.Hour), i%2 == 0)
	}
	p1, p2 := e.svc, e.service()
	// Both race over 40 days of sweeps every 6 hours; p1 dies halfway.
	for s := received; s.Before(received.Add(40 * 24 * time.Hour)); s = s.Add(6 * time.Hour) {
		e.clock.Set(s)
		if s.Before(received.Add(20 * 24 * time.Hour)) {
			e.sweep(p1, "p1")
		}
		e.sweep(p2, "p2")
	}
	holder, err := p2.Delivery.LeaseHolder(ctx)
	e.must(err)
	if holder != "p2" {
		t.Fatalf("the lease did not pass to p2: %q", holder)
	}
	// Every key once: the unique index would refuse a second, and the inbox shows each once.
	seen := map[string]bool{}
	for _, a := range e.a {
		items, _, err := p2.Delivery.Inbox(ctx, a, app.Page{Limit: 200})
		e.must(err)
		for _, it := range items {
			if seen[it.Key] {
				t.Fatalf("key %s twice", it.Key)
			}
			seen[it.Key] = true
		}
	}
	if len(seen) < 10 {
		t.Fatalf("only %d notifications over 40 days", len(seen))
	}
}

func TestOnlyTheLeaseHolderSweeps(t *testing.T) {
	e := newEnv(t)
	e.submitAt(received, true)
	p1, p2 := e.svc, e.service()
	e.clock.Set(time.Date(2026, 6, 25, 13, 0, 0, 0, time.UTC))
	if held, _ := p1.Delivery.HoldLease(ctx, "p1"); !held {
		t.Fatal("p1 could not take a free lease")
	}
	if held, _ := p2.Delivery.HoldLease(ctx, "p2"); held {
		t.Fatal("p2 took a held lease")
	}
	if res, _ := p2.Delivery.Sweep(ctx, "p2"); res.Held || res.Inserted != 0 {
		t.Fatalf("p2 swept without the lease: %+v", res)
	}
	// p1 stops renewing; after the lease time p2 takes over.
	e.clock.Advance(e.cfg.Notify.LeaseTTL + time.Millisecond)
	if held, _ := p2.Delivery.HoldLease(ctx, "p2"); !held {
		t.Fatal("p2 did not take over an expired lease")
	}
	if res, _ := p2.Delivery.Sweep(ctx, "p2"); !res.Held || e.count("case.reminder") != 2 {
		t.Fatalf("p2 after takeover: %+v %v", res, e.sent())
	}
}

func TestForecastIsWhatTheSweepSends(t *testing.T) {
	e := newEnv(t)
	e.submitAt(received, true)
	id := e.submitAt(received.Add(3*24*time.Hour), false)
	_ = id
	start := received.Add(20 * 24 * time.Hour)
	until := start.Add(20 * 24 * time.Hour)
	e.clock.Set(start)
	e.sweep(e.svc, "p1") // what is due at the start goes out now
	already := map[string]bool{}
	for _, s := range e.sent() {
		already[s] = true
	}
	fc, err := e.svc.Delivery.Forecast(ctx, e.a["co"], until)
	e.must(err)
	want := map[string]bool{}
	for _, o := range fc {
		want[o.Key] = true
	}
	// Other roles see only their own; admins none.
	mine, err := e.svc.Delivery.Forecast(ctx, e.a["rev"], until)
	e.must(err)
	for _, o := range mine {
		if o.RecipientID != e.a["rev"].UserID {
			t.Fatalf("a reviewer sees another's forecast: %+v", o)
		}
	}
	if _, err := e.svc.Delivery.Forecast(ctx, docket.Actor{Role: docket.RoleAdmin}, until); docket.ErrorCode(err) != docket.EForbidden {
		t.Fatalf("admin: %v", err)
	}
	// Sweep every 15 minutes to the horizon; everything sent must have been forecast and vice versa.
	got := map[string]bool{}
	for s := start.Add(15 * time.Minute); !s.After(until); s = s.Add(15 * time.Minute) {
		e.clock.Set(s)
		e.sweep(e.svc, "p1")
	}
	for _, a := range e.a {
		items, _, _ := e.svc.Delivery.Inbox(ctx, a, app.Page{Limit: 200})
		for _, it := range items {
			if it.CreatedAt.After(start) {
				got[it.Key] = true
			}
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("sent but not forecast: %s", k)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("forecast but not sent: %s", k)
		}
	}
	if len(want) < 5 {
		t.Fatalf("forecast only %d", len(want))
	}
}

func TestFindingResponseReminderAndOverdue(t *testing.T) {
	e := newEnv(t)
	id := e.submitAt(received, true)
	_, err := e.svc.Cases.Attest(ctx, e.a["rev"], id)
	e.must(err)
	s := func(v string) *string { return &v }
	mk := func(tlp string) string {
		f, err := e.svc.Findings.CreateFinding(ctx, e.a["rev"], id, docket.FindingInput{Title: s("Jailbreak"), Description: s("secret detail"),
			Category: s("safeguard_bypass"), Severity: s("high"), TLP: s(tlp)})
		e.must(err)
		return f.Finding.ID
	}
	open, red := mk("TLP:AMBER"), mk("TLP:RED")
	e.clock.Set(time.Date(2026, 6, 3, 14, 0, 0, 0, time.UTC)) // shared on 2026-06-03 local: high → due end of 2026-06-10
	_, err = e.svc.Findings.ShareFinding(ctx, e.a["rev"], open, nil)
	e.must(err)
	_, err = e.svc.Findings.ShareFinding(ctx, e.a["rev"], red, []string{e.a["lab"].UserID})
	e.must(err)
	reminder := time.Date(2026, 6, 9, 13, 0, 0, 0, time.UTC) // 09:00 EDT the day before
	e.clock.Set(reminder.Add(-time.Second))
	e.sweep(e.svc, "p1")
	if e.count("finding.response_reminder") != 0 {
		t.Fatalf("early: %v", e.sent())
	}
	e.clock.Set(reminder)
	e.sweep(e.svc, "p1")
	if e.count("finding.response_reminder") != 2 { // the lab's member, for each finding
		t.Fatalf("reminders: %v", e.sent())
	}
	due := time.Date(2026, 6, 11, 3, 59, 59, 999e6, time.UTC)
	e.clock.Set(due.Add(time.Millisecond))
	e.sweep(e.svc, "p1")
	if e.count("finding.overdue_lab") != 2 || e.count("finding.overdue_lead") != 0 {
		t.Fatalf("overdue: %v", e.sent())
	}
	e.clock.Advance(e.cfg.Notify.EscalationRepeat)
	e.sweep(e.svc, "p1")
	if e.count("finding.overdue_lead") != 2 {
		t.Fatalf("overdue to the lead: %v", e.sent())
	}
	// Once the lab responds, nothing more about that finding.
	_, err = e.svc.Findings.RespondFinding(ctx, e.a["lab"], open, "We patched it.")
	e.must(err)
	before := e.count("finding.overdue_lab") + e.count("finding.overdue_lead")
	e.clock.Advance(e.cfg.Notify.EscalationRepeat)
	e.sweep(e.svc, "p1")
	if after := e.count("finding.overdue_lab") + e.count("finding.overdue_lead"); after != before+2 { // only the RED one repeats
		t.Fatalf("after the response: %d → %d: %v", before, after, e.sent())
	}
}
