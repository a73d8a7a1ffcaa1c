// Package pdfkit holds what Handwash's A4 PDF reports share: the page
// layout and palette, a document in the core fonts with its properties set
// so that the same input gives the same bytes, text folded into the fonts'
// encoding, running headers and footers, list items, and tables that carry
// on across pages.
package pdfkit

import (
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Page layout, in millimetres on A4 portrait (210 × 297), and type sizes
// in points.
const (
	PageHeight   = 297.0
	Margin       = 15.0 // left and right
	TopMargin    = 18.0
	BottomMargin = 18.0
	BodySize     = 10.0 // body text
	TableSize    = 8.5  // table text
	SmallSize    = 7.5  // IDs and notes under a table cell's text
	BodyLine     = 5.0  // body line height
	RowLine      = 3.9  // table line height
	CellPad      = 1.4  // space above and below a table row's text
)

// Colour is a colour as red, green and blue from 0 to 255.
type Colour struct{ R, G, B int }

// The palette: the GOV.UK colours of the HTML reports. Ink, Muted, Red and
// Green text are each at least 4.5:1 on white; meaning is always in words
// too.
var (
	Ink        = Colour{11, 12, 12}
	Muted      = Colour{80, 90, 95}
	LineColour = Colour{177, 180, 182} // rules between rows
	Shade      = Colour{243, 242, 241} // behind headings and group rows
	Red        = Colour{148, 37, 20}
	Green      = Colour{0, 112, 60}
)

// Info is what a document's properties say about it.
type Info struct {
	// Date is the document's creation and modification date: the moment
	// of what it reports, not the clock, so that the same input always
	// gives the same bytes.
	Date     time.Time
	Title    string
	Author   string
	Subject  string
	Keywords string
	// Creator names the program, as both the creator and the producer.
	Creator string
}

// Doc is an A4 portrait document drawn in the core fonts (Helvetica), so
// nothing is embedded and the file stays small.
type Doc struct {
	// F is the document being drawn.
	F *fpdf.Fpdf
	// Width is the width between the margins.
	Width float64
	// Bottom is how far down the page, in millimetres from its top, text
	// may go: where fpdf itself breaks pages.
	Bottom float64
	// tr turns Windows-1252 text (after Fold) into the bytes the core
	// fonts expect.
	tr func(string) string
}

// New starts a document with the shared layout and the properties in
// info, each cleaned up by MetaText. Fixed dates and sorted resources make its bytes depend on what is
// drawn alone; compression stays on, as zlib output is itself
// deterministic. The caller sets the header and footer functions, then
// adds the first page.
func New(info Info) *Doc {
	f := fpdf.New("P", "mm", "A4", "")
	d := &Doc{F: f, tr: f.UnicodeTranslatorFromDescriptor("cp1252")}
	f.SetMargins(Margin, TopMargin, Margin)
	f.SetAutoPageBreak(true, BottomMargin)
	pw, ph := f.GetPageSize()
	d.Width = pw - 2*Margin
	d.Bottom = ph - BottomMargin

	f.SetCreationDate(info.Date)
	f.SetModificationDate(info.Date)
	f.SetCatalogSort(true)
	f.SetTitle(MetaText(info.Title), true)
	f.SetAuthor(MetaText(info.Author), true)
	f.SetCreator(MetaText(info.Creator), true)
	f.SetProducer(MetaText(info.Creator), true)
	f.SetSubject(MetaText(info.Subject), true)
	f.SetKeywords(MetaText(info.Keywords), true)
	f.SetLang("en-GB")
	f.SetDisplayMode("fullwidth", "continuous")
	f.AliasNbPages("{nb}")
	return d
}

// S prepares text for the core fonts: folded into Windows-1252 (see Fold)
// and encoded as the fonts expect.
func (d *Doc) S(text string) string { return d.tr(Fold(text)) }

// Font sets the font (Helvetica in style "", "B" or "I") and the text
// colour.
func (d *Doc) Font(style string, size float64, c Colour) {
	d.F.SetFont("Helvetica", style, size)
	d.F.SetTextColor(c.R, c.G, c.B)
}

// Rule draws a horizontal line between the margins at y.
func (d *Doc) Rule(y float64, c Colour, width float64) {
	d.F.SetDrawColor(c.R, c.G, c.B)
	d.F.SetLineWidth(width)
	d.F.Line(Margin, y, Margin+d.Width, y)
}

// Ensure starts a new page unless h millimetres fit on this one above
// Bottom, so that a heading is never left alone at the foot of a page.
func (d *Doc) Ensure(h float64) {
	if d.F.GetY()+h > d.Bottom {
		d.F.AddPage()
	}
}

// Fit shortens text (already prepared by S) with an ellipsis to fit w
// millimetres in the current font.
func (d *Doc) Fit(text string, w float64) string {
	if d.F.GetStringWidth(text) <= w {
		return text
	}
	ellipsis := d.tr("…")
	for text != "" && d.F.GetStringWidth(text+ellipsis) > w {
		text = text[:len(text)-1]
	}
	return strings.TrimRight(text, " ") + ellipsis
}

// PageHeader draws text, small and muted, above a rule at the head of the
// page, and leaves the cursor at the top margin. Text too wide for the
// page runs on, unless shorten is set: then it is cut short with an
// ellipsis.
func (d *Doc) PageHeader(text string, shorten bool) {
	f := d.F
	d.Font("", 8, Muted)
	f.SetXY(Margin, 9)
	text = d.S(text)
	if shorten {
		text = d.Fit(text, d.Width-2)
	}
	f.CellFormat(d.Width, 4, text, "", 0, "L", false, 0, "")
	d.Rule(14, LineColour, 0.2)
	f.SetXY(Margin, TopMargin)
}

// PageFooter draws a rule at the foot of the page, then text on the left
// and "Page N of M" on the right.
func (d *Doc) PageFooter(text string) {
	f := d.F
	d.Rule(PageHeight-13, LineColour, 0.2)
	d.Font("", 8, Muted)
	f.SetXY(Margin, PageHeight-12)
	f.CellFormat(d.Width/2, 4, d.S(text), "", 0, "L", false, 0, "")
	f.CellFormat(d.Width/2, 4, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
}

// Run is a stretch of body text in one style ("", "B" or "I") and colour,
// for text that changes style part of the way through. The zero Colour is
// black.
type Run struct {
	Text   string
	Style  string
	Colour Colour
}

// Item writes a list item in body text: a bullet or number, then runs of
// text that wrap under the first word rather than under the marker. It
// leaves the cursor after the last word, as fpdf's Write does: the caller
// moves on to the next line.
func (d *Doc) Item(marker string, runs ...Run) {
	f := d.F
	d.Ensure(2 * BodyLine)
	indent := 6.0
	d.Font("", BodySize, Ink)
	f.SetX(Margin + 1)
	f.CellFormat(indent-1, BodyLine, d.S(marker), "", 0, "L", false, 0, "")
	f.SetLeftMargin(Margin + indent)
	for _, r := range runs {
		d.Font(r.Style, BodySize, r.Colour)
		f.Write(BodyLine, d.S(r.Text))
	}
	f.SetLeftMargin(Margin)
}
