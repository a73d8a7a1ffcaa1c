package schema

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/storetest"
)

// TestQuickPlan checks that the fast path has a plan for the embedded
// schema (without one every document goes the slow way), and that the plan
// holds the enums, bounds and required fields generate_test.go gave the
// schema.
func TestQuickPlan(t *testing.T) {
	plan, err := quickPlan()
	if err != nil {
		t.Fatalf("no plan for the embedded Facts schema, so DecodeFacts is always slow: %v", err)
	}
	objs := map[string]*objectPlan{}
	var visit func(p *objectPlan)
	visit = func(p *objectPlan) {
		if objs[p.typ.Name()] != nil {
			return
		}
		objs[p.typ.Name()] = p
		for _, f := range p.fields {
			v := f.value
			for v.kind == kindArray {
				v = v.items
			}
			if v.obj != nil {
				visit(v.obj)
			}
		}
	}
	visit(plan)
	field := func(key string) *valuePlan {
		t.Helper()
		typ, name, _ := strings.Cut(key, ".")
		o := objs[typ]
		if o == nil {
			t.Fatalf("%s: no plan for %s", key, typ)
		}
		k, ok := o.byName[name]
		if !ok {
			t.Fatalf("%s: no field %s in the plan", key, name)
		}
		v := o.fields[k].value
		for v.kind == kindArray {
			v = v.items
		}
		return v
	}
	enumOf := func(v *valuePlan) []string {
		var got []string
		for s := range v.enum {
			got = append(got, s)
		}
		slices.Sort(got)
		return got
	}
	for key, want := range enums {
		if diff := cmp.Diff(slices.Sorted(slices.Values(want)), enumOf(field(key))); diff != "" {
			t.Errorf("%s: enum (-generate_test.go +plan):\n%s", key, diff)
		}
	}
	for key, want := range maxima {
		if got := field(key).max; got != int64(want) {
			t.Errorf("%s: maximum %d, want %d", key, got, want)
		}
	}
	if got, want := enumOf(field("Facts.schema")), []string{handwash.FactsSchema}; !slices.Equal(got, want) {
		t.Errorf("Facts.schema: values %q, want %q", got, want)
	}
	// Every integer is at least 0, every named string type has its values,
	// and the required fields are the ones the Go types leave without
	// omitempty (less the nullable ones).
	for name, o := range objs {
		var required []string
		for k, f := range o.fields {
			v := f.value
			for v.kind == kindArray {
				v = v.items
			}
			if v.kind == kindInt && v.min != 0 {
				t.Errorf("%s.%s: minimum %d, want 0", name, f.name, v.min)
			}
			if vals, ok := namedEnums[v.elem]; ok {
				if diff := cmp.Diff(slices.Sorted(slices.Values(vals)), enumOf(v)); diff != "" {
					t.Errorf("%s.%s: enum (-namedEnums +plan):\n%s", name, f.name, diff)
				}
			}
			if o.required&(1<<k) != 0 {
				required = append(required, f.name)
			}
		}
		var want []string
		for _, f := range fields(o.typ) {
			k := f.sf.Type.Kind()
			if !f.omitEmpty && k != reflect.Pointer && k != reflect.Slice {
				want = append(want, f.name)
			}
		}
		if !slices.Equal(required, want) {
			t.Errorf("%s: required %q, want %q", name, required, want)
		}
	}
	if len(objs) < 30 {
		t.Errorf("the plan has %d kinds of object, want all of Facts'", len(objs))
	}
}

