package vuln

import "github.com/handwash/handwash/vercmp"

// Scheme is a way of ordering versions.
type Scheme string

// The version schemes Handwash compares.
const (
	SchemeDeb Scheme = "deb" // dpkg: Debian, Ubuntu
	SchemeRPM Scheme = "rpm" // rpm: Red Hat, Rocky Linux, AlmaLinux, SUSE
	SchemeAPK Scheme = "apk" // apk: Alpine
)

// Compare orders two versions by the scheme's rules: -1, 0 or 1.
func (s Scheme) Compare(a, b string) int {
	switch s {
	case SchemeDeb:
		return vercmp.Deb(a, b)
	case SchemeRPM:
		return vercmp.EVR(a, b)
	case SchemeAPK:
		return vercmp.APK(a, b)
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
