package vuln

import (
	"bytes"
	"strings"
	"time"
	"unicode/utf8"
)

// decodeAdvisory is ParseOSV's fast path: a single pass over one OSV record
// that fills the fields Advisory has and skips the rest (details,
// references, severity...) without allocating. encoding/json spends most
// of a check's time on those skipped fields, and on one allocation per
// string.
//
// It decodes only what it is sure json.Unmarshal would decode to the same
// Advisory, and otherwise reports ok=false so that ParseOSV falls back to
// json.Unmarshal, whose errors and edge cases stay as they were. It gives
// up on: input that is not one JSON object (or is malformed anywhere, even
// in a skipped value), invalid UTF-8, a backslash escape in a key or in a
// string it keeps, a key that names a field only case-insensitively
// (json.Unmarshal folds case), a field given twice, a value of the wrong
// type for a field, a null inside a list, and deep nesting.
func decodeAdvisory(data []byte) (a Advisory, ok bool) {
	if !utf8.Valid(data) {
		return Advisory{}, false
	}
	d := decoder{data: data}
	d.kept.Grow(keptGuess)
	defer func() {
		if r := recover(); r != nil {
			if _, ours := r.(giveUp); !ours {
				panic(r) // a bug: let it show
			}
			a, ok = Advisory{}, false
		}
	}()
	if d.peek() != '{' {
		d.giveUp() // json.Unmarshal reads a top-level null as an empty record
	}
	d.advisory(&a)
	d.space()
	if d.pos != len(d.data) {
		d.giveUp() // more after the record
	}
	return a, true
}

// giveUp is what the decoder panics with when it leaves a record to
// json.Unmarshal; decodeAdvisory recovers it. A panic spares every step a
// check of its callee's result.
type giveUp struct{}

// maxSkipDepth bounds the nesting of skipped values, well below
// encoding/json's own limit, so that the skipping recursion stays shallow.
const maxSkipDepth = 200

// keptGuess is room for the strings a record usually has for Advisory (an
// ID, an alias, a package and a few versions), made before reading it so
// that they all share one allocation.
const keptGuess = 128

// decoder reads one record.
type decoder struct {
	data []byte
	pos  int
	// kept holds a copy of every string kept, one after the other: the
	// strings are pieces of it, so a record's strings take one allocation
	// or a few, and hold on to none of the record's other bytes (a Builder
	// only appends, so a piece stays as it is).
	kept  strings.Builder
	depth int
}

// The fields each object has, by their JSON names.
var (
	advisoryFields = []string{"id", "modified", "withdrawn", "aliases", "upstream", "affected"}
	affectedFields = []string{"package", "ranges", "versions"}
	packageFields  = []string{"ecosystem", "name"}
	rangeFields    = []string{"type", "events"}
	eventFields    = []string{"introduced", "fixed", "last_affected", "limit"}
)

func (d *decoder) advisory(a *Advisory) {
	d.object(advisoryFields, func(key string) {
		switch key {
		case "id":
			a.ID = d.str()
		case "modified":
			d.timestamp(&a.Modified)
		case "withdrawn":
			if !d.null() {
				a.Withdrawn = new(time.Time)
				d.timestamp(a.Withdrawn)
			}
		case "aliases":
			a.Aliases = d.strs()
		case "upstream":
			a.Upstream = d.strs()
		case "affected":
			a.Affected = readList(d, d.affected)
		}
	})
}

func (d *decoder) affected() (af Affected) {
	d.object(affectedFields, func(key string) {
		switch key {
		case "package":
			d.pkg(&af.Package)
		case "ranges":
			af.Ranges = readList(d, d.rng)
		case "versions":
			af.Versions = d.strs()
		}
	})
	return af
}

func (d *decoder) pkg(p *Package) {
	d.object(packageFields, func(key string) {
		switch key {
		case "ecosystem":
			p.Ecosystem = d.str()
		case "name":
			p.Name = d.str()
		}
	})
}

func (d *decoder) rng() (r Range) {
	d.object(rangeFields, func(key string) {
		switch key {
		case "type":
			r.Type = d.str()
		case "events":
			r.Events = readList(d, d.event)
		}
	})
	return r
}

func (d *decoder) event() (e Event) {
	d.object(eventFields, func(key string) {
		switch key {
		case "introduced":
			e.Introduced = d.str()
		case "fixed":
			e.Fixed = d.str()
		case "last_affected":
			e.LastAffected = d.str()
		case "limit":
			e.Limit = d.str()
		}
	})
	return e
}

// object reads a JSON object, calling field for each key among fields
// (with the reader at its value) and skipping the value of any other key.
// A null object is read as empty, as json.Unmarshal leaves the target be.
func (d *decoder) object(fields []string, field func(key string)) {
	if d.null() {
		return
	}
	d.want('{')
	var seen uint64 // one bit per entry of fields
	d.members('}', func() {
		key := d.key()
		d.want(':')
		i := fieldIndex(fields, key)
		switch {
		case i < 0:
			d.skip()
		case seen&(1<<i) != 0:
			d.giveUp() // json.Unmarshal would let the last one win, or merge
		default:
			seen |= 1 << i
			field(fields[i])
		}
	})
}

// fieldIndex is where key is in fields, or -1 if it is none of them. A key
// that differs from a field's name only in case gives up, as json.Unmarshal
// would decode it into that field.
func fieldIndex(fields []string, key []byte) int {
	for i, f := range fields {
		if string(key) == f {
			return i
		}
	}
	for _, f := range fields {
		if bytes.EqualFold(key, []byte(f)) {
			panic(giveUp{})
		}
	}
	return -1
}

