package feeds

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vuln"
)

// info is what validation learnt about a feed file.
type info struct {
	Version   string
	Count     int
	Ecosystem string // OSV: the ecosystem the records are for
	// DataTime is the data's own date: when the catalogue was released,
	// the API generated, the newest record changed.
	DataTime time.Time
	// index writes an OSV export's package index
	// (vuln.PackageIndexBuilder), or is nil when it cannot be made: the
	// export is then read whole.
	index func(io.Writer) error
}

// validateJSON checks a KEV or EOL file in full.
func validateJSON(kind Kind, path string) (info, error) {
	f, err := os.Open(path)
	if err != nil {
		return info{}, err
	}
	defer f.Close()
	switch kind {
	case KindKEV:
		k, err := vuln.ParseKEV(f)
		if err != nil {
			return info{}, err
		}
		return info{Version: k.CatalogVersion, Count: k.Len(), DataTime: k.DateReleased}, nil
	case KindEOL:
		e, err := vuln.ParseEOLAPI(f)
		if err != nil {
			return info{}, err
		}
		return info{Version: e.GeneratedAt.UTC().Format(time.RFC3339), Count: e.Len(), DataTime: e.GeneratedAt}, nil
	}
	return info{}, fmt.Errorf("feeds: no JSON validator for %s", kind)
}

// validateOSVZip checks every record of an OSV zip: each file is one
// record that vuln.ParseOSV accepts, and every affected package is in the
// ecosystem want (any release of it). With want "", the records must all
// be of one ecosystem, which is returned. Records are checked in parallel;
// the error reported is the first bad record in the zip's order. From the
// same reading it makes the zip's package index, for a zip whose SHA-256
// is digest.
func validateOSVZip(ctx context.Context, path, want, digest string, progress func(done, total int64)) (info, error) {
	invalid := func(format string, args ...any) error {
		return handwash.Errorf(handwash.EINVALID, format, args...)
	}
	z, err := zip.OpenReader(path)
	if err != nil {
		return info{}, invalid("is not a complete zip file (%v): the download may have been cut short", err)
	}
	defer z.Close()
	var files []*zip.File
	var total uint64
	for _, f := range z.File {
		if f.FileInfo().IsDir() {
			continue
		}
		if !strings.HasSuffix(strings.ToLower(f.Name), ".json") {
			return info{}, invalid("holds %s, which is not an OSV record (*.json): is this OSV's all.zip?", clip(f.Name))
		}
		if f.UncompressedSize64 > vuln.MaxAdvisoryBytes {
			return info{}, invalid("%s is %d bytes, over the limit of %d for one OSV record", clip(f.Name), f.UncompressedSize64, vuln.MaxAdvisoryBytes)
		}
		total += f.UncompressedSize64
		files = append(files, f)
	}
	switch {
	case len(files) == 0:
		return info{}, invalid("holds no OSV records")
	case len(files) > MaxOSVRecords:
		return info{}, handwash.Errorf(handwash.ETOOLARGE, "holds %s records, over the limit of %s", Thousands(len(files)), Thousands(MaxOSVRecords))
	case total > MaxOSVUncompressed:
		return info{}, handwash.Errorf(handwash.ETOOLARGE, "unpacks to %d GiB, over the limit of %d GiB", total>>30, MaxOSVUncompressed>>30)
	}

	packages := vuln.NewPackageIndexBuilder(&z.Reader)
	type result struct {
		modified time.Time
		eco      string // an ecosystem named, when want is ""
		err      error
	}
	results := make([]result, len(files))
	var next, done atomic.Int64
	var failed atomic.Bool
	workers := min(runtime.GOMAXPROCS(0), 8)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) || failed.Load() || ctx.Err() != nil {
					return
				}
				r := &results[i]
				var a *vuln.Advisory
				a, r.eco, r.err = checkRecord(files[i], want)
				if r.err != nil {
					failed.Store(true)
				} else {
					r.modified = a.Modified
					packages.Add(files[i], a)
				}
				if n := done.Add(1); progress != nil && n%1000 == 0 {
					progress(n, int64(len(files)))
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return info{}, err
	}
	out := info{Ecosystem: want, Count: len(files)}
	var newest time.Time
	ecos := map[string]bool{}
	for _, r := range results {
		if r.err != nil {
			return info{}, r.err
		}
		if r.modified.After(newest) {
			newest = r.modified
		}
		if r.eco != "" {
			ecos[r.eco] = true
		}
	}
	if want == "" {
		var names []string
		for e := range ecos {
			names = append(names, e)
		}
		sort.Strings(names)
		switch len(names) {
		case 0:
			return info{}, invalid("none of its records names an ecosystem: say which it is for with --ecosystem")
		case 1:
			out.Ecosystem = names[0]
		default:
			return info{}, invalid("holds records for several ecosystems (%s): a feed holds one ecosystem, as OSV's <ecosystem>/all.zip does", strings.Join(names, ", "))
		}
	}
	out.Version = newest.UTC().Format(time.RFC3339)
	out.DataTime = newest
	// Without an index the export still serves, read whole.
	if st, err := os.Stat(path); err == nil {
		size := st.Size()
		out.index = func(w io.Writer) error { return packages.Write(w, size, digest) }
	}
	if progress != nil {
		progress(int64(len(files)), int64(len(files)))
	}
	return out, nil
}

// checkRecord reads and checks one record of a zip.
func checkRecord(f *zip.File, want string) (a *vuln.Advisory, eco string, err error) {
	rc, err := f.Open()
	if err != nil {
		return nil, "", handwash.Errorf(handwash.EINVALID, "%s cannot be read from the zip (%v): the file is damaged", clip(f.Name), err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, vuln.MaxAdvisoryBytes+1))
	if err != nil {
		if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, "", handwash.Errorf(handwash.EINVALID, "%s is damaged in the zip (%v): download it again", clip(f.Name), err)
		}
		return nil, "", handwash.Errorf(handwash.EINVALID, "%s cannot be read from the zip: %v", clip(f.Name), err)
	}
	a, err = vuln.ParseOSV(data)
	if err != nil {
		return nil, "", &handwash.Error{Code: handwash.EINVALID, Err: err,
			Message: fmt.Sprintf("%s: %s", clip(f.Name), handwash.ErrorMessage(err))}
	}
	for i, af := range a.Affected {
		if af.Package.Ecosystem == "" {
			continue
		}
		e, err := vuln.ParseEcosystem(af.Package.Ecosystem)
		if err != nil { // ParseOSV checked it; kept for safety
			return nil, "", handwash.Errorf(handwash.EINVALID, "%s: %s", clip(f.Name), handwash.ErrorMessage(err))
		}
		switch {
		case want != "" && e.Name != want:
			return nil, "", handwash.Errorf(handwash.EINVALID,
				"wrong ecosystem: %s (record %s) affected[%d] is for %q, not %s: this is not the %s feed", clip(f.Name), a.ID, i, clip(af.Package.Ecosystem), want, want)
		case want == "" && eco == "":
			eco = e.Name
		case want == "" && e.Name != eco:
			return nil, "", handwash.Errorf(handwash.EINVALID,
				"%s (record %s) is for both %s and %s: a feed holds one ecosystem", clip(f.Name), a.ID, eco, e.Name)
		}
	}
	return a, eco, nil
}
