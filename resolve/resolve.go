// Package resolve looks names up in the DNS for the mail checks, behind a small interface so tests and split-horizon networks can point it anywhere.
//
// The mail checks (SPF, DMARC, MTA-STS and the rest) ask narrow questions and
// must tell "this name does not exist" apart from "the DNS could not answer":
// RFC 7208 gives the first a result of its own and the second a temporary
// error. Resolver keeps that distinction in its errors, which the standard
// library's net.Resolver blurs on some platforms.
package resolve

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
)

// ErrNotFound is wrapped by the error a lookup returns when the name does not exist (NXDOMAIN).
var ErrNotFound = errors.New("no such domain")

// ErrInvalidName is wrapped by the error a lookup returns for a name that cannot be put in a DNS query (an empty label, a label over 63 octets, a name over 253); it wraps ErrNotFound too, since no such name can exist.
var ErrInvalidName = fmt.Errorf("%w: not a valid domain name", ErrNotFound)

// MX is one mail exchanger.
type MX struct {
	// Host is the exchanger's name, in lower case, without the trailing dot; it is empty for a null MX (RFC 7505), which says the domain takes no mail.
	Host string
	// Pref is the preference: lower values are tried first.
	Pref uint16
}

// Resolver answers the DNS questions mail checks ask. A name that exists but has no records of the asked type returns (nil, nil). NXDOMAIN returns an error for which errors.Is(err, ErrNotFound). Any other failure (SERVFAIL, REFUSED, timeout, unparseable answer) returns an error that is not ErrNotFound and is temporary.
//
// Names may be given with or without the trailing dot and in any case. They
// are plain text: every byte stands for itself and dots separate labels, so a
// name built by an SPF macro may hold a space or a quote; names given back
// (MX hosts, PTR targets) are in the same form, in lower case, without the
// trailing dot. Implementations must be safe for concurrent use.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error) // each record's character-strings joined with no separator
	LookupA(ctx context.Context, name string) ([]netip.Addr, error)
	LookupAAAA(ctx context.Context, name string) ([]netip.Addr, error)
	LookupMX(ctx context.Context, name string) ([]MX, error)
	LookupPTR(ctx context.Context, addr netip.Addr) ([]string, error)
	// Secure reports whether a validating resolver set the AD (authenticated data) bit on the answer for name's SOA/DNSKEY, i.e. whether the zone is DNSSEC-signed and validated.
	Secure(ctx context.Context, name string) (bool, error)
}

// Error describes a failed lookup: which name and type, and why.
type Error struct {
	// Name is the name asked about, fully qualified, in plain text.
	Name string
	// Type is the record type asked for, such as "TXT".
	Type string
	// Server is the address of the DNS server asked, if one was.
	Server string
	// Err is the cause: ErrNotFound or ErrInvalidName for names that cannot exist, anything else for failures that may pass.
	Err error
}

// Error says what failed in one line.
func (e *Error) Error() string {
	s := "looking up " + e.Type + " for " + e.Name
	if e.Server != "" {
		s += " at " + e.Server
	}
	return s + ": " + e.Err.Error()
}

// Unwrap gives the cause, so errors.Is(err, ErrNotFound) works.
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether asking again later might give another answer: true for every failure but a name that does not exist.
func (e *Error) Temporary() bool { return !errors.Is(e.Err, ErrNotFound) }

// Timeout reports whether the server did not answer in time.
func (e *Error) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.Is(e.Err, context.DeadlineExceeded) || (errors.As(e.Err, &t) && t.Timeout())
}

// IsTemporary reports whether err is a lookup failure that may pass (anything but a name that does not exist), which is how the mail checks tell a temporary error from a permanent answer.
func IsTemporary(err error) bool {
	return err != nil && !errors.Is(err, ErrNotFound)
}
