package passhash

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"strings"
)

// Recovery codes let a person sign in when they have lost the phone with
// their authenticator app. Each code works once.
//
// A code is 12 characters from Crockford's base32 alphabet in lower case
// (digits and letters without i, l, o and u), shown as xxxx-xxxx-xxxx: 60
// random bits. The alphabet has no two characters that look alike, and
// MatchRecoveryCode reads o as 0 and i or l as 1, so a code copied from paper
// by eye still works.
//
// Codes are stored as a salted SHA-256, not argon2id. A slow hash protects
// secrets that people choose, which an attacker can guess in a few million
// tries; a recovery code is random, so guessing one from a stolen hash takes
// about 2^59 SHA-256 computations, around a year of a fast GPU's time for
// each code, and a fresh salt per code stops one computation from testing
// every stored code at once.
// A slow hash would add little and cost tens of milliseconds per stored code
// at every use. A code also replaces only the second factor: the password is
// still needed.
const (
	// RecoveryCodeCount is how many codes a person is normally given.
	RecoveryCodeCount = 10
	// maxRecoveryCodes bounds one call of NewRecoveryCodes.
	maxRecoveryCodes = 100
	recoveryCodeLen  = 12
	recoveryGroupLen = 4
	recoverySaltLen  = 16
	// recoveryPrefix names the hash in the stored string, as a PHC string does.
	recoveryPrefix = "$sha256$"
	// maxRecoveryInput bounds what MatchRecoveryCode reads: a code with a
	// space between every character is still well under it.
	maxRecoveryInput = 64
)

// recoveryAlphabet is Crockford's base32 in lower case: 32 characters, so
// each takes 5 bits of a random byte without bias.
const recoveryAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// NewRecoveryCodes returns n new recovery codes to show once to their owner,
// and, at the same indexes, the strings to store in their place.
func NewRecoveryCodes(n int) (plain, hashed []string, err error) {
	if n < 1 || n > maxRecoveryCodes {
		return nil, nil, fmt.Errorf("passhash: cannot make %d recovery codes: ask for 1 to %d", n, maxRecoveryCodes)
	}
	plain = make([]string, n)
	hashed = make([]string, n)
	for i := range n {
		var buf [recoveryCodeLen + recoverySaltLen]byte
		if _, err := rand.Read(buf[:]); err != nil {
			return nil, nil, fmt.Errorf("passhash: no randomness for recovery codes: %w", err)
		}
		var code [recoveryCodeLen]byte
		for j := range code {
			code[j] = recoveryAlphabet[buf[j]&31]
		}
		salt := buf[recoveryCodeLen:]
		plain[i] = group(code[:])
		hashed[i] = recoveryPrefix + phcEncoding.EncodeToString(salt) + "$" + phcEncoding.EncodeToString(recoveryHash(salt, code[:]))
	}
	return plain, hashed, nil
}

// MatchRecoveryCode reports whether input is one of the codes whose stored
// forms are hashed, and which one, so that the caller can delete it: a code
// must not work twice. Case, spaces and dashes in input do not matter.
// Every stored code is compared, in constant time, whether or not an earlier
// one matched; empty or unreadable entries never match.
func MatchRecoveryCode(input string, hashed []string) (index int, ok bool) {
	code, valid := normaliseRecoveryCode(input)
	if !valid {
		return -1, false
	}
	index, found := -1, 0
	for i, stored := range hashed {
		salt, want, readable := parseRecoveryHash(stored)
		if !readable {
			continue
		}
		m := subtle.ConstantTimeCompare(recoveryHash(salt, code), want)
		// Keep the first match without a data-dependent branch.
		first := m & (1 - found)
		index = subtle.ConstantTimeSelect(first, i, index)
		found |= m
	}
	return index, found == 1
}

func recoveryHash(salt, code []byte) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write(code)
	return h.Sum(nil)
}

func parseRecoveryHash(stored string) (salt, sum []byte, ok bool) {
	rest, ok := strings.CutPrefix(stored, recoveryPrefix)
	if !ok {
		return nil, nil, false
	}
	s, h, ok := strings.Cut(rest, "$")
	if !ok {
		return nil, nil, false
	}
	salt, err := decodeBase64(s)
	if err != nil || len(salt) != recoverySaltLen {
		return nil, nil, false
	}
	sum, err = decodeBase64(h)
	if err != nil || len(sum) != sha256.Size {
		return nil, nil, false
	}
	return salt, sum, true
}

// normaliseRecoveryCode returns the 12 characters of a typed code in the
// alphabet's spelling, and false if input cannot be a code.
func normaliseRecoveryCode(input string) ([]byte, bool) {
	if len(input) > maxRecoveryInput {
		return nil, false
	}
	code := make([]byte, 0, recoveryCodeLen)
	for i := 0; i < len(input); i++ {
		c := input[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		switch c {
		case ' ', '\t', '-':
			continue
		case 'o':
			c = '0'
		case 'i', 'l':
			c = '1'
		}
		if strings.IndexByte(recoveryAlphabet, c) < 0 || len(code) == recoveryCodeLen {
			return nil, false
		}
		code = append(code, c)
	}
	return code, len(code) == recoveryCodeLen
}

// group writes a code as xxxx-xxxx-xxxx.
func group(code []byte) string {
	var b strings.Builder
	for i, c := range code {
		if i > 0 && i%recoveryGroupLen == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(c)
	}
	return b.String()
}
