package packaging

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/handwash/handwash/agent"
)

// MacOSArches are the Mac processors a tarball is made for.
var MacOSArches = []string{"amd64", "arm64"}

// MacOS is the tarball of the program for a Mac: the binary, the launch
// daemon that runs the agent, and the steps to install both.
type MacOS struct {
	Version string
	// Arch is amd64 (Intel) or arm64 (Apple silicon).
	Arch string
	// Binary is handwash built for darwin/Arch.
	Binary string
}

// MacOSBinaryPath is where the steps put the program.
const MacOSBinaryPath = "/usr/local/bin/handwash"

// macOSSteps are the steps in the tarball's INSTALL.txt.
const macOSSteps = `Handwash %[1]s for macOS (%[2]s)

To check this Mac only, open Terminal in this folder and run:

  ./handwash check

To run the agent, which reports to your organisation's Handwash server
(as an administrator; your IT provider gives you the server address, the
enrolment token and, for a self-signed certificate, its fingerprint):

  sudo install -m 0755 handwash %[3]s
  sudo xattr -d com.apple.quarantine %[3]s 2>/dev/null || true
  sudo %[3]s agent enroll --server https://handwash.example:8443 --token hwe_...
  sudo install -m 0644 -o root -g wheel %[4]s /Library/LaunchDaemons/%[4]s
  sudo launchctl bootstrap system /Library/LaunchDaemons/%[4]s
  sudo %[3]s agent status

(sudo %[3]s agent install does the last three steps for you: it writes
the same launch daemon and starts it.)

To remove it:

  sudo %[3]s agent uninstall
  sudo rm %[3]s

The agent's settings and credential are in /etc/handwash, readable only by
administrators; agent uninstall removes them.
`

// FileName is the tarball's name, such as handwash-1.2.3-darwin-arm64.tar.gz.
func (m MacOS) FileName() (string, error) {
	v, err := ParseVersion(m.Version)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%s-darwin-%s.tar.gz", Name, v, m.Arch), nil
}

// Build writes the tarball to w. Its entries have fixed owners and the
// build time, so the same inputs give the same bytes.
func (m MacOS) Build(w io.Writer) error {
	v, err := ParseVersion(m.Version)
	if err != nil {
		return err
	}
	if err := CheckBinary(m.Binary, "darwin", m.Arch); err != nil {
		return err
	}
	bin, err := os.ReadFile(m.Binary)
	if err != nil {
		return err
	}
	plistName := agent.LaunchdLabel + ".plist"
	dir := fmt.Sprintf("%s-%s-darwin-%s/", Name, v, m.Arch)
	files := []struct {
		name string
		mode int64
		data []byte
	}{
		{"handwash", 0o755, bin},
		{plistName, 0o644, []byte(agent.LaunchdPlist(MacOSBinaryPath, ""))},
		{"INSTALL.txt", 0o644, []byte(fmt.Sprintf(macOSSteps, v, m.Arch, MacOSBinaryPath, plistName))},
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	when := buildTime()
	if err := tw.WriteHeader(&tar.Header{Name: dir, Mode: 0o755, Typeflag: tar.TypeDir, ModTime: when, Format: tar.FormatPAX}); err != nil {
		return err
	}
	for _, f := range files {
		h := &tar.Header{Name: dir + f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: when, Uname: "root", Gname: "wheel", Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := io.Copy(tw, bytes.NewReader(f.data)); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// Write builds the tarball into dir and returns its path.
func (m MacOS) Write(dir string) (string, error) {
	name, err := m.FileName()
	if err != nil {
		return "", err
	}
	return writeFile(filepath.Join(dir, name), m.Build)
}
