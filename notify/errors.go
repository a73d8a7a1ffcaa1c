package notify

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"time"
)

// DeliveryError says why a message was not delivered and whether trying the
// same message again later may work. Its text never holds a password, a
// signing secret or the secret part of a webhook URL.
type DeliveryError struct {
	// Temporary is true when the same message may go through later without
	// any change to the settings: the server was unreachable, too slow,
	// busy, or answered with a temporary failure.
	Temporary bool
	// Status is the HTTP status or the SMTP reply code, or 0 when there was
	// no answer.
	Status int
	// RetryAfter is how long the webhook server asked us to wait (its
	// Retry-After header), or 0.
	RetryAfter time.Duration
	// Message says in plain English what went wrong and what to check.
	Message string
	// Err is the cause, with secrets removed, for logs.
	Err error
}

// Error returns the message, the cause and whether to try again.
func (e *DeliveryError) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Err != nil {
		b.WriteString(" (")
		b.WriteString(e.Err.Error())
		b.WriteString(")")
	}
	if e.Temporary {
		b.WriteString(". This is probably temporary: sending again later may work.")
	} else {
		b.WriteString(". This will not fix itself: sending again will fail the same way until the settings or the address are corrected.")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *DeliveryError) Unwrap() error { return e.Err }

// IsTemporary reports whether sending the same message again later may
// succeed: true for network errors, timeouts, a cancelled context, HTTP 5xx,
// 408 and 429, and SMTP 4xx replies; false for other HTTP 4xx, SMTP 5xx,
// refused settings, and nil.
//
// A cancelled context counts as temporary because the message was not sent
// through no fault of its own (the server was shutting down, say), so a
// queue should keep it.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	var de *DeliveryError
	if errors.As(err, &de) {
		return de.Temporary
	}
	return isNetworkTrouble(err)
}

// isNetworkTrouble reports whether err comes from reaching the other side
// rather than from what it answered.
func isNetworkTrouble(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	var oe *net.OpError
	return errors.As(err, &oe)
}

// isTimeout reports whether err is a timeout or a cancelled context.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// redactedError keeps a cause's text, with secrets cut out, once the
// original error cannot be kept whole without repeating a secret.
type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

// redact returns err unchanged when its text holds none of secrets, and a
// plain error with each secret replaced by "[redacted]" otherwise. Empty
// secrets are ignored; longer ones are cut first, so a secret that contains
// another leaves no part of itself behind.
func redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	found := false
	for _, s := range sortedByLength(secrets) {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
			found = true
		}
	}
	if !found {
		return err
	}
	return &redactedError{msg: msg}
}

// sortedByLength returns a copy of ss, longest first.
func sortedByLength(ss []string) []string {
	out := slices.Clone(ss)
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}
