package mailauth

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"
)

// DMARCRecord is a DMARC record (RFC 7489 section 6.3) as read by
// go-msgauth's parser, with the details that parser leaves out.
type DMARCRecord struct {
	// Policy is p=: none, quarantine or reject.
	Policy string `json:"policy"`
	// SubdomainPolicy is sp=, empty when not given (p= then applies).
	SubdomainPolicy string `json:"subdomain_policy,omitempty"`
	// Percent is pct=, 100 when not given.
	Percent int `json:"pct"`
	// DKIMAlignment and SPFAlignment are adkim= and aspf=: r (relaxed,
	// the default) or s (strict).
	DKIMAlignment string `json:"adkim"`
	SPFAlignment  string `json:"aspf"`
	// RUA and RUF are where aggregate and failure reports go.
	RUA []ReportAddress `json:"rua,omitempty"`
	RUF []ReportAddress `json:"ruf,omitempty"`
	// Notes are things wrong with the record's form that receivers
	// tolerate, such as a misspelt tag they ignore.
	Notes []string `json:"notes,omitempty"`
}

// ReportAddress is one rua= or ruf= destination.
type ReportAddress struct {
	URI string `json:"uri"`
	// Domain is the mailto: address's domain.
	Domain string `json:"domain,omitempty"`
	// External is true when Domain is in another organisation, which must
	// then publish a record agreeing to take the reports (RFC 7489 7.1).
	External bool `json:"external,omitempty"`
	// Authorised says whether that record was found: "yes", "no", or
	// "unknown" when the lookup failed; empty for internal addresses.
	Authorised string `json:"authorised,omitempty"`
	// Error says why the address cannot be used, if it cannot.
	Error string `json:"error,omitempty"`
}

// knownDMARCTags are the tags RFC 7489 defines; anything else is ignored by
// receivers, so is most likely a typo worth pointing out.
var knownDMARCTags = map[string]bool{
	"v": true, "p": true, "sp": true, "pct": true, "adkim": true, "aspf": true,
	"rua": true, "ruf": true, "fo": true, "rf": true, "ri": true,
	// np= and t= come from DMARCbis, which receivers are starting to read.
	"np": true, "t": true,
}

// isDMARCRecord reports whether a TXT record at _dmarc claims to be DMARC:
// RFC 7489 section 6.6.3 discards every record that does not start with
// v=DMARC1. The tag name may be in either case, as the grammar's quoted
// strings are; the value may not.
func isDMARCRecord(txt string) bool {
	name, rest, ok := strings.Cut(txt, "=")
	if !ok || !strings.EqualFold(trimFWS(name), "v") {
		return false
	}
	v, _, _ := strings.Cut(rest, ";")
	return trimFWS(v) == "DMARC1"
}

// ParseDMARC reads a DMARC record with go-msgauth's dmarc.Parse, after
// checking the tag syntax that parser does not: the tag order, duplicate
// and unknown tags, and each report address. Tag names and the values of
// the keyword tags are taken in any case, as the RFC's grammar allows,
// while go-msgauth wants lower case.
func ParseDMARC(txt string) (DMARCRecord, error) {
	var rec DMARCRecord
	tags, err := parseTagList(txt)
	if err != nil {
		return rec, err
	}
	if len(tags) == 0 || strings.ToLower(tags[0].Name) != "v" || tags[0].Value != "DMARC1" {
		return rec, errors.New("the record must begin with v=DMARC1")
	}
	var norm strings.Builder
	for i, t := range tags {
		name := strings.ToLower(t.Name)
		if i > 0 && name == "v" {
			return rec, errors.New("v= is given more than once")
		}
		if i == 1 && name != "p" {
			rec.Notes = append(rec.Notes, "p= should come straight after v=DMARC1; some receivers ignore a record where it does not")
		}
		if !knownDMARCTags[name] {
			rec.Notes = append(rec.Notes, fmt.Sprintf("tag %q is not a DMARC tag, so receivers ignore it: check its spelling", clip(t.Name)))
			continue
		}
		value := t.Value
		switch name {
		case "p", "sp", "np", "adkim", "aspf", "fo", "rf":
			value = strings.ToLower(value)
		}
		fmt.Fprintf(&norm, "%s=%s;", name, value)
	}
	parsed, err := parseDMARCSafely(norm.String())
	if err != nil {
		return rec, errors.New(strings.TrimPrefix(err.Error(), "dmarc: "))
	}
	rec.Policy = string(parsed.Policy)
	rec.SubdomainPolicy = string(parsed.SubdomainPolicy)
	rec.Percent = 100
	if parsed.Percent != nil {
		rec.Percent = *parsed.Percent
	}
	rec.DKIMAlignment = string(parsed.DKIMAlignment)
	rec.SPFAlignment = string(parsed.SPFAlignment)
	rec.RUA = reportAddresses(parsed.ReportURIAggregate)
	rec.RUF = reportAddresses(parsed.ReportURIFailure)
	return rec, nil
}

// parseDMARCSafely calls dmarc.Parse, turning a panic on a hostile record
// into an error: the record comes from a stranger's DNS.
func parseDMARCSafely(txt string) (rec *dmarc.Record, err error) {
	defer func() {
		if r := recover(); r != nil {
			rec, err = nil, fmt.Errorf("the record could not be read: %v", r)
		}
	}()
	return dmarc.Parse(txt)
}

// reportAddresses checks each rua/ruf URI. DMARC URIs may end in "!size"
// (RFC 7489 section 6.2), which is not part of the address.
func reportAddresses(uris []string) []ReportAddress {
	var out []ReportAddress
	for _, u := range uris {
		a := ReportAddress{URI: u}
		bare := u
		if i := strings.LastIndexByte(u, '!'); i > 0 && validSizeLimit(u[i+1:]) {
			bare = u[:i]
		}
		if err := checkReportURI(bare, ""); err != nil {
			a.Error = err.Error()
		} else if p, err := url.Parse(bare); err == nil {
			a.Domain, _ = mailtoDomain(p)
		}
		out = append(out, a)
	}
	return out
}

// validSizeLimit is 1*DIGIT [ "k" / "m" / "g" / "t" ].
func validSizeLimit(s string) bool {
	if n := len(s); n > 1 && strings.IndexByte("kmgtKMGT", s[n-1]) >= 0 {
		s = s[:n-1]
	}
	return allDigits(s)
}
