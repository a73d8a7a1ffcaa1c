package sqlstore

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func inventory(n int, change func(i int) string) []byte {
	var b strings.Builder
	b.WriteString(`{"software":{"items":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"name":"pkg%d","version":"%s","source":"dpkg"}`, i, change(i))
	}
	b.WriteString(`]}}`)
	return []byte(b.String())
}

func TestDelta(t *testing.T) {
	base := inventory(1500, func(int) string { return "1.0" })
	cases := map[string][]byte{
		"same":          base,
		"three changed": inventory(1500, func(i int) string { return map[bool]string{true: "2.0", false: "1.0"}[i == 5 || i == 700 || i == 1499] }),
		"one removed":   bytes.Replace(base, []byte(`{"name":"pkg9","version":"1.0","source":"dpkg"},`), nil, 1),
		"one added":     bytes.Replace(base, []byte(`]}}`), []byte(`,{"name":"new","version":"1","source":"dpkg"}]}}`), 1),
		"all changed":   inventory(1500, func(i int) string { return fmt.Sprint(i) }),
		"empty":         nil,
		"unrelated":     []byte("not even JSON, but, commas"),
	}
	for name, target := range cases {
		d := makeDelta(base, target)
		got, err := applyDelta(base, d)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, target) {
			t.Errorf("%s: delta does not rebuild the target", name)
		}
		if name == "three changed" && len(d) > 400 {
			t.Errorf("three changed packages make a %d-byte delta, want a few hundred at most", len(d))
		}
	}
}

func FuzzDelta(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":2,"c":3,"d":4,"e":5}`), []byte(`{"a":1,"b":3,"c":3,"d":4,"e":5,"f":6}`))
	f.Add([]byte(""), []byte(","))
	f.Fuzz(func(t *testing.T, base, target []byte) {
		got, err := applyDelta(base, makeDelta(base, target))
		if err != nil || !bytes.Equal(got, target) {
			t.Fatalf("round trip failed: %v", err)
		}
		// Arbitrary bytes as a delta fail cleanly.
		applyDelta(base, append([]byte(deltaMagic), target...))
	})
}
