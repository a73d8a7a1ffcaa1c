package collect

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

var recordLinux = flag.String("record-linux", "", "record this machine as a replay file for the Linux collectors (TestLinuxRecordThisMachine)")

// TestLinuxRecordThisMachine writes a recording of this machine: every
// command, file and directory the Linux collectors look at, as they saw
// it. Run it with go test ./collect -run TestLinuxRecordThisMachine
// -record-linux testdata/linux/NAME.txtar, then describe the machine at the
// top of the file. What the recorder changes is listed in its header.
func TestLinuxRecordThisMachine(t *testing.T) {
	if *recordLinux == "" {
		t.Skip("records only with -record-linux FILE")
	}
	if runtime.GOOS != "linux" {
		t.Skip("needs a Linux machine")
	}
	rec := &recordingHost{Host: NewHost(), sections: map[string]string{}}
	rec.Hostname()
	Collect(context.Background(), Options{Host: rec, Collectors: linuxCollectors()})
	if err := os.WriteFile(*recordLinux, rec.txtar(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// recordingHost is the real host, writing down what collectors ask of it.
// It keeps recordings small, text and free of the machine's identity:
//   - /etc/machine-id is replaced by a fixed value, password hashes in
//     /etc/shadow by "$y$j9T$redacted";
//   - /etc/localtime (binary) is hidden, so the time zone comes from /etc/timezone;
//   - dpkg's status file keeps only Package, Status, Version, Architecture;
//   - apt's InRelease files keep only their first stanza;
//   - compressed Packages lists are stored decompressed, under the name
//     without the compression suffix, with only the installed packages'
//     Package, Version and Architecture;
//   - apt's history.log keeps only its Start-Date, End-Date and the first
//     100 characters of Upgrade lines.
type recordingHost struct {
	Host
	mu       sync.Mutex
	sections map[string]string
	dpkg     map[string]bool
}

func (r *recordingHost) put(key, body string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	r.sections[key] = body
}

func (r *recordingHost) Run(ctx context.Context, name string, args ...string) (Output, error) {
	out, err := r.Host.Run(ctx, name, args...)
	if err != nil {
		return out, err
	}
	line := strings.Join(append([]string{name}, args...), " ")
	r.put("cmd: "+line, string(out.Stdout))
	if len(out.Stderr) > 0 {
		r.put("stderr: "+line, string(out.Stderr))
	}
	if out.ExitCode != 0 {
		r.put("exit: "+line, fmt.Sprint(out.ExitCode))
	}
	return out, nil
}

func (r *recordingHost) ReadFile(name string) ([]byte, error) {
	if name == "/etc/localtime" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	b, err := r.Host.ReadFile(name)
	if errors.Is(err, fs.ErrPermission) {
		r.put("denied: "+name, "")
	}
	if err != nil {
		return b, err
	}
	switch {
	case name == "/etc/machine-id":
		b = []byte("0123456789abcdef0123456789abcdef\n")
	case name == "/etc/shadow":
		var keep strings.Builder
		for _, line := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
			if f := strings.Split(line, ":"); len(f) > 1 && strings.HasPrefix(strings.TrimLeft(f[1], "!"), "$") {
				f[1] = f[1][:len(f[1])-len(strings.TrimLeft(f[1], "!"))] + "$y$j9T$redacted"
				line = strings.Join(f, ":")
			}
			keep.WriteString(line + "\n")
		}
		r.put("file: "+name, keep.String())
		return b, nil
	case name == "/var/lib/dpkg/status":
		r.mu.Lock()
		r.dpkg = map[string]bool{}
		r.mu.Unlock()
		var keep bytes.Buffer
		parseDebStanzas(bytes.NewReader(b), []string{"Package", "Status", "Version", "Architecture"}, func(v []string) {
			r.mu.Lock()
			r.dpkg[v[0]] = true
			r.mu.Unlock()
			fmt.Fprintf(&keep, "Package: %s\nStatus: %s\nVersion: %s\nArchitecture: %s\n\n", v[0], v[1], v[2], v[3])
		})
		r.put("file: "+name, keep.String())
		return b, nil
	case strings.HasSuffix(name, "InRelease"):
		first, _, _ := strings.Cut(string(b), "\nSHA256:")
		r.put("file: "+name, first+"\n")
		return b, nil
	case linuxIsPackagesList(name):
		rd, err := linuxDecompress(name, b)
		if err != nil {
			return b, err
		}
		plain, _ := io.ReadAll(rd)
		var keep bytes.Buffer
		parseDebStanzas(bytes.NewReader(plain), []string{"Package", "Version", "Architecture"}, func(v []string) {
			r.mu.Lock()
			installed := r.dpkg[v[0]]
			r.mu.Unlock()
			if installed {
				fmt.Fprintf(&keep, "Package: %s\nVersion: %s\nArchitecture: %s\n\n", v[0], v[1], v[2])
			}
		})
		r.put("file: "+recordedListName(name), keep.String())
		return b, nil
	case name == "/var/log/apt/history.log":
		var keep strings.Builder
		for _, line := range strings.Split(string(b), "\n") {
			switch {
			case strings.HasPrefix(line, "Start-Date:"), strings.HasPrefix(line, "End-Date:"):
				keep.WriteString(line + "\n")
			case strings.HasPrefix(line, "Upgrade:"):
				if len(line) > 100 {
					line = line[:100] + "..."
				}
				keep.WriteString(line + "\n")
			case line == "":
				keep.WriteString("\n")
			}
		}
		r.put("file: "+name, keep.String())
		return b, nil
	}
	if !utf8.Valid(b) || bytes.IndexByte(b, 0) >= 0 {
		return b, nil // binary: not recorded, so it does not exist in the replay
	}
	r.put("file: "+name, string(b))
	return b, nil
}

// recordedListName is the name a compressed apt list is recorded under.
func recordedListName(name string) string {
	for _, ext := range []string{".lz4", ".gz", ".xz", ".bz2"} {
		name = strings.TrimSuffix(name, ext)
	}
	return name
}

func (r *recordingHost) ReadDir(name string) ([]string, error) {
	names, err := r.Host.ReadDir(name)
	if err != nil {
		return names, err
	}
	listed := make([]string, len(names))
	for i, n := range names {
		listed[i] = n
		if name == "/var/lib/apt/lists" && linuxIsPackagesList(n) {
			listed[i] = recordedListName(n)
		}
	}
	if name == "/proc" {
		// Keep only the processes: the rest of /proc is not looked at.
		var pids []string
		for _, n := range listed {
			if n != "" && n[0] >= '0' && n[0] <= '9' {
				pids = append(pids, n)
			}
		}
		listed = pids
	}
	r.put("dir: "+name, strings.Join(listed, "\n"))
	return names, nil
}

func (r *recordingHost) Stat(name string) (fs.FileInfo, error) {
	fi, err := r.Host.Stat(name)
	if err == nil {
		if fi.IsDir() {
			r.ReadDir(name)
		} else {
			r.mu.Lock()
			_, has := r.sections["file: "+name]
			r.mu.Unlock()
			if !has {
				r.put("path: "+name, "")
			}
		}
	}
	return fi, err
}

func (r *recordingHost) LookPath(name string) (string, error) {
	p, err := r.Host.LookPath(name)
	if err == nil {
		r.put("path: "+p, "")
	}
	return p, err
}

func (r *recordingHost) Getenv(key string) string {
	v := r.Host.Getenv(key)
	if v != "" {
		r.put("env: "+key, v)
	}
	return v
}

func (r *recordingHost) Hostname() (string, error) {
	n, err := r.Host.Hostname()
	if err == nil {
		r.put("hostname: "+n, "")
	}
	return n, err
}

// txtar writes the sections in a stable order: how the machine ran, then
// commands, then files by path.
func (r *recordingHost) txtar() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b bytes.Buffer
	b.WriteString("Recorded by TestLinuxRecordThisMachine (see linux_record_test.go for what it trims).\n\n")
	if r.Host.Elevated() {
		b.WriteString("-- elevated --\n")
	}
	keys := make([]string, 0, len(r.sections))
	for k := range r.sections {
		keys = append(keys, k)
	}
	order := map[string]int{"hostname": 0, "env": 1, "path": 2, "cmd": 3, "stderr": 3, "exit": 3, "dir": 4, "file": 4, "denied": 4}
	sort.Slice(keys, func(i, j int) bool {
		ki, ni, _ := strings.Cut(keys[i], ": ")
		kj, nj, _ := strings.Cut(keys[j], ": ")
		if order[ki] != order[kj] {
			return order[ki] < order[kj]
		}
		if ni != nj {
			return ni < nj
		}
		return ki < kj
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "-- %s --\n%s", k, r.sections[k])
	}
	return b.Bytes()
}
