package feeds

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vuln"
)

// Each stored OSV export has a package index beside it (osv-Debian.index;
// see vuln.PackageIndex), made while the export is validated: it holds
// what matching needs of every record, by package, so that judging one
// device reads its own packages' lines of one small file and no record of
// the export. The index names the SHA-256 of the export it was made from;
// one that is missing, damaged or made from another export is made again
// from the export when next needed, and meanwhile the export is read
// whole.

func indexFile(name string) string { return fileBase(name) + ".index" }

// putIndex writes an OSV export's package index with write to a temporary
// file, streamed rather than held whole in memory, and puts it in place by
// rename; with write nil it removes the old one.
func (c *Cache) putIndex(name string, write func(io.Writer) error) error {
	if write == nil {
		if err := os.Remove(c.path(indexFile(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	f, err := os.CreateTemp(c.dir, "."+indexFile(name)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // gone after the rename; removed on failure
	bw := bufio.NewWriterSize(f, 256<<10)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := finish(f); err != nil {
		return err
	}
	return os.Rename(f.Name(), c.path(indexFile(name)))
}

// OSVIndex reads and checks the package index of an ecosystem's cached
// OSV export, with the export's metadata. It is EINVALID when the index is
// missing, damaged or was made from another copy of the export.
func (c *Cache) OSVIndex(ecosystem string) (*vuln.PackageIndex, Meta, error) {
	_, m, err := c.OSVPath(ecosystem)
	if err != nil {
		return nil, Meta{}, err
	}
	px, err := c.checkIndex(m)
	if err != nil {
		return nil, Meta{}, err
	}
	return px, m, nil
}

// checkIndex reads the package index of the export m describes whole,
// checking every line.
func (c *Cache) checkIndex(m Meta) (*vuln.PackageIndex, error) {
	px, f, err := c.openIndex(m)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := px.Check(); err != nil {
		return nil, c.indexError(m, "is damaged")
	}
	return px, nil
}

// indexError is the error of the package index of the export m describes.
func (c *Cache) indexError(m Meta, what string) error {
	return handwash.Errorf(handwash.EINVALID, "%s: its package index %s %s: run 'handwash feeds update%s' to make it again", Title(m.Name), indexFile(m.Name), what, onlyFlag(m.Name))
}

// openIndex opens the package index of the export m describes, checking
// that it was made from that export; the rest of it is still to be read
// from the file, which the caller closes.
func (c *Cache) openIndex(m Meta) (*vuln.PackageIndex, *os.File, error) {
	f, err := os.Open(c.path(indexFile(m.Name)))
	if err != nil {
		return nil, nil, c.indexError(m, fmt.Sprintf("cannot be read (%v)", err))
	}
	st, err := f.Stat()
	if err == nil && st.Size() > vuln.MaxPackageIndexBytes {
		err = errors.New("over the size limit")
	}
	if err != nil {
		f.Close()
		return nil, nil, c.indexError(m, fmt.Sprintf("cannot be read (%v)", err))
	}
	px, err := vuln.OpenPackageIndex(f)
	if err != nil {
		f.Close()
		return nil, nil, c.indexError(m, "is damaged")
	}
	if px.SHA256() != m.SHA256 || px.Size() != m.Size {
		f.Close()
		return nil, nil, c.indexError(m, "was made from another copy of the export")
	}
	return px, f, nil
}

// buildIndex makes the package index of the stored export m describes
// again, from the export, which is first checked against m. The caller
// holds the feed's lock.
func (c *Cache) buildIndex(m Meta) error {
	f, err := os.Open(c.path(m.File))
	if err != nil {
		return damaged(m, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil || n != m.Size || hex.EncodeToString(h.Sum(nil)) != m.SHA256 {
		return damaged(m, errors.New("its SHA-256 does not match the cache's record"))
	}
	var bad error
	err = c.putIndex(m.Name, func(w io.Writer) error {
		bad = vuln.WritePackageIndex(w, f, n, m.SHA256)
		return bad
	})
	if bad != nil {
		return damaged(m, bad)
	}
	if err != nil {
		return err
	}
	syncDir(c.dir)
	return nil
}

// keepIndex makes the package index of the stored export m describes
// again if it is not current, as after an export stored by an older
// Handwash; the caller holds the feed's lock. A failure only means that
// checks read the export whole.
func (c *Cache) keepIndex(m Meta) {
	if m.Kind != KindOSV {
		return
	}
	if _, err := c.checkIndex(m); err != nil {
		_ = c.buildIndex(m)
	}
}

// LoadOSV reads every record of an ecosystem's cached OSV export into an
// index, as the server keeps it to judge many devices.
func (c *Cache) LoadOSV(ecosystem string) (*vuln.Index, Meta, error) {
	path, m, err := c.OSVPath(ecosystem)
	if err != nil {
		return nil, Meta{}, err
	}
	ix, err := c.loadWhole(path, m, ecosystem)
	if err != nil {
		return nil, Meta{}, err
	}
	return ix, m, nil
}

// loadWhole reads every record of the export at path, which m describes,
// of the ecosystem OSVPath took.
func (c *Cache) loadWhole(path string, m Meta, ecosystem string) (*vuln.Index, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, damaged(m, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, damaged(m, err)
	}
	eco, _ := CanonicalEcosystem(ecosystem)
	return vuln.LoadZip(f, st.Size(), func(e vuln.Ecosystem) bool { return e.Name == eco })
}

// TallyOSV tallies the matches of pkgs, the packages of one device of
// ecosystem eco, against an ecosystem's cached OSV export, marking those
// with a CVE known reports and keeping max items (vuln.TallyOf). It reads
// the export's package index, which holds what matching needs of every
// record: the tally of LoadOSV's index's matches, without decompressing or
// decoding a record, or keeping every match. handwash check tallies its
// own packages so. An index that is missing, damaged or not current is
// made again, and read again; if another process holds the feed's lock,
// or the index cannot be made or read, the export is read whole instead.
func (c *Cache) TallyOSV(ecosystem string, eco vuln.Ecosystem, pkgs []vuln.Installed, known func(cve string) bool, max int) (vuln.Tally, Meta, error) {
	path, m, err := c.OSVPath(ecosystem)
	if err != nil {
		return vuln.Tally{}, Meta{}, err
	}
	for again := false; ; again = true {
		px, f, err := c.openIndex(m)
		if err == nil {
			var t vuln.Tally
			t, err = px.Tally(eco, pkgs, known, max)
			f.Close()
			if err == nil {
				return t, m, nil
			}
		}
		if again || c.rebuildIndex(m) != nil {
			break
		}
	}
	ix, err := c.loadWhole(path, m, ecosystem)
	if err != nil {
		return vuln.Tally{}, Meta{}, err
	}
	ms := ix.Match(eco, pkgs)
	vuln.MarkKnownExploited(ms, known)
	return vuln.TallyOf(ms, max), m, nil
}

// rebuildIndex makes the package index of the export m describes again,
// under the feed's lock, unless the export changed meanwhile.
func (c *Cache) rebuildIndex(m Meta) error {
	unlock, err := c.lock(m.Name)
	if err != nil {
		return err
	}
	defer unlock()
	now, err := c.readMeta(m.Name)
	if err != nil {
		return err
	}
	if now.SHA256 != m.SHA256 || now.Size != m.Size {
		return handwash.Errorf(handwash.ECONFLICT, "%s was replaced while it was read", Title(m.Name))
	}
	return c.buildIndex(now)
}
