package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/docket/docket/internal/app"
	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
	"github.com/docket/docket/internal/web/ui/view"
)

// The case's work on the case page: its findings (this file), comments
// (comments.go) and attachments (attachments.go). Each part is
// shown exactly to those the API shows it to: a lab the findings shared with
// it (TLP:RED only when named) and the shared comments; assigned reviewers
// and leads everything once they have attested; compliance officers only the
// findings' counts by severity and state. The forms are those of the actions
// the user may take now; a form that fails comes back with its errors beside
// its fields and what was typed kept.

// caseWork is what the case page shows of findings, comments and attachments.
type caseWork struct {
	CaseID string
	Lab    string
	IsLab  bool
	// Findings is nil for those who read no findings; Tally is the
	// compliance officers' counts.
	Findings    *findingsSection
	Tally       *tallyView
	Comments    *commentsSection
	Attachments *attachmentsSection
	// The form that came back with errors, if any.
	Form   workForm
	Errors view.FieldErrors

	src workSource
}

// workSource is what the sections are built from, loaded once per page.
type workSource struct {
	actor    docket.Actor
	status   docket.Status
	content  bool
	record   bool // the user may record findings here now
	findings []*app.FindingView
	comments []docket.Comment
	atts     []docket.Attachment
	members  []docket.User
	names    nameBook
	days     map[string]int
	maxBytes int64
	now      time.Time
	csrf     string
	// stepUp is the sign-in offered in place of a withheld TLP:RED finding.
	stepUp *view.StepUp
}

// The forms of the case's work, as workForm.Which names them.
const (
	formRecord  = "record"
	formEdit    = "edit"
	formShare   = "share"
	formRespond = "respond"
	formResolve = "resolve"
	formComment = "comment"
	formUpload  = "upload"
)

// workForm keeps what the user typed in the form that failed.
type workForm struct {
	Which string
	// For is the finding a finding's form acts on; "" for the case's own forms.
	For           string
	Finding       findingFields
	RecipientIDs  []string
	Response      string
	Resolution    string
	Note          string
	AcceptedUntil string
	Comment       commentFields
	Kind          string
}

// nameBook names the people of a case as the viewer may know them: a lab
// knows its own members by name and the agency as "the review team"; the
// agency knows everyone.
type nameBook struct {
	names map[string]string
	lab   bool
}

func (n nameBook) of(id string) string {
	if name, ok := n.names[id]; ok && name != "" {
		return name
	}
	if n.lab {
		return "The review team"
	}
	return "Unknown user"
}

// caseWorkOf loads the findings, comments and attachments of a case the user
// may see, as the user may see them. v is the case as GetCase gave it; names
// maps the review team's ids to names for the agency roles.
func (h *casePresenter) caseWorkOf(c echo.Context, v *app.CaseView, names map[string]string) (*caseWork, error) {
	a := httpx.MustActor(c)
	ctx := c.Request().Context()
	cs := v.Case
	w := &caseWork{CaseID: cs.ID, Lab: cs.OrgName, IsLab: a.Role == docket.RoleLabMember}
	src := workSource{actor: a, status: cs.Status, content: v.Content, days: h.responseDays,
		maxBytes: h.maxBytes, now: h.cases.Now(), stepUp: h.r.StepUpTo("/cases/" + cs.ID)}
	src.csrf, _ = c.Get(httpx.CSRFKey).(string)
	if a.Role == docket.RoleCompliance && cs.Status != docket.StatusDraft {
		t, err := h.cases.FindingTally(ctx, a, cs.ID)
		if err != nil {
			return nil, err
		}
		w.Tally = tallyOf(t)
	}
	if !v.Content {
		w.src = src
		w.build()
		return w, nil
	}
	members, err := h.cases.CaseLabMembers(ctx, a, cs.ID)
	if err != nil {
		return nil, err
	}
	src.members = members
	book := nameBook{names: map[string]string{}, lab: w.IsLab}
	if !w.IsLab {
		for id, n := range names {
			book.names[id] = n
		}
	}
	for _, m := range members {
		book.names[m.ID] = m.Name
	}
	src.names = book
	src.record = (a.Role == docket.RoleReviewer || a.Role == docket.RoleReviewLead) && cs.Status.AcceptsAdditions()
	if cs.Status != docket.StatusDraft {
		for cursor := ""; ; {
			list, next, err := h.findings.ListFindings(ctx, a, cs.ID, app.FindingFilter{}, app.Page{Limit: 200, Cursor: cursor})
			if err != nil {
				return nil, err
			}
			src.findings = append(src.findings, list...)
			if next == "" {
				break
			}
			cursor = next
		}
	}
	for cursor := ""; ; {
		list, next, err := h.findings.ListComments(ctx, a, cs.ID, app.Page{Limit: 200, Cursor: cursor})
		if err != nil {
			return nil, err
		}
		src.comments = append(src.comments, list...)
		if next == "" {
			break
		}
		cursor = next
	}
	if src.atts, err = h.findings.ListAttachments(ctx, a, cs.ID); err != nil {
		return nil, err
	}
	w.src = src
	w.build()
	return w, nil
}

