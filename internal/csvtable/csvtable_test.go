package csvtable

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
	"unicode/utf16"

	"github.com/handwash/handwash"
)

// limits are the importers' own.
var limits = Limits{MaxBytes: 20 << 20, MaxRows: 50_000}

func parse(t *testing.T, data []byte) *Table {
	t.Helper()
	tb, err := Parse(data, limits)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// wantErr checks that err is a *handwash.Error with the code and exactly
// the message: the importers show these messages, and their tests look
// for parts of them.
func wantErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var he *handwash.Error
	if !errors.As(err, &he) || he.Code != code {
		t.Fatalf("error %T %v, want a *handwash.Error with code %s", err, err, code)
	}
	if he.Message != msg {
		t.Errorf("message\n %q\nwant\n %q", he.Message, msg)
	}
}

func rows(tb *Table) string {
	var b strings.Builder
	for _, r := range tb.Rows {
		fmt.Fprintf(&b, "%d:%s\n", r.Line, strings.Join(r.Fields, "|"))
	}
	return b.String()
}

func utf16Bytes(s string, bigEndian bool) []byte {
	out := []byte{0xFF, 0xFE}
	if bigEndian {
		out = []byte{0xFE, 0xFF}
	}
	for _, c := range utf16.Encode([]rune(s)) {
		if bigEndian {
			out = append(out, byte(c>>8), byte(c))
		} else {
			out = append(out, byte(c), byte(c>>8))
		}
	}
	return out
}

// Excel and PowerShell write CSV in several ways; all must read the same.
func TestParseEncodings(t *testing.T) {
	plain := "User principal name,User display name,Is admin\r\na@x.example,Zoë Brontë,True\r\nb@x.example,“Bo” – Ward,False\r\n"
	header := []string{"User principal name", "User display name", "Is admin"}
	want := "2:a@x.example|Zoë Brontë|True\n3:b@x.example|“Bo” – Ward|False\n"
	cp1252 := strings.NewReplacer("ë", "\xeb", "“", "\x93", "”", "\x94", "–", "\x96").Replace(plain)
	for name, in := range map[string][]byte{
		"plain":             []byte(plain),
		"LF":                []byte(strings.ReplaceAll(plain, "\r\n", "\n")),
		"BOM":               append([]byte("\ufeff"), plain...),
		"UTF-16LE":          utf16Bytes(plain, false),
		"UTF-16BE":          utf16Bytes(plain, true),
		"Windows-1252":      []byte(cp1252),
		"semicolons":        []byte(strings.ReplaceAll(plain, ",", ";")),
		"tabs":              []byte(strings.ReplaceAll(plain, ",", "\t")),
		"Excel quoting":     []byte(`"User principal name","User display name","Is admin"` + "\r\n" + `"a@x.example","Zoë Brontë","True"` + "\r\n" + `"b@x.example","“Bo” – Ward","False"` + "\r\n"),
		"spaces":            []byte("  User principal name , User display name,Is admin\na@x.example ,  Zoë Brontë\t,True\nb@x.example,“Bo” – Ward,False\n"),
		"blank rows":        []byte(strings.Replace(plain, "True\r\n", "True\r\n,,\r\n", 1) + "\r\n ,\r\n"),
		"no final newline":  []byte(strings.TrimSuffix(plain, "\r\n")),
		"extra blank cells": []byte(strings.ReplaceAll(plain, "e\r\n", "e,, \r\n")), // the rows', not the header's
	} {
		t.Run(name, func(t *testing.T) {
			tb := parse(t, in)
			if !reflect.DeepEqual(tb.Header, header) {
				t.Errorf("header %q", tb.Header)
			}
			got := rows(tb)
			if name == "blank rows" {
				want := strings.Replace(want, "3:", "4:", 1) // the blank row keeps its line
				if got != want {
					t.Errorf("rows\n%swant\n%s", got, want)
				}
				return
			}
			if got != want {
				t.Errorf("rows\n%swant\n%s", got, want)
			}
		})
	}
}

