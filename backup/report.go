package backup

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/handwash/handwash"
)

// ResultSchema names the version of the JSON document.
const ResultSchema = "handwash.backup-verification/v1"

// Result is the JSON form of a verification: what was found and how it
// was judged.
type Result struct {
	Schema       string             `json:"schema"`
	Verification *Verification      `json:"verification"`
	Findings     []handwash.Finding `json:"findings"`
}

// NewResult returns the JSON form of a verification and its findings.
func NewResult(v *Verification, fs []handwash.Finding) Result {
	if fs == nil {
		fs = []handwash.Finding{}
	}
	return Result{Schema: ResultSchema, Verification: v, Findings: fs}
}

// reportWidth is where the text report wraps.
const reportWidth = 78

// WriteText writes a report for a person: what was checked (the newest
// backup and its age, the integrity check, the test restore with its
// speed, whether this computer could delete the backups), then what to
// fix with the most serious first, what could not be checked, and what is
// in good order. Text from backups and tools is stripped of control
// characters, so a file name cannot drive the terminal.
func WriteText(w io.Writer, v *Verification, fs []handwash.Finding) error {
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	p("Backup check: %s\n", clean(kindTitle(v.Kind)+" "+v.Location))
	checked := "Checked " + When(v.StartedAt)
	if v.Tool != "" {
		checked += " with " + v.Tool
	}
	if d := v.FinishedAt.Sub(v.StartedAt); d > 0 && !v.StartedAt.IsZero() {
		checked += fmt.Sprintf(", in %.1f seconds", d.Seconds())
	}
	wrapText(b, checked+".", "", "")
	p("\n")
	wrapText(b, verdict(fs), "", "")
	p("\nWhat was checked\n")
	writeChecked(b, v)
	writeFindings(b, fs)
	return b.Flush()
}

func kindTitle(kind string) string {
	switch kind {
	case KindRestic:
		return "restic repository"
	case KindBorg:
		return "borg repository"
	case KindFolder:
		return "copy in folder"
	case KindS3:
		return "bucket"
	}
	return kind
}

func verdict(fs []handwash.Finding) string {
	fail, unknown := 0, 0
	for _, f := range fs {
		switch f.Status {
		case handwash.StatusFail:
			fail++
		case handwash.StatusUnknown:
			unknown++
		}
	}
	switch {
	case fail == 0 && unknown == 0:
		return "Result: nothing to fix. Check again every week, and after any change to how backups are made."
	case fail == 0:
		return fmt.Sprintf("Result: nothing to fix in what could be checked, but %s could not be checked.", plural(unknown, "thing"))
	case unknown == 0:
		return fmt.Sprintf("Result: %s to fix.", plural(fail, "problem"))
	}
	return fmt.Sprintf("Result: %s to fix; %s could not be checked.", plural(fail, "problem"), plural(unknown, "thing"))
}

// labelWidth is the width of the labels of "What was checked".
const labelWidth = 17

func writeChecked(b *bufio.Writer, v *Verification) {
	row := func(label, text string) {
		wrapText(b, text, "  "+label+strings.Repeat(" ", labelWidth-len(label)), strings.Repeat(" ", labelWidth+2))
	}
	row("Newest backup", newestLine(v))
	row("Integrity", integrityLine(v))
	row("Test restore", restoreLine(v.Kind, v.Restore))
	row("Ransomware", exposureLine(v.Exposure))
	if v.Protection != nil {
		row("Bucket settings", bucketLine(v.Protection))
	}
}

func newestLine(v *Verification) string {
	if v.Newest == nil {
		return "none found."
	}
	s := When(*v.Newest)
	if !v.FinishedAt.IsZero() {
		if age := v.FinishedAt.Sub(*v.Newest); age >= 0 {
			s += ", " + duration(age) + " before this check"
		}
	}
	if c := backupsCount(v); c != "" {
		s += " (" + strings.TrimPrefix(c, "; ") + ")"
	}
	return s + "."
}

func integrityLine(v *Verification) string {
	in := v.Integrity
	switch {
	case !hasOwnCheck(v.Kind):
		return joinSentences("Not applicable.", in.Detail)
	case !in.Ran:
		return joinSentences("Could not be run.", in.Detail)
	}
	word := map[bool]string{true: "Passed", false: "FAILED"}[in.OK]
	if v.Kind == KindRestic || in.Subset != "" {
		word += "; data read: " + subsetText(in.Subset)
	}
	return joinSentences(word+".", in.Detail)
}

