package release

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"testing"
)

func TestCompare(t *testing.T) {
	// Each is older than the next (semver.org's own example, and ours).
	ordered := []string{
		"0.9.9",
		"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0",
		"1.2.0", "1.9.2", "1.10.0-rc.1", "1.10.0", "1.10.1", "2.0.0", "10.0.0",
	}
	for i := range ordered {
		for j := range ordered {
			want := order(i, j)
			if got := Compare(ordered[i], ordered[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"v1.2.3", "1.2.3", 0},
		{"1.2.3+build.5", "1.2.3", 0},
		{"1.2.3", "dev", 1},
		{"abc1234", "1.0.0", -1},
		{"dev", "abc1234", 0},
	} {
		if got := Compare(c.a, c.b); got != c.want {
			t.Errorf("Compare(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestValidVersion(t *testing.T) {
	for _, v := range []string{"1.2.3", "v0.0.1", "1.2.3-rc.1", "1.2.3+abc", "1.2.3-rc.1+abc.def"} {
		if !ValidVersion(v) {
			t.Errorf("%q refused", v)
		}
	}
	for _, v := range []string{"", "1", "1.2", "1.2.3.4", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3-a..b", "1.2.3+", "1.2.3-a_b", "1.2.x", "dev", "abc1234-dirty", "1.2.3/../x", "9999999999.0.0"} {
		if ValidVersion(v) {
			t.Errorf("%q accepted", v)
		}
	}
}

func TestNames(t *testing.T) {
	for _, c := range []struct{ version, os, arch, file string }{
		{"1.2.3", "linux", "amd64", "handwash_1.2.3_linux_amd64"},
		{"1.10.0-rc.1", "darwin", "arm64", "handwash_1.10.0-rc.1_darwin_arm64"},
		{"v2.0.0", "windows", "386", "handwash_v2.0.0_windows_386.exe"},
	} {
		if got := FileName(c.version, c.os, c.arch); got != c.file {
			t.Errorf("FileName = %q, want %q", got, c.file)
		}
		n, ok := ParseName(c.file)
		if !ok || n != (Name{c.version, c.os, c.arch}) {
			t.Errorf("ParseName(%q) = %+v, %v", c.file, n, ok)
		}
	}
	for _, bad := range []string{
		"handwash_1.2.3_linux_amd64.sig", "handwash_1.2.3_linux_amd64.exe", "handwash_1.2.3_windows_amd64",
		"handwash_1.2.3_linux", "handwash_1.2.3_linux_amd64_extra", "handwash_dev_linux_amd64", "handwash_1.2.3_Linux_amd64",
		"handwash_1.2.3_linux_../x", "../handwash_1.2.3_linux_amd64", "handwash_1.2.3_linux_amd64/x", "other_1.2.3_linux_amd64",
		"handwash_1.2.3__amd64", ".handwash_1.2.3_linux_amd64",
	} {
		if n, ok := ParseName(bad); ok {
			t.Errorf("ParseName(%q) accepted: %+v", bad, n)
		}
	}
}

func TestVerify(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	digest := sha256.Sum256([]byte("a release"))
	sig := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, digest[:]))
	if err := Verify(pub, digest, sig+"\n"); err != nil {
		t.Errorf("good signature: %v", err)
	}
	if err := Verify(other, digest, sig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("another key: %v", err)
	}
	flipped := digest
	flipped[0] ^= 1
	if err := Verify(pub, flipped, sig); !errors.Is(err, ErrBadSignature) {
		t.Errorf("another binary: %v", err)
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString([]byte("short")), sig + "\n" + sig} {
		if err := Verify(pub, digest, bad); err == nil || errors.Is(err, ErrBadSignature) {
			t.Errorf("malformed %q: %v", bad, err)
		}
	}
	k, err := ParsePublicKey(base64.StdEncoding.EncodeToString(pub))
	if err != nil || !k.Equal(pub) {
		t.Errorf("ParsePublicKey: %v", err)
	}
	for _, bad := range []string{"", "xyz", base64.StdEncoding.EncodeToString(pub[:31])} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted", bad)
		}
	}
}
