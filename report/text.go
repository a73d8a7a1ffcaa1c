package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/handwash/handwash"
)

const width = 78

// Text writes the assessment for a terminal: the score, what to fix first
// with why and how, every area's controls, what could not be checked, and
// the exceptions.
func Text(w io.Writer, in Input) error {
	v := newView(in)
	a := v.A
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	p("Handwash check: %s\n", osLine(a))
	p("Checked %s against catalogue %s.\n\n", when(a.EvaluatedAt), a.CatalogueVersion)
	if a.Overall.Assessed {
		p("Overall score: %d/100\n", a.Overall.Value)
		wrap(b, scoreLine(a.Overall, a.Findings)+".", "  ")
		p("\n")
	}

	p("Scores by area\n")
	for _, ar := range v.Areas {
		if !ar.Assessed {
			note := "Training, incidents and suppliers are covered by the self-assessment questions."
			p("  %-34s %s\n", ar.Title, "not assessed yet")
			if ar.Area == handwash.AreaPeople {
				wrap(b, note, "      ")
			}
			continue
		}
		p("  %-34s %3d/100  %s\n", ar.Title, ar.Value, bar(ar.Value))
		wrap(b, scoreLine(ar.Score, ar.Findings), "      ")
	}
	p("\n")

	if len(v.FixFirst) == 0 {
		p("Nothing failed. Keep it that way: run the check again after changes and at least monthly.\n\n")
	} else {
		p("Fix these first (%d)\n", len(v.FixFirst))
		for i, f := range v.FixFirst {
			p("\n%2d. %s [%s]  %s\n", i+1, f.Title, strings.ToUpper(string(f.Severity)), f.ControlID)
			if f.Summary != "" {
				wrap(b, f.Summary, "    ")
			}
			if f.Exception != nil && f.Exception.Expired {
				wrap(b, fmt.Sprintf("An exception for this expired on %s (owner %s).", f.Exception.Expires.Format("2 January 2006"), f.Exception.Owner), "    ")
			}
			if f.Why != "" {
				wrap(b, "Why it matters: "+f.Why, "    ")
			}
			if f.Fix != "" {
				p("    How to fix it on %s:\n", v.Platform.Title())
				for _, line := range strings.Split(f.Fix, "\n") {
					wrap(b, line, "      ")
				}
			}
		}
		p("\n")
	}

	for _, ar := range v.Areas {
		if len(ar.Findings) == 0 {
			continue
		}
		p("%s\n", ar.Title)
		for _, f := range ar.Findings {
			if f.Status == handwash.StatusNotApplicable {
				continue
			}
			line := fmt.Sprintf("  %-8s %-8s %s", statusLabel(f.Status), f.Severity, f.Title)
			p("%s\n", line)
			if f.Status != handwash.StatusPass && f.Summary != "" {
				wrap(b, f.Summary, "                    ")
			}
		}
		na := 0
		for _, f := range ar.Findings {
			if f.Status == handwash.StatusNotApplicable {
				na++
			}
		}
		if na > 0 {
			p("  (%d more %s not apply to this device)\n", na, map[bool]string{true: "does", false: "do"}[na == 1])
		}
		p("\n")
	}

	if len(v.Unknown) > 0 {
		p("Could not be checked (%d)\n", len(v.Unknown))
		if !a.Facts.Elevated {
			wrap(b, "Some facts need administrator rights. Run the check again as an administrator (Windows: right-click, Run as administrator; macOS and Linux: sudo handwash check) to see more.", "  ")
		}
		for _, f := range v.Unknown {
			p("  %s (%s)\n", f.Title, f.ControlID)
			for _, m := range f.Missing {
				text := m.Fact + ": " + handwash.ReasonText(m.Reason)
				if m.Detail != "" {
					text += " (" + m.Detail + ")"
				}
				wrap(b, text, "      ")
			}
		}
		p("\n")
	}

	if len(v.Excepted) > 0 || len(v.Expired) > 0 {
		p("Exceptions\n")
		for _, f := range v.Excepted {
			e := f.Exception
			wrap(b, fmt.Sprintf("%s (%s): accepted by %s until %s. Reason: %s", f.Title, f.ControlID, e.Owner, e.Expires.Format("2 January 2006"), e.Reason), "  ")
		}
		for _, f := range v.Expired {
			e := f.Exception
			wrap(b, fmt.Sprintf("%s (%s): the exception expired on %s and no longer applies.", f.Title, f.ControlID, e.Expires.Format("2 January 2006")), "  ")
		}
		p("\n")
	}

	for _, d := range a.ReferenceData {
		wrap(b, fmt.Sprintf("%s: %s, as of %s.", d.Name, d.Source, d.AsOf), "")
	}
	if len(a.Facts.Errors) > 0 {
		p("Collector problems: %s\n", strings.Join(a.Facts.Errors, "; "))
	}
	p("Facts collected %s in %d ms%s.\n", when(a.Facts.CollectedAt), a.Facts.DurationMS, map[bool]string{true: " as administrator", false: ""}[a.Facts.Elevated])
	return b.Flush()
}

