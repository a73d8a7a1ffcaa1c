package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"testing"
)

// TestForwarderDLL reads the DLL back the way a loader does: the export
// directory must name one function, ProcessPrng, whose address lies inside
// the directory and so is read as the forwarder string.
func TestForwarderDLL(t *testing.T) {
	b := forwarderDLL("bcryptprimitives.dll", "ProcessPrng", "advapi32.SystemFunction036")
	f, err := pe.NewFile(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 || f.Characteristics&pe.IMAGE_FILE_DLL == 0 {
		t.Errorf("machine %#x, characteristics %#x: want an AMD64 DLL", f.Machine, f.Characteristics)
	}
	opt, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		t.Fatalf("optional header %T, want PE32+", f.OptionalHeader)
	}
	if len(f.Sections) != 1 {
		t.Fatalf("%d sections, want 1", len(f.Sections))
	}
	sec := f.Sections[0]
	data, err := sec.Data()
	if err != nil {
		t.Fatal(err)
	}
	if opt.SizeOfImage < sec.VirtualAddress+sec.VirtualSize || opt.SizeOfImage%opt.SectionAlignment != 0 {
		t.Errorf("SizeOfImage %#x does not cover the section", opt.SizeOfImage)
	}
	at := func(rva uint32) []byte {
		t.Helper()
		if rva < sec.VirtualAddress || rva >= sec.VirtualAddress+sec.VirtualSize {
			t.Fatalf("RVA %#x outside the section", rva)
		}
		return data[rva-sec.VirtualAddress:]
	}
	cstr := func(rva uint32) string {
		b := at(rva)
		return string(b[:bytes.IndexByte(b, 0)])
	}
	dir := opt.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
	e := at(dir.VirtualAddress)
	u32 := func(off int) uint32 { return binary.LittleEndian.Uint32(e[off:]) }
	if got := cstr(u32(12)); got != "bcryptprimitives.dll" {
		t.Errorf("DLL name %q", got)
	}
	if base, funcs, names := u32(16), u32(20), u32(24); base != 1 || funcs != 1 || names != 1 {
		t.Errorf("base %d, %d functions, %d names; want 1, 1, 1", base, funcs, names)
	}
	name := cstr(binary.LittleEndian.Uint32(at(u32(32))))
	ordinal := binary.LittleEndian.Uint16(at(u32(36)))
	fn := binary.LittleEndian.Uint32(at(u32(28))[4*ordinal:])
	if name != "ProcessPrng" {
		t.Errorf("export name %q", name)
	}
	if fn < dir.VirtualAddress || fn >= dir.VirtualAddress+dir.Size {
		t.Fatalf("export address %#x is outside the export directory, so not a forwarder", fn)
	}
	if got := cstr(fn); got != "advapi32.SystemFunction036" {
		t.Errorf("forwards to %q", got)
	}
	reloc := opt.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_BASERELOC]
	if r := at(reloc.VirtualAddress); reloc.Size != 8 || binary.LittleEndian.Uint32(r[4:]) != 8 {
		t.Errorf("relocation block %+v", reloc)
	}
}
