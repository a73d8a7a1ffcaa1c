// Package gunzip decompresses gzip data held in memory, as the server
// holds uploads and stored Facts, into buffers it reuses: each is as large
// as a device's Facts, and the server decompresses hundreds a second.
package gunzip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// What can go wrong: ErrNotGzip and ErrDamaged come as an *Error with
// the detail.
var (
	ErrNotGzip  = errors.New("not gzip-compressed")
	ErrDamaged  = errors.New("damaged or cut short")
	ErrTooLarge = errors.New("larger than the limit once decompressed")
)

// Error is ErrNotGzip or ErrDamaged (Kind) with what the decompressor
// said (Err).
type Error struct {
	Kind, Err error
}

func (e *Error) Error() string   { return e.Kind.Error() + ": " + e.Err.Error() }
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Err} }

// maxKept is the largest buffer kept for reuse; a rare larger one is left
// to the garbage collector.
const maxKept = 4 << 20

type state struct {
	zr  *gzip.Reader
	out []byte
}

var pool = sync.Pool{New: func() any { return new(state) }}

// Use decompresses b, refusing more than limit bytes, and calls use with
// the result, which is valid only until use returns: copy what must be
// kept. It returns use's error, or one wrapping ErrNotGzip, ErrDamaged or
// ErrTooLarge.
func Use(b []byte, limit int64, use func(raw []byte) error) error {
	s := pool.Get().(*state)
	defer pool.Put(s)
	var err error
	if s.zr == nil {
		s.zr, err = gzip.NewReader(bytes.NewReader(b))
	} else {
		err = s.zr.Reset(bytes.NewReader(b))
	}
	if err != nil {
		return &Error{ErrNotGzip, err}
	}
	// The last four bytes give the (last member's) size: room for that at
	// once, and growth only for a stream of several members. The sender
	// chooses those bytes, so no more than JSON compresses by.
	if len(b) >= 4 {
		size := min(int64(binary.LittleEndian.Uint32(b[len(b)-4:])), 32*int64(len(b)), limit) + bytes.MinRead
		if int64(cap(s.out)) < size {
			s.out = make([]byte, 0, size)
		}
	}
	out := bytes.NewBuffer(s.out[:0])
	n, err := out.ReadFrom(io.LimitReader(s.zr, limit+1))
	if out.Cap() <= maxKept {
		s.out = out.Bytes()[:0]
	} else {
		s.out = nil
	}
	switch {
	case err != nil:
		return &Error{ErrDamaged, err}
	case n > limit:
		return ErrTooLarge
	}
	return use(out.Bytes())
}
