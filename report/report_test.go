package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/golden"
	"github.com/handwash/handwash/policy"
)

// sample is a fixed assessment with every kind of finding.
func sample() Input {
	at := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	exp := time.Date(2027, 3, 31, 23, 59, 59, 0, time.UTC)
	old := time.Date(2026, 10, 31, 23, 59, 59, 0, time.UTC)
	controls := []*handwash.Control{
		{ID: "malware.firewall-on", Area: handwash.AreaMalware, Severity: handwash.SeverityCritical, Title: "Firewall switched on for every network",
			Checks: "Whether the firewall is on.", Why: "A firewall stops other computers reaching this one.",
			Threshold:  "On for every network profile.",
			Fix:        map[handwash.Platform]string{handwash.PlatformWindows: "1. Open Windows Security.\n2. Switch the firewall on."},
			References: []handwash.Reference{{Scheme: "ce", ID: "A4.1.1", Text: "Software firewall on all computers", URL: "https://www.ncsc.gov.uk/cyberessentials/overview"}}},
		{ID: "updates.smbv1-off", Area: handwash.AreaUpdates, Severity: handwash.SeverityCritical, Title: "SMBv1 switched off",
			Checks: "SMBv1.", Why: "WannaCry spread through SMBv1.", Fix: map[handwash.Platform]string{handwash.PlatformWindows: "1. Turn it off."},
			References: []handwash.Reference{{Scheme: "nao", Text: "WannaCry"}}},
	}
	a := &handwash.Assessment{
		Schema: handwash.AssessmentSchema, CatalogueVersion: "test", EvaluatedAt: at,
		Device: handwash.DeviceInfo{Hostname: "RECEPTION-PC", Platform: handwash.PlatformWindows},
		Facts:  handwash.FactsSummary{Schema: handwash.FactsSchema, CollectedAt: at, OS: "Windows 11 Pro 25H2", DurationMS: 412},
		Findings: []handwash.Finding{
			{ControlID: "malware.firewall-on", Area: handwash.AreaMalware, Severity: handwash.SeverityCritical, Title: "Firewall switched on for every network",
				Status: handwash.StatusFail, Summary: "The firewall is off for: public.", Why: controls[0].Why, Fix: controls[0].Fix[handwash.PlatformWindows],
				Evidence: []handwash.Evidence{{Label: "Profiles switched off", Value: "public"}}},
			{ControlID: "malware.usb-controlled", Area: handwash.AreaMalware, Severity: handwash.SeverityLow, Title: "USB storage controlled",
				Status: handwash.StatusExcepted, Why: "USB sticks carry malware.", Fix: "1. Block USB storage.",
				Exception: &handwash.AppliedException{Exception: handwash.Exception{Control: "malware.usb-controlled", Reason: "The label printer needs a USB stick.", Owner: "Jane Smith", Expires: exp}}},
			{ControlID: "updates.smbv1-off", Area: handwash.AreaUpdates, Severity: handwash.SeverityCritical, Title: "SMBv1 switched off",
				Status: handwash.StatusFail, Summary: "The SMBv1 server is on.", Why: controls[1].Why, Fix: "1. Turn it off.",
				Exception: &handwash.AppliedException{Exception: handwash.Exception{Control: "updates.smbv1-off", Reason: "Old scanner", Owner: "Sam", Expires: old}, Expired: true}},
			{ControlID: "updates.automatic", Area: handwash.AreaUpdates, Severity: handwash.SeverityHigh, Title: "Updates install automatically", Status: handwash.StatusPass},
			{ControlID: "devices.encryption-portable", Area: handwash.AreaDevices, Severity: handwash.SeverityHigh, Title: "Laptop disk encrypted",
				Status: handwash.StatusUnknown, Summary: "Could not be checked: encryption was not observed.",
				Missing: []handwash.Missing{{Fact: "encryption", Reason: handwash.ReasonNeedsAdmin, Detail: "Win32_EncryptableVolume needs an elevated administrator"}}},
			{ControlID: "passwords.ssh-root", Area: handwash.AreaPasswords, Severity: handwash.SeverityHigh, Title: "No SSH root login", Status: handwash.StatusNotApplicable},
		},
		ReferenceData: []handwash.DataSource{{Name: "Operating system support dates", Source: "endoflife.date", AsOf: "2026-08-20"}},
	}
	policy.Score(a)
	return Input{Assessment: a, Controls: controls, Version: "test"}
}

func TestRenderGolden(t *testing.T) {
	for _, format := range Formats {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := Render(&b, format, sample()); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, "report."+format, b.Bytes())
		})
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	err := Render(&bytes.Buffer{}, "yaml", sample())
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), `"yaml"`) {
		t.Errorf("Render(yaml) = %v, want an EINVALID error naming the format", err)
	}
}

// The HTML report is one self-contained page: nothing loaded from elsewhere,
// and no script, so it reads the same when emailed or archived as evidence.
func TestHTMLIsSelfContained(t *testing.T) {
	var b bytes.Buffer
	if err := HTML(&b, sample()); err != nil {
		t.Fatal(err)
	}
	page := strings.ToLower(b.String())
	for _, bad := range []string{"<script", " src=", "<link", "url(", "@import", "<iframe", "<img"} {
		if strings.Contains(page, bad) {
			t.Errorf("HTML report contains %q", bad)
		}
	}
	for _, want := range []string{"<svg", `role="img"`, "fix these first", "not assessed yet", "expired", "jane smith", "@media print"} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
}

// Text from Facts (hostnames, Wi-Fi names, program names) must not become
// markup in the HTML report.
func TestHTMLEscapesFacts(t *testing.T) {
	in := sample()
	in.Assessment.Device.Hostname = `<img src=x onerror=alert(1)>`
	in.Assessment.Findings[0].Summary = `Wi-Fi "<b>Cafe</b>" is open`
	var b bytes.Buffer
	if err := HTML(&b, in); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<img") || strings.Contains(b.String(), "<b>Cafe") {
		t.Error("facts were not escaped in the HTML report")
	}
}

func TestJSONRoundTrips(t *testing.T) {
	var b bytes.Buffer
	in := sample()
	if err := JSON(&b, in); err != nil {
		t.Fatal(err)
	}
	var got handwash.Assessment
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(*in.Assessment, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestExplain(t *testing.T) {
	in := sample()
	var b bytes.Buffer
	if err := Explain(&b, in.Controls[0], &in.Assessment.Findings[0]); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "explain.txt", b.Bytes())
}

func TestWrapKeepsListIndent(t *testing.T) {
	var b bytes.Buffer
	wrap(&b, "1. "+strings.Repeat("word ", 30), "  ")
	lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("not wrapped: %q", b.String())
	}
	for _, l := range lines {
		if len(l) > width {
			t.Errorf("line longer than %d: %q", width, l)
		}
	}
	if !strings.HasPrefix(lines[1], "     word") {
		t.Errorf("continuation line %q does not hang under the text", lines[1])
	}
}

func TestInlineCode(t *testing.T) {
	for in, want := range map[string]string{
		"Run `sudo ufw enable` now":  "Run <code>sudo ufw enable</code> now",
		"`a<b>` and <i>":             "<code>a&lt;b&gt;</code> and &lt;i&gt;",
		"an odd ` backquote":         "an odd ` backquote",
		"no code here, just & words": "no code here, just &amp; words",
	} {
		if got := string(inlineCode(in)); got != want {
			t.Errorf("inlineCode(%q) = %q, want %q", in, got, want)
		}
	}
}
