package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// modulePath is the module the release is built from.
const modulePath = "github.com/handwash/handwash"

// mainPackage is the package of the handwash binary, relative to the module.
const mainPackage = "cmd/handwash"

// publicKeySymbol is where the agent expects the release public key.
const publicKeySymbol = modulePath + "/agent.ReleasePublicKey"

// options is the command line, checked.
type options struct {
	Version            string
	Release            release
	Out                string
	Targets            []target
	SigningKeyFile     string
	SigningKey         ed25519.PrivateKey // nil: no signatures
	WindowsCert        string
	WindowsKey         string
	WindowsKeyPassword string
	TimestampURL       string
	AllowDirty         bool
	SourceDateEpoch    string
}

// release is a release version.
type release struct {
	// Version is the version without a leading v: 1.2.3, 1.3.0-rc.1.
	Version string
	// Numeric is the Windows file version: major, minor, patch, 0.
	Numeric [4]uint16
	// Prerelease is true for versions such as 1.3.0-rc.1.
	Prerelease bool
}

var semverRE = regexp.MustCompile(`^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// parseVersion accepts a semantic version, with or without a leading v.
func parseVersion(s string) (release, error) {
	m := semverRE.FindStringSubmatch(s)
	if m == nil {
		return release{}, fmt.Errorf("version %q is not a version such as 1.2.3 or 1.3.0-rc.1", s)
	}
	r := release{Version: strings.TrimPrefix(s, "v"), Prerelease: m[4] != ""}
	for i := range 3 {
		n, err := strconv.ParseUint(m[i+1], 10, 16)
		if err != nil {
			return release{}, fmt.Errorf("version %q: each number must be at most 65535 (Windows keeps each in 16 bits)", s)
		}
		r.Numeric[i] = uint16(n)
	}
	return r, nil
}

// target is one operating system and architecture.
type target struct{ OS, Arch string }

func (t target) String() string { return t.OS + "/" + t.Arch }

// binaryName is the file name of the binary: handwash_1.2.3_linux_amd64.
func (t target) binaryName(version string) string {
	name := "handwash_" + version + "_" + t.OS + "_" + t.Arch
	if t.OS == "windows" {
		name += ".exe"
	}
	return name
}

// sbomName is the file name of the binary's SBOM.
func (t target) sbomName(version string) string {
	return "handwash_" + version + "_" + t.OS + "_" + t.Arch + ".cdx.json"
}

// allTargets are the platforms Handwash is released for.
var allTargets = []target{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
}

func allTargetsFlag() string {
	s := make([]string, len(allTargets))
	for i, t := range allTargets {
		s[i] = t.String()
	}
	return strings.Join(s, ",")
}

// parseTargets reads --targets, keeping the order given and refusing
// platforms Handwash is not released for.
func parseTargets(s string) ([]target, error) {
	var out []target
	seen := map[target]bool{}
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		goos, goarch, _ := strings.Cut(f, "/")
		t := target{goos, goarch}
		known := false
		for _, k := range allTargets {
			known = known || k == t
		}
		if !known {
			return nil, fmt.Errorf("--targets: %q is not one of %s", f, allTargetsFlag())
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("--targets names no target")
	}
	return out, nil
}

// source is what the release is built from.
type source struct {
	// Root is the module's folder.
	Root string
	// Commit is the Git commit, "" when unknown.
	Commit string
	// Modified is true when the working tree has uncommitted changes.
	Modified bool
	// Date is the build date stamped into the binaries.
	Date time.Time
	// DateFrom says where Date came from, for the summary.
	DateFrom string
	// GoVersion is the Go toolchain's version, such as go1.26.8.
	GoVersion string
}

// commitStamp is what -X main.commit is set to.
func (s source) commitStamp() string {
	if s.Commit != "" && s.Modified {
		return s.Commit + "-modified"
	}
	return s.Commit
}

// findSource finds the module, its Git commit and the build date.
func findSource(ctx context.Context, sourceDateEpoch string, notes *[]string) (source, error) {
	var s source
	gomod, err := output(ctx, "", "go", "env", "GOMOD")
	if err != nil {
		return s, fmt.Errorf("finding the module: %w", err)
	}
	if gomod == "" || gomod == os.DevNull {
		return s, errors.New("run the release build inside the Handwash source (no go.mod here)")
	}
	s.Root = filepath.Dir(gomod)
	b, err := os.ReadFile(gomod)
	if err != nil {
		return s, err
	}
	if !slices.ContainsFunc(strings.Split(string(b), "\n"), func(line string) bool {
		return strings.TrimSpace(line) == "module "+modulePath
	}) {
		return s, fmt.Errorf("%s is not the module %s: run the release build inside the Handwash source", gomod, modulePath)
	}
	if s.GoVersion, err = output(ctx, s.Root, "go", "env", "GOVERSION"); err != nil {
		return s, err
	}

	if _, err := exec.LookPath("git"); err != nil {
		*notes = append(*notes, "Git is not installed, so the binaries do not say which commit they were built from.")
	} else if c, err := output(ctx, s.Root, "git", "rev-parse", "HEAD"); err != nil {
		*notes = append(*notes, "The source is not a Git checkout ("+firstLine(err.Error())+"), so the binaries do not say which commit they were built from.")
	} else {
		s.Commit = c
		status, err := output(ctx, s.Root, "git", "status", "--porcelain")
		if err != nil {
			return s, fmt.Errorf("git status: %w", err)
		}
		s.Modified = status != ""
	}

	switch {
	case sourceDateEpoch != "":
		sec, err := strconv.ParseInt(sourceDateEpoch, 10, 64)
		if err != nil || sec < 0 {
			return s, usagef("SOURCE_DATE_EPOCH=%q is not a number of seconds since 1970", sourceDateEpoch)
		}
		s.Date, s.DateFrom = time.Unix(sec, 0).UTC(), "SOURCE_DATE_EPOCH"
	case s.Commit != "":
		ct, err := output(ctx, s.Root, "git", "log", "-1", "--format=%ct", "HEAD")
		if err != nil {
			return s, fmt.Errorf("reading the commit's date: %w", err)
		}
		sec, err := strconv.ParseInt(ct, 10, 64)
		if err != nil {
			return s, fmt.Errorf("reading the commit's date: git printed %q", ct)
		}
		s.Date, s.DateFrom = time.Unix(sec, 0).UTC(), "the commit"
	default:
		s.Date, s.DateFrom = time.Now().UTC().Truncate(time.Second), "the clock"
		*notes = append(*notes, "Without a commit or SOURCE_DATE_EPOCH the build date is now, so building again gives different binaries.")
	}
	return s, nil
}

// ldflags are the linker flags of a release build: no symbol table or
// DWARF (stack traces keep their names), and the version, commit, date and
// release public key stamped in. The linker ignores -X for a variable the
// program does not have.
func ldflags(r release, s source, pub ed25519.PublicKey) string {
	f := []string{"-s", "-w",
		"-X", "main.version=" + r.Version,
		"-X", "main.commit=" + s.commitStamp(),
		"-X", "main.date=" + s.Date.Format(time.RFC3339),
	}
	if pub != nil {
		f = append(f, "-X", publicKeySymbol+"="+base64.StdEncoding.EncodeToString(pub))
	}
	return strings.Join(f, " ")
}

// buildEnv is the environment of go build for t: the caller's, less what
// would make the binary differ from one machine to the next (GOFLAGS,
// GOAMD64, GOEXPERIMENT and the like), with cgo off.
func buildEnv(base []string, t target) []string {
	drop := map[string]bool{
		"GOOS": true, "GOARCH": true, "CGO_ENABLED": true, "GOFLAGS": true,
		"GOAMD64": true, "GOARM64": true, "GOARM": true, "GO386": true,
		"GOEXPERIMENT": true, "GOFIPS140": true, "GODEBUG": true,
	}
	var env []string
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] && !strings.HasPrefix(k, "CGO_") {
			env = append(env, kv)
		}
	}
	return append(env, "GOOS="+t.OS, "GOARCH="+t.Arch, "CGO_ENABLED=0", "GOFLAGS=")
}

// buildArgs are go build's arguments. -buildvcs=false because the commit
// and date come through -X: Go's own stamp would count the resource file
// placed for Windows builds as an uncommitted change, and would need Git.
func buildArgs(flags, out string) []string {
	return []string{"build", "-trimpath", "-buildvcs=false", "-mod=readonly", "-ldflags=" + flags, "-o", out, "./" + mainPackage}
}

// goBuild builds one target into out.
func goBuild(ctx context.Context, s source, t target, flags, out string) error {
	tmp := out + ".partial"
	defer os.Remove(tmp)
	cmd := exec.CommandContext(ctx, "go", buildArgs(flags, tmp)...)
	cmd.Dir = s.Root
	cmd.Env = buildEnv(os.Environ(), t)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("the build for %s was interrupted", t)
		}
		return fmt.Errorf("go build for %s: %v\n%s", t, err, strings.TrimSpace(stderr.String()))
	}
	return os.Rename(tmp, out)
}

// output runs a command and returns its standard output, trimmed.
func output(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("%s %s: %s", name, strings.Join(args, " "), msg)
		}
		return "", fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return strings.TrimSpace(stdout.String()), nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// buildRelease builds every target and writes the release's files.
func buildRelease(ctx context.Context, o options, stdout, stderr io.Writer) error {
	var notes []string
	if o.WindowsCert != "" {
		if err := checkAuthenticode(o); err != nil {
			return err
		}
	}
	src, err := findSource(ctx, o.SourceDateEpoch, &notes)
	if err != nil {
		return err
	}
	if err := removeStaleResources(ctx, src.Root, stdout); err != nil {
		return err
	}
	if src.Modified {
		if !o.AllowDirty {
			return errors.New("the working tree has uncommitted changes (git status lists them): commit them, or pass --allow-dirty to build anyway, and the binaries will say so")
		}
		notes = append(notes, "The working tree had uncommitted changes: the binaries' commit ends in -modified.")
	}
	out, err := filepath.Abs(o.Out)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := removePrevious(out, o.Release.Version, stdout); err != nil {
		return err
	}

	var pub ed25519.PublicKey
	if o.SigningKey != nil {
		pub = o.SigningKey.Public().(ed25519.PublicKey)
	}
	flags := ldflags(o.Release, src, pub)
	commit := src.commitStamp()
	if commit == "" {
		commit = "unknown"
	}
	fmt.Fprintf(stdout, "Building Handwash %s from commit %s with %s, dated %s (from %s)\n",
		o.Release.Version, commit, src.GoVersion, src.Date.Format(time.RFC3339), src.DateFrom)

	var files []string // for SHA256SUMS
	var binaries []string
	for _, t := range o.Targets {
		name := t.binaryName(o.Release.Version)
		path := filepath.Join(out, name)
		start := time.Now()
		if err := buildTarget(ctx, o, src, t, flags, path); err != nil {
			return err
		}
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "  %-16s %s (%.1f MB, %s)\n", t, name, float64(fi.Size())/1e6, time.Since(start).Round(100*time.Millisecond))

		sbom := t.sbomName(o.Release.Version)
		if err := writeSBOM(path, filepath.Join(out, sbom), o.Release, src, t); err != nil {
			return fmt.Errorf("SBOM of %s: %w", name, err)
		}
		files = append(files, name, sbom)
		binaries = append(binaries, name)
	}

	if err := writeSums(out, files); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote SHA256SUMS and an SBOM (CycloneDX) for each binary in %s\n", out)

	if o.SigningKey != nil {
		for _, name := range append(binaries, sumsFile) {
			if err := signFile(filepath.Join(out, name), o.SigningKey); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "Signed each binary and SHA256SUMS (FILE.sig) with the key whose public key is %s\n", base64.StdEncoding.EncodeToString(pub))
	} else {
		notes = append(notes, "No signing key (--signing-key or HANDWASH_SIGNING_KEY): no .sig files were written and the binaries carry no release public key, so agents cannot check updates built from them.")
	}
	if o.WindowsCert == "" && hasWindows(o.Targets) {
		notes = append(notes, "The Windows binaries are not Authenticode-signed (no --windows-cert and --windows-key), so Windows SmartScreen may warn before running them.")
	}
	for _, n := range notes {
		fmt.Fprintln(stdout, "Note:", n)
	}
	return nil
}

// buildTarget builds one binary, with its Windows resources and
// Authenticode signature when it is for Windows.
func buildTarget(ctx context.Context, o options, src source, t target, flags, path string) error {
	if t.OS == "windows" {
		remove, err := placeResources(src.Root, t, o.Release)
		if err != nil {
			return err
		}
		// Removed however the build ends; a run killed outright leaves the
		// file, and the next run removes it first (removeStaleResources).
		defer remove()
	}
	if err := goBuild(ctx, src, t, flags, path); err != nil {
		return err
	}
	if t.OS == "windows" && o.WindowsCert != "" {
		return authenticodeSign(ctx, o, src, path)
	}
	return nil
}

func hasWindows(ts []target) bool {
	for _, t := range ts {
		if t.OS == "windows" {
			return true
		}
	}
	return false
}

// removePrevious removes the files an earlier build of the same version
// left in out, so that no stale signature or SBOM sits beside new binaries.
func removePrevious(out, version string, stdout io.Writer) error {
	old, err := filepath.Glob(filepath.Join(out, "handwash_"+version+"_*"))
	if err != nil {
		return err
	}
	for _, f := range []string{sumsFile, sumsFile + ".sig"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			old = append(old, filepath.Join(out, f))
		}
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	if len(old) > 0 {
		fmt.Fprintf(stdout, "Removed %d files of an earlier build of %s from %s\n", len(old), version, out)
	}
	return nil
}
