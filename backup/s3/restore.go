package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/handwash/handwash/backup"
)

// restored is the outcome of the test restore.
type restored struct {
	rt          backup.RestoreTest
	md5Checked  int      // objects whose content was checked against their ETag
	corrupt     []string // objects whose content differs from what the bucket recorded
	notInSource int      // objects with no readable original in Source
	notes       []string // extra plain-English notes for Detail
}

// localError is a failure on this machine (temporary folder, disk), not in
// the bucket.
type localError struct{ err error }

func (e localError) Error() string { return e.err.Error() }
func (e localError) Unwrap() error { return e.err }

// restore downloads the sample into a new temporary folder, which it
// removes afterwards. Files there are named by number, never by key, and
// created through os.Root, so a key such as "../x" or "/etc/x" cannot
// write outside it.
func (c *client) restore(ctx context.Context, l *listing) (*restored, error) {
	r := &restored{}
	if len(l.sample) == 0 {
		return r, nil
	}
	dir, err := os.MkdirTemp(c.TempDir, "handwash-s3-")
	if err != nil {
		r.notes = append(r.notes, "Could not make a temporary folder to restore into: "+err.Error()+".")
		return r, nil
	}
	defer os.RemoveAll(dir)
	root, err := os.OpenRoot(dir)
	if err != nil {
		r.notes = append(r.notes, "Could not open the temporary folder: "+err.Error()+".")
		return r, nil
	}
	defer root.Close()
	src := c.openSource(r)
	if src != nil {
		defer src.Close()
	}
	start := time.Now()
	err = c.restoreAll(ctx, root, src, l.sample, r)
	r.rt.Seconds = time.Since(start).Seconds()
	return r, err
}

func (c *client) openSource(r *restored) *os.Root {
	if c.Source == "" {
		return nil
	}
	src, err := os.OpenRoot(c.Source)
	if err != nil {
		r.notes = append(r.notes, fmt.Sprintf("Could not open the original folder %s, so nothing was compared with it.", c.Source))
		return nil
	}
	return src
}

func (c *client) restoreAll(ctx context.Context, root, src *os.Root, sample []minio.ObjectInfo, r *restored) error {
	r.rt.Ran = true
	for i, obj := range sample {
		got, err := c.download(ctx, root, fmt.Sprintf("%06d", i), obj.Key)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		var le localError
		if errors.As(err, &le) {
			r.notes = append(r.notes, "The test restore stopped: this machine could not write the restored files ("+le.Error()+").")
			return nil
		}
		if err != nil {
			r.failed(obj.Key, err)
			continue
		}
		r.rt.Files++
		r.rt.Bytes += got.size
		r.checkStored(obj.Key, got)
		c.compareSource(src, obj, got, r)
	}
	return nil
}

// errReplaced says an object grew past MaxSampleBytes after it was listed.
var errReplaced = errors.New("replaced by a larger object since it was listed")

// failed accounts for an object that could not be downloaded. One deleted
// or replaced since the listing (a backup program tidying up as we check)
// is skipped, not counted as unreadable.
func (r *restored) failed(key string, err error) {
	if s3Code(err) == codeNoSuchKey || errors.Is(err, errReplaced) {
		r.notes = appendOnce(r.notes, "Some sampled objects were deleted or replaced while Handwash was checking, and were skipped.")
		return
	}
	r.rt.Unreadable = append(r.rt.Unreadable, key)
	r.notes = appendOnce(r.notes, "Some objects could not be downloaded ("+reason(err)+").")
}

// fetched is a downloaded object: its digests, size and what the bucket
// said about it when it was downloaded.
type fetched struct {
	sha256, md5 []byte
	size        int64
	info        minio.ObjectInfo
}

func (c *client) download(ctx context.Context, root *os.Root, name, key string) (*fetched, error) {
	o, err := c.mc.GetObject(ctx, c.Bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	defer o.Close()
	info, err := o.Stat()
	if err != nil {
		return nil, err
	}
	if info.Size > c.MaxSampleBytes {
		return nil, errReplaced
	}
	f, err := root.Create(name)
	if err != nil {
		return nil, localError{err}
	}
	h256, h5 := sha256.New(), md5.New()
	n, copyErr := io.Copy(io.MultiWriter(f, h256, h5), io.LimitReader(o, c.MaxSampleBytes+1))
	if err := f.Close(); err != nil && copyErr == nil {
		return nil, localError{err}
	}
	if copyErr != nil {
		return nil, copyErr
	}
	return &fetched{sha256: h256.Sum(nil), md5: h5.Sum(nil), size: n, info: info}, nil
}

// checkStored compares the content with what the bucket says: its size,
// and its MD5 where the ETag is one.
func (r *restored) checkStored(key string, got *fetched) {
	sizeOK := got.size == got.info.Size
	want, ok := etagMD5(got.info)
	if ok {
		r.md5Checked++
	}
	if !sizeOK || (ok && !bytes.Equal(want, got.md5)) {
		r.corrupt = append(r.corrupt, key)
		r.rt.Mismatched = append(r.rt.Mismatched, key)
	}
}

// etagMD5 returns the MD5 an object's ETag stands for. Only a single-part
// upload that is not encrypted with KMS or a customer key has one: the
// ETag of a multipart upload has a "-", and other services (B2's native
// uploads) use other digests, so anything but 32 hex digits is skipped.
func etagMD5(info minio.ObjectInfo) ([]byte, bool) {
	etag := strings.Trim(info.ETag, `"`)
	if len(etag) != 32 || strings.Contains(etag, "-") {
		return nil, false
	}
	sse := strings.ToLower(info.Headers.Get("X-Amz-Server-Side-Encryption"))
	if strings.HasPrefix(sse, "aws:kms") || info.Headers.Get("X-Amz-Server-Side-Encryption-Customer-Algorithm") != "" {
		return nil, false
	}
	sum, err := hex.DecodeString(etag)
	return sum, err == nil
}

// mtimeSlack is how far an original's modification time may be past the
// object's upload and still count as unchanged (as backup.MtimeSlack: FAT
// and some network shares keep times to 2 seconds).
const mtimeSlack = 2 * time.Second

// compareSource compares a restored object with its original in Source,
// when the original has the same size and was not modified after the
// object was uploaded. The original is opened through os.Root, and only
// for a local path, so a key with ".." or an absolute path cannot reach
// outside Source.
func (c *client) compareSource(src *os.Root, obj minio.ObjectInfo, got *fetched, r *restored) {
	if src == nil {
		return
	}
	rel := filepath.FromSlash(strings.TrimPrefix(obj.Key, c.prefix))
	fi, err := src.Stat(rel)
	if !filepath.IsLocal(rel) || errors.Is(err, fs.ErrNotExist) {
		r.notInSource++
		return
	}
	uploaded := obj.LastModified
	if got.info.LastModified.After(uploaded) {
		uploaded = got.info.LastModified
	}
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != got.size || fi.ModTime().After(uploaded.Add(mtimeSlack)) {
		r.rt.Changed++
		return
	}
	sum, err := hashFile(src, rel)
	if err != nil {
		r.rt.Changed++ // removed or unreadable between the look and the read
		return
	}
	r.rt.Compared++
	if bytes.Equal(sum, got.sha256) {
		r.rt.Matched++
		return
	}
	r.rt.Mismatched = appendOnce(r.rt.Mismatched, obj.Key)
}

func hashFile(root *os.Root, name string) ([]byte, error) {
	f, err := root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
