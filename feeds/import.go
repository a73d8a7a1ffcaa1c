package feeds

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vuln"
)

// ImportOptions adjust Import.
type ImportOptions struct {
	// Ecosystem is the OSV ecosystem a zip must hold (Debian, Ubuntu, ...);
	// "" reads it from the records, which must then agree.
	Ecosystem string
}

// Import stores a feed from a file brought in by hand, for computers
// without internet access: a KEV catalogue (JSON), endoflife.date's API v1
// products/full (JSON), a folder of endoflife.date product files (a clone
// of the repository or its products folder), or an OSV zip of one
// ecosystem (OSV's <ecosystem>/all.zip). The kind is told from the content,
// not the name. The file is copied into the cache, validated in full as
// Update validates downloads, and put in place atomically; on any error the
// cache is as it was. Errors are EINVALID or ETOOLARGE and name the file.
//
// Nobody vouches that an imported file is current, so its age counts from
// the data's own date (the catalogue's release, the API's generation time,
// the newest OSV record) rather than from the import.
func (c *Cache) Import(ctx context.Context, path string, opts ImportOptions) (Result, error) {
	eco := ""
	if opts.Ecosystem != "" {
		var err error
		if eco, err = CanonicalEcosystem(opts.Ecosystem); err != nil {
			return Result{}, err
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Result{}, handwash.Errorf(handwash.EINVALID, "%s: %v", path, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return Result{}, fileProblem(path, err)
	}
	if err := c.mkdir(); err != nil {
		return Result{}, err
	}
	invalid := func(code, format string, args ...any) error {
		return handwash.Errorf(code, path+": "+format, args...)
	}

	var kind Kind
	var tmp string
	var size int64
	var digest string
	if st.IsDir() {
		if eco != "" {
			return Result{}, invalid(handwash.EINVALID, "--ecosystem is for OSV zips, and this is a folder")
		}
		kind = KindEOL
		e, err := vuln.ParseEOLProductFiles(os.DirFS(abs))
		if err != nil {
			return Result{}, &handwash.Error{Code: handwash.ErrorCode(err), Err: err, Message: path + ": " + handwash.ErrorMessage(err)}
		}
		// Keep one format in the cache: the API's.
		var buf bytes.Buffer
		if err := e.WriteAPIv1(&buf); err != nil {
			return Result{}, err
		}
		if tmp, err = writeTemp(c.dir, dataFile(string(KindEOL)), buf.Bytes()); err != nil {
			return Result{}, invalid(handwash.EINVALID, "cannot write in the feeds cache %s: %v", c.dir, err)
		}
		size, digest = int64(buf.Len()), sha(buf.Bytes())
	} else {
		kind, tmp, size, digest, err = c.copyIn(abs, path)
		if err != nil {
			return Result{}, err
		}
		if eco != "" && kind != KindOSV {
			os.Remove(tmp)
			return Result{}, invalid(handwash.EINVALID, "--ecosystem is for OSV zips, and this is a JSON file")
		}
	}
	defer os.Remove(tmp) // gone after the rename; removed on failure

	var inf info
	switch kind {
	case KindOSV:
		inf, err = validateOSVZip(ctx, tmp, eco, digest, func(done, total int64) {
			if c.Progress != nil {
				c.Progress(Progress{Name: "osv", Stage: "validating", Done: done, Total: total})
			}
		})
	default:
		inf, err = validateJSON(kind, tmp)
	}
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		msg := handwash.ErrorMessage(err)
		if kind == KindOSV {
			msg = "OSV zip: " + msg
		}
		return Result{}, &handwash.Error{Code: codeOr(err, handwash.EINVALID), Err: err, Message: path + ": " + msg + "; nothing was changed"}
	}
	name := string(kind)
	if kind == KindOSV {
		name = osvName(inf.Ecosystem)
	}
	unlock, err := c.lock(name)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	res := Result{Name: name, Changed: true}
	if prev, err := c.readMeta(name); err == nil {
		res.Previous = &prev
	}
	now := c.now()
	m := Meta{
		Name: name, Kind: kind, Ecosystem: inf.Ecosystem, Source: abs, Imported: true, File: dataFile(name),
		FetchedAt: now, CheckedAt: now, Version: inf.Version, Count: inf.Count, Size: size, SHA256: digest,
	}
	if !inf.DataTime.IsZero() && inf.DataTime.Before(now) {
		m.CheckedAt = inf.DataTime.UTC()
	}
	if err := c.commit(tmp, m, inf.index); err != nil {
		return Result{}, fmt.Errorf("putting %s in place: %w", name, err)
	}
	res.Meta = m
	return res, nil
}

func codeOr(err error, code string) string {
	if c := handwash.ErrorCode(err); c != handwash.EINTERNAL {
		return c
	}
	return code
}

// fileProblem explains a path that cannot be used.
func fileProblem(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return handwash.Errorf(handwash.EINVALID, "%s does not exist", path)
	case errors.Is(err, fs.ErrPermission):
		return handwash.Errorf(handwash.EINVALID, "%s cannot be read: permission denied", path)
	}
	return handwash.Errorf(handwash.EINVALID, "%s cannot be read: %v", path, err)
}

