package mailauth

import (
	"errors"
	"net/netip"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/handwash/handwash"
)

// ParseDomain checks and normalises the domain a person typed: it accepts
// an email address (the part after the @, since that is what staff know),
// a trailing dot, capitals and non-ASCII names (turned into their xn--
// form), and rejects anything that cannot be a mail domain with an error
// naming it.
func ParseDomain(s string) (string, error) {
	in := strings.TrimSpace(s)
	d := in
	if i := strings.LastIndexByte(d, '@'); i >= 0 {
		d = d[i+1:]
	}
	d = strings.TrimSuffix(d, ".")
	if d == "" {
		return "", handwash.Errorf(handwash.EINVALID, "%q is not a domain name: give one such as example.org", in)
	}
	if !utf8.ValidString(d) {
		return "", handwash.Errorf(handwash.EINVALID, "%q is not a valid domain name: it holds bytes that are not text", in)
	}
	ascii, err := idna.Lookup.ToASCII(d)
	if err == nil {
		// A name that does not convert back to itself would be looked up as
		// something other than what was typed.
		if again, err2 := idna.Lookup.ToASCII(ascii); err2 != nil || again != ascii {
			err = errors.New("it cannot be written in the DNS")
		}
	}
	if err != nil {
		return "", handwash.Errorf(handwash.EINVALID, "%q is not a valid domain name: %v", in, err)
	}
	ascii = strings.ToLower(ascii)
	if _, err := netip.ParseAddr(ascii); err == nil {
		return "", handwash.Errorf(handwash.EINVALID, "%q is an IP address, not a domain name: give the part after the @ in your email addresses", in)
	}
	if !validHostname(ascii) {
		return "", handwash.Errorf(handwash.EINVALID, "%q is not a valid domain name: use letters, digits, hyphens and dots, such as example.org", in)
	}
	if !strings.Contains(ascii, ".") {
		return "", handwash.Errorf(handwash.EINVALID, "%q is not a full domain name: give one with a dot, such as example.org", in)
	}
	if tld := ascii[strings.LastIndexByte(ascii, '.')+1:]; allDigits(tld) {
		return "", handwash.Errorf(handwash.EINVALID, "%q is not a valid domain name: it ends in a number", in)
	}
	return ascii, nil
}

// validHostname checks letter-digit-hyphen labels of 1 to 63 octets, not
// starting or ending with a hyphen, in a name of at most 253 octets.
func validHostname(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isAlpha(c) && !isDigit(c) && c != '-' {
				return false
			}
		}
	}
	return true
}
