package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/handwash/handwash"
)

// feedCopy makes a FeedCopy whose digest and size describe data.
func feedCopy(name string, data []byte, meta string) handwash.FeedCopy {
	h := sha256.Sum256(data)
	return handwash.FeedCopy{Name: name, Meta: []byte(meta), SHA256: hex.EncodeToString(h[:]), Size: int64(len(data)), CheckedAt: t0}
}

func testFeedCopies(t *testing.T, s handwash.Store) {
	ctx := context.Background()
	if got, err := s.FeedCopies(ctx); err != nil || len(got) != 0 {
		t.Fatalf("FeedCopies on an empty store = %v, %v; want none", got, err)
	}
	// More than one chunk, so that the order of the rows matters.
	big := bytes.Repeat([]byte("0123456789abcdef"), 200_000) // 3.2 MB
	big[len(big)-1] = 'X'
	osv := feedCopy("osv:Debian", big, `{"name":"osv:Debian"}`)
	if err := s.PutFeed(ctx, osv, bytes.NewReader(big)); err != nil {
		t.Fatalf("PutFeed: %v", err)
	}
	var got bytes.Buffer
	if err := s.CopyFeed(ctx, "osv:Debian", osv.SHA256, &got); err != nil {
		t.Fatalf("CopyFeed: %v", err)
	}
	if !bytes.Equal(got.Bytes(), big) {
		t.Fatalf("CopyFeed gave %d bytes that differ from the %d stored", got.Len(), len(big))
	}

	// Same data, newer check: only the metadata changes and the data is
	// not read.
	newer := osv
	newer.Meta, newer.CheckedAt = []byte(`{"name":"osv:Debian","checked":2}`), t0.Add(24*3600e9)
	if err := s.PutFeed(ctx, newer, failingReader{t}); err != nil {
		t.Fatalf("PutFeed with unchanged data: %v", err)
	}
	list, err := s.FeedCopies(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("FeedCopies = %v, %v; want one", list, err)
	}
	if string(list[0].Meta) != string(newer.Meta) || !list[0].CheckedAt.Equal(newer.CheckedAt) || list[0].Size != int64(len(big)) {
		t.Errorf("FeedCopies[0] = %+v; want the newer metadata", list[0])
	}

	// Data that does not match its digest changes nothing.
	kev := []byte(`{"catalogVersion":"2026.11.29"}`)
	bad := feedCopy("kev", kev, `{"name":"kev"}`)
	err = s.PutFeed(ctx, bad, bytes.NewReader([]byte(`{"catalogVersion":"forged"}`)))
	wantCode(t, "PutFeed with data that does not match its digest", err, handwash.EINVALID)
	wrongSize := feedCopy("osv:Debian", kev, `{}`)
	wrongSize.Size = 3
	err = s.PutFeed(ctx, wrongSize, bytes.NewReader(kev))
	wantCode(t, "PutFeed with data longer than its size", err, handwash.EINVALID)
	got.Reset()
	if err := s.CopyFeed(ctx, "osv:Debian", osv.SHA256, &got); err != nil || !bytes.Equal(got.Bytes(), big) {
		t.Errorf("after a refused PutFeed the stored feed changed (err %v)", err)
	}
	for _, c := range []handwash.FeedCopy{{Name: "", SHA256: osv.SHA256, Meta: []byte("{}")}, {Name: "kev", SHA256: "XYZ", Meta: []byte("{}")}, {Name: "kev", SHA256: osv.SHA256}} {
		wantCode(t, "PutFeed with "+c.Name+"/"+c.SHA256, s.PutFeed(ctx, c, bytes.NewReader(nil)), handwash.EINVALID)
	}
	if list, _ := s.FeedCopies(ctx); len(list) != 1 {
		t.Errorf("refused PutFeeds left %d feeds; want 1", len(list))
	}

	// Replaced data: the old digest is gone.
	if err := s.PutFeed(ctx, feedCopy("osv:Debian", kev, `{}`), bytes.NewReader(kev)); err != nil {
		t.Fatalf("PutFeed replacing the data: %v", err)
	}
	err = s.CopyFeed(ctx, "osv:Debian", osv.SHA256, &got)
	wantCode(t, "CopyFeed of a replaced digest", err, handwash.ENOTFOUND)
	err = s.CopyFeed(ctx, "osv:Ubuntu", osv.SHA256, &got)
	wantCode(t, "CopyFeed of a feed never stored", err, handwash.ENOTFOUND)
	got.Reset()
	if err := s.CopyFeed(ctx, "osv:Debian", feedCopy("", kev, "").SHA256, &got); err != nil || got.String() != string(kev) {
		t.Errorf("CopyFeed after the replacement = %q, %v; want %q", got.String(), err, kev)
	}
}

// failingReader fails the test when anything reads it.
type failingReader struct{ t *testing.T }

func (r failingReader) Read([]byte) (int, error) {
	r.t.Error("PutFeed read the data although the stored copy had the same digest")
	return 0, nil
}
