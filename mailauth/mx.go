package mailauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/resolve"
)

// MXResult is what the domain's MX records say.
type MXResult struct {
	Hosts []MXHost `json:"hosts,omitempty"`
	// NullMX is true for a single "MX 0 ." (RFC 7505): the domain says it
	// takes no email at all.
	NullMX bool `json:"null_mx,omitempty"`
	// Error says why the lookup failed; the rest is then empty.
	Error string `json:"error,omitempty"`

	noDomain bool // NXDOMAIN: the domain does not exist at all
}

// MXHost is one mail server of the domain.
type MXHost struct {
	Host string `json:"host"`
	Pref uint16 `json:"pref"`
	// HasAddress is "yes", "no" (the name has no A or AAAA record, so mail
	// cannot reach it) or "unknown" (the lookup failed).
	HasAddress string `json:"has_address"`
}

// receivesMail reports whether the domain takes email, so that checks which
// protect incoming mail (MTA-STS, TLS-RPT) apply.
func (m MXResult) receivesMail() bool { return !m.NullMX && len(m.Hosts) > 0 }

func lookupMX(ctx context.Context, r resolve.Resolver, domain string) MXResult {
	var res MXResult
	mxs, err := r.LookupMX(ctx, domain)
	if errors.Is(err, resolve.ErrNotFound) {
		res.noDomain = true
		return res
	}
	if err != nil {
		res.Error = err.Error()
		return res
	}
	if len(mxs) == 1 && mxs[0].Host == "" {
		res.NullMX = true
		return res
	}
	for _, mx := range mxs {
		if mx.Host != "" {
			res.Hosts = append(res.Hosts, MXHost{Host: mx.Host, Pref: mx.Pref})
		}
	}
	slices.SortStableFunc(res.Hosts, func(a, b MXHost) int { return int(a.Pref) - int(b.Pref) })
	var wg sync.WaitGroup
	for i := range res.Hosts {
		h := &res.Hosts[i]
		wg.Go(func() { h.HasAddress = hasAddress(ctx, r, h.Host) })
	}
	wg.Wait()
	return res
}

// hasAddress asks for A and then AAAA, since either lets mail arrive.
func hasAddress(ctx context.Context, r resolve.Resolver, host string) string {
	a, errA := r.LookupA(ctx, host)
	if len(a) > 0 {
		return "yes"
	}
	aaaa, errAAAA := r.LookupAAAA(ctx, host)
	if len(aaaa) > 0 {
		return "yes"
	}
	if resolve.IsTemporary(errA) || resolve.IsTemporary(errAAAA) {
		return "unknown"
	}
	return "no"
}

func judgeMX(rep *Report) []Finding {
	m, d := rep.MX, rep.Domain
	switch {
	case m.Error != "":
		return []Finding{{
			ID: "email.mx-unknown", Severity: handwash.SeverityMedium, Status: StatusUnknown,
			Title:   "Could not look up your mail servers",
			Summary: "The DNS did not answer when asked for " + d + "'s mail servers (MX records), so they were not checked. Try again later.",
			Details: []string{m.Error},
		}}
	case m.NullMX:
		return []Finding{{
			ID: "email.mx-null", Severity: handwash.SeverityInfo, Status: StatusPass,
			Title:   "Your domain says it takes no email",
			Summary: d + " publishes a null MX record (RFC 7505), so senders know not to deliver email to it. It should then also say it sends none: SPF \"v=spf1 -all\" and DMARC p=reject.",
		}}
	case len(m.Hosts) == 0:
		return []Finding{{
			ID: "email.mx-missing", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "Your domain lists no mail servers",
			Summary: d + " has no MX records, so email to addresses @" + d + " has nowhere clear to go.",
			Why:     "If you use this domain for email, people's messages to you may be lost. If you do not, saying so openly stops criminals using it for email that looks like yours.",
			Fix:     "If you use " + d + " for email, add the MX records your email provider gives you. If you do not, publish a null MX record, an SPF record that allows no one, and a DMARC record that rejects everything.",
			Records: []Record{
				{Name: d, Type: "MX", Value: "0 ."},
				{Name: d, Type: "TXT", Value: "v=spf1 -all"},
				{Name: "_dmarc." + d, Type: "TXT", Value: "v=DMARC1; p=reject"},
			},
		}}
	}
	var hosts, dead, unsure []string
	for _, h := range m.Hosts {
		hosts = append(hosts, fmt.Sprintf("%s (preference %d)", h.Host, h.Pref))
		switch h.HasAddress {
		case "no":
			dead = append(dead, h.Host)
		case "unknown":
			unsure = append(unsure, h.Host)
		}
	}
	if len(dead) > 0 {
		return []Finding{{
			ID: "email.mx-no-address", Severity: handwash.SeverityMedium, Status: StatusFail,
			Title:   "A mail server in your MX records does not exist",
			Summary: "These mail servers are listed for " + d + " but have no address in the DNS: " + strings.Join(dead, ", ") + ".",
			Why:     "Senders that try them first waste time, and if they are the only ones listed your email does not arrive. A leftover MX record from an old email service is the usual cause.",
			Fix:     "Remove the MX records for " + strings.Join(dead, ", ") + " from your DNS, keeping those your current email provider gives.",
			Details: hosts,
		}}
	}
	f := Finding{
		ID: "email.mx-ok", Severity: handwash.SeverityMedium, Status: StatusPass,
		Title:   "Your mail servers are listed",
		Summary: d + " receives email at " + strings.Join(hostNames(m.Hosts), ", ") + ".",
		Details: hosts,
	}
	if len(unsure) > 0 {
		f.Details = append(f.Details, "could not check the address of "+strings.Join(unsure, ", "))
	}
	return []Finding{f}
}

func hostNames(hs []MXHost) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Host)
	}
	return out
}