// TestQuickPlanRefuses checks that the plan is refused for schemas that say
// what it cannot check, rather than letting documents through unchecked.
func TestQuickPlanRefuses(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(factsSchemaJSON, &root); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		edit func(root map[string]any)
		want string
	}{
		{"pattern", func(r map[string]any) { prop(r, "DeviceInfo", "hostname")["pattern"] = "^[a-z]+$" }, `"pattern"`},
		{"minLength", func(r map[string]any) { prop(r, "SoftwareItem", "name")["minLength"] = 1 }, `"minLength"`},
		{"exclusiveMaximum", func(r map[string]any) { prop(r, "Listener", "port")["exclusiveMaximum"] = 65536 }, `"exclusiveMaximum"`},
		{"minItems", func(r map[string]any) { prop(r, "FirewallFacts", "profiles")["minItems"] = 1 }, `"minItems"`},
		{"other format", func(r map[string]any) { prop(r, "DeviceInfo", "hostname")["format"] = "hostname" }, "format"},
		{"open object", func(r map[string]any) { def(r, "SMBFacts")["additionalProperties"] = true }, "additionalProperties"},
		{"oneOf", func(r map[string]any) { prop(r, "Facts", "os")["oneOf"] = []any{} }, `"oneOf"`},
		{"wrong Go type", func(r map[string]any) { prop(r, "SoftwareItem", "name")["type"] = "integer" }, "Go type"},
		{"no such field", func(r map[string]any) {
			def(r, "SMBFacts")["properties"].(map[string]any)["v3"] = map[string]any{"type": "boolean"}
		}, "no field"},
		{"integer bound", func(r map[string]any) { prop(r, "Listener", "port")["maximum"] = 65535.5 }, "whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r map[string]any
			if err := json.Unmarshal(factsSchemaJSON, &r); err != nil {
				t.Fatal(err)
			}
			tc.edit(r)
			doc, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			_, err = buildPlan(doc, reflect.TypeFor[handwash.Facts]())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("buildPlan = %v, want an error about %s", err, tc.want)
			}
		})
	}
}

func def(root map[string]any, name string) map[string]any {
	if name == "Facts" {
		return root
	}
	return root["$defs"].(map[string]any)[name].(map[string]any)
}

func prop(root map[string]any, typ, name string) map[string]any {
	return def(root, typ)["properties"].(map[string]any)[name].(map[string]any)
}

// TestQuickAcceptsValid checks that the fast path, not the slow one,
// accepts the valid documents, with the Facts the slow path builds.
func TestQuickAcceptsValid(t *testing.T) {
	plan, err := quickPlan()
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range validDocs(t) {
		text, err := utf8Text(b, name)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := quickDecode(text, plan)
		if !ok {
			t.Errorf("%s: the fast path refuses it", name)
			continue
		}
		want, err := decodeSlow(b, name, factsSchema)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: the fast path differs (-slow +fast):\n%s", name, diff)
		}
	}
}

// TestQuickRefusesInvalid checks that the fast path refuses every invalid
// document, so that the slow path explains it.
func TestQuickRefusesInvalid(t *testing.T) {
	plan, err := quickPlan()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "invalid", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text, err := utf8Text(b, file)
		if err != nil {
			continue // refused before either path
		}
		if _, ok := quickDecode(text, plan); ok {
			t.Errorf("%s: the fast path accepts it", file)
		}
	}
}

