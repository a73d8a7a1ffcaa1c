package borg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// Output limits: what borg prints on stdout (JSON) and stderr (log lines)
// is kept up to these sizes; the rest is dropped.
const (
	maxStdout = 64 << 20
	maxStderr = 1 << 20
)

// runner runs borg for one repository.
type runner struct {
	path     string // the borg program
	env      []string
	loc      location
	lockWait int    // seconds
	secret   string // the passphrase, scrubbed from anything shown
	// readOnly is set when this account cannot write to a local
	// repository: borg is then told not to lock it (--bypass-lock), as it
	// could not create its lock files.
	readOnly bool
}

// output is what one run of borg printed and how it ended.
type output struct {
	stdout []byte
	log    []logEntry
	code   int // exit code: 0 fine, 1 warnings, 2 error, -1 killed
}

func newRunner(o Options, loc location) (*runner, error) {
	path, err := exec.LookPath(o.Borg)
	if err != nil {
		return nil, &handwash.Error{Code: handwash.ENOTFOUND, Err: err, Message: notInstalled(o.Borg)}
	}
	secs := int((o.LockWait + time.Second - 1) / time.Second)
	return &runner{path: path, env: borgEnv(os.Environ(), o), loc: loc, lockWait: max(secs, 1), secret: o.Passphrase}, nil
}

func notInstalled(borg string) string {
	if borg == "borg" {
		return "BorgBackup (the borg program) is not installed on this computer, or not on its PATH. Install it (on Debian or Ubuntu: sudo apt install borgbackup), or give the full path to borg."
	}
	return fmt.Sprintf("The borg program %s was not found. Check the path, or install BorgBackup (on Debian or Ubuntu: sudo apt install borgbackup).", borg)
}

// safetyEnv keeps borg from asking anything: it answers no to its
// questions and never shows a passphrase; TZ=UTC0 makes the times it
// prints (in local time, without a zone) UTC.
var safetyEnv = []string{
	"BORG_RELOCATED_REPO_ACCESS_IS_OK=no",
	"BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=no",
	"BORG_CHECK_I_KNOW_WHAT_I_AM_DOING=NO",
	"BORG_DELETE_I_KNOW_WHAT_I_AM_DOING=NO",
	"BORG_DISPLAY_PASSPHRASE=no",
	"TZ=UTC0",
}

// passphraseVars are where borg looks for a passphrase.
var passphraseVars = []string{"BORG_PASSPHRASE", "BORG_PASSCOMMAND", "BORG_PASSPHRASE_FD", "BORG_NEW_PASSPHRASE"}

