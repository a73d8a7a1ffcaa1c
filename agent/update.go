package agent

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/handwash/handwash/agent/release"
)

// ReleasePublicKey is the Ed25519 public key, standard base64 of its 32
// bytes, that release builds are signed with. The release build sets it:
//
//	-ldflags "-X github.com/handwash/handwash/agent.ReleasePublicKey=<base64>"
//
// It is empty in development builds, and then the agent never updates
// itself. The key is only ever built in: the agent never takes one from
// the server, which could otherwise sign a program of its own.
var ReleasePublicKey string

// Self-update's timing.
var (
	// updateCheckEvery is the least time between two questions to the
	// server; the agent asks after an upload cycle once this has passed.
	updateCheckEvery = 3 * time.Hour
	// refusedHold is how long a release refused for its signature or its
	// self-test is left alone before it is tried again: the same file
	// would fail the same way.
	refusedHold = 24 * time.Hour
	// selfTestTimeout bounds the new program's self-test.
	selfTestTimeout = 10 * time.Second
)

// UpdateState is what status says about self-update.
type UpdateState struct {
	// CheckedAt is when the server was last asked for a new version.
	CheckedAt *time.Time `json:"checked_at,omitempty"`
	// InstalledAt, InstalledFrom and InstalledVersion describe the newest
	// update installed; Previous is where the version it replaced is kept.
	InstalledAt      *time.Time `json:"installed_at,omitempty"`
	InstalledFrom    string     `json:"installed_from,omitempty"`
	InstalledVersion string     `json:"installed_version,omitempty"`
	Previous         string     `json:"previous,omitempty"`
	// RefusedAt, RefusedVersion and RefusedReason describe the newest
	// update refused (a download that did not match its size, checksum or
	// signature, or a new version that failed its self-test); the agent
	// kept the version it had. Cleared when an update is installed.
	RefusedAt      *time.Time `json:"refused_at,omitempty"`
	RefusedVersion string     `json:"refused_version,omitempty"`
	RefusedReason  string     `json:"refused_reason,omitempty"`
	// RefusedSHA256 and RefusedSignature identify the refused release;
	// RetryAfter is when one refused for its signature or self-test may
	// be tried again (another file or signature is tried at once).
	RefusedSHA256    string     `json:"refused_sha256,omitempty"`
	RefusedSignature string     `json:"refused_signature,omitempty"`
	RetryAfter       *time.Time `json:"retry_after,omitempty"`
	// Error is the newest problem asking for or installing an update
	// other than a refusal (the server could not be reached, the
	// program's folder cannot be written); cleared by the next check that
	// works.
	Error string `json:"error,omitempty"`
}

// SelfUpdate says whether this build updates itself, and if not, why, in
// words for status.
func SelfUpdate() (on bool, why string) {
	_, err := releaseKey(ReleasePublicKey)
	if err != nil {
		return false, err.Error()
	}
	return true, "new versions offered by the server are installed once their signature is checked"
}

// SelfUpdateEnv, set to "off" in the agent's environment, turns
// self-update off: the .deb and .rpm packages set it in their unit,
// because there the package manager owns the program and updates it.
const SelfUpdateEnv = "HANDWASH_SELF_UPDATE"

func releaseKey(s string) (ed25519.PublicKey, error) {
	if os.Getenv(SelfUpdateEnv) == "off" {
		return nil, errors.New("off: this copy is installed by a package manager, which updates it (" + SelfUpdateEnv + "=off)")
	}
	if s == "" {
		return nil, errors.New("off: this is a development build, which has no release key to check new versions with")
	}
	k, err := release.ParsePublicKey(s)
	if err != nil {
		return nil, errors.New("off: the release key built into this program is damaged, so no new version can be checked")
	}
	return k, nil
}

// Restart is what Run returns once the agent has replaced its own program
// with a new release: whoever started it starts the program again
// (ReExec), or exits so that the service manager does.
type Restart struct {
	// Executable is the program, now the new version.
	Executable string
	From, To   string
}

func (r *Restart) Error() string {
	return fmt.Sprintf("the agent was updated from version %s to %s and must start again to run it", r.From, r.To)
}

// refusal is an update turned down for what was downloaded or how it ran.
type refusal struct {
	reason string
	// hold: the same file would be refused again, so wait before retrying.
	hold bool
}