// TestDecodeSameAsSlow decodes documents just off the beaten track both
// ways: each must get the same answer as from the slow path, whichever
// path gives it.
func TestDecodeSameAsSlow(t *testing.T) {
	head := `{"schema": "handwash.facts/v1", "collected_at": "2026-06-01T09:30:00Z", "device": {"platform": "linux"}, `
	coll := `"collection": {"duration_ms": 1, "elevated": false}`
	with := func(s string) string { return head + s + ", " + coll + "}" }
	docs := []string{
		head + coll + "}",
		// Field names: case, escapes, twice.
		`{"Schema": "handwash.facts/v1", "collected_at": "2026-06-01T09:30:00Z", "device": {"platform": "linux"}, ` + coll + "}",
		`{"sch\u0065ma": "handwash.facts/v1", "collected_at": "2026-06-01T09:30:00Z", "device": {"platform": "linux"}, ` + coll + "}",
		head + `"collection": {"duration_ms": 1, "Elevated": false}}`,
		head + `"collection": {"duration_ms": 1, "elevated": false, "elevated": false}}`,
		head + `"collection": {"duration_ms": 1, "elevated": false, "elev\u0061ted": false}}`,
		with(`"os": {"name": "a", "name": "a"}`),
		with(`"smb": {}, "smb": {}`),
		// Required fields that are zero, missing or null.
		head + `"collection": {"duration_ms": 0, "elevated": false}}`,
		head + `"collection": {"duration_ms": 1}}`,
		head + `"collection": {"elevated": false}}`,
		head + `"collection": {"duration_ms": 1, "elevated": null}}`,
		head + `"collection": {"duration_ms": null, "elevated": false}}`,
		head + `"collection": null}`,
		with(`"software": {"items": [{"name": "", "source": ""}]}`),
		with(`"software": {"items": [{"name": "a"}]}`),
		with(`"software": {"items": [{"name": null, "source": "dpkg"}]}`),
		with(`"software": {"items": [null]}`),
		with(`"software": {"items": null}`),
		with(`"software": {"items": []}`),
		with(`"software": {}`),
		with(`"software": null`),
		with(`"software": {"items": [{"name": "a", "source": "dpkg", "version": null}]}`),
		with(`"malware": {"products": [{"name": "a", "builtin": null}]}`),
		with(`"malware": {"products": [{"name": "a", "builtin": false}]}`),
		// Integers.
		with(`"screen_lock": {"idle_seconds": 0}`),
		with(`"screen_lock": {"idle_seconds": -0}`),
		with(`"screen_lock": {"idle_seconds": -1}`),
		with(`"screen_lock": {"idle_seconds": 1.0}`),
		with(`"screen_lock": {"idle_seconds": 1e2}`),
		with(`"screen_lock": {"idle_seconds": 1E2}`),
		with(`"screen_lock": {"idle_seconds": 01}`),
		with(`"screen_lock": {"idle_seconds": 9223372036854775807}`),
		with(`"screen_lock": {"idle_seconds": 9223372036854775808}`),
		with(`"screen_lock": {"idle_seconds": 999999999999999999}`),
		with(`"screen_lock": {"idle_seconds": "1"}`),
		with(`"screen_lock": {"idle_seconds": null}`),
		with(`"network": {"listeners": [{"protocol": "tcp", "address": "::", "port": 65535}]}`),
		with(`"network": {"listeners": [{"protocol": "tcp", "address": "::", "port": 65536}]}`),
		with(`"network": {"listeners": [{"protocol": "TCP", "address": "::", "port": 22}]}`),
		with(`"network": {"listeners": [{"protocol": "tc\u0070", "address": "::", "port": 22}]}`),
		with(`"remote_access": {"rdp": {"port": 3389}}`),
		with(`"remote_access": {"rdp": {"port": 70000}}`),
		// Enums and the schema const.
		with(`"device": {"platform": "linux"}`),
		head + `"device": {"platform": "linux"}, ` + coll + "}",
		`{"schema": "handwash.facts/v2", "collected_at": "2026-06-01T09:30:00Z", "device": {"platform": "linux"}, ` + coll + "}",
		`{"schema": "handwash.facts/v1", "collected_at": "2026-06-01T09:30:00Z", "device": {"platform": "Linux"}, ` + coll + "}",
		`{"schema": "handwash.facts/v1", "collected_at": "2026-06-01T09:30:00Z", "device": {"platform": "linux", "join": ""}, ` + coll + "}",
		`{"schema": "handwash.facts/v1", "collected_at": "2026-06-01T09:30:00Z", "device": {"platform": "linux", "join": null}, ` + coll + "}",
		`{"schema": "handwash.facts/v1", "collected_at": "2026-06-01T09:30:00Z", "device": {"platform": "linux", "form_factor": "virtual_machine"}, ` + coll + "}",
		// Dates.
		`{"schema": "handwash.facts/v1", "collected_at": "2026-06-01T09:30:00.123456789+01:30", "device": {"platform": "linux"}, ` + coll + "}",
		`{"schema": "handwash.facts/v1", "collected_at": "2026-06-01t09:30:00z", "device": {"platform": "linux"}, ` + coll + "}",
		`{"schema": "handwash.facts/v1", "collected_at": "2026-06-01 09:30:00Z", "device": {"platform": "linux"}, ` + coll + "}",
		`{"schema": "handwash.facts/v1", "collected_at": "2026-06-31T09:30:00Z", "device": {"platform": "linux"}, ` + coll + "}",
		`{"schema": "handwash.facts/v1", "collected_at": "2026-06-01T23:59:60Z", "device": {"platform": "linux"}, ` + coll + "}",
		`{"schema": "handwash.facts/v1", "collected_at": "2026-06-01T09:30:00\u005a", "device": {"platform": "linux"}, ` + coll + "}",
		`{"schema": "handwash.facts/v1", "collected_at": null, "device": {"platform": "linux"}, ` + coll + "}",
		`{"schema": "handwash.facts/v1", "collected_at": "", "device": {"platform": "linux"}, ` + coll + "}",
		with(`"os": {"support_end": null}`),
		with(`"os": {"support_end": "2028-06-30T00:00:00Z"}`),
		with(`"os": {"support_end": "10000-01-01T00:00:00Z"}`),
		// Strings.
		with(`"os": {"name": "\u00e9\ud83d\ude00\ud800x\"\\\/\b\f\n\r\t<>&"}`),
		with(`"os": {"name": "a` + "\t" + `b"}`),
		with(`"os": {"name": "\x"}`),
		with(`"os": {"id_like": ["debian", "\u0000"]}`),
		with(`"os": {"id_like": ["debian",]}`),
		with(`"os": {"id_like": [null]}`),
		// Syntax and what follows the document.
		head + coll + "} ",
		head + coll + "}\n\t\r ",
		head + coll + "} {}",
		head + coll + "}}",
		head + coll,
		head + coll + ",}",
		" \n" + head + coll + "}",
		"[" + head + coll + "}]",
		"null",
		"",
	}
	for _, doc := range docs {
		sameAsSlow(t, []byte(doc))
	}
}

