package view

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// pageViews are the templates of the pages (web/ui) and of the sign-in form,
// each parsed with the layout and the partials; New parses them once at start.
var pageViews = []string{
	"login.html", "home_reviewer.html", "home_lead.html", "cases.html", "case_form.html", "case.html",
	"confirm.html", "decide_confirm.html", "dashboard.html", "admin_users.html", "admin_orgs.html", "inbox.html", "forecast.html",
	"clearinghouse.html", "admin_deliveries.html", "account.html", "approvals.html", "webhooks.html",
	"webhook_deliveries.html", "verify.html",
}

// PageBase is what the layout needs on every page.
type PageBase struct {
	Title string
	// User is nil when nobody is signed in.
	User *pageUser
	Nav  []navItem
	// CSRF is the token of the session's forms.
	CSRF string
	// Now is the server's instant, which the countdown script ticks from.
	Now        string
	DueSoonMs  int64
	CriticalMs int64
	// Flash says what the last action did; Alert why it could not be done.
	Flash string
	Alert string
	// Unread is the signed-in user's count of unread notifications; Inbox
	// says the user can have any (the administrator never does, so has no
	// inbox link).
	Unread int
	Inbox  bool
}

type pageUser struct {
	Name, Role, Org string
}

type navItem struct {
	Href, Label string
	Current     bool
}

// Option is one choice of a select, a radio group or a checkbox list.
type Option struct {
	Value, Label string
	Selected     bool
}

// FieldErrors holds the message of each invalid form field, by field name.
type FieldErrors map[string]string

// Base fills the layout's data for the request.
func (p *Renderer) Base(c echo.Context, title string) PageBase {
	th := p.cases.Thresholds()
	b := PageBase{Title: title, Now: httpx.Instant(p.cases.Now()), DueSoonMs: th.DueSoon.Milliseconds(), CriticalMs: th.Critical.Milliseconds(),
		Flash: FlashOf(c)}
	u := httpx.CurrentUser(c)
	if u == nil {
		return b
	}
	b.User = &pageUser{Name: u.Name, Role: RoleLabel(u.Role), Org: u.Org.Name}
	b.CSRF, _ = c.Get(httpx.CSRFKey).(string)
	if b.Inbox = docket.ReceivesNotifications(u.Role); b.Inbox {
		b.Unread = p.unreadOf(c)
	}
	path := c.Request().URL.Path
	// Every signed-in user reads the Clearinghouse.
	nav := append(append(navFor(u.Role), forecastNav(u.Role)...), navItem{Href: "/clearinghouse", Label: "Clearinghouse"})
	for i, it := range nav {
		it.Current = path == it.Href || (path == "/" && i == 0) ||
			(it.Href == "/cases" && strings.HasPrefix(path, "/cases/") && path != "/cases/new") ||
			(it.Href == "/webhooks" && strings.HasPrefix(path, "/webhooks/"))
		b.Nav = append(b.Nav, it)
	}
	return b
}

// navFor is the navigation of a role; the first item is what / shows it.
func navFor(r docket.Role) []navItem {
	switch r {
	case docket.RoleLabMember:
		return []navItem{{Href: "/cases", Label: "Our cases"}, {Href: "/cases/new", Label: "New submission"}, {Href: "/dashboard", Label: "Countdown"},
			{Href: "/webhooks", Label: "Webhooks"}}
	case docket.RoleReviewer:
		return []navItem{{Href: "/", Label: "My cases"}, {Href: "/cases", Label: "All my cases"}, {Href: "/dashboard", Label: "Countdown"}}
	case docket.RoleReviewLead:
		return []navItem{{Href: "/", Label: "Triage"}, {Href: "/cases", Label: "Cases"}, {Href: "/dashboard", Label: "Countdown"},
			{Href: "/approvals", Label: "Approvals"}}
	case docket.RoleCompliance:
		return []navItem{{Href: "/dashboard", Label: "Countdown"}, {Href: "/cases", Label: "Cases"}, {Href: "/approvals", Label: "Approvals"}}
	case docket.RoleAdmin:
		return []navItem{{Href: "/admin/users", Label: "Users"}, {Href: "/admin/orgs", Label: "Organisations"}, {Href: "/admin/deliveries", Label: "Deliveries"},
			{Href: "/webhooks", Label: "Webhooks"}, {Href: "/approvals", Label: "Approvals"}}
	}
	return nil
}

