package store

import (
	"strconv"
	"testing"

	"gorm.io/gorm"

	"github.com/docket/docket/internal/docket"
)

// TestLongListsAreRead: lists of ids longer than a statement may carry
// (PostgreSQL takes 65,535 parameters) are read in chunks, as the sweep of a
// national deployment reads every finding due.
func TestLongListsAreRead(t *testing.T) {
	st := engineStore(t)
	const n = 70000
	cases := make([]*docket.Case, n)
	findings := make([]*docket.Finding, n)
	ids := make([]string, n)
	for i := range n {
		ids[i] = "x" + strconv.Itoa(i)
		cases[i] = &docket.Case{ID: ids[i]}
		findings[i] = &docket.Finding{ID: ids[i]}
	}
	if err := st.read.Transaction(func(db *gorm.DB) error {
		x := &tx{db: db, postgres: st.postgres}
		if err := x.loadReviewers(cases); err != nil {
			return err
		}
		if err := x.loadRecipients(findings); err != nil {
			return err
		}
		_, err := contentRepo{x}.AttachmentsOfFindings(ids)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
