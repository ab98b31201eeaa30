package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/export"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// What leaves a review, on the case page: the signed statement to download,
// the lab's amendments and the lead's resolution of a new weights digest, the
// benchmark results and their form, and publishing findings to the
// Clearinghouse. Each part is shown exactly to those the API shows it to.
// The Clearinghouse has its own page, for every signed-in user.

// caseReview is the case page's part for amendments, benchmarks, publishing
// and the statement.
type caseReview struct {
	CaseID string
	IsLab  bool
	// Statement is the latest statement, nil when there is none.
	Statement *statementView
	// Amendments are shown to those who read the content; nil otherwise.
	Amendments []amendmentView
	ShowAmend  bool
	// Pending is the material change waiting for a lead, if any.
	Pending *amendmentView
	Amend   *amendForm
	Resolve *resolveAmendmentForm
	// Benchmarks: the results for reviewers and leads after attesting.
	ShowResults bool
	Tier        string
	// TierKey is the tier's API value, which names its style (tier-high).
	TierKey string
	Results []resultView
	Record  *resultForm
	// Evaluations are the Inspect logs imported on the case (evaluations.go).
	Evaluations *evaluationsPart
	// Publish holds a form per finding a lead may publish now; Published the
	// case's findings already in the Clearinghouse.
	Publish   []*publishForm
	Published []publishedView
	// The form that failed, its input and its errors.
	Form   reviewForm
	Errors view.FieldErrors

	benchmarks []docket.Benchmark
}

type statementView struct {
	Kind, KeyID string
	IssuedAt    time.Time
}

type amendmentView struct {
	ID, Status, StatusLabel     string
	Changes                     []string
	OldDigest, NewDigest        string
	Summary, Release            string
	SetsSummary, SetsRelease    bool
	Created                     time.Time
	RestartClock                bool
	Note                        string
	ResolvedAt                  *time.Time
	Pending, Material, Resolved bool
}

type resultView struct {
	Benchmark, Version, Unit string
	Score                    string
	Tier, TierLabel          string
	RunBy                    string
	RunAt                    string
	Notes                    string
	Created                  time.Time
	// EvaluationID is the evaluation whose log made the result ("" when recorded by hand).
	EvaluationID string
	// Previous says the line's previous version's latest score ("" when none); Jump marks a capability jump over it.
	Previous string
	Jump     bool
}

type publishedView struct {
	Title, ClearinghouseID string
}

type amendForm struct {
	Digest, Summary, Release workField
	ClearRelease             bool
	CurrentDigest            string
}

type resolveAmendmentForm struct {
	ID           string
	Outcomes     []view.Option
	OutcomeError string
	Restart      bool
	RestartError string
	Note         workField
}

type resultForm struct {
	Benchmark, Score, RunAt, Notes workField
	RunBy                          []view.Option
	RunByError                     string
}

type publishForm struct {
	FindingID, Title, Severity, TLP string
	Open                            bool
	Subjects                        []view.Option
	SubjectError                    string
	Redact                          bool
	RedactError                     string
	Fields                          []workField
}

// The forms of the review part, as reviewForm.Which names them.
const (
	formAmend            = "amend"
	formResolveAmendment = "resolve-amendment"
	formResult           = "result"
	formPublish          = "publish"
)

// reviewForm keeps what the user typed in the form that failed.
type reviewForm struct {
	Which string
	// For is the amendment or the finding the form acts on.
	For    string
	Values map[string]string
}

func (f reviewForm) value(which, forID, name string) string {
	if f.Which == which && f.For == forID {
		return f.Values[name]
	}
	return ""
}

var (
	amendmentStatusLabels = map[string]string{"pending": "Pending: waiting for a lead", "applied": "Applied",
		"accepted": "Accepted", "rejected": "Rejected"}
)

