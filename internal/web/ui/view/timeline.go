package view

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// Timeline is the SVG of the review windows on the board: one bar per case
// from receipt to deadline, the clock's stops shaded on it, today marked. It
// is computed here and drawn by the template with presentation attributes and
// classes only, so the CSP needs no inline style.
type Timeline struct {
	Width, Height int
	PlotX, PlotW  float64
	AxisY         int
	TodayX        float64
	TodayLabel    string
	Ticks         []tick
	Rows          []timelineRow
	Desc          string
}

type tick struct {
	X     float64
	Label string
}

type timelineRow struct {
	Y, TextY, BarY int
	Label          string
	X, W           float64
	Band           clock.Band
	Stops          []span
	Title          string
}

type span struct{ X, W float64 }

const (
	tlWidth   = 1000
	tlLabelW  = 150
	tlRight   = 16
	tlTop     = 34
	tlRowH    = 24
	tlBarH    = 12
	tlBottom  = 12
	tlMaxTick = 8
)

// NewTimeline lays out the windows of the cases in views at now, in the zone
// loc; bands names their bands.
func NewTimeline(loc *time.Location, bands BandWords, views []*app.CaseView, stops map[string][]docket.ClockStop, now time.Time) *Timeline {
	var rows []*app.CaseView
	for _, v := range views {
		if v.Clock != nil {
			rows = append(rows, v)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	start, end := now, now
	for _, v := range rows {
		if v.Clock.ReceivedAt.Before(start) {
			start = v.Clock.ReceivedAt
		}
		if v.Clock.DueAt.After(end) {
			end = v.Clock.DueAt
		}
	}
	// Whole local days, with a day to spare on each side.
	start = clock.StartOfDay(clock.DateOf(start, loc).AddDays(-1), loc)
	end = clock.StartOfDay(clock.DateOf(end, loc).AddDays(2), loc)
	span0 := end.Sub(start)
	t := &Timeline{Width: tlWidth, PlotX: tlLabelW, PlotW: tlWidth - tlLabelW - tlRight, AxisY: tlTop - 8}
	x := func(at time.Time) float64 {
		f := float64(at.Sub(start)) / float64(span0)
		return round1(t.PlotX + math.Max(0, math.Min(1, f))*t.PlotW)
	}
	t.TodayX, t.TodayLabel = x(now), "Today"
	days := int(math.Ceil(span0.Hours() / 24))
	step := 1
	for _, s := range []int{1, 2, 7, 14, 28, 56, 91, 182, 365} {
		step = s
		if days/s <= tlMaxTick {
			break
		}
	}
	for d := clock.DateOf(start, loc).AddDays(1); ; d = d.AddDays(step) {
		at := clock.StartOfDay(d, loc)
		if !at.Before(end) {
			break
		}
		t.Ticks = append(t.Ticks, tick{X: x(at), Label: at.In(loc).Format("2 Jan")})
	}
	for i, v := range rows {
		k := v.Clock
		y := tlTop + i*tlRowH
		r := timelineRow{Y: y, TextY: y + tlRowH/2 + 4, BarY: y + (tlRowH-tlBarH)/2, Label: v.Case.Number, Band: k.Band}
		x1, x2 := x(k.ReceivedAt), x(k.DueAt)
		r.X, r.W = x1, math.Max(1, round1(x2-x1))
		var stoppedFor time.Duration
		for _, st := range stops[v.Case.ID] {
			e := now
			if st.EndedAt != nil {
				e = *st.EndedAt
			}
			stoppedFor += e.Sub(st.StartedAt)
			sx := x(st.StartedAt)
			r.Stops = append(r.Stops, span{X: sx, W: math.Max(1, round1(x(e)-sx))})
		}
		title := fmt.Sprintf("%s, %s %s: received %s, deadline %s, %s", v.Case.Number, v.Case.ModelName, v.Case.ModelVersion,
			k.ReceivedAt.In(loc).Format("2 Jan 2006"), k.DueAt.In(loc).Format("2 Jan 2006 15:04 MST"), strings.ToLower(bands.Of(k.Band)))
		if stoppedFor > 0 {
			title += ", clock stopped for " + humanDuration(stoppedFor)
		}
		r.Title = title
		t.Rows = append(t.Rows, r)
	}
	t.Height = tlTop + len(rows)*tlRowH + tlBottom
	t.Desc = fmt.Sprintf("%d review windows from %s to %s. Each bar runs from receipt to the deadline; shaded parts are clock stops; the vertical line is today.",
		len(rows), start.In(loc).Format("2 Jan 2006"), end.In(loc).Format("2 Jan 2006"))
	return t
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }
