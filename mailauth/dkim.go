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

// usualSelectors are the DKIM selectors the big providers use: Microsoft 365
// publishes selector1 and selector2 (as CNAMEs into the tenant's
// onmicrosoft.com zone, which the resolver follows) and Google Workspace
// uses google unless an administrator picked another prefix.
var usualSelectors = []string{"selector1", "selector2", "google"}

// DKIMResult is what was found at the DKIM selectors looked at.
type DKIMResult struct {
	Selectors []DKIMSelector `json:"selectors"`
}

// DKIMSelector is what one selector's DNS name holds.
type DKIMSelector struct {
	Selector string `json:"selector"`
	// Name is <selector>._domainkey.<domain>.
	Name string `json:"name"`
	// Records are the TXT records found there.
	Records []string `json:"records,omitempty"`
	// Key is the key read, when there is exactly one valid record.
	Key *DKIMKeyRecord `json:"key,omitempty"`
	// ParseError says why the record could not be read.
	ParseError string `json:"parse_error,omitempty"`
	// Error says why the lookup failed.
	Error string `json:"error,omitempty"`
}

// live reports whether the selector holds a key that can verify mail.
func (s DKIMSelector) live() bool { return s.Key != nil && !s.Key.Revoked }

// validSelector accepts selectors as RFC 6376 section 3.1 writes them: one
// or more dot-separated labels. Underscores are allowed, as in the wild.
func validSelector(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}

func lookupDKIM(ctx context.Context, r resolve.Resolver, domain string, extra []string) DKIMResult {
	selectors := slices.Clone(usualSelectors)
	for _, s := range extra {
		s = strings.ToLower(strings.TrimSpace(s))
		if validSelector(s) && !slices.Contains(selectors, s) { // Check has refused invalid ones
			selectors = append(selectors, s)
		}
	}
	res := DKIMResult{Selectors: make([]DKIMSelector, len(selectors))}
	var wg sync.WaitGroup
	for i, sel := range selectors {
		out := &res.Selectors[i]
		*out = DKIMSelector{Selector: sel, Name: sel + "._domainkey." + domain}
		wg.Go(func() { lookupSelector(ctx, r, out) })
	}
	wg.Wait()
	return res
}

func lookupSelector(ctx context.Context, r resolve.Resolver, s *DKIMSelector) {
	txts, err := r.LookupTXT(ctx, s.Name)
	if err != nil && !errors.Is(err, resolve.ErrNotFound) {
		s.Error = err.Error()
		return
	}
	// A wildcard or a stray SPF record can answer at any name: only records
	// that look like keys count.
	for _, t := range txts {
		if looksLikeDKIM(t) {
			s.Records = append(s.Records, t)
		}
	}
	switch len(s.Records) {
	case 0:
		return
	case 1:
		k, err := ParseDKIMKey(s.Records[0])
		if err != nil {
			s.ParseError = err.Error()
			return
		}
		s.Key = &k
	default:
		// RFC 6376 section 3.6.2.2: several records make the result
		// undefined, and verifiers such as go-msgauth's refuse them.
		s.ParseError = fmt.Sprintf("%d records where there must be one", len(s.Records))
	}
}

// looksLikeDKIM picks out records that are meant as DKIM keys: they have a
// p= tag or start with v=DKIM1.
func looksLikeDKIM(t string) bool {
	t = trimFWS(t)
	if strings.HasPrefix(t, "v=DKIM1") {
		return true
	}
	for _, part := range strings.Split(t, ";") {
		if name, _, ok := strings.Cut(part, "="); ok && trimFWS(name) == "p" {
			return true
		}
	}
	return false
}

const whyDKIM = "DKIM puts a tamper-proof signature on the email you send, which receiving systems check against a key in your DNS. It proves your real email is yours, so that DMARC can safely stop the fakes, and your email is less likely to land in junk folders."

