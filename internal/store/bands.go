package store

import (
	"fmt"
	"math"
	"strings"
	"sync"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
)

// The dashboard's count of each band, remembered between requests.
//
// Counting reads no more than the open cases (countBands): the running and
// paused ones from their partial indexes, the closed ones from the counts
// the database keeps per organisation. Even so the dashboard and the board
// would count on every request, yet the counts change only when a case
// changes, which Docket's own writes do (SQLite serves one process), or when
// the clock carries a running case across a threshold, at an instant known
// in advance: its deadline key minus the due-soon or the critical
// threshold, or just after the key. So a count made at t0 is remembered
// with the store's write generation and the first such crossing after t0,
// and it answers any read transaction that began at the same generation at
// an instant from t0 up to that crossing: exactly what counting again would
// give. PostgreSQL, written by several replicas, and write transactions,
// which see their own changes, always count.

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

// CountBands counts per band, closed cases included (countBands); remembered
// counts answer when they still hold.
func (t caseRepo) CountBands(f app.CaseFilter) (map[clock.Band]int, error) {
	f.Band, f.OpenOnly = nil, false
	now := ms(f.Now)
	cached := t.memo() != nil
	key := ""
	if cached {
		key = bandKey(f)
		if counts, ok := t.store.bands.get(key, t.ver.Board, now); ok {
			return counts, nil
		}
	}
	out, until, err := t.countBands(f, now)
	if err != nil {
		return nil, err
	}
	if cached {
		counts := make(map[clock.Band]int, len(out))
		for b, n := range out {
			counts[b] = n
		}
		t.store.bands.put(key, bandMemory{gen: t.ver.Board, from: now, until: until, counts: counts})
	}
	return out, nil
}

// countBands counts f's cases per band at now in one statement of three
// parts, none a pass over every case: the running cases over their partial
// index (cases_running, by deadline), the paused ones over theirs
// (cases_paused), both of which hold open cases only, and the closed ones
// from the counts the database keeps per organisation (closed_counts,
// migration 0011) when f narrows by organisation at most, else by counting
// them. It returns, besides, the first instant after now at which a running
// case changes band (bands then need counting again).
func (t caseRepo) countBands(f app.CaseFilter, now int64) (map[clock.Band]int, int64, error) {
	q, args := bandsQuery(f, now, !t.postgres)
	crit, soon := f.Thresholds.Critical.Milliseconds(), f.Thresholds.DueSoon.Milliseconds()
	var rows []struct {
		Part                       string
		N, Overdue, Critical, Soon int
		NextLapse                  *int64
		NextCrit                   *int64
		NextSoon                   *int64
	}
	if err := t.db.Raw(q, args).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := map[clock.Band]int{}
	until := int64(math.MaxInt64)
	put := func(b clock.Band, n int) {
		if n > 0 {
			out[b] = n
		}
	}
	for _, r := range rows {
		switch r.Part {
		case "running":
			put(clock.Overdue, r.Overdue)
			put(clock.Critical, r.Critical)
			put(clock.DueSoon, r.Soon)
			// The rest, a running case with no deadline included, is on track.
			put(clock.OnTrack, r.N-r.Overdue-r.Critical-r.Soon)
		case "paused":
			put(clock.Paused, r.N)
		case "closed":
			put(clock.Closed, r.N)
		}
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
	return out, until, nil
}

// bandsQuery is countBands' statement for f at now; on SQLite (sqlite) it
// names the partial indexes, as urgentQueries does.
func bandsQuery(f app.CaseFilter, now int64, sqlite bool) (string, map[string]any) {
	// Each part names the states it counts, none of them a draft: the
	// filter's own "not a draft" and "open" would only make SQLite read
	// each case's row beside the index, which holds what is counted.
	f.ExcludeDrafts, f.OpenOnly = false, false
	where, args := caseWhere(f, now)
	crit, soon := f.Thresholds.Critical.Milliseconds(), f.Thresholds.DueSoon.Milliseconds()
	args["crit"], args["soon"] = now+crit, now+soon
	const openStates = `cases.status IN ('submitted', 'in_review', 'awaiting_lab')`
	hint := func(index string) string {
		if !sqlite || f.VisibleOrg != "" || f.VisibleReviewer != "" || f.OrgID != nil {
			return "cases"
		}
		return "cases INDEXED BY " + index
	}
	closed := `SELECT 'closed', COUNT(*), 0, 0, 0, NULL, NULL, NULL FROM cases WHERE cases.status IN ('decided', 'withdrawn') AND ` + where
	if byOrg, ok := closedCountsWhere(f); ok {
		closed = `SELECT 'closed', COALESCE(SUM(closed_counts.n), 0), 0, 0, 0, NULL, NULL, NULL FROM closed_counts WHERE ` + byOrg
	}
	return `SELECT 'running' AS part, COUNT(*) AS n,
COUNT(CASE WHEN cases.deadline_key < @now THEN 1 END) AS overdue,
COUNT(CASE WHEN cases.deadline_key >= @now AND cases.deadline_key <= @crit THEN 1 END) AS critical,
COUNT(CASE WHEN cases.deadline_key > @crit AND cases.deadline_key <= @soon THEN 1 END) AS soon,
MIN(CASE WHEN cases.deadline_key >= @now THEN cases.deadline_key END) AS next_lapse,
MIN(CASE WHEN cases.deadline_key > @crit THEN cases.deadline_key END) AS next_crit,
MIN(CASE WHEN cases.deadline_key > @soon THEN cases.deadline_key END) AS next_soon
FROM ` + hint("cases_running") + ` WHERE ` + openStates + ` AND cases.open_stop_at IS NULL AND ` + where + `
UNION ALL SELECT 'paused', COUNT(*), 0, 0, 0, NULL, NULL, NULL FROM ` + hint("cases_paused") + ` WHERE ` + openStates + ` AND cases.open_stop_at IS NOT NULL AND ` + where + `
UNION ALL ` + closed, args
}

// closedCountsWhere is the condition on closed_counts that gives f's closed
// cases, when f narrows them by organisation at most; ok is false when f
// narrows them otherwise (a reviewer's cases, a status, a risk tier, a search).
func closedCountsWhere(f app.CaseFilter) (string, bool) {
	if f.VisibleReviewer != "" || f.Status != nil || f.RiskTier != nil || (f.Q != nil && strings.TrimSpace(*f.Q) != "") {
		return "", false
	}
	conds := []string{"1=1"}
	if f.VisibleOrg != "" {
		conds = append(conds, "closed_counts.org_id = @vorg")
	}
	if f.OrgID != nil {
		conds = append(conds, "closed_counts.org_id = @org")
	}
	return strings.Join(conds, " AND "), true
}
