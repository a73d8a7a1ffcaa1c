package packaging

import (
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
	"github.com/goreleaser/nfpm/v2/rpm"

	"github.com/handwash/handwash/agent"
)

// Where the Linux packages put things.
const (
	// BinaryPath is the handwash program.
	BinaryPath = "/usr/bin/handwash"
	// ConfigDir is the agent's folder: its configuration (with the
	// device's credential), state and spool. Root's alone (0700).
	ConfigDir = "/etc/handwash"
	// DebUnitPath is the agent's unit in the .deb: Debian's folder for
	// units that packages install.
	DebUnitPath = "/lib/systemd/system/" + agent.SystemdUnitName
	// RPMUnitPath is the agent's unit in the .rpm. On Fedora, RHEL and
	// SUSE /lib is a link to /usr/lib, which rpm would refuse to replace
	// with a folder, so the unit goes where their own packages put units.
	RPMUnitPath = "/usr/lib/systemd/system/" + agent.SystemdUnitName
)

// Formats are the Linux package formats, in the order they are built.
var Formats = []string{"deb", "rpm"}

// LinuxArches are the architectures (Go's names) Linux packages are made for.
var LinuxArches = []string{"amd64", "arm64"}

// unitHeader replaces the first line of the agent's unit, which says that
// 'handwash agent install' wrote it.
const unitHeader = "# Installed by the handwash package; removing the package removes it."

// SystemdUnit is the agent's unit as the packages install it: the unit
// 'handwash agent install' writes for /usr/bin/handwash, with the first
// comment saying that the package installed it, and self-update off,
// since the package manager owns the program and updates it.
func SystemdUnit() string {
	u := agent.SystemdUnit(BinaryPath, "")
	if first, rest, ok := strings.Cut(u, "\n"); ok && strings.HasPrefix(first, "# Written by 'handwash agent install'") {
		u = unitHeader + "\n" + rest
	}
	return strings.Replace(u, "[Service]\n", "[Service]\nEnvironment="+agent.SelfUpdateEnv+"=off\n", 1)
}

//go:embed scripts
var scripts embed.FS

// Script returns a maintainer script: format is deb or rpm, name is the
// file in scripts/ (postinst, prerm, postrm; post, preun, postun).
func Script(format, name string) (string, error) {
	b, err := scripts.ReadFile("scripts/" + format + "/" + name)
	return string(b), err
}

// scriptNames are each format's scripts for install, before removal and
// after removal.
var scriptNames = map[string][3]string{
	"deb": {"postinst", "prerm", "postrm"},
	"rpm": {"post", "preun", "postun"},
}

// Linux is one Linux package to build.
type Linux struct {
	// Version is the release, such as 1.2.3 or 1.2.3-rc.1.
	Version string
	// Arch is the architecture in Go's words: amd64 or arm64.
	Arch string
	// Binary is the handwash program built for linux and Arch.
	Binary string
}

func (p Linux) check(format string) (Version, error) {
	if _, ok := scriptNames[format]; !ok {
		return Version{}, fmt.Errorf("no Linux package format %q (there are %s)", format, strings.Join(Formats, " and "))
	}
	v, err := ParseVersion(p.Version)
	if err != nil {
		return Version{}, err
	}
	if p.Arch != "amd64" && p.Arch != "arm64" {
		return Version{}, fmt.Errorf("no Linux packages are made for %q (only amd64 and arm64)", p.Arch)
	}
	return v, nil
}