func (r *refusal) Error() string { return r.reason }

func refuse(hold bool, format string, args ...any) *refusal {
	return &refusal{reason: fmt.Sprintf(format, args...), hold: hold}
}

// updater installs new releases of the running program.
type updater struct {
	key        ed25519.PublicKey
	exe        string // the program to replace, links resolved
	configPath string // given to the new program's self-test
	version    string // the running version
	goos       string
	goarch     string
	log        *slog.Logger
	state      *stateFile
	now        func() time.Time
	// canRestart says why the running agent could not start the new
	// version once installed (nil when it can).
	canRestart func() error
}

// newUpdater returns the updater of a running agent, or nil, having logged
// why, when this build or this installation does not update itself.
func (r *Runner) newUpdater() *updater {
	keyText := ReleasePublicKey
	if r.releaseKey != "" {
		keyText = r.releaseKey
	}
	key, err := releaseKey(keyText)
	if err != nil {
		r.log.Info("self-update is " + err.Error())
		return nil
	}
	if !release.ValidVersion(r.Version) {
		r.log.Info("self-update is off: this program's version is not a release version", "version", r.Version)
		return nil
	}
	exe := r.executable
	if exe == "" {
		if exe, err = os.Executable(); err == nil {
			exe, err = filepath.EvalSymlinks(exe)
		}
		if err != nil {
			r.log.Warn("self-update is off: cannot tell where this program is", "err", err)
			return nil
		}
	}
	u := &updater{
		key: key, exe: exe, configPath: r.ConfigPath, version: r.Version, goos: runtime.GOOS, goarch: runtime.GOARCH,
		log: r.log, state: r.state, now: r.now, canRestart: canRestart,
	}
	u.cleanUp()
	return u
}

// due reports whether it is time to ask the server again.
func (u *updater) due() bool {
	at := u.state.get().Update.CheckedAt
	if at == nil {
		return true
	}
	age := u.now().Sub(*at)
	return age < 0 || age >= updateCheckEvery
}

func (u *updater) record(change func(*UpdateState)) {
	if err := u.state.update(func(s *State) { change(&s.Update) }); err != nil {
		u.log.Warn("cannot write the agent's state file (status will be out of date)", "err", err)
	}
}

// check asks the server for a newer version and, when one is offered,
// downloads, checks and installs it. It returns a Restart once the new
// version is in place; nil when there is none, or when it was refused or
// could not be installed (recorded for status, and logged).
func (u *updater) check(ctx context.Context, c *Client) *Restart {
	u.log.Debug("asking the server for a new version", "version", u.version, "os", u.goos, "arch", u.goarch)
	o, err := c.LatestRelease(ctx, u.goos, u.goarch, u.version)
	if err != nil {
		u.log.Warn("cannot ask the server for a new version", "err", plain(err))
		u.record(func(s *UpdateState) { s.Error = "cannot ask the server for a new version: " + plain(err) })
		return nil
	}
	now := u.now()
	u.record(func(s *UpdateState) { s.CheckedAt, s.Error = timePtr(now), "" })
	if o == nil {
		u.log.Debug("no new version", "version", u.version)
		return nil
	}
	st := u.state.get().Update
	if st.RetryAfter != nil && now.Before(*st.RetryAfter) && strings.EqualFold(st.RefusedSHA256, o.SHA256) && st.RefusedSignature == o.Signature {
		u.log.Info("the server still offers the version refused before; it will be tried again later", "version", o.Version,
			"refused", st.RefusedReason, "retry_after", st.RetryAfter.Format(time.RFC3339))
		return nil
	}
	u.log.Info("the server offers a new version", "version", o.Version, "running", u.version, "bytes", o.Size, "sha256", o.SHA256)
	rs, err := u.install(ctx, c, o)
	var ref *refusal
	switch {
	case errors.As(err, &ref):
		u.log.Error("update refused; this agent keeps running its version", "version", o.Version, "running", u.version, "reason", ref.reason, "sha256", o.SHA256)
		u.record(func(s *UpdateState) {
			s.RefusedAt, s.RefusedVersion, s.RefusedReason, s.RetryAfter = timePtr(u.now()), o.Version, ref.reason, nil
			s.RefusedSHA256, s.RefusedSignature = strings.ToLower(o.SHA256), o.Signature
			if ref.hold {
				s.RetryAfter = timePtr(u.now().Add(refusedHold))
			}
		})
		return nil
	case err != nil:
		msg := plain(err)
		u.log.Error("could not install the new version; this agent keeps running its version", "version", o.Version, "running", u.version, "err", msg)
		u.record(func(s *UpdateState) { s.Error = "could not install version " + o.Version + ": " + msg })
		return nil
	}
	u.record(func(s *UpdateState) {
		s.InstalledAt, s.InstalledFrom, s.InstalledVersion, s.Previous = timePtr(u.now()), u.version, o.Version, u.exe+".previous"
		s.RefusedAt, s.RefusedVersion, s.RefusedReason, s.RefusedSHA256, s.RefusedSignature, s.RetryAfter, s.Error = nil, "", "", "", "", nil, ""
	})
	return rs
}

