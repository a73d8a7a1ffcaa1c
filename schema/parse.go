package schema

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth is how deeply objects and lists may nest, as in encoding/json.
const maxDepth = 10000

// fastParse builds the value that encoding/json would decode from text with
// UseNumber (maps, slices, json.Number, strings, booleans and nil), in about
// a quarter of the time: decoding is on the path of every upload. It reports
// ok only for well-formed JSON with no field name twice in one object;
// for anything else the caller asks encoding/json and the walker, which say
// what is wrong and where. It accepts nothing encoding/json refuses
// (FuzzFastParse checks this).
//
// text must be valid UTF-8.
func fastParse(text []byte) (v any, ok bool) {
	p := &parser{b: text}
	v = p.value()
	p.space()
	if p.bad || p.i != len(p.b) {
		return nil, false
	}
	return v, true
}

type parser struct {
	b     []byte
	i     int
	depth int
	bad   bool
}

func (p *parser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) value() any {
	p.space()
	if p.i >= len(p.b) {
		p.bad = true
		return nil
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		return p.string()
	case c == 't':
		return p.literal("true", true)
	case c == 'f':
		return p.literal("false", false)
	case c == 'n':
		return p.literal("null", nil)
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	p.bad = true
	return nil
}

func (p *parser) literal(word string, v any) any {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		p.bad = true
		return nil
	}
	p.i += len(word)
	return v
}

func (p *parser) object() any {
	if p.depth++; p.depth > maxDepth {
		p.bad = true
		return nil
	}
	defer func() { p.depth-- }()
	p.i++ // {
	m := map[string]any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return m
	}
	for !p.bad {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			p.bad = true
			return nil
		}
		name := p.string()
		p.space()
		if p.bad || p.i >= len(p.b) || p.b[p.i] != ':' {
			p.bad = true
			return nil
		}
		p.i++
		v := p.value()
		if _, dup := m[name]; dup {
			p.bad = true
			return nil
		}
		m[name] = v
		p.space()
		if p.i >= len(p.b) {
			p.bad = true
			return nil
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return m
		default:
			p.bad = true
			return nil
		}
	}
	return nil
}

func (p *parser) array() any {
	if p.depth++; p.depth > maxDepth {
		p.bad = true
		return nil
	}
	defer func() { p.depth-- }()
	p.i++ // [
	a := []any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return a
	}
	for !p.bad {
		a = append(a, p.value())
		p.space()
		if p.i >= len(p.b) {
			p.bad = true
			return nil
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return a
		default:
			p.bad = true
			return nil
		}
	}
	return nil
}

// string reads a string literal.
func (p *parser) string() string {
	s, next, ok := scanString(p.b, p.i, nil)
	p.i = next
	if !ok {
		p.bad = true
		return ""
	}
	return string(s)
}

// scanString reads the string literal that starts at b[i] (a '"'), decoding
// escapes as encoding/json does: a \u escape of half a surrogate pair that
// the other half does not follow becomes U+FFFD. It returns the string's
// text, which is part of b when there are no escapes and is otherwise
// appended to buf, and the offset just after the literal; ok is false when
// the literal is malformed or unterminated.
func scanString(b []byte, i int, buf []byte) (s []byte, next int, ok bool) {
	i++ // "
	start := i
	// Eight bytes at a time, to the first special one.
	for i+8 <= len(b) {
		if m := specials(binary.LittleEndian.Uint64(b[i:])); m != 0 {
			i += bits.TrailingZeros64(m) / 8
			break
		}
		i += 8
	}
	for i < len(b) {
		switch c := b[i]; {
		case c == '"':
			return b[start:i], i + 1, true
		case c == '\\':
			return unescape(b, start, i, buf)
		case c < 0x20:
			return nil, i, false
		}
		i++
	}
	return nil, i, false
}

// specials marks the bytes of w (eight bytes of text, the first in the
// lowest bits) that are a quote, a backslash or a control character, which
// end the plain run of a string: the high bit of the first such byte is
// set, and only higher bits besides; it is 0 when there is none.
func specials(w uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := w ^ (ones * '"')
	backslash := w ^ (ones * '\\')
	// (x - ones) &^ x sets the high bit of the first zero byte of x, and
	// perhaps of bytes above it (where the subtraction borrowed) but of no
	// byte below; (w - ones*0x20) &^ w does the same for the first byte
	// below 0x20.
	return ((quote-ones)&^quote | (backslash-ones)&^backslash | (w-ones*0x20)&^w) & highs
}

// unescape goes on reading a string literal that starts at b[start] from
// its first backslash, at b[i].
func unescape(b []byte, start, i int, buf []byte) (s []byte, next int, ok bool) {
	out := append(buf, b[start:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return out, i + 1, true
		case c < 0x20:
			return nil, i, false
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			break
		}
		e := b[i+1]
		i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(b[i:])
			if !ok {
				return nil, i, false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				r2, ok := rune(0), false
				if len(b)-i >= 6 && b[i] == '\\' && b[i+1] == 'u' {
					r2, ok = hex4(b[i+2:])
				}
				if dec := utf16.DecodeRune(r, r2); ok && dec != utf8.RuneError {
					r = dec
					i += 6
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return nil, i, false
		}
	}
	return nil, i, false
}

// hex4 reads the four hexadecimal digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

// number reads a number as JSON writes it:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() any {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.digits() == 0:
		p.bad = true
		return nil
	}
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			p.bad = true
			return nil
		}
	}
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			p.bad = true
			return nil
		}
	}
	return json.Number(p.b[start:p.i])
}

func (p *parser) digits() int {
	start := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}
