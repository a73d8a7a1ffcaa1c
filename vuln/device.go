package vuln

import (
	"strings"

	"github.com/handwash/handwash"
)

// DeviceEcosystem is the OSV ecosystem of a device's distribution packages
// and the package manager they come from, from its os-release ID and
// VERSION_ID: Debian 12 is Debian:12, Ubuntu 24.04 is Ubuntu:24.04 (which
// covers OSV's Ubuntu:24.04:LTS), Alpine 3.20.3 is Alpine:v3.20, Rocky
// Linux and AlmaLinux 9.4 are their ecosystems' release 9. ok is false for
// distributions OSV has no advisories for, or Handwash does not compare.
func DeviceEcosystem(os *handwash.OSFacts) (eco Ecosystem, manager string, ok bool) {
	if os == nil || os.Version == "" {
		return Ecosystem{}, "", false
	}
	major, rest, _ := strings.Cut(os.Version, ".")
	minor, _, _ := strings.Cut(rest, ".")
	switch os.ID {
	case "debian":
		return Ecosystem{Name: "Debian", Release: major}, "dpkg", true
	case "ubuntu":
		return Ecosystem{Name: "Ubuntu", Release: os.Version}, "dpkg", true
	case "alpine":
		if minor == "" {
			return Ecosystem{}, "", false
		}
		return Ecosystem{Name: "Alpine", Release: "v" + major + "." + minor}, "apk", true
	case "rocky":
		return Ecosystem{Name: "Rocky Linux", Release: major}, "rpm", true
	case "almalinux":
		return Ecosystem{Name: "AlmaLinux", Release: major}, "rpm", true
	}
	return Ecosystem{}, "", false
}
