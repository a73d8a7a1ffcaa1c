package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/handwash/handwash"
)

// maxProblems is how many problems one error reports; people fix a few and
// try again, and a long list hides the first.
const maxProblems = 5

// DecodeFacts reads one Facts document from r, which name identifies in
// messages (a file name, or "upload"). It reads at most handwash.MaxFactsSize
// bytes and returns the Facts only when the whole document is valid: well
// formed JSON, the supported schema version, and every field as the Facts
// schema says. Otherwise it returns a *handwash.Error with code
// handwash.ETOOLARGE or handwash.EINVALID whose message names the line,
// column and field of up to five problems.
func DecodeFacts(r io.Reader, name string) (*handwash.Facts, error) {
	if name == "" {
		name = "the Facts document"
	}
	b, err := readAll(r)
	if err != nil {
		return nil, &handwash.Error{Code: handwash.EINVALID, Message: fmt.Sprintf("%s: could not be read: %v", name, err), Err: err}
	}
	return decode(b, name)
}

// DecodeFactsBytes is DecodeFacts for a document already in memory. The
// Facts share nothing with b, which the caller may use again.
func DecodeFactsBytes(b []byte, name string) (*handwash.Facts, error) {
	if name == "" {
		name = "the Facts document"
	}
	return decode(b, name)
}

// readAll reads r to its end, or to one byte more than handwash reads, as
// io.ReadAll does; but when r says how much is left (a bytes.Reader or
// strings.Reader, a bytes.Buffer), it reads into a buffer of that size at
// once rather than growing one from 512 bytes.
func readAll(r io.Reader) ([]byte, error) {
	size := 512
	if l, ok := r.(interface{ Len() int }); ok {
		// One more, so that finding the end needs no more room.
		size = min(max(l.Len(), 0), handwash.MaxFactsSize+1) + 1
	}
	r = io.LimitReader(r, handwash.MaxFactsSize+1)
	b := make([]byte, 0, size)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// ValidateFacts reports whether b is a Facts document that DecodeFacts would
// accept, with the same error when it is not.
func ValidateFacts(b []byte, name string) error {
	if name == "" {
		name = "the Facts document"
	}
	_, err := decode(b, name)
	return err
}

// decode decodes b with the embedded schema: the fast way when it can (see
// quick.go), and otherwise the slow way, which says what is wrong. The
// result is always what decodeSlow gives.
func decode(b []byte, name string) (*handwash.Facts, error) {
	text, err := checkText(b, name)
	if err != nil {
		return nil, err
	}
	if plan, err := quickPlan(); err == nil {
		if f, ok := quickDecode(text, plan); ok {
			return f, nil
		}
	}
	return decodeText(text, name, factsSchema)
}

// decodeSlow decodes b with the compiled schema that sch returns, without
// the fast path: the generator passes the schema it has just made, and the
// tests compare decode with it.
func decodeSlow(b []byte, name string, sch func() (*jsonschema.Schema, error)) (*handwash.Facts, error) {
	text, err := checkText(b, name)
	if err != nil {
		return nil, err
	}
	return decodeText(text, name, sch)
}

// checkText enforces the size limit and returns b as UTF-8.
func checkText(b []byte, name string) ([]byte, error) {
	if len(b) > handwash.MaxFactsSize {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "%s is larger than %d MiB, the most handwash reads: check that it is a Facts file made by handwash collect", name, handwash.MaxFactsSize>>20)
	}
	return utf8Text(b, name)
}

// decodeText decodes text, which is UTF-8, with the JSON Schema validator,
// and explains every problem it finds.
func decodeText(text []byte, name string, sch func() (*jsonschema.Schema, error)) (*handwash.Facts, error) {
	d := &document{name: name, text: text, schema: sch}
	if err := d.parse(); err != nil {
		return nil, err
	}
	if err := d.checkVersion(); err != nil {
		return nil, err
	}
	compiled, err := sch()
	if err != nil {
		return nil, internalError(err)
	}
	var bv boundedValidation
	bv.document(compiled, d.value)
	if len(bv.leaves) > 0 {
		return nil, d.errorOf(d.schemaProblems(bv.leaves), bv.capped)
	}
	var f handwash.Facts
	if !fill(reflect.ValueOf(&f).Elem(), d.value) {
		f = handwash.Facts{}
		if err := json.Unmarshal(d.text, &f); err != nil {
			return nil, d.unmarshalError(err)
		}
	}
	return &f, nil
}

