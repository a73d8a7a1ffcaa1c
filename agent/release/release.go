// Package release is what the agent and the server agree on about release
// builds of handwash: how a release binary is named, how versions compare,
// what the server offers an agent, and how a binary's signature is checked.
// It uses the standard library only, so the server can share it without
// taking in the agent.
//
// A release binary is named handwash_<version>_<os>_<arch>, with .exe on
// Windows, where os and arch are Go's names (linux, darwin, windows; amd64,
// arm64 …). Beside it, <binary>.sig holds its signature: the Ed25519
// signature over the 32-byte SHA-256 digest of the binary, in standard
// base64 on one line. The public key is built into the agent; the server
// never holds the private key and never signs anything.
package release

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// MaxSize is the largest release binary an agent downloads or a server
// offers. Handwash is a few tens of megabytes; this leaves room to grow
// and bounds what a misbehaving server can make an agent write.
const MaxSize = 200 << 20

// Offer is the server's answer to GET /api/v1/agent/release: the newest
// release for a device's operating system and architecture.
type Offer struct {
	Version string `json:"version"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
	// SHA256 is the binary's SHA-256 digest, in lower-case hex.
	SHA256 string `json:"sha256"`
	// Size is the binary's length in bytes.
	Size int64 `json:"size"`
	// Signature is the content of the .sig file: base64 of the Ed25519
	// signature over the digest.
	Signature string `json:"signature"`
	// URL is the binary's path on the same server, under /api/v1/.
	URL string `json:"url"`
}

// Name is what a release binary's file name says.
type Name struct {
	Version string
	OS      string
	Arch    string
}

const prefix = "handwash_"

// FileName returns the file name of a release binary.
func FileName(version, goos, goarch string) string {
	n := prefix + version + "_" + goos + "_" + goarch
	if goos == "windows" {
		n += ".exe"
	}
	return n
}

// ParseName reads a release binary's file name. It accepts only names
// FileName could have made, with a valid version and plain os and arch
// words, so a name it accepts is safe to use as a path in a folder.
func ParseName(file string) (Name, bool) {
	rest, ok := strings.CutPrefix(file, prefix)
	if !ok {
		return Name{}, false
	}
	exe := strings.HasSuffix(rest, ".exe")
	rest = strings.TrimSuffix(rest, ".exe")
	parts := strings.Split(rest, "_")
	if len(parts) != 3 {
		return Name{}, false
	}
	n := Name{Version: parts[0], OS: parts[1], Arch: parts[2]}
	if !ValidVersion(n.Version) || !ValidPlatformWord(n.OS) || !ValidPlatformWord(n.Arch) || exe != (n.OS == "windows") {
		return Name{}, false
	}
	return n, true
}

// ValidPlatformWord reports whether s can be an operating system or
// architecture name as Go spells them: 1 to 16 lower-case letters and digits.
func ValidPlatformWord(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// version is a parsed semantic version (semver.org), without build
// metadata, which does not take part in ordering.
type version struct {
	core [3]uint64
	pre  []string
}

// parseVersion reads MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], with an
// optional leading v, as release tags are often written.
func parseVersion(s string) (version, bool) {
	var v version
	s = strings.TrimPrefix(s, "v")
	if len(s) > 64 {
		return v, false
	}
	if i := strings.IndexByte(s, '+'); i >= 0 {
		if !identifiers(s[i+1:], false) {
			return v, false
		}
		s = s[:i]
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		if !identifiers(s[i+1:], true) {
			return v, false
		}
		v.pre = strings.Split(s[i+1:], ".")
		s = s[:i]
	}
	nums := strings.Split(s, ".")
	if len(nums) != 3 {
		return v, false
	}
	for i, n := range nums {
		if !numeric(n) || (len(n) > 1 && n[0] == '0') || len(n) > 9 {
			return v, false
		}
		for _, c := range n {
			v.core[i] = v.core[i]*10 + uint64(c-'0')
		}
	}
	return v, true
}

// identifiers checks dot-separated prerelease or build identifiers:
// [0-9A-Za-z-], none empty, and for prereleases no leading zero in a
// numeric one.
func identifiers(s string, pre bool) bool {
	for _, id := range strings.Split(s, ".") {
		if id == "" {
			return false
		}
		for _, c := range id {
			if (c < '0' || c > '9') && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && c != '-' {
				return false
			}
		}
		if pre && numeric(id) && len(id) > 1 && id[0] == '0' {
			return false
		}
	}
	return true
}

func numeric(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ValidVersion reports whether s is a semantic version such as 1.10.0,
// v1.10.0 or 1.11.0-rc.1.
func ValidVersion(s string) bool {
	_, ok := parseVersion(s)
	return ok
}

// Compare orders two versions as semantic versions: -1 when a is older
// than b, 0 when they are the same release, +1 when a is newer. So 1.10.0
// is newer than 1.9.2, and 1.10.0-rc.1 is older than 1.10.0. A version
// that is not valid is older than any valid one (two invalid ones are
// equal), so it is never chosen over a release.
func Compare(a, b string) int {
	va, oka := parseVersion(a)
	vb, okb := parseVersion(b)
	switch {
	case !oka && !okb:
		return 0
	case !oka:
		return -1
	case !okb:
		return 1
	}
	for i := range va.core {
		if va.core[i] != vb.core[i] {
			return order(va.core[i], vb.core[i])
		}
	}
	// A version with a prerelease is older than the same one without.
	switch {
	case len(va.pre) == 0 && len(vb.pre) == 0:
		return 0
	case len(va.pre) == 0:
		return 1
	case len(vb.pre) == 0:
		return -1
	}
	for i := 0; i < len(va.pre) && i < len(vb.pre); i++ {
		x, y := va.pre[i], vb.pre[i]
		if x == y {
			continue
		}
		nx, ny := numeric(x), numeric(y)
		switch {
		case nx && ny:
			if len(x) != len(y) {
				return order(len(x), len(y))
			}
			return strings.Compare(x, y)
		case nx:
			return -1 // numeric identifiers are older than words
		case ny:
			return 1
		}
		return strings.Compare(x, y)
	}
	return order(len(va.pre), len(vb.pre))
}

func order[T int | uint64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ParsePublicKey reads an Ed25519 public key written as standard base64
// of its 32 bytes.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != ed25519.PublicKeySize {
		return nil, errors.New("the release public key is not the standard base64 of a 32-byte Ed25519 key")
	}
	return ed25519.PublicKey(b), nil
}

// ParseSignature reads a signature file's content: standard base64 of a
// 64-byte Ed25519 signature, on one line.
func ParseSignature(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "\r\n") {
		return nil, errors.New("the signature is more than one line")
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != ed25519.SignatureSize {
		return nil, fmt.Errorf("the signature is not the standard base64 of a %d-byte Ed25519 signature", ed25519.SignatureSize)
	}
	return b, nil
}

// ErrBadSignature says a signature is well-formed but was not made with
// the release key over this binary.
var ErrBadSignature = errors.New("signature does not match")

// Verify checks that signature (as in a .sig file) is the release key's
// signature over digest, the SHA-256 of a binary.
func Verify(key ed25519.PublicKey, digest [sha256.Size]byte, signature string) error {
	sig, err := ParseSignature(signature)
	if err != nil {
		return err
	}
	if !ed25519.Verify(key, digest[:], sig) {
		return ErrBadSignature
	}
	return nil
}
