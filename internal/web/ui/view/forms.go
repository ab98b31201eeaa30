package view

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// A form that a use case refuses comes back with what went wrong: each
// field's message beside it and an alert at the top. Refusal maps the
// refusal to that, in one place; FormWords says how each form words it, and
// the pages pick theirs from the ways below.

// FormWords says how a form shows a use case's refusal; each func gets the
// field (its list index cut off) and the service's message. A nil func
// leaves that kind of refusal to the error page.
type FormWords struct {
	// field words the message beside a field; nil shows a field's refusal
	// in the alert too, with whole.
	field func(field, msg string) string
	// whole words the alert of a refusal of the whole form (no field).
	whole func(field, msg string) string
	// conflict words the alert of a refusal in the current state (409).
	conflict func(field, msg string) string
	// file puts a refused file (413, 415) beside the form's file field.
	file bool
	// wholeBeside keeps a refusal of the whole form beside the form as well,
	// under the field "".
	wholeBeside bool
}

// Refusal maps a use case's error on a form to what the form shows again:
// an error beside its field (EInvalid, EUnprocessable: 422), beside the
// file field (ETooLarge 413, EUnsupported 415), or the alert (the whole
// form: 422; the current state, EConflict: 409). A message already beside
// a field is kept. ok is false for any error the form does not show (404,
// 403, 500, and what w leaves out): the caller returns it, for the error page.
func Refusal(err error, errs FieldErrors, w FormWords) (status int, alert string, ok bool) {
	de := docket.AsError(err)
	if de == nil {
		return 0, "", false
	}
	field := de.Field
	if i := strings.IndexByte(field, '['); i > 0 {
		field = field[:i]
	}
	keep := func(name, msg string) {
		if _, seen := errs[name]; !seen {
			errs[name] = msg
		}
	}
	switch de.Code {
	case docket.EInvalid, docket.EUnprocessable:
		switch {
		case field != "" && w.field != nil:
			keep(field, w.field(field, de.Message))
			return http.StatusUnprocessableEntity, "", true
		case w.whole != nil:
			if w.wholeBeside && field == "" {
				keep("", w.field("", de.Message))
			}
			return http.StatusUnprocessableEntity, w.whole(field, de.Message), true
		}
	case docket.ETooLarge, docket.EUnsupported:
		if w.file {
			keep("file", sentence(de.Message))
			return httpx.StatusOf[de.Code], "", true
		}
	case docket.EConflict:
		if w.conflict != nil {
			return http.StatusConflict, w.conflict(field, de.Message), true
		}
	}
	return 0, "", false
}

// The ways the pages word a refusal.
var (
	// CaseWords: the case page's forms (renderCaseError).
	CaseWords = FormWords{field: labelled, whole: asIs, conflict: asSentence}
	// WorkWords: the forms of findings, comments and attachments (renderWorkError).
	WorkWords = FormWords{field: fieldMessage, whole: asSentence, conflict: conflictAlert, file: true}
	// ReviewWords: the forms of amendments, results and publishing (renderReviewError).
	ReviewWords = FormWords{field: reviewMessage, whole: asSentence, conflict: conflictAlert, wholeBeside: true}
	// FieldWords: a form whose fields alone show a refusal (the case form).
	FieldWords = FormWords{field: labelledSentence}
	// AdminWords: the administrators' forms of a new user or organisation.
	AdminWords = FormWords{field: labelledSentence, conflict: asSentence}
	// StateWords: a page whose actions are refused only by their state (the inbox, the approvals).
	StateWords = FormWords{conflict: asSentence}
)

// labelled is a field's message after the field's name: "The question is required".
func labelled(field, msg string) string { return FieldLabel(field) + " " + msg }

// labelledSentence is labelled ending with a full stop.
func labelledSentence(field, msg string) string { return FieldLabel(field) + " " + msg + "." }

func asIs(_, msg string) string { return msg }

func asSentence(_, msg string) string { return sentence(msg) }

// conflictAlert is the case page's alert for a form refused in the case's
// state (409): the service's reason, or where to attest when that is it.
func conflictAlert(_, msg string) string {
	if strings.HasPrefix(msg, "attest no conflict of interest first") {
		return "Attest no conflict of interest first, at the top of this page."
	}
	return sentence(msg)
}

