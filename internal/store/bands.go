package store

import (
	"fmt"
	"math"
	"sync"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
)

// The dashboard's count of each band, remembered between requests.
//
// Counting is a pass over every visible case, which the dashboard and the
// board would otherwise make on every request. Yet the counts change only
// when a case changes, which Docket's own writes do (SQLite serves one
// process), or when the clock carries a running case across a threshold,
// at an instant known in advance: its deadline key minus the due-soon or the
// critical threshold, or just after the key. So a count made at t0 is
// remembered with the store's write generation and the first such crossing
// after t0, and it answers any read transaction that began at the same
// generation at an instant from t0 up to that crossing: exactly what
// counting again would give. PostgreSQL, written by several replicas, and
// write transactions, which see their own changes, always count.

// bandMemory is the remembered counts of one filter.
type bandMemory struct {
	gen         uint64
	from, until int64 // the counts hold for now in [from, until), milliseconds
	counts      map[clock.Band]int
}

// bandCache holds the remembered counts of the filters asked lately.
type bandCache struct {
	mu sync.Mutex
	m  map[string]bandMemory
}

// maxBandFilters bounds the remembered filters; when full, all are forgotten.
const maxBandFilters = 512

func bandKey(f app.CaseFilter) string {
	s := func(p *string) string {
		if p == nil {
			return "\x00"
		}
		return *p
	}
	st := "\x00"
	if f.Status != nil {
		st = string(*f.Status)
	}
	return fmt.Sprintf("%q|%q|%t|%q|%q|%q|%q|%d|%d", f.VisibleOrg, f.VisibleReviewer, f.ExcludeDrafts, st, s(f.OrgID),
		s(f.RiskTier), s(f.Q), f.Thresholds.DueSoon, f.Thresholds.Critical)
}

func (c *bandCache) get(key string, gen uint64, now int64) (map[clock.Band]int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.m[key]
	if !ok || m.gen != gen || now < m.from || now >= m.until {
		return nil, false
	}
	out := make(map[clock.Band]int, len(m.counts))
	for b, n := range m.counts {
		out[b] = n
	}
	return out, true
}

func (c *bandCache) put(key string, m bandMemory) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxBandFilters {
		c.m = map[string]bandMemory{}
	}
	if old, ok := c.m[key]; ok && old.gen > m.gen {
		return // a later generation is there already
	}
	c.m[key] = m
}

// CountBands counts per band, closed cases included, in one query over the
// indexed deadline; remembered counts answer when they still hold.
func (t caseRepo) CountBands(f app.CaseFilter) (map[clock.Band]int, error) {
	f.Band, f.OpenOnly = nil, false
	now := ms(f.Now)
	cached := t.store != nil && t.readOnly && !t.postgres
	key := ""
	if cached {
		key = bandKey(f)
		if counts, ok := t.store.bands.get(key, t.gen, now); ok {
			return counts, nil
		}
	}
	where, args := caseWhere(f, now)
	crit, soon := f.Thresholds.Critical.Milliseconds(), f.Thresholds.DueSoon.Milliseconds()
	args["crit"], args["soon"] = now+crit, now+soon
	band := `CASE WHEN cases.status IN ('decided', 'withdrawn') THEN 'closed'
WHEN cases.open_stop_at IS NOT NULL THEN 'paused'
WHEN cases.deadline_key < @now THEN 'overdue'
WHEN cases.deadline_key <= @crit THEN 'critical'
WHEN cases.deadline_key <= @soon THEN 'due_soon'
ELSE 'on_track' END`
	// The next instants at which a running case changes band.
	running := `cases.status IN ('submitted', 'in_review', 'awaiting_lab') AND cases.open_stop_at IS NULL AND `
	var rows []struct {
		Band      string
		N         int
		NextLapse *int64
		NextCrit  *int64
		NextSoon  *int64
	}
	err := t.db.Raw(`SELECT `+band+` AS band, COUNT(*) AS n,
MIN(CASE WHEN `+running+`cases.deadline_key >= @now THEN cases.deadline_key END) AS next_lapse,
MIN(CASE WHEN `+running+`cases.deadline_key > @crit THEN cases.deadline_key END) AS next_crit,
MIN(CASE WHEN `+running+`cases.deadline_key > @soon THEN cases.deadline_key END) AS next_soon
FROM cases WHERE cases.status <> 'draft' AND `+where+` GROUP BY 1`, args).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := map[clock.Band]int{}
	until := int64(math.MaxInt64)
	for _, r := range rows {
		out[clock.Band(r.Band)] = r.N
		if r.NextLapse != nil {
			until = min(until, *r.NextLapse+1)
		}
		if r.NextCrit != nil {
			until = min(until, *r.NextCrit-crit)
		}
		if r.NextSoon != nil {
			until = min(until, *r.NextSoon-soon)
		}
	}
	if cached {
		counts := make(map[clock.Band]int, len(out))
		for b, n := range out {
			counts[b] = n
		}
		t.store.bands.put(key, bandMemory{gen: t.gen, from: now, until: until, counts: counts})
	}
	return out, nil
}