// sameAsSlow checks that decode gives for b exactly what decodeSlow gives.
func sameAsSlow(t *testing.T, b []byte) {
	t.Helper()
	got, gotErr := decode(b, "f.json")
	want, wantErr := decodeSlow(b, "f.json", factsSchema)
	switch {
	case gotErr == nil && wantErr != nil:
		t.Fatalf("%s\ndecode accepts what the slow path refuses: %v", b, wantErr)
	case gotErr != nil && wantErr == nil:
		t.Fatalf("%s\ndecode refuses what the slow path accepts: %v", b, gotErr)
	case gotErr != nil:
		var g, w *handwash.Error
		if !errors.As(gotErr, &g) || !errors.As(wantErr, &w) {
			t.Fatalf("%s\nerrors %T and %T, want *handwash.Error", b, gotErr, wantErr)
		}
		if g.Code != w.Code || g.Message != w.Message {
			t.Fatalf("%s\ndecode says %s: %s\nthe slow path says %s: %s", b, g.Code, g.Message, w.Code, w.Message)
		}
	default:
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("%s\ndecode differs from the slow path (-slow +decode):\n%s", b, diff)
		}
	}
}

// FuzzDecodeFast is the differential test of the fast path: for any input,
// decode (the fast path, falling back to the slow one) must give exactly
// what decodeSlow gives: the same decision, the same Facts, the same error.
func FuzzDecodeFast(f *testing.F) {
	for _, b := range seedDocs(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sameAsSlow(t, b)
	})
}