// What the pages call the values they show; BandOrder is the bands, the most
// urgent first.
var (
	roleLabels = map[docket.Role]string{docket.RoleLabMember: "Lab member", docket.RoleReviewer: "Reviewer",
		docket.RoleReviewLead: "Review lead", docket.RoleCompliance: "Compliance officer", docket.RoleAdmin: "Administrator"}
	statusLabels = map[docket.Status]string{docket.StatusDraft: "Draft", docket.StatusSubmitted: "Submitted",
		docket.StatusInReview: "In review", docket.StatusAwaitingLab: "Awaiting lab", docket.StatusDecided: "Decided",
		docket.StatusWithdrawn: "Withdrawn"}
	// The critical band's words come from its threshold (BandWords), so that
	// they never read as the risk tier's "Critical".
	bandLabels = map[clock.Band]string{clock.OnTrack: "On track", clock.DueSoon: "Due soon",
		clock.Overdue: "Overdue", clock.Paused: "Paused", clock.Closed: "Closed"}
	BandOrder     = []clock.Band{clock.Overdue, clock.Critical, clock.DueSoon, clock.OnTrack, clock.Paused, clock.Closed}
	OutcomeLabels = map[string]string{"no_concerns": "No concerns", "concerns_noted": "Concerns noted",
		"mitigations_requested": "Mitigations requested"}
	TierLabels       = map[string]string{"low": "Low", "elevated": "Elevated", "high": "High", "critical": "Critical"}
	ModalityLabels   = map[string]string{"text": "Text", "multimodal": "Multimodal", "code": "Code", "other": "Other"}
	DeploymentLabels = map[string]string{"api": "API", "open_weights": "Open weights", "consumer_app": "Consumer app",
		"enterprise": "Enterprise", "internal": "Internal only"}
)

// RoleLabel and StatusLabel are what the pages call a role and a case's status.
func RoleLabel(r docket.Role) string { return LabelOr(roleLabels[r], string(r)) }

func StatusLabel(s docket.Status) string { return LabelOr(statusLabels[s], string(s)) }

// BandWords are what the pages call the clock's bands under the thresholds
// th: the critical band says its threshold ("2 days or less"), never
// "Critical", which is a risk tier's word.
type BandWords map[clock.Band]string

// NewBandWords names the bands under the thresholds th.
func NewBandWords(th clock.Thresholds) BandWords {
	w := BandWords{}
	for b, l := range bandLabels {
		w[b] = l
	}
	w[clock.Critical] = orLess(th.Critical)
	return w
}

// Of is the band's words (its API value when it has none).
func (w BandWords) Of(b clock.Band) string { return LabelOr(w[b], string(b)) }

// orLess says a threshold as "2 days or less", "36 hours or less".
func orLess(d time.Duration) string {
	switch {
	case d <= 0:
		return "Due now"
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return plural(int64(d/(24*time.Hour)), "day") + " or less"
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour") + " or less"
	}
	return humanDuration(d) + " or less"
}

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// LabelOr is label, or raw when there is no label.
func LabelOr(label, raw string) string {
	if label == "" {
		return raw
	}
	return label
}

// Options turns values into choices with their labels, marking the selected one.
func Options(values []string, labels map[string]string, selected string) []Option {
	out := make([]Option, len(values))
	for i, v := range values {
		out[i] = Option{Value: v, Label: LabelOr(labels[v], v), Selected: v == selected}
	}
	return out
}

// forecastNav is the forecast's place in the navigation of the roles that read it.
func forecastNav(r docket.Role) []navItem {
	if !docket.CanForecast(r) {
		return nil
	}
	return []navItem{{Href: "/forecast", Label: "Forecast"}}
}

// unreadOf is the signed-in user's unread count for the header; a failure to
// count shows none rather than failing the page.
func (p *Renderer) unreadOf(c echo.Context) int {
	a, ok := httpx.ActorFrom(c)
	if !ok || a.UserID == "" {
		return 0
	}
	n, err := p.delivery.UnreadCount(c.Request().Context(), a)
	if err != nil {
		p.log.Warn("unread count", "err", err)
		return 0
	}
	return n
}

