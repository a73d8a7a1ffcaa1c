package schema

// The fast path of DecodeFacts.
//
// Checking a document with the JSON Schema validator, and building the
// generic value it validates, costs over ten milliseconds for a Facts
// document of realistic size (300 KB, 1,500 packages): too much for a
// server that takes hundreds of uploads a second. Almost every upload is
// valid, and a valid one needs no message, so DecodeFacts first tries
// quickDecode, which reads the text straight into a handwash.Facts and
// checks, on the way, everything the schema says. It answers only "valid,
// and here are the Facts" or "I cannot tell"; for anything it does not like
// (a problem, or anything out of the ordinary, such as an integer written
// 1.0) DecodeFacts goes the slow way, which finds what is wrong and says
// where. So the fast path must never accept what the slow path refuses, nor
// build different Facts; it may refuse what the slow path accepts, at the
// cost of speed only. FuzzDecodeFast checks both ways against the slow path.
//
// What the fast path enforces comes from the embedded schema itself
// (factsSchemaJSON, generated from the domain types and the enums of
// generate_test.go), read into a plan once: field names, required fields,
// null or not, types, enums, the schema const, integer bounds and date-time
// formats. The plan understands only the keywords the generator writes; a
// schema with any other keyword, or one that disagrees with the Go types,
// makes no plan (TestQuickPlan fails), and DecodeFacts then always goes the
// slow way, which is still right.
//
// encoding/json is not used for the fast path: it matches field names
// without regard to case ("Schema" fills schema), keeps the last of two
// fields of the same name, cannot tell a missing field from a zero one
// (required "elevated": false), and leaves a field alone for null where the
// schema refuses null; each of those would need a second pass over the
// text. And it alone takes longer than the whole fast path.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
)

// valueKind is what a value is in JSON and in Go.
type valueKind uint8

const (
	kindString valueKind = iota // a string, into a string kind
	kindTime                    // a date-time string, into a time.Time
	kindBool
	kindInt
	kindObject // into a struct
	kindArray  // into a slice
)

// valuePlan says what may be at one place in a document and where it goes.
type valuePlan struct {
	kind valueKind
	null bool         // null is allowed there, and leaves the Go value zero
	ptr  bool         // the Go value is a pointer to one of elem
	elem reflect.Type // the Go type of the value itself (pointed to when ptr)

	// enum maps each allowed string to itself, so that a value found in
	// it needs no allocation; nil allows any string.
	enum     map[string]string
	min, max int64       // an integer's bounds
	obj      *objectPlan // an object's fields
	items    *valuePlan  // a list's items
	// scratch holds slices (reflect.Values of the list's type) to read a
	// list of objects into; see objects.
	scratch *sync.Pool
}

// objectPlan describes the fields of one kind of object.
type objectPlan struct {
	typ      reflect.Type
	fields   []fieldPlan
	byName   map[string]int // index into fields
	required uint64         // a bit for each required field, by index
}

type fieldPlan struct {
	name  string
	index int // of the Go struct field
	value *valuePlan
}

// quickPlan is the plan of the embedded Facts schema, built on first use.
// It is built only once the schema has compiled, so that the fast path
// accepts nothing while the slow path reports the schema broken.
var quickPlan = sync.OnceValues(func() (*objectPlan, error) {
	if _, err := factsSchema(); err != nil {
		return nil, err
	}
	return buildPlan(factsSchemaJSON, reflect.TypeFor[handwash.Facts]())
})

// planBuilder reads a schema document into a plan.
type planBuilder struct {
	defs map[string]any
	objs map[string]*objectPlan // by $ref
}

// buildPlan reads the schema document doc, which describes the struct type
// t, into a plan, or says which part of it the plan cannot express.
func buildPlan(doc []byte, t reflect.Type) (*objectPlan, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var root map[string]any
	if err := dec.Decode(&root); err != nil {
		return nil, err
	}
	b := &planBuilder{objs: map[string]*objectPlan{}}
	if defs, ok := root["$defs"]; ok {
		if b.defs, ok = defs.(map[string]any); !ok {
			return nil, fmt.Errorf("$defs is not an object")
		}
	}
	return b.object(root, t, "the document")
}

