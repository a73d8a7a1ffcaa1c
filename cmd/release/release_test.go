package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"debug/pe"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"image/color"
	"image/png"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	agentrelease "github.com/handwash/handwash/agent/release"
)

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want release
		ok   bool
	}{
		{"1.2.3", release{Version: "1.2.3", Numeric: [4]uint16{1, 2, 3, 0}}, true},
		{"v1.2.3", release{Version: "1.2.3", Numeric: [4]uint16{1, 2, 3, 0}}, true},
		{"1.3.0-rc.1", release{Version: "1.3.0-rc.1", Numeric: [4]uint16{1, 3, 0, 0}, Prerelease: true}, true},
		{"2.0.0+20261125", release{Version: "2.0.0+20261125", Numeric: [4]uint16{2, 0, 0, 0}}, true},
		{"1.2", release{}, false},
		{"01.2.3", release{}, false},
		{"1.2.3 ", release{}, false},
		{"1.2.3-", release{}, false},
		{"1.70000.0", release{}, false},
		{"1.2.3 -X main.commit=x", release{}, false},
	} {
		got, err := parseVersion(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("parseVersion(%q) error = %v, want ok %v", tc.in, err, tc.ok)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("parseVersion(%q) (-want +got):\n%s", tc.in, diff)
		}
		// The agent must accept every name the release build writes.
		if tc.ok && !agentrelease.ValidVersion(got.Version) {
			t.Errorf("the agent does not accept version %q", got.Version)
		}
	}
}

func TestParseTargets(t *testing.T) {
	got, err := parseTargets(" windows/amd64, linux/amd64 ,windows/amd64")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]target{{"windows", "amd64"}, {"linux", "amd64"}}, got); diff != "" {
		t.Errorf("parseTargets (-want +got):\n%s", diff)
	}
	all, err := parseTargets(allTargetsFlag())
	if err != nil || len(all) != 6 {
		t.Errorf("the default targets: %v, %v", all, err)
	}
	for _, bad := range []string{"", "linux", "plan9/amd64", "linux/386", ","} {
		if _, err := parseTargets(bad); err == nil {
			t.Errorf("parseTargets(%q) accepted", bad)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct {
		t          target
		bin, sbom  string
		wantExeExt bool
	}{
		{target{"linux", "arm64"}, "handwash_1.2.3_linux_arm64", "handwash_1.2.3_linux_arm64.cdx.json", false},
		{target{"windows", "amd64"}, "handwash_1.2.3_windows_amd64.exe", "handwash_1.2.3_windows_amd64.cdx.json", true},
	} {
		if got := tc.t.binaryName("1.2.3"); got != tc.bin {
			t.Errorf("binaryName = %q, want %q", got, tc.bin)
		}
		if got := tc.t.sbomName("1.2.3"); got != tc.sbom {
			t.Errorf("sbomName = %q, want %q", got, tc.sbom)
		}
		// The agent and the server find releases by this name.
		if got := agentrelease.FileName("1.2.3", tc.t.OS, tc.t.Arch); got != tc.bin {
			t.Errorf("the agent names the %s binary %q, the release build %q", tc.t, got, tc.bin)
		}
	}
}

func TestSigningKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "release.key")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"--gen-key", path}, noEnv, &out, &out); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	key, err := readSigningKey(path)
	if err != nil {
		t.Fatal(err)
	}
	pub := base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
	if !strings.Contains(out.String(), "\n"+pub+"\n") {
		t.Errorf("--gen-key did not print the public key %s:\n%s", pub, out.String())
	}
	if err := run(context.Background(), []string{"--gen-key", path}, noEnv, &out, &out); err == nil {
		t.Error("--gen-key overwrote an existing key")
	}

	// Both forms of the key, with or without a final newline.
	seed := key.Seed()
	for _, text := range []string{
		base64.StdEncoding.EncodeToString(seed),
		base64.StdEncoding.EncodeToString(key) + "\n",
	} {
		got, err := parseSigningKey(text)
		if err != nil || !got.Equal(key) {
			t.Errorf("parseSigningKey(%q) = %v", text, err)
		}
	}
	other := ed25519.NewKeyFromSeed(make([]byte, 32))
	mismatched := append(slices.Clone(key[:32]), other[32:]...)
	for name, text := range map[string]string{
		"not base64":    "not base64!",
		"wrong length":  base64.StdEncoding.EncodeToString(make([]byte, 16)),
		"halves differ": base64.StdEncoding.EncodeToString(mismatched),
	} {
		if _, err := parseSigningKey(text); err == nil {
			t.Errorf("%s: parseSigningKey accepted %q", name, text)
		}
	}

	// A signature verifies for its file only, as the agent checks it.
	d := sha256.Sum256([]byte("a binary"))
	sig := signature(key, d)
	if err := agentrelease.Verify(key.Public().(ed25519.PublicKey), d, sig); err != nil {
		t.Errorf("the agent rejects the signature: %v", err)
	}
	if strings.Count(sig, "\n") != 1 || !strings.HasSuffix(sig, "\n") {
		t.Errorf("signature %q is not one line", sig)
	}
	d[0] ^= 1
	if verifySignature(key.Public().(ed25519.PublicKey), d, sig) {
		t.Error("a signature verified for another digest")
	}
}

