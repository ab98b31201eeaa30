// Package docket is the domain of Docket: organisations, users and roles, cases
// and their lifecycle, who may do what, and the one error type every layer
// speaks. It imports nothing of Docket's but the clock engine.
package docket

import (
	"errors"
	"fmt"
)

// Error codes, mapped to HTTP status in one table in the web package.
const (
	EInvalid       = "invalid"                 // 400: malformed input or a field the route does not take
	EUnprocessable = "unprocessable"           // 422: a value that is not acceptable (code "invalid" on the wire)
	EUnauthorized  = "unauthorized"            // 401
	EForbidden     = "forbidden"               // 403
	ENotFound      = "not_found"               // 404
	EConflict      = "conflict"                // 409
	ETooLarge      = "too_large"               // 413
	EUnsupported   = "unsupported_media_type"  // 415
	ERateLimited   = "rate_limited"            // 429
	EScope         = "insufficient_scope"      // 403: an API token's scope does not allow the request
	EMFARequired   = "mfa_required"            // 401: the password was right; the account's second factor is needed too
	EMFAEnrolment  = "mfa_enrollment_required" // 403: the role needs a second factor and the session has none
	EStepUp        = "step_up_required"        // 403: a phishing-resistant sign-in is needed
	EInternal      = "internal"                // 500
)

// Error is a failure that is safe to show to the caller: a code, a message and,
// for bad input, the field it concerns.
type Error struct {
	Code    string
	Message string
	Field   string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns a 400-class error about one field of the input.
func FieldError(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Unacceptable returns a 422-class error: the field parsed, but its value is not acceptable.
func Unacceptable(field, format string, args ...any) *Error {
	return &Error{Code: EUnprocessable, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFound is the answer for anything that does not exist or that the caller may not see.
func NotFound(what string) *Error {
	return &Error{Code: ENotFound, Message: what + " not found"}
}

// Forbidden is the answer for an action the caller's role may never take.
func Forbidden() *Error {
	return &Error{Code: EForbidden, Message: "your role may not do this"}
}

// ErrorCode returns the code of err, EInternal for errors that are not *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err == nil {
		return ""
	}
	return EInternal
}

// AsError returns err as an *Error, or nil when it is not one.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