// withForm shows the sections again with the form that failed, its errors and its input.
func (w *caseWork) withForm(f workForm, errs view.FieldErrors) {
	w.Form, w.Errors = f, errs
	w.build()
}

// build makes the sections and their forms from the loaded data and the form state.
func (w *caseWork) build() {
	src := w.src
	w.Findings, w.Comments, w.Attachments = nil, nil, nil
	if !src.content {
		return
	}
	if src.status != docket.StatusDraft {
		w.Findings = w.findingsSection()
	}
	w.Comments = w.commentsSection()
	w.Attachments = w.attachmentsSection()
}

// errsFor returns the form's errors when the failed form is which (on the finding for).
func (w *caseWork) errsFor(which, forID string) view.FieldErrors {
	if w.Form.Which == which && w.Form.For == forID {
		return w.Errors
	}
	return nil
}

// findingsSection is the findings' part of the case page.
type findingsSection struct {
	Rows   []*findingView
	Record *recordForm
	// Open counts the findings still open (draft, shared, lab responded).
	Open int
}

// findingView is one finding as the viewer may read it, with its forms.
type findingView struct {
	ID, Title, Description, Evidence  string
	Category, Severity, SeverityLabel string
	TLP, TLPClass                     string
	Status, StatusLabel               string
	Atlas, Component, Embargo         string
	Author                            string
	Created                           time.Time
	SharedAt                          *time.Time
	SharedBy                          string
	ResponseDue                       *time.Time
	Overdue                           bool
	Recipients                        []string
	Response                          string
	RespondedAt                       *time.Time
	RespondedBy                       string
	Closed                            bool
	ResolutionNote                    string
	ResolvedAt                        *time.Time
	ResolvedBy                        string
	Attachments                       []attachmentRow
	Edit                              *recordForm
	Share                             *shareForm
	Respond                           *respondForm
	Resolve                           *resolveForm
	Upload                            *uploadForm
	// StepUp: a TLP:RED finding withheld from this session, which the
	// sign-in offered would open; only its state, severity and label are shown.
	StepUp *view.StepUp
}

// shareForm shares a draft: with the whole lab, or a TLP:RED finding with
// the lab users picked.
type shareForm struct {
	Red        bool
	Lab        string
	Recipients []view.Option
	Days       int
	Error      string
}

type respondForm struct {
	Response workField
}

type resolveForm struct {
	// Failed: this form came back with errors, so it shows open.
	Failed          bool
	Choices         []view.Option
	ResolutionError string
	Note            workField
	AcceptedUntil   workField
}

// workField is one input, text area or select of the case's work forms,
// with its hint and its error; ID keeps the page's many forms apart.
type workField struct {
	ID, Name, Label, Hint, Value, Error string
	// Type is an input type, "textarea" or "select".
	Type     string
	Optional bool
	Rows     int
	Options  []view.Option
}

// field builds a work field from its form's state.
func field(id, name, label, hint, typ, value string, errs view.FieldErrors) workField {
	return workField{ID: id, Name: name, Label: label, Hint: hint, Type: typ, Value: value, Error: errs[name]}
}

// findingFields are the record form's fields as typed.
type findingFields struct {
	Title, Description, Category, Severity, TLP string
	AtlasTechnique, Component, Evidence         string
	EmbargoUntil                                string
}

// recordForm records a finding.
type recordForm struct {
	Errors  view.FieldErrors
	Summary []fieldError
	Fields  []workField
}

// findingFieldOrder is the order of the record form's fields.
var findingFieldOrder = []string{"title", "description", "category", "severity", "tlp", "atlas_technique",
	"component", "evidence", "embargo_until"}