// document is a Facts document being decoded.
type document struct {
	name  string
	text  []byte // UTF-8
	value any    // as parsed, with numbers as json.Number

	schema func() (*jsonschema.Schema, error)
}

// problem is one thing wrong with a document.
type problem struct {
	off  int    // byte offset in the text where it is, or -1
	path string // the field, in dotted form; "" for the document
	msg  string
}

// format gives the problem as one line: "name: line L, column C: path: msg".
func (d *document) format(p problem) string {
	var sb strings.Builder
	sb.WriteString(d.name)
	sb.WriteString(": ")
	if p.off >= 0 {
		line, col := d.position(p.off)
		fmt.Fprintf(&sb, "line %d, column %d: ", line, col)
	}
	if p.path != "" {
		sb.WriteString(p.path)
		sb.WriteString(": ")
	}
	sb.WriteString(p.msg)
	return sb.String()
}

// errorOf reports problems, already in order, one to a line. When capped,
// there are more problems than were counted.
func (d *document) errorOf(ps []problem, capped bool) error {
	var lines []string
	for i, p := range ps {
		if i == maxProblems {
			break
		}
		lines = append(lines, d.format(p))
	}
	if more := len(ps) - maxProblems; more > 0 || capped {
		atLeast, s := "", "s"
		if capped {
			atLeast = "at least "
		}
		if more == 1 && !capped {
			s = ""
		}
		lines = append(lines, fmt.Sprintf("%s: and %s%d more problem%s", d.name, atLeast, max(more, 1), s))
	}
	return &handwash.Error{Code: handwash.EINVALID, Message: strings.Join(lines, "\n")}
}

func (d *document) errorAt(off int, path, format string, args ...any) error {
	return d.errorOf([]problem{{off: off, path: path, msg: fmt.Sprintf(format, args...)}}, false)
}

// position turns a byte offset into a line and a column, both counted from
// 1; the column counts characters, as editors do.
func (d *document) position(off int) (line, col int) {
	off = min(max(off, 0), len(d.text))
	before := d.text[:off]
	start := bytes.LastIndexByte(before, '\n') + 1
	return 1 + bytes.Count(before, []byte{'\n'}), 1 + utf8.RuneCount(before[start:])
}

