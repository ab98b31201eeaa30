package app

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// What the pages need beyond the API's use cases: the countdown board in any
// order, a page at a time, the stops of the clocks it draws, the review team by name, and
// which cases a reviewer has attested on. Each read is one transaction and
// applies the same visibility rules as the API.

// BoardStore reads the countdown board: one page of it in any order of
// BoardOrders, and the labs of the visible cases.
type BoardStore interface {
	// BoardCases returns the cases matching f in the order named, from offset,
	// at most limit, and how many match in all.
	BoardCases(f CaseFilter, order string, offset, limit int) ([]*docket.Case, int, error)
	// BoardLabs lists the organisations of the cases that f's visibility lets through.
	BoardLabs(f CaseFilter) ([]docket.Org, error)
	// StopsOfCases returns the stops of every clock of each listed case, in
	// ListStops's order, in one read.
	StopsOfCases(caseIDs []string) (map[string][]docket.ClockStop, error)
}

// BoardOrders are the orders of the board: most urgent first (the remaining
// time, frozen while stopped), deadline, received (newest or oldest first),
// case number, lab, and risk tier (highest first; the last two then by urgency).
var BoardOrders = []string{"urgency", "due", "received", "received_oldest", "number", "lab", "risk"}

// MaxBoardCases bounds the cases one read of the board returns.
const MaxBoardCases = 50000

// Board is one page of the countdown at one instant: the cases, how many match
// in all, the count of each band, and the labs of the visible cases.
type Board struct {
	At     time.Time
	Counts map[clock.Band]int
	Items  []*CaseView
	Total  int
	Labs   []docket.Org
}

// Board returns the visible cases matching f (open ones unless a status or
// the closed band is asked for) in the order named, from offset, at most
// limit (up to MaxBoardCases), read in one transaction at one instant.
// Admins get 403; an unknown order 422.
func (s *Cases) Board(ctx context.Context, a docket.Actor, f CaseFilter, order string, offset, limit int) (*Board, error) {
	if err := s.visibility(a, &f); err != nil {
		return nil, err
	}
	if !slices.Contains(BoardOrders, order) {
		return nil, docket.Unacceptable("sort", "must be one of %s", strings.Join(BoardOrders, ", "))
	}
	limit = min(max(limit, 1), MaxBoardCases)
	offset = max(offset, 0)
	f.ByUrgency = true
	f.OpenOnly = f.Status == nil && (f.Band == nil || *f.Band != clock.Closed)
	b := &Board{At: f.Now, Items: []*CaseView{}}
	err := s.read(ctx, func(tx casesTx) error {
		var err error
		if b.Counts, err = tx.Cases().CountBands(f); err != nil {
			return err
		}
		vis := CaseFilter{VisibleOrg: f.VisibleOrg, VisibleReviewer: f.VisibleReviewer, ExcludeDrafts: f.ExcludeDrafts,
			Now: f.Now, Thresholds: f.Thresholds}
		if b.Labs, err = tx.Board().BoardLabs(vis); err != nil {
			return err
		}
		cases, total, err := tx.Board().BoardCases(f, order, offset, limit)
		if err != nil {
			return err
		}
		b.Total = total
		for _, c := range cases {
			acc := docket.CaseAccess{Actor: a, Case: c}
			b.Items = append(b.Items, &CaseView{Case: c, Clock: c.View(f.Now, s.th), Allowed: acc.Allowed()})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, band := range []clock.Band{clock.OnTrack, clock.DueSoon, clock.Critical, clock.Overdue, clock.Paused, clock.Closed} {
		if _, ok := b.Counts[band]; !ok {
			b.Counts[band] = 0
		}
	}
	return b, nil
}

// ClockStops returns the stops of the current clock of each listed case that
// the actor may see; cases it may not see are left out, as if they had none.
func (s *Cases) ClockStops(ctx context.Context, a docket.Actor, caseIDs []string) (map[string][]docket.ClockStop, error) {
	out := map[string][]docket.ClockStop{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	// Two reads whatever the number of cases: the cases, then their stops.
	err := s.read(ctx, func(tx casesTx) error {
		cases, err := tx.Notifications().CasesByID(caseIDs)
		if err != nil {
			return err
		}
		var visible []string
		for _, id := range caseIDs {
			if c, ok := cases[id]; ok && (docket.CaseAccess{Actor: a, Case: c}).CanSee() {
				visible = append(visible, id)
			}
		}
		if len(visible) == 0 {
			return nil
		}
		stops, err := tx.Board().StopsOfCases(visible)
		if err != nil {
			return err
		}
		for _, id := range visible {
			for _, st := range stops[id] {
				if st.ClockSeq == cases[id].Clock.Seq {
					out[id] = append(out[id], st)
				}
			}
		}
		return nil
	})
	return out, err
}

// TeamMember is a reviewer or review lead as the agency's pages name them.
type TeamMember struct {
	ID       string
	Name     string
	Role     docket.Role
	Disabled bool
}

// ReviewTeam lists the agency's reviewers and review leads, by name, to the
// agency roles that see cases (reviewers, leads, compliance officers); 403 to
// the others.
func (s *Cases) ReviewTeam(ctx context.Context, a docket.Actor) ([]TeamMember, error) {
	switch a.Role {
	case docket.RoleReviewer, docket.RoleReviewLead, docket.RoleCompliance:
	default:
		return nil, docket.Forbidden()
	}
	var out []TeamMember
	err := s.read(ctx, func(tx casesTx) error {
		for _, role := range []docket.Role{docket.RoleReviewLead, docket.RoleReviewer} {
			r := role
			cursor := ""
			for {
				users, next, err := tx.Users().ListUsers(UserFilter{Role: &r}, Page{Limit: 200, Cursor: cursor})
				if err != nil {
					return err
				}
				for _, u := range users {
					out = append(out, TeamMember{ID: u.ID, Name: u.Name, Role: u.Role, Disabled: u.Disabled})
				}
				if next == "" {
					break
				}
				cursor = next
			}
		}
		return nil
	})
	return out, err
}

// AttestedOn reports, for each listed case, whether the actor has attested no
// conflict of interest on it (always false for roles that never attest).
func (s *Cases) AttestedOn(ctx context.Context, a docket.Actor, caseIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if a.Role != docket.RoleReviewer && a.Role != docket.RoleReviewLead {
		return out, nil
	}
	err := s.read(ctx, func(tx casesTx) error {
		for _, id := range caseIDs {
			ok, err := tx.Cases().Attested(id, a.UserID)
			if err != nil {
				return err
			}
			out[id] = ok
		}
		return nil
	})
	return out, err
}

// DerivedKey returns a key for one purpose derived from the signing secret
// (the pages' CSRF tokens use "csrf").
func (s *Accounts) DerivedKey(purpose string) []byte { return s.signer.DeriveKey(purpose) }
