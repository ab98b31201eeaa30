package web_test

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/docket/docket/internal/web"
)

// feedURL asks for a calendar URL as user and returns its path.
func (w *world) feedURL(user string) string {
	w.t.Helper()
	r := w.as(user, "POST", "/api/v1/calendar-url", nil)
	want(w.t, r, 201)
	u, err := url.Parse(r.JSON()["url"].(string))
	if err != nil || !strings.HasPrefix(u.Path, "/calendar/") || !strings.HasSuffix(u.Path, ".ics") {
		w.t.Fatalf("calendar URL %s", r.Body)
	}
	return u.Path
}

// fetch gets a path with no credentials.
func (w *world) fetch(path string) *httptest.ResponseRecorder {
	w.t.Helper()
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec
}

// feed fetches and parses a feed, checking the RFC 5545 framing on the way.
func (w *world) feed(path string) (*ical.Calendar, string) {
	t := w.t
	t.Helper()
	rec := w.fetch(path)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}
	body := rec.Body.String()
	if !strings.HasSuffix(body, "\r\n") {
		t.Fatal("the feed does not end with CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if len(line) > 75 || strings.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d is %d octets or holds a bare line break: %q", i+1, len(line), line)
		}
	}
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, body)
	}
	return cal, body
}

// summaries lists the events' summaries, sorted.
func summaries(t *testing.T, cal *ical.Calendar) []string {
	t.Helper()
	var out []string
	for _, ev := range cal.Events() {
		s, err := ev.Props.Text(ical.PropSummary)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func TestCalendarFeedListsTheDeadlinesTheUserCaresAbout(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC)) // due 2026-07-02 23:59:59.999 EDT
	f := w.caseIn("in_review")
	open := w.caseIn("submitted")
	w.caseIn("decided") // closed: not in any feed
	w.caseIn("draft")
	rival := w.as("rival", "POST", "/api/v1/cases", draftBody("Rival model"))
	want(t, rival, 201)
	want(t, w.as("rival", "POST", "/api/v1/cases/"+idOf(rival)+"/submit", nil), 200)
	w.finding(f.caseID, "lead", "shared", findingBody("high", "TLP:AMBER"))
	caseNo := w.as("lab", "GET", "/api/v1/cases/"+f.caseID, nil).JSON()["number"].(string)
	openNo := w.as("lab", "GET", "/api/v1/cases/"+open.caseID, nil).JSON()["number"].(string)

	// The lab's members: their lab's open cases and the findings they must answer.
	path := w.feedURL("lab")
	status := w.as("lab", "GET", "/api/v1/calendar-url", nil)
	want(t, status, 200)
	token := strings.TrimSuffix(strings.TrimPrefix(path, "/calendar/"), ".ics")
	if status.JSON()["exists"] != true || status.JSON()["created_at"] == nil || strings.Contains(status.Body, token) {
		t.Fatalf("status %s", status.Body)
	}
	if len(token) != 43 {
		t.Fatalf("token %q: want 32 random bytes, base64url", token)
	}
	cal, body := w.feed(path)
	got := summaries(t, cal)
	wantSums := []string{caseNo + ": finding response deadline", caseNo + ": review deadline", openNo + ": review deadline"}
	sort.Strings(wantSums)
	if strings.Join(got, "|") != strings.Join(wantSums, "|") {
		t.Fatalf("lab feed %v, want %v", got, wantSums)
	}
	for _, secret := range []string{"Model in_review", "Sandbox escape", "Which evals", "A frontier model", "Rival model", "TLP:"} {
		if strings.Contains(body, secret) {
			t.Fatalf("the feed carries %q", secret)
		}
	}
	if !strings.Contains(body, "\r\n ") {
		t.Fatal("no long line was folded")
	}
	for _, ev := range cal.Events() {
		uid, _ := ev.Props.Text(ical.PropUID)
		if uid == "" || ev.Props.Get(ical.PropDateTimeStamp) == nil {
			t.Fatalf("an event without UID or DTSTAMP: %v", ev.Props)
		}
		sum, _ := ev.Props.Text(ical.PropSummary)
		if sum != caseNo+": review deadline" {
			continue
		}
		start, err := ev.DateTimeStart(time.UTC)
		if err != nil || !start.Equal(time.Date(2026, 7, 3, 3, 59, 59, 0, time.UTC)) {
			t.Fatalf("DTSTART %v (%v)", start, err)
		}
		desc, _ := ev.Props.Text(ical.PropDescription)
		if !strings.Contains(desc, "due Thu 2 Jul 2026 23:59 EDT") || !strings.Contains(desc, "/cases/"+f.caseID) {
			t.Fatalf("description %q", desc)
		}
		var triggers []string
		for _, a := range ev.Children {
			if a.Name != ical.CompAlarm {
				continue
			}
			tr, err := a.Props.DateTime(ical.PropTrigger, time.UTC)
			if err != nil || a.Props.Get(ical.PropAction).Value != "DISPLAY" {
				t.Fatalf("alarm %v (%v)", a.Props, err)
			}
			triggers = append(triggers, tr.UTC().Format(time.RFC3339))
		}
		// 09:00 EDT on the dates 7, 3 and 1 days before the due date: when the sweep sends the reminders.
		if strings.Join(triggers, ",") != "2026-06-25T13:00:00Z,2026-06-29T13:00:00Z,2026-07-01T13:00:00Z" {
			t.Fatalf("alarms %v", triggers)
		}
	}

	// A reviewer: its assigned open cases; compliance: every open case, no findings.
	if got := summaries(t, mustFeed(w, "rev")); strings.Join(got, "|") != caseNo+": review deadline" {
		t.Fatalf("reviewer feed %v", got)
	}
	co := summaries(t, mustFeed(w, "co"))
	if len(co) != 3 || strings.Contains(strings.Join(co, "|"), "finding") {
		t.Fatalf("compliance feed %v", co)
	}
	// The lead of the case, who attested, sees the finding's deadline too.
	if lead := summaries(t, mustFeed(w, "lead")); !strings.Contains(strings.Join(lead, "|"), caseNo+": finding response deadline") {
		t.Fatalf("lead feed %v", lead)
	}
}

