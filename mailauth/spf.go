package mailauth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/mailauth/spf"
	"github.com/handwash/handwash/resolve"
)

// SPFResult is what spf.Analyse found in the domain's SPF record and every
// record it includes, in a form that reads well as JSON.
type SPFResult struct {
	// Records are the TXT records of the domain that start with v=spf1:
	// more than one breaks SPF.
	Records []string `json:"records,omitempty"`
	// ParseError says why the record could not be read.
	ParseError string `json:"parse_error,omitempty"`
	// Lookups is how many DNS lookups a receiver may need to check the
	// record, counting everything it includes; over 10 breaks SPF.
	Lookups int `json:"lookups"`
	// LookupsComplete is false when part of the chain could not be
	// followed, so Lookups may be higher.
	LookupsComplete bool `json:"lookups_complete"`
	// VoidLookups are the names looked up that find nothing; over 2 breaks
	// SPF.
	VoidLookups []string `json:"void_lookups,omitempty"`
	// All is how the record ends for servers it does not list: "-all",
	// "~all", "?all", "+all", or empty when it has no all.
	All string `json:"all,omitempty"`
	// Includes are the domains included or redirected to, in order.
	Includes []string `json:"includes,omitempty"`
	// PassAll and PTR list where +all and ptr appear, as "domain: term".
	PassAll []string `json:"pass_all,omitempty"`
	PTR     []string `json:"ptr,omitempty"`
	// Problems are other faults in the chain that break SPF, in plain
	// English; Unchecked are parts that could not be looked up.
	Problems  []string `json:"problems,omitempty"`
	Unchecked []string `json:"unchecked,omitempty"`
	// Error says why the domain's own record could not be looked up.
	Error string `json:"error,omitempty"`
}

func lookupSPF(ctx context.Context, r resolve.Resolver, domain string) SPFResult {
	a, err := spf.Analyse(ctx, r, domain)
	if err != nil {
		return SPFResult{Error: err.Error()}
	}
	return spfResult(a)
}

// spfResult keeps what the findings need from an analysis.
func spfResult(a *spf.Analysis) SPFResult {
	res := SPFResult{Records: a.Records, Lookups: a.Lookups, LookupsComplete: a.Complete}
	if a.ParseError != nil {
		res.ParseError = a.ParseError.Error()
	}
	if a.All != 0 {
		res.All = a.All.String() + "all"
	}
	for _, n := range a.Chain {
		if n.Depth > 0 {
			res.Includes = append(res.Includes, n.Domain)
		}
	}
	for _, v := range a.VoidLookups {
		res.VoidLookups = append(res.VoidLookups, v.Target+" (from "+v.Term+" in "+v.Domain+")")
	}
	for _, p := range a.PassAll {
		res.PassAll = append(res.PassAll, p.Domain+": "+p.Term)
	}
	for _, p := range a.PTR {
		res.PTR = append(res.PTR, p.Domain+": "+p.Term)
	}
	// A DNS failure part-way down the chain leaves that part unchecked,
	// which is not the domain's fault; every other problem breaks SPF.
	failedVia := map[string]bool{}
	for _, n := range a.Chain {
		if dnsFailure(n.Err) {
			failedVia[n.Via] = true
		}
	}
	for _, p := range a.Problems {
		switch {
		case len(a.Records) > 1 || a.ParseError != nil:
			// The finding for the domain's own record says this already.
		case dnsFailure(p.Err) || (p.Err == nil && failedVia[p.Term]):
			res.Unchecked = append(res.Unchecked, p.Text)
		default:
			res.Problems = append(res.Problems, p.Text)
		}
	}
	return res
}

// dnsFailure reports whether err is a lookup that failed and may succeed
// later, as opposed to SPF's own errors and names that do not exist.
func dnsFailure(err error) bool {
	var re *resolve.Error
	return errors.As(err, &re) && re.Temporary()
}

// sendsNoMail reports whether the SPF record says the domain sends no email
// at all ("v=spf1 -all"), as a parked or old domain's should: such a
// domain needs no DKIM key.
func sendsNoMail(rep *Report) bool {
	s := rep.SPF
	return len(s.Records) == 1 && strings.EqualFold(strings.Join(strings.Fields(s.Records[0]), " "), "v=spf1 -all")
}

// spfIncludes lists the domains the SPF record includes, for telling the
// email provider.
func spfIncludes(rep *Report) []string { return rep.SPF.Includes }

func spfPresent(rep *Report) tri {
	switch {
	case rep.SPF.Error != "":
		return triUnknown
	case len(rep.SPF.Records) > 0:
		return triYes
	}
	return triNo
}

