package readiness

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/pdfkit"
	"github.com/handwash/handwash/internal/pdfkit/pdftest"
)

func renderPDFBytes(t testing.TB, r *Readiness) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WritePDF(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// buildWith works out a fixture's readiness after changing its input.
func buildWith(t *testing.T, name string, change func(*Input)) *Readiness {
	t.Helper()
	for _, f := range fixtures {
		if f.name == name {
			in := f.in(t)
			change(&in)
			return mustBuild(t, in)
		}
	}
	t.Fatalf("no fixture %q", name)
	return nil
}

func TestWritePDFNeedsReadiness(t *testing.T) {
	if err := WritePDF(io.Discard, nil); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("WritePDF(nil) = %v, want an EINVALID error", err)
	}
}

// The same readiness gives the same bytes, and a different moment gives
// different bytes: the document's dates come from r.Now, not the clock.
func TestPDFIsDeterministic(t *testing.T) {
	for _, name := range []string{"admin-without-mfa", "nothing-known"} {
		t.Run(name, func(t *testing.T) {
			first := renderPDFBytes(t, build(t, name))
			if !bytes.HasPrefix(first, []byte("%PDF-1.")) {
				t.Fatalf("output starts %q, want %%PDF-1.", first[:min(len(first), 8)])
			}
			if !bytes.HasSuffix(bytes.TrimSpace(first), []byte("%%EOF")) {
				t.Errorf("output does not end with %s", "%%EOF")
			}
			// Rendering other input in between must not leak into the next.
			renderPDFBytes(t, build(t, "unanswered-expired"))
			second := renderPDFBytes(t, build(t, name))
			if !bytes.Equal(first, second) {
				t.Errorf("two renderings of the same readiness differ (%d and %d bytes)", len(first), len(second))
			}
			for _, date := range []string{"/CreationDate (D:20261130120000)", "/ModDate (D:20261130120000)"} {
				if !bytes.Contains(first, []byte(date)) {
					t.Errorf("the PDF lacks %s: its dates must be the readiness's Now", date)
				}
			}
			later := build(t, name)
			later.Now = later.Now.Add(time.Minute)
			if bytes.Equal(first, renderPDFBytes(t, later)) {
				t.Error("a readiness worked out a minute later renders the same bytes: Now is not used")
			}
		})
	}
}

