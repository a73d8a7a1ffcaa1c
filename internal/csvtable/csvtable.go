// Package csvtable reads a CSV export whole, as admin consoles and Excel
// write them, for the importers (cloudimport and mdmimport): UTF-8 with or
// without a byte-order mark, UTF-16 or Windows-1252; a comma, semicolon or
// tab delimiter, or the one an Excel "sep=" line names. It finds columns
// by a normalised name (see Key) and makes the errors those importers
// show: each names the line of the file and the column as the file names
// it, so that a care provider can find and fix the value.
//
// Every error is a *handwash.Error: EINVALID for a file that cannot be
// read, ETOOLARGE for one over its Limits. The messages are shown to the
// people who import the file, and tests in the importers check them.
package csvtable

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// Limits bound one import, so that a wrong or hostile file cannot use up
// the server's memory. Both must be positive; messages give MaxBytes in
// whole MiB.
type Limits struct {
	MaxBytes int // the most bytes ReadAll reads
	MaxRows  int // the most rows Parse keeps, not counting the header and blank rows
}

// Table is a CSV file read whole: its header and its rows, each with the
// line of the file it starts on. Callers must not change Header.
type Table struct {
	Header []string // the column names as written, trimmed
	Rows   []Row    // the rows after the header, without blank ones

	keys []string // Key of each Header name
}

// Row is one row of a Table.
type Row struct {
	Line   int      // the line of the file the row starts on, counting from 1
	Fields []string // trimmed; exactly as many as the header has columns
}

// Read reads at most l.MaxBytes from r and parses them: ReadAll then
// Parse.
func Read(r io.Reader, l Limits) (*Table, error) {
	data, err := ReadAll(r, l)
	if err != nil {
		return nil, err
	}
	return Parse(data, l)
}

// ReadAll reads at most l.MaxBytes from r: more is an ETOOLARGE error.
func ReadAll(r io.Reader, l Limits) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(l.MaxBytes)+1))
	if err != nil {
		return nil, &handwash.Error{Code: handwash.EINVALID, Message: "the file could not be read: try downloading it again", Err: err}
	}
	if len(data) > l.MaxBytes {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "the file is larger than %d MiB, the most Handwash reads: check that it is the right export", l.MaxBytes>>20)
	}
	return data, nil
}