var (
	findingStatusLabels = map[string]string{"draft": "Draft", "shared": "Shared, awaiting the lab",
		"lab_responded": "Lab responded", "resolved": "Resolved", "risk_accepted": "Risk accepted"}
	severityLabels = map[string]string{"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low",
		"informational": "Informational"}
	categoryLabels = map[string]string{"cyber_offense": "Cyber offense", "vulnerability_discovery": "Vulnerability discovery",
		"exploit_development": "Exploit development", "safeguard_bypass": "Safeguard bypass",
		"weights_security": "Weights security", "data_exfiltration": "Data exfiltration", "other": "Other"}
	resolutionLabels = map[string]string{"resolved": "Resolved: the lab fixed it, or it no longer applies",
		"risk_accepted": "Risk accepted: it stays, and the agency accepts the risk"}
)

// tlpClass is the CSS class of a TLP label: TLP:AMBER+STRICT → tlp-amber-strict.
func tlpClass(tlp string) string {
	return "tlp-" + strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(tlp, "TLP:")), "+", "-")
}

func (w *caseWork) findingsSection() *findingsSection {
	src := w.src
	sec := &findingsSection{}
	for _, v := range src.findings {
		sec.Rows = append(sec.Rows, w.findingViewOf(v))
		if v.Finding.Status.Open() {
			sec.Open++
		}
	}
	if src.record {
		errs := w.errsFor(formRecord, "")
		f := w.Form.Finding
		if errs == nil {
			f = findingFields{}
		}
		sec.Record = w.recordFormOf("nf-", f, errs)
	}
	return sec
}

// recordFormOf builds the finding form's fields from f, with errs beside
// them; prefix keeps the ids of the page's several finding forms apart.
func (w *caseWork) recordFormOf(prefix string, f findingFields, errs view.FieldErrors) *recordForm {
	rf := &recordForm{Errors: errs}
	sel := func(name, label, hint, value string, values []string, labels map[string]string) workField {
		wf := field(prefix+name, name, label, hint, "select", value, errs)
		wf.Options = view.Options(values, labels, value)
		return wf
	}
	opt := func(wf workField) workField { wf.Optional = true; return wf }
	area := func(wf workField, rows int) workField { wf.Rows = rows; return wf }
	rf.Fields = []workField{
		field(prefix+"title", "title", "Title", "A short name for what was found. The lab sees it once the finding is shared.", "text", f.Title, errs),
		area(field(prefix+"description", "description", "Description", "What the model did or can do, and why it matters.", "textarea", f.Description, errs), 6),
		sel("category", "Category", "", f.Category, docket.FindingCategories, categoryLabels),
		sel("severity", "Severity", "It sets the lab's time to respond once shared: "+w.responseDaysHint()+".", f.Severity, docket.Severities, severityLabels),
		sel("tlp", "TLP label", "Traffic Light Protocol 2.0. TLP:RED goes only to the lab users you name when sharing; TLP:CLEAR and TLP:GREEN findings may later be published to the Clearinghouse.", f.TLP, docket.TLPLabels, nil),
		opt(field(prefix+"atlas_technique", "atlas_technique", "MITRE ATLAS technique", "AML.T and 4 digits, optionally . and 3 more: AML.T0051 or AML.T0051.000.", "text", f.AtlasTechnique, errs)),
		opt(field(prefix+"component", "component", "Component", "The part of the system concerned, such as the code-execution tool.", "text", f.Component, errs)),
		opt(area(field(prefix+"evidence", "evidence", "Evidence", "Transcripts, prompts or runs that show it. Attach files once the finding is recorded.", "textarea", f.Evidence, errs), 4)),
		opt(field(prefix+"embargo_until", "embargo_until", "Embargo until", "The finding may be published from 00:00 agency time on this day.", "date", f.EmbargoUntil, errs)),
	}
	for _, name := range findingFieldOrder {
		if m, ok := errs[name]; ok {
			rf.Summary = append(rf.Summary, fieldError{Field: prefix + name, Message: m})
		}
	}
	return rf
}

