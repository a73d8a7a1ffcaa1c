package handwash

import (
	"errors"
	"fmt"
)

// Error codes. Each maps once to an exit code (cmd/handwash) and, later, once
// to an HTTP status.
const (
	EINVALID      = "invalid"      // bad input: the message names the field or line
	ENOTFOUND     = "not_found"    // something asked for does not exist
	EUNAUTHORIZED = "unauthorized" // who is asking is not known
	EFORBIDDEN    = "forbidden"    // who is asking may not do this
	ECONFLICT     = "conflict"     // the request clashes with the current state
	ETOOLARGE     = "too_large"    // the input is over its size limit
	EINTERNAL     = "internal"     // our fault: logged, and the user is told to report it
)

// Error is the one error type Handwash returns to people. Message is plain
// English that says what is wrong and what to do next; it never holds a
// secret.
type Error struct {
	Code    string
	Message string
	Err     error // the underlying cause, for logs; never shown to a user as is
}

// Error returns the message.
func (e *Error) Error() string {
	if e.Message == "" && e.Err != nil {
		return e.Err.Error()
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the message of the
// first *Error in the chain, or a generic one for internal errors.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Error()
	}
	return "internal error: " + err.Error() + " (please report this)"
}
