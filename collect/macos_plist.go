package collect

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// The macOS collectors read property lists as XML: files that are XML on
// disk directly, binary ones through `plutil -convert xml1 -o - FILE`, and
// the XML that tools such as `ioreg -a` and `tmutil destinationinfo -X`
// print. parsePlist turns that XML into plain Go values:
//
//	<dict>    map[string]any
//	<array>   []any
//	<string>  string
//	<integer> int64 (uint64 when it does not fit, as ioreg sometimes prints)
//	<real>    float64
//	<true/>   true, <false/> false
//	<date>    time.Time (UTC)
//	<data>    []byte
//
// It is a small parser of our own because go.mod carries no plist library;
// it is fuzzed (FuzzParsePlist) because plist files are input we do not
// control.

// plistMaxDepth bounds nesting so that hostile input cannot recurse without
// end; real plists nest a few levels (ioreg -d1 output about five).
const plistMaxDepth = 200

// errPlistEmpty is returned for input that holds no plist value at all.
var errPlistEmpty = errors.New("plist: no value")

// parsePlist reads an XML property list and returns its top value.
func parsePlist(b []byte) (any, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	// Apple's plists declare UTF-8; a stray other declaration should not
	// stop us reading an otherwise well-formed document.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil, errPlistEmpty
		}
		if err != nil {
			return nil, fmt.Errorf("plist: %w", err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue // the XML declaration, DOCTYPE, comments, space
		}
		if se.Name.Local == "plist" {
			v, err := plistFirstValue(d)
			if err != nil {
				return nil, err
			}
			return v, nil
		}
		// Some tools print a bare value without the <plist> wrapper.
		return plistValue(d, se, 0)
	}
}

// plistFirstValue reads the one value inside <plist>…</plist>.
func plistFirstValue(d *xml.Decoder) (any, error) {
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, plistEOF(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return plistValue(d, t, 0)
		case xml.EndElement:
			return nil, errPlistEmpty
		}
	}
}

// plistValue reads the value that start opened, up to its end tag.
func plistValue(d *xml.Decoder, start xml.StartElement, depth int) (any, error) {
	if depth > plistMaxDepth {
		return nil, fmt.Errorf("plist: nested more than %d levels", plistMaxDepth)
	}
	switch start.Name.Local {
	case "dict":
		return plistDict(d, depth)
	case "array":
		return plistArray(d, depth)
	case "true", "false":
		if err := d.Skip(); err != nil {
			return nil, plistEOF(err)
		}
		return start.Name.Local == "true", nil
	}
	text, err := plistText(d)
	if err != nil {
		return nil, err
	}
	switch start.Name.Local {
	case "string":
		return text, nil
	case "key":
		return nil, fmt.Errorf("plist: <key> %q outside a dict", text)
	case "integer":
		return plistParseInt(text)
	case "real":
		f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil {
			return nil, fmt.Errorf("plist: bad real %q", text)
		}
		return f, nil
	case "date":
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(text))
		if err != nil {
			return nil, fmt.Errorf("plist: bad date %q", text)
		}
		return t.UTC(), nil
	case "data":
		return plistParseData(text)
	}
	return nil, fmt.Errorf("plist: unknown element <%s>", start.Name.Local)
}

func plistDict(d *xml.Decoder, depth int) (map[string]any, error) {
	m := map[string]any{}
	var key string
	haveKey := false
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, plistEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if haveKey {
				return nil, fmt.Errorf("plist: key %q has no value", key)
			}
			return m, nil
		case xml.StartElement:
			if !haveKey {
				if t.Name.Local != "key" {
					return nil, fmt.Errorf("plist: <%s> in a dict where a <key> belongs", t.Name.Local)
				}
				if key, err = plistText(d); err != nil {
					return nil, err
				}
				haveKey = true
				continue
			}
			v, err := plistValue(d, t, depth+1)
			if err != nil {
				return nil, err
			}
			m[key] = v // a repeated key keeps its last value, as CoreFoundation does
			haveKey = false
		}
	}
}

func plistArray(d *xml.Decoder, depth int) ([]any, error) {
	a := []any{}
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, plistEOF(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return a, nil
		case xml.StartElement:
			v, err := plistValue(d, t, depth+1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
	}
}

// plistText reads the character data of a leaf element up to its end tag.
func plistText(d *xml.Decoder) (string, error) {
	var sb strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return "", plistEOF(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			sb.Write(t)
		case xml.EndElement:
			return sb.String(), nil
		case xml.StartElement:
			return "", fmt.Errorf("plist: <%s> inside a leaf value", t.Name.Local)
		}
	}
}

func plistParseInt(text string) (any, error) {
	s := strings.TrimSpace(text)
	if n, err := strconv.ParseInt(s, 0, 64); err == nil {
		return n, nil
	}
	if n, err := strconv.ParseUint(s, 0, 64); err == nil {
		return n, nil
	}
	return nil, fmt.Errorf("plist: bad integer %q", text)
}

func plistParseData(text string) ([]byte, error) {
	// plutil and ioreg wrap base64 over several indented lines.
	s := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, text)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
	}
	if err != nil {
		return nil, fmt.Errorf("plist: bad data: %w", err)
	}
	return b, nil
}

func plistEOF(err error) error {
	if err == io.EOF {
		return errors.New("plist: unexpected end of input")
	}
	return fmt.Errorf("plist: %w", err)
}

// plistGet walks nested dicts by key and returns the value found, or nil.
func plistGet(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// plistString returns v as a string.
func plistString(v any) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// plistInt returns v as an integer. Numeric strings count too, because
// `defaults write DOMAIN KEY 300` (without -int) stores "300" and macOS
// itself reads such a value as the number.
func plistInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case uint64:
		if n <= 1<<63-1 {
			return int64(n), true
		}
	case float64:
		if n == float64(int64(n)) {
			return int64(n), true
		}
	case string:
		if i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil {
			return i, true
		}
	}
	return 0, false
}

// plistBool returns v as a truth value. Preferences are often written as
// integers (`defaults write … -int 1`) or strings ("YES"), and macOS reads
// those as booleans, so they count.
func plistBool(v any) (bool, bool) {
	switch b := v.(type) {
	case bool:
		return b, true
	case int64, uint64, float64:
		n, ok := plistInt(b)
		return n != 0, ok
	case string:
		switch strings.ToLower(strings.TrimSpace(b)) {
		case "1", "yes", "true":
			return true, true
		case "0", "no", "false":
			return false, true
		}
	}
	return false, false
}

// plistTime returns v as a date.
func plistTime(v any) (time.Time, bool) {
	t, ok := v.(time.Time)
	return t, ok
}

// plistDataString returns a <data> value that holds a C string (as ioreg
// prints "model"), without the trailing NUL.
func plistDataString(v any) (string, bool) {
	switch b := v.(type) {
	case []byte:
		return strings.TrimRight(string(b), "\x00"), true
	case string:
		return b, true
	}
	return "", false
}

// plistFromOutput parses the plist a command printed after some text, as
// `pwpolicy -getaccountpolicies` prints "Getting global account policies"
// before its XML.
func plistFromOutput(b []byte) (any, error) {
	if i := bytes.Index(b, []byte("<?xml")); i > 0 {
		b = b[i:]
	} else if i < 0 {
		if j := bytes.Index(b, []byte("<plist")); j > 0 {
			b = b[j:]
		}
	}
	return parsePlist(b)
}
