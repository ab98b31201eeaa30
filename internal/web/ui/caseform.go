package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The submission form (/cases/new, and /cases/{id}/edit for a draft): every
// field is checked at once, each error shown beside its field and summed up
// at the top, and what the user typed is kept.

type caseFields struct {
	ModelName, ModelVersion, Summary, WeightsDigest, PlannedReleaseDate string
	TrainingComputeFLOPs, Modality, Deployment                          string
}

// caseFieldOrder is the order of the fields on the form and in the error summary.
var caseFieldOrder = []string{"model_name", "model_version", "weights_digest", "modality", "deployment",
	"planned_release_date", "training_compute_flops", "summary"}

type fieldError struct{ Field, Message string }

type caseFormPage struct {
	view.PageBase
	Heading     string
	Action      string
	CaseID      string
	Editing     bool
	F           caseFields
	Modalities  []view.Option
	Deployments []view.Option
	Errors      view.FieldErrors
	Summary     []fieldError
}

func (h *CasePages) renderCaseForm(c echo.Context, status int, pg caseFormPage) error {
	title := "New submission"
	if pg.Editing {
		title = "Edit draft"
	}
	pg.PageBase = h.r.Base(c, title)
	pg.Heading = title
	pg.Modalities = view.Options(docket.Modalities, view.ModalityLabels, pg.F.Modality)
	pg.Deployments = view.Options(docket.Deployments, view.DeploymentLabels, pg.F.Deployment)
	for _, f := range caseFieldOrder {
		if m, ok := pg.Errors[f]; ok {
			pg.Summary = append(pg.Summary, fieldError{Field: f, Message: m})
		}
	}
	if len(pg.Summary) > 0 {
		pg.Alert = "Check the fields marked below."
	}
	return h.r.Render(c, status, "case_form.html", pg)
}

func (h *CasePages) NewCase(c echo.Context) error {
	if !docket.CanCreateCase(httpx.MustActor(c).Role) {
		return docket.Forbidden()
	}
	return h.renderCaseForm(c, http.StatusOK, caseFormPage{Action: "/cases/new"})
}

// readCaseForm reads the form into the input every field given, and checks
// each field on its own so that all errors show at once. With submit, the
// fields a submission needs are required too.
func readCaseForm(c echo.Context, submit bool) (caseFields, docket.CaseInput, view.FieldErrors) {
	get := func(n string) string { return form(c, n) }
	f := caseFields{ModelName: get("model_name"), ModelVersion: get("model_version"), Summary: get("summary"),
		WeightsDigest: strings.TrimSpace(get("weights_digest")), PlannedReleaseDate: strings.TrimSpace(get("planned_release_date")),
		TrainingComputeFLOPs: strings.TrimSpace(get("training_compute_flops")), Modality: get("modality"),
		Deployment: get("deployment")}
	errs := view.FieldErrors{}
	in := docket.CaseInput{ModelName: &f.ModelName, ModelVersion: &f.ModelVersion, Summary: &f.Summary,
		WeightsDigest: &f.WeightsDigest, PlannedReleaseDate: &f.PlannedReleaseDate, Modality: &f.Modality,
		Deployment: &f.Deployment}
	if f.TrainingComputeFLOPs != "" {
		n, err := strconv.ParseFloat(strings.ReplaceAll(f.TrainingComputeFLOPs, ",", ""), 64)
		if err != nil {
			errs["training_compute_flops"] = "Enter the training compute as a number of operations, such as 3.1e25."
		} else {
			in.TrainingComputeFLOPs = &n
		}
	}
	// Each field alone, so that every error is found.
	one := []docket.CaseInput{
		{ModelName: in.ModelName}, {ModelVersion: in.ModelVersion}, {Summary: in.Summary},
		{WeightsDigest: in.WeightsDigest}, {PlannedReleaseDate: in.PlannedReleaseDate}, {Modality: in.Modality},
		{Deployment: in.Deployment}, {TrainingComputeFLOPs: in.TrainingComputeFLOPs},
	}
	for _, x := range one {
		var scratch docket.Case
		if err := x.Apply(&scratch); err != nil {
			view.Refusal(err, errs, view.FieldWords)
		}
	}
	if submit {
		for name, v := range map[string]string{"weights_digest": f.WeightsDigest, "modality": f.Modality, "deployment": f.Deployment} {
			if _, bad := errs[name]; !bad && v == "" {
				errs[name] = view.FieldLabel(name) + " is required to submit."
			}
		}
	}
	return f, in, errs
}

