// Package mailauth checks a mail domain's defences against spoofing and for
// privacy in transit, as the NCSC's Email Security Check does: MX, SPF,
// DMARC, DKIM, MTA-STS, TLS-RPT and DNSSEC. It gives a grade, and findings
// in plain English with the exact DNS records to publish, tailored to the
// email service the domain uses (Microsoft 365, Google Workspace, NHSmail).
//
// Everything is read from public DNS and the domain's MTA-STS web server:
// the check needs no access to the mailboxes, so an IT provider can run it
// for any client, and a care home for itself.
package mailauth

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/resolve"
)

// DefaultTimeout bounds a whole check when Options.Timeout is zero: long
// enough for a slow MTA-STS server, short enough that someone waiting at a
// screen is not left wondering.
const DefaultTimeout = 30 * time.Second

// Options changes how Check works; the zero value is ready to use.
type Options struct {
	// Selectors are DKIM selectors to look at besides the usual ones of
	// Microsoft 365 (selector1, selector2) and Google Workspace (google):
	// selectors cannot be listed from the DNS, so only the sender knows them.
	Selectors []string
	// HTTPClient fetches the MTA-STS policy; nil means one with sensible
	// timeouts. Check never follows redirects with it, as RFC 8461 forbids.
	HTTPClient *http.Client
	// Timeout bounds the whole check (DefaultTimeout if zero).
	Timeout time.Duration
	// Now gives the time the report is stamped with (time.Now if nil).
	Now func() time.Time
}

// Status is the judgement of one finding.
type Status string

// The statuses a finding can have.
const (
	StatusPass Status = "pass"
	StatusWarn Status = "warn" // works, but weaker than it should be
	StatusFail Status = "fail"
	// StatusUnknown means the DNS or the web server could not be asked, so
	// nothing is claimed either way: say so, and try again later.
	StatusUnknown Status = "unknown"
)

// Finding is one judgement about the domain, written for the person who has
// to fix it.
type Finding struct {
	// ID is stable across versions, such as "email.dmarc-missing".
	ID       string            `json:"id"`
	Severity handwash.Severity `json:"severity"`
	Status   Status            `json:"status"`
	Title    string            `json:"title"`
	// Summary says in plain English what was found.
	Summary string `json:"summary"`
	// Why says why it matters to a care provider.
	Why string `json:"why,omitempty"`
	// Fix says what to do, for the email service the domain uses.
	Fix string `json:"fix,omitempty"`
	// Records are the exact records to publish.
	Records []Record `json:"records,omitempty"`
	// Details hold the technical evidence: records seen, errors met.
	Details []string `json:"details,omitempty"`
}