// Parse reads CSV text: UTF-8 with or without a byte-order mark, UTF-16
// with one (Excel's "Unicode text"), or Windows-1252 (Excel's "CSV (Comma
// delimited)" on a UK PC). The delimiter is a comma, a semicolon or a tab,
// whichever the first line uses most, or the one an Excel "sep=" line
// names. The first row is the header. Blank rows are skipped; blank cells
// past the header's last column are dropped, and short rows are filled
// with empty values. More than l.MaxRows rows is an ETOOLARGE error. A file
// with a header and no rows is not an error: the Table has no Rows.
func Parse(data []byte, l Limits) (*Table, error) {
	text := decode(data)
	if strings.TrimSpace(text) == "" {
		return nil, handwash.Errorf(handwash.EINVALID, "the file is empty: download the export again and import the CSV file")
	}
	skipped := 0
	first, rest, _ := strings.Cut(text, "\n")
	first = strings.TrimRight(first, "\r")
	comma := guessComma(first)
	if len(first) == 5 && strings.EqualFold(first[:4], "sep=") && strings.ContainsRune(",;\t|", rune(first[4])) {
		comma = rune(first[4])
		text = rest
		skipped = 1
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	t := &Table{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, handwash.Errorf(handwash.EINVALID, "line %d: the file is not valid CSV (%v): if you changed it in a spreadsheet, save it again as \"CSV UTF-8\"", pe.Line+skipped, pe.Err)
			}
			return nil, handwash.Errorf(handwash.EINVALID, "the file is not valid CSV: %v", err)
		}
		line, _ := cr.FieldPos(0)
		line += skipped
		if t.Header == nil {
			t.Header = make([]string, len(rec))
			t.keys = make([]string, len(rec))
			for i, h := range rec {
				t.Header[i] = strings.TrimSpace(h)
				t.keys[i] = Key(h)
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if len(rec) > len(t.Header) {
			if !blank(rec[len(t.Header):]) {
				return nil, handwash.Errorf(handwash.EINVALID, "line %d has %d columns but the header row has %d: check that no value holds an unquoted %s", line, len(rec), len(t.Header), commaName(comma))
			}
			rec = rec[:len(t.Header)]
		}
		for len(rec) < len(t.Header) {
			rec = append(rec, "")
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if len(t.Rows) == l.MaxRows {
			return nil, handwash.Errorf(handwash.ETOOLARGE, "the file has more than %d rows, the most Handwash reads in one import", l.MaxRows)
		}
		t.Rows = append(t.Rows, Row{Line: line, Fields: rec})
	}
	if t.Header == nil {
		return nil, handwash.Errorf(handwash.EINVALID, "the file is empty: download the export again and import the CSV file")
	}
	return t, nil
}

// Key normalises a column name so that exports and Excel's changes to them
// match: lower case, without bracketed notes such as Google's
// "[READ ONLY]", and without anything but letters and digits, so
// "Last check-in", "LastCheckIn" and "last check in" are one key.
func Key(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '[':
			depth++
		case r == ']':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Col finds the column with any of the names (tried in order, compared by
// Key), or -1. Two columns with the same name are an error: which one is
// meant cannot be told.
func (t *Table) Col(names ...string) (int, error) {
	for _, n := range names {
		k := Key(n)
		found := -1
		for i, tk := range t.keys {
			if tk != k {
				continue
			}
			if found >= 0 {
				return -1, handwash.Errorf(handwash.EINVALID, "the header row has two columns called %q (columns %d and %d): delete one and import again", t.Header[i], found+1, i+1)
			}
			found = i
		}
		if found >= 0 {
			return found, nil
		}
	}
	return -1, nil
}

// Has reports whether the header has a column with any of the names,
// compared by Key.
func (t *Table) Has(names ...string) bool {
	for _, n := range names {
		k := Key(n)
		for _, tk := range t.keys {
			if tk == k {
				return true
			}
		}
	}
	return false
}

// ColumnsFound lists the first columns of the file, quoted and clipped,
// for an error message: at most eight, then "…"; "no named columns" when
// the header names none.
func (t *Table) ColumnsFound() string {
	var names []string
	for _, h := range t.Header {
		if h != "" {
			names = append(names, fmt.Sprintf("%q", Clip(h)))
		}
		if len(names) == 8 {
			names = append(names, "…")
			break
		}
	}
	if len(names) == 0 {
		return "no named columns"
	}
	return strings.Join(names, ", ")
}

// BadValue is the EINVALID error for a value that cannot be read: it names
// r's line, the column col as the file names it, the value and what was
// expected, as in `line 7: "MFA registered" is "maybe": expected True or
// False`.
func (t *Table) BadValue(r Row, col int, expected string) error {
	return handwash.Errorf(handwash.EINVALID, "line %d: %q is %q: expected %s", r.Line, Clip(t.Header[col]), Clip(r.Fields[col]), expected)
}

// EmptyValue is the EINVALID error for a required value that is missing:
// `line 2: "Device ID" is empty: ` followed by needed.
func (t *Table) EmptyValue(r Row, col int, needed string) error {
	return handwash.Errorf(handwash.EINVALID, "line %d: %q is empty: %s", r.Line, Clip(t.Header[col]), needed)
}

// Clip shortens a value quoted in a message to at most 60 characters.
func Clip(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	r := []rune(s)
	return string(r[:57]) + "…"
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func guessComma(first string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range first {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ',' || r == ';' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

func commaName(r rune) string {
	switch r {
	case ';':
		return "semicolon"
	case '\t':
		return "tab"
	}
	return "comma"
}

// decode turns the file's bytes into UTF-8 text.
func decode(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return decodeUTF16(b[2:], false)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return decodeUTF16(b[2:], true)
	}
	if utf8.Valid(b) {
		return string(b)
	}
	return decode1252(b)
}

func decodeUTF16(b []byte, bigEndian bool) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u))
}

// cp1252 holds the characters Windows-1252 puts at 0x80-0x9F; the rest of
// its upper half is Latin-1.
var cp1252 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

func decode1252(b []byte) string {
	var s strings.Builder
	s.Grow(len(b))
	for _, c := range b {
		switch {
		case c < 0x80:
			s.WriteByte(c)
		case c < 0xA0:
			s.WriteRune(cp1252[c-0x80])
		default:
			s.WriteRune(rune(c))
		}
	}
	return s.String()
}
