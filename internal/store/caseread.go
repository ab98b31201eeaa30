package store

import (
	"strings"

	"github.com/docket/docket/internal/docket"
)

// Reading a case in one query: its row, its organisation's name, its
// reviewers (ordered by id, as loadReviewers orders them) and, for the
// use cases' access checks, whether one user attested no conflict on it.

// reviewerList is the select-list expression of a case's reviewers' ids,
// comma-separated (ids are UUIDs) and ordered.
func (t *tx) reviewerList() string {
	agg := "group_concat(user_id, ',' ORDER BY user_id)"
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

func (r caseFullRow) domain() *docket.Case {
	c := r.caseRow.domain()
	if r.ReviewerList != nil && *r.ReviewerList != "" {
		c.ReviewerIDs = strings.Split(*r.ReviewerList, ",")
	}
	return c
}

// caseFull reads one case with its reviewers; attested reports whether
// userID ("" for nobody) attested no conflict on it.
func (t *tx) caseFull(id, userID string) (*docket.Case, bool, error) {
	r, ok, err := scanOneRows[caseFullRow](t.query(`SELECT cases.*, orgs.name AS org_name, `+t.reviewerList()+`,
EXISTS (SELECT 1 FROM attestations WHERE attestations.case_id = cases.id AND attestations.user_id = ?) AS attested
FROM cases JOIN orgs ON orgs.id = cases.org_id WHERE cases.id = ?`, userID, id))
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, false, docket.NotFound("case")
	}
	return r.domain(), r.Attested, nil
}

// CaseWithAttestation returns the case as CaseByID does, and whether userID
// attested no conflict on it, in one query.
func (t *tx) CaseWithAttestation(caseID, userID string) (*docket.Case, bool, error) {
	return t.caseFull(caseID, userID)
}
