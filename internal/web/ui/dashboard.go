package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/export"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The countdown board (/dashboard): every open case the user may see, with a
// live countdown, its band in colour and in words, risk tier, release
// conflicts, the count of each band, filters, sorting, a timeline of the
// review windows drawn on the server, and the same list as CSV.

const boardPerPage = 50

// boardSorts are the orders the board offers, as app.BoardOrders names them.
var boardSorts = []struct {
	key, label string
	agency     bool // offered to agency roles only
}{
	{key: "urgency", label: "Most urgent first"},
	{key: "due", label: "Deadline, earliest first"},
	{key: "received", label: "Received, newest first"},
	{key: "received_oldest", label: "Received, oldest first"},
	{key: "number", label: "Case number"},
	{key: "lab", label: "Lab, then most urgent", agency: true},
	{key: "risk", label: "Risk tier, highest first", agency: true},
}

// boardQuery is the board's query: the list filters, the order and the page.
type boardQuery struct {
	filter                           app.CaseFilter
	Status, Band, OrgID, RiskTier, Q string
	Sort                             string
	Page                             int
}

// parseBoardQuery reads and checks the board's query (400 or 422 naming a bad parameter).
// parseBoardQuery reads the board's filters, sort and page; extra names the
// route's other parameters (bom for the CSV).
func parseBoardQuery(c echo.Context, extra ...string) (boardQuery, error) {
	q := c.QueryParams()
	f, err := httpx.CaseFilterOf(q, append([]string{"sort", "page"}, extra...)...)
	if err != nil {
		return boardQuery{}, err
	}
	bq := boardQuery{filter: f, Status: q.Get("status"), Band: q.Get("band"), OrgID: q.Get("org_id"),
		RiskTier: q.Get("risk_tier"), Q: q.Get("q"), Sort: q.Get("sort"), Page: 1}
	agency := httpx.MustActor(c).Role != docket.RoleLabMember
	if bq.Sort == "" {
		bq.Sort = "urgency"
	}
	known := false
	for _, s := range boardSorts {
		known = known || (s.key == bq.Sort && (agency || !s.agency))
	}
	if !known {
		return bq, docket.Unacceptable("sort", "is not a way to sort this list")
	}
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			return bq, docket.Unacceptable("page", "must be a page number")
		}
		bq.Page = n
	}
	return bq, nil
}

// values is the query with the given parameter changed ("" removes it).
func (bq boardQuery) values(changes ...string) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("status", bq.Status)
	set("band", bq.Band)
	set("org_id", bq.OrgID)
	set("risk_tier", bq.RiskTier)
	set("q", bq.Q)
	if bq.Sort != "urgency" {
		set("sort", bq.Sort)
	}
	if bq.Page > 1 {
		v.Set("page", strconv.Itoa(bq.Page))
	}
	for i := 0; i+1 < len(changes); i += 2 {
		v.Del(changes[i])
		set(changes[i], changes[i+1])
	}
	return v
}

