package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/handwash/handwash"
)

// TestDecodeFactsInvalid decodes each bad input in testdata/invalid and
// compares the error with NAME.golden (rewrite them with -update, and read
// every change: these are the messages people see).
func TestDecodeFactsInvalid(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "invalid", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := DecodeFacts(bytes.NewReader(b), "facts.json")
			if err == nil {
				t.Fatalf("DecodeFacts = %+v, want an error", f)
			}
			if f != nil {
				t.Errorf("DecodeFacts returned Facts with the error %v", err)
			}
			var herr *handwash.Error
			if !errors.As(err, &herr) {
				t.Fatalf("error %v is a %T, want a *handwash.Error", err, err)
			}
			got := herr.Code + "\n" + herr.Message + "\n"
			golden := strings.TrimSuffix(file, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./schema -update and read the result)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("error differs from %s (-want +got):\n%s", golden, diff)
			}
			if err := ValidateFacts(b, "facts.json"); err == nil || err.Error() != herr.Message {
				t.Errorf("ValidateFacts = %v, want the same error as DecodeFacts", err)
			}
		})
	}
}

func TestDecodeFactsTooLarge(t *testing.T) {
	min, err := os.ReadFile(filepath.Join("testdata", "valid", "minimal.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Exactly at the limit is fine: whitespace pads a valid document.
	b := append(bytes.Repeat([]byte{' '}, handwash.MaxFactsSize-len(min)), min...)
	if _, err := DecodeFacts(bytes.NewReader(b), "facts.json"); err != nil {
		t.Fatalf("DecodeFacts of exactly MaxFactsSize bytes: %v", err)
	}

	b = append(b, ' ')
	for name, decode := range map[string]func() error{
		"DecodeFacts": func() error {
			_, err := DecodeFacts(bytes.NewReader(b), "facts.json")
			return err
		},
		"DecodeFacts of an endless stream": func() error {
			_, err := DecodeFacts(endless{}, "facts.json")
			return err
		},
		"ValidateFacts": func() error { return ValidateFacts(b, "facts.json") },
	} {
		err := decode()
		if got, want := handwash.ErrorCode(err), handwash.ETOOLARGE; got != want {
			t.Errorf("%s: code %q (%v), want %q", name, got, err, want)
		}
		if got, want := handwash.ErrorMessage(err), "facts.json is larger than 16 MiB, the most handwash reads: check that it is a Facts file made by handwash collect"; got != want {
			t.Errorf("%s: message\n%s\nwant\n%s", name, got, want)
		}
	}
}

// endless reads as an infinite run of spaces.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestDecodeFactsReadError(t *testing.T) {
	cause := errors.New("connection reset by peer")
	_, err := DecodeFacts(iotest.TimeoutReader(iotest.ErrReader(cause)), "upload")
	var herr *handwash.Error
	if !errors.As(err, &herr) {
		t.Fatalf("error %v is a %T, want a *handwash.Error", err, err)
	}
	if got, want := herr.Code, handwash.EINVALID; got != want {
		t.Errorf("code %q, want %q", got, want)
	}
	if got, want := herr.Message, "upload: could not be read: connection reset by peer"; got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	if !errors.Is(err, cause) {
		t.Errorf("error %v does not wrap the cause", err)
	}
}

// TestDecodeFactsValid decodes the good inputs, checks a few values, and
// checks that encoding the result and decoding it again gives the same Facts.
func TestDecodeFactsValid(t *testing.T) {
	for _, tc := range []struct {
		file     string
		platform handwash.Platform
	}{
		{"minimal.json", handwash.PlatformLinux},
		{"full.json", handwash.PlatformWindows},
		{"example.json", handwash.PlatformWindows},
		{"utf8-bom.json", handwash.PlatformLinux},
		{"utf16le-bom.json", handwash.PlatformMacOS},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f := decodeFile(t, filepath.Join("testdata", "valid", tc.file))
			if got, want := f.Schema, handwash.FactsSchema; got != want {
				t.Errorf("Schema = %q, want %q", got, want)
			}
			if got, want := f.Device.Platform, tc.platform; got != want {
				t.Errorf("Device.Platform = %q, want %q", got, want)
			}
			if got, want := f.CollectedAt, time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC); !got.Equal(want) {
				t.Errorf("CollectedAt = %v, want %v", got, want)
			}
			roundTrip(t, f)
		})
	}
}