func (w *caseWork) findingViewOf(v *app.FindingView) *findingView {
	src := w.src
	f := v.Finding
	if v.StepUpRequired {
		return &findingView{ID: f.ID, Severity: f.Severity, SeverityLabel: view.LabelOr(severityLabels[f.Severity], f.Severity),
			TLP: f.TLP, TLPClass: tlpClass(f.TLP), Status: string(f.Status),
			StatusLabel: view.LabelOr(findingStatusLabels[string(f.Status)], string(f.Status)), Created: f.CreatedAt,
			SharedAt: f.SharedAt, ResponseDue: f.ResponseDueAt, Overdue: f.Overdue(src.now), Closed: !f.Status.Open(),
			StepUp: src.stepUp}
	}
	fv := &findingView{ID: f.ID, Title: f.Title, Description: f.Description, Evidence: f.Evidence,
		Category: view.LabelOr(categoryLabels[f.Category], f.Category), Severity: f.Severity,
		SeverityLabel: view.LabelOr(severityLabels[f.Severity], f.Severity), TLP: f.TLP, TLPClass: tlpClass(f.TLP),
		Status: string(f.Status), StatusLabel: view.LabelOr(findingStatusLabels[string(f.Status)], string(f.Status)),
		Atlas: f.AtlasTechnique, Component: f.Component, Author: src.names.of(f.AuthorID), Created: f.CreatedAt,
		SharedAt: f.SharedAt, ResponseDue: f.ResponseDueAt, Response: f.Response, RespondedAt: f.RespondedAt,
		Closed: !f.Status.Open(), ResolutionNote: f.ResolutionNote, ResolvedAt: f.ResolvedAt, Overdue: f.Overdue(src.now)}
	if !f.EmbargoUntil.IsZero() {
		fv.Embargo = f.EmbargoUntil.String()
	}
	if f.SharedBy != "" {
		fv.SharedBy = src.names.of(f.SharedBy)
	}
	if f.RespondedBy != "" {
		fv.RespondedBy = src.names.of(f.RespondedBy)
	}
	if f.ResolvedBy != "" {
		fv.ResolvedBy = src.names.of(f.ResolvedBy)
	}
	for _, id := range f.RecipientIDs {
		fv.Recipients = append(fv.Recipients, src.names.of(id))
	}
	fv.Attachments = attachmentRows(v.Attachments, src.names)
	allowed := func(act docket.FindingAction) bool { return slices.Contains(v.Allowed, act) }
	if allowed(docket.FindEdit) {
		errs := w.errsFor(formEdit, f.ID)
		ff := w.Form.Finding
		if errs == nil {
			ff = findingFields{Title: f.Title, Description: f.Description, Category: f.Category, Severity: f.Severity,
				TLP: f.TLP, AtlasTechnique: f.AtlasTechnique, Component: f.Component, Evidence: f.Evidence, EmbargoUntil: fv.Embargo}
		}
		fv.Edit = w.recordFormOf("ef-"+f.ID+"-", ff, errs)
	}
	if allowed(docket.FindShare) {
		errs := w.errsFor(formShare, f.ID)
		chosen := []string{}
		if errs != nil {
			chosen = w.Form.RecipientIDs
		}
		sf := &shareForm{Red: f.TLP == docket.TLPRed, Lab: w.Lab, Days: src.days[f.Severity], Error: errs["recipient_ids"]}
		if sf.Red {
			for _, m := range src.members {
				if !m.Disabled {
					sf.Recipients = append(sf.Recipients, view.Option{Value: m.ID, Label: m.Name, Selected: slices.Contains(chosen, m.ID)})
				}
			}
		}
		fv.Share = sf
	}
	if allowed(docket.FindRespond) {
		errs := w.errsFor(formRespond, f.ID)
		fv.Respond = &respondForm{Response: field("response-"+f.ID, "response", "Your response to this finding",
			"Say what you changed, or why you see it differently. The review team reads it; a lead then closes the finding.",
			"textarea", w.Form.Response, errs)}
		fv.Respond.Response.Rows = 5
		if errs == nil {
			fv.Respond.Response.Value = ""
		}
	}
	if allowed(docket.FindResolve) {
		errs := w.errsFor(formResolve, f.ID)
		chosen, note, until := "", "", ""
		if errs != nil {
			chosen, note, until = w.Form.Resolution, w.Form.Note, w.Form.AcceptedUntil
		}
		rf := &resolveForm{Failed: errs != nil, ResolutionError: errs["resolution"], Choices: view.Options(docket.Resolutions, resolutionLabels, chosen),
			Note: field("note-"+f.ID, "note", "Note", "Why it is closed this way. The lab sees the note.", "textarea", note, errs),
			AcceptedUntil: field("accepted-until-"+f.ID, "accepted_until", "Risk accepted until",
				"Required when the risk is accepted: on this date the finding reopens as shared, and the case lead is told 14 days before.",
				"date", until, errs)}
		rf.Note.Rows = 3
		rf.AcceptedUntil.Optional = true
		fv.Resolve = rf
	}
	if allowed(docket.FindAttach) {
		fv.Upload = w.uploadFormFor(f.ID)
	}
	return fv
}

