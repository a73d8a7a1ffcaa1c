package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/handwash/handwash"
)

func TestIsTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain error", errors.New("something"), false},
		{"invalid input", handwash.Errorf(handwash.EINVALID, "bad"), false},
		{"deadline", context.DeadlineExceeded, true},
		{"cancelled", fmt.Errorf("send: %w", context.Canceled), true},
		{"network", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"dns", &net.DNSError{Err: "no such host", Name: "hooks.example", IsNotFound: true}, true},
		{"temporary delivery", &DeliveryError{Temporary: true, Status: 503}, true},
		{"permanent delivery", &DeliveryError{Temporary: false, Status: 404}, false},
		// A permanent verdict wins over a network cause inside it.
		{"permanent delivery over a network cause", &DeliveryError{Err: &net.OpError{Op: "dial", Err: errBlocked}}, false},
		{"wrapped delivery", fmt.Errorf("queue: %w", &DeliveryError{Temporary: true}), true},
	}
	for _, tt := range tests {
		if got := IsTemporary(tt.err); got != tt.want {
			t.Errorf("%s: IsTemporary(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	cause := fmt.Errorf("wrapped: %w", context.DeadlineExceeded)
	tests := []struct {
		name    string
		err     error
		secrets []string
		want    string
		same    bool // the error comes back as it was, chain and all
	}{
		{"nothing to hide", cause, []string{"secret"}, "wrapped: context deadline exceeded", true},
		{"empty secret ignored", cause, []string{""}, "wrapped: context deadline exceeded", true},
		{"hidden", errors.New("POST https://h.example/T1/B2/tok: refused"), []string{"/T1/B2/tok"}, "POST https://h.example[redacted]: refused", false},
		// The longer secret goes first, so no piece of it is left.
		{"nested secrets", errors.New("url https://h.example/a/token?x=1"), []string{"token", "https://h.example/a/token?x=1"}, "url [redacted]", false},
	}
	for _, tt := range tests {
		got := redact(tt.err, tt.secrets...)
		if got.Error() != tt.want {
			t.Errorf("%s: redact() = %q, want %q", tt.name, got, tt.want)
		}
		if (got == tt.err) != tt.same {
			t.Errorf("%s: redact() returned the same error = %v, want %v", tt.name, got == tt.err, tt.same)
		}
	}
	if redact(nil, "x") != nil {
		t.Error("redact(nil) is not nil")
	}
}

func TestDeliveryErrorText(t *testing.T) {
	e := &DeliveryError{Message: "webhook to https://h.example: the service answered 500", Err: errors.New("the service said: oops"), Temporary: true}
	want := "webhook to https://h.example: the service answered 500 (the service said: oops). This is probably temporary: sending again later may work."
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if !errors.Is(e, e.Err) {
		t.Error("the cause does not unwrap")
	}
}
