package csvtable

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// The file comes from whoever imports it, so Parse must survive anything
// and either give an error the importers can show or a table they can use
// without checking it: every row as wide as the header, trimmed, not
// blank, in file order and within the limits; and columns, values and
// messages that can be looked up for any of them without a panic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"User principal name,User display name,Is admin,MFA registered\r\na@x.example,Zoë Brontë,True,True\r\n",
		"\ufeffDevice ID;Device name;Last check-in\nd1;\"Zoë’s\nphone\";29/11/2026 07:12\n\n d2 ;;\n",
		"sep=\t\nEmail Address [Required]\tStatus [READ ONLY]\ta@x.example\nb\tc\td\n",
		"sep=|\na|b\n1|2|3\n",
		"a,b\n1,\"2\n",
		"a,a,A\n1,2,3,,\n",
		"\"unterminated",
		",,\n,,\n",
		"Name,x\"y\n",
	} {
		f.Add([]byte(s))
	}
	f.Add([]byte("\xff\xfeU\x00,\x00V\x00\n\x001\x00,\x002\x00"))
	f.Add([]byte("\xfe\xff\x00U\x00;\x00V"))
	f.Add([]byte("Na\xefve,\x93q\x94\n\x80,\x9d\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l := Limits{MaxBytes: 1 << 20, MaxRows: 20}
		tb, err := Read(bytes.NewReader(data), l)
		if err != nil {
			var he *handwash.Error
			if !errors.As(err, &he) || (he.Code != handwash.EINVALID && he.Code != handwash.ETOOLARGE) || he.Message == "" {
				t.Fatalf("error %T %q is not an invalid or too-large *handwash.Error", err, err)
			}
			if tb != nil {
				t.Fatal("a table with an error")
			}
			return
		}
		if tb.Header == nil || len(tb.keys) != len(tb.Header) {
			t.Fatalf("header %q, keys %q", tb.Header, tb.keys)
		}
		if len(tb.Rows) > l.MaxRows {
			t.Fatalf("%d rows, over the limit", len(tb.Rows))
		}
		line := 1
		for _, r := range tb.Rows {
			if r.Line <= line {
				t.Fatalf("row on line %d after line %d", r.Line, line)
			}
			line = r.Line
			if len(r.Fields) != len(tb.Header) {
				t.Fatalf("line %d: %d fields, %d columns", r.Line, len(r.Fields), len(tb.Header))
			}
			if blank(r.Fields) {
				t.Fatalf("line %d is blank", r.Line)
			}
			for i, v := range r.Fields {
				if v != strings.TrimSpace(v) {
					t.Fatalf("line %d: %q not trimmed", r.Line, v)
				}
				if !strings.HasPrefix(tb.BadValue(r, i, "x").Error(), "line ") || !strings.HasPrefix(tb.EmptyValue(r, i, "x").Error(), "line ") {
					t.Fatalf("line %d: value errors do not start with the line", r.Line)
				}
			}
		}
		for i, h := range tb.Header {
			if h != strings.TrimSpace(h) || utf8.RuneCountInString(Clip(h)) > 60 {
				t.Fatalf("header %q", h)
			}
			if k := Key(h); Key(k) != k || k != tb.keys[i] {
				t.Fatalf("Key(%q) = %q, keys[%d] = %q", h, k, i, tb.keys[i])
			}
			if !tb.Has(h) {
				t.Fatalf("Has(%q) is false", h)
			}
			j, err := tb.Col(h)
			if err != nil {
				if handwash.ErrorCode(err) != handwash.EINVALID {
					t.Fatalf("Col(%q): %v", h, err)
				}
				continue
			}
			if j < 0 || Key(tb.Header[j]) != Key(h) {
				t.Fatalf("Col(%q) = %d", h, j)
			}
		}
		if tb.ColumnsFound() == "" {
			t.Fatal("no columns found, and no message")
		}
		// A byte-order mark before UTF-8 changes nothing.
		if utf8.Valid(data) && !bytes.HasPrefix(data, []byte("\ufeff")) {
			tb2, err := Parse(append([]byte("\ufeff"), data...), l)
			if err != nil || strings.Join(tb2.Header, "\x00") != strings.Join(tb.Header, "\x00") || len(tb2.Rows) != len(tb.Rows) {
				t.Fatalf("with a BOM: %v", err)
			}
		}
	})
}

// What CleanText returns is clean and short, and cleaning it again changes
// nothing. ParseTime gives UTC times from 1990 on, or nothing.
func FuzzValues(f *testing.F) {
	for _, s := range []string{strings.Repeat("a", 199) + " bb", "Jo\u202eevil\x1b[2J Bloggs", " a \t b ", "2026-11-29 08:15:02 UTC", "11/29/2026 8:15 PM", "0001-01-01", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := CleanText(s)
		if CleanText(c) != c || utf8.RuneCountInString(c) > 200 || c != strings.TrimSpace(c) || strings.Contains(c, "  ") {
			t.Fatalf("CleanText(%q) = %q", s, c)
		}
		for _, r := range c {
			if r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("CleanText(%q) = %q", s, c)
			}
		}
		if u := Clip(s); utf8.RuneCountInString(u) > 60 || (utf8.RuneCountInString(s) <= 60) != (u == s) {
			t.Fatalf("Clip(%q) = %q", s, u)
		}
		tm, ok := ParseTime(s)
		if tm != nil && (!ok || tm.Location().String() != "UTC" || tm.Year() < 1990) {
			t.Fatalf("ParseTime(%q) = %v, %v", s, tm, ok)
		}
	})
}
