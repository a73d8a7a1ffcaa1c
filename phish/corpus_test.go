package phish

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/handwash/handwash/internal/golden"
)

// corpusDir holds real labelled messages shared by the project's tests;
// they are not copied into this repository.
var corpusDir = filepath.Join("..", "..", "shared", "fixtures", "email")

// accuracyDoc is where the measured results are published; the test keeps
// it true.
var accuracyDoc = filepath.Join("..", "docs", "PHISHING-ACCURACY.md")

// corpusMessage is one labelled message.
type corpusMessage struct {
	path  string // relative to corpusDir
	label string
	raw   []byte
}

// Labels, from SpamAssassin's folders. Phishing is the subset of spam/
// that impersonates a sender or leads to a fake sign-in page; "generic
// spam" is SpamAssassin's real 2002-era spam, which advertises rather than
// phishes and need not be flagged.
const (
	labelPhishing = "phishing"
	labelSpam     = "generic spam"
	labelOther    = "other spam"
	labelHam      = "ham"
)

var (
	genericSpam = regexp.MustCompile(`^spam/0[01][0-9]$`)
	phishing    = regexp.MustCompile(`^spam/(phishing_[^/]+|fromnamespoof/[^/]+|dmarc/[^/]*ko\.eml)$`)
)

func labelOf(rel string) string {
	rel = filepath.ToSlash(rel)
	switch {
	case phishing.MatchString(rel):
		return labelPhishing
	case genericSpam.MatchString(rel):
		return labelSpam
	case strings.HasPrefix(rel, "spam/"):
		return labelOther
	case strings.HasPrefix(rel, "nice/"):
		return labelHam
	}
	return ""
}

// loadCorpus reads the labelled SpamAssassin messages, skipping the test
// when the shared fixtures are not there.
func loadCorpus(t testing.TB) []corpusMessage {
	t.Helper()
	root := filepath.Join(corpusDir, "spamassassin")
	if _, err := os.Stat(root); err != nil {
		t.Skipf("the labelled email corpus is not at %s (it lives beside the repository, in shared/fixtures/email): %v", root, err)
	}
	var out []corpusMessage
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		label := labelOf(rel)
		if label == "" {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, corpusMessage{path: filepath.ToSlash(rel), label: label, raw: raw})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// allMessages is every message in the shared email fixtures, labelled or
// not, for the benchmark and fuzz seeds.
func allMessages(t testing.TB) [][]byte {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("the email fixtures are not at %s: %v", corpusDir, err)
	}
	var out [][]byte
	filepath.WalkDir(corpusDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		base := filepath.Base(p)
		if base == "LICENSE" || base == "NOTICE" || strings.HasSuffix(base, ".dns") || strings.Contains(p, "dkimpy") && strings.HasSuffix(base, ".txt") {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err == nil && len(bytes.TrimSpace(raw)) > 0 {
			out = append(out, raw)
		}
		return nil
	})
	return out
}