// keywords lists the keywords the plan understands, and where: on an
// object's schema (the document's or a definition), or on a value's.
var (
	annotations    = []string{"description", "title", "$comment", "examples"}
	objectKeywords = append([]string{"$schema", "$id", "$defs", "type", "properties", "additionalProperties", "required"}, annotations...)
	valueKeywords  = append([]string{"type", "$ref", "anyOf", "enum", "const", "format", "minimum", "maximum", "items"}, annotations...)
)

func onlyKeywords(s map[string]any, allowed []string, where string) error {
	for k := range s {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("%s: the keyword %q is not understood by the fast path", where, k)
		}
	}
	return nil
}

// jsonFields maps a struct's JSON field names to its field indexes, as
// encoding/json names them; it refuses what it does not handle.
func jsonFields(t reflect.Type) (map[string]int, error) {
	m := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous:
			return nil, fmt.Errorf("%v.%s is embedded", t, f.Name)
		case strings.Contains(opts, "string"):
			return nil, fmt.Errorf("%v.%s is string-encoded", t, f.Name)
		case name == "-" && opts == "", !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		m[name] = i
	}
	return m, nil
}

func (b *planBuilder) object(s map[string]any, t reflect.Type, where string) (*objectPlan, error) {
	if err := onlyKeywords(s, objectKeywords, where); err != nil {
		return nil, err
	}
	if s["type"] != "object" {
		return nil, fmt.Errorf("%s: type is %v, want object", where, s["type"])
	}
	if s["additionalProperties"] != false {
		return nil, fmt.Errorf("%s: additionalProperties is %v, want false", where, s["additionalProperties"])
	}
	if t.Kind() != reflect.Struct || t == timeType {
		return nil, fmt.Errorf("%s: an object, but the Go type is %v", where, t)
	}
	goFields, err := jsonFields(t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	props, ok := s["properties"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: no properties", where)
	}
	if len(props) > 64 {
		return nil, fmt.Errorf("%s: %d properties, more than the plan's 64", where, len(props))
	}
	p := &objectPlan{typ: t, byName: map[string]int{}}
	// The fields in the order of the Go type, which is the order the
	// generated schema lists them and the order documents give them in.
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return goFields[a] - goFields[b] })
	for _, name := range names {
		i, ok := goFields[name]
		if !ok {
			return nil, fmt.Errorf("%s: %s has no field in %v", where, name, t)
		}
		ps, ok := props[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s.%s: not a schema object", where, name)
		}
		v, err := b.value(ps, t.Field(i).Type, where+"."+name)
		if err != nil {
			return nil, err
		}
		p.byName[name] = len(p.fields)
		p.fields = append(p.fields, fieldPlan{name: name, index: i, value: v})
	}
	if req, ok := s["required"]; ok {
		list, ok := req.([]any)
		if !ok {
			return nil, fmt.Errorf("%s: required is not a list", where)
		}
		for _, r := range list {
			name, _ := r.(string)
			k, ok := p.byName[name]
			if !ok {
				return nil, fmt.Errorf("%s: required %v is not a property", where, r)
			}
			p.required |= 1 << k
		}
	}
	return p, nil
}

