package app

import (
	"context"
	"sort"

	"github.com/docket/docket/internal/docket"
)

// What the case page and the inbox need beside the API's use cases: the
// compliance officers' finding counts, the case lab's members (the recipients
// of a TLP:RED finding, and the names of the lab's authors), the names of a
// forecast's recipients, and which escalations of an inbox are acknowledged.
// Each read is one transaction and applies the same visibility rules as the API.

// FindingTally counts a case's findings by severity and state.
type FindingTally struct {
	// Counts holds, for each severity, the findings in each state.
	Counts map[string]map[docket.FindingStatus]int
	Total  int
	// Overdue counts the shared findings past their response deadline.
	Overdue int
}

// FindingTally counts a case's findings by severity and state, as the actor
// may count them: compliance officers every finding (counts are all they
// ever get), labs the ones they may see, reviewers and leads all of them
// after attesting. 404 when the case is hidden, 409 naming
// attest-no-conflict before attesting.
func (s *Cases) FindingTally(ctx context.Context, a docket.Actor, caseID string) (*FindingTally, error) {
	t := &FindingTally{Counts: map[string]map[docket.FindingStatus]int{}}
	err := s.read(ctx, func(tx casesTx) error {
		acc, err := s.visibleCase(tx, a, caseID)
		if err != nil {
			return err
		}
		if a.Role != docket.RoleCompliance {
			if err := acc.CheckContent(); err != nil {
				return err
			}
		}
		f := FindingFilter{CaseID: caseID}
		if a.Role == docket.RoleLabMember {
			f.LabViewer = a.UserID
		}
		now := s.Now()
		cursor := ""
		for {
			list, next, err := tx.Content().ListFindings(f, Page{Limit: clampLimit(200), Cursor: cursor})
			if err != nil {
				return err
			}
			for _, x := range list {
				if !(docket.FindingAccess{CaseAccess: acc, Finding: x}).CanSeeFinding() {
					continue
				}
				if t.Counts[x.Severity] == nil {
					t.Counts[x.Severity] = map[docket.FindingStatus]int{}
				}
				t.Counts[x.Severity][x.Status]++
				t.Total++
				if x.Overdue(now) {
					t.Overdue++
				}
			}
			if next == "" {
				return nil
			}
			cursor = next
		}
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// CaseLabMembers lists the members of the case's lab by name, disabled ones
// included and flagged, to those who read the case's content: the agency
// chooses a TLP:RED finding's recipients among the active ones, and both
// sides name the lab's authors. 404 when the case is hidden, 403 for
// compliance officers, 409 before attesting.
func (s *Cases) CaseLabMembers(ctx context.Context, a docket.Actor, caseID string) ([]docket.User, error) {
	var out []docket.User
	err := s.read(ctx, func(tx casesTx) error {
		acc, err := s.caseAccess(tx, a, caseID)
		if err != nil {
			return err
		}
		if err := acc.CheckContent(); err != nil {
			return err
		}
		org, role := acc.Case.OrgID, docket.RoleLabMember
		cursor := ""
		for {
			users, next, err := tx.Users().ListUsers(UserFilter{OrgID: &org, Role: &role}, Page{Limit: clampLimit(200), Cursor: cursor})
			if err != nil {
				return err
			}
			for _, u := range users {
				u.PasswordHash = ""
				out = append(out, u)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return nil
	})
	return out, err
}

// RecipientNames names the users a forecast addresses, as "name, organisation",
// for the roles that read everyone's forecast (leads and compliance
// officers); 403 for the others. Unknown ids are left out.
func (s *Cases) RecipientNames(ctx context.Context, a docket.Actor, ids []string) (map[string]string, error) {
	if !docket.CanForecastAll(a.Role) {
		return nil, docket.Forbidden()
	}
	out := map[string]string{}
	err := s.read(ctx, func(tx casesTx) error {
		for _, id := range ids {
			if _, done := out[id]; done || id == "" {
				continue
			}
			u, err := tx.Users().UserByID(id)
			if docket.ErrorCode(err) == docket.ENotFound {
				continue
			} else if err != nil {
				return err
			}
			out[id] = u.Name + ", " + u.Org.Name
		}
		return nil
	})
	return out, err
}

// AcknowledgedOf reports which of the actor's own escalations someone has
// acknowledged, by notification id; items addressed to others are left out.
func (s *Cases) AcknowledgedOf(ctx context.Context, a docket.Actor, ns []docket.Notification) (map[string]bool, error) {
	out := map[string]bool{}
	var groups []string
	for _, n := range ns {
		if n.Kind == docket.KindEscalation && n.RecipientID == a.UserID {
			groups = append(groups, n.GroupKey)
		}
	}
	if len(groups) == 0 {
		return out, nil
	}
	err := s.read(ctx, func(tx casesTx) error {
		acked, err := tx.Notifications().AckedGroups(groups)
		if err != nil {
			return err
		}
		for _, n := range ns {
			if n.Kind == docket.KindEscalation && n.RecipientID == a.UserID && acked[n.GroupKey] {
				out[n.ID] = true
			}
		}
		return nil
	})
	return out, err
}
