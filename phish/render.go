package phish

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// textWidth is where the text report wraps, to read well in a terminal.
const textWidth = 78

// WriteText writes r for people: the verdict, the signs in plain English
// with the most important first, and what to do.
func WriteText(w io.Writer, r *Report) error {
	bw := bufio.NewWriter(w)
	headline := map[Verdict]string{
		VerdictPhishing:   "LIKELY PHISHING",
		VerdictSuspicious: "SUSPICIOUS",
		VerdictNone:       "NO SIGNS OF PHISHING FOUND",
	}[r.Verdict]
	if headline == "" {
		headline = strings.ToUpper(string(r.Verdict))
	}
	fmt.Fprintf(bw, "%s (score %d)\n", headline, r.Score)
	writeWrapped(bw, r.Summary, "", "")
	bw.WriteString("\n")
	if r.From != "" {
		writeWrapped(bw, r.From, "From:    ", "         ")
	}
	if r.Subject != "" {
		writeWrapped(bw, r.Subject, "Subject: ", "         ")
	}

	if len(r.Signs) > 0 {
		bw.WriteString("\nWhat Handwash found, most important first:\n")
		for i, s := range r.Signs {
			bw.WriteString("\n")
			num := fmt.Sprintf("%d. ", i+1)
			indent := strings.Repeat(" ", len(num))
			writeWrapped(bw, s.Title, num, indent)
			writeWrapped(bw, s.Explanation, indent, indent)
			for _, e := range s.Evidence {
				writeWrapped(bw, e, indent+"> ", indent+"  ")
			}
		}
	}
	if len(r.Problems) > 0 {
		bw.WriteString("\nParts of the message could not be read:\n")
		for _, p := range r.Problems {
			writeWrapped(bw, p, "  - ", "    ")
		}
	}
	bw.WriteString("\nWhat to do:\n")
	for _, a := range r.Advice {
		writeWrapped(bw, a, "  - ", "    ")
	}
	return bw.Flush()
}

// writeWrapped writes s wrapped at textWidth, the first line after first
// and the rest after rest. Words longer than a line (links) get a line of
// their own rather than being broken.
func writeWrapped(w *bufio.Writer, s, first, rest string) {
	prefix := first
	line := 0
	for i, word := range strings.Fields(s) {
		if i == 0 {
			w.WriteString(prefix)
			line = len(prefix)
		} else if line+1+len(word) > textWidth {
			w.WriteString("\n")
			w.WriteString(rest)
			line = len(rest)
		} else {
			w.WriteByte(' ')
			line++
		}
		w.WriteString(word)
		line += len(word)
	}
	w.WriteString("\n")
}
