package packaging

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/handwash/handwash/agent"
)

// The Mac tarball holds the program, the launch daemon that runs it from
// where the steps install it, and the steps; the same inputs give the
// same bytes.
func TestMacOSTarball(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1764460800")
	bin := handwashBinary(t, "darwin", "arm64")
	m := MacOS{Version: "1.2.3", Arch: "arm64", Binary: bin}
	if name, err := m.FileName(); err != nil || name != "handwash-1.2.3-darwin-arm64.tar.gz" {
		t.Errorf("FileName = %q, %v", name, err)
	}
	var first, second bytes.Buffer
	must(t, m.Build(&first))
	must(t, m.Build(&second))
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Error("two builds differ")
	}
	zr, err := gzip.NewReader(bytes.NewReader(first.Bytes()))
	must(t, err)
	tr := tar.NewReader(zr)
	files := map[string]*tar.Header{}
	contents := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		must(t, err)
		files[h.Name] = h
		contents[h.Name], _ = io.ReadAll(tr)
	}
	dir := "handwash-1.2.3-darwin-arm64/"
	plist := dir + agent.LaunchdLabel + ".plist"
	for name, mode := range map[string]int64{dir + "handwash": 0o755, plist: 0o644, dir + "INSTALL.txt": 0o644} {
		h := files[name]
		if h == nil || h.Mode != mode || h.Uname != "root" {
			t.Errorf("%s: %+v", name, h)
		}
	}
	if err := xml.Unmarshal(contents[plist], new(struct{})); err != nil {
		t.Errorf("the plist is not XML: %v", err)
	}
	if !strings.Contains(string(contents[plist]), "<string>"+MacOSBinaryPath+"</string>") {
		t.Errorf("the plist does not run %s:\n%s", MacOSBinaryPath, contents[plist])
	}
	steps := string(contents[dir+"INSTALL.txt"])
	for _, want := range []string{"launchctl bootstrap system", "agent enroll", "agent uninstall", "1.2.3"} {
		if !strings.Contains(steps, want) {
			t.Errorf("the steps lack %q", want)
		}
	}
	if err := (MacOS{Version: "1.2.3", Arch: "amd64", Binary: bin}).Build(io.Discard); err == nil || !strings.Contains(err.Error(), "darwin/arm64") {
		t.Errorf("an arm64 program as amd64: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
