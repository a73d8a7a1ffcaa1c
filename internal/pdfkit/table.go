package pdfkit

import "strings"

// Table is a table that carries on across pages, repeating its caption
// (marked "continued") and column headings on each.
type Table struct {
	Caption string
	Columns []Column
	Rows    []Row
	// Ink is the colour of text in parts that have none; the zero value
	// is black.
	Ink Colour
}

// Column is a table column.
type Column struct {
	Head string
	// Width is a fraction of the width between the margins.
	Width float64
	// Align is "R" to align the column's text right; "" or "L" aligns it
	// left.
	Align string
}

// Row is a table row: a cell for each column.
type Row struct {
	Cells []Cell
	// Shaded rows head a group of rows.
	Shaded bool
}

// Cell is a table cell's text: parts, one under another, each in its own
// style.
type Cell []Part

// Part is one part of a cell's text.
type Part struct {
	Text  string
	Style string // "" or "B"
	// Size is in points; 0 is TableSize.
	Size float64
	// Colour is the text's colour; the zero value is the Table's Ink.
	Colour Colour
}

// wrapped is one line of a cell's text, with its style.
type wrapped struct {
	text  string
	style string
	size  float64
	c     Colour
}

// rowHeight is the height of a table row of n lines.
func rowHeight(n int) float64 { return float64(n)*RowLine + 2*CellPad }

// Table draws t, starting a new page, with the caption and headings
// again, whenever the next row would not fit above Bottom; a row taller
// than a whole page is split between pages, a few lines at least on each.
// It leaves the cursor at the left margin under the last row.
func (d *Doc) Table(t Table) {
	f := d.F
	widths := make([]float64, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = c.Width * d.Width
	}
	rows := make([][][]wrapped, len(t.Rows))
	lines := make([]int, len(t.Rows))
	for i, r := range t.Rows {
		rows[i] = make([][]wrapped, len(r.Cells))
		n := 1
		for j, c := range r.Cells {
			if j >= len(widths) {
				break
			}
			rows[i][j] = d.cellLines(c, widths[j], t.Ink)
			n = max(n, len(rows[i][j]))
		}
		lines[i] = n
	}
	// Keep the caption, the headings and the first row together.
	first := 0.0
	if len(lines) > 0 {
		first = min(rowHeight(lines[0]), 40)
	}
	d.Ensure(16 + first)
	d.tableHead(t, widths, false)
	bottom := d.Bottom
	for i, r := range t.Rows {
		n := lines[i]
		y := f.GetY()
		// A row that does not fit goes to the next page; one taller than
		// a whole page is split between pages, a few lines at least on each.
		fresh := bottom - (TopMargin + 20)
		if y+rowHeight(n) > bottom && (rowHeight(n) <= fresh || bottom-y < rowHeight(3)) {
			f.AddPage()
			d.tableHead(t, widths, true)
			y = f.GetY()
		}
		for from := 0; from < n; {
			fit := int((bottom - y - 2*CellPad) / RowLine)
			to := min(n, from+max(fit, 1))
			d.row(t, r, rows[i], widths, y, rowHeight(to-from), from, to)
			from = to
			if from < n {
				f.AddPage()
				d.tableHead(t, widths, true)
				y = f.GetY()
			}
		}
	}
}

// cellLines wraps a cell's parts into lines w wide, in their styles.
func (d *Doc) cellLines(c Cell, w float64, ink Colour) []wrapped {
	var out []wrapped
	for _, part := range c {
		if part.Text == "" {
			continue
		}
		size, colour := part.Size, part.Colour
		if size == 0 {
			size = TableSize
		}
		if colour == (Colour{}) {
			colour = ink
		}
		d.Font(part.Style, size, colour)
		for _, l := range d.Wrap(d.S(part.Text), w) {
			out = append(out, wrapped{text: l, style: part.Style, size: size, c: colour})
		}
	}
	return out
}

