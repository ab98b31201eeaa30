package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/clock"
	"github.com/docket/docket/internal/docket"
)

// caseFilter reads the list filters of /cases and /dashboard.
func caseFilter(c echo.Context) (app.CaseFilter, error) {
	return filterOf(c.QueryParams(), "limit", "cursor", "sort")
}

// filterOf reads the case list filters from q; a name that is neither a
// filter nor one of extra is refused (400 naming it).
func filterOf(q url.Values, extra ...string) (app.CaseFilter, error) {
	var f app.CaseFilter
	for name := range q {
		switch name {
		case "status", "band", "org_id", "risk_tier", "q":
		default:
			if !slices.Contains(extra, name) {
				return f, docket.FieldError(name, "is not a filter of this list")
			}
		}
	}
	if v := q.Get("status"); v != "" {
		st := docket.Status(v)
		if !st.Valid() {
			return f, docket.Unacceptable("status", "must be one of draft, submitted, in_review, awaiting_lab, decided, withdrawn")
		}
		f.Status = &st
	}
	if v := q.Get("band"); v != "" {
		b := clock.Band(v)
		switch b {
		case clock.OnTrack, clock.DueSoon, clock.Critical, clock.Overdue, clock.Paused, clock.Closed:
		default:
			return f, docket.Unacceptable("band", "must be one of on_track, due_soon, critical, overdue, paused, closed")
		}
		f.Band = &b
	}
	if v := q.Get("org_id"); v != "" {
		f.OrgID = &v
	}
	if v := q.Get("risk_tier"); v != "" {
		if !docket.OneOf(v, docket.RiskTiers) {
			return f, docket.Unacceptable("risk_tier", "must be one of low, elevated, high, critical")
		}
		f.RiskTier = &v
	}
	if v := q.Get("q"); v != "" {
		if len(v) > 200 {
			return f, docket.Unacceptable("q", "must be at most 200 characters")
		}
		f.Q = &v
	}
	return f, nil
}

func (s *Server) getCases(c echo.Context) error {
	f, err := caseFilter(c)
	if err != nil {
		return err
	}
	p, err := page(c)
	if err != nil {
		return err
	}
	a := mustActor(c)
	views, next, err := s.svc.Cases.ListCases(c.Request().Context(), a, f, p)
	if err != nil {
		return err
	}
	items := make([]caseJSON, len(views))
	for i, v := range views {
		items[i] = presentCase(a, v)
	}
	return c.JSON(http.StatusOK, listOf(items, next))
}

func (s *Server) postCase(c echo.Context) error {
	var in docket.CaseInput
	if err := decode(c, &in); err != nil {
		return err
	}
	a := mustActor(c)
	v, err := s.svc.Cases.CreateCase(c.Request().Context(), a, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentCase(a, v))
}

func (s *Server) getCase(c echo.Context) error {
	a := mustActor(c)
	v, err := s.svc.Cases.GetCase(c.Request().Context(), a, c.Param("id"))
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
	return c.JSON(http.StatusOK, presentCase(mustActor(c), v))
}

func (s *Server) patchCase(c echo.Context) error {
	var in docket.CaseInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.Cases.UpdateCase(c.Request().Context(), mustActor(c), c.Param("id"), in)
	return caseResult(c, v, err)
}

