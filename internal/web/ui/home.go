package ui

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// pageHome is each role's home: a lab's cases, a reviewer's cases most urgent
// first, a lead's triage board, the compliance countdown, the admin's users.
func (h *DashboardPages) Home(c echo.Context) error {
	switch httpx.MustActor(c).Role {
	case docket.RoleLabMember:
		return h.Cases(c)
	case docket.RoleReviewer:
		return h.myCases(c)
	case docket.RoleReviewLead:
		return h.triage(c)
	case docket.RoleCompliance:
		return h.Dashboard(c)
	case docket.RoleAdmin:
		return h.users(c)
	}
	return docket.Forbidden()
}

// myCasesPage is a reviewer's open cases, most urgent first.
type myCasesPage struct {
	view.PageBase
	Rows []view.CaseRow
}

func (h *DashboardPages) myCases(c echo.Context) error {
	a := httpx.MustActor(c)
	ctx := c.Request().Context()
	b, err := h.cases.Board(ctx, a, app.CaseFilter{}, "urgency", 0, app.MaxBoardCases)
	if err != nil {
		return err
	}
	ids := make([]string, len(b.Items))
	for i, v := range b.Items {
		ids[i] = v.Case.ID
	}
	attested, err := h.cases.AttestedOn(ctx, a, ids)
	if err != nil {
		return err
	}
	names, _, err := teamNames(c, h.cases)
	if err != nil {
		return err
	}
	pg := myCasesPage{PageBase: h.r.Base(c, "My cases")}
	for _, v := range b.Items {
		r := view.CaseRowOf(a, v, names, b.At)
		r.Attested = attested[v.Case.ID]
		r.NeedsAttest = !r.Attested
		pg.Rows = append(pg.Rows, r)
	}
	return h.r.Render(c, http.StatusOK, "home_reviewer.html", pg)
}

// triagePage is a lead's board: received cases that nobody leads yet, and the
// cases in review with their lead, most urgent first.
type triagePage struct {
	view.PageBase
	Unassigned triageTable
	InReview   triageTable
	Counts     []bandCount
}

type triageTable struct {
	Rows    []view.CaseRow
	Caption string
	Lead    bool // show the lead and the reviewers
}

func (h *DashboardPages) triage(c echo.Context) error {
	a := httpx.MustActor(c)
	b, err := h.cases.Board(c.Request().Context(), a, app.CaseFilter{}, "urgency", 0, triageMax)
	if err != nil {
		return err
	}
	names, _, err := teamNames(c, h.cases)
	if err != nil {
		return err
	}
	pg := triagePage{PageBase: h.r.Base(c, "Triage"), Counts: bandCounts(h.r.Bands(), b.Counts, "/dashboard", url.Values{}, ""),
		Unassigned: triageTable{Caption: "Received cases waiting for assignment, most urgent first"},
		InReview:   triageTable{Caption: "Cases in review, most urgent first", Lead: true}}
	for _, v := range b.Items {
		r := view.CaseRowOf(a, v, names, b.At)
		if v.Case.LeadID == "" {
			pg.Unassigned.Rows = append(pg.Unassigned.Rows, r)
		} else {
			pg.InReview.Rows = append(pg.InReview.Rows, r)
		}
	}
	return h.r.Render(c, http.StatusOK, "home_lead.html", pg)
}

// casesPage lists the cases the user may see, newest first, a page at a time.
type casesPage struct {
	view.PageBase
	Heading  string
	Rows     []view.CaseRow
	Status   string
	Band     string
	Q        string
	Statuses []view.Option
	Bands    []view.Option
	NextHref string
	CanFile  bool
	ShowLab  bool
	ShowTier bool
	Filtered bool
}

const casesPerPage = 50

// triageMax bounds the triage board: the most urgent cases; the countdown lists them all.
const triageMax = 500

func (h *DashboardPages) Cases(c echo.Context) error {
	a := httpx.MustActor(c)
	q := c.QueryParams()
	f, err := httpx.CaseFilterOf(q, "cursor", "done")
	if err != nil {
		return err
	}
	p := app.Page{Limit: casesPerPage, Cursor: q.Get("cursor")}
	if len(p.Cursor) > 512 {
		return docket.Unacceptable("cursor", "is not a cursor this list gave")
	}
	views, next, err := h.cases.ListCases(c.Request().Context(), a, f, p)
	if err != nil {
		return err
	}
	names, _, err := teamNames(c, h.cases)
	if err != nil {
		return err
	}
	heading := "Cases"
	switch a.Role {
	case docket.RoleLabMember:
		heading = "Our cases"
		if u := httpx.CurrentUser(c); u != nil {
			heading = u.Org.Name + ": cases"
		}
	case docket.RoleReviewer:
		heading = "All my cases"
	}
	pg := casesPage{PageBase: h.r.Base(c, heading), Heading: heading, Status: q.Get("status"), Band: q.Get("band"),
		Q: q.Get("q"), CanFile: docket.CanCreateCase(a.Role), ShowLab: a.Role != docket.RoleLabMember,
		ShowTier: a.Role != docket.RoleLabMember}
	pg.Filtered = pg.Status != "" || pg.Band != "" || pg.Q != ""
	statuses := docket.Statuses
	if a.Role != docket.RoleLabMember {
		statuses = statuses[1:] // the agency never sees drafts
	}
	pg.Statuses = statusOptions(statuses, pg.Status)
	pg.Bands = bandOptions(h.r.Bands(), pg.Band)
	now := h.cases.Now()
	for _, v := range views {
		pg.Rows = append(pg.Rows, view.CaseRowOf(a, v, names, now))
	}
	if next != "" {
		nq := url.Values{}
		for k, v := range q {
			if k != "cursor" && k != "done" {
				nq[k] = v
			}
		}
		nq.Set("cursor", next)
		pg.NextHref = c.Request().URL.Path + "?" + nq.Encode()
	}
	return h.r.Render(c, http.StatusOK, "cases.html", pg)
}

func statusOptions(statuses []docket.Status, selected string) []view.Option {
	out := []view.Option{}
	for _, st := range statuses {
		out = append(out, view.Option{Value: string(st), Label: view.StatusLabel(st), Selected: string(st) == selected})
	}
	return out
}

func bandOptions(words view.BandWords, selected string) []view.Option {
	out := []view.Option{}
	for _, b := range view.BandOrder {
		out = append(out, view.Option{Value: string(b), Label: words.Of(b), Selected: string(b) == selected})
	}
	return out
}

// teamNames maps the review team's ids to names, for the roles that may know them.
func teamNames(c echo.Context, cases teamCalls) (map[string]string, []app.TeamMember, error) {
	a := httpx.MustActor(c)
	if a.Role == docket.RoleLabMember {
		return nil, nil, nil
	}
	team, err := cases.ReviewTeam(c.Request().Context(), a)
	if err != nil {
		return nil, nil, err
	}
	names := map[string]string{}
	for _, m := range team {
		names[m.ID] = m.Name
	}
	return names, team, nil
}
