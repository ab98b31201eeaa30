package web

import (
	"strconv"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// What leaves a review as JSON: amendments, benchmarks and their results,
// statements, and the Clearinghouse feed (camelCase, as CISA's KEV catalogue).

type amendmentJSON struct {
	ID     string `json:"id"`
	CaseID string `json:"case_id"`
	Status string `json:"status"`
	// Changes names the fields the amendment changes.
	Changes   []string `json:"changes"`
	OldDigest string   `json:"old_digest"`
	NewDigest *string  `json:"new_digest"`
	Summary   *string  `json:"summary"`
	// PlannedReleaseDate is null when unchanged or cleared (see changes).
	PlannedReleaseDate *string `json:"planned_release_date"`
	CreatedBy          string  `json:"created_by"`
	CreatedAt          string  `json:"created_at"`
	RestartClock       bool    `json:"restart_clock"`
	Note               *string `json:"note"`
	ResolvedBy         *string `json:"resolved_by"`
	ResolvedAt         *string `json:"resolved_at"`
}

func presentAmendment(m *docket.Amendment) amendmentJSON {
	out := amendmentJSON{ID: m.ID, CaseID: m.CaseID, Status: string(m.Status), Changes: m.Changes(),
		OldDigest: m.OldDigest, NewDigest: httpx.StrPtr(m.NewDigest), Summary: m.Summary, CreatedBy: m.CreatedBy,
		CreatedAt: httpx.Instant(m.CreatedAt), RestartClock: m.RestartClock, ResolvedBy: httpx.StrPtr(m.ResolvedBy), ResolvedAt: httpx.InstantPtr(m.ResolvedAt)}
	if out.Changes == nil {
		out.Changes = []string{}
	}
	if m.ReleaseDate != nil && !m.ReleaseDate.IsZero() {
		out.PlannedReleaseDate = httpx.StrPtr(m.ReleaseDate.String())
	}
	if m.ResolvedAt != nil {
		note := m.Note
		out.Note = &note
	}
	return out
}

type thresholdsJSON struct {
	Elevated float64 `json:"elevated"`
	High     float64 `json:"high"`
	Critical float64 `json:"critical"`
}

type benchmarkJSON struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Version         string         `json:"version"`
	Description     string         `json:"description"`
	Unit            *string        `json:"unit"`
	Min             *float64       `json:"min"`
	Max             *float64       `json:"max"`
	HigherIsRiskier bool           `json:"higher_is_riskier"`
	Thresholds      thresholdsJSON `json:"thresholds"`
}

func presentBenchmark(b docket.Benchmark) benchmarkJSON {
	return benchmarkJSON{ID: b.ID, Name: b.Name, Version: b.Version, Description: b.Description, Unit: httpx.StrPtr(b.Unit),
		Min: b.Min, Max: b.Max, HigherIsRiskier: b.HigherIsRiskier,
		Thresholds: thresholdsJSON{Elevated: b.Elevated, High: b.High, Critical: b.Critical}}
}

type benchmarkResultJSON struct {
	ID               string  `json:"id"`
	CaseID           string  `json:"case_id"`
	BenchmarkID      string  `json:"benchmark_id"`
	BenchmarkVersion string  `json:"benchmark_version"`
	Score            float64 `json:"score"`
	Tier             string  `json:"tier"`
	RunBy            string  `json:"run_by"`
	RunAt            string  `json:"run_at"`
	Notes            string  `json:"notes"`
	RecordedBy       string  `json:"recorded_by"`
	CreatedAt        string  `json:"created_at"`
}

func presentBenchmarkResult(r *docket.BenchmarkResult) benchmarkResultJSON {
	return benchmarkResultJSON{ID: r.ID, CaseID: r.CaseID, BenchmarkID: r.BenchmarkID, BenchmarkVersion: r.BenchmarkVersion,
		Score: r.Score, Tier: r.Tier, RunBy: r.RunBy, RunAt: r.RunAt.String(), Notes: r.Notes, RecordedBy: r.RecordedBy,
		CreatedAt: httpx.Instant(r.CreatedAt)}
}

