package ui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The case page: what was filed, the live clock and its deadline explained
// line by line, the information requests, the decision, and the forms of the
// actions the user may take now. Agency reviewers and leads see the content
// only after attesting no conflict of interest; compliance officers never do.

type casePage struct {
	view.PageBase
	Case     caseDetail
	Row      view.CaseRow
	Clock    *view.ClockExplained
	Content  bool // the viewer reads the content (summary, requests, decision)
	Attested bool
	// AttestNeeded: an agency reviewer or lead who must attest before reading.
	AttestNeeded bool
	Requests     []requestView
	OpenRequests int
	Decision     *decisionView
	Can          caseActions
	Assign       *assignForm
	Outcomes     []view.Option
	Form         caseForms
	Errors       view.FieldErrors
	IsLab        bool
	ShowTier     bool
	// Work is the findings, comments and attachments (findings.go).
	Work *caseWork
	// Review is the amendments, benchmarks, publishing and the statement (review.go).
	Review *caseReview
	// State is the state panel's own figures; TOC the long parts' contents (casestate.go).
	State caseState
	TOC   []tocItem
}

type caseDetail struct {
	ID, Number, Lab, Model, Version string
	Summary                         string
	Digest                          string
	Release                         string
	FLOPs                           string
	Modality, Deployment            string
	Status                          string
	Tier                            string
	Lead                            string
	Reviewers                       []string
	Created, Updated                time.Time
}

type requestView struct {
	ID, Question, Answer, Status string
	Open                         bool
	OpenedAt                     time.Time
	ClosedAt                     *time.Time
}

type decisionView struct {
	Outcome, Rationale, Conditions, Digest string
	DecidedAt                              time.Time
}

type caseActions struct {
	Edit, Submit, Delete, Assign, Attest, DeclareConflict bool
	RequestInfo, Answer, Cancel, Decide, Withdraw         bool
}

type assignForm struct {
	Reviewers []view.Option
	Leads     []view.Option
}

// caseForms keeps what the user typed when a form comes back with an error.
type caseForms struct {
	Question, Rationale, Outcome, Conditions, ConflictReason string
	AnswerFor, Answer                                        string
	ReviewerIDs                                              []string
	LeadID                                                   string
}

// pageCase shows a case (404 when the user may not see it).
func (h *CasePages) Case(c echo.Context) error {
	pg, err := h.present.casePageOf(c, c.Param("id"), caseForms{}, nil)
	if err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "case.html", pg)
}

