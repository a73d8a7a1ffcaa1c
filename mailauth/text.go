package mailauth

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// textWidth is where the text report wraps: a terminal's 80 columns, less
// a margin.
const textWidth = 78

// WriteText writes the report for a person at a terminal: the grade and
// why, then what to fix with the most serious first (each with why it
// matters, what to do and the exact records to publish), then what could
// not be checked, then what is in good order.
func WriteText(w io.Writer, rep *Report) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	p("Email security check: %s\n", rep.Domain)
	p("Checked %s.\n\n", rep.CheckedAt.UTC().Format("2 January 2006, 15:04 MST"))
	if rep.Grade == GradeUnknown {
		wrap(b, "Grade: not known, because "+rep.GradeReason+".", "")
	} else {
		wrap(b, fmt.Sprintf("Grade %s: %s.", rep.Grade, capitalise(rep.GradeReason)), "")
	}
	if rep.Provider != ProviderUnknown {
		wrap(b, fmt.Sprintf("Email service: %s (going by %s).", rep.Provider.Name(), rep.ProviderEvidence), "")
	}
	p("\n")

	var problems, unknown, good []Finding
	for _, f := range rep.Findings {
		switch f.Status {
		case StatusFail, StatusWarn:
			problems = append(problems, f)
		case StatusUnknown:
			unknown = append(unknown, f)
		default:
			good = append(good, f)
		}
	}

	switch {
	case len(problems) == 0 && len(unknown) > 0:
		wrap(b, "Nothing to fix in what could be checked, but some things could not be: check again later.", "")
		p("\n")
	case len(problems) == 0:
		wrap(b, "Nothing to fix. Check again after any change to your email or DNS, and every few months.", "")
		p("\n")
	default:
		p("To fix, most serious first (%d)\n", len(problems))
		for i, f := range problems {
			p("\n%2d. %s\n", i+1, printable(f.Title, false))
			p("    %s, %s  %s\n", strings.ToUpper(string(f.Severity)), statusWord(f.Status), f.ID)
			wrap(b, f.Summary, "    ")
			if f.Why != "" {
				wrap(b, "Why it matters: "+f.Why, "    ")
			}
			if f.Fix != "" {
				wrap(b, "What to do: "+f.Fix, "    ")
			}
			writeRecords(b, f.Records)
			writeDetails(b, f.Details)
		}
		p("\n")
	}

	if len(unknown) > 0 {
		p("Could not be checked (%d)\n", len(unknown))
		for _, f := range unknown {
			p("\n  - %s  %s\n", printable(f.Title, false), f.ID)
			wrap(b, f.Summary, "    ")
			writeDetails(b, f.Details)
		}
		p("\n")
	}

	if len(good) > 0 {
		p("In good order (%d)\n", len(good))
		for _, f := range good {
			p("  - %s\n", printable(f.Title, false))
			wrap(b, f.Summary, "    ")
		}
	}
	return b.Flush()
}

func statusWord(s Status) string {
	switch s {
	case StatusFail:
		return "fails"
	case StatusWarn:
		return "could be better"
	}
	return string(s)
}

// writeRecords prints each record as name, type and value on lines of their
// own, so each can be copied into a DNS host's form; a value is never
// wrapped, since a line break inside it would break the record.
func writeRecords(b *bufio.Writer, recs []Record) {
	if len(recs) == 0 {
		return
	}
	fmt.Fprintf(b, "    Publish:\n")
	for i, r := range recs {
		if i > 0 {
			b.WriteString("\n")
		}
		if r.Type == "FILE" {
			fmt.Fprintf(b, "      File at: %s\n", printable(r.Name, false))
			fmt.Fprintf(b, "      Content:\n")
			for _, line := range strings.Split(strings.TrimSuffix(printable(r.Value, true), "\n"), "\n") {
				fmt.Fprintf(b, "        %s\n", line)
			}
			continue
		}
		fmt.Fprintf(b, "      Name:  %s\n", printable(r.Name, false))
		fmt.Fprintf(b, "      Type:  %s\n", r.Type)
		fmt.Fprintf(b, "      Value: %s\n", printable(r.Value, false))
	}
}

func writeDetails(b *bufio.Writer, details []string) {
	if len(details) == 0 {
		return
	}
	fmt.Fprintf(b, "    Details:\n")
	for _, d := range details {
		fmt.Fprintf(b, "      %s\n", printable(d, false))
	}
}

// printable replaces control characters, which a hostile DNS record or
// web server could use to rewrite what a terminal shows, keeping newlines
// only where asked.
func printable(s string, newlines bool) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' && newlines {
			return r
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return '?'
		}
		return r
	}, s)
}

// wrap writes text word-wrapped at textWidth, each line indented. Words
// longer than a line (a long record, a URL) stay whole.
func wrap(b *bufio.Writer, text, indent string) {
	text = printable(text, false)
	line := indent
	for _, word := range strings.Fields(text) {
		if len(line) > len(indent) && len(line)+1+len(word) > textWidth {
			b.WriteString(line + "\n")
			line = indent
		}
		if len(line) > len(indent) {
			line += " "
		}
		line += word
	}
	if len(line) > len(indent) {
		b.WriteString(line + "\n")
	}
}

// capitalise upper-cases the first letter, for a reason that starts a
// sentence.
func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
