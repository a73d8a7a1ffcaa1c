package feeds

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vuln"
)

// osvCache is a cache holding the Debian records of debianRecords,
// imported.
func osvCache(t *testing.T) *Cache {
	t.Helper()
	c := newCache(t, &clock{start})
	if _, err := c.Import(context.Background(), writeFile(t, t.TempDir(), "all.zip", zipOf(t, debianRecords())), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	bookworm  = vuln.Ecosystem{Name: "Debian", Release: "12"}
	installed = []vuln.Installed{{Name: "libssl3", Version: "3.0.11-1~deb12u2", Source: "openssl"}, {Name: "openssh-server", Version: "1:9.2p1-2+deb12u2", Source: "openssh"}}
)

// sameAsWhole tallies installed's matches against c's Debian export
// through the package index and whole, and fails unless both are the same.
func sameAsWhole(t *testing.T, c *Cache) {
	t.Helper()
	whole, wm, err := c.LoadOSV("Debian")
	if err != nil {
		t.Fatal(err)
	}
	want := whole.Match(bookworm, installed)
	if len(want) != 2 {
		t.Fatalf("%d matches, want openssl's and openssh's", len(want))
	}
	var cves []string
	for _, m := range want {
		cves = append(cves, m.CVEs...)
	}
	if len(cves) == 0 {
		t.Fatal("no CVEs to mark known exploited")
	}
	known := func(cve string) bool { return cve == cves[len(cves)-1] }
	vuln.MarkKnownExploited(want, known)
	for _, max := range []int{1, 50} {
		tally, tm, err := c.TallyOSV("debian", bookworm, installed, known, max)
		if err != nil {
			t.Fatal(err)
		}
		if tm != wm {
			t.Errorf("metadata %+v, whole %+v", tm, wm)
		}
		if diff := cmp.Diff(vuln.TallyOf(want, max), tally); diff != "" {
			t.Errorf("%d items: (-whole +through the index)\n%s", max, diff)
		}
	}
}

// currentIndex fails unless the cache's Debian package index is the one
// made from its export.
func currentIndex(t *testing.T, c *Cache) {
	t.Helper()
	px, m, err := c.OSVIndex("Debian")
	if err != nil {
		t.Fatal(err)
	}
	if px.SHA256() != m.SHA256 {
		t.Errorf("index of %s, export %s", px.SHA256(), m.SHA256)
	}
}

// Storing an export stores its package index, by import, download and
// adoption; loading through it matches as the whole export does.
func TestOSVIndexStored(t *testing.T) {
	c := osvCache(t)
	currentIndex(t, c)
	sameAsWhole(t, c)

	_, sources := servedFeeds(t)
	downloader := newCache(t, &clock{start})
	if _, err := downloader.Update(context.Background(), nil, sources); err != nil {
		t.Fatal(err)
	}
	currentIndex(t, downloader)
	other := newCache(t, &clock{start})
	m, data := published(t, downloader, "osv:Debian")
	if _, err := other.Adopt(context.Background(), m, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	currentIndex(t, other)
}

// An index that is missing, damaged, cut short or made from another
// export is made again, and meanwhile never gives another answer.
func TestOSVIndexMadeAgain(t *testing.T) {
	c := osvCache(t)
	path := filepath.Join(c.Dir(), "osv-Debian.index")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// An index of another export of the same ecosystem.
	o := newCache(t, &clock{start})
	records := debianRecords()
	delete(records, "DLA-3942-1.json")
	if _, err := o.Import(context.Background(), writeFile(t, t.TempDir(), "all.zip", zipOf(t, records)), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	another, err := os.ReadFile(filepath.Join(o.Dir(), "osv-Debian.index"))
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 1
	for _, c2 := range []struct {
		name  string
		index []byte // nil: none
	}{
		{"missing", nil},
		{"empty", []byte{}},
		{"cut short", good[:len(good)-20]},
		{"a byte changed", flipped},
		{"another export's", another},
	} {
		t.Run(c2.name, func(t *testing.T) {
			os.Remove(path)
			if c2.index != nil {
				writeFile(t, c.Dir(), "osv-Debian.index", c2.index)
			}
			if _, _, err := c.OSVIndex("Debian"); handwash.ErrorCode(err) != handwash.EINVALID {
				t.Errorf("OSVIndex: %v", err)
			}
			sameAsWhole(t, c)
			if b, _ := os.ReadFile(path); !bytes.Equal(b, good) {
				t.Error("the index was not made again")
			}
		})
	}

	// Another process updating the feed holds its lock: the export is
	// read whole, and the index left for later.
	os.Remove(path)
	unlock, err := c.lock("osv:Debian")
	if err != nil {
		t.Fatal(err)
	}
	sameAsWhole(t, c)
	unlock()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("index made under another's lock: %v", err)
	}
	// A check of the source that finds the export unchanged makes it.
	m, _ := c.Meta("osv:Debian")
	c.keepIndex(m)
	currentIndex(t, c)
}

// An update that finds the export unchanged makes a missing index, as
// after an export stored by an older Handwash.
func TestOSVIndexAfterNotModified(t *testing.T) {
	_, sources := servedFeeds(t)
	c := newCache(t, &clock{start})
	if _, err := c.Update(context.Background(), nil, sources); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(c.Dir(), "osv-Debian.index"))
	results, err := c.Update(context.Background(), nil, sources)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if r.Changed {
			t.Errorf("%s changed", r.Name)
		}
	}
	currentIndex(t, c)
}

// When the index cannot be put in place, the import fails and the cache
// is as it was.
func TestOSVIndexFailureChangesNothing(t *testing.T) {
	c := osvCache(t)
	path := filepath.Join(c.Dir(), "osv-Debian.index")
	os.Remove(path)
	if err := os.Mkdir(path, 0o755); err != nil { // a rename cannot replace it
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(path, "x"), nil, 0o644)
	before := snapshotFiles(t, c.Dir())
	records := debianRecords()
	delete(records, "DLA-3942-1.json")
	if _, err := c.Import(context.Background(), writeFile(t, t.TempDir(), "all.zip", zipOf(t, records)), ImportOptions{}); err == nil {
		t.Fatal("imported without its index")
	}
	if diff := cmp.Diff(before, snapshotFiles(t, c.Dir())); diff != "" {
		t.Errorf("the cache changed: %s", diff)
	}
	// It still matches, reading the export whole.
	sameAsWhole(t, c)
}

// snapshotFiles is snapshot leaving out folders.
func snapshotFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			out[e.Name()+"/"] = ""
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}
