// Package packaging builds the packages that install Handwash: a .deb and
// an .rpm for Linux (with nfpm, as a library) and an MSI for Windows (with
// wixl, from msitools). Each installs the handwash program and registers
// the agent as a service; none starts the agent before the computer is
// enrolled with a Handwash server.
//
// The service is the one 'handwash agent install' creates: the Linux
// packages carry the unit from agent.SystemdUnit, and the MSI registers the
// service named, described and started as agent.WindowsServiceFor says.
// Everything is built on Linux; the handwash binaries come from the release
// build. packaging/cmd/pkg is the command that calls this package, and
// packaging/README.md says how people install what it makes.
package packaging

import (
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"fmt"
	"regexp"
	"strconv"
)

// What every package says about itself.
const (
	// Name is the package's name (and the program's).
	Name = "handwash"
	// Maintainer is who answers for the packages, as Debian writes it.
	Maintainer = "Handwash <dev@handwash.invalid>"
	// Vendor is the organisation named as publisher.
	Vendor = "Handwash"
	// Homepage is where people read about Handwash.
	Homepage = "https://github.com/handwash/handwash"
	// Licence is the package's licence field. The repository declares no
	// licence yet; this says so rather than claim one.
	Licence = "Not yet declared (see https://github.com/handwash/handwash)"
	// Summary is the one-line description.
	Summary = "Cyber hygiene checks and reporting agent for care providers"
)

// Description is the long description of the Linux packages, in plain
// English for whoever installs them.
const Description = Summary + `
Handwash checks a computer against the NCSC Small Business Guide and Cyber
Essentials and says in plain English what to fix first. This package
installs the handwash program and the handwash-agent service, which reports
the computer's state to your organisation's Handwash server.

The service stays off until the computer is enrolled. As root, run
'handwash agent enroll --server URL --token TOKEN', then
'systemctl enable --now handwash-agent'.`

// versionPattern is a release version: 1.2.3, with an optional leading v,
// pre-release (-rc.1) and build metadata (+abc).
var versionPattern = regexp.MustCompile(`^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$`)

// Version is a release version, split.
type Version struct {
	Major, Minor, Patch int
	// Prerelease is what follows the hyphen ("rc.1"), if anything.
	Prerelease string
	// Metadata is what follows the plus sign, if anything.
	Metadata string
}

// ParseVersion reads a release version such as 1.2.3, v1.2.3 or
// 1.2.3-rc.1.
func ParseVersion(s string) (Version, error) {
	m := versionPattern.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("version %q is not a release version such as 1.2.3 (or 1.2.3-rc.1)", s)
	}
	var v Version
	for i, p := range []*int{&v.Major, &v.Minor, &v.Patch} {
		n, err := strconv.Atoi(m[i+1])
		if err != nil {
			return Version{}, fmt.Errorf("version %q: %v", s, err)
		}
		*p = n
	}
	v.Prerelease, v.Metadata = m[4], m[5]
	return v, nil
}

// String writes the version without a leading v.
func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Prerelease != "" {
		s += "-" + v.Prerelease
	}
	if v.Metadata != "" {
		s += "+" + v.Metadata
	}
	return s
}

// CheckBinary makes sure that path is a handwash program built for goos
// and goarch (linux or windows; amd64 or arm64), so that a package never
// carries a program that cannot run where it installs.
func CheckBinary(path, goos, goarch string) error {
	var got string
	switch goos {
	case "linux":
		f, err := elf.Open(path)
		if err != nil {
			return fmt.Errorf("%s is not a Linux program: %w", path, err)
		}
		defer f.Close()
		switch f.Machine {
		case elf.EM_X86_64:
			got = "amd64"
		case elf.EM_AARCH64:
			got = "arm64"
		default:
			got = f.Machine.String()
		}
	case "windows":
		f, err := pe.Open(path)
		if err != nil {
			return fmt.Errorf("%s is not a Windows program: %w", path, err)
		}
		defer f.Close()
		switch f.Machine {
		case pe.IMAGE_FILE_MACHINE_AMD64:
			got = "amd64"
		case pe.IMAGE_FILE_MACHINE_ARM64:
			got = "arm64"
		default:
			got = fmt.Sprintf("machine %#x", f.Machine)
		}
	case "darwin":
		f, err := macho.Open(path)
		if err != nil {
			return fmt.Errorf("%s is not a macOS program: %w", path, err)
		}
		defer f.Close()
		switch f.Cpu {
		case macho.CpuAmd64:
			got = "amd64"
		case macho.CpuArm64:
			got = "arm64"
		default:
			got = f.Cpu.String()
		}
	default:
		return fmt.Errorf("no packages are made for %s", goos)
	}
	if got != goarch {
		return fmt.Errorf("%s is a %s/%s program, not %s/%s", path, goos, got, goos, goarch)
	}
	return nil
}