func mustFeed(w *world, user string) *ical.Calendar {
	cal, _ := w.feed(w.feedURL(user))
	return cal
}

func TestCalendarFeedEndsWhenRevokedRotatedOrTheUserChanges(t *testing.T) {
	w := newWorld(t)
	w.caseIn("in_review")
	old := w.feedURL("lab")
	if rec := w.fetch(old); rec.Code != 200 {
		t.Fatalf("%d", rec.Code)
	}
	// Rotated: the old URL is gone, the new one works.
	cur := w.feedURL("lab")
	if rec := w.fetch(old); rec.Code != 404 || strings.Contains(rec.Body.String(), "VCALENDAR") {
		t.Fatalf("the rotated URL: %d", rec.Code)
	}
	if rec := w.fetch(cur); rec.Code != 200 {
		t.Fatalf("the new URL: %d", rec.Code)
	}
	// Revoked.
	want(t, w.as("lab", "DELETE", "/api/v1/calendar-url", nil), 204)
	if rec := w.fetch(cur); rec.Code != 404 {
		t.Fatalf("revoked: %d", rec.Code)
	}
	if s := w.as("lab", "GET", "/api/v1/calendar-url", nil); s.JSON()["exists"] != false || s.JSON()["created_at"] != nil {
		t.Fatalf("after revoking: %s", s.Body)
	}
	want(t, w.as("lab", "DELETE", "/api/v1/calendar-url", nil), 204)
	// A changed password.
	p := w.feedURL("lab")
	want(t, w.as("lab", "POST", "/api/v1/me/password", map[string]any{"current_password": testPassword, "new_password": "another long passphrase"}), 204)
	if rec := w.fetch(p); rec.Code != 404 {
		t.Fatalf("after a password change: %d", rec.Code)
	}
	// A disabled user.
	p = w.feedURL("rev")
	want(t, w.as("admin", "PATCH", "/api/v1/users/"+w.users["rev"].ID, map[string]any{"disabled": true}), 200)
	if rec := w.fetch(p); rec.Code != 404 {
		t.Fatalf("a disabled user: %d", rec.Code)
	}
	// Guesses.
	for _, bad := range []string{"/calendar/x.ics", "/calendar/" + strings.Repeat("A", 43) + ".ics", strings.TrimSuffix(p, ".ics"),
		strings.TrimSuffix(p, ".ics") + ".json", "/calendar/.ics"} {
		if rec := w.fetch(bad); rec.Code != 404 {
			t.Errorf("%s: %d", bad, rec.Code)
		}
	}
	want(t, w.as("admin", "POST", "/api/v1/calendar-url", nil), 403)
	if !strings.Contains(w.as("admin", "GET", "/api/v1/audit?limit=200", nil).Body, "calendar.url_revoked") {
		t.Fatal("revoking was not audited")
	}
}