// install downloads the offered release beside the program, checks it,
// and puts it in the program's place.
func (u *updater) install(ctx context.Context, c *Client, o *release.Offer) (*Restart, error) {
	switch {
	case o.OS != u.goos || o.Arch != u.goarch:
		return nil, refuse(true, "the server offered a version for %s/%s to this %s/%s computer", o.OS, o.Arch, u.goos, u.goarch)
	case release.Compare(o.Version, u.version) <= 0:
		return nil, refuse(true, "the server offered version %q, which is not newer than %s", o.Version, u.version)
	case o.Size <= 0 || o.Size > release.MaxSize:
		return nil, refuse(true, "the server offered a program of %d bytes; at most %d MB is allowed", o.Size, release.MaxSize>>20)
	}
	want, err := hex.DecodeString(o.SHA256)
	if err != nil || len(want) != sha256.Size {
		return nil, refuse(true, "the server's offer has no valid SHA-256 checksum")
	}
	if _, err := release.ParseSignature(o.Signature); err != nil {
		return nil, refuse(true, "%v", err)
	}
	if _, err := releaseFile(o); err != nil {
		return nil, refuse(true, "%v", err)
	}
	if err := u.canRestart(); err != nil {
		return nil, err
	}

	dir, base := filepath.Split(u.exe)
	ext := filepath.Ext(base) // .exe on Windows: it must keep it to run
	tmp, err := os.CreateTemp(dir, tempPrefix(base)+"*"+ext)
	if err != nil {
		return nil, folderError(dir, err)
	}
	name := tmp.Name()
	defer os.Remove(name) // after the rename into place this finds nothing
	u.log.Info("downloading the new version", "version", o.Version, "bytes", o.Size, "to", name)
	h := sha256.New()
	n, err := c.DownloadRelease(ctx, o, io.MultiWriter(tmp, h))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	var nao *notAsOffered
	switch {
	case errors.As(err, &nao):
		return nil, refuse(false, "%s", nao.msg)
	case err != nil:
		return nil, err
	case n != o.Size:
		return nil, refuse(false, "the download is %d bytes, not the %d the server offered", n, o.Size)
	}
	var digest [sha256.Size]byte
	h.Sum(digest[:0])
	if !bytes.Equal(digest[:], want) {
		return nil, refuse(false, "the download does not match its SHA-256 checksum (it may have been damaged on the way)")
	}
	if err := release.Verify(u.key, digest, o.Signature); err != nil {
		if errors.Is(err, release.ErrBadSignature) {
			return nil, refuse(true, "signature does not match: the download was not signed with the release key built into this agent")
		}
		return nil, refuse(true, "%v", err)
	}
	u.log.Info("the download's size, checksum and signature are good", "version", o.Version, "sha256", hex.EncodeToString(digest[:]))
	mode := os.FileMode(0o755)
	if fi, err := os.Stat(u.exe); err == nil {
		mode = fi.Mode().Perm() | 0o100
	}
	if err := os.Chmod(name, mode); err != nil {
		return nil, fmt.Errorf("cannot make the new version executable: %w", err)
	}
	if err := u.selfTest(ctx, name, o.Version); err != nil {
		return nil, err
	}
	u.log.Info("the new version passed its self-test", "version", o.Version)

	prev, err := keepPrevious(u.exe)
	if err != nil {
		return nil, fmt.Errorf("cannot keep the running version as %s.previous: %w", u.exe, err)
	}
	u.log.Info("kept the running version to go back to", "version", u.version, "file", prev)
	if err := replaceExecutable(name, u.exe); err != nil {
		return nil, fmt.Errorf("cannot put the new version in place of %s: %w", u.exe, err)
	}
	syncDir(dir)
	u.log.Info("installed the new version", "version", o.Version, "replacing", u.version, "file", u.exe)
	return &Restart{Executable: u.exe, From: u.version, To: o.Version}, nil
}

