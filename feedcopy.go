package handwash

import (
	"context"
	"io"
	"time"
)

// FeedCopy is one security feed as a server process stored it in the
// database for the others: the feeds cache's metadata of the feed and the
// digest and size of its data.
type FeedCopy struct {
	Name string `json:"name"`
	// Meta is the feeds cache's metadata of the feed (its JSON), kept whole
	// so that every process's cache says where and when the data came from.
	Meta   []byte `json:"meta"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// CheckedAt is when the feed's source last confirmed the data current;
	// the newer copy of a feed wins.
	CheckedAt time.Time `json:"checked_at"`
}

// MaxFeedBytes is the largest feed data a FeedService keeps.
const MaxFeedBytes = 1 << 30

// FeedService shares downloaded feeds between server processes through
// their database, so that a feed is fetched from the internet once and not
// once per process.
type FeedService interface {
	// PutFeed stores a feed's metadata and, read from data, its data. When
	// the stored copy already has the same digest, only the metadata
	// changes and data is not read. Data that does not match c.Size and
	// c.SHA256 is EINVALID and changes nothing.
	PutFeed(ctx context.Context, c FeedCopy, data io.Reader) error
	// FeedCopies lists the stored feeds, without their data.
	FeedCopies(ctx context.Context) ([]FeedCopy, error)
	// CopyFeed writes the data of the named feed to w if its stored digest
	// is still sha256 (ENOTFOUND otherwise: another process replaced it).
	CopyFeed(ctx context.Context, name, sha256 string, w io.Writer) error
}
