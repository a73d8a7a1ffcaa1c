package backup

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultSample is how many files a test restore takes when not told.
const DefaultSample = 20

// MtimeSlack is how far an original's modification time may be past the
// backup's and still count as unchanged: FAT and some network shares keep
// times to 2 seconds.
const MtimeSlack = 2 * time.Second

// hashBuffer is the buffer each file is hashed through, so hashing a file
// of any size takes the same memory.
const hashBuffer = 64 << 10

// Sampler chooses a uniform random sample of up to n items from a stream
// of unknown length (reservoir sampling, Vitter's algorithm R), holding
// only n items at a time: a repository listing of millions of files costs
// the memory of the sample.
type Sampler[T any] struct {
	n     int
	seen  int
	items []T
	rng   *mrand.Rand
}

// NewSampler returns a sampler of up to n items. A seed of 0 draws a
// random one from crypto/rand; any other seed gives the same sample for
// the same stream, for tests.
func NewSampler[T any](n int, seed uint64) *Sampler[T] {
	return &Sampler[T]{n: max(n, 0), rng: newRand(seed)}
}

func newRand(seed uint64) *mrand.Rand {
	var b [16]byte
	if seed == 0 {
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	} else {
		binary.LittleEndian.PutUint64(b[:], seed)
		binary.LittleEndian.PutUint64(b[8:], seed^0x9e3779b97f4a7c15)
	}
	return mrand.New(mrand.NewPCG(binary.LittleEndian.Uint64(b[:]), binary.LittleEndian.Uint64(b[8:])))
}

// Add offers one item.
func (s *Sampler[T]) Add(x T) {
	s.seen++
	if len(s.items) < s.n {
		s.items = append(s.items, x)
		return
	}
	if j := s.rng.IntN(s.seen); j < s.n {
		s.items[j] = x
	}
}

// Seen is how many items were offered.
func (s *Sampler[T]) Seen() int { return s.seen }

// Sample is the items chosen, in no particular order.
func (s *Sampler[T]) Sample() []T { return s.items }

// Choose returns a uniform random sample of up to n of items (see
// NewSampler for seed).
func Choose[T any](items []T, n int, seed uint64) []T {
	s := NewSampler[T](n, seed)
	for _, x := range items {
		s.Add(x)
	}
	return s.Sample()
}

// FileHash is a file's SHA-256 and size.
type FileHash struct {
	SHA256 string
	Size   int64
}

// buffers holds the hashing buffers, so hashing many files reuses a few.
var buffers = sync.Pool{New: func() any { b := make([]byte, hashBuffer); return &b }}

// HashReader hashes r with SHA-256 through a fixed buffer.
func HashReader(r io.Reader) (FileHash, error) {
	buf := buffers.Get().(*[]byte)
	defer buffers.Put(buf)
	h := sha256.New()
	n, err := io.CopyBuffer(h, onlyReader{r}, *buf)
	if err != nil {
		return FileHash{}, err
	}
	return FileHash{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// onlyReader hides a reader's WriterTo, so io.CopyBuffer uses the buffer.
type onlyReader struct{ io.Reader }

// HashIn hashes the regular file name inside root. The name must be a
// local, slash-separated path (see LocalPath); os.Root refuses a name, or a
// symbolic link on the way, that would lead outside root.
func HashIn(root *os.Root, name string) (FileHash, error) {
	p, err := LocalPath(name)
	if err != nil {
		return FileHash{}, err
	}
	f, err := root.Open(p)
	if err != nil {
		return FileHash{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return FileHash{}, err
	}
	if !st.Mode().IsRegular() {
		return FileHash{}, fmt.Errorf("%s is not a regular file", name)
	}
	return HashReader(f)
}

// ErrUnsafePath is returned for a path that is absolute or climbs out of
// its folder.
var ErrUnsafePath = errors.New("path is absolute or leads outside its folder")

// LocalPath turns a slash-separated path from a backup into this system's
// form, refusing one that is empty, absolute, has a volume name or climbs
// out with "..": a hostile backup must not make a restore write or read
// outside the folder it is given.
func LocalPath(name string) (string, error) {
	p := filepath.FromSlash(name)
	if !filepath.IsLocal(p) || strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("%q: %w", name, ErrUnsafePath)
	}
	return filepath.Clean(p), nil
}

// Restored is one file of a test restore.
type Restored struct {
	// Name is the file as the backup names it, for reports.
	Name string
	// Path is where it was restored: a slash-separated path inside the
	// restore folder.
	Path string
	// Original is the original file's slash-separated path inside the
	// source folder, or "" when it is not in the source folder.
	Original string
	// Alternatives are further places inside the source folder where the
	// original may be, for a backup that does not record which folder
	// its paths start from: when nothing is at Original, the first of
	// them that exists is the original. When none exists, the original is
	// gone (counted in Changed).
	Alternatives []string
	// Size is the size the backup recorded, or -1 when it recorded none.
	Size int64
	// ModTime is the modification time the backup recorded; zero when
	// it recorded none.
	ModTime time.Time
	// BackupTime is when the backup of this file was taken: the
	// snapshot's time, or the copy's own modification time.
	BackupTime time.Time
}

// Comparison is what comparing a test restore with the originals found.
type Comparison struct {
	// Files and Bytes count the files that were restored and read whole.
	Files int
	Bytes int64
	// Compared, Matched and Changed are as in RestoreTest; NotInSource
	// counts the files whose original is not in the source folder.
	Compared, Matched, Changed, NotInSource int
	// Mismatched and Unreadable name files as RestoreTest does.
	Mismatched, Unreadable []string
}

// Fill adds the comparison to a RestoreTest.
func (c Comparison) Fill(r *RestoreTest) {
	r.Files, r.Bytes = c.Files, c.Bytes
	r.Compared, r.Matched, r.Changed = c.Compared, c.Matched, c.Changed
	r.Mismatched, r.Unreadable = c.Mismatched, c.Unreadable
}

// Compare hashes each restored file inside restoreDir and, where source
// is given and the original has not changed since the backup (same size,
// modified no later than the backup and, when the backup recorded one,
// at the recorded time), compares it with the original by SHA-256. It
// reads every file through os.Root, so neither a restored path nor a link
// in the source leads outside its folder.
func Compare(ctx context.Context, restoreDir, source string, files []Restored) (Comparison, error) {
	var c Comparison
	dst, err := os.OpenRoot(restoreDir)
	if err != nil {
		return c, err
	}
	defer dst.Close()
	var src *os.Root
	if source != "" {
		if src, err = os.OpenRoot(source); err != nil {
			return c, err
		}
		defer src.Close()
	}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return c, err
		}
		c.add(f, dst, src)
	}
	return c, nil
}

