package ui

import (
	"net/http"
	"strings"

	"github.com/docket/docket/internal/docket"
	"github.com/docket/docket/internal/web/httpx"
)

// A form that a use case refuses comes back with what went wrong: each
// field's message beside it and an alert at the top. refusal maps the
// refusal to that, in one place; formWords says how each form words it.

// formWords says how a form shows a use case's refusal; each func gets the
// field (its list index cut off) and the service's message. A nil func
// leaves that kind of refusal to the error page.
type formWords struct {
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

// refusal maps a use case's error on a form to what the form shows again:
// an error beside its field (EInvalid, EUnprocessable: 422), beside the
// file field (ETooLarge 413, EUnsupported 415), or the alert (the whole
// form: 422; the current state, EConflict: 409). A message already beside
// a field is kept. ok is false for any error the form does not show (404,
// 403, 500, and what w leaves out): the caller returns it, for the error page.
func refusal(err error, errs fieldErrors, w formWords) (status int, alert string, ok bool) {
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
	// caseWords: the case page's forms (renderCaseError).
	caseWords = formWords{field: labelled, whole: asIs, conflict: asSentence}
	// workWords: the forms of findings, comments and attachments (renderWorkError).
	workWords = formWords{field: fieldMessage, whole: asSentence, conflict: conflictAlert, file: true}
	// reviewWords: the forms of amendments, results and publishing (renderReviewError).
	reviewWords = formWords{field: reviewMessage, whole: asSentence, conflict: conflictAlert, wholeBeside: true}
	// fieldWords: a form whose fields alone show a refusal (the case form).
	fieldWords = formWords{field: labelledSentence}
	// adminWords: the administrators' forms of a new user or organisation.
	adminWords = formWords{field: labelledSentence, conflict: asSentence}
	// stateWords: a page whose actions are refused only by their state (the inbox, the approvals).
	stateWords = formWords{conflict: asSentence}
)

// labelled is a field's message after the field's name: "The question is required".
func labelled(field, msg string) string { return fieldLabel(field) + " " + msg }

// labelledSentence is labelled ending with a full stop.
func labelledSentence(field, msg string) string { return fieldLabel(field) + " " + msg + "." }

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
	// accountWords: the account page's forms.
	accountWords = formWords{field: labelledSentence,
		whole: func(_, msg string) string { return "Nothing was changed. " + sentence(msg) }}
	// userChangeWords: a change to a user, refused in the users page's alert.
	userChangeWords = formWords{whole: userNotChanged, conflict: userNotChanged}
	// withdrawWords: the reason on the confirmation of a withdrawal.
	withdrawWords = formWords{whole: func(_, msg string) string { return fieldLabel("reason") + " " + msg }}
	// untilWords: the forecast's date.
	untilWords = formWords{field: func(_, msg string) string {
		return sentence("The date " + strings.Replace(msg, "later than now", "today or later", 1))
	}}
)

func userNotChanged(field, msg string) string {
	if field == "" {
		return "The user was not changed. " + sentence(msg)
	}
	return "The user was not changed. " + sentence(strings.TrimSpace(fieldLabel(field)+" "+msg))
}
