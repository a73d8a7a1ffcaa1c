package feeds

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vuln"
)

// Each stored OSV export has a package index beside it (osv-Debian.index;
// see vuln.PackageIndex), made while the export is validated, so that
// judging one device reads only the records of its own packages. The
// index names the SHA-256 of the export it was made from; one that is
// missing, damaged or made from another export is made again from the
// export when next needed, and meanwhile the export is read whole.

func indexFile(name string) string { return fileBase(name) + ".index" }

// putIndex puts an OSV export's package index in place by rename, or with
// index nil removes the old one.
func (c *Cache) putIndex(name string, index []byte) error {
	if index == nil {
		if err := os.Remove(c.path(indexFile(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	tmp, err := writeTemp(c.dir, indexFile(name), index)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // gone after the rename; removed on failure
	return os.Rename(tmp, c.path(indexFile(name)))
}

// OSVIndex opens the package index of an ecosystem's cached OSV export,
// with the export's metadata. It is EINVALID when the index is missing,
// damaged or was made from another copy of the export.
func (c *Cache) OSVIndex(ecosystem string) (*vuln.PackageIndex, Meta, error) {
	_, m, err := c.OSVPath(ecosystem)
	if err != nil {
		return nil, Meta{}, err
	}
	px, err := c.readIndex(m)
	if err != nil {
		return nil, Meta{}, err
	}
	return px, m, nil
}

// readIndex reads the package index of the export m describes.
func (c *Cache) readIndex(m Meta) (*vuln.PackageIndex, error) {
	redo := "run 'handwash feeds update" + onlyFlag(m.Name) + "' to make it again"
	b, err := readAtMost(c.path(indexFile(m.Name)), vuln.MaxPackageIndexBytes)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "%s: its package index %s cannot be read (%v): %s", Title(m.Name), indexFile(m.Name), err, redo)
	}
	px, err := vuln.ParsePackageIndex(b)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "%s: its package index %s is damaged: %s", Title(m.Name), indexFile(m.Name), redo)
	}
	if px.SHA256() != m.SHA256 || px.Size() != m.Size {
		return nil, handwash.Errorf(handwash.EINVALID, "%s: its package index %s was made from another copy of the export: %s", Title(m.Name), indexFile(m.Name), redo)
	}
	return px, nil
}

// buildIndex makes the package index of the stored export m describes
// again, from the export, which is first checked against m. The caller
// holds the feed's lock.
func (c *Cache) buildIndex(m Meta) (*vuln.PackageIndex, error) {
	f, err := os.Open(c.path(m.File))
	if err != nil {
		return nil, damaged(m, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil || n != m.Size || hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
		return nil, damaged(m, errors.New("its SHA-256 does not match the cache's record"))
	}
	var buf bytes.Buffer
	if err := vuln.WritePackageIndex(&buf, f, n, m.SHA256); err != nil {
		return nil, damaged(m, err)
	}
	if err := c.putIndex(m.Name, buf.Bytes()); err != nil {
		return nil, err
	}
	syncDir(c.dir)
	return vuln.ParsePackageIndex(buf.Bytes())
}

// keepIndex makes the package index of the stored export m describes
// again if it is not current, as after an export stored by an older
// Handwash; the caller holds the feed's lock. A failure only means that
// checks read the export whole.
func (c *Cache) keepIndex(m Meta) {
	if m.Kind != KindOSV {
		return
	}
	if _, err := c.readIndex(m); err != nil {
		_, _ = c.buildIndex(m)
	}
}

// LoadOSV reads every record of an ecosystem's cached OSV export into an
// index, as the server keeps it to judge many devices.
func (c *Cache) LoadOSV(ecosystem string) (*vuln.Index, Meta, error) {
	var ix *vuln.Index
	m, err := c.readOSV(ecosystem, nil, func(whole *vuln.Index) { ix = whole })
	return ix, m, err
}

// LoadOSVFor reads from an ecosystem's cached OSV export only the records
// naming one of names (vuln.LookupNames of a device's packages), through
// the export's package index: for those packages the index matches
// exactly as LoadOSV's does, in a fraction of the time and memory. An
// index that is missing or not current is made again first (if another
// process holds the feed's lock, or the index cannot be made, the export
// is read whole instead).
func (c *Cache) LoadOSVFor(ecosystem string, names []string) (*vuln.Index, Meta, error) {
	var ix *vuln.Index
	m, err := c.readOSV(ecosystem, func(px *vuln.PackageIndex, f *os.File, size int64, accept func(vuln.Ecosystem) bool) (err error) {
		ix, err = px.LoadZip(f, size, names, accept)
		return err
	}, func(whole *vuln.Index) { ix = whole })
	return ix, m, err
}

// MatchOSV matches pkgs, the packages of one device of ecosystem eco,
// against the records of the ecosystem's cached OSV export that name them,
// read through the package index as LoadOSVFor reads them, keeping only
// the matches: what LoadOSV's index matches, in less time and a fraction
// of the memory. handwash check matches its own packages so. Without a
// usable index, it is as for LoadOSVFor.
func (c *Cache) MatchOSV(ecosystem string, eco vuln.Ecosystem, pkgs []vuln.Installed) ([]vuln.Match, Meta, error) {
	var ms []vuln.Match
	m, err := c.readOSV(ecosystem, func(px *vuln.PackageIndex, f *os.File, size int64, accept func(vuln.Ecosystem) bool) (err error) {
		ms, err = px.Match(f, size, eco, pkgs, accept)
		return err
	}, func(whole *vuln.Index) { ms = whole.Match(eco, pkgs) })
	return ms, m, err
}

// readOSV opens an ecosystem's cached OSV export and reads it with
// through, given its package index (made again first if it is missing or
// not current); or, without through, with no usable index or when through
// fails, reads every record and gives their index to whole.
func (c *Cache) readOSV(ecosystem string, through func(px *vuln.PackageIndex, f *os.File, size int64, accept func(vuln.Ecosystem) bool) error, whole func(*vuln.Index)) (Meta, error) {
	path, m, err := c.OSVPath(ecosystem)
	if err != nil {
		return Meta{}, err
	}
	eco, _ := CanonicalEcosystem(ecosystem) // OSVPath took it
	accept := func(e vuln.Ecosystem) bool { return e.Name == eco }
	// The export is opened before the index: see commit.
	f, err := os.Open(path)
	if err != nil {
		return Meta{}, damaged(m, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Meta{}, damaged(m, err)
	}
	if through != nil {
		px, err := c.readIndex(m)
		if err != nil {
			px, err = c.rebuildIndex(m)
		}
		if err == nil && through(px, f, st.Size(), accept) == nil {
			return m, nil
		}
	}
	ix, err := vuln.LoadZip(f, st.Size(), accept)
	if err != nil {
		return Meta{}, err
	}
	whole(ix)
	return m, nil
}

// rebuildIndex makes the package index of the export m describes again,
// under the feed's lock, unless the export changed meanwhile.
func (c *Cache) rebuildIndex(m Meta) (*vuln.PackageIndex, error) {
	unlock, err := c.lock(m.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	now, err := c.readMeta(m.Name)
	if err != nil {
		return nil, err
	}
	if now.SHA256 != m.SHA256 || now.Size != m.Size {
		return nil, handwash.Errorf(handwash.ECONFLICT, "%s was replaced while it was read", Title(m.Name))
	}
	return c.buildIndex(now)
}
