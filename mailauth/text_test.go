package mailauth

import (
	"bytes"
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

// TestWriteTextControlCharacters checks that text from strangers' DNS
// records cannot send escape sequences to the terminal.
func TestWriteTextControlCharacters(t *testing.T) {
	rep := &Report{Domain: "example.org", CheckedAt: checkedAt, Grade: GradeF, GradeReason: "no DMARC",
		Findings: []Finding{{
			ID: "email.x", Severity: handwash.SeverityHigh, Status: StatusFail,
			Title:   "Title \x1b[2J",
			Summary: "Summary \x1b]0;owned\x07 \u202e",
			Records: []Record{{Name: "n\x1b", Type: "TXT", Value: "v\x1b"}, {Name: "https://x/", Type: "FILE", Value: "a\x1b\nb\r\n"}},
			Details: []string{"detail \x1b[31m"},
		}},
	}
	var b bytes.Buffer
	if err := WriteText(&b, rep); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\r\u202e") {
		t.Errorf("control characters reached the output:\n%q", out)
	}
	if !strings.Contains(out, "        a?\n        b?\n") {
		t.Errorf("a file's lines were not kept:\n%s", out)
	}
}
