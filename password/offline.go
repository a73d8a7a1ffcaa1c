//go:build !js

package password

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/handwash/handwash"
)

// IndexSuffix is added to an offline file's name for its index.
const IndexSuffix = ".hwidx"

// MaxIndexBits is the most hash bits an index splits a file by: 2^24
// blocks, about 60 hashes each for the billion of the full list.
const MaxIndexBits = 24

// memIndexBits is the most bits of an index kept in memory (2^20 offsets,
// 8 MB). A bigger index stays in its file, and a lookup reads its two
// offsets from there.
const memIndexBits = 20

// blockTarget is the hashes a block the automatic choice of bits aims at
// (about 3 KB), estimating 44 bytes a line as in the real list.
const (
	blockTarget  = 64
	estLineBytes = 44
)

// maxBlock bounds the bytes one lookup reads. A block this big means the
// hashes are not SHA-1 hashes spread evenly.
const maxBlock = 32 << 20

// maxRangeFile bounds one per-prefix file of a downloaded folder.
const maxRangeFile = 8 << 20

// fileFormat is how errors describe the expected format.
const fileFormat = "the file should be the single file haveibeenpwned-downloader writes (SHA-1 hashes: lines HASH:COUNT, sorted by hash)"

// Offline is a downloaded copy of Have I Been Pwned's Pwned Passwords
// (SHA-1) list: either the single sorted file of lines HASH:COUNT that
// haveibeenpwned-downloader writes by default, or the folder of per-prefix
// files (ABCDE.txt, lines SUFFIX:COUNT) it writes with -s false.
//
// A single file is looked up through an index of where each block of
// hashes with the same first bits starts, built once (reading and checking
// every line), saved beside it in FILE.hwidx and bound to the file's size
// and modification time. The bits are chosen for about 64 hashes (3 KB) a
// block: a lookup is one read of that block and a binary search in it. An
// index of up to 2^20 blocks (8 MB) is kept in memory; a bigger one, for
// files of more than about 70 million hashes, stays in its file and a
// lookup first reads the block's 16 bytes of offsets from there, so memory
// stays small at any size. An Offline is safe for concurrent use.
type Offline struct {
	path   string
	r      io.ReaderAt
	closer io.Closer
	dir    bool
	idx    *offlineIndex

	indexPath  string
	indexBuilt bool
	saveErr    error
	pool       sync.Pool
}

// OfflineOptions changes how OpenOfflineWith opens a file.
type OfflineOptions struct {
	// Progress, if set, is called now and then while an index is built
	// with the bytes read so far and the file's size.
	Progress func(done, total int64)
	// Rebuild builds the index even if a current one exists.
	Rebuild bool
	// IndexBits is the number of hash bits to index by (1 to
	// MaxIndexBits); 0 chooses about 64 hashes a block. An existing index
	// with other bits is rebuilt.
	IndexBits int
	// NoSave keeps a built index in memory instead of writing FILE.hwidx
	// (at most 2^20 blocks).
	NoSave bool
}

// OpenOffline opens a downloaded Pwned Passwords file or folder, reading
// its index or building it (and saving it beside the file when it can).
func OpenOffline(path string) (*Offline, error) {
	return OpenOfflineWith(path, OfflineOptions{})
}

