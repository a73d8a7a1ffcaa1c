package vercmp

import "strings"

// WindowsBuild compares two versions of Windows itself, as ver and Windows
// Update report them, and returns -1, 0 or 1. It is meant for operating
// system builds: in major.minor.build.UBR, as in 10.0.19045.4291, the build
// (19045) names the release, Windows 10 22H2, and the last component, the
// update build revision (UBR, 4291), is the cumulative update level.
//
// The dot-separated components compare as numbers of any size, and a
// missing one counts as 0 (10.0.19045 = 10.0.19045.0). A version given by
// its build alone, as winver and the update history do ("19045.4291", or
// the UBR left off: "19045"), is completed with the major and minor version
// of the Windows release that build belongs to, so 19045.4291 =
// 10.0.19045.4291 and 9600.20778 = 6.3.9600.20778. A version is taken for a
// build when it has at most two components and the first is 100 or more,
// which no major version is. The labels of ver's "Microsoft Windows
// [Version 10.0.19045.4291]" and of "(OS Build 19045.4291)" may stay around
// the number, and surrounding white space is ignored.
//
// Anything else that is not dot-separated digits is older than every
// version, and such strings order among themselves byte by byte (once the
// labels and white space are off).
func WindowsBuild(a, b string) int {
	a, b = windowsUnlabel(a), windowsUnlabel(b)
	ka, oka := windowsKey(a)
	kb, okb := windowsKey(b)
	switch {
	case !oka && !okb:
		return strings.Compare(a, b)
	case !oka:
		return -1
	case !okb:
		return 1
	}
	for i := 0; i < len(ka) || i < len(kb); i++ {
		var ca, cb string
		if i < len(ka) {
			ca = ka[i]
		}
		if i < len(kb) {
			cb = kb[i]
		}
		if c := compareDigits(ca, cb); c != 0 {
			return c
		}
	}
	return 0
}

// windowsLabels are the words Windows writes around a version number, each
// with the closing bracket that must then end it; case does not matter.
var windowsLabels = [][2]string{
	{"Microsoft Windows [Version ", "]"},
	{"[Version ", "]"},
	{"Version ", ""},
	{"(OS Build ", ")"},
	{"OS Build ", ""},
}

// windowsUnlabel trims white space and one label from s.
func windowsUnlabel(s string) string {
	s = strings.TrimSpace(s)
	for _, l := range windowsLabels {
		open, closing := l[0], l[1]
		if len(s) >= len(open)+len(closing) && strings.EqualFold(s[:len(open)], open) && strings.HasSuffix(s, closing) {
			return strings.TrimSpace(s[len(open) : len(s)-len(closing)])
		}
	}
	return s
}

// windowsKey splits a version into its numeric components, completing a
// build given alone with its release's major and minor version. It reports
// false for anything that is not dot-separated digits.
func windowsKey(s string) ([]string, bool) {
	parts := strings.Split(s, ".")
	for _, p := range parts {
		if p == "" || !allDigits(p) {
			return nil, false
		}
	}
	if len(parts) <= 2 && compareDigits(parts[0], "100") >= 0 {
		for _, r := range windowsReleases {
			if compareDigits(parts[0], r.build) >= 0 {
				return append([]string{r.major, r.minor}, parts...), true
			}
		}
	}
	return parts, true
}

// windowsReleases are the Windows NT releases by their first build, newest
// first. Builds only grow from one release to the next, so a build tells
// its release.
var windowsReleases = []struct{ build, major, minor string }{
	{"10240", "10", "0"}, // Windows 10 and 11, Server 2016 and later
	{"9600", "6", "3"},   // Windows 8.1, Server 2012 R2
	{"9200", "6", "2"},   // Windows 8, Server 2012
	{"7600", "6", "1"},   // Windows 7, Server 2008 R2
	{"6000", "6", "0"},   // Windows Vista, Server 2008
	{"3790", "5", "2"},   // Server 2003, XP x64
	{"2600", "5", "1"},   // Windows XP
	{"2195", "5", "0"},   // Windows 2000
	{"1381", "4", "0"},   // NT 4.0
	{"1057", "3", "51"},  // NT 3.51
	{"807", "3", "5"},    // NT 3.5
	{"0", "3", "1"},      // NT 3.1, and anything older
}