func TestLdflags(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	s := source{Commit: "0123abc", Modified: true, Date: time.Unix(1764000000, 0).UTC()}
	got := ldflags(release{Version: "1.2.3"}, s, key.Public().(ed25519.PublicKey))
	want := "-s -w -X main.version=1.2.3 -X main.commit=0123abc-modified -X main.date=2025-11-24T16:00:00Z" +
		" -X github.com/handwash/handwash/agent.ReleasePublicKey=" + base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
	if got != want {
		t.Errorf("ldflags =\n%s\nwant\n%s", got, want)
	}
	if got := ldflags(release{Version: "1.2.3"}, source{Date: s.Date}, nil); strings.Contains(got, "ReleasePublicKey") {
		t.Errorf("without a key, ldflags set the release key: %s", got)
	}
}

func TestBuildEnv(t *testing.T) {
	env := buildEnv([]string{"HOME=/root", "GOFLAGS=-race", "GOAMD64=v3", "CGO_CFLAGS=-O3", "GOOS=plan9", "GOTOOLCHAIN=go1.26.8"}, target{"windows", "arm64"})
	want := []string{"HOME=/root", "GOTOOLCHAIN=go1.26.8", "GOOS=windows", "GOARCH=arm64", "CGO_ENABLED=0", "GOFLAGS="}
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("buildEnv (-want +got):\n%s", diff)
	}
}

func TestPurl(t *testing.T) {
	for _, tc := range []struct{ path, version, want string }{
		{"github.com/CycloneDX/cyclonedx-go", "v0.12.0", "pkg:golang/github.com/CycloneDX/cyclonedx-go@v0.12.0?type=module"},
		{"gopkg.in/ini.v1", "v1.67.3", "pkg:golang/gopkg.in/ini.v1@v1.67.3?type=module"},
		{"github.com/old/thing", "v2.0.0+incompatible", "pkg:golang/github.com/old/thing@v2.0.0%2Bincompatible?type=module"},
	} {
		if got := purl(tc.path, tc.version, "type=module"); got != tc.want {
			t.Errorf("purl(%q, %q) = %q, want %q", tc.path, tc.version, got, tc.want)
		}
	}
}

func TestDrawIcon(t *testing.T) {
	for _, size := range iconSizes {
		img := drawIcon(size)
		if got := img.Bounds().Size(); got.X != size || got.Y != size {
			t.Fatalf("icon %d is %v", size, got)
		}
		// Transparent outside the rounded corner, NHS blue in the drop,
		// white between the drop and the edge.
		if a := img.NRGBAAt(0, 0).A; a != 0 {
			t.Errorf("icon %d: corner alpha %d, want 0", size, a)
		}
		if got := img.NRGBAAt(size/2, size*3/4); got != nhsBlue {
			t.Errorf("icon %d: drop colour %v, want %v", size, got, nhsBlue)
		}
		if got := img.NRGBAAt(size/8, size/2); got != (color.NRGBA{0xff, 0xff, 0xff, 0xff}) {
			t.Errorf("icon %d: background %v, want white", size, got)
		}
	}
	// Drawn the same every time: the Windows binaries depend on it.
	if !bytes.Equal(drawIcon(48).Pix, drawIcon(48).Pix) {
		t.Error("the icon differs between two drawings")
	}
}

