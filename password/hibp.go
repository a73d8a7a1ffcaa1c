//go:build !js

package password

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/handwash/handwash"
)

// CodeUnavailable marks errors where the breached-password list could not
// be reached or did not answer as it should: trying again later, or using
// an offline copy, may help. (feeds and agent use the same code.)
const CodeUnavailable = "unavailable"

// DefaultRangeURL is Have I Been Pwned's Pwned Passwords API.
const DefaultRangeURL = "https://api.pwnedpasswords.com"

// PrefixLen is how many hexadecimal characters of a password's SHA-1 hash
// leave the computer for the online check: 5 of 40 (20 bits), which about
// a million other hashes in the breach list share.
const PrefixLen = 5

// MaxRangeBody bounds an answer of the range API. A real one is about 40
// KB (some 1,000 suffixes, padded to between 800 and 1,000 entries).
const MaxRangeBody = 2 << 20

// SHA1Hex returns the SHA-1 hash of pw in upper-case hexadecimal, the form
// Have I Been Pwned uses.
func SHA1Hex(pw string) string {
	sum := sha1.Sum([]byte(pw))
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// RangeClient asks Have I Been Pwned's range API (or a mirror of it) how
// often a password has appeared in breaches, sending only the first
// PrefixLen characters of its SHA-1 hash and asking for a padded answer.
// The zero value is ready to use.
type RangeClient struct {
	// BaseURL is the API's address without /range; "" is DefaultRangeURL.
	BaseURL string
	// HTTPClient makes the request; nil is a client with a 20-second
	// timeout that uses the system's proxy settings.
	HTTPClient *http.Client
	// UserAgent names the program to the API, which requires one; "" is
	// "handwash-password-check".
	UserAgent string
}

var defaultHTTPClient = &http.Client{Timeout: 20 * time.Second}

// Lookup returns how many times pw appears in Have I Been Pwned's breached
// passwords (0 when it does not).
func (c *RangeClient) Lookup(ctx context.Context, pw string) (int64, error) {
	return c.LookupHash(ctx, SHA1Hex(pw))
}

// LookupHash is Lookup for a password's SHA-1 hash (40 hexadecimal
// characters, either case). Only its first PrefixLen characters are sent.
func (c *RangeClient) LookupHash(ctx context.Context, sha1hex string) (int64, error) {
	if !isHex(sha1hex, 40) {
		return 0, handwash.Errorf(handwash.EINVALID, "not a SHA-1 hash: want 40 hexadecimal characters")
	}
	sha1hex = strings.ToUpper(sha1hex)
	body, err := c.Range(ctx, sha1hex[:PrefixLen])
	if err != nil {
		return 0, err
	}
	return ParseRange(body, sha1hex[PrefixLen:])
}

// Range returns the API's answer for one prefix (PrefixLen hexadecimal
// characters): the lines "SUFFIX:COUNT" of every breached password whose
// hash starts with it, padded with entries of count 0 so that the answer's
// size says nothing about the prefix.
func (c *RangeClient) Range(ctx context.Context, prefix string) ([]byte, error) {
	if !isHex(prefix, PrefixLen) {
		return nil, handwash.Errorf(handwash.EINVALID, "not a hash prefix: want %d hexadecimal characters", PrefixLen)
	}
	prefix = strings.ToUpper(prefix)
	base := strings.TrimRight(c.BaseURL, "/")
	if base == "" {
		base = DefaultRangeURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/range/"+prefix, nil)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "the Pwned Passwords address %q is not a web address: %v", base, err)
	}
	ua := c.UserAgent
	if ua == "" {
		ua = "handwash-password-check"
	}
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Add-Padding", "true")
	hc := c.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unavailable(err, "Have I Been Pwned could not be reached (%s). Check this computer's internet connection and try again, or check against a downloaded copy of the list with --offline FILE.", netReason(err))
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return nil, unavailable(nil, "Have I Been Pwned asked us to slow down (too many checks from this network). Wait a minute and try again.")
	case resp.StatusCode != http.StatusOK:
		return nil, unavailable(nil, "Have I Been Pwned did not answer as expected (%s from %s). Try again later, or check against a downloaded copy of the list with --offline FILE.", resp.Status, base)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxRangeBody+1))
	if err != nil {
		return nil, unavailable(err, "the answer from Have I Been Pwned was cut off (%v). Try again.", err)
	}
	if len(body) > MaxRangeBody {
		return nil, unavailable(nil, "the answer from %s is over %d MB, which is not a Pwned Passwords range: is --hibp-url right?", base, MaxRangeBody>>20)
	}
	if _, err := ParseRange(body, strings.Repeat("0", 40-PrefixLen)); err != nil {
		return nil, unavailable(err, "the answer from %s is not a Pwned Passwords range (%v): is the address right?", base, err)
	}
	return body, nil
}

