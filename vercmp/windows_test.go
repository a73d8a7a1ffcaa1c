package vercmp

import "testing"

// windowsTests are worked out by hand from WindowsBuild's rules; each pair
// is also checked the other way round.
var windowsTests = []struct {
	a, b string
	want int
}{
	// Full versions, major.minor.build.UBR.
	{"10.0.19045.4291", "10.0.19045.4291", 0},
	{"10.0.19045.4291", "10.0.19045.4412", -1}, // a later cumulative update of Windows 10 22H2
	{"10.0.19045.4291", "10.0.22631.3447", -1}, // Windows 10 22H2 and 11 23H2: the build decides
	{"10.0.22631.3447", "10.0.22621.3447", 1},  // Windows 11 23H2 and 22H2
	{"10.0.19045.10000", "10.0.19045.9999", 1}, // numbers, not text
	{"6.3.9600.20778", "10.0.10240.16384", -1}, // Windows 8.1 and the first Windows 10
	{"6.3.9600.20778", "6.3.9600.20777", 1},
	{"6.1.7601.24214", "6.3.9600.17031", -1}, // Windows 7 SP1 and 8.1
	{"010.0.19045.04291", "10.0.19045.4291", 0},
	{"10.0.19045.99999999999999999999999", "10.0.19045.1", 1}, // no overflow

	// Missing components count as 0.
	{"10.0.19045", "10.0.19045.0", 0},
	{"10.0.19045", "10.0.19045.1", -1},
	{"10.0", "10.0.0.0", 0},
	{"10", "10.0", 0},
	{"10.0.19045.4291", "10.0.19045.4291.0", 0},
	{"10.0.19045.4291.1", "10.0.19045.4291", 1},
	{"6.3", "10.0", -1},
	{"99.1", "10.0", 1}, // a first component under 100 is a major version

	// The build alone, completed with its release's major.minor.
	{"19045.4291", "10.0.19045.4291", 0},
	{"19045.4291", "19045.4412", -1},
	{"19045", "10.0.19045.0", 0},
	{"19045", "10.0.19045.1", -1},
	{"22631.3447", "10.0.19045.4291", 1},
	{"10240.16384", "6.3.9600.20778", 1},
	{"9600.20778", "6.3.9600.20778", 0},
	{"9600.20778", "10.0.10240.16384", -1},
	{"7601.24214", "6.1.7601.24214", 0},
	{"6003.22000", "6.0.6003.22000", 0},
	{"3790", "5.2.3790", 0},
	{"2600.5512", "5.1.2600.5512", 0},
	{"2195", "5.0.2195", 0},
	{"1381", "4.0.1381", 0},
	{"528", "3.1.528", 0},
	{"9600.20778", "10.0.9600.20778", -1}, // a build alone takes its own release's 6.3, whatever the other says
	{"19045.4291.1", "19045.4291", 1},     // three components are major.minor.build: major version 19045
	{"100", "3.1.100", 0},                 // the smallest build
	{"99", "99.0", 0},                     // and under it, a major version

	// Labels as ver, winver and Windows Update write them.
	{"Microsoft Windows [Version 10.0.19045.4291]", "10.0.19045.4291", 0},
	{"Microsoft Windows [Version 10.0.22631.3447]", "Microsoft Windows [Version 10.0.19045.4291]", 1},
	{"OS Build 22631.3447", "10.0.22631.3447", 0},
	{"(OS Build 22631.3447)", "10.0.22631.3447", 0},
	{"os build 22631.3447", "22631.3447", 0}, // case does not matter
	{"Version 10.0.19045.4291", "10.0.19045.4291", 0},
	{" 10.0.19045.4291\r\n", "10.0.19045.4291", 0},

	// Not a version: older than any that is, and byte by byte among them.
	{"", "", 0},
	{"", "0", -1},
	{"10.0.19045.abc", "1.0", -1},
	{"10.0..19045", "10.0.19045", -1},
	{"10.0.19045.4291.", "10.0.19045.4291", -1},
	{".10.0", "0", -1},
	{"10.0.19045-4291", "1", -1},
	{"abc", "abd", -1},
	{"unknown", "", 1},
	{"Microsoft Windows [Version 10.0.19045.4291", "10.0.19045.4291", -1}, // the bracket is missing
	{"Microsoft Windows [Version 10.0.19045.4291", "Microsoft", 1},
	{"OS Build", "OS Build ", 0}, // both just the label, once white space is off
	{"Build 19045.4291", "19045.4291", -1},
}

func TestWindowsBuild(t *testing.T) {
	for _, tt := range windowsTests {
		if got := WindowsBuild(tt.a, tt.b); got != tt.want {
			t.Errorf("WindowsBuild(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := WindowsBuild(tt.b, tt.a); got != -tt.want {
			t.Errorf("WindowsBuild(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func TestWindowsBuildOrder(t *testing.T) {
	versions := tableVersions(windowsTests, func(tt struct {
		a, b string
		want int
	}) (string, string) {
		return tt.a, tt.b
	}, "0", "100.0", "100.0.0", "10239", "10240", "9599.99999", "[Version 6.3.9600]", "()")
	checkOrder(t, "WindowsBuild", WindowsBuild, versions)
}

func FuzzWindowsBuild(f *testing.F) {
	for _, s := range [][2]string{
		{"10.0.19045.4291", "19045.4291"}, {"6.3.9600.20778", "(OS Build 9600.20778)"},
		{"Microsoft Windows [Version 10.0.22631.3447]", "10.0"}, {"1..2", "x"}, {"", "0.0.0.0.0"},
	} {
		f.Add(s[0], s[1])
	}
	pivots := []string{"", "0", "10.0", "19045", "10.0.19045.4291", "9600.1", "x"}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := WindowsBuild(a, b), WindowsBuild(b, a)
		if ab != -ba {
			t.Errorf("WindowsBuild(%q, %q) = %d but WindowsBuild(%q, %q) = %d", a, b, ab, b, a, ba)
		}
		if ab < -1 || ab > 1 {
			t.Errorf("WindowsBuild(%q, %q) = %d, want -1, 0 or 1", a, b, ab)
		}
		if WindowsBuild(a, a) != 0 {
			t.Errorf("WindowsBuild(%q, itself) != 0", a)
		}
		for _, p := range pivots {
			if msg := transitivity(WindowsBuild, a, p, b); msg != "" {
				t.Error(msg)
			}
		}
	})
}
