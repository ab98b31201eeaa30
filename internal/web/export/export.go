// Package export writes what the API and the pages both hand out as files and
// feeds: the dashboard as CSV, and the Clearinghouse catalogue as its feed
// view and as CSV.
package export

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
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
	vendor, product := e.FeedNames()
	return Entry{ID: e.ID, CveID: e.CVEID, VendorProject: vendor, Product: product,
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

// clearinghouseCSVHead is the CSV's header row: KEV's columns first, in
// KEV's order (its CSV's), then Docket's.
var clearinghouseCSVHead = []string{"cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded",
	"shortDescription", "requiredAction", "dueDate", "knownRansomwareCampaignUse", "notes", "cwes",
	"id", "subject", "category", "severity", "atlasTechnique", "tlp"}

// csvRow is an entry as a CSV row: all of it text.
func (e Entry) csvRow() []Cell {
	atlas := ""
	if e.AtlasTechnique != nil {
		atlas = *e.AtlasTechnique
	}
	return Texts(e.CveID, e.VendorProject, e.Product, e.VulnerabilityName, e.DateAdded, e.ShortDescription,
		e.RequiredAction, e.DueDate, KEVRansomwareUnknown, e.Notes, "", e.ID, e.Subject, e.Category, e.Severity, atlas, e.TLP)
}

// KEVRansomwareUnknown is KEV's knownRansomwareCampaignUse for every entry:
// Docket knows of no ransomware campaign.
const KEVRansomwareUnknown = "Unknown"

// KEVFeed is the strict KEV catalogue: CISA's fields only, so that a KEV
// consumer reads it unchanged.
type KEVFeed struct {
	Title           string     `json:"title"`
	CatalogVersion  string     `json:"catalogVersion"`
	DateReleased    string     `json:"dateReleased"`
	Count           int        `json:"count"`
	Vulnerabilities []KEVEntry `json:"vulnerabilities"`
}

// KEVEntry is one vulnerability as KEV lists it.
type KEVEntry struct {
	CveID                      string   `json:"cveID"`
	VendorProject              string   `json:"vendorProject"`
	Product                    string   `json:"product"`
	VulnerabilityName          string   `json:"vulnerabilityName"`
	DateAdded                  string   `json:"dateAdded"`
	ShortDescription           string   `json:"shortDescription"`
	RequiredAction             string   `json:"requiredAction"`
	DueDate                    string   `json:"dueDate"`
	KnownRansomwareCampaignUse string   `json:"knownRansomwareCampaignUse"`
	Notes                      string   `json:"notes"`
	CWEs                       []string `json:"cwes"`
}

// KEV is the strict KEV catalogue of cat (the Clearinghouse service's KEV):
// only entries with a CVE id.
func KEV(cat *app.Catalog) KEVFeed {
	out := KEVFeed{Title: clearinghouseTitle, CatalogVersion: cat.Version, DateReleased: httpx.Instant(*cat.Released),
		Vulnerabilities: make([]KEVEntry, 0, len(cat.Entries))}
	for i := range cat.Entries {
		e := &cat.Entries[i]
		if e.CVEID == "" {
			continue
		}
		vendor, product := e.FeedNames()
		notes := e.Notes
		if notes == "" {
			notes = e.ID
		} else {
			notes += "; " + e.ID
		}
		out.Vulnerabilities = append(out.Vulnerabilities, KEVEntry{CveID: e.CVEID, VendorProject: vendor, Product: product,
			VulnerabilityName: e.VulnerabilityName, DateAdded: e.DateAdded.String(), ShortDescription: e.ShortDescription,
			RequiredAction: e.RequiredAction, DueDate: e.DueDate.String(), KnownRansomwareCampaignUse: KEVRansomwareUnknown,
			Notes: notes, CWEs: []string{}})
	}
	out.Count = len(out.Vulnerabilities)
	return out
}

// Cell is one CSV cell: text, which a spreadsheet might run as a formula, or
// a number or boolean written as such.
type Cell struct {
	value string
	raw   bool
}

// Text is a text cell.
func Text(s string) Cell { return Cell{value: s} }

// Texts are text cells.
func Texts(ss ...string) []Cell {
	out := make([]Cell, len(ss))
	for i, s := range ss {
		out[i] = Text(s)
	}
	return out
}

// Number is a number cell in the fewest digits that read back as v (so
// -410550.262 stays a number a spreadsheet can sort and sum).
func Number(v float64) Cell { return Cell{value: strconv.FormatFloat(v, 'f', -1, 64), raw: true} }

// Bool is a boolean cell: true or false.
func Bool(v bool) Cell { return Cell{value: strconv.FormatBool(v), raw: true} }

// CSVCell neutralises a text cell a spreadsheet would run as a formula: one
// beginning with =, +, -, @, a tab or a carriage return gets a leading '.
func CSVCell(s string) string {
	if s != "" && strings.ContainsAny(s[:1], "=+-@\t\r") {
		return "'" + s
	}
	return s
}

// CSV writes a file of RFC 4180 rows (CRLF line ends), text cells neutralised
// against formulas and numbers and booleans as they are.
type CSV struct {
	w *csv.Writer
}

// NewCSV answers 200 with a CSV attachment named filename; with bom, the
// file begins with a UTF-8 byte order mark for the spreadsheet programs that
// need one to read UTF-8.
func NewCSV(c echo.Context, filename string, bom bool) *CSV {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	c.Response().WriteHeader(http.StatusOK)
	if bom {
		_, _ = c.Response().Write([]byte("\ufeff"))
	}
	w := csv.NewWriter(c.Response())
	w.UseCRLF = true
	return &CSV{w: w}
}

// Row writes one row.
func (f *CSV) Row(cells []Cell) {
	row := make([]string, len(cells))
	for i, cl := range cells {
		row[i] = cl.value
		if !cl.raw {
			row[i] = CSVCell(cl.value)
		}
	}
	_ = f.w.Write(row)
}

// Close flushes the file and reports a failed write.
func (f *CSV) Close() error {
	f.w.Flush()
	return f.w.Error()
}

// BOM reads the CSV routes' bom parameter: true or false (default false);
// anything else is refused, naming it.
func BOM(c echo.Context) (bool, error) {
	switch c.QueryParam("bom") {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, docket.Unacceptable("bom", "the bom parameter must be true or false")
}

// DashboardCSV answers with the cases as the dashboard's CSV; the risk tier
// only to agency roles. After the first columns (kept in their order for the
// files people already read) come the deadline in the case's agency zone
// beside its UTC due_at, that zone's name, and, for agency roles, the case
// lead and the reviewers by name (names maps the review team's ids).
func DashboardCSV(c echo.Context, role docket.Role, items []*app.CaseView, names map[string]string, bom bool) error {
	f := NewCSV(c, "docket-dashboard.csv", bom)
	agency := role != docket.RoleLabMember
	head := []string{"number", "lab", "model", "version", "status", "band", "received_at", "due_at", "remaining_seconds", "release_conflict"}
	if agency {
		head = append(head, "risk_tier")
	}
	head = append(head, "due_at_local", "timezone")
	if agency {
		head = append(head, "lead", "reviewers")
	}
	f.Row(Texts(head...))
	for _, v := range items {
		cs := v.Case
		row := Texts(cs.Number, cs.OrgName, cs.ModelName, cs.ModelVersion, string(cs.Status), "", "", "", "", "")
		local, zone := Text(""), Text("")
		if v.Clock != nil {
			row[5], row[6], row[7] = Text(string(v.Clock.Band)), Text(httpx.Instant(v.Clock.ReceivedAt)), Text(httpx.Instant(v.Clock.DueAt))
			row[8] = Number(httpx.Seconds(v.Clock.Remaining))
			row[9] = Bool(v.Clock.ReleaseConflict)
			local = Text(v.Clock.DueAt.In(cs.Clock.Location()).Format(localInstant))
			zone = Text(cs.Clock.Timezone)
		}
		if agency {
			row = append(row, Text(cs.RiskTier))
		}
		row = append(row, local, zone)
		if agency {
			var reviewers []string
			for _, id := range cs.ReviewerIDs {
				reviewers = append(reviewers, names[id])
			}
			row = append(row, Text(names[cs.LeadID]), Text(strings.Join(reviewers, "; ")))
		}
		f.Row(row)
	}
	return f.Close()
}

// localInstant is an instant in a zone, to the millisecond, with its offset
// (RFC 3339): 2026-07-02T23:59:59.999-04:00.
const localInstant = "2006-01-02T15:04:05.000Z07:00"

// ClearinghouseCSV writes the entries as CSV: KEV's columns first, in KEV's
// order, then Docket's; with bom, a UTF-8 byte order mark first.
func ClearinghouseCSV(cat *app.Catalog, bom bool) ([]byte, error) {
	var buf bytes.Buffer
	if bom {
		buf.WriteString("\ufeff")
	}
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	f := &CSV{w: w}
	f.Row(Texts(clearinghouseCSVHead...))
	for _, e := range Catalog(cat).Vulnerabilities {
		f.Row(e.csvRow())
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ServeClearinghouseCSV answers with the entries as CSV (ClearinghouseCSV),
// an attachment, for polling (httpx.Polled).
func ServeClearinghouseCSV(c echo.Context, cat *app.Catalog, bom bool) error {
	body, err := ClearinghouseCSV(cat, bom)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="docket-clearinghouse.csv"`)
	return httpx.Polled(c, "text/csv; charset=utf-8", body, *cat.Released)
}

// ReadCatalog reads the Clearinghouse for the request with read (the
// Clearinghouse service's Clearinghouse): q is its only parameter, besides
// the extra ones named (bom for the CSV); any other is refused (400 naming
// it).
func ReadCatalog(c echo.Context, read func(ctx context.Context, a docket.Actor, q string) (*app.Catalog, error), extra ...string) (*app.Catalog, error) {
	for name := range c.QueryParams() {
		if name != "q" && !slices.Contains(extra, name) {
			return nil, docket.FieldError(name, "is not a parameter of the Clearinghouse (it takes q)")
		}
	}
	return read(c.Request().Context(), httpx.MustActor(c), c.QueryParam("q"))
}