// TestAccuracy measures the verdicts on the labelled corpus, fails when
// the quality bar is not met, and keeps the figures in
// docs/PHISHING-ACCURACY.md current (go test ./phish -run TestAccuracy
// -update rewrites them).
//
// The bar: every phishing message is at least "suspicious", and at most 5%
// of ham is "likely phishing".
func TestAccuracy(t *testing.T) {
	msgs := loadCorpus(t)
	verdicts := []Verdict{VerdictPhishing, VerdictSuspicious, VerdictNone}
	labels := []string{labelPhishing, labelSpam, labelOther, labelHam}
	matrix := map[string]map[Verdict]int{}
	totals := map[string]int{}
	for _, l := range labels {
		matrix[l] = map[Verdict]int{}
	}
	var phishRows, hamFlagged []string
	for _, m := range msgs {
		r, err := Analyse(context.Background(), m.raw, Options{})
		if err != nil {
			// An empty file is rejected, not judged: count it as
			// unflagged, which is what a reader would see.
			r = &Report{Verdict: VerdictNone}
		}
		matrix[m.label][r.Verdict]++
		totals[m.label]++
		row := fmt.Sprintf("| `%s` | %s | %d | %s |", m.path, r.Verdict, r.Score, strings.Join(signList(r), ", "))
		switch {
		case m.label == labelPhishing:
			phishRows = append(phishRows, row)
			if r.Verdict == VerdictNone {
				t.Errorf("phishing message %s: verdict %q (score %d, %v), want at least %q", m.path, r.Verdict, r.Score, signIDs(r), VerdictSuspicious)
			}
		case m.label == labelHam && r.Verdict != VerdictNone:
			hamFlagged = append(hamFlagged, row)
		}
	}
	if n := matrix[labelPhishing][VerdictPhishing] + matrix[labelPhishing][VerdictSuspicious]; n == 0 {
		t.Fatal("no phishing messages found in the corpus")
	}
	hamLikely := matrix[labelHam][VerdictPhishing]
	if float64(hamLikely) > 0.05*float64(totals[labelHam]) {
		t.Errorf("%d of %d ham messages are %q, more than 5%%", hamLikely, totals[labelHam], VerdictPhishing)
	}

	var b strings.Builder
	b.WriteString("| actual \\ verdict | likely phishing | suspicious | no signs found | total |\n|---|---:|---:|---:|---:|\n")
	for _, l := range labels {
		fmt.Fprintf(&b, "| %s |", l)
		for _, v := range verdicts {
			fmt.Fprintf(&b, " %d |", matrix[l][v])
		}
		fmt.Fprintf(&b, " %d |\n", totals[l])
	}
	flagged := func(l string) int { return matrix[l][VerdictPhishing] + matrix[l][VerdictSuspicious] }
	likely := func(l string) int { return matrix[l][VerdictPhishing] }
	allSpam := func(f func(string) int) int { return f(labelPhishing) + f(labelSpam) + f(labelOther) }
	spamTotal := totals[labelPhishing] + totals[labelSpam] + totals[labelOther]
	b.WriteString("\n| measure | flagged = suspicious or worse | flagged = likely phishing |\n|---|---:|---:|\n")
	fmt.Fprintf(&b, "| phishing recall | %s | %s |\n", ratio(flagged(labelPhishing), totals[labelPhishing]), ratio(likely(labelPhishing), totals[labelPhishing]))
	fmt.Fprintf(&b, "| phishing precision (phishing vs ham) | %s | %s |\n",
		ratio(flagged(labelPhishing), flagged(labelPhishing)+flagged(labelHam)), ratio(likely(labelPhishing), likely(labelPhishing)+likely(labelHam)))
	fmt.Fprintf(&b, "| spam recall (all of spam/) | %s | %s |\n", ratio(allSpam(flagged), spamTotal), ratio(allSpam(likely), spamTotal))
	fmt.Fprintf(&b, "| spam precision (spam/ vs nice/) | %s | %s |\n",
		ratio(allSpam(flagged), allSpam(flagged)+flagged(labelHam)), ratio(allSpam(likely), allSpam(likely)+likely(labelHam)))
	fmt.Fprintf(&b, "| ham flagged (false positive rate) | %s | %s |\n", ratio(flagged(labelHam), totals[labelHam]), ratio(likely(labelHam), totals[labelHam]))
	b.WriteString("\nEvery phishing message:\n\n| message | verdict | score | signs (weight) |\n|---|---|---:|---|\n")
	b.WriteString(strings.Join(phishRows, "\n") + "\n")
	b.WriteString("\nHam flagged at all:\n\n")
	if len(hamFlagged) == 0 {
		b.WriteString("None.\n")
	} else {
		b.WriteString("| message | verdict | score | signs (weight) |\n|---|---|---:|---|\n" + strings.Join(hamFlagged, "\n") + "\n")
	}
	checkDocSection(t, accuracyDoc, "accuracy", b.String())
}

func signList(r *Report) []string {
	out := make([]string, 0, len(r.Signs))
	for _, s := range r.Signs {
		out = append(out, fmt.Sprintf("%s (%d)", s.ID, s.Weight))
	}
	return out
}

func ratio(n, d int) string {
	if d == 0 {
		return "–"
	}
	return fmt.Sprintf("%d/%d = %.0f%%", n, d, 100*float64(n)/float64(d))
}

// checkDocSection compares the text between the section's markers in a
// document with want, or rewrites it with -update.
func checkDocSection(t *testing.T, path, name, want string) {
	t.Helper()
	begin, end := "<!-- "+name+":begin -->\n", "<!-- "+name+":end -->"
	doc, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./phish -run %s -update)", err, t.Name())
	}
	s := string(doc)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q … %q section", path, begin, end)
	}
	got := s[i+len(begin) : j]
	if got == want {
		return
	}
	if *golden.Update {
		s = s[:i+len(begin)] + want + s[j:]
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	k := 0
	for k < min(len(gl), len(wl)) && gl[k] == wl[k] {
		k++
	}
	t.Errorf("%s is out of date (run go test ./phish -run %s -update); first difference at line %d of the section:\n doc: %s\n now: %s",
		path, t.Name(), k+1, lineAt(gl, k), lineAt(wl, k))
}

func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end)"
}
