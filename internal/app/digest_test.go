package app_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// The lapse of a case received at `received`: due 2 July 23:59:59.999 EDT.
var (
	lapse     = time.Date(2026, 7, 3, 4, 0, 0, 0, time.UTC)   // 00:00 EDT, 3 July
	digestJul = time.Date(2026, 7, 4, 12, 0, 0, 0, time.UTC)  // 08:00 EDT, 4 July
	sevenDays = time.Date(2026, 6, 25, 13, 0, 0, 0, time.UTC) // 09:00 EDT, the 7-day reminder
)

// items is everything in a user's inbox, newest first.
func (e *env) items(user string) []docket.Notification {
	e.t.Helper()
	items, _, err := e.svc.Delivery.Inbox(ctx, e.a[user], app.Page{Limit: 200})
	e.must(err)
	return items
}

// mailOf is how each of a user's notifications of the rule reaches them by
// e-mail, oldest first, as "repeat:mail".
func (e *env) mailOf(user, rule string) []string {
	e.t.Helper()
	var out []string
	items := e.items(user)
	for i := len(items) - 1; i >= 0; i-- {
		if items[i].Rule == rule {
			out = append(out, strings.Join([]string{strconv.Itoa(items[i].Repeat), items[i].Mail}, ":"))
		}
	}
	return out
}

// digestOn is the user's digest of the local day of at, and what it carries.
func (e *env) digestOn(user string, at time.Time) (*docket.Notification, []docket.Notification) {
	e.t.Helper()
	for _, it := range e.items(user) {
		if it.Kind == docket.KindDigest && it.DeadlineAt.Equal(at) {
			carries, err := e.svc.Delivery.DigestsOf(ctx, e.a[user], []docket.Notification{it})
			e.must(err)
			return &it, carries[it.ID]
		}
	}
	return nil, nil
}

func (e *env) sweepAt(at time.Time) {
	e.t.Helper()
	e.clock.Set(at)
	e.sweep(e.svc, "p1")
}

// TestRepeatsWaitForTheDigest: an escalation's first message is mailed on
// its own; its repeats are held for each recipient's daily digest, which the
// recipient then gets (the compliance officer every day, the lead on a day
// something waits), carrying them; whoever had nothing held gets no digest.
func TestRepeatsWaitForTheDigest(t *testing.T) {
	e := newEnv(t)
	e.submitAt(received, true)
	e.sweepAt(lapse)
	e.sweepAt(lapse.Add(24 * time.Hour))
	for _, who := range []string{"lead", "co"} {
		if got := strings.Join(e.mailOf(who, docket.RuleCaseLapsed), ","); got != "0:each,1:digest" {
			t.Fatalf("%s's lapse: %s", who, got)
		}
	}
	if got := strings.Join(e.mailOf("lab", docket.RuleCaseLapsed), ","); got != "0:each" {
		t.Fatalf("the lab's lapse: %s", got)
	}
	if d, _ := e.digestOn("lead", digestJul); d != nil {
		t.Fatal("a digest before its hour")
	}
	e.sweepAt(digestJul)
	for _, who := range []string{"lead", "co"} {
		d, carries := e.digestOn(who, digestJul)
		if d == nil || d.Mail != docket.EmailEach {
			t.Fatalf("%s's digest: %+v", who, d)
		}
		if len(carries) != 1 || carries[0].Rule != docket.RuleCaseLapsed || carries[0].Repeat != 1 {
			t.Fatalf("%s's digest carries %+v", who, carries)
		}
		lines := app.DigestLines(carries)
		if len(lines) != 1 || lines[0].Words != docket.RuleWords(docket.RuleCaseLapsed, "lapsed") || lines[0].Count != 1 ||
			len(lines[0].Cases) != 1 || lines[0].Cases[0].Number != "DKT-2026-0001" {
			t.Fatalf("%s's digest says %+v", who, lines)
		}
		if got := app.DigestWords(carries); got != "Daily digest: 1 notification about 1 case" {
			t.Fatalf("%s's digest reads %q", who, got)
		}
	}
	for _, who := range []string{"lab", "rev"} {
		for _, it := range e.items(who) {
			if it.Kind == docket.KindDigest {
				t.Fatalf("%s got a digest with nothing held for it: %+v", who, it)
			}
		}
	}
	// The next day's digest carries the next repeat, not the first again.
	e.sweepAt(lapse.Add(48 * time.Hour))
	e.sweepAt(digestJul.Add(24 * time.Hour))
	if _, carries := e.digestOn("lead", digestJul.Add(24*time.Hour)); len(carries) != 1 || carries[0].Repeat != 2 {
		t.Fatalf("the next digest carries %+v", carries)
	}
}