// TestWindowsResourceObject checks the .syso the build places: a COFF
// object for the right machine with one .rsrc section.
func TestWindowsResourceObject(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, mainPackage), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		arch    string
		machine uint16
	}{{"amd64", pe.IMAGE_FILE_MACHINE_AMD64}, {"arm64", pe.IMAGE_FILE_MACHINE_ARM64}} {
		tg := target{"windows", tc.arch}
		remove, err := placeResources(root, tg, release{Version: "1.2.3", Numeric: [4]uint16{1, 2, 3, 0}})
		if err != nil {
			t.Fatal(err)
		}
		path := resourceFile(root, tg)
		f, err := pe.Open(path)
		if err != nil {
			t.Fatalf("%s is not a COFF object: %v", path, err)
		}
		if f.Machine != tc.machine || len(f.Sections) != 1 || f.Sections[0].Name != ".rsrc" {
			t.Errorf("%s: machine %#x, sections %d, want %#x and one .rsrc", tc.arch, f.Machine, len(f.Sections), tc.machine)
		}
		f.Close()
		if _, err := placeResources(root, tg, release{Version: "1.2.3"}); err == nil {
			t.Errorf("placeResources overwrote %s", path)
		}
		remove()
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s is still there after remove: %v", path, err)
		}
	}
}

func TestRemoveStaleResources(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, mainPackage)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, "rsrc_windows_amd64.syso")
	if err := os.WriteFile(stale, []byte("left by a killed build"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := removeStaleResources(context.Background(), root, &out); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale resource file is still there: %v", err)
	}
	if !strings.Contains(out.String(), "rsrc_windows_amd64.syso") {
		t.Errorf("removing it was not reported: %q", out.String())
	}
	if err := os.WriteFile(filepath.Join(dir, "other.syso"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := removeStaleResources(context.Background(), root, &out); err == nil || !strings.Contains(err.Error(), "other.syso") {
		t.Errorf("another .syso file: error %v, want one naming it", err)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--version", "one"},
		{"--version", "1.2.3", "--targets", "plan9/amd64"},
		{"--version", "1.2.3", "--windows-cert", "cert.pem"},
		{"--version", "1.2.3", "extra"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), args, noEnv, &out, &out)
		var u usageError
		if !errors.As(err, &u) {
			t.Errorf("run %q: error %v, want a usage error", args, err)
		}
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"--version", "1.2.3"}, func(k string) string {
		if k == "HANDWASH_SIGNING_KEY" {
			return "not a key"
		}
		return ""
	}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "HANDWASH_SIGNING_KEY") {
		t.Errorf("a bad HANDWASH_SIGNING_KEY: error %v, want one naming it", err)
	}
}

func noEnv(string) string { return "" }

// sourceDateEpoch is the build date of the test's releases: 2025-11-24 16:00 UTC.
const sourceDateEpoch = "1764000000"