// caseReviewOf loads the review part of the case page for the user. It hides
// the decision form while a material change is pending.
func (h *casePresenter) caseReviewOf(c echo.Context, v *app.CaseView, pg *casePage) (*caseReview, error) {
	a := httpx.MustActor(c)
	ctx := c.Request().Context()
	cs := v.Case
	r := &caseReview{CaseID: cs.ID, IsLab: a.Role == docket.RoleLabMember, Errors: view.FieldErrors{}, benchmarks: h.evidence.Benchmarks()}
	if cs.Clock.Started() {
		st, err := h.evidence.GetStatement(ctx, a, cs.ID)
		switch docket.ErrorCode(err) {
		case "":
			r.Statement = &statementView{Kind: st.Kind, KeyID: st.KeyID, IssuedAt: st.IssuedAt}
		case docket.ENotFound:
		default:
			return nil, err
		}
	}
	if !v.Content || cs.Status == docket.StatusDraft {
		return r, nil
	}
	allowed := func(act docket.Action) bool { return slices.Contains(v.Allowed, act) }
	list, err := h.cases.ListAmendments(ctx, a, cs.ID)
	if err != nil {
		return nil, err
	}
	r.ShowAmend = true
	for _, m := range list {
		av := amendmentViewOf(&m)
		r.Amendments = append(r.Amendments, av)
		if av.Pending {
			p := av
			r.Pending = &p
		}
	}
	if r.Pending != nil {
		pg.Can.Decide = false
	}
	if allowed(docket.ActAmend) {
		r.Amend = &amendForm{CurrentDigest: cs.WeightsDigest}
	}
	if r.Pending != nil && allowed(docket.ActResolveAmendment) && v.Attested {
		r.Resolve = &resolveAmendmentForm{ID: r.Pending.ID}
	}
	agency := a.Role == docket.RoleReviewer || a.Role == docket.RoleReviewLead
	if agency && v.Attested {
		results, err := h.evidence.ListBenchmarkResults(ctx, a, cs.ID)
		if err != nil {
			return nil, err
		}
		r.ShowResults, r.Tier, r.TierKey = true, view.LabelOr(view.TierLabels[cs.RiskTier], cs.RiskTier), cs.RiskTier
		byID := map[string]docket.Benchmark{}
		for _, b := range h.evidence.Benchmarks() {
			byID[b.ID] = b
		}
		for _, x := range results {
			b := byID[x.BenchmarkID]
			rv := resultView{Benchmark: view.LabelOr(b.Name, x.BenchmarkID), Version: x.BenchmarkVersion,
				Unit: b.Unit, Score: scoreText(x.Score), Tier: x.Tier, TierLabel: view.LabelOr(view.TierLabels[x.Tier], x.Tier),
				RunBy: x.RunBy, RunAt: x.RunAt.String(), Notes: x.Notes, Created: x.CreatedAt}
			if x.Source != nil {
				rv.EvaluationID = x.Source.EvaluationID
			}
			if p := x.Previous; p != nil {
				rv.Previous = fmt.Sprintf("%s on %s (%s)", scoreText(p.Score), view.LabelOr(p.ModelVersion, p.CaseNumber),
					view.LabelOr(view.TierLabels[p.Tier], p.Tier))
				rv.Jump = docket.CapabilityJump(x.Tier, p.Tier)
			}
			r.Results = append(r.Results, rv)
		}
		if r.Evaluations, err = h.evaluationsPartOf(ctx, a, cs, r); err != nil {
			return nil, err
		}
		if cs.Status.AcceptsAdditions() {
			r.Record = &resultForm{}
		}
	}
	if a.Role == docket.RoleReviewLead && v.Attested {
		if err := h.publishForms(c, r, cs.ID); err != nil {
			return nil, err
		}
	}
	r.build()
	return r, nil
}

