package feeds

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vuln"
)

// CodeUnavailable marks errors where a source could not be reached or did
// not answer as it should: trying again later may help. (The agent uses the
// same code for an unreachable server.)
const CodeUnavailable = "unavailable"

// LockStale is how long a lock file may go untouched before another
// process takes it over: its holder touches it every minute while it
// works, so an untouched lock was left by a process that died.
const LockStale = 10 * time.Minute

// Cache is a folder of validated feed files and their metadata.
type Cache struct {
	dir string
	// Now is the clock ages are measured by; nil means time.Now.
	Now func() time.Time
	// UserAgent is sent with every request; "handwash" if empty. The
	// command line sets "handwash/<version>".
	UserAgent string
	// Progress, if set, hears how long work is going (at most about once
	// a second per feed and stage).
	Progress func(Progress)
}

// Progress is a report on long work.
type Progress struct {
	Name string // the feed
	// Stage is "checking", "downloading" or "validating".
	Stage string
	// Done and Total count bytes (downloading) or records (validating);
	// Total is 0 when not known.
	Done, Total int64
}

// New returns the cache in dir. The folder is made when something is
// first stored.
func New(dir string) *Cache { return &Cache{dir: dir} }

// Dir is the cache's folder.
func (c *Cache) Dir() string { return c.dir }

// DefaultDir is the cache `handwash check` and `handwash feeds` use on this
// computer: handwash/feeds in the user's cache folder (~/.cache on Linux,
// ~/Library/Caches on macOS, %LocalAppData% on Windows).
func DefaultDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", handwash.Errorf(handwash.EINVALID, "this computer has no cache folder for Handwash's feeds (%v): give one with --cache", err)
	}
	return filepath.Join(d, "handwash", "feeds"), nil
}

// ServerDir is the server's cache inside its data folder.
func ServerDir(dataDir string) string { return filepath.Join(dataDir, "feeds") }

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC()
	}
	return time.Now().UTC()
}