// borgEnv is borg's environment: Handwash's own, then o.Env, then the
// safety settings and the passphrase, later ones winning.
func borgEnv(base []string, o Options) []string {
	env := make([]string, 0, len(base)+len(o.Env)+len(safetyEnv)+2)
	for _, kv := range append(base[:len(base):len(base)], o.Env...) {
		name, _, _ := strings.Cut(kv, "=")
		if o.Passphrase != "" && contains(passphraseVars, name) || name == "BORG_REPO" {
			continue
		}
		env = append(env, kv)
	}
	if !hasVar(env, "BORG_RSH") {
		env = append(env, "BORG_RSH=ssh -o BatchMode=yes")
	}
	env = append(env, safetyEnv...)
	if o.Passphrase != "" {
		env = append(env, "BORG_PASSPHRASE="+o.Passphrase)
	}
	return env
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func hasVar(env []string, name string) bool {
	for _, kv := range env {
		if strings.HasPrefix(kv, name+"=") {
			return true
		}
	}
	return false
}

// version runs borg --version and returns "borg 1.2.4", refusing versions
// other than 1.2 or later in the 1.x series.
func (r *runner) version(ctx context.Context) (string, error) {
	out, err := r.exec(ctx, "", nil, "--version")
	if err != nil {
		return "", err
	}
	line := strings.TrimSpace(string(out.stdout))
	major, minor, ok := parseVersion(line)
	if out.code != 0 || !ok {
		return "", handwash.Errorf(handwash.EINVALID, "%s did not run properly (it printed %q). Reinstall BorgBackup.", r.path, clip(line+" "+r.scrub(out.summary()), 200))
	}
	if major != 1 || minor < 2 {
		return "", handwash.Errorf(handwash.EINVALID, "%s is %s; Handwash needs borg 1.2 or later in the 1.x series. Install a borg 1.2 or 1.4 release.", r.path, line)
	}
	return line, nil
}

// run runs a borg command on the repository with the common options.
// stdout, when not nil, receives what borg prints instead of its being
// kept in the output.
func (r *runner) run(ctx context.Context, dir string, stdout io.Writer, args ...string) (output, error) {
	common := []string{"--log-json", "--lock-wait", strconv.Itoa(r.lockWait)}
	if r.readOnly {
		common = append(common, "--bypass-lock")
	}
	return r.exec(ctx, dir, stdout, append(common, args...)...)
}

// exec runs borg with args in dir ("" for the current folder). The error
// is for borg that could not start or was stopped by ctx; borg's own
// failures are in the output.
func (r *runner) exec(ctx context.Context, dir string, stdout io.Writer, args ...string) (output, error) {
	cmd := exec.CommandContext(ctx, r.path, args...)
	cmd.Dir, cmd.Env, cmd.Stdin = dir, r.env, nil
	kept := &capped{max: maxStdout}
	stderr := &capped{max: maxStderr}
	cmd.Stdout, cmd.Stderr = kept, stderr
	if stdout != nil {
		cmd.Stdout = stdout
	}
	detach(cmd)
	err := cmd.Run()
	out := output{stdout: kept.Bytes(), log: parseLog(stderr.Bytes())}
	if ctx.Err() != nil {
		return out, r.stoppedError(ctx.Err())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return out, &handwash.Error{Code: handwash.EINVALID, Err: err,
			Message: fmt.Sprintf("The borg program %s could not be started (%v). Reinstall BorgBackup.", r.path, err)}
	}
	if exit != nil {
		out.code = exit.ExitCode()
	}
	if kept.dropped {
		out.code = max(out.code, 2)
		out.log = append(out.log, logEntry{Type: "text", Level: "ERROR", Message: "borg printed more than Handwash reads (64 MiB)."})
	}
	return out, nil
}

// stoppedError is the error for a check stopped by its context.
func (r *runner) stoppedError(err error) error {
	return &handwash.Error{Code: handwash.EINVALID, Err: err,
		Message: fmt.Sprintf("Checking the borg repository %s was stopped before it finished (it ran out of time or was cancelled). Try again, allowing it longer.", r.loc.display)}
}

// scrub removes the passphrase from text to be shown, should borg ever
// print it.
func (r *runner) scrub(s string) string {
	if len(r.secret) >= 4 {
		s = strings.ReplaceAll(s, r.secret, "(passphrase)")
	}
	return s
}

// capped keeps the first max bytes written to it.
type capped struct {
	bytes.Buffer
	max     int
	dropped bool
}

func (c *capped) Write(p []byte) (int, error) {
	n := len(p)
	if room := c.max - c.Len(); room < n {
		c.dropped = true
		p = p[:max(room, 0)]
	}
	c.Buffer.Write(p)
	return n, nil
}

// parseVersion reads "borg 1.2.4" (or "borg 1.2.4.dev0+g…").
func parseVersion(s string) (major, minor int, ok bool) {
	f := strings.Fields(s)
	if len(f) != 2 || f[0] != "borg" {
		return 0, 0, false
	}
	parts := strings.SplitN(f[1], ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	return major, minor, err1 == nil && err2 == nil
}

// clip shortens s to at most n bytes, at a rune boundary, marking the cut.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
