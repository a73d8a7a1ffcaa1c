package restic

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"time"
)

// maxStderr is how much of restic's error output is kept: enough for its
// messages, not for a flood of them.
const maxStderr = 64 << 10

// maxStdout is how much of a command's ordinary output is kept when it is
// not read as it comes (restic version, restic check).
const maxStdout = 256 << 10

// waitDelay is how long restic has to stop after it is interrupted (it
// removes its lock) before it is killed.
const waitDelay = 5 * time.Second

// runner runs restic for one repository.
type runner struct {
	bin      string
	env      []string
	cacheDir string
	secret   string // the password, should restic ever repeat it
	loc      string // the repository without secrets, for messages
}

func newRunner(c *config, tmp string) *runner {
	return &runner{bin: c.bin, env: environ(c, tmp), cacheDir: filepath.Join(tmp, "cache"), secret: c.Password, loc: Redact(c.Repo)}
}

// environ is restic's environment: this process's, with the repository and
// the password given in it (never on the command line), and temporary
// files kept in tmp.
func environ(c *config, tmp string) []string {
	drop := map[string]bool{"RESTIC_REPOSITORY": true, "RESTIC_REPOSITORY_FILE": true, "TMPDIR": true, "TMP": true, "TEMP": true}
	if c.Password != "" || c.PasswordFile != "" {
		drop["RESTIC_PASSWORD"], drop["RESTIC_PASSWORD_FILE"], drop["RESTIC_PASSWORD_COMMAND"] = true, true, true
	}
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[strings.ToUpper(k)] {
			env = append(env, kv)
		}
	}
	env = append(env, "RESTIC_REPOSITORY="+c.Repo, "TMPDIR="+tmp, "TMP="+tmp, "TEMP="+tmp)
	switch {
	case c.Password != "":
		env = append(env, "RESTIC_PASSWORD="+c.Password)
	case c.PasswordFile != "":
		env = append(env, "RESTIC_PASSWORD_FILE="+c.PasswordFile)
	}
	return env
}

// command makes a restic command that is interrupted (so that it removes
// its lock) when ctx ends, and killed if it has not stopped waitDelay
// later. It reads nothing: restic never waits for a password typed in.
func (r *runner) command(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, r.bin, append([]string{"--cache-dir", r.cacheDir}, args...)...)
	cmd.Env = r.env
	cmd.Stdin = nil
	cmd.WaitDelay = waitDelay
	cmd.Cancel = func() error {
		if runtime.GOOS == "windows" {
			return cmd.Process.Kill()
		}
		return cmd.Process.Signal(os.Interrupt)
	}
	return cmd
}

// run runs restic and returns its output, each cut at a limit.
func (r *runner) run(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	out, errOut := &capped{max: maxStdout}, &capped{max: maxStderr}
	cmd := r.command(ctx, args...)
	cmd.Stdout, cmd.Stderr = out, errOut
	err = cmd.Run()
	return r.scrub(out.String()), r.scrub(errOut.String()), r.failed(ctx, err)
}

// stream runs restic, handing its output to consume as it comes, so that
// a long listing is never held whole. If consume fails, restic is stopped.
// Output goes through an io.Pipe rather than the process's own pipe, so
// that Wait (and its WaitDelay) decides when the output ends, even if
// restic leaves a child (ssh, rclone) holding the pipe open.
func (r *runner) stream(ctx context.Context, consume func(io.Reader) error, args ...string) (stderr string, err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errOut := &capped{max: maxStderr}
	pr, pw := io.Pipe()
	cmd := r.command(ctx, args...)
	cmd.Stdout, cmd.Stderr = pw, errOut
	if err := cmd.Start(); err != nil {
		return "", r.failed(ctx, err)
	}
	done := make(chan error, 1)
	go func() {
		err := consume(pr)
		if err != nil {
			cancel() // stop restic; what it says next does not matter
		}
		_, _ = io.Copy(io.Discard, pr)
		done <- err
	}()
	werr := cmd.Wait()
	pw.Close()
	if cerr := <-done; cerr != nil {
		return r.scrub(errOut.String()), cerr
	}
	return r.scrub(errOut.String()), r.failed(ctx, werr)
}

// failed passes on a command's error, or the context's when it ended the
// command.
func (r *runner) failed(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

var userinfoRE = regexp.MustCompile(`(://[^/@:\s]*):[^/@\s]*@`)

// scrub removes the password and any user:password@ from restic's output,
// so that no message repeats them.
func (r *runner) scrub(s string) string {
	if r.secret != "" {
		s = strings.ReplaceAll(s, r.secret, "***")
	}
	return userinfoRE.ReplaceAllString(s, "$1:***@")
}

// exitCode is the exit code of a command that ran and failed, or -1.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}

// capped keeps the first max bytes written to it and drops the rest.
type capped struct {
	buf bytes.Buffer
	max int
	cut bool
}

func (c *capped) Write(p []byte) (int, error) {
	room := c.max - c.buf.Len()
	if room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	if len(p) > room {
		c.cut = true
	}
	return len(p), nil
}

func (c *capped) String() string { return c.buf.String() }
