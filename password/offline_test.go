package password

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// writeOffline writes data as dir/pwnedpasswords.txt.
func writeOffline(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pwnedpasswords.txt")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustOpen(t *testing.T, path string, opts OfflineOptions) *Offline {
	t.Helper()
	o, err := OpenOfflineWith(path, opts)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

// The zxcvbn password list in the downloader's single-file form: every
// password is found with its count, others are not, and the index is built
// once, saved, and read back the next time.
func TestOfflineFixture(t *testing.T) {
	list := fixturePasswords(t)
	for _, eol := range []string{"\r\n", "\n"} {
		path := writeOffline(t, list.sortedLines(eol))
		o := mustOpen(t, path, OfflineOptions{})
		if !o.IndexBuilt() || o.IndexSaveError() != nil || o.Hashes() != int64(len(list.counts)) {
			t.Fatalf("built %v, saved %v, %d hashes; want built, saved, %d", o.IndexBuilt(), o.IndexSaveError(), o.Hashes(), len(list.counts))
		}
		if o.IndexBits() != 10 || o.IndexBytes() != 8*1025 {
			t.Errorf("index of %d bits, %d bytes; want 10 bits (about 46 hashes a block), 8,200 bytes", o.IndexBits(), o.IndexBytes())
		}
		if _, err := os.Stat(path + IndexSuffix); err != nil {
			t.Fatal(err)
		}
		// Every password, from many goroutines at once.
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := g; i < len(list.passwords); i += 4 {
					pw := list.passwords[i]
					n, found, err := o.LookupPassword(pw)
					if err != nil || !found || n != list.counts[SHA1Hex(pw)] {
						errs <- fmt.Errorf("%q: %d, %v, %v; want %d", pw, n, found, err, list.counts[SHA1Hex(pw)])
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for _, pw := range []string{"correct horse battery staple", "Tr0ub4dour&3", "", "passw0rd!!"} {
			if n, found, err := o.LookupPassword(pw); found || n != 0 || err != nil {
				t.Errorf("%q: %d, %v, %v; want not found", pw, n, found, err)
			}
		}
		// The first and last hashes, and ones just beside them.
		lines := strings.Split(strings.TrimSpace(string(list.sortedLines("\n"))), "\n")
		for _, l := range []string{lines[0], lines[len(lines)-1]} {
			if _, found, _ := o.Lookup(strings.ToLower(l[:40])); !found {
				t.Errorf("%s not found", l[:40])
			}
		}
		for _, h := range []string{strings.Repeat("0", 40), strings.Repeat("F", 40)} {
			if _, found, err := o.Lookup(h); found || err != nil {
				t.Errorf("%s: %v, %v", h, found, err)
			}
		}
		if _, _, err := o.Lookup("password"); handwash.ErrorCode(err) != handwash.EINVALID {
			t.Errorf("not a hash: %v", err)
		}
		o.Close()
		again := mustOpen(t, path, OfflineOptions{})
		if again.IndexBuilt() {
			t.Error("the saved index was not used")
		}
		if n, found, err := again.LookupPassword("password"); !found || n != 20785 || err != nil {
			t.Errorf("password: %d, %v, %v; want 20785", n, found, err)
		}
	}
}

// The offline list and the range API agree.
func TestOfflineAgreesWithRangeAPI(t *testing.T) {
	list := fixturePasswords(t)
	o := mustOpen(t, writeOffline(t, list.sortedLines("\r\n")), OfflineOptions{NoSave: true})
	c := &RangeClient{BaseURL: newRangeServer(t, list).URL}
	for i, pw := range append(list.passwords[:2000:2000], "not in the list", "neither is this") {
		if i%20 != 0 && i < 2000 {
			continue
		}
		online, err := c.Lookup(context.Background(), pw)
		if err != nil {
			t.Fatal(err)
		}
		offline, _, err := o.LookupPassword(pw)
		if err != nil || online != offline {
			t.Errorf("%q: online %d, offline %d (%v)", pw, online, offline, err)
		}
	}
}

// A changed file gets a new index; a damaged or foreign index is rebuilt.
func TestOfflineIndexRebuilt(t *testing.T) {
	list := fixturePasswords(t)
	data := list.sortedLines("\r\n")
	path := writeOffline(t, data)
	mustOpen(t, path, OfflineOptions{}).Close()
	reopen := func(what string, wantBuilt bool) *Offline {
		t.Helper()
		o := mustOpen(t, path, OfflineOptions{})
		if o.IndexBuilt() != wantBuilt {
			t.Errorf("%s: index built %v, want %v", what, o.IndexBuilt(), wantBuilt)
		}
		return o
	}
	reopen("unchanged", false)

	// A hash added at the end, as a newer download would have.
	newHash := strings.Repeat("F", 39) + "E"
	if err := os.WriteFile(path, append(bytes.Clone(data), newHash+":7\r\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	os.Chtimes(path, later, later)
	o := reopen("a line added", true)
	if n, found, err := o.Lookup(newHash); !found || n != 7 || err != nil {
		t.Errorf("the added hash: %d, %v, %v", n, found, err)
	}
	reopen("after the rebuild", false)

	// Same size, new time: rebuilt.
	later = later.Add(time.Minute)
	os.Chtimes(path, later, later)
	reopen("touched", true)

	// A damaged index.
	idx, err := os.ReadFile(path + IndexSuffix)
	if err != nil {
		t.Fatal(err)
	}
	idx[len(idx)/2] ^= 0x40
	os.WriteFile(path+IndexSuffix, idx, 0o644)
	reopen("index damaged", true)
	os.WriteFile(path+IndexSuffix, idx[:100], 0o644)
	reopen("index cut short", true)
	os.WriteFile(path+IndexSuffix, []byte("not an index"), 0o644)
	reopen("not an index", true)

	// Other bits asked for.
	if o := mustOpen(t, path, OfflineOptions{IndexBits: 4}); !o.IndexBuilt() || o.IndexBits() != 4 {
		t.Errorf("4 bits: built %v, %d bits", o.IndexBuilt(), o.IndexBits())
	}
	if o := mustOpen(t, path, OfflineOptions{IndexBits: 4}); o.IndexBuilt() {
		t.Error("4 bits again: rebuilt")
	}
	if o := mustOpen(t, path, OfflineOptions{Rebuild: true}); !o.IndexBuilt() {
		t.Error("Rebuild: not rebuilt")
	}
}

// A file changed in place without its size or time changing is noticed
// when a lookup reads it, and the message says what to do.
func TestOfflineChangedUnderTheIndex(t *testing.T) {
	list := fixturePasswords(t)
	data := list.sortedLines("\n")
	path := writeOffline(t, data)
	st, _ := os.Stat(path)
	o := mustOpen(t, path, OfflineOptions{})
	damaged := bytes.Repeat([]byte("#"), len(data))
	if err := os.WriteFile(path, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(path, st.ModTime(), st.ModTime())
	_, _, err := o.LookupPassword("password")
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "handwash password index "+path) {
		t.Errorf("lookup in a damaged file: %v", err)
	}
	os.Truncate(path, 10)
	if _, _, err := o.LookupPassword("password"); err == nil || !strings.Contains(err.Error(), "has changed since it was indexed") {
		t.Errorf("lookup in a truncated file: %v", err)
	}
}

// An index that cannot be saved is kept in memory, and the caller is told.
func TestOfflineIndexNotSaved(t *testing.T) {
	list := fixturePasswords(t)
	path := writeOffline(t, list.sortedLines("\n"))
	if err := os.Mkdir(path+IndexSuffix, 0o755); err != nil { // in the way
		t.Fatal(err)
	}
	o := mustOpen(t, path, OfflineOptions{})
	if o.IndexSaveError() == nil {
		t.Error("no save error")
	}
	if _, found, err := o.LookupPassword("dragon1"); !found || err != nil {
		t.Errorf("dragon1: %v, %v", found, err)
	}
}

func TestOfflineBadFiles(t *testing.T) {
	a := "0000000A1B2C3D4E5F60718293A4B5C6D7E8F901"
	b := "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8" // "password"
	c := "FFFFF7A4B1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6"
	for _, tc := range []struct {
		name, data string
		want       []string // in the error; none: opens
	}{
		{"sorted", a + ":1\r\n" + b + ":2\r\n" + c + ":3\r\n", nil},
		{"no final line ending", a + ":1\n" + b + ":2\n" + c + ":3", nil},
		{"lower case", strings.ToLower(a + ":1\n" + b + ":2\n"), nil},
		{"byte order mark", "\xEF\xBB\xBF" + a + ":1\r\n" + b + ":2\r\n", nil},
		{"blank lines at the end", a + ":1\n" + b + ":2\n\n\n", nil},
		{"empty", "", []string{"is empty"}},
		{"only blank lines", "\n\r\n", []string{"holds no hashes"}},
		{"out of order", a + ":1\n" + c + ":3\n" + b + ":2\n", []string{"line 3", "out of order", "sorted"}},
		{"repeated", a + ":1\n" + b + ":2\n" + b + ":2\n", []string{"line 3", "repeats"}},
		{"blank line inside", a + ":1\n\n" + b + ":2\n", []string{"line 2", "empty"}},
		{"bad count", a + ":1\n" + b + ":two\n", []string{"line 2", "whole number"}},
		{"no count", a + "\n", []string{"line 1", "no colon"}},
		{"short hash", a[:39] + ":1\n", []string{"line 1", "40 hexadecimal"}},
		{"NTLM", "8846F7EAEE8FB117AD06BDD830B7586C:9\n", []string{"line 1", "NTLM", "without -n"}},
		{"range file, not the single file", b[5:] + ":2\r\n", []string{"line 1", "40 hexadecimal"}},
		{"cut short", a + ":1\r\n" + b + ":2\r\n" + c[:17], []string{"line 3 (the last)", "cut short", "interrupted"}},
		{"very long line", a + ":1\n" + strings.Repeat("9", 2<<20) + "\n", []string{"line 2", "too long"}},
	} {
		path := writeOffline(t, []byte(tc.data))
		o, err := OpenOfflineWith(path, OfflineOptions{NoSave: true})
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			if n, found, err := o.Lookup(b); !found || n != 2 || err != nil {
				t.Errorf("%s: password: %d, %v, %v", tc.name, n, found, err)
			}
			o.Close()
			continue
		}
		if err == nil {
			o.Close()
			t.Errorf("%s: opened", tc.name)
			continue
		}
		if handwash.ErrorCode(err) != handwash.EINVALID {
			t.Errorf("%s: code %s", tc.name, handwash.ErrorCode(err))
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.name, err, w)
			}
		}
	}
	if _, err := OpenOffline(filepath.Join(t.TempDir(), "missing.txt")); handwash.ErrorCode(err) != handwash.ENOTFOUND || !strings.Contains(err.Error(), "haveibeenpwned-downloader") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := OpenOffline(t.TempDir()); err == nil || !strings.Contains(err.Error(), "00000.txt") {
		t.Errorf("empty folder: %v", err)
	}
}

// The folder of per-prefix files that haveibeenpwned-downloader writes
// with -s false.
func TestOfflineFolder(t *testing.T) {
	list := fixturePasswords(t)
	dir := t.TempDir()
	// The files that hold the first 500 passwords and one not in the list
	// (writing all 37,000 takes seconds).
	files := map[string]*bytes.Buffer{"00000": {}, SHA1Hex("correct horse battery staple")[:5]: {}}
	for _, pw := range list.passwords[:500] {
		files[SHA1Hex(pw)[:5]] = &bytes.Buffer{}
	}
	for h, c := range list.counts {
		if b := files[h[:5]]; b != nil {
			fmt.Fprintf(b, "%s:%d\r\n", h[5:], c)
		}
	}
	for p, b := range files {
		if err := os.WriteFile(filepath.Join(dir, p+".txt"), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := mustOpen(t, dir, OfflineOptions{})
	for _, pw := range list.passwords[:500] {
		if n, found, err := o.LookupPassword(pw); !found || n != list.counts[SHA1Hex(pw)] || err != nil {
			t.Errorf("%q: %d, %v, %v", pw, n, found, err)
		}
	}
	missing := ""
	for _, pw := range []string{"correct horse battery staple", "Tr0ub4dour&3", "xkcd936", "a b c 1 2 3"} {
		h := SHA1Hex(pw)
		if files[h[:5]] != nil {
			if _, found, err := o.LookupPassword(pw); found || err != nil {
				t.Errorf("%q: %v, %v", pw, found, err)
			}
		} else {
			missing = pw
		}
	}
	if missing == "" {
		t.Fatal("no password with a missing prefix file")
	}
	if _, _, err := o.LookupPassword(missing); err == nil || !strings.Contains(err.Error(), "not complete") {
		t.Errorf("missing prefix file: %v", err)
	}
}

// Any file either fails to open or finds every hash it holds with its
// count; nothing panics.
func FuzzOfflineFile(f *testing.F) {
	f.Add([]byte("0000000A1B2C3D4E5F60718293A4B5C6D7E8F901:1\r\n5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:2\r\n"))
	f.Add([]byte("\xEF\xBB\xBF5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8:0012\n\n"))
	f.Add([]byte("FFFFF7A4B1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6:3"))
	f.Add([]byte("8846F7EAEE8FB117AD06BDD830B7586C:9\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, bits := range []int{0, 1, MaxIndexBits} {
			o, err := openOfflineReader(bytes.NewReader(data), int64(len(data)), "fuzz.txt", OfflineOptions{IndexBits: bits})
			if err != nil {
				if handwash.ErrorCode(err) != handwash.EINVALID || !strings.HasPrefix(err.Error(), "fuzz.txt") {
					t.Fatalf("error %v (code %s)", err, handwash.ErrorCode(err))
				}
				return
			}
			var held int64
			for _, line := range strings.Split(string(bytes.TrimPrefix(data, utf8BOM)), "\n") {
				line = strings.TrimSuffix(line, "\r")
				if strings.TrimSpace(line) == "" {
					continue
				}
				hash, count, err := parseCountLine([]byte(line), 40)
				if err != nil {
					t.Fatalf("opened with a bad line %q: %v", line, err)
				}
				held++
				n, found, err := o.Lookup(string(hash))
				if err != nil || !found || n != count {
					t.Fatalf("%s: %d, %v, %v; want %d", hash, n, found, err, count)
				}
			}
			if held != o.Hashes() {
				t.Fatalf("%d hashes counted, %d in the file", o.Hashes(), held)
			}
		}
	})
}

// An index of more than 2^20 blocks stays in its file: lookups read their
// offsets from there, and memory holds none of it.
func TestOfflineIndexInFile(t *testing.T) {
	list := fixturePasswords(t)
	path := writeOffline(t, list.sortedLines("\r\n"))
	o := mustOpen(t, path, OfflineOptions{IndexBits: 22})
	if !o.IndexBuilt() || o.IndexSaveError() != nil || o.IndexBits() != 22 || o.IndexBytes() != 0 {
		t.Fatalf("built %v, save error %v, %d bits, %d bytes in memory", o.IndexBuilt(), o.IndexSaveError(), o.IndexBits(), o.IndexBytes())
	}
	if st, err := os.Stat(path + IndexSuffix); err != nil || st.Size() != headerSize+8*(1<<22+1) {
		t.Fatalf("index file: %v, %v", st, err)
	}
	check := func(o *Offline) {
		t.Helper()
		for _, pw := range list.passwords[:3000] {
			if n, found, err := o.LookupPassword(pw); !found || n != list.counts[SHA1Hex(pw)] || err != nil {
				t.Fatalf("%q: %d, %v, %v", pw, n, found, err)
			}
		}
		if _, found, err := o.LookupPassword("correct horse battery staple"); found || err != nil {
			t.Errorf("not in the list: %v, %v", found, err)
		}
	}
	check(o)
	o.Close()
	o = mustOpen(t, path, OfflineOptions{})
	if o.IndexBuilt() || o.IndexBits() != 22 {
		t.Errorf("reopened: built %v, %d bits", o.IndexBuilt(), o.IndexBits())
	}
	check(o)
	o.Close()

	// Damaged offsets are noticed when a lookup uses them.
	f, err := os.OpenFile(path+IndexSuffix, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := prefixBits([]byte(SHA1Hex("password")), 22)
	f.WriteAt(bytes.Repeat([]byte{0xFF}, 16), headerSize+8*int64(b))
	f.Close()
	o = mustOpen(t, path, OfflineOptions{})
	if _, _, err := o.LookupPassword("password"); err == nil || !strings.Contains(err.Error(), "handwash password index") {
		t.Errorf("damaged offsets: %v", err)
	}
	o.Close()

	// When the index cannot be put in place, the temporary file serves
	// until Close removes it.
	os.Remove(path + IndexSuffix)
	os.Mkdir(path+IndexSuffix, 0o755)
	o = mustOpen(t, path, OfflineOptions{IndexBits: 22})
	if o.IndexSaveError() == nil || o.IndexBits() != 22 {
		t.Errorf("not saved: save error %v, %d bits", o.IndexSaveError(), o.IndexBits())
	}
	check(o)
	o.Close()
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %q", left)
	}
}