// casePageOf gathers everything the case page shows to the user.
func (h *casePresenter) casePageOf(c echo.Context, id string, form caseForms, errs view.FieldErrors) (*casePage, error) {
	a := httpx.MustActor(c)
	ctx := c.Request().Context()
	v, err := h.cases.GetCase(ctx, a, id)
	if err != nil {
		return nil, err
	}
	names, team, err := teamNames(c, h.cases)
	if err != nil {
		return nil, err
	}
	cs := v.Case
	title := cs.ModelName + " " + cs.ModelVersion
	if cs.Number != "" {
		title = cs.Number + ": " + title
	}
	pg := &casePage{PageBase: h.r.Base(c, title), Content: v.Content, Attested: v.Attested, Form: form, Errors: errs,
		IsLab: a.Role == docket.RoleLabMember, ShowTier: a.Role != docket.RoleLabMember}
	now := h.cases.Now()
	pg.Row = view.CaseRowOf(a, v, names, now)
	pg.Case = caseDetail{ID: cs.ID, Number: pg.Row.Number, Lab: cs.OrgName, Model: cs.ModelName, Version: cs.ModelVersion,
		Digest: cs.WeightsDigest, Release: pg.Row.Release, Modality: view.LabelOr(view.ModalityLabels[cs.Modality], cs.Modality),
		Deployment: view.LabelOr(view.DeploymentLabels[cs.Deployment], cs.Deployment), Status: view.StatusLabel(cs.Status),
		Tier: pg.Row.TierLabel, Lead: pg.Row.Lead, Reviewers: pg.Row.Reviewers, Created: cs.CreatedAt, Updated: cs.UpdatedAt}
	if cs.TrainingComputeFLOPs != nil {
		pg.Case.FLOPs = strconv.FormatFloat(*cs.TrainingComputeFLOPs, 'g', -1, 64)
	}
	if v.Content {
		pg.Case.Summary = cs.Summary
	}
	if a.Role == docket.RoleLabMember && cs.LeadID != "" {
		pg.Case.Lead = "assigned"
	}
	pg.AttestNeeded = (a.Role == docket.RoleReviewer || a.Role == docket.RoleReviewLead) && !v.Attested

	if cs.Clock.Started() {
		d, err := h.cases.GetClock(ctx, a, id)
		if err != nil {
			return nil, err
		}
		pg.Clock = view.Explain(d, cs)
	}
	if v.Content && cs.Status != docket.StatusDraft {
		reqs, err := h.cases.ListInfoRequests(ctx, a, id)
		if err != nil {
			return nil, err
		}
		for _, r := range reqs {
			rv := requestView{ID: r.ID, Question: r.Question, Answer: r.Answer, Status: r.Status,
				Open: r.Status == docket.RequestOpen, OpenedAt: r.OpenedAt, ClosedAt: r.ClosedAt}
			if rv.Open {
				pg.OpenRequests++
			}
			pg.Requests = append(pg.Requests, rv)
		}
		if cs.Status == docket.StatusDecided {
			d, err := h.cases.GetDecision(ctx, a, id)
			if err != nil && docket.ErrorCode(err) != docket.ENotFound {
				return nil, err
			}
			if d != nil {
				pg.Decision = &decisionView{Outcome: view.LabelOr(view.OutcomeLabels[d.Outcome], d.Outcome), Rationale: d.Rationale,
					Conditions: d.Conditions, Digest: d.WeightsDigest, DecidedAt: d.DecidedAt}
			}
		}
	}
	allowed := func(act docket.Action) bool { return slices.Contains(v.Allowed, act) }
	pg.Can = caseActions{
		Edit: allowed(docket.ActEdit), Submit: allowed(docket.ActSubmit), Delete: allowed(docket.ActDelete),
		Assign: allowed(docket.ActAssign), Attest: allowed(docket.ActAttest) && !v.Attested,
		DeclareConflict: allowed(docket.ActDeclareConflict),
		RequestInfo:     allowed(docket.ActRequestInfo) && v.Attested,
		Answer:          allowed(docket.ActAnswer) && pg.OpenRequests > 0,
		Cancel:          allowed(docket.ActCancelRequest) && v.Attested && pg.OpenRequests > 0,
		Decide:          allowed(docket.ActDecide) && v.Attested,
		Withdraw:        allowed(docket.ActWithdraw),
	}
	if pg.Can.Assign {
		af := &assignForm{}
		chosen := cs.ReviewerIDs
		lead := cs.LeadID
		if form.ReviewerIDs != nil || form.LeadID != "" {
			chosen, lead = form.ReviewerIDs, form.LeadID
		}
		if lead == "" {
			lead = a.UserID
		}
		for _, m := range team {
			if m.Disabled {
				continue
			}
			label := m.Name
			if m.Role == docket.RoleReviewLead {
				label += " (review lead)"
			}
			af.Reviewers = append(af.Reviewers, view.Option{Value: m.ID, Label: label, Selected: slices.Contains(chosen, m.ID)})
			if m.Role == docket.RoleReviewLead {
				af.Leads = append(af.Leads, view.Option{Value: m.ID, Label: m.Name, Selected: m.ID == lead})
			}
		}
		pg.Assign = af
	}
	pg.Outcomes = view.Options(docket.Outcomes, view.OutcomeLabels, form.Outcome)
	if pg.Work, err = h.caseWorkOf(c, v, names); err != nil {
		return nil, err
	}
	if pg.Review, err = h.caseReviewOf(c, v, pg); err != nil {
		return nil, err
	}
	h.fillState(c, pg)
	return pg, nil
}

// renderCaseError shows the case page again with what went wrong: the field
// errors beside the fields (422) or the reason an action cannot be taken now
// (409). Any other error goes to the error page.
func (h *casePresenter) renderCaseError(c echo.Context, id string, form caseForms, err error) error {
	errs := view.FieldErrors{}
	status, alert, ok := view.Refusal(err, errs, view.CaseWords)
	if !ok {
		return err
	}
	pg, perr := h.casePageOf(c, id, form, errs)
	if perr != nil {
		return perr
	}
	pg.Alert = alert
	if alert == "" {
		pg.Alert = "This could not be done. Check the form marked beside its fields."
	}
	return h.r.Render(c, status, "case.html", pg)
}

// done redirects to the case page after an action, saying what it did.
func done(c echo.Context, caseID, what string) error {
	return c.Redirect(http.StatusSeeOther, "/cases/"+caseID+"?done="+what)
}