// FuzzDecodeFastSplice is FuzzDecodeFast with a head start: it replaces one
// value or field name of a seed document by the fuzzer's text, so that the
// fuzzer explores values and names in valid documents rather than mostly
// breaking the syntax.
func FuzzDecodeFastSplice(f *testing.F) {
	seeds := seedDocs(f)
	for i := range seeds {
		for _, repl := range []string{`null`, `0`, `-0`, `1.0`, `1e3`, `65536`, `-1`, `""`, `"x"`, `true`, `[]`, `{}`, `[null]`,
			`"2026-06-01T09:30:00Z"`, `"2026-13-01T09:30:00Z"`, `"Linux"`, `"name"`, `"Name"`, `"nam\u0065"`, `"tcp"`, `9223372036854775808`} {
			f.Add(uint8(i), uint16(i*7), false, repl)
			f.Add(uint8(i), uint16(i*13), true, repl)
		}
	}
	type site struct{ start, end int }
	sites := make([][]site, len(seeds))
	keys := make([][]site, len(seeds))
	for i, b := range seeds {
		w := &walker{b: b}
		w.onValue = func(_ []string, start, end int) { sites[i] = append(sites[i], site{start, end}) }
		w.onKey = func(_ []string, start int) { keys[i] = append(keys[i], site{start, stringEnd(b, start)}) }
		w.walk()
	}
	f.Fuzz(func(t *testing.T, doc uint8, at uint16, key bool, repl string) {
		i := int(doc) % len(seeds)
		list := sites[i]
		if key {
			list = keys[i]
		}
		if len(list) == 0 {
			return
		}
		s := list[int(at)%len(list)]
		b := seeds[i]
		spliced := slices.Concat(b[:s.start], []byte(repl), b[s.end:])
		sameAsSlow(t, spliced)
	})
}

// seedDocs returns the test documents: the valid and invalid ones of
// testdata, the collectors' golden Facts, and realistic ones with a few
// dozen packages. The fuzzer is slow on large inputs (minimizing one takes
// minutes), so documents over 32 KB are left to the tests and benchmarks.
func seedDocs(tb testing.TB) [][]byte {
	var out [][]byte
	for _, pattern := range []string{
		filepath.Join("testdata", "valid", "*.json"),
		filepath.Join("testdata", "invalid", "*.json"),
		filepath.Join("..", "collect", "testdata", "*", "*.facts.json"),
	} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		if len(files) == 0 {
			tb.Fatalf("no files %s", pattern)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				tb.Fatal(err)
			}
			if len(b) <= 32<<10 {
				out = append(out, b)
			}
		}
	}
	f := storetest.RealisticFacts(tb, filepath.Join("..", "collect", "testdata", "windows", "well-kept.facts.json"), 40, 7)
	out = append(out, agentJSON(tb, f), indentJSON(tb, f))
	return out
}

// validDocs returns the valid documents by name: testdata/valid, the
// collectors' golden Facts and large realistic ones as handwash collect and
// the agent write them.
func validDocs(tb testing.TB) map[string][]byte {
	docs := map[string][]byte{"big": bigFacts(tb)}
	for _, pattern := range []string{
		filepath.Join("testdata", "valid", "*.json"),
		filepath.Join("..", "collect", "testdata", "*", "*.facts.json"),
	} {
		files, _ := filepath.Glob(pattern)
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				tb.Fatal(err)
			}
			docs[file] = b
		}
	}
	for _, base := range []string{"linux/debian12-container", "windows/well-kept", "macos/non-admin"} {
		f := realisticFacts(tb, base, 1500)
		docs[base+" x1500 (agent)"] = agentJSON(tb, f)
		docs[base+" x1500 (indented)"] = indentJSON(tb, f)
	}
	return docs
}

func realisticFacts(tb testing.TB, base string, packages int) *handwash.Facts {
	return storetest.RealisticFacts(tb, filepath.Join("..", "collect", "testdata", filepath.FromSlash(base)+".facts.json"), packages, 1)
}

// agentJSON encodes Facts as the agent uploads them: compact, with HTML
// characters escaped.
func agentJSON(tb testing.TB, f *handwash.Facts) []byte {
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(f); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// indentJSON encodes Facts as handwash collect writes them.
func indentJSON(tb testing.TB, f *handwash.Facts) []byte {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		tb.Fatal(err)
	}
	return append(b, '\n')
}

