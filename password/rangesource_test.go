package password

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

// rangeEntries counts a range answer's entries and checks each line.
func rangeEntries(t *testing.T, body []byte) (entries, real int) {
	t.Helper()
	for n, line := range strings.Split(strings.TrimRight(string(body), "\r\n"), "\r\n") {
		h, c, err := parseCountLine([]byte(line), 40-PrefixLen)
		if err != nil {
			t.Fatalf("line %d %q: %v", n+1, line, err)
		}
		if string(h) != strings.ToUpper(string(h)) {
			t.Errorf("line %d: suffix not in capitals: %q", n+1, line)
		}
		entries++
		if c > 0 {
			real++
		}
	}
	return entries, real
}

// A range from the downloaded file, through any index size, holds every
// breached password of the prefix with its count and is padded to 800 to
// 1,000 entries, as Have I Been Pwned's own answers are.
func TestOfflineRange(t *testing.T) {
	list := fixturePasswords(t)
	path := writeOffline(t, list.sortedLines("\r\n"))
	ctx := context.Background()
	for _, bits := range []int{8, 16, 20, 22} {
		o := mustOpen(t, path, OfflineOptions{NoSave: true, IndexBits: bits})
		for i, pw := range append(list.passwords[:300:300], "correct horse battery staple") {
			if i%30 != 0 && i < 300 {
				continue
			}
			h := SHA1Hex(pw)
			body, err := o.Range(ctx, strings.ToLower(h[:PrefixLen]))
			if err != nil {
				t.Fatalf("bits %d, %q: %v", bits, pw, err)
			}
			got, err := ParseRange(body, h[PrefixLen:])
			if err != nil || got != list.counts[h] {
				t.Errorf("bits %d, %q: count %d (%v), want %d", bits, pw, got, err, list.counts[h])
			}
			entries, real := rangeEntries(t, body)
			want := 0
			for x := range list.counts {
				if x[:PrefixLen] == h[:PrefixLen] {
					want++
				}
			}
			if real != want || entries < padMin || entries > padMax {
				t.Errorf("bits %d, prefix %s: %d entries, %d real; want %d real and %d to %d in all", bits, h[:PrefixLen], entries, real, want, padMin, padMax)
			}
		}
	}
	o := mustOpen(t, path, OfflineOptions{NoSave: true})
	for _, bad := range []string{"", "ABCD", "ABCDEF", "ABCDG", "../..", "ABCD\n"} {
		if _, err := o.Range(ctx, bad); handwash.ErrorCode(err) != handwash.EINVALID {
			t.Errorf("Range(%q) = %v, want EINVALID", bad, err)
		}
	}
}

func TestOfflineFolderRange(t *testing.T) {
	list := fixturePasswords(t)
	dir := t.TempDir()
	h := SHA1Hex("password")
	var b bytes.Buffer
	for x, c := range list.counts {
		if x[:PrefixLen] == h[:PrefixLen] {
			fmt.Fprintf(&b, "%s:%d\r\n", x[PrefixLen:], c)
		}
	}
	for name, data := range map[string][]byte{h[:PrefixLen]: b.Bytes(), "00000": nil} {
		if err := os.WriteFile(filepath.Join(dir, name+".txt"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := mustOpen(t, dir, OfflineOptions{})
	body, err := o.Range(context.Background(), h[:PrefixLen])
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := ParseRange(body, h[PrefixLen:]); n != list.counts[h] {
		t.Errorf("count %d, want %d", n, list.counts[h])
	}
	if entries, _ := rangeEntries(t, body); entries < padMin {
		t.Errorf("%d entries: not padded", entries)
	}
	if _, err := o.Range(context.Background(), "FFFFF"); err == nil || !strings.Contains(err.Error(), "not complete") {
		t.Errorf("a missing prefix file: %v", err)
	}
}

// The client passes on the API's answer, which is checked first.
func TestRangeClientRange(t *testing.T) {
	list := fixturePasswords(t)
	c := &RangeClient{BaseURL: newRangeServer(t, list).URL}
	h := SHA1Hex("dragon")
	body, err := c.Range(context.Background(), h[:PrefixLen])
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := ParseRange(body, h[PrefixLen:]); n != list.counts[h] || n == 0 {
		t.Errorf("count %d, want %d", n, list.counts[h])
	}
	if _, err := c.Range(context.Background(), "XYZ12"); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("a bad prefix: %v", err)
	}
}

// BenchmarkOfflineRange is the server's work for one lookup from the staff
// password page: the prefix's block read through the index, filtered and
// padded.
func BenchmarkOfflineRange(b *testing.B) {
	list := fixturePasswords(b)
	path := filepath.Join(b.TempDir(), "pwned.txt")
	if err := os.WriteFile(path, list.sortedLines("\r\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	o, err := OpenOfflineWith(path, OfflineOptions{NoSave: true})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := o.Range(ctx, fmt.Sprintf("%05X", i&0xFFFFF)); err != nil {
			b.Fatal(err)
		}
		i += 7919
	}
}
