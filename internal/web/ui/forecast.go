package ui

import (
	"net/http"
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
// the others what is addressed to them.

// forecastDays is how far ahead the forecast looks unless a date is chosen.
const forecastDays = 14

type forecastPage struct {
	view.PageBase
	Until   string
	Error   string
	All     bool
	Horizon time.Time
	Days    []forecastDay
	Count   int
}

// forecastDay is one local day of the forecast.
type forecastDay struct {
	Label string
	Rows  []forecastRow
}

type forecastRow struct {
	At                 time.Time
	Time               string // the local time of day
	Now                bool
	Kind, KindLabel    string
	What               string
	CaseID, CaseNumber string
	To                 string
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
	for _, o := range occ {
		label := o.At.In(loc).Format("Monday 2 January 2006")
		if !o.At.After(now) {
			label = "Due now: at the next sweep"
		}
		if n := len(pg.Days); n == 0 || pg.Days[n-1].Label != label {
			pg.Days = append(pg.Days, forecastDay{Label: label})
		}
		d := &pg.Days[len(pg.Days)-1]
		r := forecastRowOf(o, a, names, now)
		r.Time = o.At.In(loc).Format("15:04 MST")
		d.Rows = append(d.Rows, r)
		pg.Count++
	}
	return render(http.StatusOK)
}

func forecastRowOf(o app.Occurrence, a docket.Actor, names map[string]string, now time.Time) forecastRow {
	r := forecastRow{At: o.At, Now: !o.At.After(now), Kind: o.Kind, KindLabel: view.LabelOr(kindLabels[o.Kind], o.Kind),
		What: ruleWords(o.Rule, o.Threshold, o.Repeat), CaseID: o.CaseID, CaseNumber: o.CaseNumber, Due: o.DueAt}
	switch {
	case o.RecipientID == a.UserID:
		r.To = "You"
	case names[o.RecipientID] != "":
		r.To = names[o.RecipientID]
	default:
		r.To = "Unknown user"
	}
	return r
}
