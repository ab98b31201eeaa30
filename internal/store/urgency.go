package store

import (
	"fmt"
	"slices"
	"strings"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// The dashboard's order, most urgent first, read from indexes.
//
// A case's urgency (the urgency expression in cases.go) is its remaining
// time: deadline_key − now while its clock runs, deadline_key − open_stop_at
// while stopped, and closedUrgency once closed. One ORDER BY over that
// expression sorts every matching case on every request. But within each
// kind the order is an index order: running cases by deadline_key (the
// partial index cases_running), stopped ones by deadline_key − open_stop_at
// (cases_paused), closed ones by id. So each kind is read in its index's
// order, only as far as the page needs, and the kinds are merged here by
// (urgency, id): the same order as the ORDER BY, at the cost of a page
// rather than of every case. SQLite only: there the ids compare byte by byte
// as Go's strings do; PostgreSQL's collation may not.

// closedUrgency is the urgency of a closed case: after every open one.
const closedUrgency int64 = 9000000000000000

// urgent is one case of an urgency-ordered list.
type urgent struct {
	id string
	k  int64 // urgency
}

// byUrgency reports whether f's urgency order can be read from the
// indexes: when no draft can match (drafts have no deadline).
func (t *tx) byUrgency(f app.CaseFilter) bool {
	if f.Status != nil {
		return *f.Status != docket.StatusDraft
	}
	return f.OpenOnly || f.ExcludeDrafts
}

// urgentQuery is one stream of urgentIDs: a query reading ids and keys in
// key order, and what turns its key into the urgency.
type urgentQuery struct {
	name  string // running, paused or closed
	sql   string
	args  map[string]any
	shift int64 // urgency = key − shift
}

// urgentQueries builds the streams urgentIDs reads for f at now, after the
// cursor (from the start when after is nil), each at most n long. On SQLite
// (sqlite) the streams name their indexes; PostgreSQL's planner, which keeps
// statistics, chooses them itself.
func urgentQueries(f app.CaseFilter, now int64, after *cursor, n int, sqlite bool) []urgentQuery {
	open := f.Status == nil || f.Status.Open()
	closed := !f.OpenOnly && (f.Status == nil || f.Status.Final())
	running, paused := open, open
	if f.Band != nil {
		running = running && *f.Band != clock.Paused && *f.Band != clock.Closed
		paused = paused && *f.Band == clock.Paused
		closed = closed && *f.Band == clock.Closed
	}
	// A filter that narrows to one organisation or one reviewer's cases is
	// best served by its own index; otherwise the streams' indexes are named,
	// since without statistics SQLite would not know to prefer them.
	hint := sqlite && f.VisibleOrg == "" && f.VisibleReviewer == "" && f.OrgID == nil
	var out []urgentQuery
	stream := func(name, index, cond, key string, shift int64) {
		where, args := caseWhere(f, now)
		from := "cases"
		if hint {
			from += " INDEXED BY " + index
		}
		if after != nil {
			where += " AND " + key + " >= @ck AND (" + key + " > @ck OR cases.id > @cid)"
			args["ck"], args["cid"] = after.K+shift, after.ID
		}
		args["n"] = n
		out = append(out, urgentQuery{name: name, args: args, shift: shift,
			sql: `SELECT cases.id AS id, ` + key + ` AS k FROM ` + from + ` WHERE ` + cond + ` AND ` + where +
				` ORDER BY ` + key + `, cases.id LIMIT @n`})
	}
	const openStates = `cases.status IN ('submitted', 'in_review', 'awaiting_lab')`
	if running {
		// The key is the deadline; urgency is the key minus now.
		stream("running", "cases_running", openStates+" AND cases.open_stop_at IS NULL", "cases.deadline_key", now)
	}
	if paused {
		stream("paused", "cases_paused", openStates+" AND cases.open_stop_at IS NOT NULL", "(cases.deadline_key - cases.open_stop_at)", 0)
	}
	if closed && (after == nil || after.K <= closedUrgency) {
		where, args := caseWhere(f, now)
		if after != nil && after.K == closedUrgency {
			where += " AND cases.id > @cid"
			args["cid"] = after.ID
		}
		args["n"] = n
		out = append(out, urgentQuery{name: "closed", args: args, shift: -closedUrgency,
			sql: `SELECT cases.id AS id, 0 AS k FROM cases WHERE cases.status IN ('decided', 'withdrawn') AND ` + where +
				` ORDER BY cases.id LIMIT @n`})
	}
	return out
}

// urgentIDs returns, in urgency order at now, up to n cases matching f that
// come after the cursor (from the start when after is nil).
func (t *tx) urgentIDs(f app.CaseFilter, now int64, after *cursor, n int) ([]urgent, error) {
	var out []urgent
	m := t.memo()
	for _, uq := range urgentQueries(f, now, after, n, !t.postgres) {
		// What a stream reads does not depend on now unless its query does
		// (a band's range): remembered by its query and arguments.
		key := ""
		if m != nil {
			key = namedKey(uq.sql, uq.args)
			if keys, ok := m.streams.get(key, t.ver.Board); ok {
				for _, u := range keys {
					out = append(out, urgent{id: u.id, k: u.k - uq.shift})
				}
				continue
			}
		}
		rows, err := scanAll[struct {
			ID string
			K  int64
		}](t.named(uq.sql, uq.args))
		if err != nil {
			return nil, err
		}
		keys := make([]urgent, len(rows))
		for i, r := range rows {
			keys[i] = urgent{id: r.ID, k: r.K}
			out = append(out, urgent{id: r.ID, k: r.K - uq.shift})
		}
		if m != nil {
			m.streams.put(key, t.ver.Board, keys)
		}
	}
	slices.SortFunc(out, func(a, b urgent) int {
		if a.k != b.k {
			if a.k < b.k {
				return -1
			}
			return 1
		}
		return strings.Compare(a.id, b.id)
	})
	return out[:min(n, len(out))], nil
}

// casesInOrder loads the cases of ids, with their organisations' names and
// their reviewers, in the order of ids.
func (t *tx) casesInOrder(ids []urgent) ([]*docket.Case, error) {
	out := make([]*docket.Case, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	byID := make(map[string]*docket.Case, len(ids))
	var args []any
	m := t.memo()
	for _, u := range ids {
		if m != nil {
			if c, ok := m.cases.get(u.id, t.ver.Cases); ok {
				byID[u.id] = copyCase(c)
				continue
			}
		}
		args = append(args, u.id)
	}
	if len(args) > 0 {
		rows, err := scanRows[caseFullRow](t.query(`SELECT cases.*, orgs.name AS org_name, `+t.reviewerList()+
			` FROM cases JOIN orgs ON orgs.id = cases.org_id WHERE cases.id IN (?`+strings.Repeat(", ?", len(args)-1)+`)`, args...))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			c := t.caseOf(r)
			byID[r.ID] = c
			if m != nil {
				m.cases.put(r.ID, t.ver.Cases, copyCase(c))
			}
		}
	}
	for _, u := range ids {
		if c, ok := byID[u.id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// listUrgent is ListCases in urgency order, read by urgentIDs.
func (t *tx) listUrgent(f app.CaseFilter, p app.Page, now int64, after *cursor) ([]*docket.Case, string, error) {
	ids, err := t.urgentIDs(f, now, after, p.Limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(ids) > p.Limit {
		ids = ids[:p.Limit]
		last := ids[len(ids)-1]
		next = encodeCursor(cursor{K: last.k, ID: last.id, At: now})
	}
	out, err := t.casesInOrder(ids)
	return out, next, err
}

// boardUrgent is BoardCases in urgency order, read by urgentIDs; the total
// comes from the band counts when they give it.
func (t *tx) boardUrgent(f app.CaseFilter, offset, limit int) ([]*docket.Case, int, error) {
	now := ms(f.Now)
	total := -1
	if f.Status == nil && (f.OpenOnly || f.Band != nil) {
		counts, err := t.Cases().CountBands(f)
		if err != nil {
			return nil, 0, err
		}
		total = 0
		for b, n := range counts {
			if (f.Band != nil && b == *f.Band) || (f.Band == nil && b != clock.Closed) {
				total += n
			}
		}
	} else {
		where, args := caseWhere(f, now)
		if err := t.named(`SELECT COUNT(*) FROM cases WHERE `+where, args).Scan(&total).Error; err != nil {
			return nil, 0, err
		}
	}
	ids, err := t.urgentIDs(f, now, nil, offset+limit)
	if err != nil {
		return nil, 0, err
	}
	ids = ids[min(offset, len(ids)):]
	out, err := t.casesInOrder(ids)
	return out, total, err
}

// namedKey identifies a query with named arguments: its text and the
// arguments it names, in name order.
func namedKey(q string, args map[string]any) string {
	names := make([]string, 0, len(args))
	for name := range args {
		if strings.Contains(q, "@"+name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	b.WriteString(q)
	for _, name := range names {
		fmt.Fprintf(&b, "\x00%s=%#v", name, args[name])
	}
	return b.String()
}
