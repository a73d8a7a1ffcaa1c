package mdmimport

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/golden"
)

var now = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

func parseFile(t *testing.T, name string) (string, []handwash.MobileDevice) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, devs, err := Parse(f, "org-1")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return src, devs
}

// support stands in for the end-of-life data: iOS and iPadOS before 17
// and Android before 13 are out of support; iOS 17 and Android 13 end
// soon; versions above 99 are not known.
func support(os, version string) (*bool, bool, string) {
	major, err := strconv.Atoi(strings.Split(version, ".")[0])
	if err != nil || major > 99 {
		return nil, false, "not in the end-of-life data"
	}
	oldest, soon := 17, 17
	if os == "android" {
		oldest, soon = 13, 13
	}
	name := osTitle(os) + " " + strconv.Itoa(major)
	switch {
	case major < oldest:
		return ptr(false), false, name + " no longer gets security updates"
	case major == soon:
		return ptr(true), true, name + " gets security updates until about March 2027"
	}
	return ptr(true), false, name + " gets security updates"
}

func pointers(ds []handwash.MobileDevice) []*handwash.MobileDevice {
	var out []*handwash.MobileDevice
	for i := range ds {
		out = append(out, &ds[i])
	}
	return out
}

func byHand(t *testing.T, form map[string]string) *handwash.MobileDevice {
	t.Helper()
	d, err := ParseByHand(form)
	if err != nil {
		t.Fatal(err)
	}
	return &d
}

type goldenCase struct {
	devices []*handwash.MobileDevice
	support SupportFunc
}

// cases are organisations as the store would hold them after imports of
// the files in testdata, entries by hand, and a few made in code.
func cases(t *testing.T) map[string]goldenCase {
	_, intune := parseFile(t, "intune-devices.csv")
	_, google := parseFile(t, "google-mobile-devices.csv")
	_, jamf := parseFile(t, "jamf-mobile-devices.csv")
	good := []*handwash.MobileDevice{
		byHand(t, map[string]string{"owner": "Kim Hart", "model": "iPhone 15", "os": "ios", "os_version": "18.1.1", "passcode": "yes", "managed": "yes", "last_seen": "2026-11-28"}),
		byHand(t, map[string]string{"owner": "Ola Ade", "model": "Samsung Galaxy A35", "os": "android", "os_version": "14", "passcode": "yes", "managed": "yes", "last_seen": "2026-11-29"}),
	}
	var many []*handwash.MobileDevice
	for i := range 12 {
		many = append(many, &handwash.MobileDevice{Source: handwash.MobileIntune, ExternalID: fmt.Sprintf("dev-%02d", i), Owner: fmt.Sprintf("Carer %02d", i),
			Model: "Galaxy A12", OS: "android", OSVersion: "11", Managed: ptr(true), Passcode: ptr(false), LastSeen: ptr(now.Add(-40 * 24 * time.Hour))})
	}
	return map[string]goldenCase{
		"intune": {pointers(intune), support},
		"google": {pointers(google), support},
		"jamf":   {pointers(jamf), support},
		// Entered by hand: everything right.
		"good": {good, support},
		// Jamf and by hand together, with no end-of-life data.
		"no-eol-data": {append(pointers(jamf), byHand(t, map[string]string{"owner": "Kim Hart", "model": "iPhone 12", "os": "ios"})), nil},
		// More than ten devices to name.
		"many": {many, support},
		// Nothing recorded yet.
		"none": {},
		// Staff self-checks beside an MDM's devices: the answers judge
		// updates and Wi-Fi on the phones that gave them.
		"selfcheck": {append(pointers(jamf[:2]),
			selfCheck(t, map[string]string{"owner": "Ann Lee", "model": "Pixel 8", "os": "android", "os_version": "15", "passcode": "yes", "managed": "yes", "auto_updates": "no", "unknown_wifi": "yes"}),
			selfCheck(t, map[string]string{"owner": "Bo Chan", "os": "ios", "os_version": "18.1", "passcode": "yes", "managed": "unsure", "auto_updates": "yes", "unknown_wifi": "no"}),
		), support},
	}
}

// TestGolden judges each case and compares the findings, as JSON and as
// text, with testdata/findings-<name>.json and .txt. Run with -update to
// rewrite them after a deliberate change, and read the diff: it is what
// people see.
func TestGolden(t *testing.T) {
	for name, c := range cases(t) {
		t.Run(name, func(t *testing.T) {
			fs := Findings(c.devices, c.support, now)
			js, err := json.MarshalIndent(fs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "findings-"+name+".json", append(js, '\n'))
			golden.Check(t, "findings-"+name+".txt", []byte(render(fs)))
		})
	}
}

