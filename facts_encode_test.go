package handwash

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// recordedFacts are the Facts recorded on real and prepared machines of
// every platform, as collect's tests keep them.
func recordedFacts(tb testing.TB) map[string][]byte {
	tb.Helper()
	files, err := filepath.Glob("collect/testdata/*/*.facts.json")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no recorded Facts in collect/testdata: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		out[f] = b
	}
	return out
}

// sameAsMarshal fails unless appendFactsJSON writes f exactly as
// json.Marshal does.
func sameAsMarshal(t *testing.T, name string, f *Facts) {
	t.Helper()
	want, err := json.Marshal(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got := appendFactsJSON(nil, f); !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		t.Errorf("%s: differs from json.Marshal at byte %d:\n got %.80q\nwant %.80q", name, i, got[i:], want[i:])
	}
}

func TestAppendFactsJSONIsMarshal(t *testing.T) {
	for name, b := range recordedFacts(t) {
		var f Facts
		if err := json.Unmarshal(b, &f); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameAsMarshal(t, name, &f)

		// Strings Marshal escapes, times with zones and fractions, and
		// empty but observed lists.
		odd := f
		odd.Device.Hostname = "Reception <PC> & \"front\" desk\\\t\u2028é\xff"
		odd.CollectedAt = time.Date(2026, 11, 30, 9, 30, 1, 120000000, time.FixedZone("", 3600))
		if odd.Software != nil {
			sw := *odd.Software
			sw.Items = append([]SoftwareItem{
				{Name: "Société Générale", Source: "registry", Version: "1.0\x00"},
				{Name: "Smith & Nephew", Publisher: "a>b", Arch: "<", SourcePackage: "x\u2029", Source: "registry"},
			}, sw.Items...)
			odd.Software = &sw
		}
		odd.Collection.Missing = []Missing{}
		sameAsMarshal(t, name+" (with odd values)", &odd)
	}
	sameAsMarshal(t, "empty Facts", &Facts{})
}

// FuzzAppendFactsJSON decodes arbitrary JSON into Facts and holds the
// encoder to json.Marshal's output for whatever it holds.
func FuzzAppendFactsJSON(f *testing.F) {
	for _, b := range recordedFacts(f) {
		f.Add(b)
	}
	f.Add([]byte(`{"device":{"hostname":"a\u003cb\ud800"},"software":{"items":[]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var facts Facts
		if json.Unmarshal(b, &facts) != nil {
			return
		}
		if _, err := json.Marshal(&facts); err != nil {
			return // a time Marshal refuses: Digest's panic, as before
		}
		sameAsMarshal(t, "fuzzed Facts", &facts)
	})
}

// BenchmarkDigest digests the recorded Debian 12 Facts.
func BenchmarkDigest(b *testing.B) {
	var f Facts
	if err := json.Unmarshal(recordedFacts(b)["collect/testdata/linux/debian12-container.facts.json"], &f); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		f.Digest()
	}
}
