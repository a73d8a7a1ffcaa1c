package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"fmt"
)

// Resource types (winuser.h).
const (
	rtIcon      = 3
	rtGroupIcon = 14
	rtVersion   = 16
)

// peResources reads the resources of a PE file's .rsrc section, by type ID,
// with the standard library only, so that the test does not take the word
// of the library that wrote them.
func peResources(f *pe.File) (map[uint32][][]byte, error) {
	sec := f.Section(".rsrc")
	if sec == nil {
		return nil, fmt.Errorf("no .rsrc section")
	}
	data, err := sec.Data()
	if err != nil {
		return nil, err
	}
	u16 := func(off uint32) (uint32, error) {
		if int(off)+2 > len(data) {
			return 0, fmt.Errorf("offset %d outside the section", off)
		}
		return uint32(binary.LittleEndian.Uint16(data[off:])), nil
	}
	u32 := func(off uint32) (uint32, error) {
		if int(off)+4 > len(data) {
			return 0, fmt.Errorf("offset %d outside the section", off)
		}
		return binary.LittleEndian.Uint32(data[off:]), nil
	}
	// entries lists a directory's entries: each name or ID and its offset.
	type entry struct{ id, offset uint32 }
	entries := func(dir uint32) ([]entry, error) {
		named, err := u16(dir + 12)
		if err != nil {
			return nil, err
		}
		ids, err := u16(dir + 14)
		if err != nil {
			return nil, err
		}
		var out []entry
		for i := range named + ids {
			id, err := u32(dir + 16 + 8*i)
			if err != nil {
				return nil, err
			}
			off, err := u32(dir + 16 + 8*i + 4)
			if err != nil {
				return nil, err
			}
			out = append(out, entry{id, off})
		}
		return out, nil
	}
	const subdir = 0x80000000
	res := map[uint32][][]byte{}
	types, err := entries(0)
	if err != nil {
		return nil, err
	}
	for _, typ := range types {
		if typ.offset&subdir == 0 {
			return nil, fmt.Errorf("type %d is not a directory", typ.id)
		}
		names, err := entries(typ.offset &^ subdir)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			langs, err := entries(name.offset &^ subdir)
			if err != nil {
				return nil, err
			}
			for _, lang := range langs {
				rva, err := u32(lang.offset)
				if err != nil {
					return nil, err
				}
				size, err := u32(lang.offset + 4)
				if err != nil {
					return nil, err
				}
				start := rva - sec.VirtualAddress
				if int(start)+int(size) > len(data) {
					return nil, fmt.Errorf("resource of type %d is outside the section", typ.id)
				}
				res[typ.id] = append(res[typ.id], data[start:start+size])
			}
		}
	}
	return res, nil
}

// fixedVersions reads the file and product versions from a VS_VERSIONINFO
// resource's VS_FIXEDFILEINFO.
func fixedVersions(vi []byte) (file, product [4]uint16, err error) {
	sig := binary.LittleEndian.AppendUint32(nil, 0xFEEF04BD)
	i := bytes.Index(vi, sig)
	if i < 0 || i+24 > len(vi) {
		return file, product, fmt.Errorf("no VS_FIXEDFILEINFO")
	}
	w := func(off int) uint32 { return binary.LittleEndian.Uint32(vi[i+off:]) }
	split := func(ms, ls uint32) [4]uint16 {
		return [4]uint16{uint16(ms >> 16), uint16(ms), uint16(ls >> 16), uint16(ls)}
	}
	return split(w(8), w(12)), split(w(16), w(20)), nil
}

// utf16le is s as Windows stores it in a resource.
func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(r))
	}
	return b
}