// add restores the account of one file.
func (c *Comparison) add(f Restored, dst, src *os.Root) {
	got, err := HashIn(dst, f.Path)
	if err != nil {
		c.Unreadable = append(c.Unreadable, f.Name)
		return
	}
	c.Files++
	c.Bytes += got.Size
	if f.Size >= 0 && got.Size != f.Size {
		// Restored short or long: it differs from what was backed up,
		// whatever the original is now.
		c.Mismatched = append(c.Mismatched, f.Name)
		return
	}
	if src == nil {
		return
	}
	if f.Original == "" {
		c.NotInSource++
		return
	}
	f.Original = f.locate(src)
	if !unchanged(src, f, got.Size) {
		c.Changed++
		return
	}
	want, err := HashIn(src, f.Original)
	if err != nil {
		c.Changed++ // removed or unreadable between the look and the read
		return
	}
	c.Compared++
	if want == got {
		c.Matched++
	} else {
		c.Mismatched = append(c.Mismatched, f.Name)
	}
}

// locate returns where the original of f is inside src: Original or,
// when nothing is there, the first of Alternatives that exists.
func (f Restored) locate(src *os.Root) string {
	if len(f.Alternatives) == 0 || exists(src, f.Original) {
		return f.Original
	}
	for _, p := range f.Alternatives {
		if exists(src, p) {
			return p
		}
	}
	return f.Original
}

// exists reports whether anything is at the slash-separated path name
// inside root.
func exists(root *os.Root, name string) bool {
	p, err := LocalPath(name)
	if err != nil {
		return false
	}
	_, err = root.Lstat(p)
	return err == nil
}

// unchanged reports whether the original of f looks as it did when backed
// up: a regular file of the restored size, modified no later than the
// backup and, where the backup recorded a time, at that time.
func unchanged(src *os.Root, f Restored, size int64) bool {
	p, err := LocalPath(f.Original)
	if err != nil {
		return false
	}
	st, err := src.Lstat(p)
	if err != nil || !st.Mode().IsRegular() || st.Size() != size {
		return false
	}
	mt := st.ModTime()
	if !f.BackupTime.IsZero() && mt.After(f.BackupTime.Add(MtimeSlack)) {
		return false
	}
	if !f.ModTime.IsZero() {
		d := mt.Sub(f.ModTime)
		if d > MtimeSlack || d < -MtimeSlack {
			return false
		}
	}
	return true
}

// RemoveTemp removes a temporary restore folder, first making its folders
// writable: a restore keeps the backed-up permissions, and a read-only
// folder inside would stop os.RemoveAll.
func RemoveTemp(dir string) error {
	if dir == "" {
		return nil
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	return os.RemoveAll(dir)
}
