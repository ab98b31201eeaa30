package view

import (
	"time"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// ClockExplained is the case page's account of the deadline: the window
// from the day the clock started, its stops, and what is left.
type ClockExplained struct {
	Received      time.Time
	Started       time.Time
	Restarted     bool
	Day0          string
	WindowDays    int
	Timezone      string
	BaseDue       time.Time
	PauseOnInfo   bool
	Stops         []stopLine
	Stopped       time.Duration
	Due           time.Time
	Remaining     *countdown
	Band          clock.Band
	Conflict      bool
	Release       string
	Closed        bool
	EarlierClocks int
}

// stopLine is one stop of the clock, on the case page.
type stopLine struct {
	Start  time.Time
	End    *time.Time
	Length time.Duration
	Reason string
}

// Explain turns GET /clock's answer into the lines of the deadline.
func Explain(d *app.ClockDetail, cs *docket.Case) *ClockExplained {
	v := d.View
	k := cs.Clock
	e := &ClockExplained{Received: v.ReceivedAt, WindowDays: k.WindowDays, Timezone: k.Timezone, BaseDue: v.BaseDueAt,
		PauseOnInfo: k.PauseOnInfoRequest, Stopped: v.DueAt.Sub(v.BaseDueAt), Due: v.DueAt,
		Remaining: newCountdown(v, cs.Status), Band: v.Band, Conflict: v.ReleaseConflict,
		Closed: cs.Status.Final(), EarlierClocks: len(d.History)}
	if k.StartedAt != nil {
		e.Started = *k.StartedAt
	}
	e.Restarted = len(d.History) > 0
	e.Day0 = clock.DateOf(e.Started, k.Location()).String()
	if !cs.PlannedReleaseDate.IsZero() {
		e.Release = cs.PlannedReleaseDate.String()
	}
	for _, st := range d.Stops {
		end := d.At
		if st.EndedAt != nil {
			end = *st.EndedAt
		}
		e.Stops = append(e.Stops, stopLine{Start: st.StartedAt, End: st.EndedAt, Length: end.Sub(st.StartedAt), Reason: st.Reason})
	}
	return e
}
