package feeds

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/handwash/handwash"
)

// Sharing feeds between server processes: one process downloads a feed
// and stores it in the database (handwash.FeedService); the others adopt
// the stored copy into their own cache with Adopt, so each feed is fetched
// from the internet once however many processes there are.

// OpenData opens a stored feed's data file for reading, with its
// metadata; the caller closes it. On Unix an update may replace the file
// while it is open; the open one stays whole.
func (c *Cache) OpenData(name string) (io.ReadCloser, Meta, error) {
	for attempt := 0; ; attempt++ {
		m, err := c.readMeta(name)
		if err != nil {
			return nil, Meta{}, err
		}
		f, err := os.Open(c.path(m.File))
		if err == nil {
			if st, serr := f.Stat(); serr == nil && st.Size() == m.Size {
				return f, m, nil
			}
			f.Close()
		}
		// An update replaced the file between the two reads: read the
		// metadata again.
		if attempt == 2 {
			return nil, Meta{}, handwash.Errorf(handwash.EINVALID, "%s: its file %s is missing or damaged: run 'handwash feeds update%s'", Title(name), m.File, onlyFlag(name))
		}
	}
}

// Adopt stores a feed that another process downloaded, as that process's
// cache described it in m, reading its data from data. The data must match
// m's size and SHA-256 and is validated in full, as a download is; the
// metadata is kept (source, times, validators), so reports name where the
// data really came from. When the cache already holds data with m's digest
// only the metadata is replaced and data is not read. On any error the
// cache is as it was.
func (c *Cache) Adopt(ctx context.Context, m Meta, data io.Reader) (Result, error) {
	name, err := ParseName(m.Name)
	if err != nil || name != m.Name || Kind(m.Kind) != kindOf(name) || m.File != dataFile(name) {
		return Result{}, handwash.Errorf(handwash.EINVALID, "feed copy %q: its metadata does not describe a feed this cache keeps", m.Name)
	}
	if m.Size < 0 || m.Size > maxBytes(m.Kind) {
		return Result{}, handwash.Errorf(handwash.ETOOLARGE, "%s: %s bytes is over the limit for this kind of feed", Title(name), thousands(m.Size))
	}
	if err := c.mkdir(); err != nil {
		return Result{}, err
	}
	unlock, err := c.lock(name)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	res := Result{Name: name}
	if prev, err := c.readMeta(name); err == nil {
		res.Previous = &prev
		if prev.SHA256 == m.SHA256 && prev.Size == m.Size && c.verify(prev) == nil {
			if err := c.writeMeta(m); err != nil {
				return Result{}, fmt.Errorf("%s: writing its metadata: %w", Title(name), err)
			}
			c.keepIndex(m)
			res.Meta = m
			return res, nil
		}
	}

	t, err := os.CreateTemp(c.dir, "."+fileBase(name)+".adopt-*")
	if err != nil {
		return Result{}, handwash.Errorf(handwash.EINVALID, "cannot write in the feeds cache %s: %v", c.dir, err)
	}
	tmp := t.Name()
	defer os.Remove(tmp) // gone after the rename; removed on failure
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(t, h), io.LimitReader(data, m.Size+1))
	if err == nil {
		err = finish(t)
	} else {
		t.Close()
	}
	if err != nil {
		return Result{}, fmt.Errorf("%s: copying it into the cache: %w", Title(name), err)
	}
	if n != m.Size || hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
		return Result{}, handwash.Errorf(handwash.EINVALID, "%s: the copy does not match its size and SHA-256; the cache is as it was", Title(name))
	}
	var inf info
	if m.Kind == KindOSV {
		inf, err = validateOSVZip(ctx, tmp, m.Ecosystem, m.SHA256, nil)
	} else {
		inf, err = validateJSON(m.Kind, tmp)
	}
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		return Result{}, &handwash.Error{Code: codeOr(err, handwash.EINVALID), Err: err,
			Message: fmt.Sprintf("%s: the copy is not a valid feed (%s); the cache is as it was", Title(name), handwash.ErrorMessage(err))}
	}
	m.Version, m.Count = inf.Version, inf.Count
	if err := c.commit(tmp, m, inf.index); err != nil {
		return Result{}, fmt.Errorf("putting %s in place: %w", name, err)
	}
	res.Changed, res.Meta = true, m
	return res, nil
}

// MarshalMeta is m as the cache writes it, for a FeedCopy.
func MarshalMeta(m Meta) ([]byte, error) { return json.Marshal(m) }

// UnmarshalMeta reads a FeedCopy's metadata.
func UnmarshalMeta(b []byte) (Meta, error) {
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return Meta{}, handwash.Errorf(handwash.EINVALID, "feed copy metadata: %v", err)
	}
	return m, nil
}

// kindOf is the kind a feed name says.
func kindOf(name string) Kind { k, _ := splitName(name); return k }
