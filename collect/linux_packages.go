package collect

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

// linuxRPMQueryFormat is the rpm -qa --queryformat that parseRPMQuery reads.
const linuxRPMQueryFormat = `%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{INSTALLTIME}\t%{VENDOR}\n`

// parseDebStanzas reads a Debian control file (dpkg's status file, apt's
// Packages lists) stanza by stanza and calls fn with the values of the
// fields asked for, in order ("" when absent). Continuation lines are
// skipped, so long descriptions cost nothing but the read.
func parseDebStanzas(r io.Reader, fields []string, fn func(vals []string)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 256*1024), 4<<20)
	vals := make([]string, len(fields))
	seen := false
	flush := func() {
		if seen {
			fn(vals)
			vals = make([]string, len(fields))
			seen = false
		}
	}
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			flush()
			continue
		}
		if line[0] == ' ' || line[0] == '\t' || line[0] == '#' {
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		key := line[:colon]
		for i, f := range fields {
			if len(key) == len(f) && strings.EqualFold(string(key), f) {
				vals[i] = strings.TrimSpace(string(line[colon+1:]))
				seen = true
				break
			}
		}
	}
	flush()
	return sc.Err()
}

// parseDpkgStatus reads /var/lib/dpkg/status and returns the packages
// whose status is installed (the third word of Status: "install ok
// installed", "hold ok installed"). Removed packages with configuration
// left ("config-files") and half-installed ones are not.
func parseDpkgStatus(r io.Reader) ([]linuxPkg, error) {
	var pkgs []linuxPkg
	err := parseDebStanzas(r, []string{"Package", "Status", "Version", "Architecture", "Source"}, func(v []string) {
		st := strings.Fields(v[1])
		if v[0] == "" || v[2] == "" || len(st) != 3 || st[2] != "installed" {
			return
		}
		p := linuxPkg{Name: v[0], Version: v[2], Arch: v[3]}
		p.Source, p.SourceVersion = debSource(v[4])
		pkgs = append(pkgs, p)
	})
	return pkgs, err
}

// debSource reads dpkg's Source field: "name" or "name (version)", the
// version given only when it differs from the binary package's (a binary
// rebuild such as 5.2.15-2+b8 of source 5.2.15-2).
func debSource(field string) (name, version string) {
	name, rest, ok := strings.Cut(strings.TrimSpace(field), " ")
	if !ok {
		return name, ""
	}
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(rest, "(") && strings.HasSuffix(rest, ")") {
		version = strings.TrimSpace(rest[1 : len(rest)-1])
	}
	return name, version
}

// parseRPMQuery reads the output of rpm -qa --queryformat
// linuxRPMQueryFormat. Versions are written epoch:version-release, the
// epoch only when set. gpg-pubkey entries are keys, not software.
func parseRPMQuery(b []byte) []linuxPkg {
	var pkgs []linuxPkg
	for _, line := range linuxLines(b) {
		f := strings.Split(line, "\t")
		if len(f) < 5 || f[0] == "" || f[0] == "gpg-pubkey" {
			continue
		}
		v := f[2]
		if f[3] != "" && f[3] != "(none)" {
			v += "-" + f[3]
		}
		if f[1] != "" && f[1] != "(none)" && f[1] != "0" {
			v = f[1] + ":" + v
		}
		p := linuxPkg{Name: f[0], Version: v, Arch: f[4]}
		if p.Arch == "(none)" {
			p.Arch = ""
		}
		if len(f) > 5 {
			if sec, err := strconv.ParseInt(f[5], 10, 64); err == nil && sec > 0 {
				p.Installed = time.Unix(sec, 0).UTC()
			}
		}
		if len(f) > 6 && f[6] != "(none)" {
			p.Vendor = f[6]
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// linuxDecompress opens an apt list in whatever compression apt stored it
// (apt keeps lists as they were downloaded when Acquire::GzipIndexes is set;
// Debian's container images use lz4).
func linuxDecompress(name string, b []byte) (io.Reader, error) {
	switch {
	case strings.HasSuffix(name, ".gz"):
		return gzip.NewReader(bytes.NewReader(b))
	case strings.HasSuffix(name, ".lz4"):
		return lz4.NewReader(bytes.NewReader(b)), nil
	case strings.HasSuffix(name, ".xz"):
		return xz.NewReader(bytes.NewReader(b))
	case strings.HasSuffix(name, ".bz2"):
		return bzip2.NewReader(bytes.NewReader(b)), nil
	case strings.HasSuffix(name, ".zst"), strings.HasSuffix(name, ".lzma"):
		return nil, fmt.Errorf("%s: compression not supported", name)
	}
	return bytes.NewReader(b), nil
}

// DpkgPackages reads a dpkg status file into inventory items, as the Linux
// collector does: for tests and tools that match a machine's packages
// without collecting from it.
func DpkgPackages(r io.Reader) ([]handwash.SoftwareItem, error) {
	pkgs, err := parseDpkgStatus(r)
	items := make([]handwash.SoftwareItem, 0, len(pkgs))
	for _, p := range pkgs {
		items = append(items, p.item("dpkg"))
	}
	return items, err
}

// item is the package as an inventory item from manager (dpkg or rpm).
func (p linuxPkg) item(manager string) handwash.SoftwareItem {
	return handwash.SoftwareItem{Name: p.Name, Version: p.Version, Publisher: p.Vendor, Source: manager, Arch: p.Arch,
		SourcePackage: p.Source, SourceVersion: p.SourceVersion}
}
