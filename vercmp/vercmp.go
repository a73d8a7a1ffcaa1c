// Package vercmp compares package versions the way the package managers do:
// Debian's dpkg (Deb), Red Hat's rpm (RPM, EVR) and Alpine's apk (APK); and
// the versions of Windows itself, build and update level, as ver and
// Windows Update report them (WindowsBuild).
//
// The rules are small and fixed by the tools themselves, so they are written
// here rather than taken from a dependency, and tested against the cases that
// apt and rpm test themselves with. Every function accepts any string without
// panicking: a version a package manager would reject still gets a stable,
// antisymmetric order.
package vercmp

import "strings"

// Deb compares two Debian package versions ([epoch:]upstream[-revision]) by
// dpkg's rules and returns -1 when a is older than b, 0 when they are the
// same version, and 1 when a is newer.
//
// Within each part, runs of digits compare as numbers and everything else
// character by character, where '~' sorts before anything (even the end of
// the string), then the end, then letters, then all other characters.
func Deb(a, b string) int {
	ae, au, ar := splitDeb(a)
	be, bu, br := splitDeb(b)
	if c := compareDigits(ae, be); c != 0 {
		return c
	}
	if c := debPart(au, bu); c != 0 {
		return c
	}
	return debPart(ar, br)
}

// splitDeb splits a Debian version into epoch, upstream version and revision.
// The epoch is everything before the first colon, the revision everything
// after the last hyphen (deb-version(7)).
func splitDeb(v string) (epoch, upstream, revision string) {
	v = strings.TrimSpace(v)
	if i := strings.IndexByte(v, ':'); i >= 0 {
		epoch, v = v[:i], v[i+1:]
	}
	if i := strings.LastIndexByte(v, '-'); i >= 0 {
		v, revision = v[:i], v[i+1:]
	}
	return epoch, v, revision
}

// debOrder is the weight of one character in a non-digit run; 0 stands for
// the end of the string (or the start of a digit run).
func debOrder(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	c := s[i]
	switch {
	case isDigit(c):
		return 0
	case isAlpha(c):
		return int(c)
	case c == '~':
		return -1
	}
	return int(c) + 256
}

// debPart is dpkg's verrevcmp: alternate non-digit and digit runs.
func debPart(a, b string) int {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			ac, bc := debOrder(a, i), debOrder(b, j)
			if ac != bc {
				return sign(ac - bc)
			}
			i++
			j++
		}
		i = min(i, len(a))
		j = min(j, len(b))
		ni, nj := i, j
		for ni < len(a) && isDigit(a[ni]) {
			ni++
		}
		for nj < len(b) && isDigit(b[nj]) {
			nj++
		}
		if c := compareDigits(a[i:ni], b[j:nj]); c != 0 {
			return c
		}
		i, j = ni, nj
	}
	return 0
}

// compareDigits compares two runs of ASCII digits as numbers of any size;
// an empty run is zero.
func compareDigits(a, b string) int {
	a = strings.TrimLeft(a, "0")
	b = strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return sign(len(a) - len(b))
	}
	return strings.Compare(a, b)
}

// RPM compares two RPM version (or release) strings the way rpmvercmp does
// and returns -1, 0 or 1.
//
// Strings are split into runs of digits and runs of letters; anything else
// only separates them. Runs compare in turn: numbers as numbers, letters
// byte by byte, and a number is newer than letters. '~' sorts before
// everything, even the end of the string (1.0~rc1 < 1.0); '^' sorts after
// the end of the string but before anything else (1.0 < 1.0^git1 < 1.0.1).
func RPM(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		for i < len(a) && !isAlnum(a[i]) && a[i] != '~' && a[i] != '^' {
			i++
		}
		for j < len(b) && !isAlnum(b[j]) && b[j] != '~' && b[j] != '^' {
			j++
		}
		ca, cb := at(a, i), at(b, j)
		if ca == '~' || cb == '~' {
			if ca != '~' {
				return 1
			}
			if cb != '~' {
				return -1
			}
			i++
			j++
			continue
		}
		if ca == '^' || cb == '^' {
			if ca == 0 {
				return -1
			}
			if cb == 0 {
				return 1
			}
			if ca != '^' {
				return 1
			}
			if cb != '^' {
				return -1
			}
			i++
			j++
			continue
		}
		if ca == 0 || cb == 0 {
			break
		}
		ni, nj := i, j
		num := isDigit(ca)
		if num {
			for ni < len(a) && isDigit(a[ni]) {
				ni++
			}
			for nj < len(b) && isDigit(b[nj]) {
				nj++
			}
		} else {
			for ni < len(a) && isAlpha(a[ni]) {
				ni++
			}
			for nj < len(b) && isAlpha(b[nj]) {
				nj++
			}
		}
		// The segments are of different kinds: a number is newer than letters.
		if nj == j {
			if num {
				return 1
			}
			return -1
		}
		var c int
		if num {
			c = compareDigits(a[i:ni], b[j:nj])
		} else {
			c = strings.Compare(a[i:ni], b[j:nj])
		}
		if c != 0 {
			return c
		}
		i, j = ni, nj
	}
	switch {
	case i >= len(a) && j >= len(b):
		return 0
	case i >= len(a):
		return -1
	}
	return 1
}

// EVR compares two RPM versions written epoch:version-release, as rpm does
// when it decides which package is newer. A missing epoch is 0. As in rpm's
// dependency matching, the releases are compared only when both are given,
// so "1.2" matches any release of 1.2.
func EVR(a, b string) int {
	ae, av, ar := splitEVR(a)
	be, bv, br := splitEVR(b)
	if c := compareDigits(ae, be); c != 0 {
		return c
	}
	if c := RPM(av, bv); c != 0 {
		return c
	}
	if ar == "" || br == "" {
		return 0
	}
	return RPM(ar, br)
}

// splitEVR splits epoch:version-release. An epoch that is not a number is
// kept as part of the version, so that nothing is silently dropped.
func splitEVR(s string) (epoch, version, release string) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ':'); i >= 0 && allDigits(s[:i]) {
		epoch, s = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		s, release = s[:i], s[i+1:]
	}
	return epoch, s, release
}

func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
