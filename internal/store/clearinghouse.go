package store

import (
	"slices"
	"strings"
	"time"

	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

type clearinghouseRow struct {
	ID                string
	FindingID         string
	CaseID            string
	Subject           string
	VendorProject     string
	Product           string
	CveID             string
	VulnerabilityName string
	ShortDescription  string
	RequiredAction    string
	DueDate           string
	Notes             string
	RedactLab         bool
	Category          string
	Severity          string
	AtlasTechnique    string
	Tlp               string
	DateAdded         string
	PublishedBy       string
	PublishedAt       int64
}

func (clearinghouseRow) TableName() string { return "clearinghouse_entries" }

func (r clearinghouseRow) domain() docket.ClearinghouseEntry {
	due, _ := clock.ParseDate(r.DueDate)
	added, _ := clock.ParseDate(r.DateAdded)
	return docket.ClearinghouseEntry{ID: r.ID, FindingID: r.FindingID, CaseID: r.CaseID, Subject: r.Subject,
		VendorProject: r.VendorProject, Product: r.Product, CVEID: r.CveID, VulnerabilityName: r.VulnerabilityName,
		ShortDescription: r.ShortDescription, RequiredAction: r.RequiredAction, DueDate: due, Notes: r.Notes,
		RedactLab: r.RedactLab, Category: r.Category, Severity: r.Severity, AtlasTechnique: r.AtlasTechnique, TLP: r.Tlp,
		DateAdded: added, PublishedBy: r.PublishedBy, PublishedAt: tm(r.PublishedAt)}
}

func (t clearinghouseRepo) NextClearinghouseNumber(year int) (int, error) {
	if err := t.db.Exec(`INSERT INTO clearinghouse_counters (year, last) VALUES (?, 0) ON CONFLICT (year) DO NOTHING`, year).Error; err != nil {
		return 0, err
	}
	if err := t.db.Exec(`UPDATE clearinghouse_counters SET last = last + 1 WHERE year = ?`, year).Error; err != nil {
		return 0, err
	}
	var n int
	err := t.db.Raw(`SELECT last FROM clearinghouse_counters WHERE year = ?`, year).Scan(&n).Error
	return n, err
}

// CreateClearinghouseEntry stores the entry and marks its finding published.
func (t clearinghouseRepo) CreateClearinghouseEntry(e *docket.ClearinghouseEntry) error {
	r := clearinghouseRow{ID: e.ID, FindingID: e.FindingID, CaseID: e.CaseID, Subject: e.Subject,
		VendorProject: e.VendorProject, Product: e.Product, CveID: e.CVEID, VulnerabilityName: e.VulnerabilityName,
		ShortDescription: e.ShortDescription, RequiredAction: e.RequiredAction, DueDate: e.DueDate.String(), Notes: e.Notes,
		RedactLab: e.RedactLab, Category: e.Category, Severity: e.Severity, AtlasTechnique: e.AtlasTechnique, Tlp: e.TLP,
		DateAdded: e.DateAdded.String(), PublishedBy: e.PublishedBy, PublishedAt: ms(e.PublishedAt)}
	if err := translate(t.db.Create(&r).Error); err != nil {
		return err
	}
	return t.db.Exec(`UPDATE findings SET clearinghouse_id = ? WHERE id = ?`, e.ID, e.FindingID).Error
}

// ListClearinghouse returns the entries, newest first; q, when not blank,
// keeps those with it in their id, CVE id, vendor, product, name,
// description, notes or ATLAS technique (case-insensitive).
func (t clearinghouseRepo) ListClearinghouse(q string) ([]docket.ClearinghouseEntry, error) {
	db := t.db.Model(&clearinghouseRow{}).Order("published_at DESC, id DESC")
	if q = strings.TrimSpace(q); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(q)) + "%"
		var conds []string
		var args []any
		for _, col := range []string{"id", "cve_id", "vendor_project", "product", "vulnerability_name", "short_description",
			"notes", "atlas_technique"} {
			conds = append(conds, "LOWER("+col+`) LIKE ? ESCAPE '\'`)
			args = append(args, like)
		}
		db = db.Where("("+strings.Join(conds, " OR ")+")", args...)
	}
	// The feed is read whole by every client: remembered between writes (memo.go).
	m := t.memo()
	if m != nil {
		if entries, ok := m.clearinghouse.get(q, t.ver.Clearinghouse); ok {
			return slices.Clone(entries), nil
		}
	}
	rows, err := scanAll[clearinghouseRow](db)
	if err != nil {
		return nil, err
	}
	out := make([]docket.ClearinghouseEntry, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	if m != nil {
		m.clearinghouse.put(q, t.ver.Clearinghouse, slices.Clone(out))
	}
	return out, nil
}

// ClearinghouseHead returns the latest publication's instant (nil for an
// empty catalog) and how many entries were added on its date.
func (t clearinghouseRepo) ClearinghouseHead() (*time.Time, int, error) {
	m := t.memo()
	if m != nil {
		if h, ok := m.clearinghouseHead.get("", t.ver.Clearinghouse); ok {
			if h.at == nil {
				return nil, 0, nil
			}
			at := *h.at
			return &at, h.n, nil
		}
	}
	at, n, err := t.clearinghouseHead()
	if err == nil && m != nil {
		m.clearinghouseHead.put("", t.ver.Clearinghouse, catalogHead{at: at, n: n})
	}
	return at, n, err
}

func (t *tx) clearinghouseHead() (*time.Time, int, error) {
	var rows []clearinghouseRow
	if err := t.db.Order("published_at DESC, id DESC").Limit(1).Find(&rows).Error; err != nil || len(rows) == 0 {
		return nil, 0, err
	}
	var n int
	if err := t.db.Raw(`SELECT COUNT(*) FROM clearinghouse_entries WHERE date_added = ?`, rows[0].DateAdded).Scan(&n).Error; err != nil {
		return nil, 0, err
	}
	at := tm(rows[0].PublishedAt)
	return &at, n, nil
}

// ClearinghouseOrigin returns the instant of the first start (nil when it
// was never recorded).
func (t clearinghouseRepo) ClearinghouseOrigin() (*time.Time, error) {
	var at []int64
	if err := t.db.Raw(`SELECT started_at FROM clearinghouse_origin WHERE id = 1`).Scan(&at).Error; err != nil || len(at) == 0 {
		return nil, err
	}
	o := tm(at[0])
	return &o, nil
}

// RecordClearinghouseOrigin records at as the first start's instant unless
// one is recorded already.
func (t clearinghouseRepo) RecordClearinghouseOrigin(at time.Time) error {
	return t.db.Exec(`INSERT INTO clearinghouse_origin (id, started_at) VALUES (1, ?) ON CONFLICT (id) DO NOTHING`, ms(at)).Error
}