func form(c echo.Context, name string) string { return c.Request().PostForm.Get(name) }

func (h *CasePages) Submit(c echo.Context) error {
	id := c.Param("id")
	if _, err := h.cases.SubmitCase(c.Request().Context(), httpx.MustActor(c), id); err != nil {
		return h.present.renderCaseError(c, id, caseForms{}, err)
	}
	return done(c, id, "submitted")
}

func (h *CasePages) Assign(c echo.Context) error {
	id := c.Param("id")
	f := caseForms{ReviewerIDs: c.Request().PostForm["reviewer_ids"], LeadID: form(c, "lead_id")}
	ids := f.ReviewerIDs
	if ids == nil {
		ids = []string{}
	}
	if _, err := h.cases.Assign(c.Request().Context(), httpx.MustActor(c), id, ids, f.LeadID); err != nil {
		return h.present.renderCaseError(c, id, f, err)
	}
	return done(c, id, "assigned")
}

func (h *CasePages) Attest(c echo.Context) error {
	id := c.Param("id")
	if _, err := h.cases.Attest(c.Request().Context(), httpx.MustActor(c), id); err != nil {
		return h.present.renderCaseError(c, id, caseForms{}, err)
	}
	return done(c, id, "attested")
}

func (h *CasePages) DeclareConflict(c echo.Context) error {
	id := c.Param("id")
	f := caseForms{ConflictReason: form(c, "reason")}
	if _, err := h.cases.DeclareConflict(c.Request().Context(), httpx.MustActor(c), id, f.ConflictReason); err != nil {
		return h.present.renderCaseError(c, id, f, err)
	}
	// The reviewer is off the case and may no longer see it.
	return c.Redirect(http.StatusSeeOther, "/?done=conflict")
}

func (h *CasePages) RequestInfo(c echo.Context) error {
	id := c.Param("id")
	f := caseForms{Question: form(c, "question")}
	if _, err := h.cases.RequestInfo(c.Request().Context(), httpx.MustActor(c), id, f.Question); err != nil {
		return h.present.renderCaseError(c, id, f, err)
	}
	return done(c, id, "asked")
}

// requestCase is the case an information request form came from: the form
// says it, and the request's own case wins when the request can be read.
func requestCase(c echo.Context, r *docket.InfoRequest) string {
	if r != nil {
		return r.CaseID
	}
	return form(c, "case_id")
}

func (h *CasePages) Answer(c echo.Context) error {
	f := caseForms{AnswerFor: c.Param("id"), Answer: form(c, "answer")}
	r, err := h.cases.AnswerInfoRequest(c.Request().Context(), httpx.MustActor(c), c.Param("id"), f.Answer)
	if err != nil {
		if id := requestCase(c, r); id != "" && docket.ErrorCode(err) != docket.ENotFound {
			return h.present.renderCaseError(c, id, f, err)
		}
		return err
	}
	return done(c, r.CaseID, "answered")
}

func (h *CasePages) CancelRequest(c echo.Context) error {
	r, err := h.cases.CancelInfoRequest(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		if id := requestCase(c, r); id != "" && docket.ErrorCode(err) != docket.ENotFound {
			return h.present.renderCaseError(c, id, caseForms{}, err)
		}
		return err
	}
	return done(c, r.CaseID, "cancelled")
}

// Decide records the lead's decision. While findings are still drafts or
// await the lab, or information requests are open, it first shows them and
// asks to confirm (confirm=yes decides anyway; confirm=back shows the case
// with the form as it was typed).
func (h *CasePages) Decide(c echo.Context) error {
	id := c.Param("id")
	f := caseForms{Outcome: form(c, "outcome"), Rationale: form(c, "rationale"), Conditions: form(c, "conditions")}
	if confirm := form(c, "confirm"); confirm != "yes" {
		pg, err := h.present.casePageOf(c, id, f, nil)
		if err != nil {
			return err
		}
		// Going back decides nothing. Only a decision the lead may make now
		// is asked about; any other goes to the service, which says why not.
		if confirm == "back" {
			if httpx.MustActor(c).Role != docket.RoleReviewLead {
				return docket.Forbidden()
			}
			return h.r.Render(c, http.StatusOK, "case.html", pg)
		}
		if pg.Can.Decide {
			if err := docket.CheckDecision(f.Outcome, f.Rationale); err != nil {
				return h.present.renderCaseError(c, id, f, err)
			}
			if open := openAtDecisionOf(pg); open.Any() {
				return h.r.Render(c, http.StatusOK, "decide_confirm.html", decideConfirmOf(pg, open))
			}
		}
	}
	in := app.DecisionInput{Outcome: f.Outcome, Rationale: f.Rationale}
	if strings.TrimSpace(f.Conditions) != "" {
		in.Conditions = &f.Conditions
	}
	if _, err := h.cases.Decide(c.Request().Context(), httpx.MustActor(c), id, in); err != nil {
		return h.present.renderCaseError(c, id, f, err)
	}
	return done(c, id, "decided")
}

