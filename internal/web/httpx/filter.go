package httpx

import (
	"net/url"
	"slices"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// CaseFilterOf reads the case list filters from q; a name that is neither a
// filter nor one of extra is refused (400 naming it).
func CaseFilterOf(q url.Values, extra ...string) (app.CaseFilter, error) {
	var f app.CaseFilter
	for name := range q {
		switch name {
		case "status", "band", "org_id", "risk_tier", "q":
		default:
			if !slices.Contains(extra, name) {
				return f, docket.FieldError(name, "is not a filter of this list")
			}
		}
	}
	if v := q.Get("status"); v != "" {
		st := docket.Status(v)
		if !st.Valid() {
			return f, docket.Unacceptable("status", "must be one of draft, submitted, in_review, awaiting_lab, decided, withdrawn")
		}
		f.Status = &st
	}
	if v := q.Get("band"); v != "" {
		b := clock.Band(v)
		switch b {
		case clock.OnTrack, clock.DueSoon, clock.Critical, clock.Overdue, clock.Paused, clock.Closed:
		default:
			return f, docket.Unacceptable("band", "must be one of on_track, due_soon, critical, overdue, paused, closed")
		}
		f.Band = &b
	}
	if v := q.Get("org_id"); v != "" {
		f.OrgID = &v
	}
	if v := q.Get("risk_tier"); v != "" {
		if !docket.OneOf(v, docket.RiskTiers) {
			return f, docket.Unacceptable("risk_tier", "must be one of low, elevated, high, critical")
		}
		f.RiskTier = &v
	}
	if v := q.Get("q"); v != "" {
		if len(v) > 200 {
			return f, docket.Unacceptable("q", "must be at most 200 characters")
		}
		f.Q = &v
	}
	return f, nil
}