func judgeDKIM(rep *Report) []Finding {
	d, p := rep.Domain, rep.Provider
	var live, failed, revoked, invalid []DKIMSelector
	var fs []Finding
	for _, s := range rep.DKIM.Selectors {
		switch {
		case s.Error != "":
			failed = append(failed, s)
		case s.live():
			live = append(live, s)
		case s.Key != nil && s.Key.Revoked:
			revoked = append(revoked, s)
		case s.ParseError != "":
			invalid = append(invalid, s)
		}
	}
	if len(invalid) > 0 {
		var problems, details []string
		for _, s := range invalid {
			problems = append(problems, s.Name+": "+s.ParseError)
			details = append(details, quoteAll(s.Records)...)
		}
		fs = append(fs, Finding{
			ID: "email.dkim-invalid", Severity: handwash.SeverityMedium, Status: StatusFail,
			Title:   "A DKIM key record has a mistake",
			Summary: "These DKIM records cannot be used: " + strings.Join(problems, "; ") + ".",
			Why:     "Email signed with these selectors fails the check at the receiving end, and with a strict DMARC policy it may be refused.",
			Fix:     "Replace each record with the exact value your email provider gives (copy it whole: a key cut short is the usual mistake), or delete it if nothing signs with that selector any more.",
			Details: details,
		})
	}
	if len(live) == 0 {
		if len(failed) > 0 {
			return append(fs, Finding{
				ID: "email.dkim-unknown", Severity: handwash.SeverityHigh, Status: StatusUnknown,
				Title:   "Could not look up your DKIM keys",
				Summary: "The DNS did not answer for " + strings.Join(selectorNames(failed), ", ") + ", so DKIM was not checked. Try again later.",
				Details: selectorErrors(failed),
			})
		}
		if sendsNoMail(rep) {
			return append(fs, Finding{
				ID: "email.dkim-not-needed", Severity: handwash.SeverityInfo, Status: StatusPass,
				Title:   "No DKIM key needed: your domain sends no email",
				Summary: "Your SPF record says " + d + " sends no email at all, so there is nothing to sign.",
			})
		}
		how, recs := dkimAdvice(p, d)
		f := Finding{
			ID: "email.dkim-missing", Severity: handwash.SeverityMedium, Status: StatusWarn,
			Title:   "No DKIM key found",
			Summary: "No DKIM key was found at the selectors looked at (" + strings.Join(selectorNames(rep.DKIM.Selectors), ", ") + "). DKIM keys can only be found by name, so if your email is signed with another selector, give it to the check.",
			Why:     whyDKIM,
			Fix:     how,
			Records: recs,
		}
		if p == ProviderMicrosoft365 || p == ProviderGoogle {
			// The provider's own selector is missing, so signing is off.
			f.Severity, f.Status = handwash.SeverityHigh, StatusFail
			f.Title = "DKIM signing is not turned on for " + p.Name()
			f.Summary = "Your email is with " + p.Name() + ", but there is no DKIM key at its selectors (" + strings.Join(providerSelectors(p), ", ") + "), so your email is not signed as " + d + "."
		}
		if len(revoked) > 0 {
			f.Details = append(f.Details, "revoked keys (p= empty) at "+strings.Join(selectorNames(revoked), ", "))
		}
		return append(fs, f)
	}
	var weak, short, testing []string
	onlyEd25519 := true
	for _, s := range live {
		k := s.Key
		if k.KeyType == "rsa" {
			onlyEd25519 = false
			switch {
			case k.Bits < 1024:
				weak = append(weak, fmt.Sprintf("%s (%d bits)", s.Name, k.Bits))
			case k.Bits < 2048:
				short = append(short, fmt.Sprintf("%s (%d bits)", s.Name, k.Bits))
			}
		}
		if k.Testing {
			testing = append(testing, s.Name)
		}
	}
	rotate := "Make a new 2048-bit key and publish it, then retire the old one (publish it with an empty p=)."
	switch p {
	case ProviderMicrosoft365:
		rotate = "In the Microsoft Defender portal (Email & collaboration > Policies & rules > Threat policies > Email authentication settings > DKIM), choose " + d + " and Rotate DKIM keys, picking 2048 bits. Microsoft 365 switches between selector1 and selector2 itself."
	case ProviderGoogle:
		rotate = "In the Google Admin console (Apps > Google Workspace > Gmail > Authenticate email), generate a new 2048-bit key, publish it, and click Start authentication."
	}
	if len(weak) > 0 {
		fs = append(fs, Finding{
			ID: "email.dkim-weak-key", Severity: handwash.SeverityHigh, Status: StatusFail,
			Title:   "A DKIM key is too short to be trusted",
			Summary: "These keys are under 1024 bits: " + strings.Join(weak, ", ") + ". Receivers must treat signatures made with them as invalid (RFC 8301), and such keys can be broken.",
			Why:     "A broken key lets a criminal sign email as you, so it passes every check and looks completely genuine.",
			Fix:     rotate,
		})
	}
	if len(short) > 0 {
		fs = append(fs, Finding{
			ID: "email.dkim-short-key", Severity: handwash.SeverityMedium, Status: StatusWarn,
			Title:   "A DKIM key is 1024 bits; 2048 is recommended",
			Summary: "These keys are 1024 bits: " + strings.Join(short, ", ") + ". They still work, but are at the weak end of what is accepted.",
			Why:     "1024-bit keys are within reach of well-funded attackers; a broken key lets someone sign email as you.",
			Fix:     rotate,
		})
	}
	if len(testing) > 0 {
		fs = append(fs, Finding{
			ID: "email.dkim-testing", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "A DKIM key is still marked as a test",
			Summary: "These keys have t=y: " + strings.Join(testing, ", ") + ". Receivers may treat mail signed with them as if it were not signed.",
			Why:     "Test mode can stop DKIM counting towards DMARC, so real email may fail once your policy is strict.",
			Fix:     "Remove t=y from the key record once signing works.",
		})
	}
	if onlyEd25519 {
		fs = append(fs, Finding{
			ID: "email.dkim-ed25519-only", Severity: handwash.SeverityLow, Status: StatusWarn,
			Title:   "Your only DKIM keys are Ed25519",
			Summary: "Ed25519 keys are sound, but many receivers do not check them yet and treat the mail as unsigned.",
			Why:     "Unchecked signatures do not help your real email pass DMARC.",
			Fix:     "Sign with an RSA 2048-bit key as well as the Ed25519 one.",
		})
	}
	var found []string
	for _, s := range live {
		found = append(found, fmt.Sprintf("%s (%s, %d bits)", s.Name, s.Key.KeyType, s.Key.Bits))
	}
	ok := Finding{
		ID: "email.dkim-ok", Severity: handwash.SeverityHigh, Status: StatusPass,
		Title:   "DKIM keys are published",
		Summary: "Found DKIM keys at " + strings.Join(selectorNames(live), ", ") + ".",
		Details: found,
	}
	if len(failed) > 0 {
		ok.Details = append(ok.Details, "could not look up "+strings.Join(selectorNames(failed), ", "))
	}
	if len(weak) == 0 {
		fs = append(fs, ok)
	}
	return fs
}

func providerSelectors(p Provider) []string {
	if p == ProviderGoogle {
		return []string{"google"}
	}
	return []string{"selector1", "selector2"}
}

func selectorNames(ss []DKIMSelector) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Selector)
	}
	return out
}

func selectorErrors(ss []DKIMSelector) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Error)
	}
	return out
}
