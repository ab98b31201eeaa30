package app

import (
	"context"
	"fmt"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// KEV returns the catalog as CISA's Known Exploited Vulnerabilities
// catalogue takes it: of the entries the reader may read (Clearinghouse),
// those with a CVE id, newest first. Its version is YYYY.MM.DD, the
// agency-zone date of its release, which is the readable catalog's (so never
// nil).
func (s *Clearinghouse) KEV(ctx context.Context, a docket.Actor) (*Catalog, error) {
	cat, err := s.Clearinghouse(ctx, a, "")
	if err != nil {
		return nil, err
	}
	kev := make([]docket.ClearinghouseEntry, 0, len(cat.Entries))
	for _, e := range cat.Entries {
		if e.CVEID != "" {
			kev = append(kev, e)
		}
	}
	d := clock.DateOf(*cat.Released, s.loc)
	return &Catalog{Version: fmt.Sprintf("%04d.%02d.%02d", d.Year, int(d.Month), d.Day), Released: cat.Released,
		Origin: cat.Origin, Entries: kev, Public: cat.Public}, nil
}