// TestTheRequestLogNeverRecordsTheFeedToken: the log names the route pattern.
func TestTheRequestLogNeverRecordsTheFeedToken(t *testing.T) {
	w := newWorld(t)
	var logs lockedBuffer
	w.rebuild(func(o *web.Options) { o.Logger = slog.New(slog.NewTextHandler(&logs, nil)) })
	w.caseIn("submitted")
	path := w.feedURL("lab")
	token := strings.TrimSuffix(strings.TrimPrefix(path, "/calendar/"), ".ics")
	if rec := w.fetch(path); rec.Code != 200 {
		t.Fatalf("%d", rec.Code)
	}
	w.fetch("/calendar/" + token + "x.ics")
	w.fetch(path + "/more")
	want(t, w.as("lab", "DELETE", "/api/v1/calendar-url", nil), 204)
	w.fetch(path)
	out := logs.String()
	if strings.Contains(out, token) {
		t.Fatalf("the log holds the token:\n%s", out)
	}
	if strings.Count(out, "route=/calendar/:token") < 3 {
		t.Fatalf("the feed requests are not logged by their pattern:\n%s", out)
	}
	// Nor do the metrics.
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.RemoteAddr = "127.0.0.1:40000"
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), token) || !strings.Contains(rec.Body.String(), `route="/calendar/:token"`) {
		t.Fatalf("metrics %d:\n%s", rec.Code, rec.Body)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// TestCalendarEventsUpdateInPlace: an event names the agency as organizer
// and ends after it starts; polling answers 304 while nothing moved; when a
// stop moves the deadline, the same event comes back with a higher SEQUENCE,
// a later LAST-MODIFIED and the new time, so calendar apps move it instead of
// adding one.
func TestCalendarEventsUpdateInPlace(t *testing.T) {
	w := newWorld(t)
	w.clock.Set(time.Date(2026, 6, 2, 18, 0, 0, 0, time.UTC))
	f := w.caseIn("in_review")
	path := w.feedURL("lab")
	event := func() (ical.Event, string) {
		t.Helper()
		rec := w.fetch(path)
		if rec.Code != 200 {
			t.Fatalf("feed: %d", rec.Code)
		}
		cal, err := ical.NewDecoder(strings.NewReader(rec.Body.String())).Decode()
		if err != nil || len(cal.Events()) != 1 {
			t.Fatalf("feed: %v %d events", err, len(cal.Events()))
		}
		return cal.Events()[0], rec.Header().Get("ETag")
	}
	ev, etag := event()
	uid, _ := ev.Props.Text(ical.PropUID)
	start, _ := ev.DateTimeStart(time.UTC)
	end, err := ev.DateTimeEnd(time.UTC)
	if err != nil || !end.After(start) {
		t.Fatalf("DTEND %v after DTSTART %v: %v", end, start, err)
	}
	if org := ev.Props.Get(ical.PropOrganizer); org == nil || org.Value != "mailto:docket@localhost" || org.Params.Get(ical.ParamCommonName) != "Docket" {
		t.Fatalf("ORGANIZER %+v", org)
	}
	if seq := ev.Props.Get(ical.PropSequence); seq == nil || seq.Value != "0" {
		t.Fatalf("SEQUENCE %+v", seq)
	}
	modified, err := ev.Props.DateTime(ical.PropLastModified, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	// Polling: 304 with the ETag held, an hour later too.
	for _, advance := range []time.Duration{0, time.Hour} {
		w.clock.Advance(advance)
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("If-None-Match", etag)
		rec := httptest.NewRecorder()
		w.h.ServeHTTP(rec, req)
		if rec.Code != 304 || rec.Body.Len() != 0 || rec.Header().Get("ETag") != etag {
			t.Fatalf("a poll with nothing moved (after %s): %d %q", advance, rec.Code, rec.Body)
		}
	}
	// A day's stop moves the deadline a day.
	want(t, w.as("lead", "POST", "/api/v1/cases/"+f.caseID+"/attest-no-conflict", nil), 200)
	r := w.as("lead", "POST", "/api/v1/cases/"+f.caseID+"/info-requests", map[string]any{"question": "Logs?"})
	want(t, r, 201)
	w.clock.Advance(24 * time.Hour)
	want(t, w.as("lab", "POST", "/api/v1/info-requests/"+idOf(r)+"/answer", map[string]any{"answer": "Here."}), 200)
	moved, etag2 := event()
	uid2, _ := moved.Props.Text(ical.PropUID)
	start2, _ := moved.DateTimeStart(time.UTC)
	modified2, _ := moved.Props.DateTime(ical.PropLastModified, time.UTC)
	seq2, _ := strconv.Atoi(moved.Props.Get(ical.PropSequence).Value)
	if uid2 != uid || etag2 == etag || !start2.Equal(start.Add(24*time.Hour)) || seq2 <= 0 || !modified2.After(modified) {
		t.Fatalf("after the stop: UID %s (was %s), ETag %s (was %s), DTSTART %v (was %v), SEQUENCE %d, LAST-MODIFIED %v (was %v)",
			uid2, uid, etag2, etag, start2, start, seq2, modified2, modified)
	}
}