// Meta is what the cache knows about one stored feed; it is the feed's
// <name>.meta.json.
type Meta struct {
	Name      string `json:"name"`
	Kind      Kind   `json:"kind"`
	Ecosystem string `json:"ecosystem,omitempty"`
	// Source is the URL it was downloaded from, or the absolute path it was
	// imported from.
	Source   string `json:"source"`
	Imported bool   `json:"imported,omitempty"`
	// File is the data file's name in the cache folder.
	File string `json:"file"`
	// FetchedAt is when this data was downloaded or imported.
	FetchedAt time.Time `json:"fetched_at"`
	// CheckedAt is when the source last confirmed it was current: the
	// download, or a later "304 Not Modified". Ages count from it.
	CheckedAt time.Time `json:"checked_at"`
	// ETag and LastModified are the server's validators, sent back on the
	// next update.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// Version is the data's own: KEV catalogVersion, EOL generated_at, OSV
	// the newest "modified" among its records (both RFC 3339).
	Version string `json:"version"`
	// Count is the number of KEV entries, EOL products or OSV records.
	Count  int    `json:"count"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// DataSource describes the feed for reports' "reference data": what it
// is, its version, where it came from, and the day it was last known
// current.
func (m Meta) DataSource() handwash.DataSource {
	var name string
	switch m.Kind {
	case KindKEV:
		name = fmt.Sprintf("%s %s (%s entries)", Description(m.Name), m.Version, Thousands(m.Count))
	case KindEOL:
		name = fmt.Sprintf("%s (generated %s, %s products)", Description(m.Name), shortTime(m.Version), Thousands(m.Count))
	default:
		name = fmt.Sprintf("%s (%s records, newest changed %s)", Description(m.Name), Thousands(m.Count), shortTime(m.Version))
	}
	return handwash.DataSource{Name: name, Source: m.Source, AsOf: m.CheckedAt.UTC().Format(time.DateOnly)}
}

// fileBase is a feed's file name without extension: kev, eol,
// osv-Debian, osv-Red_Hat.
func fileBase(name string) string {
	k, eco := splitName(name)
	if k == KindOSV {
		return "osv-" + strings.ReplaceAll(eco, " ", "_")
	}
	return string(k)
}

func dataFile(name string) string {
	if k, _ := splitName(name); k == KindOSV {
		return fileBase(name) + ".zip"
	}
	return fileBase(name) + ".json"
}

func (c *Cache) path(file string) string { return filepath.Join(c.dir, file) }
func metaFile(name string) string        { return fileBase(name) + ".meta.json" }

// maxMetaBytes bounds a metadata file.
const maxMetaBytes = 64 << 10

// Meta reads a feed's metadata (kev, eol, osv:<Ecosystem>): ENOTFOUND when
// the feed is not in the cache.
func (c *Cache) Meta(name string) (Meta, error) {
	n, err := ParseName(name)
	if err != nil {
		return Meta{}, err
	}
	return c.readMeta(n)
}

// readMeta reads a feed's metadata: ENOTFOUND when the feed is not stored,
// EINVALID when the file is damaged.
func (c *Cache) readMeta(name string) (Meta, error) {
	b, err := readAtMost(c.path(metaFile(name)), maxMetaBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return Meta{}, handwash.Errorf(handwash.ENOTFOUND, "%s is not in the cache %s: run 'handwash feeds update%s' (or, without internet access, 'handwash feeds import FILE')", Title(name), c.dir, onlyFlag(name))
	}
	if err != nil {
		return Meta{}, handwash.Errorf(handwash.EINVALID, "%s: the cache's record of it cannot be read (%v): run 'handwash feeds update%s'", Title(name), err, onlyFlag(name))
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil || m.Name != name || m.File != dataFile(name) || len(m.SHA256) != 64 {
		return Meta{}, handwash.Errorf(handwash.EINVALID, "%s: the cache's record of it (%s) is damaged: run 'handwash feeds update%s'", Title(name), metaFile(name), onlyFlag(name))
	}
	return m, nil
}

// onlyFlag is the --only flag that updates just this feed.
func onlyFlag(name string) string {
	if strings.ContainsRune(name, ' ') {
		return ` --only "` + name + `"`
	}
	return " --only " + name
}

func readAtMost(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("over %d bytes", max)
	}
	return b, nil
}

// FeedStatus is how one feed stands in the cache.
type FeedStatus struct {
	Name      string    `json:"name"`
	Title     string    `json:"title"`
	Source    string    `json:"source,omitempty"`
	Imported  bool      `json:"imported,omitempty"`
	Version   string    `json:"version,omitempty"`
	Count     int       `json:"count,omitempty"`
	FetchedAt time.Time `json:"fetched_at,omitzero"`
	CheckedAt time.Time `json:"checked_at,omitzero"`
	// Age is how long since the source last confirmed the data.
	Age        time.Duration `json:"-"`
	AgeSeconds int64         `json:"age_seconds"`
	// Stale is true when the data is older than StaleAfter.
	Stale bool `json:"stale"`
	// Missing is true when the feed is not in the cache, or its file is
	// gone or damaged (Problem says which).
	Missing bool   `json:"missing"`
	Problem string `json:"problem,omitempty"`
}

// Status says how the named feeds stand; with no names, kev, eol and every
// feed in the cache. A feed not in the cache is Missing.
func (c *Cache) Status(names ...string) []FeedStatus {
	if len(names) == 0 {
		names = c.present()
	}
	now := c.now()
	out := make([]FeedStatus, 0, len(names))
	for _, name := range names {
		s := FeedStatus{Name: name, Title: Title(name)}
		m, err := c.readMeta(name)
		if err != nil {
			s.Missing = true
			if handwash.ErrorCode(err) != handwash.ENOTFOUND {
				s.Problem = handwash.ErrorMessage(err)
			}
			out = append(out, s)
			continue
		}
		s.Source, s.Imported, s.Version, s.Count = m.Source, m.Imported, m.Version, m.Count
		s.FetchedAt, s.CheckedAt = m.FetchedAt, m.CheckedAt
		s.Age = max(now.Sub(m.CheckedAt), 0)
		s.AgeSeconds = int64(s.Age / time.Second)
		s.Stale = s.Age > StaleAfter
		if st, err := os.Stat(c.path(m.File)); err != nil || st.Size() != m.Size {
			s.Missing = true
			s.Problem = fmt.Sprintf("%s: its file %s is missing or damaged: run 'handwash feeds update%s'", Title(name), m.File, onlyFlag(name))
		}
		out = append(out, s)
	}
	return out
}

// present is kev, eol and every other feed with metadata in the cache, in
// that order (OSV ecosystems by name).
func (c *Cache) present() []string {
	names := []string{string(KindKEV), string(KindEOL)}
	entries, _ := os.ReadDir(c.dir)
	var osv []string
	for _, e := range entries {
		base, ok := strings.CutSuffix(e.Name(), ".meta.json")
		if !ok || !strings.HasPrefix(base, "osv-") {
			continue
		}
		b, err := readAtMost(c.path(e.Name()), maxMetaBytes)
		if err != nil {
			continue
		}
		var m Meta
		if json.Unmarshal(b, &m) == nil && m.Kind == KindOSV && fileBase(m.Name) == base {
			osv = append(osv, m.Name)
		}
	}
	sort.Strings(osv)
	return append(names, osv...)
}

// LoadKEV reads the cached KEV catalogue, every field of every entry.
func (c *Cache) LoadKEV() (*vuln.KEV, Meta, error) {
	var k *vuln.KEV
	m, err := c.decodeVerified(string(KindKEV), func(r io.Reader) (err error) {
		k, err = vuln.ParseKEV(r)
		return err
	})
	if err != nil {
		return nil, Meta{}, err
	}
	return k, m, nil
}

// LoadKEVIDs reads only the CVE IDs of the cached KEV catalogue, which is
// all that matching packages needs: read as a stream, they take a small
// fraction of the memory of LoadKEV's whole catalogue.
func (c *Cache) LoadKEVIDs() (*vuln.KEVIDs, Meta, error) {
	var k *vuln.KEVIDs
	m, err := c.decodeVerified(string(KindKEV), func(r io.Reader) (err error) {
		k, err = vuln.DecodeKEVIDs(r)
		return err
	})
	if err != nil {
		return nil, Meta{}, err
	}
	return k, m, nil
}

// LoadEOL reads the cached end-of-life data as a stream (vuln.DecodeEOLAPI):
// every product, or with products named, only the products known by one of
// those names (their own or an alias), so that memory holds only what the
// caller looks up.
func (c *Cache) LoadEOL(products ...string) (*vuln.EOL, Meta, error) {
	var keep func(string) bool
	if len(products) > 0 {
		want := make(map[string]bool, len(products))
		for _, p := range products {
			want[p] = true
		}
		keep = func(name string) bool { return want[name] }
	}
	var e *vuln.EOL
	m, err := c.decodeVerified(string(KindEOL), func(r io.Reader) (err error) {
		e, err = vuln.DecodeEOLAPI(r, keep)
		return err
	})
	if err != nil {
		return nil, Meta{}, err
	}
	return e, m, nil
}

func damaged(m Meta, err error) error {
	return &handwash.Error{Code: handwash.EINVALID, Err: err,
		Message: fmt.Sprintf("%s in the cache is damaged (%s): run 'handwash feeds update%s'", Title(m.Name), handwash.ErrorMessage(err), onlyFlag(m.Name))}
}

// decodeVerified decodes a JSON feed's file while reading it, hashing the
// bytes on the way, and checks them against the feed's metadata: the file
// is never held in memory whole. An update may replace both the file and
// the metadata between the two reads; then both are read again. A file
// that matches its metadata but does not decode is damaged.
func (c *Cache) decodeVerified(name string, decode func(io.Reader) error) (Meta, error) {
	for attempt := 0; ; attempt++ {
		m, err := c.readMeta(name)
		if err != nil {
			return Meta{}, err
		}
		decodeErr, err := decodeFile(c.path(m.File), m, decode)
		if err == nil {
			if decodeErr != nil {
				return Meta{}, damaged(m, decodeErr)
			}
			return m, nil
		}
		if attempt == 2 {
			return Meta{}, handwash.Errorf(handwash.EINVALID, "%s in the cache is missing or damaged (%v): run 'handwash feeds update%s'", Title(name), err, onlyFlag(name))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// decodeFile gives a feed's file to decode and reads what decode left, so
// as to hash all of it: err when the file cannot be read or is not the one
// m describes, else decode's error.
func decodeFile(path string, m Meta, decode func(io.Reader) error) (decodeErr, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	max := maxBytes(m.Kind)
	h := &hashCount{Hash: sha256.New()}
	r := io.TeeReader(io.LimitReader(f, max+1), h)
	decodeErr = decode(r)
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	switch {
	case h.n > max:
		return nil, fmt.Errorf("over %d bytes", max)
	case h.n != m.Size || hex.EncodeToString(h.Sum(nil)) != m.SHA256:
		return nil, errors.New("its SHA-256 does not match the cache's record")
	}
	return decodeErr, nil
}

// hashCount is a hash that counts the bytes written to it.
type hashCount struct {
	hash.Hash
	n int64
}

func (h *hashCount) Write(p []byte) (int, error) {
	h.n += int64(len(p))
	return h.Hash.Write(p)
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// OSVPath is the cached zip of an ecosystem's OSV records (validated when
// stored; vuln.LoadZip reads it) and its metadata.
func (c *Cache) OSVPath(ecosystem string) (string, Meta, error) {
	eco, err := CanonicalEcosystem(ecosystem)
	if err != nil {
		return "", Meta{}, err
	}
	name := osvName(eco)
	m, err := c.readMeta(name)
	if err != nil {
		return "", Meta{}, err
	}
	p := c.path(m.File)
	if st, err := os.Stat(p); err != nil || st.Size() != m.Size {
		return "", Meta{}, handwash.Errorf(handwash.EINVALID, "%s: its file %s is missing or damaged: run 'handwash feeds update%s'", Title(name), m.File, onlyFlag(name))
	}
	return p, m, nil
}

// OpenOSV opens the cached zip of an ecosystem's OSV records. On Unix an
// update may replace the file while it is open; the open one stays whole.
func (c *Cache) OpenOSV(ecosystem string) (*zip.ReadCloser, Meta, error) {
	p, m, err := c.OSVPath(ecosystem)
	if err != nil {
		return nil, Meta{}, err
	}
	z, err := zip.OpenReader(p)
	if err != nil {
		return nil, Meta{}, damaged(m, err)
	}
	return z, m, nil
}

// Verify checks a stored feed's file against the SHA-256 in its metadata.
func (c *Cache) Verify(name string) error {
	m, err := c.readMeta(name)
	if err != nil {
		return err
	}
	return c.verify(m)
}

func (c *Cache) verify(m Meta) error {
	f, err := os.Open(c.path(m.File))
	if err != nil {
		return handwash.Errorf(handwash.EINVALID, "%s: its file %s is missing: run 'handwash feeds update%s'", Title(m.Name), m.File, onlyFlag(m.Name))
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil || n != m.Size || hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
		return handwash.Errorf(handwash.EINVALID, "%s: its file %s does not match the cache's record: run 'handwash feeds update%s'", Title(m.Name), m.File, onlyFlag(m.Name))
	}
	return nil
}

// mkdir makes the cache folder.
func (c *Cache) mkdir() error {
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return handwash.Errorf(handwash.EINVALID, "the feeds cache %s cannot be made: %v", c.dir, err)
	}
	return nil
}

// commit puts a validated temporary file in place and its metadata after
// it, both by rename. The metadata is written to its own temporary file
// first, so the only step between the two renames is the second rename.
// An OSV export's package index (written by index, or nil for none) is
// written to a temporary file first too and renamed into place before the
// export, so that when the metadata names an export its index is in place;
// a reader uses an index only when it names the SHA-256 the metadata
// gives. (Should the export's rename then fail, the index names another
// export than the metadata, and is made again when next needed.)
func (c *Cache) commit(tmp string, m Meta, index func(io.Writer) error) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	mt, err := writeTemp(c.dir, metaFile(m.Name), append(b, '\n'))
	if err != nil {
		return err
	}
	defer os.Remove(mt)
	if m.Kind == KindOSV {
		if err := c.putIndex(m.Name, index); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, c.path(m.File)); err != nil {
		return fmt.Errorf("putting %s in place: %w", m.File, err)
	}
	if err := os.Rename(mt, c.path(metaFile(m.Name))); err != nil {
		return fmt.Errorf("putting %s in place: %w", metaFile(m.Name), err)
	}
	syncDir(c.dir)
	return nil
}

// writeMeta replaces a feed's metadata alone (after a 304).
func (c *Cache) writeMeta(m Meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	mt, err := writeTemp(c.dir, metaFile(m.Name), append(b, '\n'))
	if err != nil {
		return err
	}
	defer os.Remove(mt)
	if err := os.Rename(mt, c.path(metaFile(m.Name))); err != nil {
		return err
	}
	syncDir(c.dir)
	return nil
}

// writeTemp writes data to a new temporary file beside name, synced to
// disk, and returns its path.
func writeTemp(dir, name string, data []byte) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", err
	}
	if err := finish(f); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// finish syncs, closes and opens up a temporary file (CreateTemp makes it
// 0600; the data is public).
func finish(f *os.File) error {
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil && runtime.GOOS != "windows" {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes renames in dir durable where the OS allows it.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// lock takes a feed's lock file, or says who holds it.
func (c *Cache) lock(name string) (unlock func(), err error) {
	p := c.path(fileBase(name) + ".lock")
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "pid %d since %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
			f.Close()
			return heartbeat(p), nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, handwash.Errorf(handwash.EINVALID, "%s: cannot write in the feeds cache %s: %v", Title(name), c.dir, err)
		}
		st, serr := os.Stat(p)
		if serr == nil && time.Since(st.ModTime()) > LockStale {
			// Left by a process that died: take it over.
			os.Remove(p)
			continue
		}
		holder, _ := readAtMost(p, 200)
		return nil, handwash.Errorf(handwash.ECONFLICT, "%s: another Handwash process is updating it (%s, lock %s): try again when it has finished", Title(name), strings.TrimSpace(string(holder)), p)
	}
	return nil, handwash.Errorf(handwash.ECONFLICT, "%s: another Handwash process took the lock %s first: try again when it has finished", Title(name), p)
}

// heartbeat touches the lock file every minute until unlocked, so that a
// long download is not taken for a dead process.
func heartbeat(p string) func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				_ = os.Chtimes(p, now, now)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
			os.Remove(p)
		})
	}
}

// Thousands writes n with commas: 1,404.
func Thousands(n int) string { return thousands(int64(n)) }

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// AgeWords says how old something is: "less than a minute", "5 minutes",
// "3 hours", "1 day", "12 days".
func AgeWords(d time.Duration) string {
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/(24*time.Hour)), "day")
}
