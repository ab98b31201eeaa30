package store

import (
	"slices"
	"strings"

	"github.com/docket/docket/internal/docket"
)

// Reading a case in one query: its row, its organisation's name, its
// reviewers (ordered by id, as loadReviewers orders them) and, for the
// use cases' access checks, whether one user attested no conflict on it.

// reviewerList is the select-list expression of a case's reviewers' ids,
// comma-separated (ids are UUIDs). PostgreSQL orders them in its collation
// as loadReviewers's ORDER BY does; on SQLite caseOf sorts them byte by byte
// (SQLite's order), cheaper than an ordered aggregate, which sorts each case's
// list in a temporary b-tree.
func (t *tx) reviewerList() string {
	agg := "group_concat(user_id, ',')"
	if t.postgres {
		agg = "string_agg(user_id, ',' ORDER BY user_id)"
	}
	return "(SELECT " + agg + " FROM case_reviewers WHERE case_reviewers.case_id = cases.id) AS reviewer_list"
}

// caseFullRow is a case row with its reviewers and an attestation.
type caseFullRow struct {
	caseRow
	ReviewerList *string `gorm:"->;-:migration"`
	Attested     bool    `gorm:"->;-:migration"`
}

// caseOf makes the domain case of a row, its reviewers in order.
func (t *tx) caseOf(r caseFullRow) *docket.Case {
	c := r.caseRow.domain()
	if r.ReviewerList != nil && *r.ReviewerList != "" {
		c.ReviewerIDs = strings.Split(*r.ReviewerList, ",")
		if !t.postgres {
			slices.Sort(c.ReviewerIDs)
		}
	}
	return c
}

// caseFull reads one case with its reviewers; attested reports whether
// userID ("" for nobody) attested no conflict on it.
func (t *tx) caseFull(id, userID string) (*docket.Case, bool, error) {
	m := t.memo()
	if m != nil {
		c, ok := m.cases.get(id, t.ver.Cases)
		attested, known := false, userID == ""
		if ok && !known {
			attested, known = m.attests.get(id+"|"+userID, t.ver.Attests)
		}
		if ok && known {
			return copyCase(c), attested, nil
		}
	}
	r, ok, err := scanOneRows[caseFullRow](t.query(`SELECT cases.*, orgs.name AS org_name, `+t.reviewerList()+`,
EXISTS (SELECT 1 FROM attestations WHERE attestations.case_id = cases.id AND attestations.user_id = ?) AS attested
FROM cases JOIN orgs ON orgs.id = cases.org_id WHERE cases.id = ?`, userID, id))
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, false, docket.NotFound("case")
	}
	c := t.caseOf(r)
	if m != nil {
		m.cases.put(id, t.ver.Cases, copyCase(c))
		if userID != "" {
			m.attests.put(id+"|"+userID, t.ver.Attests, r.Attested)
		}
	}
	return c, r.Attested, nil
}

// CaseWithAttestation returns the case as CaseByID does, and whether userID
// attested no conflict on it, in one query.
func (t caseRepo) CaseWithAttestation(caseID, userID string) (*docket.Case, bool, error) {
	return t.caseFull(caseID, userID)
}

// StopsOfCases returns the stops of every clock of each listed case, ordered
// as ListStops orders them, in one query per 500 cases.
func (t boardRepo) StopsOfCases(caseIDs []string) (map[string][]docket.ClockStop, error) {
	out := map[string][]docket.ClockStop{}
	for _, chunk := range chunks(caseIDs, 500) {
		rows, err := scanRows[stopRow](t.query(`SELECT * FROM clock_stops WHERE case_id IN (`+placeholders(len(chunk))+
			`) ORDER BY case_id, clock_seq, started_at`, anys(chunk)...))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.CaseID] = append(out[r.CaseID], docket.ClockStop{ID: r.ID, CaseID: r.CaseID, ClockSeq: r.ClockSeq,
				StartedAt: tm(r.StartedAt), EndedAt: tmp(r.EndedAt), Reason: r.Reason, InfoRequestID: r.InfoRequestID})
		}
	}
	return out, nil
}
