package phish

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
)

// Limits on looking inside archives, against zip bombs: an archive may
// claim any size, so we read at most this much, whatever it says.
const (
	maxZipEntries   = 1000
	maxZipDepth     = 2       // an archive inside an archive inside the attachment
	maxEntryRead    = 4 << 20 // bytes read from one entry that is itself an archive or Office file
	maxArchiveTotal = 16 << 20
	sniffLen        = 4096
)

// kind is what an attachment really is, judged from its bytes and, for
// formats that have no magic bytes (scripts), its name.
type kind int

const (
	kindOther kind = iota
	kindExecutable
	kindScript
	kindHTML
	kindDiskImage
	kindMacro
	kindShortcut
	kindZip
	kindRar
	kind7z
	kindGzip
	kindCab
	kindOffice // OLE or OOXML without macros: fine, but looked inside
	kindPDF
)

// danger is the sign an attachment kind raises, if any.
var danger = map[kind]struct {
	id     string
	weight int
	what   string
}{
	kindExecutable: {"attachment.executable", 8, "a program"},
	kindScript:     {"attachment.script", 8, "a script that runs as soon as it is opened"},
	kindShortcut:   {"attachment.script", 8, "a Windows shortcut that can run commands"},
	kindHTML:       {"attachment.html", 5, "a web page"},
	kindDiskImage:  {"attachment.disk-image", 6, "a disk image"},
	kindMacro:      {"attachment.macro", 6, "an Office document with macros"},
}

// scriptExt are file types Windows runs with a script host or treats as
// commands, whatever is inside.
var scriptExt = setOf(".js", ".jse", ".vbs", ".vbe", ".wsf", ".wsh", ".wsc", ".ps1", ".psm1", ".psd1",
	".bat", ".cmd", ".hta", ".scr", ".pif", ".com", ".cpl", ".reg", ".inf", ".sct", ".msc", ".jar",
	".url", ".iqy", ".slk", ".xll", ".application", ".appref-ms", ".settingcontent-ms", ".library-ms",
	".one", ".chm", ".msi", ".msix", ".appx", ".appxbundle", ".gadget", ".xbap", ".search-ms")

var executableExt = setOf(".exe", ".dll", ".scr", ".com", ".pif", ".cpl", ".msi", ".elf", ".bin", ".app", ".dmg", ".pkg")

var htmlExt = setOf(".htm", ".html", ".shtml", ".xhtml", ".svg", ".mht", ".mhtml", ".xht")

var diskImageExt = setOf(".iso", ".img", ".vhd", ".vhdx", ".udf")

var macroExt = setOf(".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppam", ".ppsm", ".sldm")

// sniff judges data by its first bytes. Names only decide for formats
// that have no magic bytes, or that Windows runs by name alone.
func sniff(name string, data []byte) kind {
	ext := strings.ToLower(path.Ext(name))
	head := data
	if len(head) > sniffLen {
		head = head[:sniffLen]
	}
	switch {
	case bytes.HasPrefix(head, []byte("MZ")) && (hasPESignature(data) || executableExt[ext]):
		return kindExecutable
	case bytes.HasPrefix(head, []byte("\x7fELF")),
		bytes.HasPrefix(head, []byte{0xfe, 0xed, 0xfa, 0xce}), bytes.HasPrefix(head, []byte{0xfe, 0xed, 0xfa, 0xcf}),
		bytes.HasPrefix(head, []byte{0xce, 0xfa, 0xed, 0xfe}), bytes.HasPrefix(head, []byte{0xcf, 0xfa, 0xed, 0xfe}),
		bytes.HasPrefix(head, []byte{0xca, 0xfe, 0xba, 0xbe}):
		return kindExecutable
	case bytes.HasPrefix(head, []byte{0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00}):
		return kindShortcut
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return kindZip
	case bytes.HasPrefix(head, []byte("Rar!\x1a\x07")):
		return kindRar
	case bytes.HasPrefix(head, []byte("7z\xbc\xaf\x27\x1c")):
		return kind7z
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return kindGzip
	case bytes.HasPrefix(head, []byte("MSCF\x00\x00\x00\x00")):
		return kindCab
	case bytes.HasPrefix(head, []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}):
		if ext == ".msi" {
			return kindExecutable
		}
		if oleHasMacros(data) {
			return kindMacro
		}
		return kindOffice
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return kindPDF
	case bytes.HasPrefix(head, []byte("conectix")), bytes.HasPrefix(head, []byte("vhdxfile")):
		return kindDiskImage
	case isISO(data):
		return kindDiskImage
	case bytes.HasPrefix(head, []byte{0xe4, 0x52, 0x5c, 0x7b, 0x8c, 0xd8, 0xa7, 0x4d}):
		return kindScript // OneNote: used to hide scripts behind a "click to view" picture
	case bytes.HasPrefix(head, []byte("ITSF")):
		return kindScript // compiled HTML help, which can run commands
	}
	switch {
	case scriptExt[ext]:
		return kindScript
	case executableExt[ext]:
		return kindExecutable
	case diskImageExt[ext]:
		return kindDiskImage
	case htmlExt[ext] || looksLikeHTMLFile(head):
		return kindHTML
	case macroExt[ext]:
		return kindMacro
	case looksLikeScript(head):
		return kindScript
	}
	return kindOther
}

