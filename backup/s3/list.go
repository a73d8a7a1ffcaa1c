package s3

import (
	"context"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/handwash/handwash/backup"
)

// probeName starts the name of the exposure probe's object; listing skips
// such objects, which may be left behind under object lock.
const probeName = ".handwash-probe-"

// listing is what listing the objects under the prefix found.
type listing struct {
	objects   int       // objects counted (current versions only)
	newest    time.Time // latest LastModified
	tooLarge  int       // objects left out of the sample for their size
	truncated bool      // listing stopped at maxListed
	sample    []minio.ObjectInfo
	seen      int // objects eligible for the sample
}

// list lists the current objects under the prefix, up to maxListed, and
// picks a uniformly random sample of those no larger than MaxSampleBytes
// (reservoir sampling, so memory stays small).
func (c *client) list(ctx context.Context) (*listing, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops minio's listing goroutine when we stop early
	l := &listing{}
	opts := minio.ListObjectsOptions{Prefix: c.prefix, Recursive: true}
	for obj := range c.mc.ListObjects(ctx, c.Bucket, opts) {
		if obj.Err != nil {
			return nil, c.fatal(ctx, obj.Err)
		}
		if l.objects >= maxListed {
			l.truncated = true
			break
		}
		l.add(obj, c.Sample, c.MaxSampleBytes)
	}
	return l, nil
}

func (l *listing) add(obj minio.ObjectInfo, sample int, maxBytes int64) {
	if isProbe(obj.Key) || strings.HasSuffix(obj.Key, "/") {
		return // our own probe, or an empty "folder" marker
	}
	l.objects++
	if obj.LastModified.After(l.newest) {
		l.newest = obj.LastModified
	}
	if obj.Size > maxBytes {
		l.tooLarge++
		return
	}
	l.seen++
	if len(l.sample) < sample {
		l.sample = append(l.sample, obj)
	} else if i := rand.IntN(l.seen); i < sample {
		l.sample[i] = obj
	}
}

func isProbe(key string) bool {
	base := key[strings.LastIndex(key, "/")+1:]
	return strings.HasPrefix(base, probeName)
}

// fill sets the newest backup and the count: Backups counts the current
// objects under the prefix, not their older versions.
func (l *listing) fill(v *backup.Verification) {
	v.Backups = l.objects
	if !l.newest.IsZero() {
		t := l.newest
		v.Newest = &t
	}
}