// pdfPageCount reads the number of pages with pdfinfo.
func pdfPageCount(t *testing.T, pdf []byte) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(pdftest.Poppler(t, "pdfinfo", pdf))
	if m == nil {
		t.Fatal("pdfinfo does not give the number of pages")
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// flatten joins a PDF's words with single spaces: pdftotext breaks lines
// where the PDF does, and the words are what matter.
func flatten(s string) string { return strings.Join(strings.Fields(s), " ") }

// squash removes what pdftotext may add or drop where a line wraps:
// spaces, line and page breaks, and hyphens (it joins a line that ends in
// one to the next).
var squash = strings.NewReplacer("-", "", " ", "", "\n", "", "\f", "")

// inOrder reports the first of want that is missing from text, or out of
// order, searching from the start of text.
func inOrder(text string, want []string) (string, bool) {
	at := 0
	for _, w := range want {
		i := strings.Index(text[at:], w)
		if i < 0 {
			return w, false
		}
		at += i + len(w)
	}
	return "", true
}

// planInOrder checks the action plan in the text pdftotext -layout reads:
// each action's row starts with its number and the first words of its
// title, in the plan's order, and every word of the title is in the row,
// in order, among the words of the other columns beside it.
func planInOrder(t *testing.T, layout string, actions []Action) {
	t.Helper()
	i := strings.Index(layout, "What to do, most urgent first")
	if i < 0 {
		if len(actions) > 0 {
			t.Error("the PDF has no action plan")
		}
		return
	}
	// A line may break after a hyphen: split words there on both sides.
	split := func(s string) []string { return strings.Fields(strings.ReplaceAll(pdfkit.Fold(s), "-", "- ")) }
	words := split(layout[i:])
	starts := make([]int, len(actions)+1)
	at := 0
	for n, a := range actions {
		title := split(a.Title)
		head := append([]string{strconv.Itoa(n + 1)}, title[:min(2, len(title))]...)
		starts[n] = -1
		for j := at; j+len(head) <= len(words); j++ {
			if slices.Equal(words[j:j+len(head)], head) {
				starts[n] = j
				break
			}
		}
		if starts[n] < 0 {
			t.Errorf("action %d, %q, is missing from the plan or out of order", n+1, a.Title)
			return
		}
		at = starts[n] + 1
	}
	starts[len(actions)] = len(words)
	for n, a := range actions {
		k, end := starts[n]+1, starts[n+1]
		for _, w := range split(a.Title) {
			for k < end && words[k] != w {
				k++
			}
			if k == end {
				t.Errorf("action %d lacks %q of its title %q", n+1, w, a.Title)
				break
			}
			k++
		}
	}
}

// Each fixture's PDF, read back, has the organisation, every status, the
// action plan in order and the page numbers, in the HTML's order.
func TestPDFText(t *testing.T) {
	for _, f := range fixtures {
		t.Run(f.name, func(t *testing.T) {
			r := build(t, f.name)
			pdf := renderPDFBytes(t, r)
			raw := pdftest.Poppler(t, "pdftotext", pdf)
			flat := flatten(raw)
			want := []string{
				"Cyber Essentials and DSPT readiness", r.OrgName, "Worked out on 30 November 2026",
				"Readiness at a glance", "Action plan: " + actionsSummary(r.Actions),
				r.CyberEssentials.Status.Label() + ". " + r.CyberEssentials.Summary,
				"Automatic fails", "Requirements", "Readiness by level", "Evidence items Handwash covers",
				LevelApproaching, LevelMet, "What shows each item, and what is missing",
				"Made by Handwash on 30 November 2026", AutoFailSource,
			}
			for _, it := range append(append([]*CEItem(nil), r.CyberEssentials.AutoFail...), r.CyberEssentials.Requirements...) {
				title := it.Title
				if it.Questions != "" {
					title += " (" + it.Questions + ")"
				}
				want = append(want, title+": "+it.Status.Label(), "Behind "+it.Title)
			}
			for _, it := range r.DSPT.Items {
				status := "not met"
				if it.Met {
					status = "met"
				}
				want = append(want, it.Label()+": "+status)
			}
			if len(r.Actions) > 0 {
				want = append(want, "What to do, most urgent first", r.Actions[0].Title)
			} else {
				want = append(want, nothingToDo)
			}
			for _, w := range want {
				if !strings.Contains(flat, w) {
					t.Errorf("the PDF's text lacks %q", w)
				}
			}

			// The sections and the items come in the HTML's order.
			order := []string{"Readiness at a glance", "In IASME's"}
			for _, it := range r.CyberEssentials.AutoFail {
				order = append(order, it.Title)
			}
			order = append(order, "Requirements")
			for _, it := range r.CyberEssentials.Requirements {
				order = append(order, it.Title+": "+it.Status.Label())
			}
			order = append(order, "Readiness by level", "Evidence items Handwash covers", "What shows each item, and what is missing", "Action plan")
			if missing, ok := inOrder(flat, order); !ok {
				t.Errorf("%q is missing or out of order", missing)
			}
			planInOrder(t, pdftest.Poppler(t, "pdftotext", pdf, "-layout"), r.Actions)

			pages := pdfPageCount(t, pdf)
			if pages < 3 || pages > 40 {
				t.Errorf("the PDF has %d pages, want between 3 and 40", pages)
			}
			for i := 1; i <= pages; i++ {
				if !strings.Contains(flat, fmt.Sprintf("Page %d of %d", i, pages)) {
					t.Errorf("page %d has no number", i)
				}
			}
			if strings.Contains(raw, "{nb}") {
				t.Error(`the page count alias "{nb}" was not replaced`)
			}
		})
	}
}

func TestPDFMetadata(t *testing.T) {
	r := buildWith(t, "admin-without-mfa", func(in *Input) { in.OrgName = "Zoë’s Care — Łukasz 🙂" })
	info := pdftest.Poppler(t, "pdfinfo", renderPDFBytes(t, r), "-isodates")
	// The emoji becomes "?": see pdfkit.MetaText.
	for _, want := range []string{
		"Title:           Cyber Essentials and DSPT readiness: Zoë’s Care — Łukasz ?",
		"CreationDate:    2026-11-30T12:00:00",
	} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
}

// Text outside Windows-1252, which the core fonts show, is folded into it
// as the evidence report's PDF folds it: accents kept where the code page
// has them, dropped where it has not, and "?" for an emoji, never
// mojibake.
func TestPDFUnicode(t *testing.T) {
	r := buildWith(t, "admin-without-mfa", func(in *Input) {
		in.OrgName = "Zoë’s Care — Łukasz 🙂"
		in.Answers = answered(t, map[string]handwash.Answer{
			"devices.public-wifi":               notApplicableWiFi,
			"phishing.payment-changes-verified": {Value: handwash.AnswerNo, Note: "Ask Zoë or Łukasz 👍🏽 → 漢字", Owner: "Łukasz Nowak"},
		})
	})
	flat := flatten(pdftest.Poppler(t, "pdftotext", renderPDFBytes(t, r)))
	for _, want := range []string{"Zoë’s Care — Lukasz ?", "Note: Ask Zoë or Lukasz ? -> ??", "Owner: Lukasz Nowak"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF's text lacks %q", want)
		}
	}
	for _, bad := range []string{"Ã", "Å", "Â", "ð", "\uFFFD"} {
		if strings.Contains(flat, bad) {
			t.Errorf("the PDF's text has mojibake %q", bad)
		}
	}
}