func (s *Server) deleteCase(c echo.Context) error {
	if err := s.svc.Cases.DeleteCase(c.Request().Context(), mustActor(c), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// noBody checks that an action that takes nothing was sent nothing it would ignore.
func noBody(c echo.Context) error {
	var in struct{}
	return decode(c, &in)
}

func (s *Server) postSubmit(c echo.Context) error {
	if err := noBody(c); err != nil {
		return err
	}
	v, err := s.svc.Cases.SubmitCase(c.Request().Context(), mustActor(c), c.Param("id"))
	return caseResult(c, v, err)
}

func (s *Server) postAssign(c echo.Context) error {
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
	v, err := s.svc.Cases.Assign(c.Request().Context(), mustActor(c), c.Param("id"), *in.ReviewerIDs, lead)
	return caseResult(c, v, err)
}

func (s *Server) postAttest(c echo.Context) error {
	if err := noBody(c); err != nil {
		return err
	}
	v, err := s.svc.Cases.Attest(c.Request().Context(), mustActor(c), c.Param("id"))
	return caseResult(c, v, err)
}

type reasonBody struct {
	Reason string `json:"reason"`
}

func (s *Server) postDeclareConflict(c echo.Context) error {
	var in reasonBody
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.Cases.DeclareConflict(c.Request().Context(), mustActor(c), c.Param("id"), in.Reason)
	return caseResult(c, v, err)
}

func (s *Server) postWithdraw(c echo.Context) error {
	var in reasonBody
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.Cases.Withdraw(c.Request().Context(), mustActor(c), c.Param("id"), in.Reason)
	return caseResult(c, v, err)
}

func (s *Server) postDecision(c echo.Context) error {
	var in app.DecisionInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := s.svc.Cases.Decide(c.Request().Context(), mustActor(c), c.Param("id"), in)
	return caseResult(c, v, err)
}

func (s *Server) postInfoRequest(c echo.Context) error {
	var in struct {
		Question string `json:"question"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.svc.Cases.RequestInfo(c.Request().Context(), mustActor(c), c.Param("id"), in.Question)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, presentRequest(r))
}

func (s *Server) getInfoRequests(c echo.Context) error {
	reqs, err := s.svc.Cases.ListInfoRequests(c.Request().Context(), mustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	items := make([]infoRequestJSON, len(reqs))
	for i := range reqs {
		items[i] = presentRequest(&reqs[i])
	}
	return c.JSON(http.StatusOK, listOf(items, ""))
}

func (s *Server) postAnswer(c echo.Context) error {
	var in struct {
		Answer string `json:"answer"`
	}
	if err := decode(c, &in); err != nil {
		return err
	}
	r, err := s.svc.Cases.AnswerInfoRequest(c.Request().Context(), mustActor(c), c.Param("id"), in.Answer)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentRequest(r))
}

func (s *Server) postCancelRequest(c echo.Context) error {
	if err := noBody(c); err != nil {
		return err
	}
	r, err := s.svc.Cases.CancelInfoRequest(c.Request().Context(), mustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentRequest(r))
}

func (s *Server) getClock(c echo.Context) error {
	d, err := s.svc.Cases.GetClock(c.Request().Context(), mustActor(c), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, presentClockDetail(d))
}

func (s *Server) getCaseAudit(c echo.Context) error {
	p, err := page(c)
	if err != nil {
		return err
	}
	evs, next, err := s.svc.AuditTrail.ListCaseAudit(c.Request().Context(), mustActor(c), c.Param("id"), p)
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

func (s *Server) dashboard(c echo.Context) (*app.Dashboard, error) {
	f, err := caseFilter(c)
	if err != nil {
		return nil, err
	}
	p, err := page(c)
	if err != nil {
		return nil, err
	}
	return s.svc.Cases.Dashboard(c.Request().Context(), mustActor(c), f, p)
}

func (s *Server) getDashboard(c echo.Context) error {
	d, err := s.dashboard(c)
	if err != nil {
		return err
	}
	a := mustActor(c)
	out := dashboardJSON{At: ts(d.At), Counts: map[string]int{}, Items: []dashboardItemJSON{}, NextCursor: strp(d.Next)}
	for b, n := range d.Counts {
		out.Counts[string(b)] = n
	}
	findings, err := s.svc.Findings.DashboardFindings(c.Request().Context(), a, d.Items)
	if err != nil {
		return err
	}
	for _, v := range d.Items {
		fc := findings[v.Case.ID]
		open := map[string]int{}
		for _, sev := range docket.Severities {
			open[sev] = fc.Open[sev]
		}
		out.Items = append(out.Items, dashboardItemJSON{caseJSON: presentCase(a, v), OpenFindings: open,
			OverdueFindings: fc.Overdue})
	}
	return writeJSON(c, http.StatusOK, out.appendJSON)
}

// csvCell neutralises cells a spreadsheet would run as a formula.
func csvCell(s string) string {
	if s != "" && strings.ContainsAny(s[:1], "=+-@\t\r") {
		return "'" + s
	}
	return s
}

func (s *Server) getDashboardCSV(c echo.Context) error {
	d, err := s.dashboard(c)
	if err != nil {
		return err
	}
	return writeDashboardCSV(c, mustActor(c).Role, d.Items)
}

// writeDashboardCSV answers with the cases as the dashboard's CSV, every cell
// neutralised against formulas; the risk tier only to agency roles.
func writeDashboardCSV(c echo.Context, role docket.Role, items []*app.CaseView) error {
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
			row[5], row[6], row[7] = string(v.Clock.Band), ts(v.Clock.ReceivedAt), ts(v.Clock.DueAt)
			row[8] = fmt.Sprintf("%.3f", seconds(v.Clock.Remaining))
			row[9] = fmt.Sprint(v.Clock.ReleaseConflict)
		}
		if role != docket.RoleLabMember {
			row = append(row, cs.RiskTier)
		}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		_ = w.Write(row)
	}
	w.Flush()
	return w.Error()
}