// A "sep=" line names the delimiter, whatever the header uses most, and
// counts as a line: rows and errors name the file's own lines.
func TestParseSepLine(t *testing.T) {
	for _, sep := range []string{",", ";", "\t", "|"} {
		for _, first := range []string{"sep=", "SEP=", "Sep="} {
			in := first + sep + "\r\n" + "a" + sep + "b\n1" + sep + "2\n"
			tb := parse(t, []byte(in))
			if !reflect.DeepEqual(tb.Header, []string{"a", "b"}) || rows(tb) != "3:1|2\n" {
				t.Errorf("%q: header %q rows %q", in, tb.Header, rows(tb))
			}
		}
	}
	// The sep line wins over the delimiter the header uses most.
	tb := parse(t, []byte("sep=|\na;b;c|d\n1;2|3\n"))
	if !reflect.DeepEqual(tb.Header, []string{"a;b;c", "d"}) || rows(tb) != "3:1;2|3\n" {
		t.Errorf("sep=| with semicolons: %q %q", tb.Header, rows(tb))
	}
	// Not a sep line: the line is the header.
	tb = parse(t, []byte("sep=x\na\n"))
	if !reflect.DeepEqual(tb.Header, []string{"sep=x"}) || rows(tb) != "2:a\n" {
		t.Errorf("sep=x: %q %q", tb.Header, rows(tb))
	}
	_, err := Parse([]byte("sep=,\na,b\n1,\"2\n"), limits)
	wantErr(t, err, handwash.EINVALID, `line 3: the file is not valid CSV (extraneous or missing " in quoted-field): if you changed it in a spreadsheet, save it again as "CSV UTF-8"`)
}

// The delimiter is the one the first line uses most, outside quotes.
func TestGuessComma(t *testing.T) {
	for in, want := range map[string]rune{
		"":                ',',
		"a":               ',',
		"a,b;c":           ',',
		"a;b;c,d":         ';',
		"a\tb\tc;d;e":     ';',
		"a\tb\tc\td;e;f":  '\t',
		`"a;b;c",d`:       ',',
		`"x,y,z";a;b`:     ';',
		"a;b,c\td":        ',',
		"Name;Email;Role": ';',
	} {
		if got := guessComma(in); got != want {
			t.Errorf("guessComma(%q) = %q, want %q", in, got, want)
		}
	}
}

// A row that starts on one line and runs on over quoted line breaks is
// numbered by the line it starts on.
func TestParseLines(t *testing.T) {
	tb := parse(t, []byte("a,b\n1,\"two\nlines\"\n\n3,4\n"))
	if got := rows(tb); got != "2:1|two\nlines\n5:3|4\n" {
		t.Errorf("rows %q", got)
	}
	// Short rows are filled with empty values.
	tb = parse(t, []byte("a,b,c\n1\n"))
	if got := rows(tb); got != "2:1||\n" {
		t.Errorf("short row %q", got)
	}
	// A header with no rows is a table with no rows.
	tb = parse(t, []byte("a,b\r\n\r\n"))
	if len(tb.Rows) != 0 || len(tb.Header) != 2 {
		t.Errorf("header only: %q %q", tb.Header, rows(tb))
	}
}

func TestParseErrors(t *testing.T) {
	const empty = "the file is empty: download the export again and import the CSV file"
	for _, c := range []struct {
		name, in, code, msg string
	}{
		{"empty", "", handwash.EINVALID, empty},
		{"only a BOM and blank lines", "\ufeff\r\n\r\n", handwash.EINVALID, empty},
		{"only white space", " \t\n", handwash.EINVALID, empty},
		{"only a sep line", "sep=;\n", handwash.EINVALID, empty},
		{"bad quoting", "a,b\n1,\"2,3\n4,5\n", handwash.EINVALID,
			`line 3: the file is not valid CSV (extraneous or missing " in quoted-field): if you changed it in a spreadsheet, save it again as "CSV UTF-8"`},
		{"bare quote", "a,b\n1,x\"y\n", handwash.EINVALID,
			`line 2: the file is not valid CSV (bare " in non-quoted-field): if you changed it in a spreadsheet, save it again as "CSV UTF-8"`},
		{"extra column", "a,b\n1,2\n1,2,3\n", handwash.EINVALID,
			"line 3 has 3 columns but the header row has 2: check that no value holds an unquoted comma"},
		{"extra column, semicolons", "a;b\n1;2;3\n", handwash.EINVALID,
			"line 2 has 3 columns but the header row has 2: check that no value holds an unquoted semicolon"},
		{"extra column, tabs", "a\tb\n1\t2\t3\n", handwash.EINVALID,
			"line 2 has 3 columns but the header row has 2: check that no value holds an unquoted tab"},
		{"extra column after a sep line", "sep=|\na|b\n1|2|3\n", handwash.EINVALID,
			"line 3 has 3 columns but the header row has 2: check that no value holds an unquoted comma"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb, err := Parse([]byte(c.in), limits)
			if tb != nil {
				t.Errorf("a table with the error")
			}
			wantErr(t, err, c.code, c.msg)
		})
	}
}

