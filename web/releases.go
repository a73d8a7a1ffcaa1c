package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent/release"
)

// releasesPath is where the release binaries are served, under the API.
const releasesPath = "/api/v1/agent/releases/"

// maxSignatureFile bounds a .sig file read: the signature is 88 characters.
const maxSignatureFile = 1 << 10

// downloadTime is how long a release download may take before the server
// gives up on it, instead of the server's usual write timeout: 200 MB over
// a slow care-home line takes a while.
const downloadTime = time.Hour

// releases is the folder of release binaries (serve --releases) that the
// server offers to agents. The server only passes the binaries and their
// signatures on: it has no key and signs nothing; each agent checks the
// signature with the key built into it.
type releases struct {
	dir string
	log *slog.Logger

	mu sync.Mutex
	// digests keeps each binary's SHA-256, so it is computed once per
	// file, not once per device asking.
	digests map[string]digestEntry
	// warned remembers the files already warned about, so a bad file in
	// the folder is one log line, not one per request.
	warned map[string]bool
}

type digestEntry struct {
	size    int64
	modTime time.Time
	sum     string
}

// newReleases returns the releases folder dir; nil when dir is empty.
func newReleases(dir string, log *slog.Logger) *releases {
	if dir == "" {
		return nil
	}
	return &releases{dir: dir, log: log, digests: map[string]digestEntry{}, warned: map[string]bool{}}
}

// open opens the folder for one request, confined to it: no name, link or
// "..", can reach outside it. It is opened afresh each time, so a folder
// replaced while the server runs (a link switched to a new one) is seen.
func (rs *releases) open() (*os.Root, error) {
	root, err := os.OpenRoot(rs.dir)
	if err != nil {
		return nil, fmt.Errorf("opening the releases folder: %w", err)
	}
	return root, nil
}

// candidate is one release binary found in the folder.
type candidate struct {
	file string
	name release.Name
}

// newest returns the offer of the newest complete release for goos and
// goarch, or nil when there is none. A release whose signature file is
// missing or malformed, or whose binary is empty or too large, is passed
// over (with a warning in the log) for the next newest.
func (rs *releases) newest(goos, goarch string) (*release.Offer, error) {
	root, err := rs.open()
	if err != nil {
		return nil, err
	}
	defer root.Close()
	entries, err := fs.ReadDir(root.FS(), ".")
	if err != nil {
		return nil, fmt.Errorf("reading the releases folder %s: %w", rs.dir, err)
	}
	var cs []candidate
	for _, e := range entries {
		n, ok := release.ParseName(e.Name())
		if ok && n.OS == goos && n.Arch == goarch {
			cs = append(cs, candidate{file: e.Name(), name: n})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return release.Compare(cs[i].name.Version, cs[j].name.Version) > 0 })
	for _, c := range cs {
		o, why := rs.offer(root, c)
		if o != nil {
			return o, nil
		}
		rs.warnOnce(c.file, why)
	}
	return nil, nil
}

// offer describes one binary, or says why it cannot be offered.
func (rs *releases) offer(root *os.Root, c candidate) (*release.Offer, string) {
	fi, err := root.Stat(c.file)
	switch {
	case err != nil:
		return nil, fmt.Sprintf("it cannot be read: %v", err)
	case !fi.Mode().IsRegular():
		return nil, "it is not a regular file"
	case fi.Size() == 0:
		return nil, "it is empty"
	case fi.Size() > release.MaxSize:
		return nil, fmt.Sprintf("it is larger than %d MB, the most an agent downloads", release.MaxSize>>20)
	}
	sig, err := signature(root, c.file)
	if err != nil {
		return nil, err.Error()
	}
	sum, err := rs.digest(root, c.file, fi)
	if err != nil {
		return nil, fmt.Sprintf("it cannot be read: %v", err)
	}
	return &release.Offer{
		Version: c.name.Version, OS: c.name.OS, Arch: c.name.Arch,
		SHA256: sum, Size: fi.Size(), Signature: sig, URL: releasesPath + c.file,
	}, ""
}