func unavailable(err error, format string, args ...any) error {
	return &handwash.Error{Code: CodeUnavailable, Message: fmt.Sprintf(format, args...), Err: err}
}

// netReason says briefly why a request failed, in words, without the URL
// that Go's errors repeat.
func netReason(err error) string {
	var (
		ue   *url.Error
		dns  *net.DNSError
		cert *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &dns):
		return "the name " + dns.Name + " could not be looked up: is this computer online?"
	case errors.As(err, &cert):
		return "its certificate could not be checked: a firewall or proxy may be intercepting secure connections"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the connection was refused"
	case errors.As(err, &ue) && ue.Timeout():
		return "no answer in time"
	case ue != nil:
		return ue.Err.Error()
	}
	return err.Error()
}

// ParseRange reads an answer of the range API (lines "SUFFIX:COUNT", the
// 35 hexadecimal characters after the prefix and a count, CRLF or LF) and
// returns the count for suffix, or 0 when it is not there. Padding entries
// (count 0) count as absent. A line that is not in this form is an error
// that names it by number.
func ParseRange(body []byte, suffix string) (int64, error) {
	if !isHex(suffix, 40-PrefixLen) {
		return 0, fmt.Errorf("the suffix is not %d hexadecimal characters", 40-PrefixLen)
	}
	want := []byte(suffix)
	var found int64
	for n := 1; len(body) > 0; n++ {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
		} else {
			body = nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			continue
		}
		s, count, err := parseCountLine(line, 40-PrefixLen)
		if err != nil {
			return 0, fmt.Errorf("line %d: %v", n, err)
		}
		if count > 0 && bytes.EqualFold(s, want) {
			found = count
		}
	}
	return found, nil
}

// parseCountLine splits "HEX:COUNT" with hexLen hexadecimal characters.
func parseCountLine(line []byte, hexLen int) (hash []byte, count int64, err error) {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return nil, 0, errors.New("no colon between the hash and the count")
	}
	hash, digits := line[:i], line[i+1:]
	if len(hash) != hexLen || !isHexBytes(hash) {
		if len(hash) == 32 && hexLen == 40 && isHexBytes(hash) {
			return nil, 0, errors.New("this is an NTLM hash (32 characters), not SHA-1 (40): download the SHA-1 list (haveibeenpwned-downloader without -n)")
		}
		return nil, 0, fmt.Errorf("want %d hexadecimal characters before the colon", hexLen)
	}
	if len(digits) == 0 || len(digits) > 18 {
		return nil, 0, errors.New("the count after the colon is missing or too long")
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return nil, 0, errors.New("the count after the colon is not a whole number")
		}
		count = count*10 + int64(c-'0') // at most 18 digits: no overflow
	}
	return hash, count, nil
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !hexDigit[s[i]] {
			return false
		}
	}
	return true
}

func isHexBytes(b []byte) bool {
	for _, c := range b {
		if !hexDigit[c] {
			return false
		}
	}
	return true
}

var hexDigit = func() (t [256]bool) {
	for _, c := range "0123456789ABCDEFabcdef" {
		t[c] = true
	}
	return t
}()