func TestLimits(t *testing.T) {
	l := Limits{MaxBytes: 2 << 20, MaxRows: 3}
	in := "a\n1\n2\n\n3\n"
	tb, err := Read(strings.NewReader(in), l)
	if err != nil || len(tb.Rows) != 3 {
		t.Fatalf("at the row limit: %v", err)
	}
	_, err = Read(strings.NewReader(in+"4\n"), l)
	wantErr(t, err, handwash.ETOOLARGE, "the file has more than 3 rows, the most Handwash reads in one import")

	at := bytes.Repeat([]byte("a"), l.MaxBytes)
	if data, err := ReadAll(bytes.NewReader(at), l); err != nil || len(data) != l.MaxBytes {
		t.Errorf("at the byte limit: %d bytes, %v", len(data), err)
	}
	_, err = ReadAll(bytes.NewReader(append(at, 'a')), l)
	wantErr(t, err, handwash.ETOOLARGE, "the file is larger than 2 MiB, the most Handwash reads: check that it is the right export")
	_, err = Read(bytes.NewReader(append(at, 'a')), l)
	wantErr(t, err, handwash.ETOOLARGE, "the file is larger than 2 MiB, the most Handwash reads: check that it is the right export")

	broken := errors.New("connection reset")
	_, err = ReadAll(iotest.ErrReader(broken), l)
	wantErr(t, err, handwash.EINVALID, "the file could not be read: try downloading it again")
	if !errors.Is(err, broken) {
		t.Errorf("the read error is not wrapped: %v", err)
	}
	if _, err := Read(io.MultiReader(strings.NewReader("a\n1\n"), iotest.ErrReader(broken)), l); !errors.Is(err, broken) {
		t.Errorf("Read: %v", err)
	}
}

