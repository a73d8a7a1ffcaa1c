// Command winedll writes the stand-in bcryptprimitives.dll that lets Go
// programs start under Wine 8.0, for scripts/wine-setup.
//
// Since Go 1.22 the runtime of a Windows program loads bcryptprimitives.dll
// and calls its ProcessPrng for random bytes. Wine added that DLL only in
// 8.13, so on Debian 12's Wine 8.0 every Go binary stops at start. The
// stand-in holds no code: its one export, ProcessPrng, forwards to
// advapi32.SystemFunction036 (RtlGenRandom), which takes the same
// arguments (buffer, length) and returns non-zero on success.
//
// It writes a PE file by hand, with encoding/binary and debug/pe's header
// types, so no C compiler or mingw is needed. It is not part of the
// handwash binary.
//
// Usage:
//
//	go run ./scripts/winedll -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
)

func main() {
	out := flag.String("o", "bcryptprimitives.dll", "where to write the DLL")
	flag.Parse()
	if err := os.WriteFile(*out, forwarderDLL("bcryptprimitives.dll", "ProcessPrng", "advapi32.SystemFunction036"), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "winedll:", err)
		os.Exit(1)
	}
}

// Layout: headers in the first 0x200 bytes of the file; one read-only
// section at RVA 0x1000 holding the export directory, then an empty base
// relocation block so the loader may place the DLL at any address.
const (
	fileAlign    = 0x200
	sectionAlign = 0x1000
	sectionRVA   = 0x1000
	imageBase    = 0x180000000
)

// forwarderDLL builds a 64-bit DLL named dll whose only export, name,
// forwards to target ("module.Function").
func forwarderDLL(dll, name, target string) []byte {
	// The section: IMAGE_EXPORT_DIRECTORY (40 bytes), the function,
	// name and ordinal tables with one entry each, the strings, and a
	// relocation block.
	const (
		offFuncs    = 40
		offNames    = offFuncs + 4
		offOrdinals = offNames + 4
		offStrings  = offOrdinals + 2
	)
	offDLLName := offStrings
	offName := offDLLName + len(dll) + 1
	offTarget := offName + len(name) + 1
	exportSize := offTarget + len(target) + 1
	offReloc := (exportSize + 3) &^ 3
	const relocSize = 8

	var sec bytes.Buffer
	le := func(v any) { binary.Write(&sec, binary.LittleEndian, v) }
	le(struct {
		Characteristics, TimeDateStamp                       uint32
		MajorVersion, MinorVersion                           uint16
		Name, Base, NumberOfFunctions, NumberOfNames         uint32
		AddressOfFunctions, AddressOfNames, AddressOfOrdinal uint32
	}{
		Name: uint32(sectionRVA + offDLLName), Base: 1, NumberOfFunctions: 1, NumberOfNames: 1,
		AddressOfFunctions: sectionRVA + offFuncs, AddressOfNames: sectionRVA + offNames, AddressOfOrdinal: sectionRVA + offOrdinals,
	})
	// An export whose address falls inside the export directory is a
	// forwarder: the address is that of the "module.Function" string.
	le(uint32(sectionRVA + offTarget))
	le(uint32(sectionRVA + offName))
	le(uint16(0))
	for _, s := range []string{dll, name, target} {
		sec.WriteString(s)
		sec.WriteByte(0)
	}
	for sec.Len() < offReloc {
		sec.WriteByte(0)
	}
	// IMAGE_BASE_RELOCATION with no entries: nothing needs fixing up.
	le(struct{ VirtualAddress, SizeOfBlock uint32 }{sectionRVA, relocSize})
	virtualSize := uint32(sec.Len())
	for sec.Len()%fileAlign != 0 {
		sec.WriteByte(0)
	}

	var dirs [16]pe.DataDirectory
	dirs[pe.IMAGE_DIRECTORY_ENTRY_EXPORT] = pe.DataDirectory{VirtualAddress: sectionRVA, Size: uint32(exportSize)}
	dirs[pe.IMAGE_DIRECTORY_ENTRY_BASERELOC] = pe.DataDirectory{VirtualAddress: uint32(sectionRVA + offReloc), Size: relocSize}
	opt := pe.OptionalHeader64{
		Magic:                       0x20b, // PE32+
		MajorLinkerVersion:          14,
		SizeOfInitializedData:       uint32(sec.Len()),
		ImageBase:                   imageBase,
		SectionAlignment:            sectionAlign,
		FileAlignment:               fileAlign,
		MajorOperatingSystemVersion: 6,
		MajorSubsystemVersion:       6,
		SizeOfImage:                 sectionRVA + (virtualSize+sectionAlign-1)&^(sectionAlign-1),
		SizeOfHeaders:               fileAlign,
		Subsystem:                   pe.IMAGE_SUBSYSTEM_WINDOWS_GUI,
		DllCharacteristics:          pe.IMAGE_DLLCHARACTERISTICS_DYNAMIC_BASE | pe.IMAGE_DLLCHARACTERISTICS_NX_COMPAT,
		SizeOfStackReserve:          1 << 20,
		SizeOfStackCommit:           4 << 10,
		SizeOfHeapReserve:           1 << 20,
		SizeOfHeapCommit:            4 << 10,
		NumberOfRvaAndSizes:         16,
		DataDirectory:               dirs,
	}
	fh := pe.FileHeader{
		Machine:              pe.IMAGE_FILE_MACHINE_AMD64,
		NumberOfSections:     1,
		SizeOfOptionalHeader: uint16(binary.Size(opt)),
		Characteristics:      pe.IMAGE_FILE_EXECUTABLE_IMAGE | pe.IMAGE_FILE_LARGE_ADDRESS_AWARE | pe.IMAGE_FILE_DLL,
	}
	sh := pe.SectionHeader32{
		Name:             [8]byte{'.', 'r', 'd', 'a', 't', 'a'},
		VirtualSize:      virtualSize,
		VirtualAddress:   sectionRVA,
		SizeOfRawData:    uint32(sec.Len()),
		PointerToRawData: fileAlign,
		Characteristics:  pe.IMAGE_SCN_CNT_INITIALIZED_DATA | pe.IMAGE_SCN_MEM_READ,
	}

	var f bytes.Buffer
	w := func(v any) { binary.Write(&f, binary.LittleEndian, v) }
	// The DOS header: "MZ", and at 0x3c where the PE header starts.
	dos := make([]byte, 0x40)
	copy(dos, "MZ")
	binary.LittleEndian.PutUint32(dos[0x3c:], 0x40)
	f.Write(dos)
	f.WriteString("PE\x00\x00")
	w(fh)
	w(opt)
	w(sh)
	for f.Len() < fileAlign {
		f.WriteByte(0)
	}
	f.Write(sec.Bytes())
	return f.Bytes()
}