// responseDaysHint says the response time of each severity: "critical 3 days, …".
func (w *caseWork) responseDaysHint() string {
	var parts []string
	for _, sev := range docket.Severities {
		switch n := w.src.days[sev]; n {
		case 0:
			parts = append(parts, sev+" none")
		case 1:
			parts = append(parts, sev+" 1 day")
		default:
			parts = append(parts, fmt.Sprintf("%s %d days", sev, n))
		}
	}
	return strings.Join(parts, ", ")
}

// tallyView is the compliance officers' table of a case's findings: counts
// by severity and state, no content.
type tallyView struct {
	States  []string
	Rows    []tallyRow
	Totals  []int
	Total   int
	Overdue int
}

type tallyRow struct {
	Severity, Label string
	Counts          []int
	Total           int
}

func tallyOf(t *app.FindingTally) *tallyView {
	v := &tallyView{Total: t.Total, Overdue: t.Overdue, Totals: make([]int, len(docket.FindingStatuses))}
	for _, st := range docket.FindingStatuses {
		v.States = append(v.States, view.LabelOr(findingStatusLabels[string(st)], string(st)))
	}
	for _, sev := range docket.Severities {
		r := tallyRow{Severity: sev, Label: view.LabelOr(severityLabels[sev], sev)}
		for i, st := range docket.FindingStatuses {
			n := t.Counts[sev][st]
			r.Counts = append(r.Counts, n)
			r.Total += n
			v.Totals[i] += n
		}
		v.Rows = append(v.Rows, r)
	}
	return v
}

// readFindingForm reads the record form, and checks each field on its own
// with the rules the service applies, so that every error shows at once.
func readFindingForm(c echo.Context) (findingFields, docket.FindingInput, view.FieldErrors) {
	f := findingFields{Title: form(c, "title"), Description: form(c, "description"), Category: form(c, "category"),
		Severity: form(c, "severity"), TLP: form(c, "tlp"), AtlasTechnique: strings.TrimSpace(form(c, "atlas_technique")),
		Component: form(c, "component"), Evidence: form(c, "evidence"),
		EmbargoUntil: strings.TrimSpace(form(c, "embargo_until"))}
	in := docket.FindingInput{Title: &f.Title, Description: &f.Description, Category: &f.Category,
		Severity: &f.Severity, TLP: &f.TLP, AtlasTechnique: &f.AtlasTechnique, Component: &f.Component,
		Evidence: &f.Evidence, EmbargoUntil: &f.EmbargoUntil}
	errs := view.FieldErrors{}
	for name, v := range map[string]string{"category": f.Category, "severity": f.Severity, "tlp": f.TLP} {
		if v == "" {
			errs[name] = "Choose " + strings.ToLower(view.WorkFieldLabel(name)) + "."
		}
	}
	one := []docket.FindingInput{{Title: in.Title}, {Description: in.Description}, {Category: in.Category},
		{Severity: in.Severity}, {TLP: in.TLP}, {AtlasTechnique: in.AtlasTechnique}, {Component: in.Component},
		{Evidence: in.Evidence}, {EmbargoUntil: in.EmbargoUntil}}
	for _, x := range one {
		var scratch docket.Finding
		if err := x.Apply(&scratch); err != nil {
			view.Refusal(err, errs, view.WorkWords)
		}
	}
	return f, in, errs
}

// renderWorkError shows the case page again after a form of the case's work
// failed: errors beside the form's fields (422, or 413 and 415 for a file),
// or the reason it cannot be done now (409) at the top. Anything else (404,
// 403, 500) goes to the error page.
func (h *casePresenter) renderWorkError(c echo.Context, caseID string, wf workForm, errs view.FieldErrors, err error) error {
	if errs == nil {
		errs = view.FieldErrors{}
	}
	status, alert := http.StatusUnprocessableEntity, ""
	if docket.ErrorCode(err) == docket.EStepUp {
		c.Set(view.StepUpNextKey, "/cases/"+caseID) // the error page offers the sign-in, back to the case
		return err
	}
	if err != nil {
		var ok bool
		if status, alert, ok = view.Refusal(err, errs, view.WorkWords); !ok {
			return err
		}
	}
	pg, perr := h.casePageOf(c, caseID, caseForms{}, nil)
	if perr != nil {
		return perr
	}
	if pg.Work != nil {
		pg.Work.withForm(wf, errs)
	}
	pg.Alert = alert
	if alert == "" {
		pg.Alert = "This could not be done. Check the form marked beside its fields."
	}
	return h.r.Render(c, status, "case.html", pg)
}

