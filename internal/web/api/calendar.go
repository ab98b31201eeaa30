package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

type calendarURLJSON struct {
	URL       string `json:"url"`
	CreatedAt string `json:"created_at"`
}

type calendarStatusJSON struct {
	Exists    bool    `json:"exists"`
	CreatedAt *string `json:"created_at"`
}

// PostCalendarURL makes or rotates the caller's feed and shows its URL this once.
func (s *Accounts) PostCalendarURL(c echo.Context) error {
	if err := noBody(c); err != nil {
		return err
	}
	token, at, err := s.accounts.CreateCalendarURL(c.Request().Context(), httpx.MustActor(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusCreated, calendarURLJSON{URL: httpx.LinkBase(c, s.baseURL) + "/calendar/" + token + ".ics", CreatedAt: httpx.Instant(at)})
}

// GetCalendarURL says whether the caller has a feed; never its URL.
func (s *Accounts) GetCalendarURL(c echo.Context) error {
	f, err := s.accounts.CalendarURL(c.Request().Context(), httpx.MustActor(c))
	if err != nil {
		return err
	}
	out := calendarStatusJSON{Exists: f != nil}
	if f != nil {
		out.CreatedAt = httpx.InstantPtr(&f.CreatedAt)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Accounts) DeleteCalendarURL(c echo.Context) error {
	if err := s.accounts.DeleteCalendarURL(c.Request().Context(), httpx.MustActor(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// GetCalendarFeed serves /calendar/{token}.ics. Its route pattern, not its
// path, is what the request log and the metrics record, so the token never
// reaches a log. Anything wrong with the token answers a bare 404.
func (s *Accounts) GetCalendarFeed(c echo.Context) error {
	raw := c.Param("token")
	token, ok := strings.CutSuffix(raw, ".ics")
	notFound := func() error {
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.String(http.StatusNotFound, "not found\n")
	}
	if !ok {
		return notFound()
	}
	cal, err := s.accounts.CalendarFeed(c.Request().Context(), token)
	if docket.ErrorCode(err) == docket.ENotFound {
		return notFound()
	} else if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeICS(&buf, cal, httpx.LinkBase(c, s.baseURL), s.location, s.organizer); err != nil {
		return err
	}
	// Polling apps ask again with the ETag they hold: 304 while nothing moved.
	// The body changes only when an event does (DTSTAMP is each event's last
	// change, not the instant of the request).
	sum := sha256.Sum256(buf.Bytes())
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := c.Response().Header()
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", etag)
	if httpx.ETagMatches(c.Request().Header.Get("If-None-Match"), etag) {
		return c.NoContent(http.StatusNotModified)
	}
	h.Set("Content-Disposition", `inline; filename="docket.ics"`)
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", buf.Bytes())
}

// writeICS writes the feed as RFC 5545: CRLF line ends, lines folded at 75
// octets, a UID and DTSTAMP on every event, an alarm at each reminder.
//
// Each event names the agency as its ORGANIZER (RFC 5546's rule for
// METHOD:PUBLISH; organizer is mail.from), ends one second after its deadline
// (DTEND must be later than DTSTART), and carries a SEQUENCE that grows and a
// LAST-MODIFIED (and DTSTAMP) that moves when its deadline moves.
func writeICS(w io.Writer, cal *app.Calendar, base string, loc *time.Location, organizer *mail.Address) error {
	host := "docket"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	out := ical.NewCalendar()
	out.Props.SetText(ical.PropProductID, "-//Docket//Docket deadlines//EN")
	out.Props.SetText(ical.PropVersion, "2.0")
	out.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	out.Props.SetText(ical.PropMethod, "PUBLISH")
	// Calendar apps poll the feed hourly (RFC 7986 and the de facto X- properties).
	out.Props.Set(&ical.Prop{Name: "X-WR-CALNAME", Params: ical.Params{}, Value: "Docket deadlines"})
	out.Props.Set(&ical.Prop{Name: ical.PropRefreshInterval, Params: ical.Params{ical.ParamValue: {string(ical.ValueDuration)}}, Value: "PT1H"})
	out.Props.Set(&ical.Prop{Name: "X-PUBLISHED-TTL", Params: ical.Params{}, Value: "PT1H"})
	for _, e := range cal.Entries {
		ev := ical.NewEvent()
		ev.Props.SetText(ical.PropUID, e.UID+"@"+host)
		modified := e.Modified
		if modified.IsZero() || modified.After(cal.At) {
			modified = cal.At
		}
		ev.Props.SetDateTime(ical.PropDateTimeStamp, modified.UTC().Truncate(time.Second))
		ev.Props.SetDateTime(ical.PropLastModified, modified.UTC().Truncate(time.Second))
		ev.Props.Set(&ical.Prop{Name: ical.PropSequence, Params: ical.Params{}, Value: strconv.Itoa(e.Sequence)})
		start := e.DueAt.UTC().Truncate(time.Second)
		ev.Props.SetDateTime(ical.PropDateTimeStart, start)
		ev.Props.SetDateTime(ical.PropDateTimeEnd, start.Add(time.Second))
		if organizer != nil {
			org := &ical.Prop{Name: ical.PropOrganizer, Params: ical.Params{}, Value: "mailto:" + organizer.Address}
			if organizer.Name != "" {
				org.Params.Set(ical.ParamCommonName, organizer.Name)
			}
			ev.Props.Set(org)
		}
		summary := e.CaseNumber + ": " + e.Kind
		if e.Stopped {
			summary += " (clock stopped; moves later while stopped)"
		}
		ev.Props.SetText(ical.PropSummary, summary)
		link := base + "/cases/" + url.PathEscape(e.CaseID)
		ev.Props.SetText(ical.PropDescription, e.CaseNumber+": "+e.Kind+", due "+
			e.DueAt.In(loc).Format("Mon 2 Jan 2006 15:04 MST")+" ("+e.DueAt.UTC().Format("2006-01-02 15:04 UTC")+"). "+link)
		if u, err := url.Parse(link); err == nil {
			ev.Props.SetURI(ical.PropURL, u)
		}
		ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
		for _, at := range e.Alarms {
			alarm := ical.NewComponent(ical.CompAlarm)
			alarm.Props.SetText(ical.PropAction, "DISPLAY")
			alarm.Props.SetText(ical.PropDescription, e.CaseNumber+": "+e.Kind+" on "+e.DueAt.In(loc).Format("Mon 2 Jan"))
			alarm.Props.SetDateTime(ical.PropTrigger, at.UTC().Truncate(time.Second))
			ev.Children = append(ev.Children, alarm)
		}
		out.Children = append(out.Children, ev.Component)
	}
	if len(out.Children) == 0 {
		// RFC 5545 wants at least one component: a feed with no deadline carries UTC's definition.
		tz := ical.NewComponent(ical.CompTimezone)
		tz.Props.SetText(ical.PropTimezoneID, "UTC")
		std := ical.NewComponent(ical.CompTimezoneStandard)
		std.Props.Set(&ical.Prop{Name: ical.PropDateTimeStart, Params: ical.Params{}, Value: "19700101T000000"})
		std.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetFrom, Params: ical.Params{}, Value: "+0000"})
		std.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetTo, Params: ical.Params{}, Value: "+0000"})
		tz.Children = append(tz.Children, std)
		out.Children = append(out.Children, tz)
	}
	fw := &foldWriter{w: w}
	if err := ical.NewEncoder(fw).Encode(out); err != nil {
		return err
	}
	return fw.flush()
}

// foldWriter folds content lines longer than 75 octets (RFC 5545 3.1): CRLF
// and a space before each continuation, never inside a UTF-8 sequence.
type foldWriter struct {
	w    io.Writer
	line []byte
}

func (f *foldWriter) Write(p []byte) (int, error) {
	for _, b := range p {
		f.line = append(f.line, b)
		if n := len(f.line); n >= 2 && f.line[n-2] == '\r' && f.line[n-1] == '\n' {
			if err := f.emit(f.line[:n-2]); err != nil {
				return 0, err
			}
			f.line = f.line[:0]
		}
	}
	return len(p), nil
}

func (f *foldWriter) emit(line []byte) error {
	var out []byte
	limit := 75
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		out = append(out, line[:cut]...)
		out = append(out, '\r', '\n', ' ')
		line = line[cut:]
		limit = 74 // the leading space counts
	}
	out = append(out, line...)
	out = append(out, '\r', '\n')
	_, err := f.w.Write(out)
	return err
}

func (f *foldWriter) flush() error {
	if len(f.line) == 0 {
		return nil
	}
	err := f.emit(f.line)
	f.line = nil
	return err
}