// value plans a property or list item whose schema is s and Go type t.
func (b *planBuilder) value(s map[string]any, t reflect.Type, where string) (*valuePlan, error) {
	if err := onlyKeywords(s, valueKeywords, where); err != nil {
		return nil, err
	}
	nullable := false
	// A nullable object: {"anyOf": [{"$ref": ...}, {"type": "null"}]}.
	if anyOf, ok := s["anyOf"]; ok {
		alts, ok := anyOf.([]any)
		if !ok || len(alts) != 2 || len(s) != 1+count(s, annotations) {
			return nil, fmt.Errorf("%s: an anyOf other than a $ref or null", where)
		}
		ref, _ := alts[0].(map[string]any)
		null, _ := alts[1].(map[string]any)
		if _, ok := ref["$ref"]; !ok || len(ref) != 1 || len(null) != 1 || null["type"] != "null" {
			return nil, fmt.Errorf("%s: an anyOf other than a $ref or null", where)
		}
		s, nullable = ref, true
	}

	var typ string
	if _, ok := s["$ref"]; ok {
		if len(s) != 1+count(s, annotations) {
			return nil, fmt.Errorf("%s: $ref with other keywords", where)
		}
		typ = "object"
	} else {
		switch x := s["type"].(type) {
		case string:
			typ = x
		case []any:
			// [T, "null"], in either order.
			for _, y := range x {
				switch y {
				case "null":
					nullable = true
				default:
					if typ != "" {
						return nil, fmt.Errorf("%s: more than one type besides null", where)
					}
					typ, _ = y.(string)
				}
			}
			if len(x) != 2 || !nullable {
				return nil, fmt.Errorf("%s: type %v, want one type or one and null", where, x)
			}
		default:
			return nil, fmt.Errorf("%s: type %v, want one type or one and null", where, s["type"])
		}
	}

	p := &valuePlan{null: nullable}
	if nullable {
		switch t.Kind() {
		case reflect.Pointer:
			p.ptr, t = true, t.Elem()
		case reflect.Slice:
		default:
			return nil, fmt.Errorf("%s: may be null, but the Go type %v cannot be nil", where, t)
		}
	} else if t.Kind() == reflect.Pointer {
		return nil, fmt.Errorf("%s: may not be null, but the Go type is %v", where, t)
	}
	p.elem = t

	// The keywords each type may have besides type itself.
	allowed := map[string][]string{
		"object":  {"$ref"},
		"string":  {"enum", "const", "format"},
		"boolean": nil,
		"integer": {"minimum", "maximum"},
		"array":   {"items"},
	}
	extra, ok := allowed[typ]
	if !ok {
		return nil, fmt.Errorf("%s: type %q is not understood by the fast path", where, typ)
	}
	for k := range s {
		if k != "type" && !slices.Contains(extra, k) && !slices.Contains(annotations, k) {
			return nil, fmt.Errorf("%s: %s on a value of type %s", where, k, typ)
		}
	}

	switch typ {
	case "object":
		ref, _ := s["$ref"].(string)
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		if !ok {
			return nil, fmt.Errorf("%s: $ref %q is not to #/$defs", where, ref)
		}
		if obj, ok := b.objs[ref]; ok {
			if obj.typ != t {
				return nil, fmt.Errorf("%s: %s is %v here and %v elsewhere", where, ref, t, obj.typ)
			}
			p.kind, p.obj = kindObject, obj
			break
		}
		def, ok := b.defs[name].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: %s is not defined", where, ref)
		}
		obj, err := b.object(def, t, ref)
		if err != nil {
			return nil, err
		}
		b.objs[ref] = obj
		p.kind, p.obj = kindObject, obj
	case "string":
		switch f, ok := s["format"]; {
		case !ok:
			if t.Kind() != reflect.String {
				return nil, fmt.Errorf("%s: a string, but the Go type is %v", where, t)
			}
			p.kind = kindString
		case f == "date-time":
			if t != timeType {
				return nil, fmt.Errorf("%s: a date-time, but the Go type is %v", where, t)
			}
			if _, ok := s["enum"]; ok {
				return nil, fmt.Errorf("%s: an enum of date-times", where)
			}
			if _, ok := s["const"]; ok {
				return nil, fmt.Errorf("%s: a const date-time", where)
			}
			p.kind = kindTime
		default:
			return nil, fmt.Errorf("%s: the format %v is not understood by the fast path", where, f)
		}
		var vals []any
		if e, ok := s["enum"]; ok {
			if vals, ok = e.([]any); !ok {
				return nil, fmt.Errorf("%s: enum is not a list", where)
			}
		}
		if c, ok := s["const"]; ok {
			if _, ok := s["enum"]; ok {
				return nil, fmt.Errorf("%s: both enum and const", where)
			}
			vals = []any{c}
		}
		if vals != nil {
			p.enum = map[string]string{}
			nullListed := false
			for _, v := range vals {
				switch v := v.(type) {
				case string:
					p.enum[v] = v
				case nil:
					nullListed = true
				default:
					return nil, fmt.Errorf("%s: enum value %v is not a string or null", where, v)
				}
			}
			// null passes the type but must pass the enum too.
			p.null = p.null && nullListed
		}
	case "boolean":
		if t.Kind() != reflect.Bool {
			return nil, fmt.Errorf("%s: a boolean, but the Go type is %v", where, t)
		}
		p.kind = kindBool
	case "integer":
		switch t.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		default:
			return nil, fmt.Errorf("%s: an integer, but the Go type is %v", where, t)
		}
		p.kind, p.min, p.max = kindInt, math.MinInt64, math.MaxInt64
		for k, bound := range map[string]*int64{"minimum": &p.min, "maximum": &p.max} {
			v, ok := s[k]
			if !ok {
				continue
			}
			n, ok := v.(json.Number)
			if !ok {
				return nil, fmt.Errorf("%s: %s %v is not a number", where, k, v)
			}
			i, err := strconv.ParseInt(string(n), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %s %v is not a whole number the plan can hold", where, k, v)
			}
			*bound = i
		}
	case "array":
		if t.Kind() != reflect.Slice {
			return nil, fmt.Errorf("%s: a list, but the Go type is %v", where, t)
		}
		items, ok := s["items"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: a list without an items schema", where)
		}
		it, err := b.value(items, t.Elem(), where+"[]")
		if err != nil {
			return nil, err
		}
		p.kind, p.items = kindArray, it
		if it.kind == kindObject {
			p.scratch = &sync.Pool{New: func() any { return reflect.New(t).Elem() }}
		}
	}
	return p, nil
}

