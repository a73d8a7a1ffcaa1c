package sqlstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"

	"github.com/handwash/handwash"
)

// feedChunk is the size of the rows a feed's data is kept in: small enough
// that no driver holds a whole OSV export in one value, large enough that
// a 100 MB feed is a hundred rows.
const feedChunk = 1 << 20

var feedDigest = regexp.MustCompile(`^[0-9a-f]{64}$`)

// PutFeed stores a feed's metadata and data in one transaction.
func (s *Store) PutFeed(ctx context.Context, c handwash.FeedCopy, data io.Reader) error {
	switch {
	case c.Name == "" || len(c.Name) > 200:
		return invalid("feed name must be 1 to 200 characters")
	case !feedDigest.MatchString(c.SHA256):
		return invalid("feed %s: sha256 must be 64 lower-case hex digits", c.Name)
	case c.Size < 0 || c.Size > handwash.MaxFeedBytes:
		return invalid("feed %s: size %d is out of range", c.Name, c.Size)
	case len(c.Meta) == 0 || len(c.Meta) > 64<<10:
		return invalid("feed %s: metadata must be 1 byte to 64 KB", c.Name)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var stored string
		err := tx.QueryRowContext(ctx, `SELECT sha256 FROM feed_copies WHERE name = $1`+s.d.LockRows, c.Name).Scan(&stored)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return s.dbErr("read feed copy", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO feed_copies (name, meta, sha256, size, checked_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (name) DO UPDATE SET meta = excluded.meta, sha256 = excluded.sha256, size = excluded.size, checked_at = excluded.checked_at`,
			c.Name, string(c.Meta), c.SHA256, c.Size, micros(c.CheckedAt)); err != nil {
			return s.dbErr("store feed copy", err)
		}
		if stored == c.SHA256 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM feed_chunks WHERE name = $1`, c.Name); err != nil {
			return s.dbErr("replace feed data", err)
		}
		h := sha256.New()
		buf := make([]byte, feedChunk)
		var n int64
		for seq := 0; ; seq++ {
			k, err := io.ReadFull(data, buf)
			if k > 0 {
				n += int64(k)
				if n > c.Size {
					return invalid("feed %s: the data is longer than its size, %d bytes", c.Name, c.Size)
				}
				h.Write(buf[:k])
				if _, err := tx.ExecContext(ctx, `INSERT INTO feed_chunks (name, seq, data) VALUES ($1, $2, $3)`, c.Name, seq, buf[:k]); err != nil {
					return s.dbErr("store feed data", err)
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("reading feed %s: %w", c.Name, err)
			}
		}
		if n != c.Size || hex.EncodeToString(h.Sum(nil)) != c.SHA256 {
			return invalid("feed %s: the data does not match its size and SHA-256; nothing was stored", c.Name)
		}
		return nil
	})
}

// FeedCopies lists the stored feeds by name.
func (s *Store) FeedCopies(ctx context.Context) ([]handwash.FeedCopy, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name, meta, sha256, size, checked_at FROM feed_copies ORDER BY name`)
	if err != nil {
		return nil, s.dbErr("list feed copies", err)
	}
	defer rows.Close()
	var out []handwash.FeedCopy
	for rows.Next() {
		var c handwash.FeedCopy
		var meta string
		var checked int64
		if err := rows.Scan(&c.Name, &meta, &c.SHA256, &c.Size, &checked); err != nil {
			return nil, s.dbErr("list feed copies", err)
		}
		c.Meta, c.CheckedAt = []byte(meta), fromMicros(checked)
		out = append(out, c)
	}
	return out, s.dbErr("list feed copies", rows.Err())
}

// CopyFeed writes a stored feed's data to w. The rows are read in one
// query; the digest is checked as they stream, because another process may
// replace the feed between the query of its digest and the end of the
// read, and a copy that changed midway must not pass for the one asked for.
func (s *Store) CopyFeed(ctx context.Context, name, digest string, w io.Writer) error {
	var stored string
	err := s.read.QueryRowContext(ctx, `SELECT sha256 FROM feed_copies WHERE name = $1`, name).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && stored != digest) {
		return notFound("feed copy", name+"@"+digest)
	}
	if err != nil {
		return s.dbErr("read feed copy", err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT data FROM feed_chunks WHERE name = $1 ORDER BY seq`, name)
	if err != nil {
		return s.dbErr("read feed data", err)
	}
	defer rows.Close()
	h := sha256.New()
	out := io.MultiWriter(h, w)
	var data []byte
	for rows.Next() {
		if err := rows.Scan(&data); err != nil {
			return s.dbErr("read feed data", err)
		}
		if _, err := io.Copy(out, bytes.NewReader(data)); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return s.dbErr("read feed data", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != digest {
		return notFound("feed copy", name+"@"+digest)
	}
	return nil
}
