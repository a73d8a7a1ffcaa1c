package feeds

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

// published is what one process's cache would put in the database for a
// feed: its metadata and data.
func published(t *testing.T, c *Cache, name string) (Meta, []byte) {
	t.Helper()
	r, m, err := c.OpenData(name)
	if err != nil {
		t.Fatalf("OpenData(%s): %v", name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	// Through the database the metadata travels as JSON.
	raw, err := MarshalMeta(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := UnmarshalMeta(raw)
	if err != nil {
		t.Fatal(err)
	}
	return back, b
}

func TestAdoptCopiesAnotherCachesFeeds(t *testing.T) {
	_, sources := servedFeeds(t)
	clk := &clock{start}
	downloader := newCache(t, clk)
	if _, err := downloader.Update(context.Background(), nil, sources); err != nil {
		t.Fatal(err)
	}
	other := newCache(t, clk)
	for _, name := range []string{"kev", "eol", "osv:Debian"} {
		m, data := published(t, downloader, name)
		res, err := other.Adopt(context.Background(), m, bytes.NewReader(data))
		if err != nil {
			t.Fatalf("Adopt(%s): %v", name, err)
		}
		if !res.Changed || res.Previous != nil {
			t.Errorf("Adopt(%s) = %+v; want new data and nothing before", name, res)
		}
		got, err := other.Meta(name)
		if err != nil {
			t.Fatal(err)
		}
		if got != m {
			t.Errorf("adopted metadata of %s = %+v; want the downloader's %+v", name, got, m)
		}
		if err := other.Verify(name); err != nil {
			t.Errorf("Verify(%s) after Adopt: %v", name, err)
		}
	}
	k, _, err := other.LoadKEV()
	if err != nil || k.Len() != 1404 {
		t.Fatalf("the adopted KEV catalogue does not load: %v", err)
	}

	// A newer check of the same data changes only the metadata and does
	// not read the data.
	m, _ := published(t, downloader, "kev")
	m.CheckedAt = m.CheckedAt.Add(48 * 3600e9)
	res, err := other.Adopt(context.Background(), m, strings.NewReader("not read"))
	if err != nil || res.Changed {
		t.Fatalf("Adopt of a newer check = %+v, %v; want the metadata alone replaced", res, err)
	}
	if got, _ := other.Meta("kev"); !got.CheckedAt.Equal(m.CheckedAt) {
		t.Errorf("CheckedAt = %v; want %v", got.CheckedAt, m.CheckedAt)
	}
}

func TestAdoptRefusesBadCopies(t *testing.T) {
	_, sources := servedFeeds(t)
	clk := &clock{start}
	downloader := newCache(t, clk)
	if _, err := downloader.Update(context.Background(), nil, sources); err != nil {
		t.Fatal(err)
	}
	kevMeta, kevData := published(t, downloader, "kev")
	osvMeta, osvData := published(t, downloader, "osv:Debian")

	// The cache holds OSV data but no catalogue, so every KEV copy below is
	// read and checked in full.
	other := newCache(t, clk)
	if _, err := other.Adopt(context.Background(), osvMeta, bytes.NewReader(osvData)); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, other.Dir())

	truncated := kevData[:len(kevData)/2]
	renamed := kevMeta
	renamed.Name = "osv:Debian"
	wrongFile := kevMeta
	wrongFile.File = "../../etc/passwd"
	notAFeed := kevMeta
	notAFeed.Name, notAFeed.Kind, notAFeed.File = "kevin", "kevin", "kevin.json"
	// A copy that matches its digest but is not a KEV catalogue (the
	// database's copy is trusted no more than a download).
	garbage := []byte(`{"hello":"world"}`)
	forged := kevMeta
	forged.Size, forged.SHA256 = int64(len(garbage)), sha(garbage)
	// An OSV zip of another ecosystem under Debian's name.
	eco := osvMeta
	eco.Ecosystem = "Ubuntu"
	eco.Name, eco.File = "osv:Ubuntu", dataFile("osv:Ubuntu")

	for _, tc := range []struct {
		name string
		m    Meta
		data []byte
		want string
	}{
		{"truncated", kevMeta, truncated, "does not match its size and SHA-256"},
		{"longer", kevMeta, append(append([]byte{}, kevData...), ' '), "does not match its size and SHA-256"},
		{"renamed", renamed, kevData, "does not describe a feed"},
		{"path in file", wrongFile, kevData, "does not describe a feed"},
		{"unknown feed", notAFeed, kevData, "does not describe a feed"},
		{"not a catalogue", forged, garbage, "not a valid feed"},
		{"wrong ecosystem", eco, osvData, "not a valid feed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := other.Adopt(context.Background(), tc.m, bytes.NewReader(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Adopt = %v; want an error saying %q", err, tc.want)
			}
			if code := handwash.ErrorCode(err); code != handwash.EINVALID && code != handwash.ETOOLARGE {
				t.Errorf("code %s; want %s", code, handwash.EINVALID)
			}
			sameFiles(t, before, snapshot(t, other.Dir()))
		})
	}
}