// hasPESignature checks the "PE" header that the DOS header of a Windows
// program points to, so that a text file starting "MZ" is not taken for a
// program.
func hasPESignature(data []byte) bool {
	if len(data) < 0x40 {
		return false
	}
	off := int(data[0x3c]) | int(data[0x3d])<<8 | int(data[0x3e])<<16 | int(data[0x3f])<<24
	if off < 0 || off > len(data)-4 {
		return false
	}
	return bytes.Equal(data[off:off+4], []byte("PE\x00\x00"))
}

// isISO looks for the ISO 9660 or UDF volume descriptor, 32 KiB in.
func isISO(data []byte) bool {
	for _, off := range []int{0x8001, 0x8801, 0x9001} {
		if len(data) >= off+5 {
			s := string(data[off : off+5])
			if s == "CD001" || s == "BEA01" || s == "NSR02" {
				return true
			}
		}
	}
	return false
}

func looksLikeHTMLFile(head []byte) bool {
	if !bytes.Contains(head, []byte("<")) {
		return false
	}
	ct := http.DetectContentType(head)
	if strings.HasPrefix(ct, "text/html") {
		return true
	}
	l := bytes.ToLower(head)
	return bytes.Contains(l, []byte("<svg")) && bytes.Contains(l, []byte("<script"))
}

// looksLikeScript catches scripts sent without their usual name.
func looksLikeScript(head []byte) bool {
	t := bytes.ToLower(bytes.TrimSpace(head))
	for _, p := range [][]byte{[]byte("@echo off"), []byte("#!/bin/"), []byte("#!/usr/bin/"), []byte("<job"), []byte("<package>")} {
		if bytes.HasPrefix(t, p) {
			return true
		}
	}
	return false
}

// oleHasMacros reports whether an OLE compound file (old .doc/.xls/.ppt)
// holds a VBA project. Directory entry names are UTF-16, so the stream
// name is searched for as such.
func oleHasMacros(data []byte) bool {
	return bytes.Contains(data, utf16("_VBA_PROJECT"))
}