// count says how many of keys s has.
func count(s map[string]any, keys []string) int {
	n := 0
	for _, k := range keys {
		if _, ok := s[k]; ok {
			n++
		}
	}
	return n
}

// quickDecode reads text, which is UTF-8, as a Facts document that plan
// describes. It reports ok only when the document is valid; then f holds
// exactly what the slow path would build.
func quickDecode(text []byte, plan *objectPlan) (f *handwash.Facts, ok bool) {
	f = new(handwash.Facts)
	v := reflect.ValueOf(f).Elem()
	if v.Type() != plan.typ {
		return nil, false
	}
	// Strings without escapes, nearly all of them, are slices of one copy
	// of the text rather than an allocation each.
	d := &quickDecoder{b: text, s: string(text)}
	d.space()
	if !d.object(plan, v) {
		return nil, false
	}
	d.space()
	if d.i != len(d.b) {
		return nil, false
	}
	return f, true
}

// quickDecoder reads a document by its plan. Each method reports whether
// what it read is valid; on false the position is of no use any more.
type quickDecoder struct {
	b   []byte
	s   string // b as a string, which the strings read share
	i   int
	buf []byte // for strings with escapes
}

func (d *quickDecoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips white space and reports whether c comes next, and if so
// steps over it.
func (d *quickDecoder) next(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

func (d *quickDecoder) literal(word string) bool {
	if len(d.b)-d.i < len(word) || string(d.b[d.i:d.i+len(word)]) != word {
		return false
	}
	d.i += len(word)
	return true
}

// text reads a string literal, which must come next, and returns its text;
// the result may be d.buf, valid until the next call.
func (d *quickDecoder) text() ([]byte, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start := d.i
	s, next, ok := scanString(d.b, d.i, d.buf[:0])
	d.i = next
	// Escapes make the text shorter than the literal; then it is in
	// d.buf, perhaps grown, which is kept.
	if ok && len(s) < next-start-2 {
		d.buf = s[:0]
	}
	return s, ok
}

// str reads a string literal, which must come next, as a string: a slice
// of d.s unless it has escapes.
func (d *quickDecoder) str() (string, bool) {
	start := d.i
	b, ok := d.text()
	switch {
	case !ok:
		return "", false
	case len(b) == d.i-start-2:
		return d.s[start+1 : d.i-1], true
	}
	return string(b), true
}

func (d *quickDecoder) object(p *objectPlan, v reflect.Value) bool {
	if !d.next('{') {
		return false
	}
	var seen uint64
	if d.next('}') {
		return p.required == 0
	}
	k := -1 // the field before; the next in the plan is likely to follow
	for {
		d.space()
		name, ok := d.text()
		if !ok {
			return false
		}
		if k+1 < len(p.fields) && string(name) == p.fields[k+1].name {
			k++
		} else if k, ok = p.byName[string(name)]; !ok {
			return false // an unknown field
		}
		bit := uint64(1) << k
		if seen&bit != 0 {
			return false // a field given twice
		}
		seen |= bit
		if !d.next(':') {
			return false
		}
		f := &p.fields[k]
		if fv := f.value; fv.kind == kindString && fv.enum == nil && !fv.null && !fv.ptr {
			// Most fields (every one of a package's): what value and
			// bare would do, without the calls.
			d.space()
			s, ok := d.str()
			if !ok {
				return false
			}
			v.Field(f.index).SetString(s)
		} else if !d.value(f.value, v.Field(f.index)) {
			return false
		}
		if d.next(',') {
			continue
		}
		if d.next('}') {
			return seen&p.required == p.required
		}
		return false
	}
}

// value reads a value into v, which is its zero value.
func (d *quickDecoder) value(p *valuePlan, v reflect.Value) bool {
	d.space()
	if d.i >= len(d.b) {
		return false
	}
	if d.b[d.i] == 'n' {
		// encoding/json leaves a value alone for null.
		return p.null && d.literal("null")
	}
	if p.ptr {
		x := reflect.New(p.elem)
		if !d.bare(p, x.Elem()) {
			return false
		}
		v.Set(x)
		return true
	}
	return d.bare(p, v)
}

// bare reads a value that is not null into v.
func (d *quickDecoder) bare(p *valuePlan, v reflect.Value) bool {
	switch p.kind {
	case kindString:
		if p.enum == nil {
			s, ok := d.str()
			v.SetString(s)
			return ok
		}
		s, ok := d.text()
		if !ok {
			return false
		}
		e, ok := p.enum[string(s)]
		if !ok {
			return false
		}
		v.SetString(e)
	case kindTime:
		s, ok := d.text()
		if !ok {
			return false
		}
		// As the schema's date-time format checks it, and as fill sets it.
		if err := v.Addr().Interface().(*time.Time).UnmarshalText(s); err != nil {
			return false
		}
	case kindBool:
		switch {
		case d.literal("true"):
			v.SetBool(true)
		case d.literal("false"):
		default:
			return false
		}
	case kindInt:
		n, ok := d.integer()
		if !ok || n < p.min || n > p.max || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
	case kindObject:
		return d.object(p.obj, v)
	case kindArray:
		if !d.next('[') {
			return false
		}
		if d.next(']') {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0)) // [] is observed: not nil
			return true
		}
		if p.scratch != nil {
			return d.objects(p, v)
		}
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		return d.items(p, v)
	default:
		return false
	}
	return true
}

