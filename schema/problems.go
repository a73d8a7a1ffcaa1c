package schema

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// schemaProblems turns validation errors into problems in plain English,
// ordered by where they are in the file.
func (d *document) schemaProblems(leaves []*jsonschema.ValidationError) []problem {
	// Each problem is about a value, or about a field name (an unknown
	// field), or about an object missing a field.
	type pending struct {
		problem
		loc  []string
		key  bool // the offset is that of loc's last field name
		name string
	}
	var ps []pending
	add := func(loc []string, path, msg string) {
		ps = append(ps, pending{problem: problem{path: path, msg: msg}, loc: loc})
	}
	for _, e := range leaves {
		loc := e.InstanceLocation
		path := d.dotted(loc)
		v := lookup(d.value, loc)
		switch k := e.ErrorKind.(type) {
		case *kind.Type:
			add(loc, path, fmt.Sprintf("expected %s, found %s", wantText(k.Want), describe(v)))
		case *kind.Enum:
			msg := fmt.Sprintf("expected %s, found %s", oneOf(k.Want), describe(v))
			if got, ok := v.(string); ok {
				for _, w := range k.Want {
					if w, ok := w.(string); ok && strings.EqualFold(w, got) {
						msg += fmt.Sprintf(" (did you mean %q?)", w)
						break
					}
				}
			}
			add(loc, path, msg)
		case *kind.Const:
			add(loc, path, fmt.Sprintf("expected %s, found %s", valueText(k.Want), describe(v)))
		case *kind.Format:
			add(loc, path, fmt.Sprintf("expected %s, found %s", formatText(k.Want), describe(v)))
		case *kind.Minimum:
			add(loc, path, fmt.Sprintf("expected %s or more, found %s", k.Want.RatString(), describe(v)))
		case *kind.Maximum:
			add(loc, path, fmt.Sprintf("expected %s or less, found %s", k.Want.RatString(), describe(v)))
		case *kind.Required:
			for _, m := range k.Missing {
				mpath := m
				if path != "" {
					mpath = path + "." + m
				}
				add(loc, mpath, "required field is missing")
			}
		case *kind.AdditionalProperties:
			// Thousands of unknown fields in one object are not worth
			// placing one by one.
			names := slices.Sorted(slices.Values(k.Properties))
			if len(names) > maxLeaves {
				names = names[:maxLeaves]
			}
			for _, name := range names {
				msg := fmt.Sprintf("unknown field %s", quote(name))
				if s := suggest(name, d.fieldsAt(loc)); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				ps = append(ps, pending{problem: problem{path: path, msg: msg}, loc: append(slices.Clone(loc), name), key: true})
			}
		case *kind.FalseSchema:
			add(loc, path, "this field is not allowed here")
		default:
			add(loc, path, "does not match the Facts schema (/"+strings.Join(e.ErrorKind.KeywordPath(), "/")+")")
		}
	}

	var paths, keys [][]string
	for _, p := range ps {
		if p.key {
			keys = append(keys, p.loc)
		} else {
			paths = append(paths, p.loc)
		}
	}
	offs := d.locate(paths, keys)
	out := make([]problem, 0, len(ps))
	pi, ki := 0, len(paths)
	for _, p := range ps {
		if p.key {
			p.off, ki = offs[ki], ki+1
		} else {
			p.off, pi = offs[pi], pi+1
		}
		out = append(out, p.problem)
	}
	slices.SortFunc(out, func(a, b problem) int {
		return cmp.Or(cmp.Compare(a.off, b.off), cmp.Compare(a.path, b.path), cmp.Compare(a.msg, b.msg))
	})
	return slices.Compact(out)
}