// longPlan is a readiness whose action plan has n actions, of every
// length: one taller than a page, and one with a word wider than its
// column.
func longPlan(t *testing.T, n int) *Readiness {
	r := build(t, "admin-without-mfa")
	severities := []handwash.Severity{handwash.SeverityCritical, handwash.SeverityHigh, handwash.SeverityMedium, handwash.SeverityLow}
	r.Actions = nil
	for i := range n {
		a := Action{
			Title:    fmt.Sprintf("Action %03d: put right what this check found on the computers in the office", i+1),
			Problem:  fmt.Sprintf("Fails on %d of 40 devices.", i%40+1),
			Why:      strings.Repeat("It matters because a care home holds people's records and must keep them safe. ", i%6),
			Link:     fmt.Sprintf("area.a-long-control-identifier-%03d", i+1),
			Kind:     ActionCheck,
			Severity: severities[i%len(severities)],
			AutoFail: i < 3,
			Schemes:  []SchemeRef{{Scheme: "ce", ID: "firewalls", Title: "Firewalls"}, {Scheme: "dspt", ID: "6.2.1", Title: "6.2.1"}}[:i%3],
		}
		switch i {
		case 7:
			a.Why = strings.TrimSpace(strings.Repeat("word ", 1500))
		case 11:
			a.Note = strings.Repeat("x", 600)
		}
		r.Actions = append(r.Actions, a)
	}
	return r
}

// A very long action plan carries on over many pages, under its caption
// and headings, and nothing is drawn below the bottom margin.
func TestPDFLongActionPlan(t *testing.T) {
	r := longPlan(t, 200)
	p := renderPDF(r)
	var b bytes.Buffer
	if err := p.F.Output(&b); err != nil {
		t.Fatal(err)
	}
	if p.deepest <= pdfkit.TopMargin || p.deepest > p.Bottom+0.001 {
		t.Errorf("the cursor reached %.2f mm down a page, want at most %.2f mm", p.deepest, p.Bottom)
	}
	pdf := b.Bytes()

	pages := pdfPageCount(t, pdf)
	if pages < 25 || pages > 120 {
		t.Errorf("the PDF of 200 actions has %d pages, want between 25 and 120", pages)
	}
	raw := pdftest.Poppler(t, "pdftotext", pdf)
	flat := flatten(raw)
	planInOrder(t, pdftest.Poppler(t, "pdftotext", pdf, "-layout"), r.Actions)
	if got := strings.Count(flat, "What to do, most urgent first (continued)"); got < pages-15 {
		t.Errorf("the plan continues under its caption on %d pages of %d", got, pages)
	}
	// The action taller than a page is split between pages, not cut.
	words := 0
	for _, w := range strings.Fields(flat) {
		if w == "word" {
			words++
		}
	}
	if words != 1500 {
		t.Errorf("the action taller than a page has %d of its 1500 words", words)
	}
	if !strings.Contains(squash.Replace(raw), strings.Repeat("x", 600)) {
		t.Error("the word wider than its column is not all there")
	}
	if !strings.Contains(flat, fmt.Sprintf("Page %d of %d", pages, pages)) {
		t.Errorf("the last page is not numbered %d of %d", pages, pages)
	}

	// Every word lies in the header, the body or the footer, and inside
	// the side margins (poppler measures in points).
	box := pdftest.Poppler(t, "pdftotext", pdf, "-bbox")
	word := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>`)
	boxes := word.FindAllStringSubmatch(box, -1)
	if len(boxes) < 1000 {
		t.Fatalf("pdftotext -bbox found %d words, want many more", len(boxes))
	}
	const mm = 72 / 25.4
	bad := 0
	for _, w := range boxes {
		var v [4]float64
		for i := range v {
			v[i], _ = strconv.ParseFloat(w[i+1], 64)
			v[i] /= mm
		}
		xMin, yMin, xMax, yMax := v[0], v[1], v[2], v[3]
		header := yMax <= 14
		body := yMin >= pdfkit.TopMargin-1 && yMax <= p.Bottom+1
		footer := yMin >= pdfkit.PageHeight-13 && yMax <= pdfkit.PageHeight-6
		inside := xMin >= pdfkit.Margin-1 && xMax <= 210-pdfkit.Margin+1
		if !(header || body || footer) || !inside {
			if bad++; bad <= 10 {
				t.Errorf("%q lies at (%.1f, %.1f)-(%.1f, %.1f) mm, outside the page's text area", w[5], xMin, yMin, xMax, yMax)
			}
		}
	}
	if bad > 10 {
		t.Errorf("and %d more words outside the text area", bad-10)
	}
}
