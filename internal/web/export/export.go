// Package export writes what the API and the pages both hand out as files and
// feeds: the dashboard as CSV, and the Clearinghouse catalogue as its feed
// view and as CSV.
package export

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

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

// CSVCell neutralises cells a spreadsheet would run as a formula.
func CSVCell(s string) string {
	if s != "" && strings.ContainsAny(s[:1], "=+-@\t\r") {
		return "'" + s
	}
	return s
}

// DashboardCSV answers with the cases as the dashboard's CSV, every cell
// neutralised against formulas; the risk tier only to agency roles.
func DashboardCSV(c echo.Context, role docket.Role, items []*app.CaseView) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="docket-dashboard.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	head := []string{"number", "lab", "model", "version", "status", "band", "received_at", "due_at", "remaining_seconds", "release_conflict"}
	if role != docket.RoleLabMember {
		head = append(head, "risk_tier")
	}
	_ = w.Write(head)
	for _, v := range items {
		cs := v.Case
		row := []string{cs.Number, cs.OrgName, cs.ModelName, cs.ModelVersion, string(cs.Status), "", "", "", "", ""}
		if v.Clock != nil {
			row[5], row[6], row[7] = string(v.Clock.Band), httpx.Instant(v.Clock.ReceivedAt), httpx.Instant(v.Clock.DueAt)
			row[8] = fmt.Sprintf("%.3f", httpx.Seconds(v.Clock.Remaining))
			row[9] = fmt.Sprint(v.Clock.ReleaseConflict)
		}
		if role != docket.RoleLabMember {
			row = append(row, cs.RiskTier)
		}
		for i := range row {
			row[i] = CSVCell(row[i])
		}
		_ = w.Write(row)
	}
	w.Flush()
	return w.Error()
}

// ClearinghouseCSV answers with the entries as CSV, the feed's field
// names as the header, every cell neutralised against formulas.
func ClearinghouseCSV(c echo.Context, cat *app.Catalog) error {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="docket-clearinghouse.csv"`)
	c.Response().WriteHeader(http.StatusOK)
	w := csv.NewWriter(c.Response())
	_ = w.Write(clearinghouseCSVHead)
	for _, e := range Catalog(cat).Vulnerabilities {
		_ = w.Write(e.csvRow())
	}
	w.Flush()
	return w.Error()
}

// ReadCatalog reads the Clearinghouse for the request with read (the
// Clearinghouse service's Clearinghouse): q is its only parameter, any other
// is refused (400 naming it).
func ReadCatalog(c echo.Context, read func(ctx context.Context, a docket.Actor, q string) (*app.Catalog, error)) (*app.Catalog, error) {
	for name := range c.QueryParams() {
		if name != "q" {
			return nil, docket.FieldError(name, "is not a parameter of the Clearinghouse (it takes q)")
		}
	}
	return read(c.Request().Context(), httpx.MustActor(c), c.QueryParam("q"))
}
