package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/export"
	"github.com/docket/docket/internal/web/httpx"
)

// caseFilter reads the list filters of /cases and /dashboard.
func caseFilter(c echo.Context) (app.CaseFilter, error) {
	return httpx.CaseFilterOf(c.QueryParams(), "limit", "cursor", "sort")
}

func (s *Cases) GetCases(c echo.Context) error {
	f, err := caseFilter(c)
	if err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	a := httpx.MustActor(c)
	views, next, err := s.cases.ListCases(c.Request().Context(), a, f, p)
	if err != nil {
		return err
	}
	items := make([]caseJSON, len(views))
	for i, v := range views {
		items[i] = presentCase(a, v)
	}
	return c.JSON(http.StatusOK, listOf(items, next))
}

func (s *Cases) PostCase(c echo.Context) error {
	var in docket.CaseInput
	if err := decode(c, &in); err != nil {
		return err
	}
	a := httpx.MustActor(c)
	v, err := s.cases.CreateCase(c.Request().Context(), a, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentCase(a, v))
}

func (s *Cases) GetCase(c echo.Context) error {
	a := httpx.MustActor(c)
	v, err := s.cases.GetCase(c.Request().Context(), a, c.Param("id"))
	if err != nil {
		return err
	}
	return answerCase(c, http.StatusOK, presentCase(a, v))
}

// caseResult answers an action with the updated case.
func caseResult(c echo.Context, v *app.CaseView, err error) error {
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentCase(httpx.MustActor(c), v))
}

func (s *Cases) PatchCase(c echo.Context) error {
	var in docket.CaseInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.cases.UpdateCase(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	return caseResult(c, v, err)
}

func (s *Cases) DeleteCase(c echo.Context) error {
	if err := s.cases.DeleteCase(c.Request().Context(), httpx.MustActor(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// noBody checks that an action that takes nothing was sent nothing it would ignore.
func noBody(c echo.Context) error {
	var in struct{}
	return decode(c, &in)
}

func (s *Cases) PostSubmit(c echo.Context) error {
	if err := noBody(c); err != nil {
		return err
	}
	v, err := s.cases.SubmitCase(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	return caseResult(c, v, err)
}

func (s *Cases) PostAssign(c echo.Context) error {
	var in struct {
		ReviewerIDs *[]string `json:"reviewer_ids"`
		LeadID      *string   `json:"lead_id"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	if in.ReviewerIDs == nil {
		return docket.Unacceptable("reviewer_ids", "is required (an empty list removes every reviewer)")
	}
	lead := ""
	if in.LeadID != nil {
		lead = *in.LeadID
	}
	v, err := s.cases.Assign(c.Request().Context(), httpx.MustActor(c), c.Param("id"), *in.ReviewerIDs, lead)
	return caseResult(c, v, err)
}

func (s *Cases) PostAttest(c echo.Context) error {
	if err := noBody(c); err != nil {
		return err
	}
	v, err := s.cases.Attest(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	return caseResult(c, v, err)
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (s *Cases) PostDeclareConflict(c echo.Context) error {
	var in reasonBody
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.cases.DeclareConflict(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Reason)
	return caseResult(c, v, err)
}

func (s *Cases) PostWithdraw(c echo.Context) error {
	var in reasonBody
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.cases.Withdraw(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Reason)
	return caseResult(c, v, err)
}

func (s *Cases) PostDecision(c echo.Context) error {
	var in app.DecisionInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.cases.Decide(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in)
	return caseResult(c, v, err)
}

func (s *Cases) PostInfoRequest(c echo.Context) error {
	var in struct {
		Question string `json:"question"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.cases.RequestInfo(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Question)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentRequest(r))
}

func (s *Cases) GetInfoRequests(c echo.Context) error {
	reqs, err := s.cases.ListInfoRequests(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	items := make([]infoRequestJSON, len(reqs))
	for i := range reqs {
		items[i] = presentRequest(&reqs[i])
	}
	return c.JSON(http.StatusOK, listOf(items, ""))
}

func (s *Cases) PostAnswer(c echo.Context) error {
	var in struct {
		Answer string `json:"answer"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.cases.AnswerInfoRequest(c.Request().Context(), httpx.MustActor(c), c.Param("id"), in.Answer)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentRequest(r))
}

func (s *Cases) PostCancelRequest(c echo.Context) error {
	if err := noBody(c); err != nil {
		return err
	}
	r, err := s.cases.CancelInfoRequest(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentRequest(r))
}

func (s *Cases) GetClock(c echo.Context) error {
	d, err := s.cases.GetClock(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentClockDetail(d))
}

func (s *Cases) GetCaseAudit(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	evs, next, err := s.audit.ListCaseAudit(c.Request().Context(), httpx.MustActor(c), c.Param("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(presentAudit(evs, true), next))
}

type dashboardItemJSON struct {
	caseJSON
	OpenFindings    countsJSON `json:"open_findings"`
	OverdueFindings int        `json:"overdue_findings"`
}

type dashboardJSON struct {
	At         string              `json:"at"`
	Counts     map[string]int      `json:"counts"`
	Items      []dashboardItemJSON `json:"items"`
	NextCursor *string             `json:"next_cursor"`
}

// dashboard reads the dashboard the request asks for; extra names the
// parameters of its route besides the filters and the page (bom for the CSV).
func (s *Cases) dashboard(c echo.Context, extra ...string) (*app.Dashboard, error) {
	f, err := httpx.CaseFilterOf(c.QueryParams(), append([]string{"limit", "cursor", "sort"}, extra...)...)
	if err != nil {
		return nil, err
	}
	p, err := page(c)
	if err != nil {
		return nil, err
	}
	return s.cases.Dashboard(c.Request().Context(), httpx.MustActor(c), f, p)
}

func (s *Cases) GetDashboard(c echo.Context) error {
	d, err := s.dashboard(c)
	if err != nil {
		return err
	}
	a := httpx.MustActor(c)
	out := dashboardJSON{At: httpx.Instant(d.At), Counts: map[string]int{}, Items: []dashboardItemJSON{}, NextCursor: httpx.StrPtr(d.Next)}
	for b, n := range d.Counts {
		out.Counts[string(b)] = n
	}
	for _, v := range d.Items {
		fc := d.Findings[v.Case.ID]
		open := map[string]int{}
		for _, sev := range docket.Severities {
			open[sev] = fc.Open[sev]
		}
		out.Items = append(out.Items, dashboardItemJSON{caseJSON: presentCase(a, v), OpenFindings: open,
			OverdueFindings: fc.Overdue})
	}
	return writeJSON(c, http.StatusOK, out.appendJSON)
}

func (s *Cases) GetDashboardCSV(c echo.Context) error {
	d, err := s.dashboard(c, "bom")
	if err != nil {
		return err
	}
	bom, err := export.BOM(c)
	if err != nil {
		return err
	}
	a := httpx.MustActor(c)
	var names map[string]string
	if a.Role != docket.RoleLabMember {
		team, err := s.cases.ReviewTeam(c.Request().Context(), a)
		if err != nil {
			return err
		}
		names = map[string]string{}
		for _, m := range team {
			names[m.ID] = m.Name
		}
	}
	return export.DashboardCSV(c, a.Role, d.Items, names, bom)
}
