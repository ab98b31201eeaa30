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
	// ClearinghouseOrigin returns the first start's instant (nil: never recorded).
	ClearinghouseOrigin() (*time.Time, error)
	// RecordClearinghouseOrigin records the first start's instant, once.
	RecordClearinghouseOrigin(at time.Time) error
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
	Version string
	// Released is the latest publication's instant, or the first start's
	// while nothing is published: never nil.
	Released *time.Time
	Entries  []docket.ClearinghouseEntry
	// Origin is the first start's instant (Released while nothing is published).
	Origin time.Time
	// Public says the catalog was read by someone not signed in: it holds
	// the TLP:CLEAR entries only, and its version and release describe them.
	Public bool
}

// MaxClearinghouseQuery bounds a Clearinghouse search, in characters.
const MaxClearinghouseQuery = 200

// Clearinghouse returns the catalog, newest entry first: every published
// entry to any signed-in user; to anyone not signed in (an actor with no
// role) the TLP:CLEAR entries only, when clearinghouse.public allows it (401
// otherwise). q, when not blank, keeps the entries that mention it (422 when
// longer than MaxClearinghouseQuery). The version and release describe the
// whole catalog the reader may read, whatever the search.
func (s *Clearinghouse) Clearinghouse(ctx context.Context, a docket.Actor, q string) (*Catalog, error) {
	public, err := s.reader(a)
	if err != nil {
		return nil, err
	}
	if len([]rune(q)) > MaxClearinghouseQuery {
		return nil, docket.Unacceptable("q", "must be at most %d characters", MaxClearinghouseQuery)
	}
	cat := &Catalog{Public: public}
	err = s.read(ctx, func(tx clearinghouseTx) error {
		var err error
		cat.Entries, err = tx.Clearinghouse().ListClearinghouse(strings.TrimSpace(q))
		if err != nil {
			return err
		}
		latest, n, err := tx.Clearinghouse().ClearinghouseHead()
		if err != nil {
			return err
		}
		if public {
			cat.Entries = docket.PublicEntries(cat.Entries)
			all := cat.Entries
			if strings.TrimSpace(q) != "" {
				if all, err = tx.Clearinghouse().ListClearinghouse(""); err != nil {
					return err
				}
				all = docket.PublicEntries(all)
			}
			latest, n = docket.CatalogHead(all, s.loc)
		}
		cat.Version = docket.CatalogVersion(latest, n, s.loc)
		cat.Released, cat.Origin, err = s.released(tx, latest)
		return err
	})
	return cat, err
}

// reader says whether a is someone not signed in who reads the public
// catalog (true), a signed-in user who reads all of it (false), or someone
// not signed in while clearinghouse.public is off (401).
func (s *Clearinghouse) reader(a docket.Actor) (bool, error) {
	switch {
	case a.Role.Valid():
		return false, nil
	case a.UserID == "" && a.Role == "" && s.public:
		return true, nil
	case a.UserID == "" && a.Role == "":
		return false, docket.Errorf(docket.EUnauthorized, "sign in first: this deployment's Clearinghouse is not public (clearinghouse.public)")
	}
	return false, docket.Forbidden()
}

// released returns latest, or the first start's instant when nothing is
// published, and the first start's instant (now, when it was never recorded).
func (s *Clearinghouse) released(tx clearinghouseTx, latest *time.Time) (*time.Time, time.Time, error) {
	o, err := tx.Clearinghouse().ClearinghouseOrigin()
	if err != nil {
		return nil, time.Time{}, err
	}
	origin := s.Now()
	if o != nil {
		origin = *o
	}
	if latest != nil {
		return latest, origin, nil
	}
	return &origin, origin, nil
}

// RecordOrigin records this instant as the first start's, unless a start
// was recorded before: the feeds' dateReleased while nothing is published.
func (s *Clearinghouse) RecordOrigin(ctx context.Context) error {
	return s.write(ctx, func(tx clearinghouseTx) error {
		return tx.Clearinghouse().RecordClearinghouseOrigin(s.Now())
	})
}