func href(path string, v url.Values) string {
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// board reads one page of the list the query asks for (limit 0: all of it).
func (h *DashboardPages) board(c echo.Context, bq boardQuery, limit int) (*app.Board, error) {
	offset := 0
	if limit == 0 {
		limit = app.MaxBoardCases
	} else {
		offset = (bq.Page - 1) * limit
	}
	return h.cases.Board(c.Request().Context(), httpx.MustActor(c), bq.filter, bq.Sort, offset, limit)
}

type bandCount struct {
	Band    clock.Band
	Label   string
	N       int
	Href    string
	Current bool
}

// bandCounts lists the count of every band, most urgent first, each linking
// to the board filtered on it.
func bandCounts(words view.BandWords, counts map[clock.Band]int, path string, v url.Values, current string) []bandCount {
	out := []bandCount{}
	for _, b := range view.BandOrder {
		q := url.Values{}
		for k, vals := range v {
			if k != "band" && k != "page" {
				q[k] = vals
			}
		}
		q.Set("band", string(b))
		out = append(out, bandCount{Band: b, Label: words.Of(b), N: counts[b], Href: href(path, q), Current: string(b) == current})
	}
	return out
}

type pager struct {
	Page, Pages, From, To int
	PrevHref, NextHref    string
}

// dashboardPage is the countdown board.
type dashboardPage struct {
	view.PageBase
	Heading   string
	Q         boardQuery
	Bands     []view.Option
	Labs      []view.Option
	Statuses  []view.Option
	Tiers     []view.Option
	Sorts     []view.Option
	Counts    []bandCount
	Rows      []view.CaseRow
	Total     int
	Pager     pager
	CSVHref   string
	ClearHref string
	Filtered  bool
	Timeline  *view.Timeline
	ShowLab   bool
	ShowTier  bool
}

func (h *DashboardPages) Dashboard(c echo.Context) error {
	a := httpx.MustActor(c)
	bq, err := parseBoardQuery(c)
	if err != nil {
		return err
	}
	b, err := h.board(c, bq, boardPerPage)
	if err != nil {
		return err
	}
	pages := max(1, (b.Total+boardPerPage-1)/boardPerPage)
	if bq.Page > pages {
		bq.Page = pages
		if b, err = h.board(c, bq, boardPerPage); err != nil {
			return err
		}
	}
	agency := a.Role != docket.RoleLabMember
	heading := "Countdown of every open review"
	if !agency {
		heading = "Countdown of our open reviews"
	} else if a.Role == docket.RoleReviewer {
		heading = "Countdown of my open reviews"
	}
	pg := dashboardPage{PageBase: h.r.Base(c, "Countdown"), Heading: heading, Q: bq, ShowLab: agency, ShowTier: agency,
		Total: b.Total}
	pg.Filtered = bq.Status != "" || bq.Band != "" || bq.OrgID != "" || bq.RiskTier != "" || bq.Q != ""
	pg.Bands = bandOptions(h.r.Bands(), bq.Band)
	pg.Statuses = statusOptions(docket.Statuses[1:], bq.Status)
	pg.Tiers = view.Options(docket.RiskTiers, view.TierLabels, bq.RiskTier)
	for _, o := range b.Labs {
		pg.Labs = append(pg.Labs, view.Option{Value: o.ID, Label: o.Name, Selected: o.ID == bq.OrgID})
	}
	for _, so := range boardSorts {
		if agency || !so.agency {
			pg.Sorts = append(pg.Sorts, view.Option{Value: so.key, Label: so.label, Selected: so.key == bq.Sort})
		}
	}
	pg.Counts = bandCounts(h.r.Bands(), b.Counts, "/dashboard", bq.values(), bq.Band)
	pg.CSVHref = href("/dashboard.csv", bq.values("page", ""))
	pg.ClearHref = "/dashboard"

	from := (bq.Page - 1) * boardPerPage
	pg.Pager = pager{Page: bq.Page, Pages: pages, From: from + 1, To: from + len(b.Items)}
	if bq.Page > 1 {
		pg.Pager.PrevHref = href("/dashboard", bq.values("page", pageNum(bq.Page-1)))
	}
	if bq.Page < pages {
		pg.Pager.NextHref = href("/dashboard", bq.values("page", strconv.Itoa(bq.Page+1)))
	}
	shown := b.Items
	names, _, err := teamNames(c, h.cases)
	if err != nil {
		return err
	}
	for _, v := range shown {
		pg.Rows = append(pg.Rows, view.CaseRowOf(a, v, names, b.At))
	}
	var stopped []string
	for _, v := range shown {
		if k := v.Case.Clock; k.ClosedStopped > 0 || k.OpenStopAt != nil {
			stopped = append(stopped, v.Case.ID)
		}
	}
	stops, err := h.cases.ClockStops(c.Request().Context(), a, stopped)
	if err != nil {
		return err
	}
	pg.Timeline = view.NewTimeline(h.r.Location(), h.r.Bands(), shown, stops, b.At)
	return h.r.Render(c, http.StatusOK, "dashboard.html", pg)
}

func pageNum(n int) string {
	if n <= 1 {
		return ""
	}
	return fmt.Sprint(n)
}

// pageDashboardCSV answers with the board's list as CSV: the cases the same
// filters select, in the same order, with the columns the board shows.
func (h *DashboardPages) DashboardCSV(c echo.Context) error {
	bq, err := parseBoardQuery(c, "bom")
	if err != nil {
		return err
	}
	bom, err := export.BOM(c)
	if err != nil {
		return err
	}
	b, err := h.board(c, bq, 0)
	if err != nil {
		return err
	}
	names, _, err := teamNames(c, h.cases)
	if err != nil {
		return err
	}
	return export.DashboardCSV(c, httpx.MustActor(c).Role, b.Items, names, bom)
}
