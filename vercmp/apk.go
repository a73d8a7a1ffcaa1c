package vercmp

import (
	"slices"
	"strings"
)

// APK compares two Alpine Linux package versions the way apk-tools does
// (apk version -t) and returns -1 when a is older than b, 0 when they are
// the same version, and 1 when a is newer.
//
// An apk version is number{.number}...{letter}{_suffix{number}}...{~hash}{-rN}:
//
//   - the first number compares as a number (01.2 = 1.2);
//   - each later number compares as a number too, unless either side starts
//     with a zero: then the two compare as strings, like decimal fractions
//     (1.02 < 1.1, 1.010 < 1.02, and so 1.0 < 1.00);
//   - one lowercase letter may follow the last number (1.2.3 < 1.2.3a);
//   - each suffix is one of alpha < beta < pre < rc, pre-releases that come
//     before the version without them, or cvs < svn < git < hg < p, which
//     come after it; a suffix without a number is older than with one
//     (1.0_rc < 1.0_rc0 < 1.0_rc1 < 1.0 < 1.0_p1);
//   - ~hash is a commit id in lowercase hex and compares as a string;
//   - -rN is the package revision and compares as a number.
//
// Parts are compared in turn. When one version ends first it is older,
// unless the other goes on with a pre-release suffix: 1.0 < 1.0.1,
// 1.0 < 1.0-r0 (a missing revision is older than -r0, not equal to it),
// 1.0_rc1 < 1.0. When the two go on with different kinds of part, the one
// whose part comes earlier in the format is newer: 1.0.1 > 1.0a > 1.0_p1 >
// 1.0~abc > 1.0-r9.
//
// apk stops at the first character that does not fit the format and calls
// two versions that stop at the same point equal. Here the rest of the two
// strings then compares byte by byte, so that the order stays total; and,
// as in apk, a version that breaks off is older than one that ends there
// or goes on validly, except that a pre-release suffix is older still.
// Numbers of any length compare exactly, where apk's would wrap past 64
// bits. Surrounding white space is ignored.
func APK(a, b string) int {
	ta, ra := apkFirst(strings.TrimSpace(a))
	tb, rb := apkFirst(strings.TrimSpace(b))
	for ta.kind == tb.kind && ta.kind < apkEnd {
		if c := apkCompareToken(ta, tb); c != 0 {
			return c
		}
		ta, ra = apkNext(ta.kind, ra)
		tb, rb = apkNext(tb.kind, rb)
	}
	switch {
	case ta.kind == tb.kind:
		// Both ended (text ""), or both broke off here (text is the rest).
		return strings.Compare(ta.text, tb.text)
	case ta.kind == apkSuffix && ta.suffix < apkRelease:
		return -1
	case tb.kind == apkSuffix && tb.suffix < apkRelease:
		return 1
	}
	return sign(tb.kind - ta.kind)
}

// The kinds of part of an apk version, in the order the format allows them.
// Where two versions go on with different kinds, the one whose kind comes
// later here is older.
const (
	apkNumber0  = iota // the leading number
	apkNumber          // .N
	apkLetter          // a lowercase letter after the last number
	apkSuffix          // _alpha, _p, ...
	apkSuffixNo        // the number right after a suffix
	apkHash            // ~ and a commit id in lowercase hex
	apkRevision        // -rN
	apkEnd             // the end of the version
	apkInvalid         // the version breaks off: the rest does not parse
)

// apkSuffixes lists the suffixes in their order. The empty entry stands for
// the release itself: suffixes before it are pre-releases.
var apkSuffixes = []string{"alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p"}

// apkRelease is the index of the release in apkSuffixes.
const apkRelease = 4

// apkToken is one part of an apk version.
type apkToken struct {
	kind   int
	text   string // the digits, letter, suffix name or hash; for apkInvalid the unparsed rest
	suffix int    // the index in apkSuffixes, for apkSuffix
}

// apkFirst reads the leading number of s.
func apkFirst(s string) (apkToken, string) {
	n := digitPrefix(s)
	if n == 0 {
		return apkToken{kind: apkInvalid, text: s}, ""
	}
	return apkToken{kind: apkNumber0, text: s[:n]}, s[n:]
}

// apkNext reads the part of s that follows a part of kind prev, and
// returns it with what is left of s.
func apkNext(prev int, s string) (apkToken, string) {
	if s == "" {
		return apkToken{kind: apkEnd}, ""
	}
	bad := apkToken{kind: apkInvalid, text: s}
	switch c := s[0]; {
	case 'a' <= c && c <= 'z':
		if prev > apkNumber {
			return bad, ""
		}
		return apkToken{kind: apkLetter, text: s[:1]}, s[1:]
	case c == '.':
		n := digitPrefix(s[1:])
		if prev > apkNumber || n == 0 {
			return bad, ""
		}
		return apkToken{kind: apkNumber, text: s[1 : 1+n]}, s[1+n:]
	case isDigit(c):
		// Only a suffix is followed by digits without a separator: every
		// other part that may end in a digit has taken all of them.
		if prev != apkSuffix {
			return bad, ""
		}
		n := digitPrefix(s)
		return apkToken{kind: apkSuffixNo, text: s[:n]}, s[n:]
	case c == '_':
		n := 1
		for n < len(s) && 'a' <= s[n] && s[n] <= 'z' {
			n++
		}
		i := slices.Index(apkSuffixes, s[1:n])
		if prev > apkSuffixNo || i < 0 || i == apkRelease {
			return bad, ""
		}
		return apkToken{kind: apkSuffix, text: s[1:n], suffix: i}, s[n:]
	case c == '~':
		n := 1
		for n < len(s) && (isDigit(s[n]) || ('a' <= s[n] && s[n] <= 'f')) {
			n++
		}
		if prev >= apkHash || n == 1 {
			return bad, ""
		}
		return apkToken{kind: apkHash, text: s[1:n]}, s[n:]
	case c == '-':
		if prev >= apkRevision || !strings.HasPrefix(s, "-r") {
			return bad, ""
		}
		n := digitPrefix(s[2:])
		if n == 0 {
			return bad, ""
		}
		return apkToken{kind: apkRevision, text: s[2 : 2+n]}, s[2+n:]
	}
	return bad, ""
}

// apkCompareToken compares two parts of the same kind.
func apkCompareToken(a, b apkToken) int {
	switch a.kind {
	case apkNumber:
		if a.text[0] == '0' || b.text[0] == '0' {
			return strings.Compare(a.text, b.text)
		}
		return compareDigits(a.text, b.text)
	case apkNumber0, apkSuffixNo, apkRevision:
		return compareDigits(a.text, b.text)
	case apkSuffix:
		return sign(a.suffix - b.suffix)
	}
	return strings.Compare(a.text, b.text)
}

// digitPrefix returns the length of the run of ASCII digits s starts with.
func digitPrefix(s string) int {
	n := 0
	for n < len(s) && isDigit(s[n]) {
		n++
	}
	return n
}