// DecodeFactsBytes's Facts share nothing with the bytes they came from,
// which the server reuses for the next upload.
func TestDecodeFactsBytesSharesNothing(t *testing.T) {
	for _, file := range []string{"full.json", "example.json", "utf8-bom.json", "utf16le-bom.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "valid", file))
		if err != nil {
			t.Fatal(err)
		}
		want, err := DecodeFactsBytes(bytes.Clone(b), file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := DecodeFactsBytes(b, file)
		if err != nil {
			t.Fatal(err)
		}
		for i := range b {
			b[i] = 'x'
		}
		if !reflect.DeepEqual(f, want) {
			t.Errorf("%s: the Facts changed when the bytes they were decoded from were overwritten", file)
		}
	}
}

// TestDecodeFactsNotObserved checks the rule that matters most: absent or
// null means not observed (nil), [] means observed none (empty, not nil).
func TestDecodeFactsNotObserved(t *testing.T) {
	doc := `{"schema": "handwash.facts/v1", "collected_at": "2026-06-01T09:30:00Z",
		"device": {"platform": "linux", "graphical": null},
		"updates": {"pending": []},
		"firewall": {"profiles": null},
		"malware": null,
		"collection": {"duration_ms": 1, "elevated": false, "missing": null}}`
	f, err := DecodeFacts(strings.NewReader(doc), "facts.json")
	if err != nil {
		t.Fatal(err)
	}
	if f.Device.Graphical != nil {
		t.Errorf("Device.Graphical = %v, want nil", *f.Device.Graphical)
	}
	if f.Updates == nil || f.Updates.Pending == nil || len(f.Updates.Pending) != 0 {
		t.Errorf("Updates = %+v, want Pending empty and not nil", f.Updates)
	}
	if f.Firewall == nil || f.Firewall.Profiles != nil {
		t.Errorf("Firewall = %+v, want Profiles nil", f.Firewall)
	}
	if f.Malware != nil || f.OS != nil {
		t.Errorf("Malware = %+v, OS = %+v, want nil", f.Malware, f.OS)
	}
}

// TestFullCoversEveryField makes sure testdata/valid/full.json gives every
// field of handwash.Facts a value, so that the round trip and the schema are
// tested on all of them. A new field in the domain fails it until the file
// has the field too.
func TestFullCoversEveryField(t *testing.T) {
	f := decodeFile(t, filepath.Join("testdata", "valid", "full.json"))
	set := map[string]bool{}
	fieldsSet(reflect.ValueOf(*f), "", set)
	var all []string
	allFields(reflect.TypeFor[handwash.Facts](), "", &all)
	for _, path := range all {
		if !set[path] {
			t.Errorf("testdata/valid/full.json has no value for %s", path)
		}
	}
}

// fieldsSet records the paths of the fields that have a non-zero value
// somewhere in v.
func fieldsSet(v reflect.Value, path string, set map[string]bool) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			set[path] = true
			fieldsSet(v.Elem(), path, set)
		}
	case reflect.Slice:
		if v.Len() > 0 {
			set[path] = true
		}
		for i := range v.Len() {
			fieldsSet(v.Index(i), path+"[]", set)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			set[path] = !v.Interface().(time.Time).IsZero()
			return
		}
		set[path] = true
		for _, f := range fields(v.Type()) {
			fieldsSet(v.FieldByIndex(f.sf.Index), join(path, f.name), set)
		}
	default:
		if !v.IsZero() {
			set[path] = true
		}
	}
}

func allFields(t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Slice:
		allFields(t.Elem(), path+"[]", out)
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return
		}
		for _, f := range fields(t) {
			p := join(path, f.name)
			*out = append(*out, p)
			allFields(f.sf.Type, p, out)
		}
	}
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// TestDecodeFactsEveryLocation checks that problems are placed at the right
// line and column wherever they are: each value of full.json in turn is
// replaced by one of the wrong type.
func TestDecodeFactsEveryLocation(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "valid", "full.json"))
	if err != nil {
		t.Fatal(err)
	}
	type value struct {
		path       []string
		start, end int
	}
	var values []value
	w := &walker{b: b}
	w.onValue = func(path []string, start, end int) {
		if b[start] != '{' && b[start] != '[' && len(path) > 0 && path[0] != "schema" {
			values = append(values, value{slices.Clone(path), start, end})
		}
	}
	if dup := w.walk(); dup != nil {
		t.Fatalf("duplicate in full.json: %+v", dup)
	}
	if len(values) < 100 {
		t.Fatalf("found %d values in full.json, want more", len(values))
	}
	for _, v := range values {
		bad := append(append(slices.Clone(b[:v.start]), `{"x": 1}`...), b[v.end:]...)
		err := ValidateFacts(bad, "f")
		d := &document{text: b}
		line, col := d.position(v.start)
		want := fmt.Sprintf("f: line %d, column %d: ", line, col)
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "found an object") {
			t.Errorf("%s replaced by an object: error %v, want it to start %q and say it found an object", strings.Join(v.path, "/"), err, want)
		}
	}
}

