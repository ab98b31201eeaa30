package app

import (
	"context"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// visibility sets the filter's visibility fields from the actor; admins see no cases.
func (s *core) visibility(a docket.Actor, f *CaseFilter) error {
	f.VisibleOrg, f.VisibleReviewer, f.ExcludeDrafts = "", "", false
	switch a.Role {
	case docket.RoleLabMember:
		f.VisibleOrg = a.OrgID
		// Labs never learn a case's risk tier, not even by filtering on it.
		if f.RiskTier != nil {
			return docket.FieldError("risk_tier", "is not a filter of this list")
		}
	case docket.RoleReviewer:
		f.VisibleReviewer, f.ExcludeDrafts = a.UserID, true
	case docket.RoleReviewLead, docket.RoleCompliance:
		f.ExcludeDrafts = true
	default:
		return docket.Forbidden()
	}
	f.Now, f.Thresholds = s.Now(), s.th
	return nil
}

// ListCases lists the cases the actor may see, newest first.
func (s *Cases) ListCases(ctx context.Context, a docket.Actor, f CaseFilter, p Page) ([]*CaseView, string, error) {
	if err := s.visibility(a, &f); err != nil {
		return nil, "", err
	}
	f.ByUrgency = false
	return s.listViews(ctx, a, f, p)
}

func (s *Cases) listViews(ctx context.Context, a docket.Actor, f CaseFilter, p Page) ([]*CaseView, string, error) {
	var out []*CaseView
	var next string
	err := s.read(ctx, func(tx casesTx) error {
		var err error
		out, next, err = s.listViewsIn(tx, a, f, p)
		return err
	})
	return out, next, err
}

// listViewsIn is listViews inside a transaction.
func (s *Cases) listViewsIn(tx casesTx, a docket.Actor, f CaseFilter, p Page) ([]*CaseView, string, error) {
	cases, next, err := tx.Cases().ListCases(f, Page{Limit: clampLimit(p.Limit), Cursor: p.Cursor})
	if err != nil {
		return nil, "", err
	}
	var out []*CaseView
	for _, c := range cases {
		acc := docket.CaseAccess{Actor: a, Case: c}
		// Attestation matters only for content, which lists never show.
		out = append(out, &CaseView{Case: c, Clock: c.View(f.Now, s.th), Allowed: acc.Allowed()})
	}
	return out, next, nil
}

// Dashboard is the countdown: counts per band and the cases, most urgent first.
type Dashboard struct {
	At     time.Time
	Counts map[clock.Band]int
	Items  []*CaseView
	Next   string
	// Findings holds, per case of the page, its open findings by severity
	// and its overdue ones, as the actor may count them.
	Findings map[string]FindingCounts
}

// Dashboard returns the visible cases (open ones unless a status is asked for),
// most urgent first, with the count of each band and the findings of each
// case of the page, all from one snapshot.
func (s *Cases) Dashboard(ctx context.Context, a docket.Actor, f CaseFilter, p Page) (*Dashboard, error) {
	if err := s.visibility(a, &f); err != nil {
		return nil, err
	}
	f.ByUrgency = true
	f.OpenOnly = f.Status == nil && (f.Band == nil || *f.Band != clock.Closed)
	d := &Dashboard{At: f.Now}
	// The counts and the page from one snapshot.
	err := s.read(ctx, func(tx casesTx) error {
		var err error
		if d.Counts, err = tx.Cases().CountBands(f); err != nil {
			return err
		}
		if d.Items, d.Next, err = s.listViewsIn(tx, a, f, p); err != nil {
			return err
		}
		d.Findings, err = countFindingsOf(tx, a, d.Items, f.Now)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, b := range []clock.Band{clock.OnTrack, clock.DueSoon, clock.Critical, clock.Overdue, clock.Paused, clock.Closed} {
		if _, ok := d.Counts[b]; !ok {
			d.Counts[b] = 0
		}
	}
	return d, nil
}

// OpenCaseBands counts the open cases (drafts aside) in each band, as the
// agency's dashboard does, for the metrics: every band is present.
func (s *Cases) OpenCaseBands(ctx context.Context) (map[clock.Band]int, error) {
	f := CaseFilter{ExcludeDrafts: true, Now: s.Now(), Thresholds: s.th}
	var counts map[clock.Band]int
	err := s.read(ctx, func(tx casesTx) error {
		var err error
		counts, err = tx.Cases().CountBands(f)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := map[clock.Band]int{}
	for _, b := range []clock.Band{clock.OnTrack, clock.DueSoon, clock.Critical, clock.Overdue, clock.Paused} {
		out[b] = counts[b]
	}
	return out, nil
}

// ClockDetail is GET /clock: the current clock with every stop, and the earlier clocks.
type ClockDetail struct {
	View    *docket.ClockView
	Case    *docket.Case
	Current docket.ClockRecord
	Stops   []docket.ClockStop
	History []ClockHistory
	At      time.Time
}

// ClockHistory is one clock a restart replaced.
type ClockHistory struct {
	Record docket.ClockRecord
	Stops  []docket.ClockStop
}

// GetClock explains a visible case's deadline line by line (409 for a draft).
func (s *Cases) GetClock(ctx context.Context, a docket.Actor, id string) (*ClockDetail, error) {
	var d *ClockDetail
	err := s.read(ctx, func(tx casesTx) error {
		acc, err := s.visibleCase(tx, a, id)
		if err != nil {
			return err
		}
		c := acc.Case
		if !c.Clock.Started() {
			return docket.Errorf(docket.EConflict, "the case is draft; its clock starts when it is submitted")
		}
		now := s.Now()
		d = &ClockDetail{View: c.View(now, s.th), Case: c, At: now}
		clocks, err := tx.Cases().ListClocks(id)
		if err != nil {
			return err
		}
		stops, err := tx.Cases().ListStops(id)
		if err != nil {
			return err
		}
		for _, rec := range clocks {
			var mine []docket.ClockStop
			for _, st := range stops {
				if st.ClockSeq == rec.Seq {
					mine = append(mine, st)
				}
			}
			if rec.Seq == c.Clock.Seq {
				d.Current, d.Stops = rec, mine
			} else {
				d.History = append(d.History, ClockHistory{Record: rec, Stops: mine})
			}
		}
		return nil
	})
	return d, err
}

// GetDecision returns a decided case's decision to those who may read its content.
func (s *Cases) GetDecision(ctx context.Context, a docket.Actor, id string) (*docket.Decision, error) {
	var d *docket.Decision
	err := s.read(ctx, func(tx casesTx) error {
		acc, err := s.caseAccess(tx, a, id)
		if err != nil {
			return err
		}
		if err := acc.CheckContent(); err != nil {
			return err
		}
		d, err = tx.Cases().DecisionByCase(id)
		return err
	})
	return d, err
}
