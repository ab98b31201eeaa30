package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/docket/docket/internal/docket"
)

// ClearinghouseStore keeps the published entries and their gapless numbers.
type ClearinghouseStore interface {
	// NextClearinghouseNumber allocates the next number of the year, gapless.
	NextClearinghouseNumber(year int) (int, error)
	// CreateClearinghouseEntry stores an entry and marks its finding published.
	CreateClearinghouseEntry(e *docket.ClearinghouseEntry) error
	// ListClearinghouse returns the entries matching q, newest first.
	ListClearinghouse(q string) ([]docket.ClearinghouseEntry, error)
	// ClearinghouseHead returns the latest publication (nil: none) and how
	// many entries were added on its date.
	ClearinghouseHead() (*time.Time, int, error)
}

// PublishFinding publishes a finding to the Clearinghouse (review leads,
// after attesting): 404 when the finding is not visible, 403 for other roles,
// 409 naming attest-no-conflict or why it cannot be published yet (a draft,
// its TLP, its embargo, published already), then 422 naming the field. The
// entry takes the next AICH-YYYY-NNNN of the agency-zone year, in the same
// transaction as its audit event.
func (s *Clearinghouse) PublishFinding(ctx context.Context, a docket.Actor, id string, in docket.PublishInput) (*FindingView, error) {
	var v *FindingView
	err := s.write(ctx, func(tx clearinghouseTx) error {
		fa, err := s.findingAccess(tx, a, id)
		if err != nil {
			return notFoundAs(err, "finding")
		}
		now := s.Now()
		if err := fa.CheckPublish(now, s.loc); err != nil {
			return err
		}
		e, err := in.Entry(fa.Finding, fa.Case, now, s.loc)
		if err != nil {
			return err
		}
		year := now.In(s.loc).Year()
		n, err := tx.Clearinghouse().NextClearinghouseNumber(year)
		if err != nil {
			return err
		}
		e.ID, e.PublishedBy = fmt.Sprintf("AICH-%d-%04d", year, n), a.UserID
		if err := tx.Clearinghouse().CreateClearinghouseEntry(e); err != nil {
			return err
		}
		fa.Finding.ClearinghouseID = e.ID
		if err := s.audit(tx, a, "finding.published", "finding", id, fa.Case.ID, e.AuditChanges()); err != nil {
			return err
		}
		v, err = s.findingView(tx, fa)
		return err
	})
	return v, err
}

// Catalog is the Clearinghouse as the feed shows it: its version, when it last
// changed, and the entries (matching a search, when one was given).
type Catalog struct {
	Version  string
	Released *time.Time
	Entries  []docket.ClearinghouseEntry
}

// MaxClearinghouseQuery bounds a Clearinghouse search, in characters.
const MaxClearinghouseQuery = 200

// Clearinghouse returns the catalog to any signed-in user, newest entry
// first; q, when not blank, keeps the entries that mention it (422 when
// longer than MaxClearinghouseQuery). The version and release describe the
// whole catalog, whatever the search.
func (s *Clearinghouse) Clearinghouse(ctx context.Context, a docket.Actor, q string) (*Catalog, error) {
	if !a.Role.Valid() {
		return nil, docket.Forbidden()
	}
	if len([]rune(q)) > MaxClearinghouseQuery {
		return nil, docket.Unacceptable("q", "must be at most %d characters", MaxClearinghouseQuery)
	}
	cat := &Catalog{}
	err := s.read(ctx, func(tx clearinghouseTx) error {
		latest, n, err := tx.Clearinghouse().ClearinghouseHead()
		if err != nil {
			return err
		}
		cat.Released, cat.Version = latest, docket.CatalogVersion(latest, n, s.loc)
		cat.Entries, err = tx.Clearinghouse().ListClearinghouse(strings.TrimSpace(q))
		return err
	})
	return cat, err
}
