package mailauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/net/publicsuffix"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/resolve"
)

// DMARCResult is what was found about the domain's DMARC policy.
type DMARCResult struct {
	// Name is where the policy that applies was found, or looked for last.
	Name string `json:"name"`
	// Records are every DMARC record at Name: more than one is an error.
	Records []string `json:"records,omitempty"`
	// Record is the record read, when there is exactly one and it is valid.
	Record *DMARCRecord `json:"record,omitempty"`
	// ParseError says why the record could not be read.
	ParseError string `json:"parse_error,omitempty"`
	// Inherited is true when the domain has no record of its own and its
	// organisational domain's record applies (RFC 7489 section 6.6.3).
	Inherited bool `json:"inherited,omitempty"`
	// Policy is what applies to mail from the domain checked: p=, or sp=
	// when the record is inherited and has one.
	Policy string `json:"policy,omitempty"`
	// Error says why the lookup failed.
	Error string `json:"error,omitempty"`
}

// policyDomain is the domain the DMARC record was published for.
func (d DMARCResult) policyDomain() string { return strings.TrimPrefix(d.Name, "_dmarc.") }

// enforced reports whether spoofed mail is quarantined or rejected.
func (d DMARCResult) enforced() bool { return d.Policy == "quarantine" || d.Policy == "reject" }

// orgDomain is the registered domain (example.co.uk for mail.example.co.uk),
// or the domain itself when the public suffix list cannot say.
func orgDomain(d string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return d
	}
	return org
}