// objects reads the rest of a list of objects, after its first '[', into
// v: into a slice kept for reuse, then copied into one of the right size.
// The installed software is 1,500 objects on a typical device; growing
// its slice as it is read would allocate and copy it about eleven times.
func (d *quickDecoder) objects(p *valuePlan, v reflect.Value) bool {
	s := p.scratch.Get().(reflect.Value)
	ok := d.items(p, s)
	out := reflect.MakeSlice(v.Type(), s.Len(), s.Len())
	reflect.Copy(out, s)
	v.Set(out)
	s.Clear() // nothing read is kept alive by the pool
	s.SetLen(0)
	p.scratch.Put(s)
	return ok
}

// items reads the rest of a list, after its first '[', appending to the
// slice s.
func (d *quickDecoder) items(p *valuePlan, s reflect.Value) bool {
	for {
		n := s.Len()
		if n == s.Cap() {
			s.Grow(1)
		}
		s.SetLen(n + 1)
		if !d.value(p.items, s.Index(n)) {
			return false
		}
		if d.next(',') {
			continue
		}
		return d.next(']')
	}
}

// integer reads a number written as a whole number, as json.Unmarshal
// reads it into an int64: -?(0|[1-9][0-9]*). Anything else (a fraction, an
// exponent, a number too large) is for the slow path to explain.
func (d *quickDecoder) integer() (int64, bool) {
	start := d.i
	if d.i < len(d.b) && d.b[d.i] == '-' {
		d.i++
	}
	digits := d.i
	if d.i < len(d.b) && d.b[d.i] == '0' {
		d.i++
	} else {
		for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
			d.i++
		}
	}
	if d.i == digits {
		return 0, false
	}
	if d.i < len(d.b) {
		switch d.b[d.i] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	if d.i-digits <= 18 {
		var n int64
		for _, c := range d.b[digits:d.i] {
			n = n*10 + int64(c-'0')
		}
		if digits > start {
			n = -n
		}
		return n, true
	}
	n, err := strconv.ParseInt(string(d.b[start:d.i]), 10, 64)
	return n, err == nil
}