// collectLeaves gathers the errors that say what is wrong, leaving out the
// ones that only group others. A nullable field's schema is "X or null": when
// a value fails, what matters is why it is not an X.
func collectLeaves(e *jsonschema.ValidationError, out *[]*jsonschema.ValidationError) {
	causes := e.Causes
	switch e.ErrorKind.(type) {
	case *kind.AnyOf, *kind.OneOf:
		causes = slices.DeleteFunc(slices.Clone(causes), isNullMismatch)
		if len(causes) == 0 {
			*out = append(*out, e)
			return
		}
	}
	if len(causes) == 0 {
		*out = append(*out, e)
		return
	}
	for _, c := range causes {
		collectLeaves(c, out)
	}
}

func isNullMismatch(e *jsonschema.ValidationError) bool {
	k, ok := e.ErrorKind.(*kind.Type)
	return ok && len(k.Want) == 1 && k.Want[0] == "null"
}

// lookup returns the value at a JSON pointer's tokens, or nil.
func lookup(v any, loc []string) any {
	for _, t := range loc {
		switch x := v.(type) {
		case map[string]any:
			v = x[t]
		case []any:
			i, err := strconv.Atoi(t)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

var typeWords = map[string]string{
	"boolean": "true or false",
	"string":  "a string",
	"integer": "a whole number",
	"number":  "a number",
	"object":  "an object",
	"array":   "a list",
	"null":    "null",
}

// wantText says which JSON types were expected; null is left out when
// something else is allowed, as it only ever means "not observed".
func wantText(want []string) string {
	var words []string
	for _, w := range want {
		if w == "null" && len(want) > 1 {
			continue
		}
		if s, ok := typeWords[w]; ok {
			words = append(words, s)
		} else {
			words = append(words, w)
		}
	}
	return orList(words)
}

func orList(words []string) string {
	switch len(words) {
	case 0:
		return "nothing"
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// oneOf lists the allowed values of an enum.
func oneOf(vals []any) string {
	var words []string
	for _, v := range vals {
		if v != nil {
			words = append(words, valueText(v))
		}
	}
	if len(words) == 1 {
		return words[0]
	}
	return "one of " + orList(words)
}

// valueText writes a JSON value as it would appear in the file.
func valueText(v any) string {
	if s, ok := v.(string); ok {
		return quote(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// describe says what a value found in the file is.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(x)
	case json.Number:
		return "the number " + truncate(string(x))
	case string:
		return "the string " + quote(x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// quote writes a string from the file for a message: shortened, with any
// control characters escaped so that they cannot upset a terminal.
func quote(s string) string {
	return strconv.Quote(truncate(s))
}

func truncate(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max-3]) + "..."
}

func formatText(format string) string {
	if format == "date-time" {
		return `a date and time such as "2026-06-01T09:30:00Z"`
	}
	return "a " + format
}

// fieldsAt lists the fields the schema allows in the object at loc.
func (d *document) fieldsAt(loc []string) []string {
	s, err := d.schema()
	if err != nil {
		return nil
	}
	for _, t := range loc {
		s = concrete(s)
		if s == nil {
			return nil
		}
		if s.Items2020 != nil {
			if _, err := strconv.Atoi(t); err == nil {
				s = s.Items2020
				continue
			}
		}
		s = s.Properties[t]
	}
	s = concrete(s)
	if s == nil {
		return nil
	}
	var names []string
	for n := range s.Properties {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// concrete follows $ref and the anyOf of a nullable field to the schema that
// describes the value.
func concrete(s *jsonschema.Schema) *jsonschema.Schema {
	for s != nil {
		switch {
		case s.Ref != nil:
			s = s.Ref
		case len(s.AnyOf) > 0:
			s = s.AnyOf[0]
		default:
			return s
		}
	}
	return nil
}

// suggest returns the allowed field closest to a misspelt one, if one is
// close enough to be what was meant.
func suggest(name string, allowed []string) string {
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }
	best, bestDist := "", 3
	for _, a := range allowed {
		if norm(a) == norm(name) {
			return a
		}
		if d := distance(name, a); d < bestDist && d < max(len(a)/2, 2) {
			best, bestDist = a, d
		}
	}
	return best
}

// distance is the Levenshtein distance between two short strings.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 1 << 30
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
