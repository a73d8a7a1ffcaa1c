package mailauth

import (
	"context"
	"errors"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/resolve"
)

// DNSSECResult says whether the domain's zone is DNSSEC-signed.
type DNSSECResult struct {
	// Signed is true when a validating resolver vouched for the answer.
	Signed bool `json:"signed"`
	// Error says why the lookup failed.
	Error string `json:"error,omitempty"`
}

func lookupDNSSEC(ctx context.Context, r resolve.Resolver, domain string) DNSSECResult {
	ok, err := r.Secure(ctx, domain)
	if err != nil && !errors.Is(err, resolve.ErrNotFound) {
		return DNSSECResult{Error: err.Error()}
	}
	return DNSSECResult{Signed: ok}
}

func judgeDNSSEC(rep *Report) []Finding {
	s, d := rep.DNSSEC, rep.Domain
	switch {
	case s.Error != "":
		return []Finding{{
			ID: "email.dnssec-unknown", Severity: handwash.SeverityLow, Status: StatusUnknown,
			Title:   "Could not check whether your DNS is signed",
			Summary: "The DNS did not answer when asked about " + d + "'s DNSSEC signature. Try again later.",
			Details: []string{s.Error},
		}}
	case !s.Signed:
		return []Finding{{
			ID: "email.dnssec-unsigned", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "Your DNS is not signed (DNSSEC)",
			Summary: "The answers for " + d + " carry no DNSSEC signature that the resolver could check, or the resolver used does not check them.",
			Why:     "DNSSEC stops anyone forging your DNS records, including the ones in this report, on the way to the computers that ask for them. It also makes DANE possible, a stronger alternative to MTA-STS.",
			Fix:     "Ask your domain registrar or DNS host to turn on DNSSEC: most can do it with one setting.",
		}}
	}
	return []Finding{{
		ID: "email.dnssec-ok", Severity: handwash.SeverityLow, Status: StatusPass,
		Title:   "Your DNS is signed (DNSSEC)",
		Summary: "The answers for " + d + " are DNSSEC-signed and were validated.",
	}}
}
