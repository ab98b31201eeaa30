package ui

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The forecast (/forecast): what the sweep will send, to whom and when, from
// now to the end of a chosen day (14 days ahead unless chosen), computed by
// the same code as the sweep. Leads and compliance officers see everyone's;
// the others what is addressed to them. A row is one case and one rule (its
// words: docket.RuleWords), with its recipients and repeats collapsed into a
// count; the API (GET /notifications/forecast) keeps an item per notification.

// forecastDays is how far ahead the forecast looks unless a date is chosen.
const forecastDays = 14

// forecastNames is how many recipients a row names before "and N others".
const forecastNames = 3

type forecastPage struct {
	view.PageBase
	Until   string
	Error   string
	All     bool
	Horizon time.Time
	Rows    []forecastRow
	// Count is the number of notifications the rows hold.
	Count int
}

// forecastRow is one case and rule: when its first notification goes, how
// many more times and until when, to whom, and how many notifications.
type forecastRow struct {
	First, Last        time.Time
	Now                bool
	Times              int // distinct instants
	Kind, KindLabel    string
	What               string
	CaseID, CaseNumber string
	To                 string
	Recipients         int
	Count              int
	Due                time.Time
}

func (h *InboxPages) Forecast(c echo.Context) error {
	a := httpx.MustActor(c)
	if !docket.CanForecast(a.Role) {
		return docket.Forbidden()
	}
	loc := h.r.Location()
	now := h.cases.Now()
	pg := forecastPage{All: docket.CanForecastAll(a.Role)}
	pg.Until = strings.TrimSpace(c.QueryParam("until"))
	if pg.Until == "" {
		pg.Until = clock.DateOf(now, loc).AddDays(forecastDays).String()
	}
	render := func(status int) error {
		pg.PageBase = h.r.Base(c, "Forecast")
		if pg.Error != "" {
			pg.Alert = "Check the date marked below."
		}
		return h.r.Render(c, status, "forecast.html", pg)
	}
	d, err := clock.ParseDate(pg.Until)
	if err != nil || len(pg.Until) > 10 {
		pg.Error = "Enter the date as YYYY-MM-DD, such as " + clock.DateOf(now, loc).AddDays(forecastDays).String() + "."
		return render(http.StatusUnprocessableEntity)
	}
	pg.Horizon = clock.EndOfDay(d, loc)
	occ, err := h.delivery.Forecast(c.Request().Context(), a, pg.Horizon)
	if err != nil {
		errs := view.FieldErrors{}
		status, _, ok := view.Refusal(err, errs, view.UntilWords)
		if !ok || errs["until"] == "" {
			return err
		}
		pg.Error = errs["until"]
		return render(status)
	}
	names := map[string]string{}
	if pg.All {
		ids := make([]string, len(occ))
		for i, o := range occ {
			ids[i] = o.RecipientID
		}
		if names, err = h.cases.RecipientNames(c.Request().Context(), a, ids); err != nil {
			return err
		}
	}
	pg.Rows, pg.Count = forecastRows(occ, a, names, now), len(occ)
	return render(http.StatusOK)
}

// forecastRows groups the occurrences, soonest first, by case and what they
// are about: a row each, with its recipients named and its repeats counted.
func forecastRows(occ []app.Occurrence, a docket.Actor, names map[string]string, now time.Time) []forecastRow {
	type group struct {
		row        forecastRow
		recipients map[string]bool
		instants   map[int64]bool
	}
	var order []string
	groups := map[string]*group{}
	for _, o := range occ {
		what := docket.RuleWords(o.Rule, o.Threshold)
		k := o.CaseID + "|" + what
		g, ok := groups[k]
		if !ok {
			g = &group{row: forecastRow{First: o.At, Kind: o.Kind, KindLabel: view.LabelOr(kindLabels[o.Kind], o.Kind), What: what,
				CaseID: o.CaseID, CaseNumber: o.CaseNumber, Due: o.DueAt}, recipients: map[string]bool{}, instants: map[int64]bool{}}
			groups[k] = g
			order = append(order, k)
		}
		if o.At.Before(g.row.First) {
			g.row.First = o.At
		}
		if o.At.After(g.row.Last) {
			g.row.Last = o.At
		}
		g.row.Count++
		g.recipients[o.RecipientID] = true
		g.instants[o.At.UnixMilli()] = true
	}
	out := make([]forecastRow, 0, len(order))
	for _, k := range order {
		g := groups[k]
		r := g.row
		r.Now, r.Times, r.Recipients = !r.First.After(now), len(g.instants), len(g.recipients)
		r.To = recipientWords(g.recipients, a, names)
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].First.Equal(out[j].First) {
			return out[i].First.Before(out[j].First)
		}
		return out[i].CaseNumber < out[j].CaseNumber
	})
	return out
}

// recipientWords names a row's recipients: "You" first, then by name (each
// "name, organisation"), up to forecastNames, then how many more.
func recipientWords(ids map[string]bool, a docket.Actor, names map[string]string) string {
	var list []string
	you := false
	for id := range ids {
		switch {
		case id == a.UserID:
			you = true
		case names[id] != "":
			list = append(list, names[id])
		default:
			list = append(list, "Unknown user")
		}
	}
	sort.Strings(list)
	if you {
		list = append([]string{"You"}, list...)
	}
	more := ""
	if len(list) > forecastNames {
		more = " and " + strconv.Itoa(len(list)-forecastNames) + " more"
		list = list[:forecastNames]
	}
	return strings.Join(list, "; ") + more
}