// Record is one DNS record (or, with Type "FILE", one web file) to publish.
type Record struct {
	// Name is the full DNS name, or for a FILE the URL it is served at.
	Name string `json:"name"`
	// Type is TXT, CNAME or FILE.
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Report is the result of checking one domain, as printed by
// `handwash email check` and returned with --format json.
type Report struct {
	// Schema names the version of this document.
	Schema    string    `json:"schema"`
	Domain    string    `json:"domain"`
	CheckedAt time.Time `json:"checked_at"`
	// Grade is A (best) to F, or "unknown" when a lookup the grade depends
	// on failed; GradeReason says why in one sentence.
	Grade       Grade  `json:"grade"`
	GradeReason string `json:"grade_reason"`
	// Provider is the email service the domain appears to use, if known,
	// and ProviderEvidence what it was told by.
	Provider         Provider `json:"provider,omitempty"`
	ProviderEvidence string   `json:"provider_evidence,omitempty"`
	// Findings come worst first.
	Findings []Finding `json:"findings"`
	// The sections hold what was looked up, each with the error that
	// stopped it if one did: the evidence the findings were judged on.
	MX     MXResult     `json:"mx"`
	SPF    SPFResult    `json:"spf"`
	DMARC  DMARCResult  `json:"dmarc"`
	DKIM   DKIMResult   `json:"dkim"`
	MTASTS MTASTSResult `json:"mta_sts"`
	TLSRPT TLSRPTResult `json:"tls_rpt"`
	DNSSEC DNSSECResult `json:"dnssec"`
}

// ReportSchema names the version of the Report document.
const ReportSchema = "handwash.email-check/v1"

// Check looks up everything about domain's mail defences and judges it.
// The only errors it returns are for an invalid domain name (a
// handwash.Error with code EINVALID), a domain that does not exist
// (ENOTFOUND) and a cancelled ctx; any other lookup that fails becomes an
// "unknown" finding, never a pass or a fail, and when the overall timeout
// passes the lookups still out say so in the same way.
func Check(ctx context.Context, r resolve.Resolver, domain string, opts Options) (*Report, error) {
	d, err := ParseDomain(domain)
	if err != nil {
		return nil, err
	}
	for _, sel := range opts.Selectors {
		if !validSelector(strings.ToLower(strings.TrimSpace(sel))) {
			return nil, handwash.Errorf(handwash.EINVALID, "%q is not a valid DKIM selector: use letters, digits, hyphens and dots, as in the s= of a DKIM-Signature header", sel)
		}
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	rep := &Report{Schema: ReportSchema, Domain: d, CheckedAt: now().UTC()}
	// Every lookup is independent, so they run at once: a check costs the
	// slowest lookup, not the sum. Each writes only its own section.
	var wg sync.WaitGroup
	wg.Go(func() { rep.MX = lookupMX(ctx, r, d) })
	wg.Go(func() { rep.SPF = lookupSPF(ctx, r, d) })
	wg.Go(func() { rep.DMARC = lookupDMARC(ctx, r, d) })
	wg.Go(func() { rep.DKIM = lookupDKIM(ctx, r, d, opts.Selectors) })
	wg.Go(func() { rep.MTASTS = lookupMTASTS(ctx, r, d, opts.HTTPClient) })
	wg.Go(func() { rep.TLSRPT = lookupTLSRPT(ctx, r, d) })
	wg.Go(func() { rep.DNSSEC = lookupDNSSEC(ctx, r, d) })
	wg.Wait()
	if ctx.Err() == context.Canceled {
		// Someone gave up waiting; a deadline, by contrast, leaves a report
		// whose late lookups say they could not be checked.
		return nil, ctx.Err()
	}
	if rep.MX.noDomain {
		return nil, handwash.Errorf(handwash.ENOTFOUND, "%s does not exist in the DNS: check the spelling, or give the part after the @ in your email addresses", d)
	}
	judge(rep)
	return rep, nil
}

// judge fills in the provider, findings and grade from what was looked up.
// It asks nothing of the network, so tests can drive it with any Report.
func judge(rep *Report) {
	rep.Provider, rep.ProviderEvidence = detectProvider(rep)
	fs := []Finding{} // never null in JSON
	fs = append(fs, judgeMX(rep)...)
	fs = append(fs, judgeSPF(rep)...)
	fs = append(fs, judgeDMARC(rep)...)
	fs = append(fs, judgeDKIM(rep)...)
	fs = append(fs, judgeMTASTS(rep)...)
	fs = append(fs, judgeTLSRPT(rep)...)
	fs = append(fs, judgeDNSSEC(rep)...)
	sortFindings(fs)
	rep.Findings = fs
	rep.Grade, rep.GradeReason = grade(rep)
}

// sortFindings puts problems first, most serious first and failures before
// warnings; then what could not be checked; then what is in good order.
// The sort is stable, so findings of equal weight keep the order of the
// checks (MX, SPF, DMARC, DKIM, MTA-STS, TLS-RPT, DNSSEC).
func sortFindings(fs []Finding) {
	group := func(s Status) int {
		switch s {
		case StatusFail, StatusWarn:
			return 0
		case StatusUnknown:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if ga, gb := group(a.Status), group(b.Status); ga != gb {
			return ga - gb
		}
		if group(a.Status) == 2 {
			return 0
		}
		if ra, rb := a.Severity.Rank(), b.Severity.Rank(); ra != rb {
			return rb - ra
		}
		if a.Status != b.Status && a.Status == StatusFail {
			return -1
		}
		if a.Status != b.Status && b.Status == StatusFail {
			return 1
		}
		return 0
	})
}
