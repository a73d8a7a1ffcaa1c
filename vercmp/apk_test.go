package vercmp

import "testing"

// apkTests are worked out by hand from apk's rules (see APK); each pair is
// also checked the other way round.
var apkTests = []struct {
	a, b string
	want int
}{
	// Numbers, then a letter.
	{"1.2.3", "1.2.3", 0},
	{"1.2.3", "1.2.4", -1},
	{"1.2.10", "1.2.9", 1}, // numbers, not text
	{"1.2", "1.2.0", -1},   // a missing number is older, not 0 as in Deb or WindowsBuild
	{"1.0.0", "1.0", 1},
	{"2", "1.99.99", 1},
	{"20240101", "2.0", 1},    // a date as the version
	{"1.2.3a", "1.2.3", 1},    // a letter is newer than none
	{"1.2.3a", "1.2.3b", -1},  //
	{"1.2.3z", "1.2.4", -1},   //
	{"1.2.3a", "1.2.3.1", -1}, // another number wins over a letter: it comes earlier in the format

	// Leading zeros.
	{"01.2", "1.2", 0},      // the first number is always a number
	{"010", "9", 1},         // the first number is always a number
	{"1.02", "1.1", -1},     // .02 < .1, as fractions
	{"1.010", "1.02", -1},   // compared as strings: "010" < "02"
	{"1.05", "1.5", -1},     // "05" < "5"
	{"1.0", "1.00", -1},     // surprising: as strings, the shorter "0" is older
	{"1.09", "1.10", -1},    //
	{"1.0.1", "1.00.1", -1}, // decided at "0" < "00"

	// Suffixes: alpha < beta < pre < rc < (release) < cvs < svn < git < hg < p.
	{"1.0_alpha1", "1.0_beta1", -1},
	{"1.0_beta2", "1.0_pre1", -1},
	{"1.0_pre9", "1.0_rc1", -1},
	{"1.0_rc1", "1.0", -1},
	{"1.0_rc1", "1.0-r0", -1}, // a pre-release is older than any build of the release
	{"1.0", "1.0_cvs", -1},
	{"1.0_cvs1", "1.0_svn1", -1},
	{"1.0_svn1", "1.0_git1", -1},
	{"1.0_git1", "1.0_hg1", -1},
	{"1.0_hg1", "1.0_p1", -1},
	{"1.0_rc1", "1.0_p0", -1},
	{"1.0_p10", "1.0_p9", 1},              // numbers, not text
	{"1.0_rc10", "1.0_rc9", 1},            //
	{"1.0_alpha", "1.0_alpha0", -1},       // surprising: a suffix without a number is older than with 0
	{"1.0_p", "1.0_p0", -1},               // the same after a release
	{"1.0_alpha_pre1", "1.0_alpha", -1},   // several suffixes: another pre-release makes it older
	{"1.0_alpha_p1", "1.0_alpha", 1},      // and a post-release suffix newer
	{"1.0_alpha2_beta", "1.0_alpha2", -1}, //
	{"1.0_p1", "1.0a", -1},                // a letter comes earlier in the format than a suffix
	{"1.0_p1", "1.0.1", -1},               //
	{"1.0_p1", "1.0-r9", 1},               // a post-release is newer than every revision of the release

	// Revisions.
	{"1.0-r1", "1.0-r0", 1},
	{"1.0-r10", "1.0-r9", 1}, // numbers, not text
	{"1.0-r01", "1.0-r1", 0}, // and so a leading zero does not count
	{"1.0", "1.0-r0", -1},    // surprising: apk counts a missing revision older than -r0, not equal
	{"1.0_rc1-r5", "1.0_rc1-r10", -1},

	// Commit hashes (~ and lowercase hex), compared as strings.
	{"1.0~abc123", "1.0~abc124", -1},
	{"1.0~abc", "1.0~abc0", -1},
	{"1.0~9", "1.0~10", 1}, // strings, not numbers
	{"1.0~abc123-r1", "1.0~abc123-r0", 1},
	{"1.0~abc", "1.0", 1},
	{"1.0~abc", "1.0-r5", 1}, // surprising: the hash comes earlier in the format than the revision
	{"1.0~fff", "1.0_p1", -1},
	{"1.0_git20240101~0a1b2c3-r0", "1.0_git20240101-r0", 1},

	// Real Alpine packages.
	{"3.3.2-r0", "3.3.2-r1", -1},                 // openssl: a new revision with a security fix
	{"3.1.7-r0", "3.3.2-r0", -1},                 // openssl 3.1 and 3.3
	{"1.1.1w-r1", "1.1.1v-r0", 1},                // openssl 1.1.1's letter releases
	{"1.1.1w-r1", "1.1.10-r0", -1},               // a letter after 1 does not pass 10
	{"1.36.1-r29", "1.36.1-r3", 1},               // busybox: revision 29 after 3, as numbers
	{"1.36.1-r29", "1.36.1-r30", -1},             // busybox
	{"1.36.1-r29", "1.37.0-r0", -1},              // busybox
	{"1.2.5-r0", "1.2.4_git20230717-r4", 1},      // musl: the release after a git snapshot
	{"1.2.4-r2", "1.2.4_git20230717-r4", -1},     // musl: a snapshot taken after 1.2.4 is newer than it
	{"1.2.4_git20230717-r4", "1.2.5_rc1-r0", -1}, // musl: and older than the next release candidate
	{"1.3.1-r1", "1.3-r2", 1},                    // zlib 1.3.1 after 1.3, whatever the revision
	{"1.2.13-r1", "1.3-r0", -1},                  // zlib: 2 < 3 before 13 counts
	{"1.3.1-r1", "1.3.1-r1", 0},                  // zlib
	{"8.9.1-r2", "8.10.0-r0", -1},                // curl: 9 < 10 as numbers
	{"8.10.0-r0", "8.10.1-r0", -1},               // curl
	{"9.7_p1-r4", "9.8_p1-r0", -1},               // openssh: portable release p1 as _p1
	{"9.8_p1-r0", "9.8-r0", 1},                   // openssh
	{"6.4_p20231125-r0", "6.4-r2", 1},            // ncurses: patch snapshots after the release
	{"6.4_p20240420-r0", "6.4_p20231125-r1", 1},  // ncurses
	{"24.1_p1-r0", "24.1-r0", 1},                 // a py3 package of a Python .post1 release
	{"24.1_p1-r0", "24.2-r0", -1},                // and its next release
	{"2.0.0_rc1-r0", "2.0.0-r0", -1},             // a release candidate before the release
	{"2.0.0_rc2-r0", "2.0.0_rc10-r0", -1},        //
	{"1.0_git20240101-r1", "1.0_git20231231-r5", 1},
	{"0_git20240101-r0", "0.1-r0", -1}, // a snapshot of a project with no release yet

	// Broken versions: apk stops at the break; here the rest then compares
	// byte by byte.
	{"", "", 0},
	{"", "0", -1},              // empty is not a version: older than any that is
	{"v1.0", "1.0", -1},        //
	{"v1.0", "v2.0", -1},       // both broken at once: the rest byte by byte
	{"23_foo", "4_beta", 1},    // decided before the break
	{"1.0bc", "1.0", 1},        // decided at the letter, before the break
	{"1.0bc", "1.0b", -1},      // surprising: breaking off is older than ending there
	{"1.0bc", "1.0bd", -1},     // apk calls these equal: the rest decides here
	{"1.0_foo", "1.0", -1},     // an unknown suffix breaks the version
	{"1.0_foo", "1.0_rc1", 1},  // but a pre-release is older still: apk checks for it first
	{"1.0-r", "1.0", -1},       // a revision needs its number
	{"1.0-1", "1.0-r1", -1},    // a Debian-style revision is not apk's
	{"1.0~ABC", "1.0~abc", -1}, // a hash is lowercase
	{"1.0.", "1.0", -1},        // a dot needs a number
	{"1.2a3", "1.2a", -1},      // no number after the letter (old apk-tools allowed one)
	{"1.2ab", "1.2a", -1},      // nor a second letter
	{"1.0-r1-r2", "1.0-r1", -1},

	// Other input.
	{" 1.0-r0\n", "1.0-r0", 0},                              // white space around is ignored
	{"1.99999999999999999999", "1.99999999999999999998", 1}, // no overflow
	{"99999999999999999999999-r0", "1-r0", 1},
	{"1.0-r99999999999999999999", "1.0-r99999999999999999998", 1},
}

