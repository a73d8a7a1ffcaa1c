package web

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent/release"
)

// releaseFolder writes release binaries (random bytes) and, where sign,
// their signatures, and returns the folder and each binary's content.
func releaseFolder(t *testing.T, files map[string]bool) (string, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	bins := map[string][]byte{}
	for name, sign := range files {
		b := make([]byte, 1000+len(name))
		rand.Read(b)
		bins[name] = b
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o755); err != nil {
			t.Fatal(err)
		}
		if sign {
			sum := sha256.Sum256(b)
			sig := base64.StdEncoding.EncodeToString(ed25519.Sign(priv, sum[:])) + "\n"
			if err := os.WriteFile(filepath.Join(dir, name+".sig"), []byte(sig), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir, bins
}

func TestReleaseOffer(t *testing.T) {
	dir, bins := releaseFolder(t, map[string]bool{
		"handwash_1.9.2_linux_amd64":            true,
		"handwash_1.10.0_linux_amd64":           true,
		"handwash_1.11.0_linux_amd64":           false, // no signature: passed over
		"handwash_1.10.0_linux_arm64":           true,
		"handwash_2.0.0-rc.1_windows_amd64.exe": true,
		"handwash_dev_linux_amd64":              true, // not a version: ignored
	})
	os.WriteFile(filepath.Join(dir, "README.txt"), []byte("release notes"), 0o644)
	// A signature that is not one is passed over too.
	os.WriteFile(filepath.Join(dir, "handwash_1.12.0_linux_amd64"), []byte("binary"), 0o755)
	os.WriteFile(filepath.Join(dir, "handwash_1.12.0_linux_amd64.sig"), []byte("not a signature\n"), 0o644)

	e := newEnvConfig(t, Config{ReleasesDir: dir})
	tn := e.tenancy()
	_, cred := e.enroll(tn.a, "RECEPTION-PC")

	var o release.Offer
	e.do("GET", "/api/v1/agent/release?os=linux&arch=amd64", cred, nil).want(http.StatusOK).decode(&o)
	want := bins["handwash_1.10.0_linux_amd64"]
	sum := sha256.Sum256(want)
	sig, _ := os.ReadFile(filepath.Join(dir, "handwash_1.10.0_linux_amd64.sig"))
	if o.Version != "1.10.0" || o.OS != "linux" || o.Arch != "amd64" || o.Size != int64(len(want)) || o.SHA256 != hex.EncodeToString(sum[:]) ||
		o.Signature != strings.TrimSpace(string(sig)) || o.URL != "/api/v1/agent/releases/handwash_1.10.0_linux_amd64" {
		t.Errorf("offer %+v", o)
	}
	for _, w := range []string{"no signature file handwash_1.11.0_linux_amd64.sig", "handwash_1.12.0_linux_amd64", "signature file is malformed"} {
		if !strings.Contains(e.logs.String(), w) {
			t.Errorf("the log does not say why a release was passed over (%s): %s", w, e.logs.String())
		}
	}

	// Semantic order: 1.10.0 is newer than 1.9.2; nothing is newer than itself.
	e.do("GET", "/api/v1/agent/release?os=linux&arch=amd64&version=1.9.2", cred, nil).want(http.StatusOK)
	for _, v := range []string{"1.10.0", "v1.10.0", "1.10.1", "2.0.0"} {
		res := e.do("GET", "/api/v1/agent/release?os=linux&arch=amd64&version="+v, cred, nil).want(http.StatusNoContent)
		if len(res.body) != 0 {
			t.Errorf("204 with a body: %s", res.body)
		}
	}
	e.do("GET", "/api/v1/agent/release?os=windows&arch=amd64&version=1.10.0", cred, nil).want(http.StatusOK).decode(&o)
	if o.Version != "2.0.0-rc.1" || !strings.HasSuffix(o.URL, ".exe") {
		t.Errorf("windows offer %+v", o)
	}
	e.do("GET", "/api/v1/agent/release?os=darwin&arch=arm64", cred, nil).want(http.StatusNoContent)

	for _, c := range []struct{ query, field string }{
		{"arch=amd64", "os"},
		{"os=linux", "arch"},
		{"os=Linux&arch=amd64", "os"},
		{"os=linux&arch=../x", "arch"},
		{"os=linux&arch=amd64&version=dev", "version"},
		{"os=linux&arch=amd64&channel=beta", "channel"},
		{"os=linux&os=windows&arch=amd64", "os"},
	} {
		e.do("GET", "/api/v1/agent/release?"+c.query, cred, nil).wantError(http.StatusBadRequest, handwash.EINVALID, c.field)
	}
	// Management credentials are not devices.
	e.do("GET", "/api/v1/agent/release?os=linux&arch=amd64", tn.tokens["P admin"], nil).wantError(http.StatusUnauthorized, handwash.EUNAUTHORIZED)
	e.do("GET", "/api/v1/agent/release?os=linux&arch=amd64", "", nil).wantError(http.StatusUnauthorized, handwash.EUNAUTHORIZED)
}

func TestReleaseDownload(t *testing.T) {
	dir, bins := releaseFolder(t, map[string]bool{
		"handwash_1.10.0_linux_amd64":       true,
		"handwash_1.10.0_windows_amd64.exe": false,
	})
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("not for devices"), 0o600)
	if err := os.Symlink(outside, filepath.Join(dir, "handwash_3.0.0_linux_amd64")); err != nil {
		t.Fatal(err)
	}
	e := newEnvConfig(t, Config{ReleasesDir: dir})
	tn := e.tenancy()
	_, cred := e.enroll(tn.a, "RECEPTION-PC")

	for name, b := range bins {
		res := e.do("GET", "/api/v1/agent/releases/"+name, cred, nil).want(http.StatusOK)
		if string(res.body) != string(b) {
			t.Errorf("%s: the body differs from the file (%d bytes, want %d)", name, len(res.body), len(b))
		}
		if res.header.Get("Content-Length") != strconv.Itoa(len(b)) || res.header.Get("Content-Type") != "application/octet-stream" {
			t.Errorf("%s: headers %v", name, res.header)
		}
	}
	// The offer's URL is where the binary is.
	var o release.Offer
	e.do("GET", "/api/v1/agent/release?os=linux&arch=amd64", cred, nil).want(http.StatusOK).decode(&o)
	if res := e.do("GET", o.URL, cred, nil).want(http.StatusOK); string(res.body) != string(bins["handwash_1.10.0_linux_amd64"]) {
		t.Error("the offer's URL does not serve its binary")
	}
	for _, name := range []string{
		"handwash_9.9.9_linux_amd64",          // not there
		"handwash_1.10.0_linux_amd64.sig",     // not a release name
		"handwash_3.0.0_linux_amd64",          // a link out of the folder
		"..%2F..%2Fetc%2Fpasswd",              // not a release name
		"handwash_1.10.0_linux_amd64%2F..%2F", // not a release name
	} {
		res := e.do("GET", "/api/v1/agent/releases/"+name, cred, nil)
		res.wantError(http.StatusNotFound, handwash.ENOTFOUND)
		if strings.Contains(string(res.body), "not for devices") {
			t.Errorf("%s: served a file outside the folder", name)
		}
	}
	e.do("GET", "/api/v1/agent/releases/handwash_1.10.0_linux_amd64", "", nil).wantError(http.StatusUnauthorized, handwash.EUNAUTHORIZED)
	e.do("GET", "/api/v1/agent/releases/handwash_1.10.0_linux_amd64", tn.tokens["P admin"], nil).wantError(http.StatusUnauthorized, handwash.EUNAUTHORIZED)
}

// Without a releases folder there is never anything to update to.
func TestReleaseNone(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	_, cred := e.enroll(tn.a, "RECEPTION-PC")
	e.do("GET", "/api/v1/agent/release?os=linux&arch=amd64", cred, nil).want(http.StatusNoContent)
	e.do("GET", "/api/v1/agent/releases/handwash_1.10.0_linux_amd64", cred, nil).wantError(http.StatusNotFound, handwash.ENOTFOUND)
}
