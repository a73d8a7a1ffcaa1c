package spf

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash/resolve/resolvetest"
)

// txt gives a zone-file TXT line for owner, escaping what the master format needs and splitting strings longer than 255 octets.
func txt(owner string, strs ...string) string {
	var b strings.Builder
	b.WriteString(owner + " TXT")
	for _, s := range strs {
		for {
			part := s
			if len(part) > 255 {
				part = s[:255]
			}
			b.WriteString(` "`)
			for i := 0; i < len(part); i++ {
				c := part[i]
				switch {
				case c == '"' || c == '\\':
					b.WriteByte('\\')
					b.WriteByte(c)
				case c < 0x20 || c > 0x7e:
					fmt.Fprintf(&b, `\%03d`, c)
				default:
					b.WriteByte(c)
				}
			}
			b.WriteByte('"')
			s = s[len(part):]
			if s == "" {
				break
			}
		}
	}
	return b.String()
}

func zone(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// hostCase is one check_host() case: who connects, who they say they are, and what the result must be.
type hostCase struct {
	name     string
	spec     string // the RFC 7208 section the case comes from
	ip       string
	helo     string
	mailFrom string
	want     []Verdict // any of these; the RFC leaves some cases open
	exp      *string   // the explanation, when the case is about it
	mech     string    // the deciding mechanism, when the case is about it
}

func str(s string) *string { return &s }

func v(vs ...Verdict) []Verdict { return vs }

// runCases starts a server with z and runs each case against it; prepare may make names fail.
func runCases(t *testing.T, z string, prepare func(*resolvetest.Server), cases []hostCase) {
	t.Helper()
	s := resolvetest.Start(t, z)
	if prepare != nil {
		prepare(s)
	}
	r := s.Resolver()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := CheckMailFrom(context.Background(), r, netip.MustParseAddr(c.ip), c.helo, c.mailFrom, WithReceiver("receiver.example.org"), WithClock(func() time.Time { return time.Unix(1700000000, 0) }))
			if !slices.Contains(c.want, res.Verdict) {
				t.Errorf("section %s: got %s (%s), want %v\n%s", c.spec, res.Verdict, res.Reason, c.want, trace(res))
			}
			if c.exp != nil && res.Explanation != *c.exp {
				t.Errorf("section %s: explanation %q, want %q\n%s", c.spec, res.Explanation, *c.exp, trace(res))
			}
			if c.mech != "" && res.Mechanism != c.mech {
				t.Errorf("section %s: decided by %q, want %q", c.spec, res.Mechanism, c.mech)
			}
		})
	}
}

func trace(r Result) string {
	var b strings.Builder
	for _, s := range r.Steps {
		b.WriteString("    " + s.String() + "\n")
	}
	return b.String()
}