func TestAPK(t *testing.T) {
	for _, tt := range apkTests {
		if got := APK(tt.a, tt.b); got != tt.want {
			t.Errorf("APK(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := APK(tt.b, tt.a); got != -tt.want {
			t.Errorf("APK(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

// TestAPKChain checks a list of versions that apk sorts in this order,
// every pair of it.
func TestAPKChain(t *testing.T) {
	chain := []string{
		"", "0", "0.9", "1.0_alpha", "1.0_alpha0", "1.0_alpha1", "1.0_alpha1_p1",
		"1.0_beta", "1.0_pre1", "1.0_rc1", "1.0_rc1-r1", "1.0", "1.0-r0", "1.0-r1",
		"1.0~0abc", "1.0~abc", "1.0_cvs", "1.0_svn1", "1.0_git20240101",
		"1.0_git20240101-r3", "1.0_hg1", "1.0_p1", "1.0_p2", "1.0a", "1.0b-r2",
		"1.0.1", // "0" is older than "00" and "02" before the ".1" counts
		"1.00", "1.01", "1.010", "1.02", "1.1", "1.9", "1.10", "2",
		"2.0.0_rc1-r0", "2.0.0-r0", "10",
	}
	for i, a := range chain {
		for j, b := range chain {
			want := sign(i - j)
			if got := APK(a, b); got != want {
				t.Errorf("APK(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestAPKOrder(t *testing.T) {
	versions := tableVersions(apkTests, func(tt struct {
		a, b string
		want int
	}) (string, string) {
		return tt.a, tt.b
	}, "1.0_rc", "1.0_rc0", "1.0_p", "1.0~", "1.0-r0~abc", "_", "-r1", ".", "~")
	checkOrder(t, "APK", APK, versions)
}

func FuzzAPK(f *testing.F) {
	for _, s := range [][2]string{
		{"1.0", "1.0_rc1"}, {"1.2.3_rc1-r0", "2.0_p1-r3"}, {"1.0_git20240101-r1", "1.0~abc-r2"},
		{"1.02", "1.010"}, {"1.0bc", "1.0_foo"}, {"", "-r"}, {"1a_alpha_p2~f-r0", "01"},
	} {
		f.Add(s[0], s[1])
	}
	pivots := []string{"", "1.0", "1.0_rc1", "1.0-r0", "1.0a", "1.00", "1.0_p1", "x"}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := APK(a, b), APK(b, a)
		if ab != -ba {
			t.Errorf("APK(%q, %q) = %d but APK(%q, %q) = %d", a, b, ab, b, a, ba)
		}
		if ab < -1 || ab > 1 {
			t.Errorf("APK(%q, %q) = %d, want -1, 0 or 1", a, b, ab)
		}
		if APK(a, a) != 0 {
			t.Errorf("APK(%q, itself) != 0", a)
		}
		for _, p := range pivots {
			if msg := transitivity(APK, a, p, b); msg != "" {
				t.Error(msg)
			}
		}
	})
}