// pageFuncs are the template functions: formatting in the agency's zone.
func (p *Renderer) funcs() template.FuncMap {
	loc := p.loc
	return template.FuncMap{
		// when shows an instant in the agency's zone, to the minute.
		"when": func(t time.Time) string { return t.In(loc).Format("Mon 2 Jan 2006, 15:04 MST") },
		// whenSec shows an instant in the agency's zone, to the millisecond.
		"whenMs": func(t time.Time) string { return t.In(loc).Format("Mon 2 Jan 2006, 15:04:05.000 MST") },
		// whenSec shows an instant in the agency's zone, to the second.
		"whenSec": func(t time.Time) string { return t.In(loc).Format("Mon 2 Jan 2006, 15:04:05 MST") },
		// compact shows an instant in the agency's zone in a table cell:
		// "15 Dec 23:59", with the year when it is not this year's.
		"compact": func(t time.Time) string {
			t = t.In(loc)
			if t.Year() == p.cases.Now().In(loc).Year() {
				return t.Format("2 Jan 15:04")
			}
			return t.Format("2 Jan 2006 15:04")
		},
		// daySec shows an instant's day and time to the second, in the agency's zone: "31 Dec 23:59:59".
		"daySec":    func(t time.Time) string { return t.In(loc).Format("2 Jan 15:04:05") },
		"utc":       func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000 UTC") },
		"bandLabel": p.bands.Of,
		"stopped":   stoppedText,
		"iso":       httpx.Instant,
		"day":       func(t time.Time) string { return t.In(loc).Format("2 Jan 2006") },
		"short":     func(t time.Time) string { return t.In(loc).Format("2 Jan, 15:04") },
		"dur":       humanDuration,
		// fieldOf gathers what the "text-field" template needs.
		"fieldOf": func(name, label, hint, value string, errs FieldErrors) formField {
			return formField{Name: name, Label: label, Hint: hint, Value: value, Error: errs[name]}
		},
	}
}

// formField is one text input of a form, with its hint and its error.
type formField struct {
	Name, Label, Hint, Value, Error string
}

// humanDuration says a length of time in days, hours and minutes.
func humanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	days := int64(d / (24 * time.Hour))
	h := int64(d/time.Hour) % 24
	m := int64(d/time.Minute) % 60
	sec := int64(d/time.Second) % 60
	var parts []string
	add := func(n int64, unit string) {
		if n == 1 {
			parts = append(parts, fmt.Sprintf("1 %s", unit))
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf("%d %ss", n, unit))
		}
	}
	add(days, "day")
	add(h, "hour")
	add(m, "minute")
	if len(parts) == 0 {
		add(sec, "second")
	}
	if len(parts) == 0 {
		return "0 seconds"
	}
	return strings.Join(parts, " ")
}

// stoppedText says how long a clock stood still: to the second below an
// hour ("4 s", "2 min 4 s"), so that a stop of seconds reads as one, and in
// days, hours and minutes above ("2 days 3 hours").
func stoppedText(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	if d >= time.Hour {
		return humanDuration(d)
	}
	d = d.Round(time.Second)
	if m, sec := int64(d/time.Minute), int64(d/time.Second)%60; m > 0 {
		return fmt.Sprintf("%d min %d s", m, sec)
	}
	return fmt.Sprintf("%d s", int64(d/time.Second))
}

// shortAge says how long ago, compactly: "35 d 6 h", "5 h 12 min", "3 min".
func shortAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	days, h, m := int64(d/(24*time.Hour)), int64(d/time.Hour)%24, int64(d/time.Minute)%60
	switch {
	case days > 0:
		return fmt.Sprintf("%d d %d h", days, h)
	case h > 0:
		return fmt.Sprintf("%d h %d min", h, m)
	}
	return fmt.Sprintf("%d min", m)
}

// countdown is a live countdown: the script ticks it from the server's
// instant unless it is frozen (a stopped or closed clock).
type countdown struct {
	Due         string // the deadline, RFC 3339 UTC
	RemainingMs int64
	Frozen      bool
	Text        string
}

// countdownText is what the script writes too: "12 d 04 h 05 m 06 s", or
// "overdue by …" once the deadline has passed.
func countdownText(d time.Duration) string {
	neg := d < 0
	if neg {
		d = -d
	}
	s := int64(d / time.Second)
	t := fmt.Sprintf("%d d %02d h %02d m %02d s", s/86400, s%86400/3600, s%3600/60, s%60)
	if neg {
		return "overdue by " + t
	}
	return t
}

func newCountdown(v *docket.ClockView, status docket.Status) *countdown {
	if v == nil {
		return nil
	}
	cd := &countdown{Due: httpx.Instant(v.DueAt), RemainingMs: v.Remaining.Milliseconds(), Text: countdownText(v.Remaining),
		Frozen: v.Band == clock.Paused || v.Band == clock.Closed || status.Final()}
	if v.Band == clock.Paused {
		cd.Text += " (stopped)"
	}
	if v.Band == clock.Closed {
		cd.Text = "review ended"
	}
	return cd
}

// CaseRow is a case in a list or on the countdown board.
type CaseRow struct {
	ID, Number, Lab, Model, Version string
	Status                          string
	Band                            clock.Band
	Tier                            string // "" when the viewer may not see the tier
	TierLabel                       string
	Received, Due                   *time.Time
	Age                             string
	Countdown                       *countdown
	ReleaseConflict                 bool
	Release                         string
	Lead                            string
	Reviewers                       []string
	Attested                        bool
	NeedsAttest                     bool
}

