package mailauth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/resolve"
)

// TLSRPTResult is what was found about the domain's TLS reporting.
type TLSRPTResult struct {
	// Name is _smtp._tls.<domain>.
	Name string `json:"name"`
	// Records are the TXT records there that start with v=TLSRPTv1.
	Records []string `json:"records,omitempty"`
	// Record is the record read, when there is exactly one and it is valid.
	Record *TLSRPTRecord `json:"record,omitempty"`
	// ParseError says why the record could not be read.
	ParseError string `json:"parse_error,omitempty"`
	// Error says why the lookup failed.
	Error string `json:"error,omitempty"`
}

func lookupTLSRPT(ctx context.Context, r resolve.Resolver, domain string) TLSRPTResult {
	res := TLSRPTResult{Name: "_smtp._tls." + domain}
	txts, err := r.LookupTXT(ctx, res.Name)
	if err != nil && !errors.Is(err, resolve.ErrNotFound) {
		res.Error = err.Error()
		return res
	}
	// RFC 8460 section 3: records not starting with the version are
	// discarded, and anything but exactly one left means no reporting.
	for _, t := range txts {
		if strings.HasPrefix(t, "v=TLSRPTv1") {
			res.Records = append(res.Records, t)
		}
	}
	if len(res.Records) == 1 {
		rec, err := ParseTLSRPT(res.Records[0])
		if err != nil {
			res.ParseError = err.Error()
		} else {
			res.Record = &rec
		}
	}
	return res
}

const whyTLSRPT = "TLS reports are daily summaries from the big email services of whether they could deliver to you encrypted. They show when something is wrong, or when someone is interfering, and tell you when it is safe to put MTA-STS into enforce mode."

func judgeTLSRPT(rep *Report) []Finding {
	t, d := rep.TLSRPT, rep.Domain
	if t.Error != "" {
		return []Finding{{
			ID: "email.tls-rpt-unknown", Severity: handwash.SeverityLow, Status: StatusUnknown,
			Title:   "Could not look up your TLS reporting record",
			Summary: "The DNS did not answer when asked for " + t.Name + ", so TLS reporting was not checked. Try again later.",
			Details: []string{t.Error},
		}}
	}
	if !rep.MX.receivesMail() {
		return nil
	}
	suggest := []Record{{Name: t.Name, Type: "TXT", Value: "v=TLSRPTv1; rua=mailto:tls-reports@" + d}}
	switch {
	case len(t.Records) == 0:
		return []Finding{{
			ID: "email.tls-rpt-missing", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "You get no reports of email delivery problems (no TLS-RPT)",
			Summary: d + " has no TLS-RPT record, so senders do not tell you when they could not deliver to you securely.",
			Why:     whyTLSRPT,
			Fix:     "Publish the record below. Create the tls-reports@" + d + " mailbox, or use the address your IT supplier or a reporting service gives you.",
			Records: suggest,
		}}
	case len(t.Records) > 1:
		return []Finding{{
			ID: "email.tls-rpt-multiple", Severity: handwash.SeverityLow, Status: StatusFail,
			Title:   "Several TLS-RPT records: senders ignore them all",
			Summary: fmt.Sprintf("There are %d TLS-RPT records at %s, so senders send no reports.", len(t.Records), t.Name),
			Why:     whyTLSRPT,
			Fix:     "Keep one record, listing every report address in one rua=, separated by commas.",
			Records: suggest,
			Details: quoteAll(t.Records),
		}}
	case t.ParseError != "":
		return []Finding{{
			ID: "email.tls-rpt-invalid", Severity: handwash.SeverityLow, Status: StatusFail,
			Title:   "Your TLS-RPT record has a mistake",
			Summary: "The record at " + t.Name + " cannot be read: " + t.ParseError + ".",
			Why:     whyTLSRPT,
			Fix:     "Replace it with a correct record, such as the one below.",
			Records: suggest,
			Details: quoteAll(t.Records),
		}}
	}
	return []Finding{{
		ID: "email.tls-rpt-ok", Severity: handwash.SeverityLow, Status: StatusPass,
		Title:   "Senders report email delivery problems to you (TLS-RPT)",
		Summary: "TLS reports go to " + strings.Join(t.Record.RUA, ", ") + ".",
	}}
}