// OpenOfflineWith is OpenOffline with options.
func OpenOfflineWith(path string, opts OfflineOptions) (*Offline, error) {
	if opts.IndexBits < 0 || opts.IndexBits > MaxIndexBits {
		return nil, handwash.Errorf(handwash.EINVALID, "index bits %d: use 1 to %d, or 0 to choose", opts.IndexBits, MaxIndexBits)
	}
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, handwash.Errorf(handwash.ENOTFOUND, "%s does not exist: give the file haveibeenpwned-downloader wrote (pwnedpasswords.txt)", path)
		}
		return nil, handwash.Errorf(handwash.EINVALID, "%s cannot be read: %v", path, unwrapPath(err))
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, handwash.Errorf(handwash.EINVALID, "%s cannot be read: %v", path, unwrapPath(err))
	}
	if st.IsDir() {
		f.Close()
		o := &Offline{path: path, dir: true}
		if _, err := os.Stat(filepath.Join(path, "00000.txt")); err != nil {
			return nil, handwash.Errorf(handwash.EINVALID, "the folder %s does not look like a Pwned Passwords download: it has no 00000.txt. Give the folder haveibeenpwned-downloader wrote with -s false, or the single file it writes by default", path)
		}
		return o, nil
	}
	o := &Offline{path: path, r: f, closer: f, indexPath: path + IndexSuffix}
	mtime := st.ModTime().UnixNano()
	if !opts.Rebuild {
		if idx, err := readIndex(o.indexPath, st.Size(), mtime); err == nil {
			if opts.IndexBits == 0 || int(idx.bits) == opts.IndexBits {
				o.idx = idx
			} else {
				idx.close()
			}
		}
	}
	if o.idx == nil {
		sidecar := o.indexPath
		if opts.NoSave {
			sidecar = ""
		}
		idx, saveErr, err := buildIndex(f, path, st.Size(), mtime, opts, sidecar)
		if err == nil && idx == nil {
			// The index file could not be written as it was built (the
			// disk is full?): build it again in memory.
			idx, _, err = buildIndex(f, path, st.Size(), mtime, opts, "")
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		o.idx, o.indexBuilt, o.saveErr = idx, true, saveErr
	}
	return o, nil
}

// openOfflineReader indexes size bytes of r in memory, for tests.
func openOfflineReader(r io.ReaderAt, size int64, name string, opts OfflineOptions) (*Offline, error) {
	idx, _, err := buildIndex(r, name, size, 0, opts, "")
	if err != nil {
		return nil, err
	}
	return &Offline{path: name, r: r, idx: idx, indexBuilt: true}, nil
}

// Close closes the file and its index.
func (o *Offline) Close() error {
	if o.idx != nil {
		o.idx.close()
	}
	if o.closer == nil {
		return nil
	}
	return o.closer.Close()
}

// Hashes is how many hashes the file holds (0 for a folder, which is not
// counted).
func (o *Offline) Hashes() int64 {
	if o.idx == nil {
		return 0
	}
	return o.idx.hashes
}

// IndexPath is where the index is kept ("" for a folder).
func (o *Offline) IndexPath() string { return o.indexPath }

// IndexBuilt reports whether the index was built when the file was opened
// (there was none, it was out of date or damaged, or Rebuild was asked).
func (o *Offline) IndexBuilt() bool { return o.indexBuilt }

// IndexSaveError is why a built index could not be saved beside the file,
// or nil. Lookups work all the same, with an index in memory (at most 2^20
// blocks) or in a temporary file.
func (o *Offline) IndexSaveError() error { return o.saveErr }

// IndexBytes is the memory the index takes (0 when it is read from its
// file).
func (o *Offline) IndexBytes() int {
	if o.idx == nil {
		return 0
	}
	return 8 * len(o.idx.offsets)
}

// IndexBits is the number of hash bits the index splits the file by.
func (o *Offline) IndexBits() int {
	if o.idx == nil {
		return 0
	}
	return int(o.idx.bits)
}

// LookupPassword is Lookup for a password.
func (o *Offline) LookupPassword(pw string) (count int64, found bool, err error) {
	return o.Lookup(SHA1Hex(pw))
}

// Lookup returns how many times the password with this SHA-1 hash (40
// hexadecimal characters, either case) appears in the list.
func (o *Offline) Lookup(sha1hex string) (count int64, found bool, err error) {
	if !isHex(sha1hex, 40) {
		return 0, false, handwash.Errorf(handwash.EINVALID, "not a SHA-1 hash: want 40 hexadecimal characters")
	}
	var want [40]byte
	for i := 0; i < 40; i++ {
		want[i] = upper(sha1hex[i])
	}
	if o.dir {
		return o.lookupDir(want)
	}
	b := prefixBits(want[:], o.idx.bits)
	start, end, err := o.idx.block(b)
	if err != nil {
		return 0, false, o.changed(err)
	}
	if start == end {
		return 0, false, nil
	}
	n := int(end - start)
	bp, _ := o.pool.Get().(*[]byte)
	if bp == nil || cap(*bp) < n {
		buf := make([]byte, n, max(n, int(min(o.idx.maxBlock, 1<<20))))
		bp = &buf
	}
	defer o.pool.Put(bp)
	buf := (*bp)[:n]
	if _, err := o.r.ReadAt(buf, int64(start)); err != nil {
		return 0, false, o.changed(err)
	}
	// The block must start and end with hashes of this block: otherwise
	// the file or the index has changed.
	last := bytes.LastIndexByte(bytes.TrimRight(buf, "\r\n"), '\n') + 1
	if len(buf) < 42 || len(buf)-last < 42 || prefixBits(buf, o.idx.bits) != b || prefixBits(buf[last:], o.idx.bits) != b {
		return 0, false, o.changed(nil)
	}
	return o.search(buf, want[:])
}

