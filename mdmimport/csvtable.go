package mdmimport

// This file reads a CSV export whole, as admin consoles and Excel write
// them. cloudimport has its own copy: the two packages share no code so
// that each stands alone.

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

// The limits of one import. A care provider has tens or hundreds of
// devices; the limits stop a wrong or hostile file from using up the
// server's memory.
const (
	MaxBytes = 20 << 20 // 20 MiB
	MaxRows  = 50_000
)

// table is a CSV file read whole: its header and its rows, each with the
// line of the file it starts on.
type table struct {
	header []string // as written, trimmed
	keys   []string // normalised: see key
	rows   []row
}

type row struct {
	line   int
	fields []string // as many as the header
}

// readAll reads at most MaxBytes from r.
func readAll(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, &handwash.Error{Code: handwash.EINVALID, Message: "the file could not be read: try downloading it again", Err: err}
	}
	if len(data) > MaxBytes {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "the file is larger than %d MiB, the most Handwash reads: check that it is the right export", MaxBytes>>20)
	}
	return data, nil
}

// parseTable reads CSV text: UTF-8 with or without a byte-order mark,
// UTF-16 with one (Excel's "Unicode text"), or Windows-1252 (Excel's
// "CSV (Comma delimited)" on a UK PC). The delimiter is a comma, a
// semicolon or a tab, whichever the first line uses most, or the one an
// Excel "sep=" line names. Blank rows are skipped.
func parseTable(data []byte) (*table, error) {
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
	t := &table{}
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
		if t.header == nil {
			t.header = make([]string, len(rec))
			t.keys = make([]string, len(rec))
			for i, h := range rec {
				t.header[i] = strings.TrimSpace(h)
				t.keys[i] = key(h)
			}
			continue
		}
		if blank(rec) {
			continue
		}
		if len(rec) > len(t.header) {
			if !blank(rec[len(t.header):]) {
				return nil, handwash.Errorf(handwash.EINVALID, "line %d has %d columns but the header row has %d: check that no value holds an unquoted %s", line, len(rec), len(t.header), commaName(comma))
			}
			rec = rec[:len(t.header)]
		}
		for len(rec) < len(t.header) {
			rec = append(rec, "")
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if len(t.rows) == MaxRows {
			return nil, handwash.Errorf(handwash.ETOOLARGE, "the file has more than %d rows, the most Handwash reads in one import", MaxRows)
		}
		t.rows = append(t.rows, row{line: line, fields: rec})
	}
	if t.header == nil {
		return nil, handwash.Errorf(handwash.EINVALID, "the file is empty: download the export again and import the CSV file")
	}
	return t, nil
}

// key normalises a column name so that exports and Excel's changes to them
// match: lower case, without bracketed notes such as Google's
// "[READ ONLY]", and without anything but letters and digits, so
// "Last check-in", "LastCheckIn" and "last check in" are one key.
func key(s string) string {
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

// col finds the column with any of the names (tried in order), or -1. Two
// columns with the same name are an error: which one is meant cannot be
// told.
func (t *table) col(names ...string) (int, error) {
	for _, n := range names {
		k := key(n)
		found := -1
		for i, tk := range t.keys {
			if tk != k {
				continue
			}
			if found >= 0 {
				return -1, handwash.Errorf(handwash.EINVALID, "the header row has two columns called %q (columns %d and %d): delete one and import again", t.header[i], found+1, i+1)
			}
			found = i
		}
		if found >= 0 {
			return found, nil
		}
	}
	return -1, nil
}

// has reports whether the header has a column with any of the names.
func (t *table) has(names ...string) bool {
	for _, n := range names {
		k := key(n)
		for _, tk := range t.keys {
			if tk == k {
				return true
			}
		}
	}
	return false
}

// columnsFound lists the first columns of the file, for an error message.
func (t *table) columnsFound() string {
	var names []string
	for _, h := range t.header {
		if h != "" {
			names = append(names, fmt.Sprintf("%q", clip(h)))
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

// clip shortens a value quoted in a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 60 {
		return s
	}
	r := []rune(s)
	return string(r[:57]) + "…"
}

// badValue is the error for a value that cannot be read: it names the
// line, the column as the file names it, the value and what was expected.
func badValue(t *table, r row, col int, expected string) error {
	return handwash.Errorf(handwash.EINVALID, "line %d: %q is %q: expected %s", r.line, clip(t.header[col]), clip(r.fields[col]), expected)
}

// emptyValue is the error for a required value that is missing.
func emptyValue(t *table, r row, col int, needed string) error {
	return handwash.Errorf(handwash.EINVALID, "line %d: %q is empty: %s", r.line, clip(t.header[col]), needed)
}
