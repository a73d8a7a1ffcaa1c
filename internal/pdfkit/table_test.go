package pdfkit

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash/internal/pdfkit/pdftest"
)

func TestBreakPieces(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"word", []string{"word"}},
		{"two words", []string{"two ", "words"}},
		{"runs  of   spaces ", []string{"runs  ", "of   ", "spaces "}},
		{"NEW-LAPTOP-12", []string{"NEW-", "LAPTOP-", "12"}},
		{"passwords.cloud_admin/mfa", []string{"passwords.", "cloud_", "admin/", "mfa"}},
	} {
		if got := breakPieces(c.in); !slices.Equal(got, c.want) {
			t.Errorf("breakPieces(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// newTestDoc is a document with a page to draw on, in the table font.
func newTestDoc() *Doc {
	d := New(Info{Date: time.Date(2026, 11, 30, 14, 5, 0, 0, time.UTC), Title: "Test"})
	d.F.AddPage()
	d.Font("", TableSize, Ink)
	return d
}

func TestWrap(t *testing.T) {
	d := newTestDoc()
	w := 30.0
	limit := w - 2*d.F.GetCellMargin()
	text := "The printer in the office NEW-LAPTOP-12.rosewood.example needs a driver, and " +
		strings.Repeat("x", 80) + "\nA second paragraph"
	lines := d.Wrap(text, w)
	if len(lines) < 6 {
		t.Fatalf("Wrap gave %d lines, want the text wrapped onto more: %q", len(lines), lines)
	}
	for _, l := range lines {
		if lw := d.F.GetStringWidth(l); lw > limit {
			t.Errorf("line %q is %.1f mm wide, more than %.1f", l, lw, limit)
		}
		if l != strings.TrimRight(l, " ") {
			t.Errorf("line %q ends in a space", l)
		}
	}
	noSpace := strings.NewReplacer(" ", "", "\n", "")
	if noSpace.Replace(strings.Join(lines, "")) != noSpace.Replace(text) {
		t.Errorf("the lines %q do not hold all of the text", lines)
	}
	if !slices.Contains(lines, "A second paragraph") {
		t.Errorf("the newline does not start a line: %q", lines)
	}
	// A hostname breaks after its parts rather than within them.
	for _, l := range lines {
		if strings.HasSuffix(l, "LAPTO") || strings.HasSuffix(l, "rosew") {
			t.Errorf("line %q cuts a hostname within a part", l)
		}
	}
	if got := d.Wrap("", w); !slices.Equal(got, []string{""}) {
		t.Errorf("Wrap of nothing = %q, want one empty line", got)
	}
}

func TestFit(t *testing.T) {
	d := newTestDoc()
	if got := d.Fit("short", 50); got != "short" {
		t.Errorf("Fit of text that fits = %q", got)
	}
	long := d.S(strings.Repeat("Rosewood Care Homes ", 10))
	got := d.Fit(long, 50)
	if d.F.GetStringWidth(got) > 50 {
		t.Errorf("Fit gave %q, %.1f mm wide, more than 50", got, d.F.GetStringWidth(got))
	}
	if ellipsis := d.S("…"); !strings.HasSuffix(got, ellipsis) || strings.HasSuffix(got, " "+ellipsis) {
		t.Errorf("Fit gave %q, want it to end in an ellipsis after a word", got)
	}
}

// A table taller than a page carries on over the next pages under its
// caption and headings, and drawing the same table again gives the same
// bytes.
func TestTable(t *testing.T) {
	draw := func() (*Doc, []byte) {
		d := newTestDoc()
		tbl := Table{
			Caption: "Devices",
			Columns: []Column{{Head: "Device", Width: 0.6}, {Head: "Score", Width: 0.4, Align: "R"}},
			Ink:     Ink,
		}
		for i := range 120 {
			tbl.Rows = append(tbl.Rows, Row{Shaded: i%10 == 0, Cells: []Cell{
				{{Text: "LAPTOP-" + strings.Repeat("x", i%7)}, {Text: "note", Size: SmallSize, Colour: Muted}},
				{{Text: "93", Style: "B", Colour: Green}},
			}})
		}
		d.Table(tbl)
		var b bytes.Buffer
		if err := d.F.Output(&b); err != nil {
			t.Fatal(err)
		}
		return d, b.Bytes()
	}
	d, first := draw()
	if n := d.F.PageCount(); n < 3 {
		t.Errorf("a table of 120 two-line rows took %d pages, want at least 3", n)
	}
	if _, second := draw(); !bytes.Equal(first, second) {
		t.Error("drawing the same table twice gives different bytes")
	}
	pages := strings.Split(pdftest.Poppler(t, "pdftotext", first), "\f")
	for i, page := range pages[1 : len(pages)-1] {
		// pdftotext reads the headings in varying order; each must be there.
		flat := strings.Join(strings.Fields(page), " ")
		if !strings.HasPrefix(flat, "Devices (continued) ") || !strings.Contains(flat, " Device ") || !strings.Contains(flat, " Score ") {
			t.Errorf("page %d starts %.40q, want the caption, marked continued, and the headings", i+2, flat)
		}
	}
}