// prefixBits is the first bits (at most 24) of a hash in hexadecimal.
func prefixBits(h []byte, n uint32) uint32 {
	p := uint32(0)
	for _, c := range h[:6] {
		p = p<<4 | uint32(hexVal(c))
	}
	return p >> (MaxIndexBits - n)
}

// search binary-searches a block of whole lines for the hash want.
func (o *Offline) search(buf, want []byte) (int64, bool, error) {
	lo, hi := 0, len(buf)
	for lo < hi {
		mid := lo + (hi-lo)/2
		ls := lo
		if i := bytes.LastIndexByte(buf[lo:mid], '\n'); i >= 0 {
			ls = lo + i + 1
		}
		le := len(buf)
		if i := bytes.IndexByte(buf[ls:], '\n'); i >= 0 {
			le = ls + i
		}
		line := bytes.TrimSuffix(buf[ls:le], []byte{'\r'})
		if len(line) < 42 || line[40] != ':' {
			return 0, false, o.changed(nil)
		}
		switch c := compareHash(line[:40], want); {
		case c == 0:
			_, count, err := parseCountLine(line, 40)
			if err != nil {
				return 0, false, o.changed(err)
			}
			return count, true, nil
		case c < 0:
			lo = le + 1
		default:
			hi = ls
		}
	}
	return 0, false, nil
}

func (o *Offline) changed(err error) error {
	return &handwash.Error{Code: handwash.EINVALID, Err: err,
		Message: fmt.Sprintf("%s has changed since it was indexed or is damaged: run handwash password index %s again (or download it again if that fails)", o.path, o.path)}
}

// lookupDir reads the per-prefix file of a downloaded folder.
func (o *Offline) lookupDir(want [40]byte) (int64, bool, error) {
	body, name, err := readPrefixFile(o.path, string(want[:5]))
	if err != nil {
		return 0, false, err
	}
	count, err := ParseRange(body, string(want[5:]))
	if err != nil {
		return 0, false, handwash.Errorf(handwash.EINVALID, "%s, %v: each line should be the 35 characters after the prefix, a colon and a count", name, err)
	}
	return count, count > 0, nil
}

// readPrefixFile reads the file of one prefix in a downloaded folder and
// returns it with its name.
func readPrefixFile(dir, prefix string) ([]byte, string, error) {
	name := filepath.Join(dir, prefix+".txt")
	f, err := os.Open(name)
	if errors.Is(err, os.ErrNotExist) {
		f, err = os.Open(filepath.Join(dir, strings.ToLower(prefix)+".txt"))
	}
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, name, handwash.Errorf(handwash.EINVALID, "%s is missing, so the download in %s is not complete: run haveibeenpwned-downloader again", name, dir)
		}
		return nil, name, handwash.Errorf(handwash.EINVALID, "%s cannot be read: %v", name, unwrapPath(err))
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, maxRangeFile+1))
	if err != nil {
		return nil, name, handwash.Errorf(handwash.EINVALID, "%s cannot be read: %v", name, err)
	}
	if len(body) > maxRangeFile {
		return nil, name, handwash.Errorf(handwash.ETOOLARGE, "%s is over %d MB, which no Pwned Passwords range is", name, maxRangeFile>>20)
	}
	return bytes.TrimPrefix(body, utf8BOM), name, nil
}

// offlineIndex is where each block of hashes starts: offset b is the first
// line whose hash's top bits are at least b, and offset 2^bits is the end
// of the last line. The offsets are in memory, or read from file.
type offlineIndex struct {
	bits     uint32
	size     int64
	mtime    int64
	start    int64
	hashes   int64
	maxBlock int64
	offsets  []uint64
	file     *os.File
	temp     string // a temporary index file to remove on close
}