// TestTheEmailChoices: a user who chose the digest has everything held for
// it, a lapse excepted; one who chose none gets no e-mail but a lapse, whose
// repeats still come in a digest; a compliance officer's daily digest that
// carries nothing is not mailed to one who chose none. The inbox has it all.
func TestTheEmailChoices(t *testing.T) {
	e := newEnv(t)
	for who, choice := range map[string]string{"lead": docket.EmailDigest, "co": docket.EmailNone, "lab": docket.EmailNone} {
		u, err := e.svc.Accounts.SetEmailDelivery(ctx, e.a[who], choice)
		e.must(err)
		if u.EmailDelivery != choice {
			t.Fatalf("%s: %+v", who, u)
		}
	}
	e.submitAt(received, true)
	e.sweepAt(sevenDays)
	if got := strings.Join(e.mailOf("lead", docket.RuleCaseReminder), ","); got != "0:digest" {
		t.Fatalf("the lead's reminder: %s", got)
	}
	if got := strings.Join(e.mailOf("rev", docket.RuleCaseReminder), ","); got != "0:each" {
		t.Fatalf("the reviewer's reminder: %s", got)
	}
	next := time.Date(2026, 6, 26, 12, 0, 0, 0, time.UTC)
	e.sweepAt(next)
	if d, carries := e.digestOn("lead", next); d == nil || d.Mail != docket.EmailEach || len(carries) != 1 || carries[0].Rule != docket.RuleCaseReminder {
		t.Fatalf("the lead's digest: %+v carrying %+v", d, carries)
	}
	if d, carries := e.digestOn("co", next); d == nil || d.Mail != docket.EmailNone || len(carries) != 0 {
		t.Fatalf("the compliance officer's empty digest: %+v carrying %+v", d, carries)
	}
	// A lapse is mailed whatever the choice; its repeats wait for the digest.
	e.sweepAt(lapse)
	e.sweepAt(lapse.Add(24 * time.Hour))
	e.sweepAt(digestJul)
	for who, want := range map[string]string{"lead": "0:each,1:digest", "co": "0:each,1:digest", "lab": "0:each"} {
		if got := strings.Join(e.mailOf(who, docket.RuleCaseLapsed), ","); got != want {
			t.Fatalf("%s's lapse: %s, want %s", who, got, want)
		}
	}
	if d, carries := e.digestOn("co", digestJul); d == nil || d.Mail != docket.EmailEach || len(carries) != 1 {
		t.Fatalf("the compliance officer's digest with a lapse's repeat: %+v carrying %+v", d, carries)
	}

	if _, err := e.svc.Accounts.SetEmailDelivery(ctx, e.a["rev"], "weekly"); docket.ErrorCode(err) != docket.EUnprocessable ||
		!strings.Contains(err.Error(), "email_delivery") {
		t.Fatalf("an unknown choice: %v", err)
	}
	if _, err := e.svc.Accounts.SetEmailDelivery(ctx, docket.Actor{UserID: e.a["lead"].UserID, Role: docket.RoleAdmin}, docket.EmailNone); docket.ErrorCode(err) != docket.EForbidden {
		t.Fatalf("an administrator: %v", err)
	}
	if n := strings.Count(e.auditText(), "user.email_delivery_changed "); n != 3 {
		t.Fatalf("%d changes audited, want 3:\n%s", n, e.auditText())
	}
}

// TestAnEscalationsFirstMessageIsMailedEvenAsARepeat: a compliance officer
// who joins while a lapse escalates gets its current repeat by e-mail on its
// own, as the first message it had; the repeats after it wait for the digest.
func TestAnEscalationsFirstMessageIsMailedEvenAsARepeat(t *testing.T) {
	e := newEnv(t)
	e.submitAt(received, true)
	e.sweepAt(lapse)
	e.sweepAt(lapse.Add(24 * time.Hour))
	u, err := e.svc.Accounts.CreateUserCLI(ctx, "late@example.org", "late", "compliance_officer", "Agency", "agency", "correct horse battery staple")
	e.must(err)
	e.a["late"] = docket.Actor{UserID: u.ID, Role: u.Role, OrgID: u.OrgID, OrgKind: u.Org.Kind}
	e.sweepAt(lapse.Add(25 * time.Hour))
	e.sweepAt(lapse.Add(48 * time.Hour))
	if got := strings.Join(e.mailOf("late", docket.RuleCaseLapsed), ","); got != "1:each,2:digest" {
		t.Fatalf("the late officer's lapse: %s", got)
	}
	if got := strings.Join(e.mailOf("co", docket.RuleCaseLapsed), ","); got != "0:each,1:digest,2:digest" {
		t.Fatalf("the officer's lapse: %s", got)
	}
}