// utf8Text returns b as UTF-8 without a byte-order mark. Windows PowerShell
// 5.1 writes UTF-16 with a byte-order mark when output is redirected with >,
// so that is read too; anything else that is not UTF-8 is refused rather
// than quietly altered.
func utf8Text(b []byte, name string) ([]byte, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return fromUTF16(b, name)
	}
	if utf8.Valid(b) {
		return b, nil
	}
	bad := 0
	for bad < len(b) {
		r, size := utf8.DecodeRune(b[bad:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		bad += size
	}
	d := &document{name: name, text: b}
	return nil, d.errorAt(bad, "", "the file is not UTF-8 text: save it as UTF-8")
}

func fromUTF16(b []byte, name string) ([]byte, error) {
	bigEndian := b[0] == 0xFE
	b = b[2:]
	if len(b)%2 != 0 {
		return nil, handwash.Errorf(handwash.EINVALID, "%s: the file is UTF-16 text with an odd number of bytes: it may have been cut short; save it as UTF-8", name)
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	out := make([]byte, 0, len(units))
	for i := 0; i < len(units); i++ {
		r := rune(units[i])
		if utf16.IsSurrogate(r) {
			if i+1 < len(units) {
				r = utf16.DecodeRune(r, rune(units[i+1]))
				i++
			} else {
				r = utf8.RuneError
			}
			if r == utf8.RuneError {
				d := &document{name: name, text: out}
				return nil, d.errorAt(len(out), "", "the file is UTF-16 text with a broken character: save it as UTF-8")
			}
		}
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// parse reads the JSON, or says where and how it is malformed or which
// field appears twice.
func (d *document) parse() error {
	if v, ok := fastParse(d.text); ok {
		d.value = v
		return nil
	}
	if err := d.parseSlowly(); err != nil {
		return err
	}
	return d.checkDuplicates()
}

// parseSlowly reads the JSON with encoding/json, whose errors say what is
// wrong and where.
func (d *document) parseSlowly() error {
	dec := json.NewDecoder(bytes.NewReader(d.text))
	dec.UseNumber()
	err := dec.Decode(&d.value)
	switch {
	case err == io.EOF:
		return handwash.Errorf(handwash.EINVALID, "%s: the file is empty: a Facts document is a JSON object made by handwash collect", d.name)
	case errors.Is(err, io.ErrUnexpectedEOF):
		end := len(bytes.TrimRight(d.text, " \t\r\n"))
		return d.errorAt(end, "", "the file ends in the middle of the document: it may have been cut short while it was copied or saved; collect it again")
	case err != nil:
		var serr *json.SyntaxError
		if errors.As(err, &serr) {
			// The offset counts the offending byte itself.
			off := int(serr.Offset) - 1
			return d.errorAt(off, "", "%s", syntaxText(serr.Error(), d.text, off))
		}
		return d.errorAt(-1, "", "not valid JSON: %v", err)
	}
	end := int(dec.InputOffset())
	for end < len(d.text) && strings.IndexByte(" \t\r\n", d.text[end]) >= 0 {
		end++
	}
	if end < len(d.text) {
		r, _ := utf8.DecodeRune(d.text[end:])
		return d.errorAt(end, "", "unexpected %q after the end of the document: a Facts file holds one JSON object and nothing after it", r)
	}
	return nil
}

// syntaxContexts turns encoding/json's descriptions of where a bad character
// was met into plain words.
var syntaxContexts = []struct{ context, text string }{
	{"looking for beginning of object key string", "expected a field name in double quotes, found %s"},
	{"looking for beginning of value", "expected a value (an object, a list, a string, a number, true, false or null), found %s"},
	{"after object key:value pair", "expected a comma or } after the field, found %s"},
	{"after object key", "expected a colon after the field name, found %s"},
	{"after array element", "expected a comma or ] after the list item, found %s"},
	{"after top-level value", "unexpected %s after the end of the document: a Facts file holds one JSON object and nothing after it"},
	{"in string literal", "found %s inside a string: write a line break as \\n and a tab as \\t"},
	{"in string escape code", "found %s after a backslash in a string: write a backslash as \\\\"},
	{"in \\u hexadecimal character escape", "found %s in a \\u escape, which needs four hexadecimal digits"},
	{"in numeric literal", "found %s in a number"},
	{"after decimal point in numeric literal", "found %s after a decimal point, which needs a digit"},
	{"in exponent of numeric literal", "found %s in a number's exponent"},
}

// syntaxText explains a syntax error from encoding/json.
func syntaxText(msg string, text []byte, off int) string {
	if msg == "exceeded max depth" {
		return "the document is nested too deeply"
	}
	rest, ok := strings.CutPrefix(msg, "invalid character ")
	if !ok {
		return "not valid JSON: " + msg
	}
	for _, c := range syntaxContexts {
		if char, ok := strings.CutSuffix(rest, " "+c.context); ok {
			s := fmt.Sprintf(c.text, char)
			switch {
			case c.context == "looking for beginning of object key string" && char == "'}'":
				s += " (is there a comma after the last field?)"
			case c.context == "looking for beginning of value" && char == "']'":
				s += " (is there a comma after the last item?)"
			case c.context == "after object key:value pair" && char == `'"'`:
				s += " (is a comma missing?)"
			case char == `'\''`:
				s += " (JSON needs double quotes)"
			case char == `'\x00'` && off == 1 && len(text) > 0 && text[0] != 0:
				s += " (the file may be UTF-16 without a byte-order mark: save it as UTF-8)"
			}
			return s
		}
	}
	if char, _, ok := strings.Cut(rest, " in literal "); ok {
		return fmt.Sprintf("expected true, false or null, found %s", char)
	}
	return "not valid JSON: " + msg
}

// checkDuplicates refuses a field given twice in one object: encoding/json
// would keep the last, or merge the two objects, so what is validated and
// what is used could differ.
func (d *document) checkDuplicates() error {
	w := &walker{b: d.text}
	dup := w.walk()
	if dup == nil {
		return nil
	}
	first, _ := d.position(dup.first)
	return d.errorAt(dup.second, d.dotted(dup.path), "the field %q appears twice (first on line %d): keep one", dup.name, first)
}

// checkVersion makes sure the document says it is the version of Facts that
// this Handwash reads, before judging it by that version's schema.
func (d *document) checkVersion() error {
	start := len(d.text) - len(bytes.TrimLeft(d.text, " \t\r\n"))
	obj, ok := d.value.(map[string]any)
	if !ok {
		return d.errorAt(start, "", "expected a Facts document, which is a JSON object, found %s", describe(d.value))
	}
	v, ok := obj["schema"]
	if !ok {
		return d.errorAt(start, "", "this is not a Facts document: it has no \"schema\" field (a file made by handwash collect starts with \"schema\": %q)", handwash.FactsSchema)
	}
	off := d.locate([][]string{{"schema"}}, nil)[0]
	s, ok := v.(string)
	if !ok {
		return d.errorAt(off, "schema", "expected the string %q, found %s", handwash.FactsSchema, describe(v))
	}
	if s == handwash.FactsSchema {
		return nil
	}
	if strings.HasPrefix(s, "handwash.assessment/") {
		return d.errorAt(off, "schema", "the file is an assessment (%s), the output of handwash check, not Facts: use the file that handwash collect writes", quote(s))
	}
	return d.errorAt(off, "schema", "the file is %s, but this version of handwash reads only %q: collect the facts again with this version of handwash", quote(s), handwash.FactsSchema)
}

// locate returns the offsets of the values at paths and of the field names
// at keys (-1 where there is none), in one pass over the text.
func (d *document) locate(paths, keys [][]string) []int {
	out := make([]int, len(paths)+len(keys))
	want := map[string][]int{} // pointer -> indexes into out
	wantKey := map[string][]int{}
	depths := map[int]bool{}
	for i, p := range paths {
		out[i] = -1
		want[pointer(p)] = append(want[pointer(p)], i)
		depths[len(p)] = true
	}
	for i, p := range keys {
		out[len(paths)+i] = -1
		wantKey[pointer(p)] = append(wantKey[pointer(p)], len(paths)+i)
		depths[len(p)] = true
	}
	left := len(out)
	w := &walker{b: d.text}
	w.onValue = func(path []string, start, end int) {
		if !depths[len(path)] {
			return
		}
		if is, ok := want[pointer(path)]; ok {
			for _, i := range is {
				if out[i] < 0 {
					out[i] = start
					left--
				}
			}
		}
		w.stop = left == 0
	}
	w.onKey = func(path []string, start int) {
		if !depths[len(path)] {
			return
		}
		if is, ok := wantKey[pointer(path)]; ok {
			for _, i := range is {
				if out[i] < 0 {
					out[i] = start
					left--
				}
			}
		}
		w.stop = left == 0
	}
	if left > 0 {
		w.walk()
	}
	return out
}

var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointer joins path tokens into a JSON pointer.
func pointer(path []string) string {
	var sb strings.Builder
	for _, t := range path {
		sb.WriteByte('/')
		sb.WriteString(pointerEscaper.Replace(t))
	}
	return sb.String()
}

// dotted writes a path as people read it: firewall.profiles[0].enabled.
func (d *document) dotted(path []string) string {
	var sb strings.Builder
	v := d.value
	for _, t := range path {
		switch x := v.(type) {
		case []any:
			sb.WriteString("[" + t + "]")
			if i, err := parseIndex(t); err == nil && i < len(x) {
				v = x[i]
			} else {
				v = nil
			}
			continue
		case map[string]any:
			v = x[t]
		default:
			v = nil
		}
		switch {
		case !isIdentifier(t):
			sb.WriteString("[" + quote(t) + "]")
		case sb.Len() > 0:
			sb.WriteString("." + t)
		default:
			sb.WriteString(t)
		}
	}
	return sb.String()
}

func parseIndex(s string) (int, error) {
	n := 0
	if s == "" || len(s) > 9 {
		return 0, errors.New("not an index")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not an index")
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// unmarshalError explains what encoding/json refused after the schema
// passed: numbers the schema calls whole but Go cannot hold in an int.
func (d *document) unmarshalError(err error) error {
	var terr *json.UnmarshalTypeError
	if errors.As(err, &terr) {
		var path []string
		start := -1
		w := &walker{b: d.text}
		w.onValue = func(p []string, s, e int) {
			if e == int(terr.Offset) && start < 0 {
				path, start = append([]string(nil), p...), s
				w.stop = true
			}
		}
		w.walk()
		if start >= 0 {
			lit := string(d.text[start:terr.Offset])
			msg := fmt.Sprintf("the number %s is too large", lit)
			if strings.ContainsAny(lit, ".eE") {
				msg = fmt.Sprintf("expected a whole number written without a decimal point or exponent, found %s", lit)
			}
			return d.errorAt(start, d.dotted(path), "%s", msg)
		}
	}
	e := d.errorAt(-1, "", "could not be read as Facts: %v", err).(*handwash.Error)
	e.Err = err
	return e
}