// info describes the package to nfpm. The unit and the scripts are
// written to dir, since nfpm reads them from files.
func (p Linux) info(format, dir string) (*nfpm.Info, error) {
	v, err := p.check(format)
	if err != nil {
		return nil, err
	}
	unit := filepath.Join(dir, agent.SystemdUnitName)
	if err := os.WriteFile(unit, []byte(SystemdUnit()), 0o644); err != nil {
		return nil, err
	}
	var paths [3]string
	for i, name := range scriptNames[format] {
		s, err := Script(format, name)
		if err != nil {
			return nil, err
		}
		paths[i] = filepath.Join(dir, format+"-"+name)
		if err := os.WriteFile(paths[i], []byte(s), 0o755); err != nil {
			return nil, err
		}
	}
	unitPath := DebUnitPath
	if format == "rpm" {
		unitPath = RPMUnitPath
	}
	mtime := buildTime()
	root := func(mode os.FileMode) *files.ContentFileInfo {
		return &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode, MTime: mtime}
	}
	info := &nfpm.Info{
		Name:        Name,
		Arch:        p.Arch,
		Platform:    "linux",
		Version:     v.String(),
		Section:     "admin",
		Priority:    "optional",
		Maintainer:  Maintainer,
		Description: Description,
		Vendor:      Vendor,
		Homepage:    Homepage,
		License:     Licence,
		Overridables: nfpm.Overridables{
			Contents: files.Contents{
				{Source: p.Binary, Destination: BinaryPath, FileInfo: root(0o755)},
				{Source: unit, Destination: unitPath, FileInfo: root(0o644)},
				{Destination: ConfigDir, Type: files.TypeDir, FileInfo: root(0o700)},
			},
			Scripts: nfpm.Scripts{PostInstall: paths[0], PreRemove: paths[1], PostRemove: paths[2]},
			// A fixed build host, rather than this machine's name, keeps
			// the package the same wherever it is built.
			RPM: nfpm.RPM{Summary: Summary, Group: "Applications/System", BuildHost: "localhost"},
		},
		// Globbing would read characters such as [ in the binary's path as
		// patterns.
		DisableGlobbing: true,
		MTime:           mtime,
	}
	if format == "rpm" {
		// RPM shows the summary above the description: no need to repeat it.
		_, info.Description, _ = strings.Cut(Description, "\n")
	}
	return nfpm.WithDefaults(info), nil
}

// buildTime is the date of everything in the Linux packages:
// SOURCE_DATE_EPOCH (seconds since 1970) when it is set, so that the same
// binaries make the same packages, otherwise now.
func buildTime() time.Time {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC()
		}
	}
	return time.Now().UTC().Truncate(time.Second)
}

// Build writes the package in format (deb or rpm) to w.
func (p Linux) Build(format string, w io.Writer) error {
	if err := CheckBinary(p.Binary, "linux", p.Arch); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "handwash-package-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	info, err := p.info(format, dir)
	if err != nil {
		return err
	}
	var packager nfpm.Packager = deb.Default
	if format == "rpm" {
		packager = rpm.DefaultRPM
	}
	if err := packager.Package(info, w); err != nil {
		return fmt.Errorf("making the %s package: %w", format, err)
	}
	return nil
}

// FileName is the package's conventional file name, such as
// handwash_1.2.3_amd64.deb or handwash-1.2.3-1.x86_64.rpm.
func (p Linux) FileName(format string) (string, error) {
	v, err := p.check(format)
	if err != nil {
		return "", err
	}
	info := nfpm.WithDefaults(&nfpm.Info{Name: Name, Arch: p.Arch, Platform: "linux", Version: v.String()})
	if format == "rpm" {
		return rpm.DefaultRPM.ConventionalFileName(info), nil
	}
	return deb.Default.ConventionalFileName(info), nil
}

// Write builds the package in format into dir, under its conventional
// name, and returns the file's path. A package that could not be built
// leaves no file behind.
func (p Linux) Write(format, dir string) (string, error) {
	name, err := p.FileName(format)
	if err != nil {
		return "", err
	}
	return writeFile(filepath.Join(dir, name), func(w io.Writer) error { return p.Build(format, w) })
}

// writeFile writes path through a temporary file beside it, renamed into
// place once whole.
func writeFile(path string, write func(io.Writer) error) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return "", err
	}
	return path, nil
}