// copyIn copies a feed file into a temporary file in the cache, telling
// its kind from the content, under the kind's size limit.
func (c *Cache) copyIn(abs, shown string) (kind Kind, tmp string, size int64, digest string, err error) {
	invalid := func(code, format string, args ...any) error {
		return handwash.Errorf(code, shown+": "+format, args...)
	}
	f, err := os.Open(abs)
	if err != nil {
		return "", "", 0, "", fileProblem(shown, err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(512)
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte("\ufeff")), " \t\r\n")
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		kind = KindOSV
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "", "", 0, "", invalid(handwash.EINVALID, "is compressed with gzip: unpack it first (gunzip) and import the file inside")
	case len(trimmed) > 0 && trimmed[0] == '{':
		kind = "json"
		// encoding/json does not skip a byte-order mark; Windows editors
		// write one.
		if bytes.HasPrefix(head, []byte("\ufeff")) {
			br.Discard(3)
		}
	case len(trimmed) > 0 && trimmed[0] == '[':
		return "", "", 0, "", invalid(handwash.EINVALID, "is a JSON list, not a feed: for end-of-life data give endoflife.date's API v1 document (https://endoflife.date/api/v1/products/full), not the old per-product API")
	case len(head) == 0:
		return "", "", 0, "", invalid(handwash.EINVALID, "is empty")
	default:
		if strings.HasSuffix(strings.ToLower(shown), ".zip") {
			return "", "", 0, "", invalid(handwash.EINVALID, "is named .zip but is not a zip file")
		}
		return "", "", 0, "", invalid(handwash.EINVALID, "is not a feed: give CISA's KEV catalogue (JSON), endoflife.date's API v1 document (JSON), a folder of endoflife.date product files, or an OSV zip such as Debian/all.zip")
	}
	limit := int64(MaxOSVBytes)
	if kind != KindOSV {
		limit = max(vuln.MaxKEVBytes, vuln.MaxEOLBytes)
	}
	base := "import"
	if kind == KindOSV {
		base = "osv-import.zip"
	}
	t, err := os.CreateTemp(c.dir, "."+base+".tmp-*")
	if err != nil {
		return "", "", 0, "", invalid(handwash.EINVALID, "cannot write in the feeds cache %s: %v", c.dir, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(t, h), io.LimitReader(br, limit+1))
	if err == nil && n > limit {
		err = invalid(handwash.ETOOLARGE, "is over the limit of %s bytes for this kind of feed", thousands(limit))
	}
	if err == nil {
		err = finish(t)
	} else {
		t.Close()
	}
	if err != nil {
		os.Remove(t.Name())
		if handwash.ErrorCode(err) == handwash.EINTERNAL {
			err = invalid(handwash.EINVALID, "cannot be copied into the feeds cache: %v", err)
		}
		return "", "", 0, "", err
	}
	if kind == "json" {
		if kind, err = jsonKind(t.Name(), shown); err != nil {
			os.Remove(t.Name())
			return "", "", 0, "", err
		}
	}
	return kind, t.Name(), n, hex.EncodeToString(h.Sum(nil)), nil
}

// jsonKind tells a KEV catalogue from an endoflife.date API document (or
// an OSV record given by mistake) by the top-level fields, read until the
// JSON ends or breaks: a truncated file still shows its first fields.
func jsonKind(path, shown string) (Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	keys := map[string]bool{}
	if _, err := dec.Token(); err == nil { // {
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				break
			}
			k, _ := t.(string)
			keys[k] = true
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				break
			}
		}
	}
	switch {
	case keys["catalogVersion"] || keys["vulnerabilities"]:
		return KindKEV, nil
	case keys["id"] && keys["modified"] && !keys["result"]:
		return "", handwash.Errorf(handwash.EINVALID, "%s: is one OSV record: import the ecosystem's all.zip (such as https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip)", shown)
	case keys["result"] || keys["generated_at"] || keys["schema_version"]:
		return KindEOL, nil
	case len(keys) == 0:
		return "", handwash.Errorf(handwash.EINVALID, "%s: is not valid JSON, or is cut short before its first field", shown)
	}
	var names []string
	for k := range keys {
		names = append(names, fmt.Sprintf("%q", clip(k)))
	}
	sort.Strings(names)
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	return "", handwash.Errorf(handwash.EINVALID, "%s: is JSON but neither CISA's KEV catalogue nor endoflife.date's API v1 document: its fields are %s", shown, strings.Join(names, ", "))
}