// spfSound is the grade's test of SPF: one readable record, ending -all or
// ~all, within both lookup limits, with nothing in its chain broken.
func spfSound(rep *Report) tri {
	s := rep.SPF
	switch {
	case s.Error != "":
		return triUnknown
	case len(s.Records) != 1 || s.ParseError != "" || s.Lookups > spf.LookupLimit ||
		len(s.VoidLookups) > spf.VoidLookupLimit || len(s.PassAll) > 0 || len(s.Problems) > 0 ||
		(s.All != "-all" && s.All != "~all"):
		return triNo
	case len(s.Unchecked) > 0:
		return triUnknown
	}
	return triYes
}

const whySPF = "SPF lists the servers allowed to send email as you. Receiving systems use it, with DKIM, to tell your real email from fakes: without it, DMARC cannot tell them apart, and your real email is more likely to land in junk folders or be refused."

func judgeSPF(rep *Report) []Finding {
	s, d, p := rep.SPF, rep.Domain, rep.Provider
	if s.Error != "" {
		return []Finding{{
			ID: "email.spf-unknown", Severity: handwash.SeverityHigh, Status: StatusUnknown,
			Title:   "Could not look up your SPF record",
			Summary: "The DNS did not answer when asked for " + d + "'s SPF record, so it was not checked. Try again later.",
			Details: []string{s.Error},
		}}
	}
	value, note := spfAdvice(p, d)
	if rep.MX.NullMX {
		value, note = "v=spf1 -all", "Your domain takes no email, so this record says it sends none either."
	}
	suggest := []Record{{Name: d, Type: "TXT", Value: value}}
	details := quoteAll(s.Records)
	switch {
	case len(s.Records) == 0:
		return []Finding{{
			ID: "email.spf-missing", Severity: handwash.SeverityHigh, Status: StatusFail,
			Title:   "No SPF record: nothing says who may send email as " + d,
			Summary: d + " has no SPF record, so receiving systems cannot check whether email claiming to be from you came from your email service.",
			Why:     whySPF,
			Fix:     "Publish the record below. " + note,
			Records: suggest,
		}}
	case len(s.Records) > 1:
		return []Finding{{
			ID: "email.spf-multiple", Severity: handwash.SeverityHigh, Status: StatusFail,
			Title:   "Several SPF records: receivers treat SPF as broken",
			Summary: fmt.Sprintf("%s has %d SPF records. There may be only one, so every SPF check of your email fails with an error.", d, len(s.Records)),
			Why:     whySPF,
			Fix:     "Merge them into one record: keep one v=spf1 at the start, every include: and ip4:/ip6: from each, and one all at the end. For " + p.Name() + " alone it would be the record below. " + note,
			Records: suggest,
			Details: details,
		}}
	case s.ParseError != "":
		return []Finding{{
			ID: "email.spf-invalid", Severity: handwash.SeverityHigh, Status: StatusFail,
			Title:   "Your SPF record has a mistake, so it does not work",
			Summary: "The SPF record of " + d + " cannot be read (" + s.ParseError + "), so every SPF check of your email fails with an error.",
			Why:     whySPF,
			Fix:     "Correct the term named above, or replace the record with a correct one. " + note,
			Records: suggest,
			Details: details,
		}}
	}

	var fs []Finding
	lookups := fmt.Sprintf("%d of the %d DNS lookups allowed", s.Lookups, spf.LookupLimit)
	if !s.LookupsComplete {
		lookups = fmt.Sprintf("at least %d of the %d DNS lookups allowed (part of the record depends on the sender, so could not be counted)", s.Lookups, spf.LookupLimit)
	}
	details = append(details, "uses "+lookups)
	if len(s.Includes) > 0 {
		details = append(details, "includes "+strings.Join(s.Includes, ", "))
	}
	if len(s.PassAll) > 0 {
		fs = append(fs, Finding{
			ID: "email.spf-pass-all", Severity: handwash.SeverityCritical, Status: StatusFail,
			Title:   "Your SPF record lets every server in the world send as you",
			Summary: "The SPF record has +all (" + strings.Join(s.PassAll, "; ") + "), which says any server may send email as " + d + ".",
			Why:     "With +all, a criminal's email passes SPF, so it can also pass DMARC and arrive looking completely genuine: asking families or suppliers to pay a new bank account, for example.",
			Fix:     "Replace +all with -all (or ~all), after listing every service that really sends your email. " + note,
			Records: suggest,
			Details: details,
		})
	}
	if s.Lookups > spf.LookupLimit {
		fs = append(fs, Finding{
			ID: "email.spf-too-many-lookups", Severity: handwash.SeverityHigh, Status: StatusFail,
			Title:   "Your SPF record needs too many DNS lookups, so it breaks",
			Summary: fmt.Sprintf("Checking the SPF record of %s can take %d DNS lookups; the limit is %d, so receivers give up with an error and your email can fail DMARC.", d, s.Lookups, spf.LookupLimit),
			Why:     whySPF,
			Fix:     "Remove include: entries for services you no longer use, and a, mx and ptr terms that are not needed (each costs a lookup). If every include is needed, ask your IT supplier about sending some services from a subdomain with its own SPF record.",
			Details: details,
		})
	}
	if len(s.VoidLookups) > spf.VoidLookupLimit {
		fs = append(fs, Finding{
			ID: "email.spf-void-lookups", Severity: handwash.SeverityMedium, Status: StatusFail,
			Title:   "Your SPF record names things that do not exist",
			Summary: fmt.Sprintf("%d lookups in your SPF record find nothing: %s. More than %d makes receivers give up with an error.", len(s.VoidLookups), strings.Join(s.VoidLookups, "; "), spf.VoidLookupLimit),
			Why:     whySPF,
			Fix:     "Remove the terms that name hosts or domains that no longer exist, usually left over from an old email or web service.",
			Details: details,
		})
	}
	if len(s.Problems) > 0 {
		fs = append(fs, Finding{
			ID: "email.spf-broken-include", Severity: handwash.SeverityHigh, Status: StatusFail,
			Title:   "Part of your SPF record is broken",
			Summary: "Receivers that reach these parts of your SPF record give up with an error: " + strings.Join(s.Problems, "; ") + ".",
			Why:     whySPF,
			Fix:     "Correct or remove the include: or redirect= named, usually by copying the value your email provider documents. " + note,
			Records: suggest,
			Details: details,
		})
	}
	switch s.All {
	case "-all", "~all", "+all":
	default:
		fs = append(fs, Finding{
			ID: "email.spf-neutral", Severity: handwash.SeverityMedium, Status: StatusWarn,
			Title:   "Your SPF record does not say what to do with other servers",
			Summary: "The record ends " + orNone(s.All, "with no all") + ", which says nothing about servers it does not list, so fakes from anywhere else are not marked.",
			Why:     whySPF,
			Fix:     "End the record with -all (or ~all), after listing every service that really sends your email. " + note,
			Records: suggest,
			Details: details,
		})
	}
	if len(s.PTR) > 0 {
		fs = append(fs, Finding{
			ID: "email.spf-ptr", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "Your SPF record uses ptr, which should not be used",
			Summary: "The record uses ptr (" + strings.Join(s.PTR, "; ") + "), which is slow and unreliable, and some receivers ignore it (RFC 7208 section 5.5).",
			Why:     "Email that relies on ptr to pass may fail at some receivers.",
			Fix:     "Replace ptr with the ip4: addresses or include: of the servers it was meant to cover.",
			Details: details,
		})
	}
	if want := providerInclude(p); want != "" && rep.ProviderEvidence != "" && strings.HasPrefix(rep.ProviderEvidence, "mail server") && !includesProvider(s, p) {
		fs = append(fs, Finding{
			ID: "email.spf-provider-missing", Severity: handwash.SeverityMedium, Status: StatusWarn,
			Title:   "Your SPF record does not list " + p.Name(),
			Summary: "Your email is delivered to " + p.Name() + ", but your SPF record does not include it, so email you send through " + p.Name() + " may fail SPF.",
			Why:     whySPF,
			Fix:     "Add include:" + want + " to your SPF record, before the all at the end, unless you send through another service on purpose.",
			Details: details,
		})
	}
	if len(s.Unchecked) > 0 {
		fs = append(fs, Finding{
			ID: "email.spf-partly-unknown", Severity: handwash.SeverityMedium, Status: StatusUnknown,
			Title:   "Could not check all of your SPF record",
			Summary: "The DNS did not answer for part of your SPF record: " + strings.Join(s.Unchecked, "; ") + ". Try again later.",
		})
	}
	if spfSound(rep) != triNo {
		fs = append(fs, Finding{
			ID: "email.spf-ok", Severity: handwash.SeverityHigh, Status: StatusPass,
			Title:   "Your SPF record lists who may send email as you",
			Summary: "The SPF record ends " + s.All + " and uses " + lookups + ".",
			Details: details,
		})
	}
	return fs
}

func providerInclude(p Provider) string {
	switch p {
	case ProviderMicrosoft365:
		return spfIncludeMicrosoft
	case ProviderGoogle:
		return spfIncludeGoogle
	}
	return "" // NHSmail: the exact include is theirs to give
}

func includesProvider(s SPFResult, p Provider) bool {
	for _, inc := range s.Includes {
		if providerOfInclude(inc) == p {
			return true
		}
	}
	return false
}

func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
