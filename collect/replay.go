package collect

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ReplayHost is a Host that answers from a recording of a real machine, so
// collectors are tested on any platform. A recording is a text archive of
// sections, each starting with a line "-- kind: name --":
//
//	-- cmd: ufw status verbose --      what the command printed on stdout
//	-- stderr: ufw status verbose --   what it printed on stderr
//	-- exit: ufw status verbose --     its exit code (0 when absent)
//	-- file: /etc/os-release --        a file's contents
//	-- denied: /etc/shadow --          a file that exists but may not be read
//	-- dir: /etc/ssh/sshd_config.d --  a directory's entries, one per line
//	-- path: /usr/sbin/sshd --         a program that exists but was not run
//	-- env: XDG_CURRENT_DESKTOP --     an environment variable
//	-- hostname: pc-01 --              the machine's name
//	-- elevated --                     the recording was made as root/administrator
//
// Other kinds (for example Windows registry keys) are kept for the
// collectors that know them: see Section. A command or file not in the
// recording does not exist.
type ReplayHost struct {
	sections map[string][]byte
	elevated bool

	mu  sync.Mutex
	ran []string
}

// LoadReplay reads a recording from a file.
func LoadReplay(file string) (*ReplayHost, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return ParseReplay(b)
}

// ParseReplay reads a recording.
func ParseReplay(b []byte) (*ReplayHost, error) {
	h := &ReplayHost{sections: map[string][]byte{}}
	var key string
	var body bytes.Buffer
	flush := func() {
		if key != "" {
			h.sections[key] = append([]byte(nil), body.Bytes()...)
		}
		body.Reset()
	}
	for n, line := range strings.SplitAfter(string(b), "\n") {
		trim := strings.TrimRight(line, "\r\n")
		if strings.HasPrefix(trim, "-- ") && strings.HasSuffix(trim, " --") && len(trim) >= 6 {
			flush()
			key = strings.TrimSpace(trim[3 : len(trim)-3])
			if key == "elevated" {
				h.elevated = true
			}
			if _, dup := h.sections[key]; dup {
				return nil, fmt.Errorf("line %d: section %q appears twice", n+1, key)
			}
			continue
		}
		if key == "" {
			continue // a comment before the first section
		}
		body.WriteString(line)
	}
	flush()
	return h, nil
}

// Ran returns the command lines asked for so far, in order.
func (h *ReplayHost) Ran() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ran...)
}

// Section returns the body of section "kind: name".
func (h *ReplayHost) Section(kind, name string) ([]byte, bool) {
	b, ok := h.sections[kind+": "+name]
	return b, ok
}

// Run replays a recorded command.
func (h *ReplayHost) Run(ctx context.Context, name string, args ...string) (Output, error) {
	line := strings.Join(append([]string{name}, args...), " ")
	h.mu.Lock()
	h.ran = append(h.ran, line)
	h.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return Output{}, err
	}
	stdout, ok := h.Section("cmd", line)
	if !ok {
		if _, err := h.LookPath(name); err == nil {
			return Output{}, fmt.Errorf("replay: no recording of %q", line)
		}
		return Output{}, ErrNotFound
	}
	out := Output{Stdout: stdout}
	out.Stderr, _ = h.Section("stderr", line)
	if code, ok := h.Section("exit", line); ok {
		out.ExitCode, _ = strconv.Atoi(strings.TrimSpace(string(code)))
	}
	if d, ok := h.Section("sleep", line); ok {
		dur, _ := time.ParseDuration(strings.TrimSpace(string(d)))
		select {
		case <-time.After(dur):
		case <-ctx.Done():
			return Output{}, ctx.Err()
		}
	}
	return out, nil
}

// ReadFile replays a recorded file.
func (h *ReplayHost) ReadFile(name string) ([]byte, error) {
	if b, ok := h.Section("file", name); ok {
		return b, nil
	}
	if _, ok := h.Section("denied", name); ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// ReadDir lists a recorded directory, or the recorded files under it.
func (h *ReplayHost) ReadDir(name string) ([]string, error) {
	if b, ok := h.Section("dir", name); ok {
		var names []string
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				names = append(names, l)
			}
		}
		sort.Strings(names)
		return names, nil
	}
	seen := map[string]bool{}
	prefix := strings.TrimSuffix(name, "/") + "/"
	for k := range h.sections {
		for _, kind := range []string{"file: ", "denied: "} {
			if p, ok := strings.CutPrefix(k, kind+prefix); ok {
				seen[strings.SplitN(p, "/", 2)[0]] = true
			}
		}
	}
	if len(seen) == 0 {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// Stat reports on a recorded file or directory.
func (h *ReplayHost) Stat(name string) (fs.FileInfo, error) {
	if b, ok := h.Section("file", name); ok {
		return replayInfo{name: path.Base(name), size: int64(len(b))}, nil
	}
	if _, ok := h.Section("denied", name); ok {
		return replayInfo{name: path.Base(name)}, nil
	}
	if _, ok := h.Section("path", name); ok {
		return replayInfo{name: path.Base(name)}, nil
	}
	if _, err := h.ReadDir(name); err == nil {
		return replayInfo{name: path.Base(name), dir: true}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// LookPath finds a program that was run or recorded as present.
func (h *ReplayHost) LookPath(name string) (string, error) {
	for k := range h.sections {
		kind, rest, _ := strings.Cut(k, ": ")
		if kind != "cmd" && kind != "path" && kind != "exit" {
			continue
		}
		prog := strings.SplitN(rest, " ", 2)[0]
		if prog == name || path.Base(prog) == name {
			return prog, nil
		}
	}
	return "", ErrNotFound
}

// Getenv replays an environment variable.
func (h *ReplayHost) Getenv(key string) string {
	b, _ := h.Section("env", key)
	return strings.TrimSpace(string(b))
}

// Hostname replays the machine's name.
func (h *ReplayHost) Hostname() (string, error) {
	for k := range h.sections {
		if name, ok := strings.CutPrefix(k, "hostname: "); ok {
			return name, nil
		}
	}
	return "", fmt.Errorf("replay: no hostname recorded")
}

// Elevated reports whether the recording was made as root/administrator.
func (h *ReplayHost) Elevated() bool { return h.elevated }

type replayInfo struct {
	name string
	size int64
	dir  bool
}

func (i replayInfo) Name() string { return i.name }
func (i replayInfo) Size() int64  { return i.size }
func (i replayInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i replayInfo) ModTime() time.Time { return time.Time{} }
func (i replayInfo) IsDir() bool        { return i.dir }
func (i replayInfo) Sys() any           { return nil }