// readList reads a JSON array whose items elem reads, or null as a nil
// slice. An empty array is an empty, non-nil slice, as from json.Unmarshal.
func readList[T any](d *decoder, elem func() T) []T {
	if d.null() {
		return nil
	}
	list := []T{}
	d.want('[')
	d.members(']', func() {
		if d.null() {
			d.giveUp() // json.Unmarshal would add a zero item
		}
		list = append(list, elem())
	})
	return list
}

// strs reads a list of strings.
func (d *decoder) strs() []string {
	return readList(d, d.str)
}

// members reads the items of an array or the members of an object, after
// its opening bracket, up to and including end: item reads each one.
func (d *decoder) members(end byte, item func()) {
	if d.peek() == end {
		d.pos++
		return
	}
	for {
		item()
		switch d.peek() {
		case ',':
			d.pos++
		case end:
			d.pos++
			return
		default:
			d.giveUp()
		}
	}
}

// str reads a string to keep, or null as "" (the field stays empty). It
// gives up on escapes rather than unescape them: OSV's Debian and Ubuntu
// records have none in the fields Advisory keeps.
func (d *decoder) str() string {
	if d.null() {
		return ""
	}
	start, end := d.plainString()
	return d.keep(d.data[start+1 : end-1])
}

// keep copies b to kept, and returns the copy.
func (d *decoder) keep(b []byte) string {
	n := d.kept.Len()
	d.kept.Write(b)
	return d.kept.String()[n:]
}

// timestamp reads a timestamp as time.Time's UnmarshalJSON does, given the
// quoted text; null leaves t as it is, as json.Unmarshal does.
func (d *decoder) timestamp(t *time.Time) {
	if d.null() {
		return
	}
	start, end := d.plainString()
	if t.UnmarshalJSON(d.data[start:end]) != nil {
		d.giveUp() // json.Unmarshal's error says why
	}
}

// key reads an object's key.
func (d *decoder) key() []byte {
	start, end := d.plainString()
	return d.data[start+1 : end-1]
}

// plainString reads a string without escapes, and returns where it starts
// and ends, quotes included.
func (d *decoder) plainString() (start, end int) {
	if d.peek() != '"' {
		d.giveUp()
	}
	start = d.pos
	i := d.plainRun(start + 1)
	if i == len(d.data) || d.data[i] != '"' {
		d.giveUp() // an escape, a control character, or no end
	}
	d.pos = i + 1
	return start, d.pos
}

// plainRun is where the run of plain string bytes from i ends.
func (d *decoder) plainRun(i int) int {
	for i < len(d.data) && plain[d.data[i]] {
		i++
	}
	return i
}

// plain marks the bytes a JSON string holds as they are: all but the
// quote, the backslash and control characters.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// skip reads any JSON value and drops it, checking it as strictly as
// encoding/json does.
func (d *decoder) skip() {
	switch d.peek() {
	case '{':
		d.nested(func() {
			d.members('}', func() {
				d.key()
				d.want(':')
				d.skip()
			})
		})
	case '[':
		d.nested(func() { d.members(']', d.skip) })
	case '"':
		d.skipString()
	case 't':
		d.literal("true")
	case 'f':
		d.literal("false")
	case 'n':
		d.literal("null")
	default:
		d.skipNumber()
	}
}

// nested reads an object or an array with contents, one level deeper.
func (d *decoder) nested(contents func()) {
	d.depth++
	if d.depth > maxSkipDepth {
		d.giveUp()
	}
	d.pos++ // the opening bracket
	contents()
	d.depth--
}

// skipString reads a string that is not kept, checking its escapes.
func (d *decoder) skipString() {
	for i := d.pos + 1; ; {
		i = d.plainRun(i)
		switch {
		case i == len(d.data):
			d.giveUp() // no end
		case d.data[i] == '"':
			d.pos = i + 1
			return
		case d.data[i] == '\\':
			i += d.escapeLen(i)
		default:
			d.giveUp() // a control character
		}
	}
}

// escapeLen is the length of the valid escape at data[i], a backslash.
func (d *decoder) escapeLen(i int) int {
	if i+1 >= len(d.data) {
		d.giveUp()
	}
	switch d.data[i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if i+6 > len(d.data) {
			d.giveUp()
		}
		for _, c := range d.data[i+2 : i+6] {
			if !isHex(c) {
				d.giveUp()
			}
		}
		return 6
	}
	panic(giveUp{})
}

// skipNumber reads a number by JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *decoder) skipNumber() {
	d.optional('-')
	switch {
	case d.optional('0'):
	case d.pos < len(d.data) && '1' <= d.data[d.pos] && d.data[d.pos] <= '9':
		d.digits()
	default:
		d.giveUp()
	}
	if d.optional('.') {
		d.digits()
	}
	if d.optional('e') || d.optional('E') {
		_ = d.optional('+') || d.optional('-')
		d.digits()
	}
}

// digits reads one or more decimal digits.
func (d *decoder) digits() {
	start := d.pos
	for d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9' {
		d.pos++
	}
	if d.pos == start {
		d.giveUp()
	}
}

// optional reads c if it is next, with no space before it.
func (d *decoder) optional(c byte) bool {
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// null reads a null if one is next.
func (d *decoder) null() bool {
	if d.peek() == 'n' {
		d.literal("null")
		return true
	}
	return false
}

// literal reads word, which is next.
func (d *decoder) literal(word string) {
	end := d.pos + len(word)
	if end > len(d.data) || string(d.data[d.pos:end]) != word {
		d.giveUp()
	}
	d.pos = end
}

// want reads c, after any space.
func (d *decoder) want(c byte) {
	if d.peek() != c {
		d.giveUp()
	}
	d.pos++
}

// peek skips space and returns the next byte, or 0 at the end.
func (d *decoder) peek() byte {
	d.space()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// space skips JSON's whitespace.
func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) giveUp() { panic(giveUp{}) }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