// TestReleaseBuild builds a release for Linux and Windows on amd64, twice,
// and checks what a person downloading it, the agent updating to it and a
// vulnerability scanner reading its SBOM rely on.
func TestReleaseBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds handwash four times (about 20 s with a warm build cache, a few minutes without): skipped with -short")
	}
	tmp := t.TempDir()
	keyFile := filepath.Join(tmp, "release.key")
	var keyOut bytes.Buffer
	if err := run(context.Background(), []string{"--gen-key", keyFile}, noEnv, &keyOut, &keyOut); err != nil {
		t.Fatal(err)
	}
	key, err := readSigningKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	pub := key.Public().(ed25519.PublicKey)

	args := []string{"--version", "1.2.3", "--targets", "linux/amd64,windows/amd64", "--signing-key", keyFile,
		// The test runs in whatever state the checkout is in.
		"--allow-dirty"}
	var certFile string
	if _, err := exec.LookPath("osslsigncode"); err == nil {
		var keyPEM string
		certFile, keyPEM = codeSigningCert(t, tmp)
		args = append(args, "--windows-cert", certFile, "--windows-key", keyPEM)
	} else if os.Getenv("HANDWASH_TEST_ALL") != "" {
		t.Fatal("osslsigncode is not installed (apt-get install osslsigncode), and HANDWASH_TEST_ALL is set")
	} else {
		t.Log("osslsigncode is not installed: the Windows binary is not Authenticode-signed in this test; set HANDWASH_TEST_ALL=1 to make this a failure")
	}
	env := func(k string) string {
		if k == "SOURCE_DATE_EPOCH" {
			return sourceDateEpoch
		}
		return ""
	}
	// build builds the release into out and returns the commit it says it
	// was built from.
	build := func(out string) (commit string) {
		t.Helper()
		var log bytes.Buffer
		start := time.Now()
		if err := run(context.Background(), append([]string{"--out", out}, args...), env, &log, &log); err != nil {
			t.Fatalf("release build: %v\n%s", err, log.String())
		}
		t.Logf("release build into %s took %s:\n%s", filepath.Base(out), time.Since(start).Round(time.Millisecond), log.String())
		_, after, _ := strings.Cut(log.String(), " from commit ")
		commit, _, _ = strings.Cut(after, " ")
		return commit
	}
	dist := filepath.Join(tmp, "first")
	firstCommit := build(dist)

	linux := filepath.Join(dist, "handwash_1.2.3_linux_amd64")
	windows := filepath.Join(dist, "handwash_1.2.3_windows_amd64.exe")

	t.Run("files", func(t *testing.T) {
		entries, err := os.ReadDir(dist)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		want := []string{
			"SHA256SUMS", "SHA256SUMS.sig",
			"handwash_1.2.3_linux_amd64", "handwash_1.2.3_linux_amd64.cdx.json", "handwash_1.2.3_linux_amd64.sig",
			"handwash_1.2.3_windows_amd64.cdx.json", "handwash_1.2.3_windows_amd64.exe", "handwash_1.2.3_windows_amd64.exe.sig",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("release files (-want +got):\n%s", diff)
		}
		// The build leaves no resource file behind in the source.
		left, _ := filepath.Glob(filepath.Join("..", "handwash", "*.syso"))
		if len(left) > 0 {
			t.Errorf("the build left %v in cmd/handwash", left)
		}
	})

	t.Run("SHA256SUMS", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(dist, sumsFile))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(lines) != 4 {
			t.Errorf("SHA256SUMS has %d lines, want 4 (two binaries, two SBOMs):\n%s", len(lines), b)
		}
		for _, line := range lines {
			sum, name, ok := strings.Cut(line, "  ")
			if !ok {
				t.Fatalf("line %q is not in sha256sum's format", line)
			}
			data, err := os.ReadFile(filepath.Join(dist, name))
			if err != nil {
				t.Fatal(err)
			}
			if d := sha256.Sum256(data); hex.EncodeToString(d[:]) != sum {
				t.Errorf("%s: SHA256SUMS says %s, the file's is %x", name, sum, d)
			}
		}
		if path, err := exec.LookPath("sha256sum"); err == nil {
			cmd := exec.Command(path, "--check", "--strict", sumsFile)
			cmd.Dir = dist
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("sha256sum --check: %v\n%s", err, out)
			}
		}
	})

	t.Run("signatures", func(t *testing.T) {
		for _, name := range []string{filepath.Base(linux), filepath.Base(windows), sumsFile} {
			data, err := os.ReadFile(filepath.Join(dist, name))
			if err != nil {
				t.Fatal(err)
			}
			sig, err := os.ReadFile(filepath.Join(dist, name+".sig"))
			if err != nil {
				t.Fatal(err)
			}
			if err := agentrelease.Verify(pub, sha256.Sum256(data), string(sig)); err != nil {
				t.Errorf("%s.sig: %v", name, err)
			}
			// One byte changed anywhere must fail.
			tampered := slices.Clone(data)
			tampered[len(tampered)/2] ^= 0x01
			if err := agentrelease.Verify(pub, sha256.Sum256(tampered), string(sig)); err == nil {
				t.Errorf("%s.sig verifies a tampered copy", name)
			}
			other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
			if err := agentrelease.Verify(other.Public().(ed25519.PublicKey), sha256.Sum256(data), string(sig)); err == nil {
				t.Errorf("%s.sig verifies with another key", name)
			}
		}
	})

	t.Run("public key built in", func(t *testing.T) {
		if !agentDeclaresReleaseKey(t) {
			t.Skip("the agent package does not declare ReleasePublicKey, so the linker has nowhere to put the key")
		}
		want := []byte(base64.StdEncoding.EncodeToString(pub))
		for _, bin := range []string{linux, windows} {
			data, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, want) {
				t.Errorf("%s does not carry the release public key", filepath.Base(bin))
			}
		}
	})

	t.Run("linux version", func(t *testing.T) {
		if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
			t.Skipf("the linux/amd64 binary cannot run on %s/%s", runtime.GOOS, runtime.GOARCH)
		}
		out, err := exec.Command(linux, "version").CombinedOutput()
		if err != nil {
			t.Fatalf("handwash version: %v\n%s", err, out)
		}
		for _, want := range []string{"handwash 1.2.3 (go", "\nbuilt 2025-11-24T16:00:00Z\n", "\ncontrols "} {
			if !strings.Contains(string(out), want) {
				t.Errorf("handwash version lacks %q:\n%s", want, out)
			}
		}
		if commit, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			if want := "\ncommit " + strings.TrimSpace(string(commit)); !strings.Contains(string(out), want) {
				t.Errorf("handwash version lacks %q:\n%s", want, out)
			}
		} else {
			t.Logf("not a Git checkout (%v): the commit is not checked", err)
		}
	})

	t.Run("windows resources", func(t *testing.T) {
		f, err := pe.Open(windows)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		res, err := peResources(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(res[rtVersion]) != 1 {
			t.Fatalf("%d version resources, want 1", len(res[rtVersion]))
		}
		vi := res[rtVersion][0]
		file, product, err := fixedVersions(vi)
		if err != nil {
			t.Fatal(err)
		}
		if want := [4]uint16{1, 2, 3, 0}; file != want || product != want {
			t.Errorf("file version %v, product version %v, want %v", file, product, want)
		}
		for _, s := range []string{"ProductName", "Handwash", "ProductVersion", "1.2.3", "1.2.3.0", "handwash.exe"} {
			if !bytes.Contains(vi, utf16le(s+"\x00")) {
				t.Errorf("the version resource lacks %q", s)
			}
		}

		if len(res[rtGroupIcon]) != 1 {
			t.Fatalf("%d icon groups, want 1", len(res[rtGroupIcon]))
		}
		group := res[rtGroupIcon][0]
		if n := int(binary.LittleEndian.Uint16(group[4:])); n != len(iconSizes) || len(res[rtIcon]) != n {
			t.Errorf("the icon group lists %d images and there are %d, want %d", n, len(res[rtIcon]), len(iconSizes))
		}
		var sizes []int
		for _, img := range res[rtIcon] {
			p, err := png.Decode(bytes.NewReader(img))
			if err != nil {
				t.Fatalf("an icon image is not a PNG: %v", err)
			}
			sizes = append(sizes, p.Bounds().Dx())
			if size := p.Bounds().Dx(); color.NRGBAModel.Convert(p.At(size/2, size*3/4)) != nhsBlue {
				t.Errorf("the %d-pixel icon is not NHS blue in the middle of the drop", size)
			}
		}
		slices.Sort(sizes)
		if diff := cmp.Diff([]int{16, 32, 48, 256}, sizes); diff != "" {
			t.Errorf("icon sizes (-want +got):\n%s", diff)
		}

		// Authenticode: the certificate table is filled in.
		if certFile != "" {
			oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
			if !ok || oh.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_SECURITY].Size == 0 {
				t.Error("the Windows binary carries no Authenticode signature")
			}
			out, err := exec.Command("osslsigncode", "verify", "-CAfile", certFile, "-in", windows).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Signature verification: ok") {
				t.Errorf("osslsigncode verify: %v\n%s", err, out)
			}
		}
	})

	t.Run("SBOM", func(t *testing.T) {
		schema := cycloneDXSchema(t)
		for _, bin := range []string{linux, windows} {
			path := strings.TrimSuffix(bin, ".exe") + ".cdx.json"
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("%s is not JSON: %v", filepath.Base(path), err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Errorf("%s does not follow CycloneDX 1.6: %v", filepath.Base(path), err)
			}
			var bom struct {
				SpecVersion string `json:"specVersion"`
				Metadata    struct {
					Timestamp string `json:"timestamp"`
					Component struct {
						Name    string `json:"name"`
						Version string `json:"version"`
						Hashes  []struct{ Alg, Content string }
					} `json:"component"`
				} `json:"metadata"`
				Components []struct {
					Name    string `json:"name"`
					Version string `json:"version"`
					Purl    string `json:"purl"`
				} `json:"components"`
			}
			if err := json.Unmarshal(data, &bom); err != nil {
				t.Fatal(err)
			}
			app := bom.Metadata.Component
			if bom.SpecVersion != "1.6" || app.Name != modulePath || app.Version != "v1.2.3" || bom.Metadata.Timestamp != "2025-11-24T16:00:00Z" {
				t.Errorf("%s: spec %s, component %s %s, timestamp %s", filepath.Base(path), bom.SpecVersion, app.Name, app.Version, bom.Metadata.Timestamp)
			}
			binData, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			if d := sha256.Sum256(binData); len(app.Hashes) != 1 || app.Hashes[0].Content != hex.EncodeToString(d[:]) {
				t.Errorf("%s: the component's hash %v is not the binary's %x", filepath.Base(path), app.Hashes, d)
			}
			found := map[string]string{}
			for _, c := range bom.Components {
				if !strings.HasPrefix(c.Purl, "pkg:golang/"+c.Name+"@"+c.Version) {
					t.Errorf("%s: component %s %s has purl %q", filepath.Base(path), c.Name, c.Version, c.Purl)
				}
				found[c.Name] = c.Version
			}
			// Linked into every build: the CLI library and the standard library.
			if found["github.com/spf13/cobra"] == "" || found["std"] != runtime.Version() {
				t.Errorf("%s does not list cobra and std %s: %v", filepath.Base(path), runtime.Version(), found)
			}
			// The release build's own libraries are not linked into handwash.
			if _, ok := found["github.com/tc-hib/winres"]; ok {
				t.Errorf("%s lists a module handwash does not link", filepath.Base(path))
			}
		}
		if bytes.Equal(mustRead(t, linux+".cdx.json"), mustRead(t, strings.TrimSuffix(windows, ".exe")+".cdx.json")) {
			t.Error("the two SBOMs are the same")
		}
	})

	t.Run("reproducible", func(t *testing.T) {
		again := filepath.Join(tmp, "second")
		if commit := build(again); commit != firstCommit {
			// Another test (or person) changed the checkout in between.
			t.Skipf("the source changed between the two builds (commit %s, then %s): not comparing them", firstCommit, commit)
		}
		for _, name := range []string{
			"handwash_1.2.3_linux_amd64", "handwash_1.2.3_windows_amd64.exe",
			"handwash_1.2.3_linux_amd64.cdx.json", "handwash_1.2.3_windows_amd64.cdx.json",
			"SHA256SUMS", "SHA256SUMS.sig",
		} {
			if !bytes.Equal(mustRead(t, filepath.Join(dist, name)), mustRead(t, filepath.Join(again, name))) {
				t.Errorf("%s differs between two builds of the same source", name)
			}
		}
	})
}

