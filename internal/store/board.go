package store

import (
	"strings"

	"gorm.io/gorm"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
)

// boardOrders are the ORDER BY clauses of app.BoardOrders; each ends on the id
// so that pages never overlap.
var boardOrders = map[string]string{
	"urgency": urgency + ", cases.id",
	"due": `(CASE WHEN cases.open_stop_at IS NOT NULL THEN cases.deadline_key + (@now - cases.open_stop_at)
ELSE cases.deadline_key END), cases.id`,
	"received":        "cases.received_at DESC, cases.id",
	"received_oldest": "cases.received_at, cases.id",
	"number":          "cases.number, cases.id",
	"lab":             "LOWER(orgs.name), orgs.id, " + urgency + ", cases.id",
	"risk": `(CASE cases.risk_tier WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'elevated' THEN 2 ELSE 3 END), ` +
		urgency + ", cases.id",
}

// reviewerChunk keeps the reviewer lookup under SQLite's bound on the
// parameters of one statement.
const reviewerChunk = 5000

// BoardCases returns one page of the cases matching f in the named order, and
// how many match in all.
func (t boardRepo) BoardCases(f app.CaseFilter, order string, offset, limit int) ([]*docket.Case, int, error) {
	by, ok := boardOrders[order]
	if !ok {
		return nil, 0, docket.Unacceptable("sort", "is not an order of the board")
	}
	if order == "urgency" && t.byUrgency(f) {
		return t.boardUrgent(f, offset, limit)
	}
	where, args := caseWhere(f, ms(f.Now))
	var total int64
	if err := t.named(`SELECT COUNT(*) FROM cases WHERE `+where, args).Scan(&total).Error; err != nil {
		return nil, 0, err
	}
	args["limit"], args["offset"] = limit, offset
	var rows []caseRow
	if err := t.named(caseSelect+" WHERE "+where+" ORDER BY "+by+" LIMIT @limit OFFSET @offset", args).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]*docket.Case, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	for i := 0; i < len(out); i += reviewerChunk {
		if err := t.loadReviewers(out[i:min(i+reviewerChunk, len(out))]); err != nil {
			return nil, 0, err
		}
	}
	return out, int(total), nil
}

// BoardLabs lists, by name, the organisations of the cases f lets through.
func (t boardRepo) BoardLabs(f app.CaseFilter) ([]docket.Org, error) {
	where, args := caseWhere(f, ms(f.Now))
	var rows []struct {
		ID   string
		Name string
		Kind string
	}
	// One probe of the org_id index per organisation, not a scan of every case.
	err := t.named(`SELECT orgs.id AS id, orgs.name AS name, orgs.kind AS kind FROM orgs
WHERE EXISTS (SELECT 1 FROM cases WHERE cases.org_id = orgs.id AND `+where+`) ORDER BY orgs.name, orgs.id`, args).Scan(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]docket.Org, len(rows))
	for i, r := range rows {
		out[i] = docket.Org{ID: r.ID, Name: r.Name, Kind: r.Kind}
	}
	return out, nil
}

// named runs a raw statement with named arguments; a statement that names
// none gets none (GORM would pass the map as one positional argument).
func (t *tx) named(sql string, args map[string]any) *gorm.DB {
	if !strings.Contains(sql, "@") {
		return t.db.Raw(sql)
	}
	return t.db.Raw(sql, args)
}
