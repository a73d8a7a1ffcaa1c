package schema

import (
	"encoding/json"
	"slices"
	"strconv"
)

// walker goes through a JSON document that encoding/json has already found
// well formed, tracking where each value and field name is. It finds the
// first field name that appears twice in one object, which encoding/json lets
// through (the last one wins, and for an object merges with the first), and
// it finds the positions of the values that problems are about.
//
// It never panics and always ends, whatever it is given: on input that is not
// well formed it stops early.
type walker struct {
	b    []byte
	i    int
	path []string // tokens of the JSON pointer of the current value
	keys []seenKey

	// onKey is called for each field with the field's path and the offset of
	// its name; onValue for each value with its path and extent.
	onKey   func(path []string, start int)
	onValue func(path []string, start, end int)

	dup  *duplicate
	stop bool
}

type seenKey struct {
	name string
	at   int
}

// duplicate is a field that appears twice in the same object.
type duplicate struct {
	path          []string // the object's
	name          string
	first, second int // offsets of the two names
}

// walk goes through b once and returns the first duplicate field, if any.
func (w *walker) walk() *duplicate {
	w.value()
	return w.dup
}

func (w *walker) done() bool { return w.stop || w.dup != nil || w.i >= len(w.b) }

func (w *walker) space() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

func (w *walker) value() {
	w.space()
	if w.done() {
		return
	}
	start := w.i
	switch w.b[w.i] {
	case '{':
		w.object()
	case '[':
		w.array()
	case '"':
		w.i = stringEnd(w.b, w.i)
	default: // a number, true, false or null
		for w.i < len(w.b) && !isDelimiter(w.b[w.i]) {
			w.i++
		}
		if w.i == start { // not JSON: make progress and give up
			w.i, w.stop = len(w.b), true
			return
		}
	}
	if w.onValue != nil && !w.stop {
		w.onValue(w.path, start, w.i)
	}
}

func isDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ',', ':', ']', '}', '[', '{', '"':
		return true
	}
	return false
}

// stringEnd returns the offset just after the string that starts at b[i].
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// indexAfter is how many fields an object may have before the walker looks
// them up in a map rather than one by one.
const indexAfter = 8

func (w *walker) object() {
	w.i++ // {
	base := len(w.keys)
	defer func() { w.keys = w.keys[:base] }()
	var index map[string]int
	for !w.done() {
		w.space()
		if w.done() {
			return
		}
		switch w.b[w.i] {
		case '}':
			w.i++
			return
		case ',':
			w.i++
			continue
		case '"':
		default:
			w.i, w.stop = len(w.b), true
			return
		}
		start := w.i
		w.i = stringEnd(w.b, w.i)
		name := unquote(w.b[start:w.i])

		if index == nil && len(w.keys)-base >= indexAfter {
			index = make(map[string]int, 2*indexAfter)
			for _, k := range w.keys[base:] {
				index[k.name] = k.at
			}
		}
		first, seen := -1, false
		if index != nil {
			first, seen = index[name]
			index[name] = start
		} else {
			for _, k := range w.keys[base:] {
				if k.name == name {
					first, seen = k.at, true
					break
				}
			}
			w.keys = append(w.keys, seenKey{name, start})
		}
		if seen {
			w.dup = &duplicate{path: slices.Clone(w.path), name: name, first: first, second: start}
			return
		}

		w.path = append(w.path, name)
		if w.onKey != nil {
			w.onKey(w.path, start)
		}
		w.space()
		if w.i < len(w.b) && w.b[w.i] == ':' {
			w.i++
		}
		w.value()
		w.path = w.path[:len(w.path)-1]
	}
}

func (w *walker) array() {
	w.i++ // [
	for n := 0; !w.done(); {
		w.space()
		if w.done() {
			return
		}
		switch w.b[w.i] {
		case ']':
			w.i++
			return
		case ',':
			w.i++
			continue
		}
		w.path = append(w.path, strconv.Itoa(n))
		n++
		w.value()
		w.path = w.path[:len(w.path)-1]
	}
}

// unquote returns the text of a JSON string literal, escapes decoded as
// encoding/json decodes them (so "\u0061" and "a" are the same name).
func unquote(raw []byte) string {
	if len(raw) < 2 {
		return string(raw)
	}
	if !slices.Contains(raw, '\\') {
		return string(raw[1 : len(raw)-1])
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return string(raw[1 : len(raw)-1])
	}
	return s
}
