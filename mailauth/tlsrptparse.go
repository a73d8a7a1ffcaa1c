package mailauth

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// TLSRPTRecord is the _smtp._tls TXT record (RFC 8460 section 3).
type TLSRPTRecord struct {
	// RUA lists where senders send their daily TLS reports: mailto: or
	// https: URIs.
	RUA []string `json:"rua"`
}

// ParseTLSRPT reads an _smtp._tls TXT record.
func ParseTLSRPT(txt string) (TLSRPTRecord, error) {
	var r TLSRPTRecord
	fields, err := parseSemicolonFields(txt, "v=TLSRPTv1")
	if err != nil {
		return r, err
	}
	seenRUA := false
	for _, f := range fields {
		if !validExtName(f.Name) {
			return r, fmt.Errorf("%q is not a valid field name", clip(f.Name))
		}
		if f.Name != "rua" {
			if !validFieldValue(f.Value) {
				return r, fmt.Errorf("the value of %s has a character the record may not hold", f.Name)
			}
			continue // extensions are for future use
		}
		if seenRUA {
			return r, errors.New("rua is given more than once: list the addresses in one rua, separated by commas")
		}
		seenRUA = true
		for _, u := range strings.Split(f.Value, ",") {
			u = strings.Trim(u, " \t")
			if err := checkReportURI(u, "https"); err != nil {
				return r, err
			}
			r.RUA = append(r.RUA, u)
		}
	}
	if !seenRUA {
		return r, errors.New("no rua field saying where to send reports")
	}
	return r, nil
}

// checkReportURI accepts a mailto: URI with a valid address, or, when
// other is "https", an https: URL with a host.
func checkReportURI(u, other string) error {
	if u == "" {
		return errors.New("an empty report address")
	}
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("report address %q has a space or a character URIs may not hold", clip(u))
		}
	}
	p, err := url.Parse(u)
	if err != nil {
		return fmt.Errorf("report address %q is not a valid URI", clip(u))
	}
	switch strings.ToLower(p.Scheme) {
	case "mailto":
		if _, err := mailtoDomain(p); err != nil {
			return fmt.Errorf("report address %q: %v", clip(u), err)
		}
		return nil
	case "https":
		if other != "https" {
			break
		}
		if p.Host == "" || p.Opaque != "" || !validHostname(strings.ToLower(p.Hostname())) {
			return fmt.Errorf("report address %q has no valid host", clip(u))
		}
		return nil
	}
	if other != "" {
		return fmt.Errorf("report address %q must begin mailto: or %s:", clip(u), other)
	}
	return fmt.Errorf("report address %q must begin mailto:", clip(u))
}

// mailtoDomain gives the lower-case domain of a mailto: URI's address.
func mailtoDomain(p *url.URL) (string, error) {
	addr := p.Opaque
	if addr == "" {
		addr = p.Path // "mailto:/x" parses into Path; still wrong, but say why below
	}
	if a, err := url.PathUnescape(addr); err == nil {
		addr = a
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		return "", errors.New("no email address after mailto:")
	}
	d := strings.ToLower(strings.TrimSuffix(addr[at+1:], "."))
	if !validHostname(d) || !strings.Contains(d, ".") {
		return "", fmt.Errorf("%q is not a valid email domain", clip(d))
	}
	return d, nil
}