// tableHead draws a table's caption and column headings.
func (d *Doc) tableHead(t Table, widths []float64, continued bool) {
	f := d.F
	caption := t.Caption
	if continued {
		caption += " (continued)"
	}
	d.Font("B", 9, Ink)
	f.SetX(Margin)
	f.MultiCell(d.Width, 4.5, d.S(caption), "", "L", false)
	f.Ln(0.5)
	// Headings may wrap too: the row is as tall as the tallest.
	lines := make([][]string, len(t.Columns))
	n := 1
	for i, c := range t.Columns {
		lines[i] = d.Wrap(d.S(c.Head), widths[i])
		n = max(n, len(lines[i]))
	}
	h := rowHeight(n)
	y := f.GetY()
	f.SetFillColor(Shade.R, Shade.G, Shade.B)
	f.Rect(Margin, y, d.Width, h, "F")
	x := Margin
	for i, c := range t.Columns {
		for j, l := range lines[i] {
			f.SetXY(x, y+CellPad+float64(j)*RowLine)
			f.CellFormat(widths[i], RowLine, l, "", 0, c.Align, false, 0, "")
		}
		x += widths[i]
	}
	d.Rule(y+h, Ink, 0.4)
	f.SetXY(Margin, y+h)
}

// row draws lines [from, to) of a table row's cells in a band h high at y.
func (d *Doc) row(t Table, r Row, cells [][]wrapped, widths []float64, y, h float64, from, to int) {
	f := d.F
	if r.Shaded {
		f.SetFillColor(Shade.R, Shade.G, Shade.B)
		f.Rect(Margin, y, d.Width, h, "F")
	}
	x := Margin
	for j, lines := range cells {
		align := t.Columns[j].Align
		for k := from; k < to && k < len(lines); k++ {
			l := lines[k]
			d.Font(l.style, l.size, l.c)
			f.SetXY(x, y+CellPad+float64(k-from)*RowLine)
			f.CellFormat(widths[j], RowLine, l.text, "", 0, align, false, 0, "")
		}
		x += widths[j]
	}
	d.Rule(y+h, LineColour, 0.2)
	f.SetXY(Margin, y+h)
}

// Wrap breaks text (already prepared by S) into lines that fit a cell w
// wide in the current font. It breaks at spaces, and after a hyphen,
// slash, dot or underscore, so that hostnames and IDs break between their
// parts; only a part wider than the cell is cut within it. Each newline
// starts a new line.
func (d *Doc) Wrap(text string, w float64) []string {
	f := d.F
	limit := w - 2*f.GetCellMargin()
	var lines []string
	for _, para := range strings.Split(text, "\n") {
		line, lineW := "", 0.0
		flush := func() {
			lines = append(lines, strings.TrimRight(line, " "))
			line, lineW = "", 0
		}
		for _, piece := range breakPieces(para) {
			pw := f.GetStringWidth(strings.TrimRight(piece, " "))
			if lineW+pw <= limit {
				line += piece
				lineW += f.GetStringWidth(piece)
				continue
			}
			if line != "" {
				flush()
			}
			// A piece wider than the cell is cut where it must be.
			for pw > limit {
				cut := 1
				for cut < len(piece) && f.GetStringWidth(piece[:cut+1]) <= limit {
					cut++
				}
				lines = append(lines, piece[:cut])
				piece = piece[cut:]
				pw = f.GetStringWidth(strings.TrimRight(piece, " "))
			}
			line, lineW = piece, f.GetStringWidth(piece)
		}
		if line != "" || len(lines) == 0 {
			flush()
		}
	}
	return lines
}

// breakPieces splits text after each place a line may break: after a run
// of spaces, and after a hyphen, slash, dot or underscore.
func breakPieces(text string) []string {
	var pieces []string
	start := 0
	for i := 0; i < len(text); i++ {
		end := -1
		switch text[i] {
		case ' ':
			j := i
			for j+1 < len(text) && text[j+1] == ' ' {
				j++
			}
			end, i = j+1, j
		case '-', '/', '.', '_':
			end = i + 1
		}
		if end > 0 {
			pieces = append(pieces, text[start:end])
			start = end
		}
	}
	if start < len(text) {
		pieces = append(pieces, text[start:])
	}
	return pieces
}