// agentDeclaresReleaseKey says whether the agent package has the variable
// the release build sets the public key in.
func agentDeclaresReleaseKey(t *testing.T) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "agent", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				for _, name := range spec.(*ast.ValueSpec).Names {
					if name.Name == "ReleasePublicKey" {
						return true
					}
				}
			}
		}
	}
	return false
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// cycloneDXSchema compiles CycloneDX's JSON Schema 1.6 from the copy in
// the cyclonedx-go module.
func cycloneDXSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/CycloneDX/cyclonedx-go").Output()
	if err != nil {
		t.Fatalf("finding the cyclonedx-go module: %v", err)
	}
	schemas := filepath.Join(strings.TrimSpace(string(dir)), "schema")
	c := jsonschema.NewCompiler()
	for file, id := range map[string]string{
		"bom-1.6.schema.json": "bom-1.6.schema.json",
		"spdx.schema.json":    "spdx.schema.json",
		// So named in the module; the BOM schema refers to it by its $id.
		"jsf-0.82.schemax.json": "jsf-0.82.schema.json",
	} {
		f, err := os.Open(filepath.Join(schemas, file))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource("http://cyclonedx.org/schema/"+id, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile("http://cyclonedx.org/schema/bom-1.6.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// codeSigningCert writes a self-signed RSA code-signing certificate and
// its key as PEM files.
func codeSigningCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Handwash test code signing", Organization: []string{"Handwash"}},
		NotBefore:             time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "codesign.crt"), filepath.Join(dir, "codesign.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}