func TestWalkerDuplicates(t *testing.T) {
	many := func(last string) string {
		var sb strings.Builder
		sb.WriteString("{")
		for i := range 20 {
			fmt.Fprintf(&sb, `"k%d": %d, `, i, i)
		}
		sb.WriteString(last + `: 0}`)
		return sb.String()
	}
	for _, tc := range []struct {
		doc  string
		want *duplicate
	}{
		{`{"a": 1, "b": {"a": 2}}`, nil},
		{`[{"a": 1}, {"a": 2}]`, nil},
		{`{"a": 1, "a": 2}`, &duplicate{path: nil, name: "a", first: 1, second: 9}},
		{`{"a": 1, "\u0061": 2}`, &duplicate{path: nil, name: "a", first: 1, second: 9}},
		{`{"x": [0, {"b": 1, "b": 2}]}`, &duplicate{path: []string{"x", "1"}, name: "b", first: 11, second: 19}},
		{many(`"k20"`), nil},
		{many(`"k3"`), &duplicate{path: nil, name: "k3", first: 28, second: 201}},
	} {
		w := &walker{b: []byte(tc.doc)}
		got := w.walk()
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(duplicate{}), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("walk(%s) (-want +got):\n%s", tc.doc, diff)
		}
	}
}

func TestSuggest(t *testing.T) {
	allowed := []string{"collected_at", "collection", "device", "firewall", "os", "schema", "smb", "wifi"}
	for _, tc := range []struct{ name, want string }{
		{"firewal", "firewall"},
		{"Firewall", "firewall"},
		{"collectedAt", "collected_at"},
		{"wi_fi", "wifi"},
		{"os_version", ""},
		{"x", ""},
		{"sbm", ""},
	} {
		if got := suggest(tc.name, allowed); got != tc.want {
			t.Errorf("suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func decodeFile(t *testing.T, path string) *handwash.Facts {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := DecodeFacts(bytes.NewReader(b), filepath.Base(path))
	if err != nil {
		t.Fatalf("DecodeFacts: %v", err)
	}
	return f
}

// roundTrip checks that f encodes to a document that decodes to f again.
func roundTrip(t *testing.T, f *handwash.Facts) {
	t.Helper()
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	again, err := DecodeFacts(bytes.NewReader(b), "encoded")
	if err != nil {
		t.Fatalf("decoding the encoded Facts: %v\n%s", err, b)
	}
	if diff := cmp.Diff(f, again); diff != "" {
		t.Errorf("decode(encode(f)) differs from f (-f +again):\n%s", diff)
	}
}

// TestDecodeFactsLongLists checks validation of long lists, which goes a
// chunk at a time: errors keep their place, and a list of thousands of bad
// items is reported briefly without validating every item.
func TestDecodeFactsLongLists(t *testing.T) {
	head := `{"schema": "handwash.facts/v1", "collected_at": "2026-06-01T09:30:00Z",
"device": {"platform": "linux"}, "collection": {"duration_ms": 1, "elevated": false},
`
	t.Run("wrong items", func(t *testing.T) {
		doc := head + `"software": {"items": [` + strings.Repeat("1, ", 200000) + `1]}}`
		err := ValidateFacts([]byte(doc), "f")
		var want []string
		for i := range 5 {
			want = append(want, fmt.Sprintf("f: line 3, column %d: software.items[%d]: expected an object, found the number 1", 24+3*i, i))
		}
		want = append(want, "f: and at least 251 more problems")
		if diff := cmp.Diff(strings.Join(want, "\n"), handwash.ErrorMessage(err)); diff != "" {
			t.Errorf("message (-want +got):\n%s", diff)
		}
	})
	t.Run("one bad item deep in nested lists", func(t *testing.T) {
		var pending []string
		for i := range 300 {
			ids := make([]string, 300)
			for j := range ids {
				ids[j] = fmt.Sprintf(`"KB%d"`, j)
			}
			if i == 299 {
				ids[280] = "false"
			}
			pending = append(pending, fmt.Sprintf(`{"name": "u%d", "security": true, "ids": [%s]}`, i, strings.Join(ids, ",")))
		}
		doc := head + `"updates": {"pending": [` + strings.Join(pending, ",\n") + `]}}`
		err := ValidateFacts([]byte(doc), "f")
		if got, want := handwash.ErrorMessage(err), "f: line 302, column 2174: updates.pending[299].ids[280]: expected a string, found false"; got != want {
			t.Errorf("message\n%s\nwant\n%s", got, want)
		}
	})
}
