package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/handwash/handwash"
)

// FuzzDecodeFacts checks that DecodeFacts never panics, that every error is
// a *handwash.Error with code EINVALID or ETOOLARGE, and that whatever it
// accepts encodes to a document it accepts again, with the same Facts.
func FuzzDecodeFacts(f *testing.F) {
	for _, dir := range []string{"valid", "invalid"} {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		if err != nil {
			f.Fatal(err)
		}
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		facts, err := DecodeFacts(bytes.NewReader(b), "fuzz.json")
		if err != nil {
			var herr *handwash.Error
			if !errors.As(err, &herr) {
				t.Fatalf("error %v is a %T, want a *handwash.Error", err, err)
			}
			if herr.Code != handwash.EINVALID && herr.Code != handwash.ETOOLARGE {
				t.Fatalf("error code %q (%v), want %q or %q", herr.Code, err, handwash.EINVALID, handwash.ETOOLARGE)
			}
			if facts != nil {
				t.Fatalf("Facts returned with the error %v", err)
			}
			return
		}
		// What DecodeFacts built must be what json.Unmarshal builds.
		if text, err := utf8Text(b, "fuzz.json"); err == nil {
			var want handwash.Facts
			if err := json.Unmarshal(text, &want); err != nil {
				t.Fatalf("DecodeFacts accepts what json.Unmarshal refuses: %v", err)
			}
			if diff := cmp.Diff(&want, facts); diff != "" {
				t.Fatalf("DecodeFacts differs from json.Unmarshal (-Unmarshal +DecodeFacts):\n%s", diff)
			}
		}
		enc, err := json.Marshal(facts)
		if err != nil {
			t.Fatalf("encoding decoded Facts: %v", err)
		}
		again, err := DecodeFacts(bytes.NewReader(enc), "encoded")
		if err != nil {
			t.Fatalf("decoding the encoded Facts: %v\n%s", err, enc)
		}
		// Empty and nil lists differ only where the domain's omitempty drops
		// an empty list on encoding (see the package report).
		if diff := cmp.Diff(facts, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("decode(encode(f)) differs from f (-f +again):\n%s", diff)
		}
	})
}

// BenchmarkDecodeFacts decodes a realistic Facts document of about 300 KB:
// every topic, and a few thousand installed packages as a Linux desktop or a
// Windows PC with many apps has.
func BenchmarkDecodeFacts(b *testing.B) {
	doc := bigFacts(b)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeFacts(bytes.NewReader(doc), "facts.json"); err != nil {
			b.Fatal(err)
		}
	}
}

// bigFacts returns full.json with enough software items to weigh about
// 300 KB when indented as handwash collect writes it.
func bigFacts(tb testing.TB) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "valid", "full.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var f handwash.Facts
	if err := json.Unmarshal(raw, &f); err != nil {
		tb.Fatal(err)
	}
	for i := 0; ; i++ {
		f.Software.Items = append(f.Software.Items, handwash.SoftwareItem{
			Name:      fmt.Sprintf("lib%s%d-common", []string{"gtk", "python3", "gnome", "x11", "perl"}[i%5], i),
			Version:   fmt.Sprintf("%d.%d.%d-%dubuntu%d", i%7, i%13, i%29, i%3+1, i%4),
			Publisher: "Ubuntu Developers <ubuntu-devel-discuss@lists.ubuntu.com>",
			Source:    "dpkg",
			Arch:      "amd64",
		})
		if i%100 == 0 {
			doc, err := json.MarshalIndent(f, "", "  ")
			if err != nil {
				tb.Fatal(err)
			}
			if len(doc) >= 300<<10 {
				return doc
			}
		}
	}
}

func TestBigFactsDecodes(t *testing.T) {
	doc := bigFacts(t)
	f, err := DecodeFacts(bytes.NewReader(doc), "big.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(f.Software.Items); got < 1000 {
		t.Errorf("%d software items, want over 1000", got)
	}
	roundTrip(t, f)
}

// FuzzFastParse checks fastParse against encoding/json: it accepts a text
// only when encoding/json does and no field appears twice, and then builds
// the same value; and it refuses nothing that both accept.
func FuzzFastParse(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `null`, `0`, `-0.5e+10`, `"a\u00e9\ud83d\ude00\ud800x\"\\\/\b\f\n\r\t"`,
		`{"a": [1, true, false, null, {"b": "c"}]}`, `{"a": 1, "a": 2}`, `{"a":1,}`, `[1,]`, `01`, `1.`, `"\x"`,
	} {
		f.Add([]byte(s))
	}
	for _, dir := range []string{"valid", "invalid"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		for _, file := range files {
			b, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !utf8.Valid(b) {
			return // refused before parsing
		}
		got, ok := fastParse(b)
		d := &document{text: b}
		stdErr := d.parseSlowly()
		if stdErr == nil {
			stdErr = d.checkDuplicates()
		}
		switch {
		case ok && stdErr != nil:
			t.Fatalf("fastParse accepts what encoding/json refuses: %v", stdErr)
		case !ok && stdErr == nil:
			t.Fatalf("fastParse refuses what encoding/json accepts")
		case ok:
			if diff := cmp.Diff(d.value, got); diff != "" {
				t.Fatalf("fastParse differs from encoding/json (-json +fast):\n%s", diff)
			}
		}
	})
}

// TestFillMatchesUnmarshal checks that fill sets Facts as json.Unmarshal
// does, on every valid document.
func TestFillMatchesUnmarshal(t *testing.T) {
	docs := map[string][]byte{"big": bigFacts(t)}
	files, _ := filepath.Glob(filepath.Join("testdata", "valid", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		text, err := utf8Text(b, file)
		if err != nil {
			t.Fatal(err)
		}
		docs[file] = text
	}
	for name, text := range docs {
		v, ok := fastParse(text)
		if !ok {
			t.Fatalf("%s: fastParse failed", name)
		}
		var got, want handwash.Facts
		if !fill(reflect.ValueOf(&got).Elem(), v) {
			t.Errorf("%s: fill failed", name)
		}
		if err := json.Unmarshal(text, &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: fill differs from json.Unmarshal (-Unmarshal +fill):\n%s", name, diff)
		}
	}
}