// confirmPage asks before an action that cannot be undone.
type confirmPage struct {
	view.PageBase
	CaseID, Number, Model string
	Action                string
	Heading, Explain      string
	Button                string
	Reason                string
	ReasonLabel           string
	ReasonHint            string
	NeedsReason           bool
	Error                 string
}

// confirmable loads a case for a confirmation page of act: 404 when hidden,
// 403 when the role may never, 409 when not now.
func (h *CasePages) confirmable(c echo.Context, act docket.Action) (*app.CaseView, error) {
	v, err := h.cases.GetCase(c.Request().Context(), httpx.MustActor(c), c.Param("id"))
	if err != nil {
		return nil, err
	}
	if !slices.Contains(v.Allowed, act) {
		if httpx.MustActor(c).Role != docket.RoleLabMember {
			return nil, docket.Forbidden()
		}
		return nil, docket.Errorf(docket.EConflict, "the case is %s; this cannot be done now", view.StatusLabel(v.Case.Status))
	}
	return v, nil
}

func (h *CasePages) confirmOf(c echo.Context, v *app.CaseView, act docket.Action) confirmPage {
	cs := v.Case
	number := cs.Number
	if number == "" {
		number = "Draft"
	}
	cp := confirmPage{CaseID: cs.ID, Number: number, Model: cs.ModelName + " " + cs.ModelVersion}
	switch act {
	case docket.ActWithdraw:
		cp.PageBase = h.r.Base(c, "Withdraw "+number)
		cp.Action = "/cases/" + cs.ID + "/withdraw"
		cp.Heading = "Withdraw this submission?"
		cp.Explain = "Withdrawing ends the review for good: the clock stops, open information requests are cancelled, and the case cannot be reopened. To have the model reviewed later, file a new submission."
		cp.Button, cp.NeedsReason = "Yes, withdraw the submission", true
		cp.ReasonLabel, cp.ReasonHint = "Why are you withdrawing it?", "The agency sees this reason."
	case docket.ActDelete:
		cp.PageBase = h.r.Base(c, "Delete draft")
		cp.Action = "/cases/" + cs.ID + "/delete"
		cp.Heading = "Delete this draft?"
		cp.Explain = "The draft was never submitted, so nobody outside your lab has seen it. Deleting it cannot be undone."
		cp.Button = "Yes, delete the draft"
	}
	return cp
}

func (h *CasePages) ConfirmWithdraw(c echo.Context) error {
	v, err := h.confirmable(c, docket.ActWithdraw)
	if err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "confirm.html", h.confirmOf(c, v, docket.ActWithdraw))
}

func (h *CasePages) Withdraw(c echo.Context) error {
	id := c.Param("id")
	reason := form(c, "reason")
	if _, err := h.cases.Withdraw(c.Request().Context(), httpx.MustActor(c), id, reason); err != nil {
		status, msg, ok := view.Refusal(err, view.FieldErrors{}, view.WithdrawWords)
		if !ok {
			return h.present.renderCaseError(c, id, caseForms{}, err)
		}
		v, gerr := h.confirmable(c, docket.ActWithdraw)
		if gerr != nil {
			return gerr
		}
		cp := h.confirmOf(c, v, docket.ActWithdraw)
		cp.Reason, cp.Error = reason, msg
		return h.r.Render(c, status, "confirm.html", cp)
	}
	return done(c, id, "withdrawn")
}

func (h *CasePages) ConfirmDelete(c echo.Context) error {
	v, err := h.confirmable(c, docket.ActDelete)
	if err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "confirm.html", h.confirmOf(c, v, docket.ActDelete))
}

func (h *CasePages) Delete(c echo.Context) error {
	id := c.Param("id")
	if err := h.cases.DeleteCase(c.Request().Context(), httpx.MustActor(c), id); err != nil {
		return h.present.renderCaseError(c, id, caseForms{}, err)
	}
	return c.Redirect(http.StatusSeeOther, "/cases?done=deleted")
}
