package phish

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handwash/handwash/internal/golden"
)

// payrollScam is a made-up message of the kind care homes receive: the
// NHS's name on a free-mail account, a fake sign-in page and pressure.
func payrollScam() []byte {
	return build([]string{
		"Received: from PC ([2001:db8::7]) by smtp.gmail.com with ESMTPSA id a1; Tue, 4 Mar 2025 10:00:01 +0000",
		`From: "NHS Payroll Services" <nhs.payroll.services@gmail.com>`,
		"To: manager@rosecourt.example",
		"Reply-To: payroll-update@nhs-payroll.co",
		"Subject: Urgent: confirm your staff bank details today",
		"Date: Tue, 4 Mar 2025 10:00:00 +0000",
		"Message-ID: <2@mail.gmail.com>",
	}, `<html><body><p>Dear Manager,</p>
<p>Our records show your staff payroll could not be processed. You must verify your account within 24 hours or payments will be suspended.</p>
<p><a href="https://bakery.example/wp-admin/nhs/login.php">https://www.nhs.uk/payroll</a></p>
<p>NHS Payroll Services</p></body></html>`)
}

func TestWriteTextGolden(t *testing.T) {
	cases := map[string][]byte{"payroll_scam.txt": payrollScam(), "plain.txt": build(plain, "See you Thursday at 10. Jo")}
	for name, rel := range map[string]string{
		"phishing_openphish.txt": "spamassassin/spam/phishing_openphish.eml",
		"fromnamespoof.txt":      "spamassassin/spam/fromnamespoof/spoof1",
	} {
		raw, err := os.ReadFile(filepath.Join(corpusDir, rel))
		if err != nil {
			t.Logf("skipping %s: the shared email fixtures are not there: %v", name, err)
			continue
		}
		cases[name] = raw
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			r := analyseT(t, raw, Options{})
			var buf bytes.Buffer
			if err := WriteText(&buf, r); err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(buf.String(), "\n") {
				if len([]rune(line)) > textWidth && !strings.Contains(strings.TrimSpace(line), " ") {
					continue // one long word, such as a link, on its own line
				}
				if len([]rune(line)) > textWidth+40 {
					t.Errorf("line %d is %d characters long: %s", i+1, len(line), line)
				}
			}
			golden.Check(t, name, buf.Bytes())
		})
	}
}

func TestReportJSONGolden(t *testing.T) {
	r := analyseT(t, payrollScam(), Options{})
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "payroll_scam.json", append(b, '\n'))
}

// TestWriteTextOrder checks the most important sign comes first and the
// advice last, with the NCSC's reporting address.
func TestWriteTextOrder(t *testing.T) {
	r := analyseT(t, payrollScam(), Options{})
	var buf bytes.Buffer
	if err := WriteText(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "LIKELY PHISHING") {
		t.Errorf("text starts %q, want the verdict first", out[:min(len(out), 40)])
	}
	first := strings.Index(out, r.Signs[0].Title)
	for _, s := range r.Signs[1:] {
		if i := strings.Index(out, s.Title); i < first {
			t.Errorf("sign %q (weight %d) comes before %q (weight %d)", s.Title, s.Weight, r.Signs[0].Title, r.Signs[0].Weight)
		}
	}
	todo := strings.Index(out, "What to do:")
	if todo < 0 || todo < first || !strings.Contains(out[todo:], "report@phishing.gov.uk") {
		t.Errorf("text does not end with what to do, including report@phishing.gov.uk:\n%s", out)
	}
}
