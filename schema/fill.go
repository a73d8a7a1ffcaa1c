package schema

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fill sets v, a zero value, from x, a value as fastParse or encoding/json
// with UseNumber builds it, exactly as json.Unmarshal would set v from the
// same text. The schema has been checked by then, so this is a straight
// copy; it saves decoding the whole text a second time. It reports false
// for anything it does not handle (a value of the wrong type, a field it
// does not know, a number Go cannot hold, an embedded struct), and the
// caller then lets json.Unmarshal decide and explain.
func fill(v reflect.Value, x any) bool {
	if x == nil {
		return true // encoding/json leaves a value alone for null
	}
	if v.Type() == timeType {
		s, ok := x.(string)
		if !ok {
			return false
		}
		var t time.Time
		if err := t.UnmarshalText([]byte(s)); err != nil {
			return false
		}
		v.Set(reflect.ValueOf(t))
		return true
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if !fill(p.Elem(), x) {
			return false
		}
		v.Set(p)
	case reflect.Slice:
		a, ok := x.([]any)
		if !ok {
			return false
		}
		s := reflect.MakeSlice(v.Type(), len(a), len(a))
		for i, y := range a {
			if !fill(s.Index(i), y) {
				return false
			}
		}
		v.Set(s)
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok {
			return false
		}
		fields := fieldsOf(v.Type())
		if fields == nil {
			return false
		}
		for name, y := range m {
			i, ok := fields[name]
			if !ok || !fill(v.Field(i), y) {
				return false
			}
		}
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return false
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return false
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := x.(json.Number)
		if !ok {
			return false
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || v.OverflowInt(i) {
			return false
		}
		v.SetInt(i)
	default:
		return false
	}
	return true
}

var timeType = reflect.TypeFor[time.Time]()

// fieldCache maps a struct type to its fields by JSON name.
var fieldCache sync.Map // reflect.Type -> map[string]int

// fieldsOf returns the indexes of t's fields by JSON name, or nil when t has
// fields fill does not handle: embedded ones, and string-encoded ones.
func fieldsOf(t reflect.Type) map[string]int {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]int)
	}
	m := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous, strings.Contains(opts, "string"):
			m = nil
		case name == "-" && opts == "", !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		if m == nil {
			break
		}
		m[name] = i
	}
	fieldCache.Store(t, m)
	return m
}
