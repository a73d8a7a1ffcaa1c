package collect

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParsePlist(t *testing.T) {
	const head = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
`
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"string", `<plist version="1.0"><string>hello</string></plist>`, "hello"},
		{"entities and CDATA", `<plist><string>a &lt; b &amp; <![CDATA[<c>]]></string></plist>`, "a < b & <c>"},
		{"empty string", `<plist><string/></plist>`, ""},
		{"integer", `<plist><integer>-42</integer></plist>`, int64(-42)},
		{"integer beyond int64", `<plist><integer>18446744073709551615</integer></plist>`, uint64(18446744073709551615)},
		{"real", `<plist><real>0.5</real></plist>`, 0.5},
		{"true", `<plist><true/></plist>`, true},
		{"false", `<plist><false/></plist>`, false},
		{"date", `<plist><date>2025-05-13T18:02:11Z</date></plist>`, time.Date(2025, 5, 13, 18, 2, 11, 0, time.UTC)},
		{"data over lines", "<plist><data>\n\tTWFj\n\tMTQsNwA=\n\t</data></plist>", []byte("Mac14,7\x00")},
		{"data without padding", `<plist><data>TWFj</data></plist>`, []byte("Mac")},
		{"empty dict", `<plist><dict/></plist>`, map[string]any{}},
		{"empty array", `<plist><array></array></plist>`, []any{}},
		{"bare value without plist", `<array><string>x</string></array>`, []any{"x"}},
		{"nested", head + `<plist version="1.0">
<dict>
	<key>Destinations</key>
	<array>
		<dict>
			<key>Kind</key>
			<string>Network</string>
			<key>Dates</key>
			<array><date>2026-11-19T22:10:04Z</date></array>
			<key>Encrypted</key>
			<true/>
		</dict>
	</array>
	<key>Count</key>
	<integer>1</integer>
</dict>
</plist>`, map[string]any{
			"Destinations": []any{map[string]any{
				"Kind":      "Network",
				"Dates":     []any{time.Date(2026, 11, 19, 22, 10, 4, 0, time.UTC)},
				"Encrypted": true,
			}},
			"Count": int64(1),
		}},
		{"repeated key keeps the last", `<plist><dict><key>a</key><integer>1</integer><key>a</key><integer>2</integer></dict></plist>`,
			map[string]any{"a": int64(2)}},
		{"comments are ignored", `<plist><!-- x --><dict><!-- y --><key>a</key><!-- z --><true/></dict></plist>`, map[string]any{"a": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePlist([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parsePlist (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParsePlistRejectsBrokenInput(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ``},
		{"only a declaration", `<?xml version="1.0"?>`},
		{"empty plist", `<plist></plist>`},
		{"key without value", `<plist><dict><key>a</key></dict></plist>`},
		{"value without key", `<plist><dict><string>a</string></dict></plist>`},
		{"key outside dict", `<plist><key>a</key></plist>`},
		{"unknown element", `<plist><foo>1</foo></plist>`},
		{"bad integer", `<plist><integer>one</integer></plist>`},
		{"bad real", `<plist><real>x</real></plist>`},
		{"bad date", `<plist><date>yesterday</date></plist>`},
		{"bad data", `<plist><data>!!!</data></plist>`},
		{"element inside a string", `<plist><string>a<b/></string></plist>`},
		{"truncated", `<plist><dict><key>a</key><array><string>x</string>`},
		{"not XML", `bplist00\x00\x01`},
		{"too deep", "<plist>" + strings.Repeat("<array>", plistMaxDepth+5) + strings.Repeat("</array>", plistMaxDepth+5) + "</plist>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := parsePlist([]byte(tt.in)); err == nil {
				t.Errorf("parsePlist(%q) = %#v, want an error", tt.in, got)
			}
		})
	}
}

func TestPlistFromOutputSkipsLeadingText(t *testing.T) {
	got, err := plistFromOutput([]byte("Getting global account policies\n<?xml version=\"1.0\"?>\n<plist><dict/></plist>\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]any{}, got); diff != "" {
		t.Errorf("plistFromOutput (-want +got):\n%s", diff)
	}
}

func TestPlistAccessors(t *testing.T) {
	tests := []struct {
		name     string
		v        any
		wantInt  int64
		intOK    bool
		wantBool bool
		boolOK   bool
	}{
		{"integer", int64(300), 300, true, true, true},
		{"zero", int64(0), 0, true, false, true},
		{"string number, as defaults write without -int stores it", "300", 300, true, false, false},
		{"YES", "YES", 0, false, true, true},
		{"no", "no", 0, false, false, true},
		{"bool", true, 0, false, true, true},
		{"huge unsigned", uint64(1 << 63), 0, false, false, false},
		{"nil", nil, 0, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := plistInt(tt.v)
			if n != tt.wantInt || ok != tt.intOK {
				t.Errorf("plistInt(%#v) = %d, %v; want %d, %v", tt.v, n, ok, tt.wantInt, tt.intOK)
			}
			b, ok := plistBool(tt.v)
			if b != tt.wantBool || ok != tt.boolOK {
				t.Errorf("plistBool(%#v) = %v, %v; want %v, %v", tt.v, b, ok, tt.wantBool, tt.boolOK)
			}
		})
	}
	if got := plistGet(map[string]any{"a": map[string]any{"b": "c"}}, "a", "b"); got != "c" {
		t.Errorf("plistGet a.b = %#v, want c", got)
	}
	if got := plistGet("not a dict", "a"); got != nil {
		t.Errorf("plistGet on a string = %#v, want nil", got)
	}
	if s, ok := plistDataString([]byte("Apple Inc.\x00")); !ok || s != "Apple Inc." {
		t.Errorf("plistDataString = %q, %v", s, ok)
	}
}
