package vercmp

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fixtures is the shared folder of real third-party test data, beside the
// repository.
const fixtures = "../../shared/fixtures"

// readCases reads "a b want" lines (spaces or tabs, # comments) from a
// shared fixture, skipping the test when the folder is not there.
func readCases(t *testing.T, name string) [][3]string {
	t.Helper()
	path := filepath.Join(fixtures, name)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("shared fixture %s not found: these tests need /work/shared/fixtures beside the repository", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cases [][3]string
	s := bufio.NewScanner(f)
	for s.Scan() {
		line, _, _ := strings.Cut(s.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		if len(fields) != 3 {
			t.Fatalf("%s: bad line %q", name, s.Text())
		}
		cases = append(cases, [3]string{fields[0], fields[1], fields[2]})
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("%s: no cases", name)
	}
	return cases
}

func TestDebAgainstAptCases(t *testing.T) {
	cases := readCases(t, "debversion/apt-versions.lst")
	for _, c := range cases {
		want, err := strconv.Atoi(c[2])
		if err != nil {
			t.Fatalf("bad expectation %q", c[2])
		}
		if got := Deb(c[0], c[1]); got != want {
			t.Errorf("Deb(%q, %q) = %d, want %d", c[0], c[1], got, want)
		}
		if got := Deb(c[1], c[0]); got != -want {
			t.Errorf("Deb(%q, %q) = %d, want %d", c[1], c[0], got, -want)
		}
	}
	t.Logf("%d cases from apt", len(cases))
}

func TestDeb(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0", "1.0", 0},
		{"1.0~rc1", "1.0", -1},
		{"1.0~~", "1.0~", -1},
		{"1.0~", "1.0", -1},
		{"1.0a", "1.0", 1},   // letters after the end
		{"1.0a", "1.0+", -1}, // letters before other characters
		{"1.0+", "1.0.", -1}, // other characters by ASCII
		{"2:1.0", "1:9.9", 1},
		{"1.10", "1.9", 1},
		{"1.0-1", "1.0-1+b1", -1},
		{"1.0-1+deb12u1", "1.0-1", 1},
		{"3.0.19-1~deb12u2", "3.0.16-1~deb12u1", 1},
		{"99999999999999999999999", "99999999999999999999998", 1}, // no overflow
		{"", "", 0},
		{"", "0", 0},
		{"1:", "1:0", 0},
	}
	for _, tt := range tests {
		if got := Deb(tt.a, tt.b); got != tt.want {
			t.Errorf("Deb(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestRPMAgainstRpmvercmpCases(t *testing.T) {
	cases := readCases(t, "rpmversion/rpmvercmp-cases.tsv")
	for _, c := range cases {
		want, err := strconv.Atoi(c[2])
		if err != nil {
			t.Fatalf("bad expectation %q", c[2])
		}
		if got := RPM(c[0], c[1]); got != want {
			t.Errorf("RPM(%q, %q) = %d, want %d", c[0], c[1], got, want)
		}
	}
	t.Logf("%d cases from rpm", len(cases))
}

func TestRPMCaret(t *testing.T) {
	// The caret cases of rpm's tests/rpmvercmp.at, which the shared fixture
	// does not carry.
	tests := []struct {
		a, b string
		want int
	}{
		{"1.0^", "1.0^", 0},
		{"1.0^", "1.0", 1},
		{"1.0", "1.0^", -1},
		{"1.0^git1", "1.0^git1", 0},
		{"1.0^git1", "1.0", 1},
		{"1.0", "1.0^git1", -1},
		{"1.0^git1", "1.0^git2", -1},
		{"1.0^git2", "1.0^git1", 1},
		{"1.0^git1", "1.01", -1},
		{"1.01", "1.0^git1", 1},
		{"1.0^20160101", "1.0^20160101", 0},
		{"1.0^20160101", "1.0.1", -1},
		{"1.0.1", "1.0^20160101", 1},
		{"1.0^20160101^git1", "1.0^20160101^git1", 0},
		{"1.0^20160102", "1.0^20160101^git1", 1},
		{"1.0^20160101^git1", "1.0^20160102", -1},
		{"1.0~rc1^git1", "1.0~rc1^git1", 0},
		{"1.0~rc1^git1", "1.0~rc1", 1},
		{"1.0~rc1", "1.0~rc1^git1", -1},
		{"1.0^git1~pre", "1.0^git1~pre", 0},
		{"1.0^git1", "1.0^git1~pre", 1},
		{"1.0^git1~pre", "1.0^git1", -1},
	}
	for _, tt := range tests {
		if got := RPM(tt.a, tt.b); got != tt.want {
			t.Errorf("RPM(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestEVR(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1:1.0-1", "2.0-1", 1},
		{"0:1.0-1", "1.0-1", 0},
		{"1.0-1.el9", "1.0-2.el9", -1},
		{"1.0-10.fc40", "1.0-9.fc40", 1},
		{"2.4.44-7.el6", "2.4.44-7.el6_7.1", -1},
		{"1.2", "1.2-5", 0}, // no release: any release matches
		{"1.0~rc1-1", "1.0-1", -1},
		{"3.2.3-72.el7", "3.2.3-72.el7", 0},
	}
	for _, tt := range tests {
		if got := EVR(tt.a, tt.b); got != tt.want {
			t.Errorf("EVR(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := EVR(tt.b, tt.a); got != -tt.want {
			t.Errorf("EVR(%q, %q) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

func FuzzDeb(f *testing.F) {
	for _, s := range [][2]string{{"1.0", "1.0~rc1"}, {"1:2.3-4", "2.3-4+b1"}, {"~~a", "~"}, {"1.2.3abYZ+~-4-5", "0-0-0"}, {"", "-"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := Deb(a, b), Deb(b, a)
		if ab != -ba {
			t.Errorf("Deb(%q, %q) = %d but Deb(%q, %q) = %d", a, b, ab, b, a, ba)
		}
		if ab < -1 || ab > 1 {
			t.Errorf("Deb(%q, %q) = %d, want -1, 0 or 1", a, b, ab)
		}
		if Deb(a, a) != 0 {
			t.Errorf("Deb(%q, itself) != 0", a)
		}
	})
}

func FuzzRPM(f *testing.F) {
	for _, s := range [][2]string{{"1.0", "1.0~rc1"}, {"1.0^git1", "1.0.1"}, {"xyz.4", "8"}, {"_+", "+_"}, {"1:2-3", "2-3"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		ab, ba := RPM(a, b), RPM(b, a)
		if ab != -ba {
			t.Errorf("RPM(%q, %q) = %d but RPM(%q, %q) = %d", a, b, ab, b, a, ba)
		}
		if ab < -1 || ab > 1 {
			t.Errorf("RPM(%q, %q) = %d, want -1, 0 or 1", a, b, ab)
		}
		if e, re := EVR(a, b), EVR(b, a); e != -re {
			t.Errorf("EVR(%q, %q) = %d but EVR(%q, %q) = %d", a, b, e, b, a, re)
		}
	})
}