// dmarcRecords gives the DMARC records at _dmarc.<domain>.
func dmarcRecords(ctx context.Context, r resolve.Resolver, domain string) ([]string, error) {
	txts, err := r.LookupTXT(ctx, "_dmarc."+domain)
	if err != nil && !errors.Is(err, resolve.ErrNotFound) {
		return nil, err
	}
	var out []string
	for _, t := range txts {
		if isDMARCRecord(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

func lookupDMARC(ctx context.Context, r resolve.Resolver, domain string) DMARCResult {
	res := DMARCResult{Name: "_dmarc." + domain}
	recs, err := dmarcRecords(ctx, r, domain)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	if org := orgDomain(domain); len(recs) == 0 && org != domain {
		orgRecs, err := dmarcRecords(ctx, r, org)
		if err != nil {
			res.Error = err.Error()
			return res
		}
		if len(orgRecs) > 0 {
			res.Name, res.Inherited, recs = "_dmarc."+org, true, orgRecs
		}
	}
	res.Records = recs
	if len(recs) != 1 {
		return res
	}
	rec, err := ParseDMARC(recs[0])
	if err != nil {
		res.ParseError = err.Error()
		return res
	}
	res.Record = &rec
	res.Policy = rec.Policy
	if res.Inherited && rec.SubdomainPolicy != "" {
		res.Policy = rec.SubdomainPolicy
	}
	authoriseReports(ctx, r, res.policyDomain(), rec.RUA)
	authoriseReports(ctx, r, res.policyDomain(), rec.RUF)
	return res
}

// authoriseReports checks, for each report address in another
// organisation's domain, that the domain agrees to take the reports: RFC
// 7489 section 7.1 has receivers look for a DMARC record at
// <policy domain>._report._dmarc.<destination> and send nothing without it.
func authoriseReports(ctx context.Context, r resolve.Resolver, policyDomain string, addrs []ReportAddress) {
	var wg sync.WaitGroup
	for i := range addrs {
		a := &addrs[i]
		if a.Domain == "" || orgDomain(a.Domain) == orgDomain(policyDomain) {
			continue
		}
		a.External = true
		wg.Go(func() {
			txts, err := r.LookupTXT(ctx, policyDomain+"._report._dmarc."+a.Domain)
			switch {
			case resolve.IsTemporary(err):
				a.Authorised = "unknown"
			case len(txts) > 0 && hasDMARCRecord(txts):
				a.Authorised = "yes"
			default:
				a.Authorised = "no"
			}
		})
	}
	wg.Wait()
}

func hasDMARCRecord(txts []string) bool {
	for _, t := range txts {
		if isDMARCRecord(t) {
			return true
		}
	}
	return false
}

const whyDMARC = "DMARC tells other email systems what to do with email that pretends to come from you. Without it, criminals can send email that looks as if it comes from your care home or practice, asking families or suppliers to pay a new bank account, or staff and residents' relatives to open a link that steals passwords, and nothing tells the receiving system to stop it."

func judgeDMARC(rep *Report) []Finding {
	dm, d := rep.DMARC, rep.Domain
	if dm.Error != "" {
		return []Finding{{
			ID: "email.dmarc-unknown", Severity: handwash.SeverityCritical, Status: StatusUnknown,
			Title:   "Could not look up your DMARC record",
			Summary: "The DNS did not answer when asked for " + d + "'s DMARC record, so it was not checked. Try again later.",
			Details: []string{dm.Error},
		}}
	}
	switch {
	case len(dm.Records) == 0:
		return []Finding{{
			ID: "email.dmarc-missing", Severity: handwash.SeverityCritical, Status: StatusFail,
			Title:   "No DMARC record: anyone can send email as " + d,
			Summary: "There is no DMARC record at _dmarc." + d + ", so receiving email systems are not told to stop email that pretends to come from you.",
			Why:     whyDMARC,
			Fix:     dmarcFirstStep(rep),
			Records: []Record{{Name: "_dmarc." + d, Type: "TXT", Value: suggestDMARC(rep, nil, firstPolicy(rep))}},
		}}
	case len(dm.Records) > 1:
		return []Finding{{
			ID: "email.dmarc-multiple", Severity: handwash.SeverityCritical, Status: StatusFail,
			Title:   "Several DMARC records: receivers ignore them all",
			Summary: fmt.Sprintf("There are %d DMARC records at %s. The rules say receivers must then act as if there were none, so your domain is not protected.", len(dm.Records), dm.Name),
			Why:     whyDMARC,
			Fix:     "Delete all but one DMARC record at " + dm.Name + ". Keep the one below, or the one your IT supplier or reporting service asked for.",
			Records: []Record{{Name: dm.Name, Type: "TXT", Value: suggestDMARC(rep, nil, firstPolicy(rep))}},
			Details: quoteAll(dm.Records),
		}}
	case dm.ParseError != "":
		return []Finding{{
			ID: "email.dmarc-invalid", Severity: handwash.SeverityCritical, Status: StatusFail,
			Title:   "Your DMARC record has a mistake, so it does not work",
			Summary: "The DMARC record at " + dm.Name + " cannot be read: " + dm.ParseError + ".",
			Why:     whyDMARC,
			Fix:     "Replace the record at " + dm.Name + " with a correct one, such as the one below.",
			Records: []Record{{Name: dm.Name, Type: "TXT", Value: suggestDMARC(rep, nil, firstPolicy(rep))}},
			Details: quoteAll(dm.Records),
		}}
	}
	return judgeDMARCRecord(rep)
}

// judgeDMARCRecord judges a DMARC record that was found and read.
func judgeDMARCRecord(rep *Report) []Finding {
	dm, d := rep.DMARC, rep.Domain
	rec := dm.Record
	details := quoteAll(dm.Records)
	if dm.Inherited {
		details = append(details, "no record at _dmarc."+d+"; the record at "+dm.Name+" covers it")
	}
	details = append(details, alignmentNote(rec)...)
	var fs []Finding
	where := "Your DMARC record"
	if dm.Inherited {
		where = "The DMARC record of " + dm.policyDomain() + ", which covers " + d + ","
	}
	switch dm.Policy {
	case "none":
		summary := where + " has p=none: it asks for reports but lets email that pretends to be from " + d + " through to inboxes."
		if dm.Inherited && rec.Policy != "none" {
			summary = where + " has sp=none: it protects " + dm.policyDomain() + " but lets email that pretends to be from " + d + " through."
		}
		fs = append(fs, Finding{
			ID: "email.dmarc-policy-none", Severity: handwash.SeverityHigh, Status: StatusFail,
			Title:   "DMARC only watches: spoofed email is still delivered",
			Summary: summary,
			Why:     "With p=none, criminals can still send email that looks as if it comes from you, asking families or suppliers to pay a new bank account, and it lands in inboxes. p=none is meant as a short first step while you check that your own email passes.",
			Fix:     "Check your DMARC reports (or ask whoever reads them) that all your real email passes SPF or DKIM, then change the policy to quarantine, and later to reject.",
			Records: []Record{{Name: "_dmarc." + d, Type: "TXT", Value: suggestDMARC(rep, rec, "quarantine")}},
			Details: details,
		})
	case "quarantine":
		fs = append(fs, Finding{
			ID: "email.dmarc-policy-quarantine", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "DMARC sends spoofed email to junk; reject is stronger",
			Summary: where + " has p=quarantine: email that pretends to be from " + d + " goes to junk folders.",
			Why:     "Junk folders get read: a convincing fake invoice or bank-change request can still be found and acted on. With p=reject it is refused before anyone sees it.",
			Fix:     "When your DMARC reports show that all your real email passes, change p=quarantine to p=reject.",
			Records: []Record{{Name: dm.Name, Type: "TXT", Value: suggestDMARC(rep, rec, "reject")}},
			Details: details,
		})
	case "reject":
		fs = append(fs, Finding{
			ID: "email.dmarc-ok", Severity: handwash.SeverityCritical, Status: StatusPass,
			Title:   "DMARC rejects email that pretends to be from you",
			Summary: where + " has p=reject: receiving systems refuse email that fails the checks.",
			Details: details,
		})
	}
	if rec.Percent < 100 && dm.enforced() {
		fs = append(fs, Finding{
			ID: "email.dmarc-pct", Severity: handwash.SeverityMedium, Status: StatusWarn,
			Title:   fmt.Sprintf("DMARC applies to only %d%% of spoofed email", rec.Percent),
			Summary: fmt.Sprintf("The record has pct=%d, so the policy is applied to only %d in every 100 failing messages; the rest are treated as p=none or one step weaker.", rec.Percent, rec.Percent),
			Why:     "Criminals only need some of their messages to get through. pct below 100 is for a short trial while you move to a stricter policy.",
			Fix:     "Remove pct= (it then means 100) once your reports show your real email passes.",
			Records: []Record{{Name: dm.Name, Type: "TXT", Value: suggestDMARC(rep, rec, dm.Policy)}},
			Details: details,
		})
	}
	if !dm.Inherited && rec.SubdomainPolicy == "none" && rec.Policy != "none" {
		fs = append(fs, Finding{
			ID: "email.dmarc-subdomain-none", Severity: handwash.SeverityMedium, Status: StatusWarn,
			Title:   "DMARC does not protect your subdomains",
			Summary: "The record has sp=none, so email from made-up addresses such as accounts." + d + " is let through.",
			Why:     "Criminals use made-up subdomains (payments." + d + ", invoices." + d + ") precisely because they are often left unprotected, and they look just as real to a reader.",
			Fix:     "Remove sp=none, so your subdomains take the same policy as " + d + ", unless a subdomain sends email that does not yet pass.",
			Records: []Record{{Name: dm.Name, Type: "TXT", Value: suggestDMARC(rep, rec, dm.Policy)}},
			Details: details,
		})
	}
	fs = append(fs, judgeReportAddresses(rep)...)
	if len(rec.Notes) > 0 {
		fs = append(fs, Finding{
			ID: "email.dmarc-syntax", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "Your DMARC record has small mistakes",
			Summary: "Receivers accept the record, but: " + strings.Join(rec.Notes, "; ") + ".",
			Why:     "A misspelt tag is silently ignored, so the record may not do what whoever wrote it meant.",
			Fix:     "Replace the record with the corrected one below.",
			Records: []Record{{Name: dm.Name, Type: "TXT", Value: suggestDMARC(rep, rec, dm.Policy)}},
			Details: details,
		})
	}
	return fs
}

// judgeReportAddresses looks at where DMARC reports go.
func judgeReportAddresses(rep *Report) []Finding {
	dm, d := rep.DMARC, rep.Domain
	rec := dm.Record
	var fs []Finding
	var bad, unauthorised, unsure, externalRUF []string
	var authRecords []Record
	for _, a := range append(append([]ReportAddress(nil), rec.RUA...), rec.RUF...) {
		switch {
		case a.Error != "":
			bad = append(bad, a.Error)
		case a.Authorised == "no":
			unauthorised = append(unauthorised, a.URI)
			r := Record{Name: dm.policyDomain() + "._report._dmarc." + a.Domain, Type: "TXT", Value: "v=DMARC1"}
			if !slices.Contains(authRecords, r) {
				authRecords = append(authRecords, r)
			}
		case a.Authorised == "unknown":
			unsure = append(unsure, a.URI)
		}
	}
	for _, a := range rec.RUF {
		if a.External {
			externalRUF = append(externalRUF, a.URI)
		}
	}
	if len(rec.RUA) == 0 {
		fs = append(fs, Finding{
			ID: "email.dmarc-no-reports", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "DMARC reports are not being collected",
			Summary: "The DMARC record has no rua= address, so nobody learns who is sending email as " + d + ".",
			Why:     "Reports show whether your real email passes (so you can safely tighten the policy) and whether someone is trying to impersonate you.",
			Fix:     "Add a rua= address: a mailbox you or your IT supplier read, or the address a DMARC reporting service gives you.",
			Records: []Record{{Name: dm.Name, Type: "TXT", Value: suggestDMARC(rep, rec, dm.Policy)}},
		})
	}
	if len(bad) > 0 {
		fs = append(fs, Finding{
			ID: "email.dmarc-report-address-invalid", Severity: handwash.SeverityMedium, Status: StatusWarn,
			Title:   "A DMARC report address is written wrongly",
			Summary: "Reports cannot be sent to it: " + strings.Join(bad, "; ") + ".",
			Why:     "Without reports you cannot tell whether your real email passes, which you need to know before making the policy stricter.",
			Fix:     "Write each address as mailto:name@domain, separated by commas.",
			Records: []Record{{Name: dm.Name, Type: "TXT", Value: suggestDMARC(rep, rec, dm.Policy)}},
		})
	}
	if len(unauthorised) > 0 {
		fs = append(fs, Finding{
			ID: "email.dmarc-report-not-authorised", Severity: handwash.SeverityMedium, Status: StatusWarn,
			Title:   "DMARC reports to another organisation will not be sent",
			Summary: "Reports go to " + strings.Join(unauthorised, ", ") + ", in another organisation's domain, which has not published the record saying it accepts reports for " + dm.policyDomain() + ". Receivers send it nothing.",
			Why:     "Without reports you cannot tell whether your real email passes, or whether someone is impersonating you.",
			Fix:     "Ask the owner of that address (usually your DMARC reporting service or IT supplier) to publish the record below in their DNS, or correct the address. You cannot publish it yourself: it belongs in their domain.",
			Records: authRecords,
		})
	}
	if len(unsure) > 0 {
		fs = append(fs, Finding{
			ID: "email.dmarc-report-authorisation-unknown", Severity: handwash.SeverityLow, Status: StatusUnknown,
			Title:   "Could not check that your DMARC report addresses accept reports",
			Summary: "The DNS did not answer when asked whether " + strings.Join(unsure, ", ") + " accepts reports for " + dm.policyDomain() + ". Try again later.",
		})
	}
	if len(externalRUF) > 0 {
		fs = append(fs, Finding{
			ID: "email.dmarc-failure-reports", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "DMARC failure reports may send personal data to another organisation",
			Summary: "The record asks for failure reports (ruf=) at " + strings.Join(externalRUF, ", ") + ". These reports can hold parts of the failing messages, such as names, addresses and subject lines.",
			Why:     "In health and social care, those messages may be about residents or patients. Sending copies to another organisation needs a data processing agreement with it, under UK GDPR.",
			Fix:     "Remove ruf= unless you have a data processing agreement with whoever receives the reports. Aggregate reports (rua=) hold no message content and are enough for most.",
			Records: []Record{{Name: dm.Name, Type: "TXT", Value: suggestDMARC(rep, &DMARCRecord{Policy: rec.Policy, SubdomainPolicy: rec.SubdomainPolicy, Percent: rec.Percent, DKIMAlignment: rec.DKIMAlignment, SPFAlignment: rec.SPFAlignment, RUA: rec.RUA}, dm.Policy)}},
		})
	}
	return fs
}

// alignmentNote explains strict alignment, which is sound but breaks mail
// sent from subdomains and some services.
func alignmentNote(rec *DMARCRecord) []string {
	var out []string
	if rec.DKIMAlignment == "s" {
		out = append(out, "adkim=s: DKIM signatures must be for exactly this domain, not a subdomain")
	}
	if rec.SPFAlignment == "s" {
		out = append(out, "aspf=s: the SPF domain must be exactly this domain, not a subdomain")
	}
	return out
}

// firstPolicy is the policy to suggest for a domain with no working DMARC
// record: quarantine straight away when SPF and DKIM are in place (the real
// email should pass), otherwise none while they are set up.
func firstPolicy(rep *Report) string {
	switch {
	case rep.MX.NullMX:
		return "reject"
	case spfSound(rep) == triYes && dkimFound(rep) == triYes:
		return "quarantine"
	}
	return "none"
}

func dmarcFirstStep(rep *Report) string {
	d := rep.Domain
	switch firstPolicy(rep) {
	case "quarantine":
		return "Publish the DMARC record below. SPF and DKIM are already in place, so your real email should pass: start with p=quarantine, read the reports for a few weeks, then change it to p=reject. Create the dmarc-reports@" + d + " mailbox, or use the address your IT supplier or a DMARC reporting service gives you."
	case "reject":
		return "Publish the DMARC record below: your domain takes no email, so it should send none either."
	}
	return "Publish the DMARC record below, with p=none to begin with. Set up SPF and DKIM (see the other findings), read the reports for a few weeks to check your real email passes, then change it to p=quarantine and later p=reject. Create the dmarc-reports@" + d + " mailbox, or use the address your IT supplier or a DMARC reporting service gives you."
}

// suggestDMARC writes the DMARC record to publish: the current one (if
// any) with the policy changed, pct and sp=none dropped and bad report
// addresses left out, so that following the advice loses nothing that
// worked.
func suggestDMARC(rep *Report, cur *DMARCRecord, policy string) string {
	parts := []string{"v=DMARC1", "p=" + policy}
	var rua, ruf []string
	if cur != nil {
		if cur.SubdomainPolicy != "" && cur.SubdomainPolicy != "none" && policyRank(cur.SubdomainPolicy) > policyRank(policy) {
			parts = append(parts, "sp="+cur.SubdomainPolicy)
		}
		if cur.DKIMAlignment == "s" {
			parts = append(parts, "adkim=s")
		}
		if cur.SPFAlignment == "s" {
			parts = append(parts, "aspf=s")
		}
		rua, ruf = goodURIs(cur.RUA), goodURIs(cur.RUF)
	}
	if len(rua) == 0 {
		rua = []string{"mailto:dmarc-reports@" + rep.Domain}
	}
	parts = append(parts, "rua="+strings.Join(rua, ","))
	if len(ruf) > 0 {
		parts = append(parts, "ruf="+strings.Join(ruf, ","))
	}
	return strings.Join(parts, "; ")
}

func policyRank(p string) int {
	switch p {
	case "quarantine":
		return 1
	case "reject":
		return 2
	}
	return 0
}

// goodURIs keeps the report addresses that are written correctly. Those
// whose owner has not yet agreed to take reports stay: that is for the
// owner to put right, and another finding says so.
func goodURIs(addrs []ReportAddress) []string {
	var out []string
	for _, a := range addrs {
		if a.Error == "" {
			out = append(out, a.URI)
		}
	}
	return out
}

func quoteAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		out = append(out, fmt.Sprintf("%q", s))
	}
	return out
}
