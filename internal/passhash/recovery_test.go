package passhash

import (
	"math"
	"regexp"
	"strings"
	"testing"
)

func TestRecoveryAlphabet(t *testing.T) {
	if len(recoveryAlphabet) != 32 {
		t.Fatalf("alphabet has %d characters; each must take exactly 5 random bits", len(recoveryAlphabet))
	}
	seen := map[rune]bool{}
	for _, c := range recoveryAlphabet {
		if seen[c] {
			t.Errorf("alphabet repeats %q", c)
		}
		seen[c] = true
	}
	for _, lookalike := range "ilou" {
		if seen[lookalike] {
			t.Errorf("alphabet has %q", lookalike)
		}
	}
	if bits := recoveryCodeLen * math.Log2(float64(len(recoveryAlphabet))); bits < 60 {
		t.Errorf("a code has %.1f bits, want at least 60", bits)
	}
}

func TestNewRecoveryCodes(t *testing.T) {
	plain, hashed, err := NewRecoveryCodes(RecoveryCodeCount)
	if err != nil {
		t.Fatal(err)
	}
	if len(plain) != RecoveryCodeCount || len(hashed) != RecoveryCodeCount {
		t.Fatalf("got %d codes and %d hashes, want %d", len(plain), len(hashed), RecoveryCodeCount)
	}
	shape := regexp.MustCompile(`^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$`)
	seen := map[string]bool{}
	for i, code := range plain {
		if !shape.MatchString(code) {
			t.Errorf("code %q is not xxxx-xxxx-xxxx from the alphabet", code)
		}
		if seen[code] {
			t.Errorf("code %q appears twice", code)
		}
		seen[code] = true
		if strings.Contains(hashed[i], strings.ReplaceAll(code, "-", "")) {
			t.Errorf("stored form %q holds the code", hashed[i])
		}
		if got, ok := MatchRecoveryCode(code, hashed); !ok || got != i {
			t.Errorf("MatchRecoveryCode(%q) = %d, %v; want %d, true", code, got, ok, i)
		}
	}
	for _, n := range []int{0, -1, maxRecoveryCodes + 1} {
		if _, _, err := NewRecoveryCodes(n); err == nil {
			t.Errorf("NewRecoveryCodes(%d) made codes", n)
		}
	}
}

func TestMatchRecoveryCode(t *testing.T) {
	// Stored forms of "01ab-cdef-gh23" and "xyz9-8765-4321", made once so
	// that a change of the stored format is noticed.
	salt := []byte("0123456789abcdef")
	stored := []string{
		recoveryPrefix + phcEncoding.EncodeToString(salt) + "$" + phcEncoding.EncodeToString(recoveryHash(salt, []byte("01abcdefgh23"))),
		recoveryPrefix + phcEncoding.EncodeToString(salt) + "$" + phcEncoding.EncodeToString(recoveryHash(salt, []byte("xyz987654321"))),
	}
	if want := "$sha256$MDEyMzQ1Njc4OWFiY2RlZg$"; !strings.HasPrefix(stored[0], want) {
		t.Fatalf("stored form %q, want prefix %q", stored[0], want)
	}
	for _, tc := range []struct {
		input string
		index int
		ok    bool
	}{
		{"01ab-cdef-gh23", 0, true},
		{"01AB-CDEF-GH23", 0, true},
		{"01abcdefgh23", 0, true},
		{" 01ab cdef gh23 ", 0, true},
		{"01ab - cdef - gh23", 0, true},
		{"\t01ab-cdef-gh23", 0, true},
		{"oiab-cdef-gh23", 0, true}, // o read as 0, i as 1
		{"OLAB-CDEF-GH23", 0, true}, // O read as 0, L as 1
		{"xyz9-8765-4321", 1, true},
		{"xyz9-8765-432l", 1, true},
		{"01ab-cdef-gh24", -1, false},
		{"01ab-cdef-gh2", -1, false},
		{"01ab-cdef-gh233", -1, false},
		{"01ab-cdef-gh2u", -1, false}, // u is not in the alphabet
		{"01ab_cdef_gh23", -1, false},
		{"", -1, false},
		{strings.Repeat(" ", 60) + "01abcdefgh23", -1, false}, // over the input limit
		{"０１ab-cdef-gh23", -1, false},                         // full-width digits
	} {
		got, ok := MatchRecoveryCode(tc.input, stored)
		if got != tc.index || ok != tc.ok {
			t.Errorf("MatchRecoveryCode(%q) = %d, %v; want %d, %v", tc.input, got, ok, tc.index, tc.ok)
		}
	}
	// A used code is deleted by the caller, and a damaged entry never matches.
	for _, bad := range [][]string{
		nil,
		{""},
		{stored[1], ""},
		{strings.Replace(stored[0], "$sha256$", "$sha1$", 1)},
		{stored[0][:len(stored[0])-2]},
		{strings.Replace(stored[0], "MDEyMzQ1Njc4OWFiY2RlZg", "MDEy", 1)},
		{strings.Replace(stored[0], "$sha256$MDEyMzQ1Njc4OWFiY2RlZg$", "$sha256$MDEyMzQ1Njc4OWFiY2RlZg", 1)},
	} {
		if got, ok := MatchRecoveryCode("01ab-cdef-gh23", bad); ok || got != -1 {
			t.Errorf("MatchRecoveryCode against %q = %d, %v; want -1, false", bad, got, ok)
		}
	}
	// The first of two equal entries is the one reported.
	if got, ok := MatchRecoveryCode("01ab-cdef-gh23", []string{stored[1], stored[0], stored[0]}); !ok || got != 1 {
		t.Errorf("MatchRecoveryCode with a repeated entry = %d, %v; want 1, true", got, ok)
	}
}

// FuzzMatchRecoveryCode checks that any input is read without panicking and
// that only the one code matches.
func FuzzMatchRecoveryCode(f *testing.F) {
	salt := []byte("0123456789abcdef")
	stored := []string{recoveryPrefix + phcEncoding.EncodeToString(salt) + "$" + phcEncoding.EncodeToString(recoveryHash(salt, []byte("01abcdefgh23")))}
	f.Add("01ab-cdef-gh23")
	f.Add("OIAB CDEF GH23")
	f.Add("")
	f.Add("----------------")
	f.Fuzz(func(t *testing.T, input string) {
		got, ok := MatchRecoveryCode(input, stored)
		code, valid := normaliseRecoveryCode(input)
		if ok != (valid && string(code) == "01abcdefgh23") || (ok && got != 0) || (!ok && got != -1) {
			t.Fatalf("MatchRecoveryCode(%q) = %d, %v (normalised %q, %v)", input, got, ok, code, valid)
		}
		if valid && (len(code) != recoveryCodeLen || strings.Trim(string(code), recoveryAlphabet) != "") {
			t.Fatalf("normaliseRecoveryCode(%q) = %q, not a code", input, code)
		}
	})
}

// BenchmarkMatchRecoveryCode measures a check against a full set of codes.
func BenchmarkMatchRecoveryCode(b *testing.B) {
	plain, hashed, err := NewRecoveryCodes(RecoveryCodeCount)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ok := MatchRecoveryCode(plain[RecoveryCodeCount-1], hashed); !ok {
			b.Fatal("no match")
		}
	}
}