func render(fs []handwash.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "== %s [%s, %s] %s\n%s\n", f.ControlID, f.Severity, f.Status, f.Title, f.Summary)
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "  %s: %s\n", e.Label, e.Value)
		}
		for _, m := range f.Missing {
			fmt.Fprintf(&b, "  missing %s (%s): %s\n", m.Fact, m.Reason, m.Detail)
		}
		if f.Why != "" {
			fmt.Fprintf(&b, "Why: %s\nFix:\n%s\n", f.Why, f.Fix)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestStatuses pins the judgement of each case, so a change to the
// wording cannot hide a change of verdict in a large golden diff.
func TestStatuses(t *testing.T) {
	const (
		P = handwash.StatusPass
		F = handwash.StatusFail
		U = handwash.StatusUnknown
	)
	want := map[string][4]handwash.Status{
		"intune":      {F, U, F, F},
		"google":      {P, F, F, F},
		"jamf":        {F, F, F, F},
		"good":        {P, P, P, P},
		"no-eol-data": {U, F, F, F},
		"many":        {F, F, P, F},
		"none":        {U, U, U, U},
		"selfcheck":   {F, F, U, F},
	}
	for name, c := range cases(t) {
		fs := Findings(c.devices, c.support, now)
		for i, id := range []string{ControlOSSupported, ControlPasscode, ControlWipe, ControlSeenRecently} {
			f := fs[i]
			if f.ControlID != id || f.Area != handwash.AreaDevices {
				t.Errorf("%s: finding %d is %s in %s", name, i, f.ControlID, f.Area)
			}
			if f.Status != want[name][i] {
				t.Errorf("%s: %s is %s, want %s: %s", name, id, f.Status, want[name][i], f.Summary)
			}
			if (f.Status == F || f.Status == U) && (f.Why == "" || f.Fix == "") {
				t.Errorf("%s: %s %s has no why or fix", name, id, f.Status)
			}
			if f.Status == U && len(f.Missing) == 0 {
				t.Errorf("%s: %s is unknown but says nothing is missing", name, id)
			}
		}
	}
}

func TestSeenThreshold(t *testing.T) {
	for _, c := range []struct {
		age  time.Duration
		want handwash.Status
	}{
		{29 * 24 * time.Hour, handwash.StatusPass},
		{MaxUnseen, handwash.StatusPass},
		{MaxUnseen + time.Minute, handwash.StatusFail},
		{-time.Hour, handwash.StatusPass},
	} {
		d := &handwash.MobileDevice{OS: "ios", Model: "iPhone 15", Owner: "Jo", LastSeen: ptr(now.Add(-c.age))}
		if f := Findings([]*handwash.MobileDevice{d}, nil, now)[3]; f.Status != c.want {
			t.Errorf("age %v: %s, want %s", c.age, f.Status, c.want)
		}
	}
}

// Devices are named by model and owner; the support function's words and
// the list's "and N more" reach the summary.
func TestNaming(t *testing.T) {
	fs := Findings(cases(t)["many"].devices, support, now)
	s := fs[0].Summary
	if !strings.Contains(s, "Galaxy A12 (Carer 00) on Android 11") || !strings.HasSuffix(s, "and 2 more.") {
		t.Errorf("summary: %s", s)
	}
	if !strings.Contains(fs[0].Evidence[4].Value, "Android 11 no longer gets security updates") {
		t.Errorf("evidence: %+v", fs[0].Evidence)
	}
	for _, c := range []struct {
		d    handwash.MobileDevice
		want string
	}{
		{handwash.MobileDevice{Model: "iPhone 13", Owner: "Jo"}, "iPhone 13 (Jo)"},
		{handwash.MobileDevice{Model: "iPad", Name: "Lounge iPad"}, "iPad (Lounge iPad)"},
		{handwash.MobileDevice{OS: "android", ExternalID: "R58T90"}, "Android device (R58T90)"},
		{handwash.MobileDevice{OS: "ios"}, "iOS device"},
	} {
		if got := label(&c.d); got != c.want {
			t.Errorf("label = %q, want %q", got, c.want)
		}
	}
}

// The Fix names only the platforms and MDMs in use.
func TestFixForPlatforms(t *testing.T) {
	d := &handwash.MobileDevice{Source: handwash.MobileJamf, OS: "ios", Model: "iPhone 15", Passcode: ptr(false)}
	fix := Findings([]*handwash.MobileDevice{d}, support, now)[1].Fix
	if !strings.Contains(fix, "Face ID & Passcode") || !strings.Contains(fix, "Jamf Pro") || strings.Contains(fix, "Android") || strings.Contains(fix, "Intune") {
		t.Errorf("fix for a Jamf iPhone:\n%s", fix)
	}
	if !strings.Contains(fix, "6-character PIN") {
		t.Error("the passcode fix does not give Cyber Essentials' rule")
	}
}

func TestNilDevicesIgnored(t *testing.T) {
	fs := Findings([]*handwash.MobileDevice{nil}, nil, now)
	if fs[0].Status != handwash.StatusUnknown || !strings.Contains(fs[0].Summary, "No phones or tablets") {
		t.Errorf("%+v", fs[0])
	}
}
