package handwash

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// appendFactsJSON appends f as encoding/json's Marshal writes it, byte for
// byte, and faster: the server digests every upload's Facts (about 170 KB
// with 1,500 packages), and Marshal's general machinery was a tenth of its
// work. The encoder is planned once from the Facts types by reflection, as
// encoding/json plans its own, but handles only what Facts are made of
// (structs with json tags, pointers, slices, strings, booleans, integers
// and times) and hands anything else, and any string that needs escaping,
// to encoding/json itself. TestAppendFactsJSONIsMarshal holds it to
// Marshal's output on recorded Facts and in a fuzz test.
func appendFactsJSON(dst []byte, f *Facts) []byte {
	return factsEncoder()(dst, reflect.ValueOf(f).Elem())
}

// encodeFunc appends the value v.
type encodeFunc func(dst []byte, v reflect.Value) []byte

var factsEncoder = sync.OnceValue(func() encodeFunc {
	return encoderFor(reflect.TypeFor[Facts](), map[reflect.Type]*encodeFunc{})
})

var (
	timeType      = reflect.TypeFor[time.Time]()
	marshalerType = reflect.TypeFor[json.Marshaler]()
	textType      = reflect.TypeFor[encoding.TextMarshaler]()
)

// encoderFor plans t's encoder; planned holds those being planned, for
// types that contain themselves.
func encoderFor(t reflect.Type, planned map[reflect.Type]*encodeFunc) encodeFunc {
	if p, ok := planned[t]; ok {
		return func(dst []byte, v reflect.Value) []byte { return (*p)(dst, v) }
	}
	switch {
	case t == timeType:
		return appendTime
	case t == reflect.TypeFor[[]SoftwareItem]():
		return appendSoftwareItems
	case t.Implements(marshalerType) || t.Implements(textType) ||
		reflect.PointerTo(t).Implements(marshalerType) || reflect.PointerTo(t).Implements(textType):
		return appendMarshal
	}
	switch t.Kind() {
	case reflect.String:
		return func(dst []byte, v reflect.Value) []byte { return appendJSONString(dst, v.String()) }
	case reflect.Bool:
		return func(dst []byte, v reflect.Value) []byte { return strconv.AppendBool(dst, v.Bool()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(dst []byte, v reflect.Value) []byte { return strconv.AppendInt(dst, v.Int(), 10) }
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(dst []byte, v reflect.Value) []byte { return strconv.AppendUint(dst, v.Uint(), 10) }
	case reflect.Pointer:
		elem := encoderFor(t.Elem(), planned)
		return func(dst []byte, v reflect.Value) []byte {
			if v.IsNil() {
				return append(dst, "null"...)
			}
			return elem(dst, v.Elem())
		}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return appendMarshal // base64, as Marshal writes []byte
		}
		elem := encoderFor(t.Elem(), planned)
		return func(dst []byte, v reflect.Value) []byte {
			if v.IsNil() {
				return append(dst, "null"...)
			}
			dst = append(dst, '[')
			for i := range v.Len() {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = elem(dst, v.Index(i))
			}
			return append(dst, ']')
		}
	case reflect.Struct:
		var enc encodeFunc
		planned[t] = &enc
		enc = structEncoder(t, planned)
		delete(planned, t)
		return enc
	}
	return appendMarshal
}

// field is one struct field as Marshal writes it.
type field struct {
	index     int
	key       string // `"name":`
	omitEmpty bool
	omitZero  func(reflect.Value) bool
	enc       encodeFunc
}

func structEncoder(t reflect.Type, planned map[reflect.Type]*encodeFunc) encodeFunc {
	var fields []field
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if sf.Anonymous || (!sf.IsExported() && tag != "-") {
			if sf.Anonymous {
				return appendMarshal // embedding: Marshal's rules are not worth copying
			}
			continue
		}
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		key, err := json.Marshal(name)
		if err != nil || strings.Contains(opts, "string") || !json.Valid(key) {
			return appendMarshal
		}
		fd := field{index: i, key: string(key) + ":", enc: encoderFor(sf.Type, planned)}
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "omitempty":
				fd.omitEmpty = true
			case "omitzero":
				fd.omitZero = zeroTest(sf.Type)
			}
		}
		fields = append(fields, fd)
	}
	return func(dst []byte, v reflect.Value) []byte {
		dst = append(dst, '{')
		first := true
		for i := range fields {
			fd := &fields[i]
			fv := v.Field(fd.index)
			if fd.omitEmpty && isEmpty(fv) || fd.omitZero != nil && fd.omitZero(fv) {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, fd.key...)
			dst = fd.enc(dst, fv)
		}
		return append(dst, '}')
	}
}

// zeroTest is how omitzero tells a zero value of t: its IsZero method when
// it has one, as Marshal does.
func zeroTest(t reflect.Type) func(reflect.Value) bool {
	if m, ok := t.MethodByName("IsZero"); ok && m.Type.NumIn() == 1 && m.Type.NumOut() == 1 && m.Type.Out(0).Kind() == reflect.Bool {
		if t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface {
			return func(v reflect.Value) bool { return v.IsNil() || v.Method(m.Index).Call(nil)[0].Bool() }
		}
		return func(v reflect.Value) bool { return v.Method(m.Index).Call(nil)[0].Bool() }
	}
	return reflect.Value.IsZero
}

// isEmpty is omitempty's test, as Marshal has it.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// appendJSONString writes s as a JSON string. Printable ASCII other than
// the characters Marshal escapes is written as it is; anything else goes
// to Marshal, which escapes it its own way.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !plainJSON[s[i]] {
			return appendMarshalled(dst, s)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// plainJSON marks the bytes Marshal writes as they are in a string.
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// appendSoftwareItems writes the installed software, nine tenths of a
// typical device's Facts, without reflection: SoftwareItem's fields and
// json tags in order.
func appendSoftwareItems(dst []byte, v reflect.Value) []byte {
	items := v.Interface().([]SoftwareItem)
	if items == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i := range items {
		it := &items[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"name":`...)
		dst = appendJSONString(dst, it.Name)
		dst = appendOptional(dst, `,"version":`, it.Version)
		dst = appendOptional(dst, `,"publisher":`, it.Publisher)
		dst = append(dst, `,"source":`...)
		dst = appendJSONString(dst, it.Source)
		dst = appendOptional(dst, `,"arch":`, it.Arch)
		dst = appendOptional(dst, `,"source_package":`, it.SourcePackage)
		dst = appendOptional(dst, `,"source_version":`, it.SourceVersion)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendOptional writes an omitempty string field.
func appendOptional(dst []byte, key, s string) []byte {
	if s == "" {
		return dst
	}
	return appendJSONString(append(dst, key...), s)
}

func appendTime(dst []byte, v reflect.Value) []byte {
	b, err := v.Interface().(time.Time).MarshalJSON()
	if err != nil {
		panic(fmt.Sprintf("handwash: Facts cannot be encoded: %v", err))
	}
	return append(dst, b...)
}

// appendMarshal has Marshal write v, through its address when it has one,
// so that a method on the pointer is used as Marshal would use it.
func appendMarshal(dst []byte, v reflect.Value) []byte {
	if v.CanAddr() {
		return appendMarshalled(dst, v.Addr().Interface())
	}
	return appendMarshalled(dst, v.Interface())
}

func appendMarshalled(dst []byte, x any) []byte {
	b, err := json.Marshal(x)
	if err != nil {
		// Facts are plain data; Digest has always panicked here too.
		panic(fmt.Sprintf("handwash: Facts cannot be encoded: %v", err))
	}
	return append(dst, b...)
}