func utf16(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// checkAttachments judges every attachment by what it really is.
func (a *analysis) checkAttachments() {
	budget := maxArchiveTotal
	for _, at := range a.m.attachments {
		name := at.name
		if name == "" {
			name = "(unnamed " + at.contentType + ")"
		}
		a.checkFile(name, at.name, at.data, 0, &budget)
	}
}

// checkFile judges one file, looking inside archives. label is the path
// shown in evidence ("invoice.zip › invoice.exe").
func (a *analysis) checkFile(label, name string, data []byte, depth int, budget *int) {
	k := sniff(name, data)
	inside := ""
	if depth > 0 {
		inside = " inside an archive"
	}
	if d, ok := danger[k]; ok {
		a.add(d.id, d.weight, fmt.Sprintf("The attachment %s is %s%s.", clip(label, 120), d.what, inside), label)
	}
	if k == kindExecutable || k == kindScript || k == kindShortcut || k == kindDiskImage {
		if ext := strings.ToLower(path.Ext(name)); ext != "" && !scriptExt[ext] && !executableExt[ext] && !diskImageExt[ext] {
			a.add("attachment.disguised", 3, fmt.Sprintf("The attachment %s has a name ending in %s, but it is really %s.", clip(label, 120), ext, danger[k].what), label)
		}
	}
	switch k {
	case kindZip:
		a.checkZip(label, name, data, depth, budget)
	case kindRar, kind7z, kindCab:
		a.add("attachment.archive", 2, fmt.Sprintf("The attachment %s is a compressed archive in a format Handwash cannot look inside. Criminals use archives to get programs past virus scanners.", clip(label, 120)), label)
	case kindGzip:
		a.checkGzip(label, name, data, depth, budget)
	case kindPDF:
		if pdfActive(data) {
			a.add("attachment.pdf-active", 3, fmt.Sprintf("The PDF %s contains code that runs when it is opened, or another file hidden inside it.", clip(label, 120)), label)
		}
	}
}

// checkZip looks at each entry's name and first bytes, reading no more
// than the limits allow.
func (a *analysis) checkZip(label, name string, data []byte, depth int, budget *int) {
	if n, ok := zipEntries(data); !ok || n > 10*maxZipEntries {
		a.add("attachment.archive", 2, fmt.Sprintf("The attachment %s is an archive holding more files than Handwash looks at.", clip(label, 120)), label)
		return
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		a.add("attachment.archive", 2, fmt.Sprintf("The attachment %s is a damaged or unusual archive that Handwash cannot look inside.", clip(label, 120)), label)
		return
	}
	ooxml := false
	for _, f := range zr.File {
		n := strings.ToLower(f.Name)
		if n == "[content_types].xml" {
			ooxml = true
		}
		if strings.HasSuffix(n, "vbaproject.bin") {
			a.add("attachment.macro", 6, fmt.Sprintf("The attachment %s is an Office document with macros.", clip(label, 120)), label)
			return
		}
	}
	if ooxml {
		// A Word, Excel or PowerPoint file without macros.
		return
	}
	encrypted := 0
	for i, f := range zr.File {
		if i >= maxZipEntries {
			a.add("attachment.archive", 2, fmt.Sprintf("The archive %s holds more files than Handwash looks at.", clip(label, 120)), label)
			break
		}
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		entry := label + " › " + f.Name
		if f.Flags&0x1 != 0 {
			encrypted++
			// The contents are hidden, but the names are not.
			if k := sniff(f.Name, nil); k != kindOther {
				if d, ok := danger[k]; ok {
					a.add(d.id, d.weight, fmt.Sprintf("The attachment %s holds %s (%s) behind a password.", clip(label, 120), d.what, clip(f.Name, 80)), entry)
				}
			}
			continue
		}
		ext := strings.ToLower(path.Ext(f.Name))
		nested := ext == ".zip" || ext == ".docx" || ext == ".xlsx" || ext == ".pptx" || ext == ".docm" || ext == ".xlsm" || ext == ".jar" || ext == ".gz"
		limit := int64(sniffLen)
		if nested && depth < maxZipDepth {
			limit = maxEntryRead
		}
		head, err := readEntry(f, limit, budget)
		if err != nil {
			continue
		}
		k := sniff(f.Name, head)
		if (k == kindZip && int64(len(head)) < limit || k == kindGzip) && depth < maxZipDepth {
			a.checkFile(entry, f.Name, head, depth+1, budget)
			continue
		}
		if k == kindZip && depth < maxZipDepth {
			// Too large to open whole: judge by name only.
			k = sniff(f.Name, nil)
		}
		if _, ok := danger[k]; ok || k == kindRar || k == kind7z || k == kindPDF {
			a.checkFile(entry, f.Name, head, depth+1, budget)
		}
	}
	if encrypted > 0 {
		a.add("attachment.encrypted-archive", 4, fmt.Sprintf("The attachment %s is protected by a password, so virus scanners cannot see what is inside. Criminals send the password in the message to get malware past them.", clip(label, 120)), label)
	}
}

// zipEntries reads the number of entries an archive declares in its end
// record, so that an archive claiming millions of entries is not opened.
// ok is false for ZIP64 archives that need the larger record; the few real
// attachments that large are judged without looking inside.
func zipEntries(data []byte) (n int, ok bool) {
	start := max(0, len(data)-(65535+22))
	i := bytes.LastIndex(data[start:], []byte("PK\x05\x06"))
	if i < 0 {
		return 0, true // no end record: zip.NewReader will say it is damaged
	}
	rec := data[start+i:]
	if len(rec) < 22 {
		return 0, true
	}
	n = int(rec[10]) | int(rec[11])<<8
	return n, n != 0xffff
}

// readEntry reads at most limit bytes of a zip entry, charging them to
// budget. Reading stops at the limit whatever size the entry claims.
func readEntry(f *zip.File, limit int64, budget *int) ([]byte, error) {
	if *budget <= 0 {
		return nil, io.ErrShortBuffer
	}
	limit = min(limit, int64(*budget))
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit))
	*budget -= len(b)
	if err != nil && len(b) == 0 {
		return nil, err
	}
	return b, nil
}

// checkGzip checks the name stored in a gzip header and the first bytes of
// what it holds.
func (a *analysis) checkGzip(label, name string, data []byte, depth int, budget *int) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return
	}
	defer zr.Close()
	inner := zr.Name
	if inner == "" {
		inner = strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".GZ")
	}
	limit := min(int64(sniffLen), int64(*budget))
	if depth < maxZipDepth {
		limit = min(int64(maxEntryRead), int64(*budget))
	}
	head, _ := io.ReadAll(io.LimitReader(zr, limit))
	*budget -= len(head)
	if depth >= maxZipDepth+1 {
		return
	}
	a.checkFile(label+" › "+inner, inner, head, depth+1, budget)
}

// pdfActive reports whether a PDF asks to run JavaScript or a program, or
// carries files of its own, when opened.
func pdfActive(data []byte) bool {
	for _, k := range [][]byte{[]byte("/JavaScript"), []byte("/JS "), []byte("/JS("), []byte("/Launch"), []byte("/EmbeddedFile")} {
		if bytes.Contains(data, k) {
			return true
		}
	}
	return false
}