// signature reads and checks the form of <file>.sig.
func signature(root *os.Root, file string) (string, error) {
	f, err := root.Open(file + ".sig")
	if errors.Is(err, fs.ErrNotExist) {
		return "", errors.New("it has no signature file " + file + ".sig beside it")
	}
	if err != nil {
		return "", fmt.Errorf("its signature file cannot be read: %v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSignatureFile))
	if err != nil {
		return "", fmt.Errorf("its signature file cannot be read: %v", err)
	}
	if _, err := release.ParseSignature(string(b)); err != nil {
		return "", fmt.Errorf("its signature file is malformed: %v", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// digest returns the binary's SHA-256, from the cache while the file's
// size and time are unchanged.
func (rs *releases) digest(root *os.Root, file string, fi fs.FileInfo) (string, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if d, ok := rs.digests[file]; ok && d.size == fi.Size() && d.modTime.Equal(fi.ModTime()) {
		return d.sum, nil
	}
	f, err := root.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, release.MaxSize+1))
	if err != nil {
		return "", err
	}
	if n != fi.Size() {
		return "", fmt.Errorf("it changed while being read (%d bytes, then %d)", fi.Size(), n)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	rs.digests[file] = digestEntry{size: fi.Size(), modTime: fi.ModTime(), sum: sum}
	return sum, nil
}

func (rs *releases) warnOnce(file, why string) {
	rs.mu.Lock()
	seen := rs.warned[file+"\x00"+why]
	rs.warned[file+"\x00"+why] = true
	rs.mu.Unlock()
	if !seen {
		rs.log.Warn("a release in the releases folder is not offered to agents", "file", file, "folder", rs.dir, "why", why)
	}
}

// handleReleaseOffer answers a device with the newest release for its
// operating system and architecture, or 204 when there is none newer than
// the version it runs (or no releases folder).
func handleReleaseOffer(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := query(r, "os", "arch", "version")
		if err != nil {
			writeErr(w, r, err)
			return
		}
		goos, goarch, current := v.Get("os"), v.Get("arch"), v.Get("version")
		switch {
		case !release.ValidPlatformWord(goos):
			writeErr(w, r, invalid("os", "give the device's operating system as Go names it: linux, darwin or windows"))
			return
		case !release.ValidPlatformWord(goarch):
			writeErr(w, r, invalid("arch", "give the device's architecture as Go names it, such as amd64 or arm64"))
			return
		case current != "" && !release.ValidVersion(current):
			writeErr(w, r, invalid("version", "%q is not a version such as 1.4.2; leave it out to be offered the newest release", current))
			return
		}
		if s.releases == nil {
			noRelease(w)
			return
		}
		o, err := s.releases.newest(goos, goarch)
		if err != nil {
			writeErr(w, r, &handwash.Error{Code: handwash.EINTERNAL, Err: err})
			return
		}
		if o == nil || (current != "" && release.Compare(o.Version, current) <= 0) {
			noRelease(w)
			return
		}
		writeJSON(w, http.StatusOK, o)
	})
}

// noRelease answers that there is nothing to update to.
func noRelease(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// handleReleaseFile streams a release binary to a device.
func handleReleaseFile(s *server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := noQuery(r); err != nil {
			writeErr(w, r, err)
			return
		}
		file := r.PathValue("file")
		notFound := handwash.Errorf(handwash.ENOTFOUND, "there is no release %q on this server: ask for GET /api/v1/agent/release to learn the newest", file)
		if _, ok := release.ParseName(file); !ok || s.releases == nil {
			writeErr(w, r, notFound)
			return
		}
		root, err := s.releases.open()
		if err != nil {
			writeErr(w, r, &handwash.Error{Code: handwash.EINTERNAL, Err: err})
			return
		}
		defer root.Close()
		f, err := root.Open(file)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				// A link leading out of the folder, say.
				s.log.WarnContext(r.Context(), "a release in the releases folder cannot be served", "file", file, "folder", s.releases.dir, "err", err)
			}
			writeErr(w, r, notFound)
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			writeErr(w, r, &handwash.Error{Code: handwash.EINTERNAL, Err: err})
			return
		}
		if !fi.Mode().IsRegular() || fi.Size() > release.MaxSize {
			writeErr(w, r, notFound)
			return
		}
		// The server's write timeout is for API answers; a download over
		// a slow line gets longer. Behind a wrapper that cannot, it keeps
		// the usual one.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(downloadTime))
		h := w.Header()
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", `attachment; filename="`+file+`"`)
		h.Set("Cache-Control", "private, no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		// ServeContent streams the file with its Content-Length, and
		// answers HEAD and byte ranges (a download resumed).
		http.ServeContent(w, r, "", fi.ModTime(), f)
	})
}
