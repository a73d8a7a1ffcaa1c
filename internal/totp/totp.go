// Package totp makes and checks the six-digit codes of authenticator apps:
// time-based one-time passwords (RFC 6238) over HOTP (RFC 4226), with
// HMAC-SHA1, 6 digits and a 30-second step, which is what every common app
// supports when scanning a QR code.
//
// A code is accepted one step either side of now for clock drift, and never
// for a step at or before the last one accepted, so a code seen over a
// shoulder or in a log cannot be used a second time.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const (
	// Digits is the length of a code.
	Digits = 6
	// Period is how long each code lasts.
	Period = 30 * time.Second
	// Skew is how many steps either side of now a code may be from: one
	// step allows for a phone clock 30 seconds out and for the time it takes
	// to type the code.
	Skew = 1

	// secretBytes is RFC 4226's recommended 160 bits.
	secretBytes = 20
	// RFC 4226 requires at least 128 bits; more than a SHA-1 block would
	// only be hashed down again.
	minSecretBytes, maxSecretBytes = 16, 64
	// maxSecretInput and maxCodeInput bound what is read, spaces included.
	maxSecretInput = 256
	maxCodeInput   = 32
)

// encoding is base32 as authenticator apps expect it: RFC 4648 upper case
// alphabet, without padding.
var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a random 160-bit secret in base32 without padding, to
// store for the user and show to them once (URI, or typed by hand).
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("totp: no randomness for a secret: %w", err)
	}
	return encoding.EncodeToString(b), nil
}

// URI returns the otpauth:// key URI that authenticator apps read from a QR
// code, as in the Google Authenticator key URI format:
// otpauth://totp/Issuer:account?secret=…&issuer=Issuer&algorithm=SHA1&digits=6&period=30.
// issuer names the service ("Handwash" or the provider's name) and account
// the person (their email address).
func URI(secret, issuer, account string) string {
	var b strings.Builder
	b.WriteString("otpauth://totp/")
	if issuer != "" {
		b.WriteString(escape(issuer))
		// The colon between issuer and account stays as it is: apps split
		// the label on it. Colons within either are escaped.
		b.WriteByte(':')
	}
	b.WriteString(escape(account))
	b.WriteString("?secret=")
	b.WriteString(escape(secret))
	if issuer != "" {
		b.WriteString("&issuer=")
		b.WriteString(escape(issuer))
	}
	b.WriteString("&algorithm=SHA1&digits=")
	b.WriteString(strconv.Itoa(Digits))
	b.WriteString("&period=")
	b.WriteString(strconv.Itoa(int(Period / time.Second)))
	return b.String()
}

// escape percent-encodes every byte but RFC 3986's unreserved characters and
// "@". net/url's escapers do not fit: QueryEscape writes a space as "+",
// which some apps show as a plus sign, and PathEscape leaves ":" alone, which
// would split an issuer or account name that contains one.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~', c == '@':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// Code returns the code for time t, as an authenticator app with secret
// would show it.
func Code(secret string, t time.Time) (string, error) {
	key, err := parseSecret(secret)
	if err != nil {
		return "", err
	}
	step, ok := stepAt(t)
	if !ok {
		return "", fmt.Errorf("totp: the time %s is before 1970", t.UTC().Format(time.RFC3339))
	}
	return hotp(key, uint64(step), Digits), nil
}

// Verify reports whether code is right for secret at time t, allowing Skew
// steps either side, and returns the step it matched. A step at or before
// lastUsedStep is refused, so each code works once: the caller stores the
// returned step after a successful check and passes it back next time (0
// for a user who has never used one). A malformed secret or code is simply
// not ok. Spaces in code are ignored, as apps often show "123 456".
func Verify(secret, code string, t time.Time, lastUsedStep int64) (step int64, ok bool) {
	key, err := parseSecret(secret)
	if err != nil {
		return 0, false
	}
	given, err := parseCode(code, Digits)
	if err != nil {
		return 0, false
	}
	now, valid := stepAt(t)
	if !valid {
		return 0, false
	}
	// Every candidate is computed and compared, matched or not, so the
	// time taken does not say which step matched. If two steps give the
	// same code (one chance in a million), the later one is kept: keeping
	// the earlier would let the same code be replayed for the later step.
	matched := -1
	for s := now - Skew; s <= now+Skew; s++ {
		if s < 0 {
			continue
		}
		eq := subtle.ConstantTimeCompare([]byte(hotp(key, uint64(s), Digits)), []byte(given))
		fresh := 0
		if s > lastUsedStep {
			fresh = 1
		}
		matched = subtle.ConstantTimeSelect(eq&fresh, int(s-now+Skew), matched)
	}
	if matched < 0 {
		return 0, false
	}
	return now - Skew + int64(matched), true
}

// stepAt returns the RFC 6238 time step T = floor((t - T0) / X), with T0 the
// Unix epoch and X = Period.
func stepAt(t time.Time) (int64, bool) {
	u := t.Unix()
	if u < 0 {
		return 0, false
	}
	return u / int64(Period/time.Second), true
}

// hotp is RFC 4226 section 5.3: HMAC-SHA1 of the counter, dynamic
// truncation to 31 bits, and the last digits in decimal.
func hotp(key []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	s := strconv.FormatUint(uint64(bin%mod), 10)
	return strings.Repeat("0", digits-len(s)) + s
}

// parseSecret decodes a base32 secret as people copy it: any case, with
// spaces or dashes between groups, with or without "=" padding.
func parseSecret(secret string) ([]byte, error) {
	if len(secret) > maxSecretInput {
		return nil, fmt.Errorf("totp: the secret is %d characters long, over the limit of %d", len(secret), maxSecretInput)
	}
	var b strings.Builder
	for i := 0; i < len(secret); i++ {
		c := secret[i]
		switch {
		case c == ' ' || c == '-':
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
		}
		b.WriteByte(c)
	}
	s := strings.TrimRight(b.String(), "=")
	key, err := encoding.DecodeString(s)
	if err != nil || encoding.EncodeToString(key) != s {
		// The decoder skips line breaks and ignores a stray last
		// character; encoding again catches both.
		return nil, errors.New("totp: the secret is not base32 (letters A to Z and digits 2 to 7)")
	}
	if len(key) < minSecretBytes || len(key) > maxSecretBytes {
		return nil, fmt.Errorf("totp: the secret is %d bits; it must be %d to %d", 8*len(key), 8*minSecretBytes, 8*maxSecretBytes)
	}
	return key, nil
}

// parseCode returns the digits of a typed code without spaces, or an error
// if it is not exactly that many ASCII digits.
func parseCode(code string, digits int) (string, error) {
	if len(code) > maxCodeInput {
		return "", fmt.Errorf("totp: the code is %d characters long, over the limit of %d", len(code), maxCodeInput)
	}
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch {
		case c == ' ' || c == '\t':
			continue
		case c < '0' || c > '9':
			return "", errors.New("totp: the code has a character that is not a digit")
		}
		b.WriteByte(c)
	}
	if b.Len() != digits {
		return "", fmt.Errorf("totp: the code has %d digits, want %d", b.Len(), digits)
	}
	return b.String(), nil
}