// The pages with a wording of their own.
var (
	// AccountWords: the account page's forms.
	AccountWords = FormWords{field: labelledSentence,
		whole: func(_, msg string) string { return "Nothing was changed. " + sentence(msg) }}
	// UserChangeWords: a change to a user, refused in the users page's alert.
	UserChangeWords = FormWords{whole: userNotChanged, conflict: userNotChanged}
	// WithdrawWords: the reason on the confirmation of a withdrawal.
	WithdrawWords = FormWords{whole: func(_, msg string) string { return FieldLabel("reason") + " " + msg }}
	// UntilWords: the forecast's date.
	UntilWords = FormWords{field: func(_, msg string) string {
		return sentence("The date " + strings.Replace(msg, "later than now", "today or later", 1))
	}}
)

func userNotChanged(field, msg string) string {
	if field == "" {
		return "The user was not changed. " + sentence(msg)
	}
	return "The user was not changed. " + sentence(strings.TrimSpace(FieldLabel(field)+" "+msg))
}

// fieldLabels name the fields in the messages beside them and in the alerts.
var fieldLabels = map[string]string{
	"current_password": "Your current password", "new_password": "The new password", "days": "The lifetime",
	"question": "The question", "answer": "The answer", "rationale": "The rationale", "outcome": "The outcome",
	"reason": "The reason", "reviewer_ids": "A reviewer", "lead_id": "The case lead", "conditions": "The conditions",
	"model_name": "The model name", "model_version": "The version", "summary": "The summary",
	"weights_digest": "The weights digest", "planned_release_date": "The planned release date",
	"training_compute_flops": "The training compute", "modality": "The modality", "deployment": "The deployment",
	"email": "The e-mail address", "name": "The name", "role": "The role", "org_id": "The organisation",
	"password": "The password", "kind": "The kind", "email_delivery": "The choice of e-mail",
}

// FieldLabel names the field f in a message: "The question".
func FieldLabel(f string) string { return LabelOr(fieldLabels[f], f) }

// sentence capitalises a message and ends it with a full stop.
func sentence(m string) string {
	if m == "" {
		return m
	}
	m = strings.ToUpper(m[:1]) + m[1:]
	if !strings.HasSuffix(m, ".") {
		m += "."
	}
	return m
}

// workFieldLabels name the fields of the forms of a case's work (findings,
// comments, attachments), and the forecast's date.
var workFieldLabels = map[string]string{"title": "The title", "description": "The description", "category": "The category",
	"severity": "The severity", "tlp": "The TLP label", "atlas_technique": "The ATLAS technique",
	"component": "The component", "evidence": "The evidence", "embargo_until": "The embargo date",
	"recipient_ids": "A recipient", "response": "The response", "resolution": "The resolution", "note": "The note",
	"body": "The comment", "visibility": "The visibility", "file": "The file", "kind": "The kind of document",
	"until": "The date"}

// WorkFieldLabel names a field of the forms of a case's work.
func WorkFieldLabel(f string) string { return LabelOr(workFieldLabels[f], FieldLabel(f)) }

// entryRE is how the service names one entry of a list field: "entry 2 …".
var entryRE = regexp.MustCompile(`^entry \d+ `)

// fieldMessage makes a service's message about a field into a sentence: the
// field's name before a predicate ("The title is required."), a whole
// message as it is ("A lab posts shared comments only.").
func fieldMessage(field, msg string) string {
	if loc := entryRE.FindStringIndex(msg); loc != nil {
		return sentence(WorkFieldLabel(field) + " " + msg[loc[1]:])
	}
	for _, verb := range []string{"is ", "must ", "contains ", "has ", "are ", "may "} {
		if strings.HasPrefix(msg, verb) {
			return sentence(WorkFieldLabel(field) + " " + msg)
		}
	}
	return sentence(msg)
}

// reviewFieldLabels name the fields of the review's forms (amendments,
// results, publishing).
var reviewFieldLabels = map[string]string{"weights_digest": "The weights digest", "summary": "The summary",
	"planned_release_date": "The planned release date", "note": "The note", "restart_clock": "Restarting the clock",
	"outcome": "The outcome", "benchmark_id": "The benchmark", "score": "The score", "run_by": "Who ran it",
	"run_at": "The date of the run", "notes": "The notes", "subject": "The subject",
	"vulnerability_name": "The vulnerability's name", "short_description": "The short description",
	"required_action": "The required action", "due_date": "The due date", "redact_lab": "Withholding the lab",
	"cve_id": "The CVE id", "affected_vendor": "The affected vendor", "affected_product": "The affected product"}

// reviewMessage makes a service's message about a field into a sentence.
func reviewMessage(field, msg string) string {
	for _, verb := range []string{"is ", "must ", "contains ", "has ", "are ", "may "} {
		if strings.HasPrefix(msg, verb) {
			return sentence(LabelOr(reviewFieldLabels[field], field) + " " + msg)
		}
	}
	return sentence(msg)
}