// bar draws a ten-character score bar.
func bar(score int) string {
	n := (score + 5) / 10
	return strings.Repeat("#", n) + strings.Repeat(".", 10-n)
}

// wrap writes text wrapped to the report width, each line indented. Lines
// that look like list items keep a hanging indent.
func wrap(w io.Writer, text, indent string) {
	text = strings.TrimRight(text, " ")
	if strings.TrimSpace(text) == "" {
		return
	}
	hang := indent
	lead := strings.TrimLeft(text, " ")
	if i := strings.Index(lead, ". "); i > 0 && i <= 3 && isDigits(lead[:i]) {
		hang = indent + strings.Repeat(" ", i+2)
	} else if strings.HasPrefix(lead, "- ") {
		hang = indent + "  "
	}
	line := indent
	first := true
	for _, word := range strings.Fields(text) {
		if len(line)+1+len(word) > width && strings.TrimSpace(line) != "" {
			fmt.Fprintln(w, line)
			line = hang
			first = true
		}
		if !first {
			line += " "
		}
		line += word
		first = false
	}
	fmt.Fprintln(w, line)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Explain writes one control: what it checks, why, the threshold, its
// references, the fix for each platform, and, when a finding is given, the
// evidence it was judged on.
func Explain(w io.Writer, c *handwash.Control, f *handwash.Finding) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("%s: %s\n", c.ID, c.Title)
	p("Area: %s. Severity: %s.\n", c.Area.Title(), c.Severity)
	if len(c.Platforms) > 0 {
		var names []string
		for _, pl := range c.Platforms {
			names = append(names, pl.Title())
		}
		p("Applies to: %s.\n", strings.Join(names, ", "))
	}
	p("\nWhat it checks\n")
	wrap(b, c.Checks, "  ")
	if c.Threshold != "" {
		p("\nThe rule\n")
		wrap(b, c.Threshold, "  ")
	}
	p("\nWhy it matters\n")
	wrap(b, c.Why, "  ")
	p("\nReferences\n")
	for _, r := range c.References {
		wrap(b, "- "+refLine(r), "  ")
		if r.URL != "" {
			p("    %s\n", r.URL)
		}
	}
	if f != nil {
		p("\nOn this device: %s\n", statusLabel(f.Status))
		if f.Summary != "" {
			wrap(b, f.Summary, "  ")
		}
		p("\nEvidence\n")
		for _, e := range f.Evidence {
			wrap(b, "- "+e.Label+": "+e.Value, "  ")
		}
		for _, m := range f.Missing {
			wrap(b, fmt.Sprintf("- %s was not observed: %s %s", m.Fact, handwash.ReasonText(m.Reason), m.Detail), "  ")
		}
		if f.Exception != nil {
			e := f.Exception
			state := "applies"
			if e.Expired {
				state = "expired"
			}
			wrap(b, fmt.Sprintf("Exception (%s): accepted by %s until %s. Reason: %s", state, e.Owner, e.Expires.Format("2 January 2006"), e.Reason), "  ")
		}
	}
	p("\nHow to fix it\n")
	for _, pl := range handwash.Platforms {
		steps, ok := c.Fix[pl]
		if !ok {
			continue
		}
		p("  On %s:\n", pl.Title())
		for _, line := range strings.Split(steps, "\n") {
			wrap(b, line, "    ")
		}
	}
	return b.Flush()
}
