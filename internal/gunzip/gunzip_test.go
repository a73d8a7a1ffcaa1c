package gunzip

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"strings"
	"testing"
)

func gz(t testing.TB, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	for _, p := range parts {
		zw := gzip.NewWriter(&buf)
		zw.Write([]byte(p))
		zw.Close()
	}
	return buf.Bytes()
}

func TestUse(t *testing.T) {
	big := strings.Repeat(`{"name":"libc6","version":"2.36-9+deb12u13"},`, 5000)
	for _, c := range []struct {
		name  string
		in    []byte
		limit int64
		want  string
		err   error
	}{
		{"one member", gz(t, big), 1 << 20, big, nil},
		{"several members, as one stream", gz(t, "{", big, "}"), 1 << 20, "{" + big + "}", nil},
		{"empty", gz(t, ""), 10, "", nil},
		{"exactly the limit", gz(t, "12345"), 5, "12345", nil},
		{"one byte over", gz(t, "123456"), 5, "", ErrTooLarge},
		{"not gzip", []byte(`{"schema":"handwash.facts/v1"}`), 1 << 20, "", ErrNotGzip},
		{"cut short", gz(t, big)[:200], 1 << 20, "", ErrDamaged},
		{"a size that lies", append(gz(t, "abc")[:len(gz(t, "abc"))-4], 0xff, 0xff, 0xff, 0x7f), 1 << 20, "", ErrDamaged},
	} {
		t.Run(c.name, func(t *testing.T) {
			for range 2 { // the second time with a reused reader and buffer
				var got string
				err := Use(c.in, c.limit, func(raw []byte) error { got = string(raw); return nil })
				if !errors.Is(err, c.err) || (c.err == nil && got != c.want) {
					t.Fatalf("got %d bytes, error %v; want %d bytes, error %v", len(got), err, len(c.want), c.err)
				}
			}
		})
	}
	want := errors.New("the caller's own")
	if err := Use(gz(t, "x"), 10, func([]byte) error { return want }); err != want {
		t.Errorf("use's error: got %v", err)
	}
}

func FuzzUse(f *testing.F) {
	f.Add(gz(f, "hello"))
	f.Add(gz(f, "a", "b"))
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = Use(b, 1<<16, func(raw []byte) error {
			if len(raw) > 1<<16 {
				t.Fatalf("%d bytes passed the limit", len(raw))
			}
			return nil
		})
	})
}

// BenchmarkUse decompresses the recorded Debian 12 Facts (752 packages).
func BenchmarkUse(b *testing.B) {
	raw, err := os.ReadFile("../../collect/testdata/linux/debian12-container.facts.json")
	if err != nil {
		b.Fatal(err)
	}
	in := gz(b, string(raw))
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if err := Use(in, 16<<20, func([]byte) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
