package collect

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"runtime"

	"github.com/handwash/handwash"
)

// Host is how collectors look at a machine: run a command, read a file, list
// a directory. The real one looks at this machine; tests replay recordings.
type Host interface {
	// Run runs a program with arguments, with LC_ALL=C, and returns what it
	// printed. A non-zero exit is reported in Output.ExitCode, not as an
	// error; the error is for a program that is missing or could not start
	// (ErrNotFound) or was stopped by ctx.
	Run(ctx context.Context, name string, args ...string) (Output, error)
	// ReadFile reads a whole file (fs.ErrNotExist, fs.ErrPermission as usual).
	ReadFile(name string) ([]byte, error)
	// ReadDir lists a directory's entry names, sorted.
	ReadDir(name string) ([]string, error)
	// Stat reports whether a file exists and its details.
	Stat(name string) (fs.FileInfo, error)
	// LookPath finds a program on PATH or at a full path.
	LookPath(name string) (string, error)
	// Getenv reads an environment variable.
	Getenv(key string) string
	// Elevated reports whether the process runs as administrator or root.
	Elevated() bool
	// Hostname is the machine's name.
	Hostname() (string, error)
}

// Output is what a command printed and how it ended.
type Output struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
}

// ErrNotFound is returned by Host.Run and Host.LookPath for a missing program.
var ErrNotFound = errors.New("program not found")

// maxOutput bounds what one command may print into memory.
const maxOutput = 32 << 20

// NewHost returns the Host of this machine.
func NewHost() Host { return realHost{} }

type realHost struct{}

func (realHost) Run(ctx context.Context, name string, args ...string) (Output, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return Output{}, ErrNotFound
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	var stdout, stderr limitedBuffer
	stdout.max, stderr.max = maxOutput, 1<<20
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	hideWindow(cmd)
	err = cmd.Run()
	out := Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if ctx.Err() != nil {
		return out, ctx.Err()
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		out.ExitCode = exit.ExitCode()
		return out, nil
	}
	return out, err
}

func (realHost) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

func (realHost) ReadDir(name string) ([]string, error) {
	es, err := os.ReadDir(name)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(es))
	for i, e := range es {
		names[i] = e.Name()
	}
	return names, nil
}

func (realHost) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }

func (realHost) LookPath(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", ErrNotFound
	}
	return p, nil
}

func (realHost) Getenv(key string) string { return os.Getenv(key) }

func (realHost) Elevated() bool { return elevated() }

func (realHost) Hostname() (string, error) { return os.Hostname() }

// limitedBuffer keeps at most max bytes and drops the rest.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room < len(p) {
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// Platform is the platform this binary runs on.
func Platform() handwash.Platform {
	switch runtime.GOOS {
	case "windows":
		return "windows"
	case "darwin":
		return "macos"
	case "linux":
		return "linux"
	}
	return "other"
}