func (h *CasePages) CreateCase(c echo.Context) error {
	a := httpx.MustActor(c)
	if !docket.CanCreateCase(a.Role) {
		return docket.Forbidden()
	}
	submit := form(c, "then") == "submit"
	f, in, errs := readCaseForm(c, submit)
	pg := caseFormPage{Action: "/cases/new", F: f, Errors: errs}
	if len(errs) > 0 {
		return h.renderCaseForm(c, http.StatusUnprocessableEntity, pg)
	}
	v, err := h.cases.CreateCase(c.Request().Context(), a, in)
	if err != nil {
		status, _, ok := view.Refusal(err, errs, view.FieldWords)
		if !ok {
			return err
		}
		return h.renderCaseForm(c, status, pg)
	}
	if !submit {
		return done(c, v.Case.ID, "created")
	}
	if _, err := h.cases.SubmitCase(c.Request().Context(), a, v.Case.ID); err != nil {
		return h.present.renderCaseError(c, v.Case.ID, caseForms{}, err)
	}
	return done(c, v.Case.ID, "submitted")
}

// editable loads a draft the user may edit: 404 when hidden, 403 for roles
// that never edit, 409 once submitted.
func (h *CasePages) editable(c echo.Context) (caseFields, error) {
	v, err := h.confirmable(c, docket.ActEdit)
	if err != nil {
		return caseFields{}, err
	}
	cs := v.Case
	f := caseFields{ModelName: cs.ModelName, ModelVersion: cs.ModelVersion, Summary: cs.Summary,
		WeightsDigest: cs.WeightsDigest, Modality: cs.Modality, Deployment: cs.Deployment}
	if !cs.PlannedReleaseDate.IsZero() {
		f.PlannedReleaseDate = cs.PlannedReleaseDate.String()
	}
	if cs.TrainingComputeFLOPs != nil {
		f.TrainingComputeFLOPs = strconv.FormatFloat(*cs.TrainingComputeFLOPs, 'g', -1, 64)
	}
	return f, nil
}

func (h *CasePages) EditCase(c echo.Context) error {
	f, err := h.editable(c)
	if err != nil {
		return err
	}
	id := c.Param("id")
	return h.renderCaseForm(c, http.StatusOK, caseFormPage{Action: "/cases/" + id + "/edit", CaseID: id, Editing: true, F: f})
}

func (h *CasePages) UpdateCase(c echo.Context) error {
	id := c.Param("id")
	if _, err := h.editable(c); err != nil {
		return err
	}
	submit := form(c, "then") == "submit"
	f, in, errs := readCaseForm(c, submit)
	pg := caseFormPage{Action: "/cases/" + id + "/edit", CaseID: id, Editing: true, F: f, Errors: errs}
	if len(errs) > 0 {
		return h.renderCaseForm(c, http.StatusUnprocessableEntity, pg)
	}
	a := httpx.MustActor(c)
	if _, err := h.cases.UpdateCase(c.Request().Context(), a, id, in); err != nil {
		status, _, ok := view.Refusal(err, errs, view.FieldWords)
		if !ok {
			return err
		}
		return h.renderCaseForm(c, status, pg)
	}
	if !submit {
		return done(c, id, "saved")
	}
	if _, err := h.cases.SubmitCase(c.Request().Context(), a, id); err != nil {
		return h.present.renderCaseError(c, id, caseForms{}, err)
	}
	return done(c, id, "submitted")
}
