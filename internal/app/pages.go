package app

import (
	"context"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// What the pages need beyond the API's use cases: the whole countdown at one
// instant, the stops of the clocks it draws, the review team by name, and
// which cases a reviewer has attested on. Each read is one transaction and
// applies the same visibility rules as the API.

// MaxBoardCases bounds the cases one countdown board reads.
const MaxBoardCases = 50000

// boardChunk is how many cases a board reads per query (below SQLite's bound
// on the parameters of one statement, which the reviewer lookup uses).
const boardChunk = 5000

// Board is the whole countdown at one instant: every visible case matching the
// filter, most urgent first, the count of each band, and the labs that the
// cases matching the other filters belong to (for a lab filter).
type Board struct {
	At        time.Time
	Counts    map[clock.Band]int
	Items     []*CaseView
	Labs      []docket.Org
	Truncated bool // more than MaxBoardCases matched
}

// Board returns every visible case matching f (open ones unless a status or
// the closed band is asked for), most urgent first, read in one transaction at
// one instant. Admins get 403.
func (s *Service) Board(ctx context.Context, a docket.Actor, f CaseFilter) (*Board, error) {
	if err := s.visibility(a, &f); err != nil {
		return nil, err
	}
	f.ByUrgency = true
	f.OpenOnly = f.Status == nil && (f.Band == nil || *f.Band != clock.Closed)
	org := f.OrgID
	f.OrgID = nil // the labs are those of every lab's matching cases; the org filter applies below
	b := &Board{At: f.Now, Items: []*CaseView{}}
	err := s.store.Read(ctx, func(tx Tx) error {
		counted := f
		counted.OrgID = org
		var err error
		if b.Counts, err = tx.CountBands(counted); err != nil {
			return err
		}
		seen := map[string]bool{}
		cursor := ""
		for read := 0; ; {
			cases, next, err := tx.ListCases(f, Page{Limit: boardChunk, Cursor: cursor})
			if err != nil {
				return err
			}
			for _, c := range cases {
				if !seen[c.OrgID] {
					seen[c.OrgID] = true
					b.Labs = append(b.Labs, docket.Org{ID: c.OrgID, Name: c.OrgName, Kind: docket.OrgKindLab})
				}
				if org != nil && c.OrgID != *org {
					continue
				}
				if len(b.Items) == MaxBoardCases {
					b.Truncated = true
					continue
				}
				acc := docket.CaseAccess{Actor: a, Case: c}
				b.Items = append(b.Items, &CaseView{Case: c, Clock: c.View(f.Now, s.th), Allowed: acc.Allowed()})
			}
			read += len(cases)
			if next == "" || read >= 4*MaxBoardCases {
				return nil
			}
			cursor = next
		}
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
func (s *Service) ClockStops(ctx context.Context, a docket.Actor, caseIDs []string) (map[string][]docket.ClockStop, error) {
	out := map[string][]docket.ClockStop{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	err := s.store.Read(ctx, func(tx Tx) error {
		for _, id := range caseIDs {
			acc, err := s.visibleCase(tx, a, id)
			if docket.ErrorCode(err) == docket.ENotFound {
				continue
			} else if err != nil {
				return err
			}
			stops, err := tx.ListStops(id)
			if err != nil {
				return err
			}
			for _, st := range stops {
				if st.ClockSeq == acc.Case.Clock.Seq {
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
func (s *Service) ReviewTeam(ctx context.Context, a docket.Actor) ([]TeamMember, error) {
	switch a.Role {
	case docket.RoleReviewer, docket.RoleReviewLead, docket.RoleCompliance:
	default:
		return nil, docket.Forbidden()
	}
	var out []TeamMember
	err := s.store.Read(ctx, func(tx Tx) error {
		for _, role := range []docket.Role{docket.RoleReviewLead, docket.RoleReviewer} {
			r := role
			cursor := ""
			for {
				users, next, err := tx.ListUsers(UserFilter{Role: &r}, Page{Limit: 200, Cursor: cursor})
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
func (s *Service) AttestedOn(ctx context.Context, a docket.Actor, caseIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if a.Role != docket.RoleReviewer && a.Role != docket.RoleReviewLead {
		return out, nil
	}
	err := s.store.Read(ctx, func(tx Tx) error {
		for _, id := range caseIDs {
			ok, err := tx.Attested(id, a.UserID)
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
func (s *Service) DerivedKey(purpose string) []byte { return s.signer.DeriveKey(purpose) }
