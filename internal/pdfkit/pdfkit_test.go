package pdfkit

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash/internal/pdfkit/pdftest"
)

func render(t *testing.T, d *Doc) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := d.F.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The document's properties are its Info, cleaned up for fpdf's UTF-16,
// and its dates are Info's Date, not the clock.
func TestNewProperties(t *testing.T) {
	info := Info{
		Date:     time.Date(2026, 11, 30, 14, 5, 0, 0, time.UTC),
		Title:    "Report: Zoë’s Care — Łukasz 🙂",
		Author:   "Handwash",
		Subject:  "Evidence for Zoë’s Care 👨‍👩‍👧",
		Keywords: "cyber hygiene, evidence",
		Creator:  "Handwash 1.4.0",
	}
	d := New(info)
	d.F.AddPage()
	pdf := render(t, d)
	for _, date := range []string{"/CreationDate (D:20261130140500)", "/ModDate (D:20261130140500)"} {
		if !bytes.Contains(pdf, []byte(date)) {
			t.Errorf("the PDF lacks %s: its dates must be Info's Date", date)
		}
	}
	d = New(info)
	d.F.AddPage()
	if !bytes.Equal(pdf, render(t, d)) {
		t.Error("two documents with the same Info differ")
	}

	got := pdftest.Poppler(t, "pdfinfo", pdf, "-isodates")
	for _, want := range []string{
		// fpdf writes properties as UTF-16 without surrogate pairs:
		// characters beyond the Basic Multilingual Plane become "?".
		"Title:           Report: Zoë’s Care — Łukasz ?",
		"Subject:         Evidence for Zoë’s Care ?",
		"Keywords:        cyber hygiene, evidence",
		"Author:          Handwash",
		"Creator:         Handwash 1.4.0",
		"Producer:        Handwash 1.4.0",
		"CreationDate:    2026-11-30T14:05:00",
		"Page size:       595.28 x 841.89 pts (A4)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, got)
		}
	}
}

// Every page but the first has the header; every page has the footer,
// numbered "Page N of M".
func TestPageHeaderAndFooter(t *testing.T) {
	d := New(Info{Title: "Test"})
	f := d.F
	f.SetHeaderFunc(func() {
		if f.PageNo() > 1 {
			d.PageHeader("Rosewood Care Homes: "+strings.Repeat("a long header ", 20), true)
		}
	})
	f.SetFooterFunc(func() { d.PageFooter("Made by Handwash") })
	for range 3 {
		f.AddPage()
	}
	pages := strings.Split(pdftest.Poppler(t, "pdftotext", render(t, d)), "\f")
	for i, page := range pages[:3] {
		flat := strings.Join(strings.Fields(page), " ")
		if header := strings.Contains(flat, "Rosewood Care Homes: a long header"); header != (i > 0) {
			t.Errorf("page %d: header shown %v, want %v", i+1, header, i > 0)
		}
		if want := "Made by Handwash Page " + string(rune('1'+i)) + " of 3"; !strings.Contains(flat, want) {
			t.Errorf("page %d lacks %q: %q", i+1, want, flat)
		}
	}
	if !strings.Contains(pages[1], "…") {
		t.Errorf("the header too wide for the page is not shortened: %q", pages[1])
	}
}

func TestItem(t *testing.T) {
	d := New(Info{Title: "Test"})
	d.F.AddPage()
	d.Item("•", Run{Text: "Bold start", Style: "B"}, Run{Text: " then plain, long enough to wrap onto a second line under the first word " + strings.Repeat("and on ", 10)})
	d.F.Ln(BodyLine)
	d.Item("2.", Run{Text: "Zoë → Łukasz", Colour: Red})
	flat := strings.Join(strings.Fields(pdftest.Poppler(t, "pdftotext", render(t, d))), " ")
	for _, want := range []string{"• Bold start then plain", "2. Zoë -> Lukasz"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the items' text lacks %q: %q", want, flat)
		}
	}
}