// CaseRowOf is the row of the case v for a; names are the review team's names
// by id (nil when a may not know them).
func CaseRowOf(a docket.Actor, v *app.CaseView, names map[string]string, now time.Time) CaseRow {
	c := v.Case
	r := CaseRow{ID: c.ID, Number: c.Number, Lab: c.OrgName, Model: c.ModelName, Version: c.ModelVersion,
		Status: StatusLabel(c.Status), Countdown: newCountdown(v.Clock, c.Status)}
	if r.Number == "" {
		r.Number = "Draft"
	}
	if !c.PlannedReleaseDate.IsZero() {
		r.Release = c.PlannedReleaseDate.String()
	}
	if a.Role != docket.RoleLabMember {
		r.Tier, r.TierLabel = c.RiskTier, LabelOr(TierLabels[c.RiskTier], c.RiskTier)
	}
	if k := v.Clock; k != nil {
		r.Band = k.Band
		r.Received, r.Due = &k.ReceivedAt, &k.DueAt
		r.ReleaseConflict = k.ReleaseConflict
		r.Age = shortAge(now.Sub(k.ReceivedAt))
	}
	if names != nil {
		r.Lead = names[c.LeadID]
		for _, id := range c.ReviewerIDs {
			r.Reviewers = append(r.Reviewers, LabelOr(names[id], "(unknown)"))
		}
	}
	return r
}

// flashes are the messages an action's redirect names with ?done=.
var flashes = map[string]string{
	"created":         "The draft is saved. Check it, then submit it for review.",
	"saved":           "The draft is saved.",
	"submitted":       "Submitted. The review clock has started.",
	"assigned":        "The reviewers and the case lead are saved.",
	"attested":        "Your attestation is recorded. The case's content is open to you.",
	"conflict":        "Your conflict of interest is recorded, and you are off the case.",
	"asked":           "The information request is sent to the lab.",
	"answered":        "Your answer is sent.",
	"cancelled":       "The information request is cancelled.",
	"decided":         "The decision is recorded. The review is closed.",
	"withdrawn":       "The submission is withdrawn. The review is closed.",
	"deleted":         "The draft is deleted.",
	"user":            "The user is created.",
	"userupdate":      "The user is updated.",
	"factors-removed": "The user's second factors are removed and their sessions ended; they enrol a new one at their next sign-in.",
	// A change that takes two (admin.go, approvals.go).
	"pending":   "The change is waiting for a review lead's approval. It takes effect once a review lead approves it on the Approvals page; anything else you changed is saved.",
	"approved":  "The change is approved and applied. Where it changed a role or a password, the user's sessions ended.",
	"rejected":  "The change is rejected. Nothing of it was applied.",
	"org":       "The organisation is created.",
	"finding":   "The finding is recorded as a draft. Only the agency sees it until it is shared.",
	"shared":    "The finding is shared with the lab.",
	"edited":    "The draft finding is saved.",
	"responded": "Your response is sent.",
	"resolved":  "The finding is closed.",
	"commented": "Your comment is posted.",
	"uploaded":  "The file is attached.",
	// Amendments, benchmark results, the Clearinghouse (review.go).
	"amended":            "The amendment is applied.",
	"amendment-pending":  "The new weights digest is filed. A lead resolves it before the review can be decided.",
	"amendment-resolved": "The amendment is resolved.",
	"result":             "The benchmark result is recorded, and the risk tier with it.",
	"published":          "The finding is published to the Clearinghouse.",
	"retried":            "The delivery is queued to be sent again.",
	// The webhook owners' pages (webhooks.go).
	"pinged": "A ping is on its way to the endpoint; reload to see how it went.",
	// The account page (account.go).
	"token-revoked": "The API token is revoked. Requests carrying it are refused from now on.",
	"calendar-off":  "The calendar address is turned off. Calendars subscribed to it stop updating.",
	// The account page's second factors (mfa.go).
	"factor-added":   "The authenticator app is added: you sign in with a code from it from now on. Make recovery codes below, in case you lose it.",
	"factor-removed": "The second factor is removed.",
	"passkey-added":  "The passkey is added: you can sign in with it from now on, after your password or on its own. Make recovery codes below, in case you lose it.",
	// The account page's e-mail choice (account_email.go).
	"email-delivery": "Your choice of e-mail is saved. It applies to what Docket sends from now on.",
}

// FlashOf is the flash of the action that the request's ?done= names.
func FlashOf(c echo.Context) string { return flashes[c.QueryParam("done")] }
