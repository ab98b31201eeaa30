package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// inboxWorld is a case received on 2 June 2026 with rev assigned: on 25 June
// rev has the seven-day reminder; after 3 July the lapse escalates to the
// compliance officer and the lead.
func inboxWorld(t *testing.T) (*world, string) {
	w := newWorld(t)
	id := w.submitAt(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC), draftBody("Inboxed"))
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/assign", map[string]any{"reviewer_ids": []string{w.users["rev"].ID}}), 200)
	w.clock.Set(time.Date(2026, 6, 25, 13, 0, 0, 0, time.UTC))
	w.sweep()
	return w, id
}

func (w *world) unread(user string) int {
	w.t.Helper()
	r := w.as(user, "GET", "/api/v1/inbox", nil)
	want(w.t, r, 200)
	return int(r.JSON()["unread"].(float64))
}

var inboxFormRE = regexp.MustCompile(`action="(/(?:inbox|notifications)/[0-9a-f-]{36}/(?:read|ack))"`)

func TestInboxPage(t *testing.T) {
	w, id := inboxWorld(t)
	rev := w.pageAs("rev")

	// The unread count rides in the header of every page.
	for _, path := range []string{"/", "/cases", "/cases/" + id, "/dashboard", "/forecast", "/inbox", "/no/such/page"} {
		p := rev.get(path)
		if !strings.Contains(p.text(), "Inbox 1 unread") {
			t.Errorf("%s (%d): no unread count in the header", path, p.Code)
		}
	}
	p := rev.get("/inbox")
	wantPage(t, p, 200)
	p.has(t, "Inbox", "DKT-2026-0001", "Reminder", "Review deadline in 7 days", "Unread", "Mark read",
		"Thu 2 Jul 2026, 23:59 EDT")
	p.hasNot(t, "Inboxed", "A frontier model.", ">Acknowledge<")
	if !strings.Contains(p.Body, `href="/cases/`+id+`"`) {
		t.Fatal("the case number does not link to the case")
	}
	forms := inboxFormRE.FindAllStringSubmatch(p.Body, -1)
	if len(forms) != 1 || !strings.HasPrefix(forms[0][1], "/inbox/") {
		t.Fatalf("forms %v", forms)
	}
	read := forms[0][1]
	notification := regexp.MustCompile(`/inbox/([0-9a-f-]{36})/read`).FindStringSubmatch(read)[1]

	// Without the token, or by someone else: nothing changes.
	if r := rev.do(http.MethodPost, read, url.Values{}); r.Code != 403 {
		t.Fatalf("no token: %d", r.Code)
	}
	wantPage(t, w.pageAs("lab").post("/inbox", read, nil), 404)
	if w.unread("rev") != 1 {
		t.Fatal("marked read by a refused request")
	}
	// A reminder needs no acknowledgement: 409 on the inbox page.
	items := w.as("rev", "GET", "/api/v1/inbox", nil).JSON()["items"].([]any)
	nid := items[0].(map[string]any)["notification_id"].(string)
	r := rev.post("/inbox", "/notifications/"+nid+"/ack", nil)
	wantPage(t, r, 409)
	r.has(t, "Only escalations are acknowledged; this is a reminder.")

	r = rev.post("/inbox", read, nil)
	wantPage(t, r, 303)
	if r.Location != "/inbox?done=read" {
		t.Fatalf("redirect %q", r.Location)
	}
	p = rev.get(r.Location)
	p.has(t, "Marked as read.", "Read", "Everything is read.")
	if strings.Contains(p.text(), "unread") || strings.Contains(p.Body, "/inbox/"+notification+"/read") {
		t.Fatal("still unread")
	}
	if w.unread("rev") != 0 {
		t.Fatal("not marked read")
	}

	// The lapse escalates to the compliance officer, who acknowledges it.
	w.clock.Set(time.Date(2026, 7, 3, 4, 0, 0, 0, time.UTC))
	w.sweep()
	co := w.pageAs("co")
	p = co.get("/inbox")
	p.has(t, "Escalation", "Review window elapsed without a decision", "Acknowledge")
	ack := ""
	for _, m := range inboxFormRE.FindAllStringSubmatch(p.Body, -1) {
		if strings.HasSuffix(m[1], "/ack") {
			ack = m[1]
		}
	}
	if ack == "" {
		t.Fatal("no acknowledge form")
	}
	if r := co.do(http.MethodPost, ack, url.Values{"csrf_token": {w.pageAs("lead").get("/").csrf()}}); r.Code != 403 {
		t.Fatalf("another session's token: %d", r.Code)
	}
	wantPage(t, w.pageAs("lab").post("/inbox", ack, nil), 404)
	before := w.unread("co")
	r = co.post("/inbox", ack, nil)
	wantPage(t, r, 303)
	p = co.get(r.Location)
	p.has(t, "Acknowledged. The escalation stops repeating", "Acknowledged")
	if strings.Contains(p.Body, `action="`+ack+`"`) {
		t.Fatal("the acknowledge button is still there")
	}
	if w.unread("co") != before-1 {
		t.Fatal("the acknowledged item is still unread")
	}
	// The lead, another recipient of the same escalation, sees it acknowledged too.
	w.pageAs("lead").get("/inbox").has(t, "Acknowledged")

	// Every role that can get a notification has an inbox, empty or not;
	// the administrator, who never gets one, has none in the header, and
	// the page says why.
	for _, user := range []string{"lab", "rival", "rev2"} {
		p := w.pageAs(user).get("/inbox")
		wantPage(t, p, 200)
		if !strings.Contains(p.Body, `href="/inbox"`) {
			t.Errorf("%s has no inbox link", user)
		}
		if user == "rival" || user == "rev2" {
			p.has(t, "Nothing yet.")
		}
	}
	admin := w.pageAs("admin")
	for _, path := range []string{"/", "/admin/users", "/account"} {
		if p := admin.get(path); strings.Contains(p.Body, `href="/inbox"`) || strings.Contains(p.Body, `href="/forecast"`) {
			t.Errorf("the administrator's %s links to the inbox or the forecast", path)
		}
	}
	p = admin.get("/inbox")
	wantPage(t, p, 200)
	p.has(t, "Nothing arrives here for an administrator")
	p.hasNot(t, "What is coming (forecast)")
}