// publishForms lists the case's published findings and the ones a lead may publish now.
func (h *casePresenter) publishForms(c echo.Context, r *caseReview, caseID string) error {
	a := httpx.MustActor(c)
	now, loc := h.cases.Now(), h.r.Location()
	for cursor := ""; ; {
		list, next, err := h.findings.ListFindings(c.Request().Context(), a, caseID, app.FindingFilter{}, app.Page{Limit: 200, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, fv := range list {
			f := fv.Finding
			if f.ClearinghouseID != "" {
				r.Published = append(r.Published, publishedView{Title: f.Title, ClearinghouseID: f.ClearinghouseID})
			} else if docket.Publishable(f, now, loc) == nil {
				r.Publish = append(r.Publish, &publishForm{FindingID: f.ID, Title: f.Title,
					Severity: view.LabelOr(severityLabels[f.Severity], f.Severity), TLP: f.TLP})
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
}

func amendmentViewOf(m *docket.Amendment) amendmentView {
	v := amendmentView{ID: m.ID, Status: string(m.Status), StatusLabel: view.LabelOr(amendmentStatusLabels[string(m.Status)], string(m.Status)),
		Changes: m.Changes(), OldDigest: m.OldDigest, NewDigest: m.NewDigest, Created: m.CreatedAt,
		RestartClock: m.RestartClock, Note: m.Note, ResolvedAt: m.ResolvedAt, Pending: m.Status == docket.AmendmentPending,
		Material: m.Material(), Resolved: m.ResolvedAt != nil}
	if m.Summary != nil {
		v.SetsSummary, v.Summary = true, *m.Summary
	}
	if m.ReleaseDate != nil {
		v.SetsRelease = true
		if !m.ReleaseDate.IsZero() {
			v.Release = m.ReleaseDate.String()
		}
	}
	return v
}

// build fills the forms' fields from the failed form's input and errors.
func (r *caseReview) build() {
	r.buildEvaluationForm()
	errs := func(which, forID string) view.FieldErrors {
		if r.Form.Which == which && r.Form.For == forID {
			return r.Errors
		}
		return view.FieldErrors{}
	}
	val := r.Form.value
	if f := r.Amend; f != nil {
		e := errs(formAmend, "")
		f.Digest = field("amend-digest", "weights_digest", "New weights digest",
			"sha256: and 64 lowercase hex digits. A new digest is a material change: it waits for a lead, and no decision is made meanwhile.",
			"text", val(formAmend, "", "weights_digest"), e)
		f.Digest.Optional = true
		f.Summary = field("amend-summary", "summary", "New summary", "Replaces the summary at once.", "textarea",
			val(formAmend, "", "summary"), e)
		f.Summary.Optional, f.Summary.Rows = true, 4
		f.Release = field("amend-release", "planned_release_date", "New planned release date",
			"Applies at once; the agency sees whether it falls before the end of the review.", "date",
			val(formAmend, "", "planned_release_date"), e)
		f.Release.Optional = true
		f.ClearRelease = val(formAmend, "", "clear_release_date") != ""
		if msg := e[""]; msg != "" {
			f.Digest.Error = msg
		}
	}
	if f := r.Resolve; f != nil {
		e := errs(formResolveAmendment, f.ID)
		outcome := val(formResolveAmendment, f.ID, "outcome")
		if outcome == "" {
			outcome = docket.ResolveAccept
		}
		f.Outcomes = view.Options([]string{docket.ResolveAccept, docket.ResolveReject}, map[string]string{
			docket.ResolveAccept: "Accept the new digest", docket.ResolveReject: "Reject it: the review stays on the digest it has"}, outcome)
		f.OutcomeError, f.RestartError = e["outcome"], e["restart_clock"]
		f.Restart = val(formResolveAmendment, f.ID, "restart_clock") == "true"
		f.Note = field("resolve-note-"+f.ID, "note", "Note", "Why: the lab sees the outcome and this note.", "textarea",
			val(formResolveAmendment, f.ID, "note"), e)
		f.Note.Rows = 3
	}
	if f := r.Record; f != nil {
		e := errs(formResult, "")
		f.Benchmark = field("result-benchmark", "benchmark_id", "Benchmark", "", "select", val(formResult, "", "benchmark_id"), e)
		f.Score = field("result-score", "score", "Score", "A number, in the benchmark's unit.", "text", val(formResult, "", "score"), e)
		f.RunAt = field("result-run-at", "run_at", "Date of the run", "", "date", val(formResult, "", "run_at"), e)
		f.Notes = field("result-notes", "notes", "Notes", "Conditions of the run; the lab never sees results.", "textarea",
			val(formResult, "", "notes"), e)
		f.Notes.Optional, f.Notes.Rows = true, 3
		runBy := val(formResult, "", "run_by")
		if runBy == "" {
			runBy = docket.RunByAgency
		}
		f.RunBy = view.Options([]string{docket.RunByAgency, docket.RunByLab}, map[string]string{
			docket.RunByAgency: "The agency", docket.RunByLab: "The lab"}, runBy)
		f.RunByError = e["run_by"]
		for _, b := range r.benchmarks {
			label := b.Name + " (" + b.Version + ")"
			if b.Unit != "" {
				label += ", " + b.Unit
			}
			f.Benchmark.Options = append(f.Benchmark.Options, view.Option{Value: b.ID, Label: label, Selected: b.ID == f.Benchmark.Value})
		}
	}
	for _, f := range r.Publish {
		e := errs(formPublish, f.FindingID)
		f.Open = r.Form.Which == formPublish && r.Form.For == f.FindingID
		v := func(name string) string { return val(formPublish, f.FindingID, name) }
		subject := v("subject")
		if subject == "" {
			subject = docket.SubjectAISystem
		}
		f.Subjects = view.Options([]string{docket.SubjectAISystem, docket.SubjectThirdParty}, map[string]string{
			docket.SubjectAISystem:   "In the AI system: the reviewed model is vulnerable",
			docket.SubjectThirdParty: "By the AI system: the model found it in third-party software"}, subject)
		f.SubjectError, f.RedactError = e["subject"], e["redact_lab"]
		f.Redact = v("redact_lab") == "true"
		id := func(name string) string { return "publish-" + name + "-" + f.FindingID }
		name := field(id("name"), "vulnerability_name", "Vulnerability name", "", "text", v("vulnerability_name"), e)
		desc := field(id("description"), "short_description", "Short description", "Public: no evidence, no exploit detail.", "textarea", v("short_description"), e)
		desc.Rows = 3
		action := field(id("action"), "required_action", "Required action", "", "textarea", v("required_action"), e)
		action.Rows = 2
		due := field(id("due"), "due_date", "Due date", "The date by which the action should be taken.", "date", v("due_date"), e)
		notes := field(id("notes"), "notes", "Notes", "", "textarea", v("notes"), e)
		notes.Optional, notes.Rows = true, 2
		vendor := field(id("vendor"), "affected_vendor", "Affected vendor", "Third-party software only.", "text", v("affected_vendor"), e)
		product := field(id("product"), "affected_product", "Affected product", "Third-party software only.", "text", v("affected_product"), e)
		cve := field(id("cve"), "cve_id", "CVE id", "Third-party software only, when one is assigned.", "text", v("cve_id"), e)
		vendor.Optional, product.Optional, cve.Optional = true, true, true
		f.Fields = []workField{name, desc, action, due, notes, vendor, product, cve}
	}
}

// renderReviewError shows the case page again after a review form failed:
// errors beside its fields (422), or the reason it cannot be done now (409)
// at the top. Anything else (404, 403, 500) goes to the error page.
func (h *casePresenter) renderReviewError(c echo.Context, caseID string, rf reviewForm, errs view.FieldErrors, err error) error {
	if errs == nil {
		errs = view.FieldErrors{}
	}
	status, alert := http.StatusUnprocessableEntity, ""
	if err != nil {
		var ok bool
		if status, alert, ok = view.Refusal(err, errs, view.ReviewWords); !ok {
			return err
		}
	}
	pg, perr := h.casePageOf(c, caseID, caseForms{}, nil)
	if perr != nil {
		return perr
	}
	if pg.Review != nil {
		pg.Review.Form, pg.Review.Errors = rf, errs
		pg.Review.build()
	}
	pg.Alert = alert
	if alert == "" {
		pg.Alert = "This could not be done. Check the form marked beside its fields."
	}
	return h.r.Render(c, status, "case.html", pg)
}

// formValues keeps the named fields of the posted form.
func formValues(c echo.Context, names ...string) map[string]string {
	out := map[string]string{}
	for _, n := range names {
		out[n] = form(c, n)
	}
	return out
}

func (h *ReviewPages) Amend(c echo.Context) error {
	id := c.Param("id")
	rf := reviewForm{Which: formAmend, Values: formValues(c, "weights_digest", "summary", "planned_release_date", "clear_release_date")}
	var in docket.AmendmentInput
	v := rf.Values
	if d := strings.TrimSpace(v["weights_digest"]); d != "" {
		in.WeightsDigest = &d
	}
	if strings.TrimSpace(v["summary"]) != "" {
		sum := v["summary"]
		in.Summary = &sum
	}
	switch {
	case v["clear_release_date"] != "":
		empty := ""
		in.PlannedReleaseDate = &empty
	case v["planned_release_date"] != "":
		d := v["planned_release_date"]
		in.PlannedReleaseDate = &d
	}
	m, err := h.cases.Amend(c.Request().Context(), httpx.MustActor(c), id, in)
	if err != nil {
		return h.present.renderReviewError(c, id, rf, nil, err)
	}
	what := "amended"
	if m.Material() {
		what = "amendment-pending"
	}
	return c.Redirect(http.StatusSeeOther, "/cases/"+id+"?done="+what+"#amendments")
}

func (h *ReviewPages) ResolveAmendment(c echo.Context) error {
	id := c.Param("id")
	rf := reviewForm{Which: formResolveAmendment, For: id, Values: formValues(c, "outcome", "restart_clock", "note")}
	v := rf.Values
	restart := v["restart_clock"] == "true"
	in := docket.AmendmentResolution{RestartClock: &restart}
	if o := v["outcome"]; o != "" {
		in.Outcome = &o
	}
	note := v["note"]
	in.Note = &note
	m, err := h.cases.ResolveAmendment(c.Request().Context(), httpx.MustActor(c), id, in)
	if err != nil {
		caseID := form(c, "case_id")
		if code := docket.ErrorCode(err); code == docket.ENotFound || code == docket.EForbidden || caseID == "" {
			return err
		}
		return h.present.renderReviewError(c, caseID, rf, nil, err)
	}
	return c.Redirect(http.StatusSeeOther, "/cases/"+m.CaseID+"?done=amendment-resolved#amendments")
}

func (h *ReviewPages) RecordResult(c echo.Context) error {
	id := c.Param("id")
	rf := reviewForm{Which: formResult, Values: formValues(c, "benchmark_id", "score", "run_by", "run_at", "notes")}
	v := rf.Values
	in := docket.BenchmarkResultInput{}
	errs := view.FieldErrors{}
	for name, p := range map[string]**string{"benchmark_id": &in.BenchmarkID, "run_by": &in.RunBy, "run_at": &in.RunAt, "notes": &in.Notes} {
		if x := v[name]; x != "" {
			*p = &x
		}
	}
	if txt := strings.TrimSpace(v["score"]); txt != "" {
		f, perr := strconv.ParseFloat(txt, 64)
		if perr != nil {
			errs["score"] = "The score must be a number, such as 42 or 12.5."
		} else {
			in.Score = &f
		}
	}
	if _, err := h.evidence.RecordBenchmarkResult(c.Request().Context(), httpx.MustActor(c), id, in); err != nil {
		return h.present.renderReviewError(c, id, rf, errs, err)
	}
	return c.Redirect(http.StatusSeeOther, "/cases/"+id+"?done=result#benchmarks")
}

func (h *ReviewPages) Publish(c echo.Context) error {
	id := c.Param("id")
	rf := reviewForm{Which: formPublish, For: id, Values: formValues(c, "subject", "vulnerability_name", "short_description",
		"required_action", "due_date", "notes", "redact_lab", "cve_id", "affected_vendor", "affected_product")}
	v := rf.Values
	in := docket.PublishInput{}
	for name, p := range map[string]**string{"subject": &in.Subject, "vulnerability_name": &in.VulnerabilityName,
		"short_description": &in.ShortDescription, "required_action": &in.RequiredAction, "due_date": &in.DueDate,
		"notes": &in.Notes, "cve_id": &in.CVEID, "affected_vendor": &in.AffectedVendor, "affected_product": &in.AffectedProduct} {
		if x := v[name]; x != "" {
			*p = &x
		}
	}
	redact := v["redact_lab"] == "true"
	in.RedactLab = &redact
	fv, err := h.clearinghouse.PublishFinding(c.Request().Context(), httpx.MustActor(c), id, in)
	if err != nil {
		if code := docket.ErrorCode(err); code == docket.ENotFound || code == docket.EForbidden {
			return err
		}
		caseID := h.present.findingCase(c, id)
		if caseID == "" {
			return err
		}
		return h.present.renderReviewError(c, caseID, rf, nil, err)
	}
	return c.Redirect(http.StatusSeeOther, "/cases/"+fv.Finding.CaseID+"?done=published#clearinghouse")
}

// pageStatement downloads a case's latest statement as a file a contracting
// office can check with `docket statement verify`.
func (h *ReviewPages) Statement(c echo.Context) error {
	a := httpx.MustActor(c)
	v, err := h.cases.GetCase(c.Request().Context(), a, c.Param("id"))
	if err != nil {
		return err
	}
	st, err := h.evidence.GetStatement(c.Request().Context(), a, v.Case.ID)
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentDisposition, httpx.ContentDisposition(fmt.Sprintf("%s-%s-statement.jws", v.Case.Number, st.Kind)))
	return c.Blob(http.StatusOK, "application/jose", []byte(st.Token))
}

// clearinghousePage is the Clearinghouse for every signed-in user.
type clearinghousePage struct {
	view.PageBase
	Q        string
	Version  string
	Released *time.Time
	Entries  []clearinghouseRow
	CSV      string
}

type clearinghouseRow struct {
	export.Entry
	SeverityLabel, CategoryLabel, TLPClass string
	ThirdParty, Withheld                   bool
}

func (h *ReviewPages) Clearinghouse(c echo.Context) error {
	cat, err := export.ReadCatalog(c, h.clearinghouse.Clearinghouse)
	if err != nil {
		return err
	}
	pg := clearinghousePage{PageBase: h.r.Base(c, "Clearinghouse"), Q: c.QueryParam("q"), Version: cat.Version,
		Released: cat.Released, CSV: "/clearinghouse.csv"}
	if pg.Q != "" {
		pg.CSV += "?q=" + url.QueryEscape(pg.Q)
	}
	for _, e := range export.Catalog(cat).Vulnerabilities {
		pg.Entries = append(pg.Entries, clearinghouseRow{Entry: e, SeverityLabel: view.LabelOr(severityLabels[e.Severity], e.Severity),
			CategoryLabel: view.LabelOr(categoryLabels[e.Category], e.Category), TLPClass: tlpClass(e.TLP),
			ThirdParty: e.Subject == docket.SubjectThirdParty, Withheld: e.Subject == docket.SubjectAISystem && e.VendorProject == docket.WithheldLab})
	}
	return h.r.Render(c, http.StatusOK, "clearinghouse.html", pg)
}

func (h *ReviewPages) ClearinghouseCSV(c echo.Context) error {
	cat, err := export.ReadCatalog(c, h.clearinghouse.Clearinghouse, "bom")
	if err != nil {
		return err
	}
	bom, err := export.BOM(c)
	if err != nil {
		return err
	}
	return export.ServeClearinghouseCSV(c, cat, bom)
}

// scoreText writes a score as compactly as it was given.
func scoreText(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