// findingCase is the case of a finding the user may read, for showing a
// failed form again; "" when the finding cannot be read.
func (h *casePresenter) findingCase(c echo.Context, id string) string {
	v, err := h.findings.GetFinding(c.Request().Context(), httpx.MustActor(c), id)
	if err != nil {
		return ""
	}
	return v.Finding.CaseID
}

// findingFailed shows a failed finding form on its case's page, or the error
// page when the finding is not readable (404, 403), or when the form needs a
// session that may read TLP:RED (403 step_up_required: the page offers that
// sign-in, back to the case when the finding is still readable, as a draft
// being labelled TLP:RED is).
func (h *casePresenter) findingFailed(c echo.Context, id string, wf workForm, errs view.FieldErrors, err error) error {
	switch docket.ErrorCode(err) {
	case docket.ENotFound, docket.EForbidden:
		return err
	case docket.EStepUp:
		if caseID := h.findingCase(c, id); caseID != "" {
			c.Set(view.StepUpNextKey, "/cases/"+caseID)
		}
		return err
	}
	caseID := h.findingCase(c, id)
	if caseID == "" {
		return err
	}
	return h.renderWorkError(c, caseID, wf, errs, err)
}

// doneFinding redirects to the case page at the finding, saying what was done.
func doneFinding(c echo.Context, v *app.FindingView, what string) error {
	return c.Redirect(http.StatusSeeOther, "/cases/"+v.Finding.CaseID+"?done="+what+"#finding-"+v.Finding.ID)
}

func (h *FindingPages) CreateFinding(c echo.Context) error {
	id := c.Param("id")
	f, in, errs := readFindingForm(c)
	wf := workForm{Which: formRecord, Finding: f}
	// The service decides first, so that 404, 403 and 409 come before the fields.
	v, err := h.findings.CreateFinding(c.Request().Context(), httpx.MustActor(c), id, in)
	if err != nil {
		return h.present.renderWorkError(c, id, wf, errs, err)
	}
	return doneFinding(c, v, "finding")
}

func (h *FindingPages) ShareFinding(c echo.Context) error {
	id := c.Param("id")
	ids := c.Request().PostForm["recipient_ids"]
	wf := workForm{Which: formShare, For: id, RecipientIDs: ids}
	v, err := h.findings.ShareFinding(c.Request().Context(), httpx.MustActor(c), id, ids)
	if err != nil {
		return h.present.findingFailed(c, id, wf, nil, err)
	}
	return doneFinding(c, v, "shared")
}

func (h *FindingPages) RespondFinding(c echo.Context) error {
	id := c.Param("id")
	wf := workForm{Which: formRespond, For: id, Response: form(c, "response")}
	v, err := h.findings.RespondFinding(c.Request().Context(), httpx.MustActor(c), id, wf.Response)
	if err != nil {
		return h.present.findingFailed(c, id, wf, nil, err)
	}
	return doneFinding(c, v, "responded")
}

func (h *FindingPages) ResolveFinding(c echo.Context) error {
	id := c.Param("id")
	wf := workForm{Which: formResolve, For: id, Resolution: form(c, "resolution"), Note: form(c, "note"),
		AcceptedUntil: form(c, "accepted_until")}
	v, err := h.findings.ResolveFinding(c.Request().Context(), httpx.MustActor(c), id, wf.Resolution, wf.Note, wf.AcceptedUntil)
	if err != nil {
		errs := view.FieldErrors{}
		// Both fields at once: the service names only the first.
		if !docket.OneOf(wf.Resolution, docket.Resolutions) {
			errs["resolution"] = "Choose whether the finding is resolved or its risk accepted."
		}
		if e := docket.ValidateText("note", wf.Note, docket.MaxResolutionNote, true); e != nil {
			view.Refusal(e, errs, view.WorkWords)
		}
		return h.present.findingFailed(c, id, wf, errs, err)
	}
	return doneFinding(c, v, "resolved")
}

func (h *FindingPages) EditFinding(c echo.Context) error {
	id := c.Param("id")
	f, in, errs := readFindingForm(c)
	wf := workForm{Which: formEdit, For: id, Finding: f}
	v, err := h.findings.UpdateFinding(c.Request().Context(), httpx.MustActor(c), id, in)
	if err != nil {
		return h.present.findingFailed(c, id, wf, errs, err)
	}
	return doneFinding(c, v, "edited")
}