type statementJSON struct {
	CaseID string `json:"case_id"`
	Kind   string `json:"kind"`
	// Statement is the JWS, compact serialization.
	Statement string `json:"statement"`
	KeyID     string `json:"kid"`
	IssuedAt  string `json:"issued_at"`
}

func presentStatement(st *docket.Statement) statementJSON {
	return statementJSON{CaseID: st.CaseID, Kind: st.Kind, Statement: st.Token, KeyID: st.KeyID, IssuedAt: httpx.Instant(st.IssuedAt)}
}

// The Clearinghouse feed's title.
const clearinghouseTitle = "AI Cybersecurity Clearinghouse Catalog"

// Feed is the Clearinghouse feed, shaped as CISA's KEV catalogue.
type Feed struct {
	Title           string  `json:"title"`
	CatalogVersion  string  `json:"catalogVersion"`
	DateReleased    *string `json:"dateReleased"`
	Count           int     `json:"count"`
	Vulnerabilities []Entry `json:"vulnerabilities"`
}

// Entry is one vulnerability: KEV's fields, then Docket's.
type Entry struct {
	ID                string  `json:"id"`
	CveID             string  `json:"cveID,omitempty"`
	VendorProject     string  `json:"vendorProject"`
	Product           string  `json:"product"`
	VulnerabilityName string  `json:"vulnerabilityName"`
	DateAdded         string  `json:"dateAdded"`
	ShortDescription  string  `json:"shortDescription"`
	RequiredAction    string  `json:"requiredAction"`
	DueDate           string  `json:"dueDate"`
	Notes             string  `json:"notes"`
	Subject           string  `json:"subject"`
	Category          string  `json:"category"`
	Severity          string  `json:"severity"`
	AtlasTechnique    *string `json:"atlasTechnique"`
	TLP               string  `json:"tlp"`
}

func presentEntry(e *docket.ClearinghouseEntry) Entry {
	return Entry{ID: e.ID, CveID: e.CVEID, VendorProject: e.VendorProject, Product: e.Product,
		VulnerabilityName: e.VulnerabilityName, DateAdded: e.DateAdded.String(), ShortDescription: e.ShortDescription,
		RequiredAction: e.RequiredAction, DueDate: e.DueDate.String(), Notes: e.Notes, Subject: e.Subject,
		Category: e.Category, Severity: e.Severity, AtlasTechnique: httpx.StrPtr(e.AtlasTechnique), TLP: e.TLP}
}

func Catalog(cat *app.Catalog) Feed {
	out := Feed{Title: clearinghouseTitle, CatalogVersion: cat.Version, DateReleased: httpx.InstantPtr(cat.Released),
		Count: len(cat.Entries), Vulnerabilities: make([]Entry, len(cat.Entries))}
	for i := range cat.Entries {
		out.Vulnerabilities[i] = presentEntry(&cat.Entries[i])
	}
	return out
}

// clearinghouseCSVHead is the CSV's header row: the feed's field names.
var clearinghouseCSVHead = []string{"id", "cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded",
	"shortDescription", "requiredAction", "dueDate", "notes", "subject", "category", "severity", "atlasTechnique", "tlp"}

// csvRow is an entry as a CSV row, every cell neutralised against formulas.
func (e Entry) csvRow() []string {
	atlas := ""
	if e.AtlasTechnique != nil {
		atlas = *e.AtlasTechnique
	}
	row := []string{e.ID, e.CveID, e.VendorProject, e.Product, e.VulnerabilityName, e.DateAdded, e.ShortDescription,
		e.RequiredAction, e.DueDate, e.Notes, e.Subject, e.Category, e.Severity, atlas, e.TLP}
	for i := range row {
		row[i] = CSVCell(row[i])
	}
	return row
}

// scoreText writes a score as compactly as it was given.
func scoreText(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
