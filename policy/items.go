package policy

import (
	"reflect"
	"strconv"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/interpreter"

	"github.com/handwash/handwash"
)

// itemUnknown is a fact of one list item that was not observed.
type itemUnknown struct {
	pattern *interpreter.AttributePattern
	// field is the JSON name of the unobserved field: a control is unknown
	// only if it reads a field of that name.
	field   string
	missing handwash.Missing
}

// itemUnknowns finds the facts of list items that were not observed. Inside
// a list, a nil field is unknown only when collection.missing names it, as
// "backup.tools[0].last_success" (one item), "accounts.users.password_empty"
// (every item), or "malware.products[XProtect].enabled" (the item with that
// name); otherwise it means the field does not apply to that item.
func itemUnknowns(f *handwash.Facts) []itemUnknown {
	var out []itemUnknown
	for _, m := range f.Collection.Missing {
		segs := splitPath(m.Fact)
		if len(segs) < 2 {
			continue
		}
		field := segs[len(segs)-1].name
		resolve(reflect.ValueOf(f).Elem(), segs, cel.AttributePattern("facts"), false, func(p *interpreter.AttributePattern) {
			out = append(out, itemUnknown{pattern: p, field: field, missing: m})
		})
	}
	return out
}

type segment struct {
	name  string
	key   string // the bracketed index or name, if any
	keyed bool
}

// splitPath splits "backup.tools[0].destination.kind" into segments.
func splitPath(path string) []segment {
	var segs []segment
	for _, part := range strings.Split(path, ".") {
		s := segment{name: part}
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			s = segment{name: part[:i], key: part[i+1 : len(part)-1], keyed: true}
		}
		segs = append(segs, s)
	}
	return segs
}

// resolve walks v along segs, calling found with the attribute pattern of
// each nil pointer field reached after passing through a list.
func resolve(v reflect.Value, segs []segment, p *interpreter.AttributePattern, inList bool, found func(*interpreter.AttributePattern)) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if len(segs) == 0 || v.Kind() != reflect.Struct {
		return
	}
	seg := segs[0]
	fv, ok := fieldByJSON(v, seg.name)
	if !ok {
		return
	}
	p = p.QualString(seg.name)
	if fv.Kind() == reflect.Slice {
		for i := 0; i < fv.Len(); i++ {
			if seg.keyed && !itemMatches(fv.Index(i), i, seg.key) {
				continue
			}
			resolve(fv.Index(i), segs[1:], p.QualInt(int64(i)), true, found)
		}
		return
	}
	if len(segs) == 1 {
		if inList && fv.Kind() == reflect.Pointer && fv.IsNil() {
			found(p)
		}
		return
	}
	resolve(fv, segs[1:], p, inList, found)
}

// itemMatches reports whether list item v (at index i) is the one key names:
// by index, or by its name or SSID.
func itemMatches(v reflect.Value, i int, key string) bool {
	if n, err := strconv.Atoi(key); err == nil {
		return n == i
	}
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	for _, f := range []string{"name", "ssid"} {
		if fv, ok := fieldByJSON(v, f); ok && fv.Kind() == reflect.String && fv.String() == key {
			return true
		}
	}
	return false
}

func fieldByJSON(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if jsonName(t.Field(i)) == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}