func restoreLine(kind string, r RestoreTest) string {
	if !r.Ran {
		return joinSentences("Not done.", r.Detail)
	}
	s := fmt.Sprintf("%s, %s", plural(r.Files, "file"), MB(r.Bytes))
	if r.Snapshot != "" {
		s += " from " + snapshotNoun(kind) + " " + r.Snapshot
	}
	s += fmt.Sprintf(", restored and checked in %.1f seconds", r.Seconds)
	if r.Seconds > 0 && r.Bytes > 0 {
		s += " (" + rate(float64(r.Bytes)/1e6/r.Seconds) + ")"
	}
	s += "."
	if r.Compared > 0 || r.Changed > 0 {
		s += fmt.Sprintf(" Compared with the originals: %d (%d identical)", r.Compared, r.Matched)
		if r.Changed > 0 {
			s += fmt.Sprintf("; %d changed since the backup, so not compared", r.Changed)
		}
		s += "."
	}
	if n := len(r.Mismatched); n > 0 {
		s += fmt.Sprintf(" DIFFERENT: %s.", list(r.Mismatched, 5))
	}
	if n := len(r.Unreadable); n > 0 {
		s += fmt.Sprintf(" COULD NOT BE RESTORED: %s.", list(r.Unreadable, 5))
	}
	return joinSentences(s, r.Detail)
}

// rate formats a speed in MB/s, with more digits when it is slow.
func rate(mbps float64) string {
	if mbps < 1 {
		return fmt.Sprintf("%.2f MB/s", mbps)
	}
	return fmt.Sprintf("%.1f MB/s", mbps)
}

func exposureLine(e Exposure) string {
	q := "Could this computer delete or overwrite the backups?"
	switch {
	case !e.Known:
		return joinSentences(q+" Not known.", e.Detail)
	case e.CanDelete:
		return joinSentences(q+" YES.", e.Detail)
	}
	return joinSentences(q+" No.", e.Detail)
}

func bucketLine(p *BucketProtection) string {
	var parts []string
	for _, e := range bucketEvidence(p) {
		parts = append(parts, strings.ToLower(e.Label[:1])+e.Label[1:]+": "+e.Value)
	}
	return joinSentences(capitalise(strings.Join(parts, "; "))+".", strings.Join(p.Errors, " "))
}

func writeFindings(b *bufio.Writer, fs []handwash.Finding) {
	var problems, unknown, good, na []handwash.Finding
	for _, f := range fs {
		switch f.Status {
		case handwash.StatusFail:
			problems = append(problems, f)
		case handwash.StatusUnknown:
			unknown = append(unknown, f)
		case handwash.StatusNotApplicable:
			na = append(na, f)
		default:
			good = append(good, f)
		}
	}
	sortBySeverity(problems)
	if len(problems) > 0 {
		fmt.Fprintf(b, "\nTo fix, most serious first (%d)\n", len(problems))
		for i, f := range problems {
			fmt.Fprintf(b, "\n%2d. %s [%s]  %s\n", i+1, clean(f.Title), strings.ToUpper(string(f.Severity)), f.ControlID)
			writeBody(b, f)
		}
	}
	if len(unknown) > 0 {
		fmt.Fprintf(b, "\nCould not be checked (%d)\n", len(unknown))
		for _, f := range unknown {
			fmt.Fprintf(b, "\n  - %s [%s]  %s\n", clean(f.Title), strings.ToUpper(string(f.Severity)), f.ControlID)
			writeBody(b, f)
		}
	}
	writeShort(b, "In good order", good)
	writeShort(b, "Does not apply", na)
}

func writeBody(b *bufio.Writer, f handwash.Finding) {
	wrapText(b, f.Summary, "    ", "    ")
	if f.Why != "" {
		wrapText(b, "Why it matters: "+f.Why, "    ", "    ")
	}
	if f.Fix != "" {
		fmt.Fprintf(b, "    How to fix it:\n")
		for _, line := range strings.Split(f.Fix, "\n") {
			wrapText(b, line, "      ", "      "+hang(line))
		}
	}
}

func writeShort(b *bufio.Writer, heading string, fs []handwash.Finding) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s (%d)\n", heading, len(fs))
	for _, f := range fs {
		fmt.Fprintf(b, "  - %s  %s\n", clean(f.Title), f.ControlID)
		wrapText(b, f.Summary, "    ", "    ")
	}
}

// sortBySeverity orders findings most serious first, keeping the order of
// equals.
func sortBySeverity(fs []handwash.Finding) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Severity.Rank() > fs[j-1].Severity.Rank(); j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// hang is the extra indent under a numbered step ("1. "), so its wrapped
// lines line up with its text.
func hang(line string) string {
	if i := strings.Index(line, ". "); i > 0 && i <= 3 && strings.Trim(line[:i], "0123456789") == "" {
		return strings.Repeat(" ", i+2)
	}
	return ""
}

// wrapText writes text word-wrapped at reportWidth: the first line starts
// with first, the others with rest. Words longer than a line (a command, a
// path) stay whole.
func wrapText(b *bufio.Writer, text, first, rest string) {
	line, empty := first, true
	for _, word := range strings.Fields(clean(text)) {
		if !empty && len(line)+1+len(word) > reportWidth {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line += word
		empty = false
	}
	if !empty {
		b.WriteString(line + "\n")
	}
}

// clean turns line breaks and tabs into spaces and replaces other control
// characters, which a file name in a backup or a
// tool's message could use to rewrite what a terminal shows.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return ' '
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return '?'
		}
		return r
	}, s)
}