// selfTest runs the new program's self-test, which reads this agent's
// configuration and must say, within selfTestTimeout, that it is the
// version offered, built for this computer. A version that cannot start
// is refused before it replaces the running one.
func (u *updater) selfTest(ctx context.Context, exe, version string) error {
	ctx, cancel := context.WithTimeout(ctx, selfTestTimeout)
	defer cancel()
	var out, errOut limitedBuffer
	var err error
	for try := 0; ; try++ {
		out.Reset()
		errOut.Reset()
		cmd := exec.CommandContext(ctx, exe, "agent", "selftest", "--config", u.configPath)
		cmd.Stdout, cmd.Stderr = &out, &errOut
		cmd.WaitDelay = time.Second
		err = cmd.Run()
		// A program just written may be "busy" for a moment while another
		// goroutine's child process still holds the file open from before
		// its exec (the collectors run commands all the time).
		if !errors.Is(err, syscall.ETXTBSY) || try >= 10 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	why := strings.TrimSpace(errOut.String())
	if len(why) > 300 {
		why = why[:300] + "…"
	}
	switch {
	case ctx.Err() != nil:
		return refuse(true, "the new version failed its self-test: it did not finish within %s", selfTestTimeout)
	case err != nil && why != "":
		return refuse(true, "the new version failed its self-test (%v): %s", err, why)
	case err != nil:
		return refuse(true, "the new version failed its self-test: %v", err)
	}
	var a SelfTestReport
	if err := json.Unmarshal(out.Bytes(), &a); err != nil {
		return refuse(true, "the new version failed its self-test: its answer is not what this agent expects (%v)", err)
	}
	if release.Compare(a.Version, version) != 0 || a.Version == "" {
		return refuse(true, "the new program says it is version %q, not the %s offered", a.Version, version)
	}
	if a.OS != u.goos || a.Arch != u.goarch {
		return refuse(true, "the new program is built for %s/%s, not this %s/%s computer", a.OS, a.Arch, u.goos, u.goarch)
	}
	return nil
}

// limitedBuffer keeps the first 64 KiB written to it.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := 64<<10 - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// tempPrefix starts the names of downloads beside the program base.
func tempPrefix(base string) string {
	return "." + strings.TrimSuffix(base, filepath.Ext(base)) + ".update-"
}

// folderError explains a program folder the agent cannot write in.
func folderError(dir string, err error) error {
	if errors.Is(err, syscall.EROFS) {
		return fmt.Errorf("cannot write the new version beside the program in %s: the service may not write there; run 'handwash agent install' again so that it may (%v)", dir, err)
	}
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("cannot write the new version beside the program in %s: the agent must run as an administrator (root) to update itself (%v)", dir, err)
	}
	return fmt.Errorf("cannot write the new version beside the program in %s: %w", dir, err)
}

// keepPrevious keeps the running program as <exe>.previous, by a second
// name for the same file where the file system allows it, else a copy.
func keepPrevious(exe string) (string, error) {
	prev := exe + ".previous"
	tmp := prev + ".tmp"
	os.Remove(tmp)
	if err := os.Link(exe, tmp); err != nil {
		if err := copyFile(exe, tmp); err != nil {
			os.Remove(tmp)
			return "", err
		}
	}
	if err := renameReplacing(tmp, prev); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return prev, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// cleanUp removes what an earlier update left beside the program: the
// version moved aside on Windows, and downloads a stop interrupted.
func (u *updater) cleanUp() {
	dir, base := filepath.Split(u.exe)
	old := u.exe + ".old"
	if err := os.Remove(old); err == nil {
		u.log.Info("removed the version an update replaced", "file", old)
	}
	names, _ := readNames(filepath.Clean(dir))
	for _, n := range names {
		if strings.HasPrefix(n, tempPrefix(base)) {
			if err := os.Remove(filepath.Join(dir, n)); err == nil {
				u.log.Info("removed an unfinished download of a new version", "file", filepath.Join(dir, n))
			}
		}
	}
}
