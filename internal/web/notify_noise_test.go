package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/docket"
)

// TestEmailChoiceOnTheAccountPageAndTheAPI: every role that gets
// notifications chooses on /account how e-mail reaches it, and the API says
// and changes the same choice (GET and PATCH /me); a choice that is not
// one of the three is refused beside its field, changing nothing; the
// administrator, who gets none, has no such section and no choice.
func TestEmailChoiceOnTheAccountPageAndTheAPI(t *testing.T) {
	w := newWorld(t)
	lead := w.pageAs("lead")
	p := lead.get("/account")
	p.has(t, "E-mail", "Each notification as it comes", "One daily digest", "No e-mail",
		"A review window that elapsed without a decision is e-mailed all the same")
	if !strings.Contains(p.Body, `id="email-each" name="email_delivery" value="each" aria-describedby="h-email-each" checked`) {
		t.Fatal("the current choice, each, is not checked")
	}
	r := lead.post("/account", "/account/email", url.Values{"email_delivery": {"digest"}})
	wantPage(t, r, 303)
	if r.Location != "/account?done=email-delivery#email-title" {
		t.Fatalf("redirect %q", r.Location)
	}
	p = lead.get(strings.TrimSuffix(r.Location, "#email-title")) // a browser keeps the fragment to itself
	p.has(t, "Your choice of e-mail is saved")
	if !strings.Contains(p.Body, `value="digest" aria-describedby="h-email-digest" checked`) {
		t.Fatal("the saved choice is not checked")
	}
	if got := w.as("lead", "GET", "/api/v1/me", nil).JSON()["email_delivery"]; got != "digest" {
		t.Fatalf("GET /me says %v", got)
	}
	r = lead.post("/account", "/account/email", url.Values{"email_delivery": {"weekly"}})
	wantPage(t, r, 422)
	r.has(t, "The choice of e-mail must be one of each, digest, none", "Nothing was changed")
	if !strings.Contains(r.Body, `aria-describedby="e-email-delivery"`) {
		t.Fatal("the error is not tied to the choice")
	}

	// The API: PATCH /me changes it and answers the user as GET /me does.
	r2 := w.as("rev", "PATCH", "/api/v1/me", map[string]any{"email_delivery": "none"})
	want(t, r2, 200)
	if m := r2.JSON(); m["email_delivery"] != "none" || m["email"] != "rev@example.org" {
		t.Fatalf("PATCH /me: %v", m)
	}
	r2 = w.as("rev", "PATCH", "/api/v1/me", map[string]any{"email_delivery": "weekly"})
	want(t, r2, 422)
	if r2.ErrorField() != "email_delivery" {
		t.Fatalf("field %q", r2.ErrorField())
	}
	want(t, w.as("rev", "PATCH", "/api/v1/me", map[string]any{"role": "admin"}), 400)
	want(t, w.as("rev", "PATCH", "/api/v1/me", map[string]any{}), 200)
	if got := w.as("rev", "GET", "/api/v1/me", nil).JSON()["email_delivery"]; got != "none" {
		t.Fatalf("after refusals: %v", got)
	}
	want(t, w.as("admin", "PATCH", "/api/v1/me", map[string]any{"email_delivery": "none"}), 403)
	w.pageAs("admin").get("/account").hasNot(t, `id="email-title"`, "email_delivery")
}

// TestTheInboxCollapsesRepeatsAndTheDigestSaysWhatItCarries: a lapse
// repeating for three days is one row of the compliance officer's inbox
// with its count; marking it read marks every repeat; the daily digest's row
// names what it carries, by rule with its cases linked, and leads to the
// countdown; the two rules of one event read the same on the page.
func TestTheInboxCollapsesRepeatsAndTheDigestSaysWhatItCarries(t *testing.T) {
	w := newWorld(t)
	id := w.submitAt(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC), draftBody("Collapsed"))
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/assign", map[string]any{"reviewer_ids": []string{w.users["rev"].ID}}), 200)
	lapse := time.Date(2026, 7, 3, 4, 0, 0, 0, time.UTC)
	for d := 0; d < 3; d++ {
		w.clock.Set(lapse.Add(time.Duration(d) * 24 * time.Hour))
		w.sweep()
	}
	w.clock.Set(time.Date(2026, 7, 5, 12, 0, 0, 0, time.UTC)) // 08:00 EDT: the digest
	w.sweep()
	co := w.pageAs("co")
	p := co.get("/inbox")
	wantPage(t, p, 200)
	words := docket.RuleWords(docket.RuleCaseLapsed, "lapsed")
	if n := strings.Count(p.Body, "<td>"+words); n != 1 {
		t.Fatalf("the lapse is %d rows", n)
	}
	// Each day's digest carries that day's repeat.
	p.has(t, words+" 3 notifications, the first 3 Jul, 00:00", "3 unread",
		"Daily digest: 1 notification about 1 case")
	if !strings.Contains(p.Body, `<a href="/dashboard">Countdown</a>`) || !strings.Contains(p.Body, `: 1 (<a href="/cases/`+id+`">DKT-2026-0001</a>)`) {
		t.Fatal("the digest does not lead to the countdown and its case")
	}
	p.hasNot(t, "All cases")
	before := w.unread("co")
	read := regexp.MustCompile(`action="(/inbox/[0-9a-f-]{36}/read)"[^>]*>\s*<input[^>]*>\s*<input[^>]*>\s*<button[^>]*>Mark read<span class="visually-hidden">: DKT-2026-0001`).FindStringSubmatch(p.Body)
	if read == nil {
		t.Fatal("no form to mark the lapse read")
	}
	wantPage(t, co.post("/inbox", read[1], nil), 303)
	if got := w.unread("co"); got != before-3 {
		t.Fatalf("unread %d → %d, want the three repeats read", before, got)
	}
	// The lab's lapse reads as the agency's.
	w.pageAs("lab").get("/inbox").has(t, words)
}