func TestKey(t *testing.T) {
	for in, want := range map[string]string{
		"Last check-in":            "lastcheckin",
		"LastCheckIn":              "lastcheckin",
		" last  check in ":         "lastcheckin",
		"Status [READ ONLY]":       "status",
		"2sv Enrolled [READ ONLY]": "2svenrolled",
		"a [b [c] d] e":            "ae",
		"a ] b":                    "ab",
		"[unclosed":                "",
		"Zoë’s Phone":              "zoësphone",
		"Email Address [Required]": "emailaddress",
		"USER_PRINCIPAL_NAME":      "userprincipalname",
		"Is MFA registered?":       "ismfaregistered",
		"":                         "",
	} {
		if got := Key(in); got != want {
			t.Errorf("Key(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCol(t *testing.T) {
	tb := parse(t, []byte("Device ID,Device name,Status [READ ONLY],Email,E-mail\n1,2,3,4,5\n"))
	for _, c := range []struct {
		names []string
		want  int
	}{
		{[]string{"Device ID"}, 0},
		{[]string{"deviceid"}, 0},
		{[]string{"Serial number", "Device name"}, 1},
		{[]string{"Device name", "Device ID"}, 1}, // the first name found wins
		{[]string{"Status"}, 2},
		{[]string{"Serial number"}, -1},
		{nil, -1},
	} {
		got, err := tb.Col(c.names...)
		if err != nil || got != c.want {
			t.Errorf("Col(%q) = %d, %v; want %d", c.names, got, err, c.want)
		}
		if has := tb.Has(c.names...); has != (c.want >= 0) {
			t.Errorf("Has(%q) = %v", c.names, has)
		}
	}
	got, err := tb.Col("Serial number", "email")
	if got != -1 {
		t.Errorf("Col of a name twice = %d", got)
	}
	wantErr(t, err, handwash.EINVALID, `the header row has two columns called "E-mail" (columns 4 and 5): delete one and import again`)
	if !tb.Has("EMAIL") {
		t.Error("Has of a name twice is false")
	}
}

func TestColumnsFound(t *testing.T) {
	long := strings.Repeat("x", 70)
	for in, want := range map[string]string{
		"Name,Phone\n":                 `"Name", "Phone"`,
		",,\n":                         "no named columns",
		"a,,b\n":                       `"a", "b"`,
		"1,2,3,4,5,6,7,8\n":            `"1", "2", "3", "4", "5", "6", "7", "8", …`,
		"1,2,3,4,5,6,7,8,9\n":          `"1", "2", "3", "4", "5", "6", "7", "8", …`,
		"1,2,3,4,5,6,7\n":              `"1", "2", "3", "4", "5", "6", "7"`,
		long + ",\"say \"\"hi\"\"\"\n": `"` + strings.Repeat("x", 57) + `…", "say \"hi\""`,
	} {
		if got := parse(t, []byte(in)).ColumnsFound(); got != want {
			t.Errorf("ColumnsFound of %q =\n %s\nwant\n %s", in, got, want)
		}
	}
}

// The value errors name the line, the column as the file names it and the
// value, clipped.
func TestValueErrors(t *testing.T) {
	long := strings.Repeat("é", 61)
	tb := parse(t, []byte("MFA registered,Last check-in,"+long+"\nx,,\n\nTrue,yesterday,"+long+"\n"))
	r := tb.Rows[1]
	wantErr(t, tb.BadValue(r, 1, DateExpected), handwash.EINVALID,
		`line 4: "Last check-in" is "yesterday": expected a date such as 2026-03-31 14:05:00 or 31/03/2026 14:05`)
	wantErr(t, tb.BadValue(r, 2, "something shorter"), handwash.EINVALID,
		`line 4: "`+strings.Repeat("é", 57)+`…" is "`+strings.Repeat("é", 57)+`…": expected something shorter`)
	wantErr(t, tb.EmptyValue(tb.Rows[0], 1, "Handwash needs it"), handwash.EINVALID,
		`line 2: "Last check-in" is empty: Handwash needs it`)
}

func TestClip(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		strings.Repeat("a", 60):   strings.Repeat("a", 60),
		strings.Repeat("ë", 60):   strings.Repeat("ë", 60),
		strings.Repeat("a", 61):   strings.Repeat("a", 57) + "…",
		strings.Repeat("ë", 1000): strings.Repeat("ë", 57) + "…",
	} {
		if got := Clip(in); got != want {
			t.Errorf("Clip(%d runes) = %q", len([]rune(in)), got)
		}
	}
}

func TestCleanText(t *testing.T) {
	for in, want := range map[string]string{
		"Jo\u202eevil\x1b[2J Bloggs": "Joevil[2J Bloggs",
		"  Jo \t\n Bloggs ":          "Jo Bloggs",
		"Zoë\u200b Ward\u0085":       "Zoë Ward",
		"a\x7fb\u00a0c":              "ab c",
		strings.Repeat("é", 201):     strings.Repeat("é", 200),
	} {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]string{
		"2026/11/29 08:15:02":         "2026-11-29T08:15:02Z",
		"2026-11-29T08:15:02Z":        "2026-11-29T08:15:02Z",
		"2026-11-29T09:15:02+01:00":   "2026-11-29T08:15:02Z",
		"2026-11-29 08:15:02.0000000": "2026-11-29T08:15:02Z",
		"2026-11-29 08:15:02 UTC":     "2026-11-29T08:15:02Z",
		"2026-11-29  08:15:02 GMT":    "2026-11-29T08:15:02Z",
		"29/11/2026 08:15":            "2026-11-29T08:15:00Z",
		"1/2/2026":                    "2026-02-01T00:00:00Z",
		"11/29/2026 8:15:02 AM":       "2026-11-29T08:15:02Z",
		"11/29/2026 8:15 PM":          "2026-11-29T20:15:00Z",
		"Nov 29, 2026, 8:15:02 AM":    "2026-11-29T08:15:02Z",
		"29 Nov 2026":                 "2026-11-29T00:00:00Z",
		"0001-01-01 00:00:00":         "nil",
		"1/1/0001 12:00:00 AM":        "nil",
		"1989-12-31":                  "nil",
		"":                            "error",
		"never":                       "error",
		"yesterday":                   "error",
		"11/29/2026 08:15":            "error", // a US date without AM/PM is not read as a UK one
	} {
		tm, ok := ParseTime(in)
		got := "nil"
		switch {
		case !ok:
			got = "error"
		case tm != nil:
			if tm.Location() != time.UTC {
				t.Errorf("ParseTime(%q) in %s", in, tm.Location())
			}
			got = tm.Format(time.RFC3339)
		}
		if got != want {
			t.Errorf("ParseTime(%q) = %s, want %s", in, got, want)
		}
	}
}