// BenchmarkDecodeFactsRealistic decodes the Facts the server's upload
// benchmark sends (1,500 packages of storetest.RealisticFacts), as the agent
// encodes them and as handwash collect writes them, both ways.
func BenchmarkDecodeFactsRealistic(b *testing.B) {
	f := realisticFacts(b, "linux/debian12-container", 1500)
	for _, enc := range []struct {
		name string
		doc  []byte
	}{
		{"agent", agentJSON(b, f)},
		{"indented", indentJSON(b, f)},
	} {
		for _, path := range []struct {
			name   string
			decode func([]byte) error
		}{
			{"fast", func(doc []byte) error {
				_, err := DecodeFacts(bytes.NewReader(doc), "facts.json")
				return err
			}},
			{"slow", func(doc []byte) error {
				_, err := decodeSlow(doc, "facts.json", factsSchema)
				return err
			}},
		} {
			b.Run(fmt.Sprintf("%s/%s/%dKB", enc.name, path.name, len(enc.doc)>>10), func(b *testing.B) {
				b.SetBytes(int64(len(enc.doc)))
				b.ReportAllocs()
				for b.Loop() {
					if err := path.decode(enc.doc); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestSpecials checks the eight-bytes-at-a-time search of scanString
// against a byte at a time: every byte value in every place, among others
// of many kinds, and random words.
func TestSpecials(t *testing.T) {
	check := func(b [8]byte) {
		t.Helper()
		want := 8
		for i, c := range b {
			if c == '"' || c == '\\' || c < 0x20 {
				want = i
				break
			}
		}
		if got := bits.TrailingZeros64(specials(binary.LittleEndian.Uint64(b[:]))) / 8; got != want {
			t.Fatalf("specials(%q) finds byte %d, want %d", b, got, want)
		}
	}
	for pos := range 8 {
		for c := range 256 {
			for _, fill := range []byte{'a', ' ', '!', '#', '[', ']', 0x1f, 0x7f, 0x80, 0xc3, 0xff} {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(c)
				check(b)
				for later := pos + 1; later < 8; later++ {
					for _, c2 := range []byte{0, 0x1f, 0x20, '"', '\\', 0x5b, 0x21} {
						b2 := b
						b2[later] = c2
						check(b2)
					}
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], rng.Uint64())
		check(b)
	}
}

// TestReadAll checks that readAll reads everything, in one buffer of the
// right size when the reader says how much it holds.
func TestReadAll(t *testing.T) {
	doc := bigFacts(t)
	for name, r := range map[string]io.Reader{
		"bytes.Reader":  bytes.NewReader(doc),
		"bytes.Buffer":  bytes.NewBuffer(slices.Clone(doc)),
		"one at a time": iotest.OneByteReader(bytes.NewReader(doc)),
		"half":          iotest.HalfReader(bytes.NewReader(doc)),
	} {
		b, err := readAll(r)
		if err != nil || !bytes.Equal(b, doc) {
			t.Errorf("%s: readAll = %d bytes, %v; want the %d bytes of the document", name, len(b), err, len(doc))
		}
		if _, ok := r.(interface{ Len() int }); ok && cap(b) != len(doc)+1 {
			t.Errorf("%s: readAll made a buffer of %d bytes for %d", name, cap(b), len(doc))
		}
	}
	huge := io.MultiReader(bytes.NewReader(make([]byte, handwash.MaxFactsSize)), strings.NewReader("12345"))
	if b, err := readAll(huge); err != nil || len(b) != handwash.MaxFactsSize+1 {
		t.Errorf("readAll of more than MaxFactsSize = %d bytes, %v; want MaxFactsSize+1", len(b), err)
	}
	b, err := readAll(bytes.NewReader(make([]byte, handwash.MaxFactsSize+100)))
	if err != nil || len(b) != handwash.MaxFactsSize+1 || cap(b) != handwash.MaxFactsSize+2 {
		t.Errorf("readAll of a bytes.Reader of more than MaxFactsSize = %d bytes (of %d), %v; want MaxFactsSize+1 (of MaxFactsSize+2)", len(b), cap(b), err)
	}
}