func (x *offlineIndex) block(b uint32) (start, end uint64, err error) {
	if x.offsets != nil {
		return x.offsets[b], x.offsets[b+1], nil
	}
	var buf [16]byte
	if _, err := x.file.ReadAt(buf[:], headerSize+8*int64(b)); err != nil {
		return 0, 0, err
	}
	start, end = binary.LittleEndian.Uint64(buf[:]), binary.LittleEndian.Uint64(buf[8:])
	if start > end || end > uint64(x.size) || int64(end-start) > x.maxBlock {
		return 0, 0, errors.New("index offsets out of range")
	}
	return start, end, nil
}

func (x *offlineIndex) close() {
	if x.file != nil {
		x.file.Close()
		x.file = nil
	}
	if x.temp != "" {
		os.Remove(x.temp)
	}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// autoBits is the index bits for about blockTarget hashes a block.
func autoBits(hashes int64) uint32 {
	if hashes < 1 {
		return 1
	}
	return min(max(uint32(bits.Len64(uint64(hashes-1)/blockTarget)), 1), MaxIndexBits)
}

// offsetSink takes the offsets of an index in order: into memory, or
// into an index file as they come, so that building the index of a
// billion hashes needs no more memory than the file's buffer.
type offsetSink struct {
	mem      []uint64
	f        *os.File
	w        *bufio.Writer
	crc      uint32
	prev     uint64
	n        int64
	maxBlock int64
	buf      [8]byte
}

func (s *offsetSink) add(off uint64) error {
	if s.n > 0 {
		s.maxBlock = max(s.maxBlock, int64(off-s.prev))
	}
	s.prev = off
	s.n++
	if s.f == nil {
		s.mem = append(s.mem, off)
		return nil
	}
	binary.LittleEndian.PutUint64(s.buf[:], off)
	s.crc = crc32.Update(s.crc, castagnoli, s.buf[:])
	_, err := s.w.Write(s.buf[:])
	return err
}

// buildIndex reads the whole file once, checking every line, and records
// where each block starts. With sidecar set, the index is saved there (an
// index over memIndexBits is written as it is built). Besides the index,
// or an error in the file, it returns why the index could not be saved;
// when an index over memIndexBits failed part way, the index is nil.
func buildIndex(r io.ReaderAt, path string, size, mtime int64, opts OfflineOptions, sidecar string) (idx *offlineIndex, saveErr, err error) {
	if size == 0 {
		return nil, nil, handwash.Errorf(handwash.EINVALID, "%s is empty: %s", path, fileFormat)
	}
	b := uint32(opts.IndexBits)
	if b == 0 {
		b = autoBits(size / estLineBytes)
	}
	sink := &offsetSink{}
	if b > memIndexBits && sidecar != "" {
		sink.f, saveErr = os.CreateTemp(filepath.Dir(sidecar), "."+filepath.Base(sidecar)+".*")
		if saveErr == nil {
			defer func() {
				if sink.f != nil { // not handed over: failed
					sink.f.Close()
					os.Remove(sink.f.Name())
				}
			}()
			if _, saveErr = sink.f.Write(make([]byte, headerSize)); saveErr != nil {
				return nil, saveErr, nil
			}
			sink.w = bufio.NewWriterSize(sink.f, 1<<20)
		} else {
			sink.f = nil
		}
	}
	if b > memIndexBits && sink.f == nil {
		b = memIndexBits
	}
	if sink.f == nil {
		sink.mem = make([]uint64, 0, (1<<b)+1)
	}

	br := bufio.NewReaderSize(io.NewSectionReader(r, 0, size), 1<<20)
	var (
		off, start, end int64
		next            uint32 // the next block whose start is not yet known
		prev            [40]byte
		lineNo, hashes  int64
		blankLine       int64
		lastReport      int64
	)
	if head, _ := br.Peek(3); bytes.Equal(head, utf8BOM) {
		br.Discard(3)
		off, start, end = 3, 3, 3
	}
	if opts.Progress != nil {
		opts.Progress(0, size)
	}
	for {
		line, rerr := br.ReadSlice('\n')
		if rerr == bufio.ErrBufferFull {
			return nil, nil, lineError(path, lineNo+1, "the line is far too long", false)
		}
		if len(line) == 0 && rerr == io.EOF {
			break
		}
		if rerr != nil && rerr != io.EOF {
			return nil, nil, handwash.Errorf(handwash.EINVALID, "%s cannot be read: %v", path, rerr)
		}
		lineNo++
		lineStart := off
		off += int64(len(line))
		last := rerr == io.EOF // no line ending: the last line
		text := bytes.TrimSuffix(bytes.TrimSuffix(line, []byte{'\n'}), []byte{'\r'})
		if len(text) < 42 && len(bytes.TrimSpace(text)) == 0 {
			if blankLine == 0 {
				blankLine = lineNo
			}
			if last {
				break
			}
			continue
		}
		if blankLine != 0 {
			return nil, nil, lineError(path, blankLine, "the line is empty", false)
		}
		hash, _, perr := parseCountLine(text, 40)
		if perr != nil {
			return nil, nil, lineError(path, lineNo, perr.Error(), last)
		}
		var h [40]byte
		for i, c := range hash {
			h[i] = upper(c)
		}
		if hashes > 0 {
			if c := bytes.Compare(h[:], prev[:]); c <= 0 {
				what := "is out of order"
				if c == 0 {
					what = "repeats the hash of the line before"
				}
				return nil, nil, lineError(path, lineNo, "the hash "+what+": the lines must be sorted by hash, each hash once", false)
			}
		}
		prev = h
		hashes++
		end = off
		for p := prefixBits(h[:], b); next <= p; next++ {
			if err := sink.add(uint64(lineStart)); err != nil {
				return nil, err, nil
			}
		}
		if opts.Progress != nil && off-lastReport >= 64<<20 {
			lastReport = off
			opts.Progress(off, size)
		}
		if last {
			break
		}
	}
	if hashes == 0 {
		return nil, nil, handwash.Errorf(handwash.EINVALID, "%s holds no hashes: %s", path, fileFormat)
	}
	for ; next <= 1<<b; next++ {
		if err := sink.add(uint64(end)); err != nil {
			return nil, err, nil
		}
	}
	if opts.Progress != nil {
		opts.Progress(size, size)
	}
	if sink.maxBlock > maxBlock {
		return nil, nil, handwash.Errorf(handwash.EINVALID, "%s has over %d MB of hashes that share their first %d bits, which a list of SHA-1 hashes does not: %s", path, maxBlock>>20, b, fileFormat)
	}
	idx = &offlineIndex{bits: b, size: size, mtime: mtime, start: start, hashes: hashes, maxBlock: sink.maxBlock, offsets: sink.mem}
	switch {
	case sink.f != nil:
		return finishIndexFile(idx, sink, sidecar)
	case sidecar != "" && saveErr == nil:
		saveErr = writeIndex(sidecar, idx)
	}
	return idx, saveErr, nil
}

// finishIndexFile completes an index written as it was built, renames it
// into place and opens it for lookups. If it cannot be renamed, the
// temporary file serves until Close removes it.
func finishIndexFile(idx *offlineIndex, sink *offsetSink, sidecar string) (*offlineIndex, error, error) {
	f := sink.f
	if err := sink.w.Flush(); err != nil {
		return nil, err, nil
	}
	if _, err := f.WriteAt(indexHeader(idx, sink.crc), 0); err != nil {
		return nil, err, nil
	}
	if err := f.Chmod(0o644); err != nil { // the index is no secret
		return nil, err, nil
	}
	if err := f.Close(); err != nil {
		return nil, err, nil
	}
	sink.f = nil // handed over
	var saveErr error
	name := sidecar
	if saveErr = os.Rename(f.Name(), sidecar); saveErr != nil {
		name, idx.temp = f.Name(), f.Name()
	}
	rf, err := os.Open(name)
	if err != nil {
		os.Remove(f.Name())
		return nil, nil, fmt.Errorf("open the index just written: %w", err)
	}
	idx.file = rf
	return idx, saveErr, nil
}

func lineError(path string, line int64, msg string, last bool) error {
	if last {
		return handwash.Errorf(handwash.EINVALID, "%s, line %d (the last): %s. The file looks cut short: was the download interrupted? Download it again", path, line, msg)
	}
	return handwash.Errorf(handwash.EINVALID, "%s, line %d: %s; %s", path, line, msg, fileFormat)
}

// The index file: a header, and the 2^bits+1 offsets (little-endian
// uint64). The header holds a CRC-32C of the offsets and one of itself.
const (
	indexMagic   = "HWPWIDX\n"
	indexVersion = 1
	headerSize   = 8 + 4 + 4 + 8*5 + 4 + 4
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func indexHeader(idx *offlineIndex, offsetsCRC uint32) []byte {
	h := make([]byte, headerSize)
	copy(h, indexMagic)
	le := binary.LittleEndian
	le.PutUint32(h[8:], indexVersion)
	le.PutUint32(h[12:], idx.bits)
	for i, v := range []int64{idx.size, idx.mtime, idx.start, idx.hashes, idx.maxBlock} {
		le.PutUint64(h[16+8*i:], uint64(v))
	}
	le.PutUint32(h[56:], offsetsCRC)
	le.PutUint32(h[60:], crc32.Checksum(h[:60], castagnoli))
	return h
}

// writeIndex saves an index held in memory.
func writeIndex(path string, idx *offlineIndex) error {
	body := make([]byte, 0, 8*len(idx.offsets))
	for _, o := range idx.offsets {
		body = binary.LittleEndian.AppendUint64(body, o)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(indexHeader(idx, crc32.Checksum(body, castagnoli)), body...)); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil { // the index is no secret
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// readIndex opens an index file, returning an error if it is missing,
// damaged, or was made for another size or modification time of the file.
// An index of up to memIndexBits is read into memory, its checksum
// checked; a bigger one is kept open for lookups to read.
func readIndex(path string, size, mtime int64) (idx *offlineIndex, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil || idx.file == nil {
			f.Close()
		}
	}()
	head := make([]byte, headerSize)
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	if string(head[:8]) != indexMagic || le.Uint32(head[8:]) != indexVersion || crc32.Checksum(head[:60], castagnoli) != le.Uint32(head[60:]) {
		return nil, errors.New("not an index of this version")
	}
	idx = &offlineIndex{bits: le.Uint32(head[12:])}
	v := make([]int64, 5)
	for i := range v {
		v[i] = int64(le.Uint64(head[16+8*i:]))
	}
	idx.size, idx.mtime, idx.start, idx.hashes, idx.maxBlock = v[0], v[1], v[2], v[3], v[4]
	if idx.bits < 1 || idx.bits > MaxIndexBits || idx.maxBlock < 0 || idx.maxBlock > maxBlock {
		return nil, errors.New("bad header")
	}
	if idx.size != size || idx.mtime != mtime {
		return nil, errors.New("made for another version of the file")
	}
	n := int64(1)<<idx.bits + 1
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() != headerSize+8*n {
		return nil, errors.New("wrong length")
	}
	if idx.bits > memIndexBits {
		idx.file = f
		return idx, nil
	}
	body := make([]byte, 8*n)
	if _, err := io.ReadFull(f, body); err != nil {
		return nil, err
	}
	if crc32.Checksum(body, castagnoli) != le.Uint32(head[56:]) {
		return nil, errors.New("checksum mismatch")
	}
	idx.offsets = make([]uint64, n)
	var big int64
	for i := range idx.offsets {
		idx.offsets[i] = le.Uint64(body[8*i:])
		if idx.offsets[i] > uint64(size) || i > 0 && idx.offsets[i] < idx.offsets[i-1] {
			return nil, errors.New("offsets out of range")
		}
		if i > 0 {
			big = max(big, int64(idx.offsets[i]-idx.offsets[i-1]))
		}
	}
	if big != idx.maxBlock {
		return nil, errors.New("bad block size")
	}
	return idx, nil
}

// compareHash compares a hash from the file (either case) with want
// (upper case).
func compareHash(line, want []byte) int {
	for i := 0; i < 40; i++ {
		a, b := upper(line[i]), want[i]
		if a != b {
			if a < b {
				return -1
			}
			return 1
		}
	}
	return 0
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

func hexVal(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return 0
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