// TestTheInboxCollapsesRepeats: an escalation with its repeats is one group
// of the inbox, with its count and unread count; marking the group read
// marks every repeat, each audited; another user's item is 404.
func TestTheInboxCollapsesRepeats(t *testing.T) {
	e := newEnv(t)
	e.submitAt(received, true)
	for d := 0; d < 4; d++ {
		e.sweepAt(lapse.Add(time.Duration(d) * 24 * time.Hour))
	}
	groups, next, err := e.svc.Delivery.InboxGroups(ctx, e.a["co"], app.Page{Limit: 50})
	e.must(err)
	var lapsed *app.InboxGroup
	digests := 0
	for i, g := range groups {
		switch g.Latest.Kind {
		case docket.KindEscalation:
			lapsed = &groups[i]
		case docket.KindDigest:
			digests++
		}
	}
	if next != "" || lapsed == nil || lapsed.Count != 4 || lapsed.Unread != 4 || lapsed.Latest.Repeat != 3 ||
		!lapsed.FirstAt.Equal(lapse) || !lapsed.LastAt.Equal(lapse.Add(72*time.Hour)) || digests != 4 || len(groups) != 5 {
		for _, g := range groups {
			t.Logf("%s repeat %d: %d (%d unread) %s to %s", g.Latest.Rule, g.Latest.Repeat, g.Count, g.Unread, g.FirstAt, g.LastAt)
		}
		t.Fatal("groups")
	}
	if _, err := e.svc.Delivery.MarkGroupRead(ctx, e.a["lead"], lapsed.Latest.InboxID); docket.ErrorCode(err) != docket.ENotFound {
		t.Fatalf("someone else's: %v", err)
	}
	before, err := e.svc.Delivery.UnreadCount(ctx, e.a["co"])
	e.must(err)
	n, err := e.svc.Delivery.MarkGroupRead(ctx, e.a["co"], lapsed.Latest.InboxID)
	e.must(err)
	after, err := e.svc.Delivery.UnreadCount(ctx, e.a["co"])
	e.must(err)
	if n != 4 || after != before-4 {
		t.Fatalf("marked %d, unread %d → %d", n, before, after)
	}
	if got := strings.Count(e.auditText(), "notification.read "); got != 4 {
		t.Fatalf("%d reads audited", got)
	}
	if n, _ := e.svc.Delivery.MarkGroupRead(ctx, e.a["co"], lapsed.Latest.InboxID); n != 0 {
		t.Fatalf("marked %d again", n)
	}
}

// TestTheForecastTellsTheDigests: with a lead who chose the digest, the
// forecast lists every digest the sweeps then make, each recipient's, and
// how each notification will be mailed, exactly.
func TestTheForecastTellsTheDigests(t *testing.T) {
	e := newEnv(t)
	_, err := e.svc.Accounts.SetEmailDelivery(ctx, e.a["lead"], docket.EmailDigest)
	e.must(err)
	e.submitAt(received, true)
	e.submitAt(received.Add(3*24*time.Hour), false)
	start := received.Add(20 * 24 * time.Hour)
	until := start.Add(20 * 24 * time.Hour)
	e.sweepAt(start)
	fc, err := e.svc.Delivery.Forecast(ctx, e.a["co"], until)
	e.must(err)
	want := map[string]string{}
	leadDigests := 0
	for _, o := range fc {
		want[o.Key] = o.Mail
		if o.Kind == docket.KindDigest && o.RecipientID == e.a["lead"].UserID {
			leadDigests++
		}
	}
	if leadDigests < 5 {
		t.Fatalf("the lead's digests forecast: %d", leadDigests)
	}
	for s := start.Add(15 * time.Minute); !s.After(until); s = s.Add(15 * time.Minute) {
		e.sweepAt(s)
	}
	got := map[string]string{}
	for who := range e.a {
		for _, it := range e.items(who) {
			if it.CreatedAt.After(start) {
				got[it.Key] = it.Mail
			}
		}
	}
	for k, m := range got {
		if want[k] != m {
			t.Errorf("sent %s mailed %q, forecast %q", k, m, want[k])
		}
	}
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("forecast but not sent: %s", k)
		}
	}
}