func TestInboxPagesThroughACursor(t *testing.T) {
	w, _ := inboxWorld(t)
	// Sixty days of digests make more than one page for the compliance officer.
	for d := 0; d < 60; d++ {
		w.clock.Advance(24 * time.Hour)
		w.sweep()
	}
	co := w.pageAs("co")
	p := co.get("/inbox")
	wantPage(t, p, 200)
	next := regexp.MustCompile(`href="(/inbox\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(p.Body)
	if next == nil {
		t.Fatal("no next page")
	}
	p2 := co.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	wantPage(t, p2, 200)
	p2.has(t, "Newest")
	// Marking an item read on the second page comes back to it.
	form := inboxFormRE.FindStringSubmatch(p2.Body)
	if form == nil {
		t.Fatal("no form on the second page")
	}
	cursor := regexp.MustCompile(`name="cursor" value="([^"]+)"`).FindStringSubmatch(p2.Body)[1]
	r := co.post(strings.ReplaceAll(next[1], "&amp;", "&"), form[1], url.Values{"cursor": {strings.ReplaceAll(cursor, "&amp;", "&")}})
	wantPage(t, r, 303)
	if !strings.Contains(r.Location, "cursor=") {
		t.Fatalf("redirect %q", r.Location)
	}
	wantPage(t, co.get("/inbox?cursor="+strings.Repeat("x", 600)), 422)
}

func TestForecastPage(t *testing.T) {
	w := newWorld(t)
	id := w.submitAt(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC), draftBody("Forecast"))
	want(t, w.as("lead", "POST", "/api/v1/cases/"+id+"/assign", map[string]any{"reviewer_ids": []string{w.users["rev"].ID}}), 200)
	w.clock.Set(time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC))

	// Fourteen days ahead unless chosen: the 7-, 3- and 1-day reminders, and the lapse.
	lead := w.pageAs("lead")
	p := lead.get("/forecast")
	wantPage(t, p, 200)
	if !strings.Contains(p.Body, `value="2026-07-04"`) {
		t.Fatal("the default horizon is not 14 days ahead")
	}
	p.has(t, "Forecast", "DKT-2026-0001", "Review deadline in 7 days", "25 Jun, 09:00",
		"Review deadline in 1 day", "Review window elapsed without a decision", "rev, Agency",
		"You", "co, Agency", "Daily digest", "for everyone")
	if !strings.Contains(p.Body, `href="/cases/`+id+`"`) {
		t.Fatal("the case does not link")
	}
	p.hasNot(t, "Forecast 1.0", "A frontier model.")
	// A row per case and thing due: the lapse's recipients and its repeat are one row, as are the digests.
	for _, words := range []string{"Review window elapsed without a decision", "Daily digest"} {
		if n := strings.Count(p.Body, "<td>"+words+"</td>"); n != 1 {
			t.Errorf("%q is %d rows", words, n)
		}
	}

	// A chosen horizon: until the end of 25 June, agency time.
	p = lead.get("/forecast?until=2026-06-25")
	wantPage(t, p, 200)
	p.has(t, "Review deadline in 7 days")
	p.hasNot(t, "Review deadline in 3 days")

	// Others see only their own.
	p = w.pageAs("rev").get("/forecast?until=2026-07-04")
	wantPage(t, p, 200)
	p.has(t, "Review deadline in 7 days", "You")
	p.hasNot(t, "co, Agency", "lead, Agency", "Daily digest")
	p = w.pageAs("lab").get("/forecast?until=2026-07-04")
	wantPage(t, p, 200)
	p.has(t, "Review window elapsed without a decision")
	p.hasNot(t, "rev, Agency", "Review deadline in 7 days")

	// Bad dates are refused beside the field.
	for q, say := range map[string]string{"2026-02-30": "Enter the date as YYYY-MM-DD", "soon": "Enter the date as YYYY-MM-DD",
		"2026-06-19": "The date must be today or later.", "2026-12-31": "The date must be at most 92 days ahead."} {
		p := lead.get("/forecast?until=" + q)
		wantPage(t, p, 422)
		p.has(t, say)
		if !strings.Contains(p.Body, `aria-describedby="e-until"`) {
			t.Errorf("%s: the error is not tied to the field", q)
		}
	}
	// Administrators have no forecast.
	wantPage(t, w.pageAs("admin").get("/forecast"), 403)
	if strings.Contains(w.pageAs("admin").get("/").text(), "Forecast") {
		t.Fatal("the administrator's navigation offers the forecast")
	}
}
