package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/notify"
	"github.com/docket/docket/internal/web"
	"github.com/docket/docket/internal/webtest"
)

// The demo's notifications as its lead meets them: the forecast page of the
// next fourteen days, and the e-mail of the first week (issue 20: the lead's
// forecast listed a row per recipient per daily repeat, 302 at noiseStart,
// and 31 e-mails came in the first week).

// noiseStart is when the demo starts in these tests: a Tuesday, 10:00 in the
// agency's zone.
var noiseStart = time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)

// pageClient signs a demo user in through the sign-in form of a server over
// the fixture's services, and reads pages as that user.
type pageClient struct {
	t    *testing.T
	base string
	http *http.Client
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (f *demoFixture) signInPage(email string) *pageClient {
	f.t.Helper()
	srv := webtest.New(f.t, f.svc, web.Options{Config: f.cfg, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Approvals: app.NewApprovals(f.st, app.ApprovalOptions{Now: f.clk.Now})})
	ts := httptest.NewServer(srv.Handler())
	f.t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	c := &pageClient{t: f.t, base: ts.URL, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	m := csrfField.FindStringSubmatch(c.get("/login"))
	if m == nil {
		f.t.Fatal("no CSRF token on the sign-in page")
	}
	res, err := c.http.PostForm(ts.URL+"/login", url.Values{"email": {email}, "password": {demoPassword}, "csrf_token": {m[1]}})
	if err != nil {
		f.t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("sign in %s: %d", email, res.StatusCode)
	}
	return c
}

func (c *pageClient) get(path string) string {
	c.t.Helper()
	res, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	return string(b)
}

var forecastTable = regexp.MustCompile(`(?s)<table class="table table-compact forecast">.*?</table>`)

// TestDemoLeadForecastFitsOnAPage: the demo lead's forecast of the next
// fourteen days is a row per case and rule, at most 80 rows (it was a row
// per recipient per repeat: 302 at noiseStart), and still accounts for
// every notification; each row's words are the rule's one wording.
func TestDemoLeadForecastFitsOnAPage(t *testing.T) {
	for _, start := range []time.Time{noiseStart, time.Now()} {
		f := newDemoFixture(t, start)
		f.seed()
		occ, err := f.svc.Delivery.Forecast(f.ctx, f.as("chen"), f.clk.Now().Add(15*24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		page := f.signInPage("margaret.chen@agency.example.gov").get("/forecast")
		table := forecastTable.FindString(page)
		rows := strings.Count(table, "<tr>") - 1 // the head's
		t.Logf("at %s: the lead's forecast page shows %d rows", start.Format(time.RFC3339), rows)
		if rows < 10 || rows > 80 {
			t.Fatalf("at %s: the lead's forecast shows %d rows, want 10 to 80", start, rows)
		}
		if len(occ) < 5*rows {
			t.Fatalf("at %s: %d notifications in %d rows: the rows collapse too little to show", start, len(occ), rows)
		}
		// A row per case and wording: none twice, the digest's once.
		seen := map[string]bool{}
		for _, row := range forecastRow.FindAllStringSubmatch(table, -1) {
			k := row[1] + " | " + row[2]
			if seen[k] {
				t.Errorf("at %s: two rows for %s", start, k)
			}
			seen[k] = true
		}
		if !seen[`<span class="muted">No case</span> | `+docket.RuleWords(docket.RuleDigest, "")] ||
			!seen[lapsedCase(t, table)+" | "+docket.RuleWords(docket.RuleCaseLapsed, "lapsed")] {
			t.Errorf("at %s: no digest row or no lapse row: %v", start, seen)
		}
	}
}

// forecastRow reads a forecast row's case cell and its words.
var forecastRow = regexp.MustCompile(`(?s)<tr>\s*<td class="nowrap">.*?</td>\s*<th scope="row">(.*?)</th>\s*<td>.*?</td>\s*<td>(.*?)</td>`)

// lapsedCase is the case cell of the first lapse row of the table.
func lapsedCase(t *testing.T, table string) string {
	for _, row := range forecastRow.FindAllStringSubmatch(table, -1) {
		if row[2] == docket.RuleWords(docket.RuleCaseLapsed, "") {
			return row[1]
		}
	}
	t.Fatal("no lapse in the forecast")
	return ""
}

// mailCounter is the e-mail channel, counting what one user receives.
type mailCounter struct {
	*notify.Email
	user     string
	messages int
	// alone counts the user's notifications mailed on their own, digests
	// the digests among them; escalations counts, by escalation, its
	// messages mailed on their own.
	alone, digests int
	escalations    map[string]int
}

func (m *mailCounter) Plan(b app.Batch) ([]docket.Delivery, error) {
	ds, err := m.Email.Plan(b)
	for _, d := range ds {
		if d.TargetID == m.user {
			m.messages++
		}
	}
	for _, n := range b.Notifications {
		if n.RecipientID != m.user || n.Mail != docket.EmailEach {
			continue
		}
		switch n.Kind {
		case docket.KindDigest:
			m.digests++
		case docket.KindEscalation:
			m.escalations[n.GroupKey]++
		}
		m.alone++
	}
	return ds, err
}

// TestDemoLeadEmailInWeekOne drives the demo's first week on the injected
// clock, sweeping and delivering every five minutes as the scheduler would,
// and counts the lead's e-mail: an escalation's repeats go into the daily
// digest, so the lead gets at most 15 messages (31 before), each escalation
// on its own once (its first message the lead gets), and a digest each day.
func TestDemoLeadEmailInWeekOne(t *testing.T) {
	if testing.Short() {
		t.Skip("a week of sweeps")
	}
	f := newDemoFixture(t, noiseStart)
	f.seed()
	mail, err := notify.NewEmail(notify.EmailOptions{From: f.cfg.Mail.From, BaseURL: "https://docket.example.gov",
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil)), RepeatsInDigest: f.cfg.Notify.RepeatsInDigest})
	if err != nil {
		t.Fatal(err)
	}
	lead := &mailCounter{Email: mail, user: f.as("chen").UserID, escalations: map[string]int{}}
	for at := noiseStart; at.Before(noiseStart.Add(7 * 24 * time.Hour)); at = at.Add(5 * time.Minute) {
		f.clk.Set(at)
		if _, err := f.svc.Delivery.HoldLease(f.ctx, "demo"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Delivery.Sweep(f.ctx, "demo"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Delivery.Deliver(f.ctx, []app.Channel{lead}); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("the lead's first week: %d e-mails, carrying %d notifications on their own (%d digests)", lead.messages, lead.alone, lead.digests)
	if lead.messages > 15 || lead.messages == 0 {
		t.Errorf("the lead got %d e-mails in the first week, want 1 to 15", lead.messages)
	}
	for group, n := range lead.escalations {
		if n != 1 {
			t.Errorf("the escalation %s was e-mailed on its own %d times, want its first message only", group, n)
		}
	}
	if len(lead.escalations) == 0 {
		t.Error("no escalation was e-mailed")
	}
	if lead.digests != 7 {
		t.Errorf("%d daily digests, want one a day", lead.digests)
	}
}
