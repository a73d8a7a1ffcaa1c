package collect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// macosCollectors are the collectors of macos machines. They live in files
// without build tags so their tests run on every platform against recordings.
//
// Every command runs by its full path, so a PATH planted by someone else
// cannot swap a tool (ioreg, fdesetup, ...) for their own, and every
// timeout is short: the whole check has a one-second budget, and the slow
// tools (softwareupdate --list, system_profiler) are not used at all.
func macosCollectors() []Collector {
	return []Collector{
		{Name: "macos-device", Timeout: 3 * time.Second, Run: collectMacDevice},
		{Name: "macos-os", Topics: []string{"os"}, Timeout: 2 * time.Second, Run: collectMacOS},
		{Name: "macos-updates", Topics: []string{"updates"}, Timeout: 3 * time.Second, Run: collectMacUpdates},
		{Name: "macos-firewall", Topics: []string{"firewall"}, Timeout: 3 * time.Second, Run: collectMacFirewall},
		{Name: "macos-malware", Topics: []string{"malware"}, Timeout: 3 * time.Second, Run: collectMacMalware},
		{Name: "macos-encryption", Topics: []string{"encryption"}, Timeout: 3 * time.Second, Run: collectMacEncryption},
		{Name: "macos-screen-lock", Topics: []string{"screen_lock"}, Timeout: 3 * time.Second, Run: collectMacScreenLock},
		{Name: "macos-accounts", Topics: []string{"accounts"}, Timeout: 3 * time.Second, Run: collectMacAccounts},
		{Name: "macos-password-policy", Topics: []string{"password_policy"}, Timeout: 3 * time.Second, Run: collectMacPasswordPolicy},
		{Name: "macos-sharing", Topics: []string{"remote_access", "smb"}, Timeout: 3 * time.Second, Run: collectMacSharing},
		{Name: "macos-network", Topics: []string{"network"}, Timeout: 3 * time.Second, Run: collectMacNetwork},
		{Name: "macos-wifi", Topics: []string{"wifi"}, Timeout: 3 * time.Second, Run: collectMacWiFi},
		{Name: "macos-removable-media", Topics: []string{"removable_media"}, Timeout: 3 * time.Second, Run: collectMacRemovableMedia},
		{Name: "macos-app-control", Topics: []string{"app_control"}, Timeout: 3 * time.Second, Run: collectMacAppControl},
		{Name: "macos-content-protection", Topics: []string{"content_protection"}, Timeout: 3 * time.Second, Run: collectMacContentProtection},
		{Name: "macos-backup", Topics: []string{"backup"}, Timeout: 3 * time.Second, Run: collectMacBackup},
		{Name: "macos-software", Topics: []string{"software"}, Timeout: 5 * time.Second, Run: collectMacSoftware},
	}
}

// Full paths of the macOS tools the collectors run.
const (
	macCsrutil       = "/usr/bin/csrutil"
	macDscl          = "/usr/bin/dscl"
	macFdesetup      = "/usr/bin/fdesetup"
	macIoreg         = "/usr/sbin/ioreg"
	macLaunchctl     = "/bin/launchctl"
	macNetstat       = "/usr/sbin/netstat"
	macNetworksetup  = "/usr/sbin/networksetup"
	macNvram         = "/usr/sbin/nvram"
	macPlutil        = "/usr/bin/plutil"
	macPmset         = "/usr/bin/pmset"
	macProfiles      = "/usr/bin/profiles"
	macPs            = "/bin/ps"
	macPwpolicy      = "/usr/bin/pwpolicy"
	macSocketfilterf = "/usr/libexec/ApplicationFirewall/socketfilterfw"
	macSpctl         = "/usr/sbin/spctl"
	macStat          = "/usr/bin/stat"
	macSudo          = "/usr/bin/sudo"
	macSysctl        = "/usr/sbin/sysctl"
	macSysadminctl   = "/usr/sbin/sysadminctl"
	macSysextctl     = "/usr/bin/systemextensionsctl"
	macTmutil        = "/usr/bin/tmutil"
	macUname         = "/usr/bin/uname"
)

// macManagedPrefs is where MDM profiles leave their settings; values there
// win over the ones in /Library/Preferences and the user's own.
const macManagedPrefs = "/Library/Managed Preferences"

// macRun runs a tool and returns what it printed. A tool that is missing or
// could not start, or that ran out of time, is an error; a non-zero exit is
// not (callers look at ExitCode, because several macOS tools use it to
// answer "no").
func macRun(ctx context.Context, h Host, name string, args ...string) (Output, error) {
	out, err := h.Run(ctx, name, args...)
	if err != nil {
		return out, fmt.Errorf("%s: %w", path.Base(name), err)
	}
	return out, nil
}

// macRunOK runs a tool that must succeed and returns its standard output.
func macRunOK(ctx context.Context, h Host, name string, args ...string) ([]byte, error) {
	out, err := macRun(ctx, h, name, args...)
	if err != nil {
		return nil, err
	}
	if out.ExitCode != 0 {
		return out.Stdout, &macExitError{tool: path.Base(name), code: out.ExitCode, msg: macFirstLine(out.Stderr, out.Stdout)}
	}
	return out.Stdout, nil
}

// macExitError is a tool that ended with a non-zero exit code.
type macExitError struct {
	tool string
	code int
	msg  string
}

func (e *macExitError) Error() string {
	if e.msg == "" {
		return fmt.Sprintf("%s exited with code %d", e.tool, e.code)
	}
	return fmt.Sprintf("%s exited with code %d: %s", e.tool, e.code, e.msg)
}

// macFirstLine returns the first non-empty line of the first output that
// has one, for error messages.
func macFirstLine(outs ...[]byte) string {
	for _, b := range outs {
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				if len(l) > 200 {
					l = l[:200]
				}
				return l
			}
		}
	}
	return ""
}

// macReason picks the reason a fact is missing from the error that hid it.
func macReason(err error) string {
	var exit *macExitError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return handwash.ReasonTimedOut
	case errors.Is(err, ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return handwash.ReasonNotInstalled
	case errors.Is(err, fs.ErrPermission):
		return handwash.ReasonNeedsAdmin
	case errors.As(err, &exit) && macDeniedText(exit.msg):
		return handwash.ReasonNeedsAdmin
	}
	return handwash.ReasonError
}

// macTopicMissing records why a whole topic could not be observed. An
// error that says why (a missing tool, no rights, no Full Disk Access)
// becomes a missing fact with that reason; any other error is returned, so
// the collector counts as failed.
func macTopicMissing(f *handwash.Facts, topic string, err error) error {
	switch macReason(err) {
	case handwash.ReasonNeedsAdmin, handwash.ReasonNotInstalled:
		f.AddMissing(topic, macReason(err), err.Error())
		return nil
	}
	return err
}

// macDeniedText says whether a tool's message means it lacked rights or
// Full Disk Access, which macOS words in several ways.
func macDeniedText(s string) bool {
	s = strings.ToLower(s)
	for _, m := range []string{"operation not permitted", "permission denied", "must be run as root", "administrator access", "requires root", "not authorized", "full disk access"} {
		if strings.Contains(s, m) {
			return true
		}
	}
	return false
}

// macReadPlist reads a property list file. XML files are parsed as they
// are; binary ones go through plutil, which converts any plist to XML.
func macReadPlist(ctx context.Context, h Host, file string) (any, error) {
	b, err := h.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if macLooksXML(b) {
		return parsePlist(b)
	}
	out, err := macRunOK(ctx, h, macPlutil, "-convert", "xml1", "-o", "-", file)
	if err != nil {
		return nil, err
	}
	return parsePlist(out)
}

// macReadPlistDict reads a plist file whose top value is a dict.
func macReadPlistDict(ctx context.Context, h Host, file string) (map[string]any, error) {
	v, err := macReadPlist(ctx, h, file)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a dictionary", file)
	}
	return m, nil
}

func macLooksXML(b []byte) bool {
	b = bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n")
	return bytes.HasPrefix(b, []byte("<?xml")) || bytes.HasPrefix(b, []byte("<plist")) || bytes.HasPrefix(b, []byte("<!DOCTYPE"))
}

// macPrefs is one preference domain as macOS resolves it: managed values
// (MDM) first, then the stored ones.
type macPrefs struct {
	managed map[string]any // /Library/Managed Preferences, user then computer
	stored  map[string]any // /Library/Preferences or the user's own
}

// get returns the effective value of key and whether MDM set it.
func (p macPrefs) get(key string) (v any, managed bool) {
	if v, ok := p.managed[key]; ok {
		return v, true
	}
	return p.stored[key], false
}

// macManaged reads the managed values of a preference domain: the
// per-user file (when user is set) wins over the computer-wide one. A
// missing file is simply "nothing managed".
func macManaged(ctx context.Context, h Host, domain, user string) (map[string]any, error) {
	merged := map[string]any{}
	files := []string{macManagedPrefs + "/" + domain + ".plist"}
	if user != "" {
		files = append(files, macManagedPrefs+"/"+user+"/"+domain+".plist")
	}
	var firstErr error
	for _, file := range files {
		m, err := macReadPlistDict(ctx, h, file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		for k, v := range m {
			merged[k] = v
		}
	}
	return merged, firstErr
}

// macDomainPrefs reads a preference domain from its stored file and the
// managed ones. A missing stored file means no stored values; an
// unreadable one is returned as an error with whatever managed values there
// are.
func macDomainPrefs(ctx context.Context, h Host, domain, storedFile, user string) (macPrefs, error) {
	var p macPrefs
	var errs []error
	managed, err := macManaged(ctx, h, domain, user)
	p.managed = managed
	if err != nil {
		errs = append(errs, err)
	}
	if storedFile != "" {
		stored, err := macReadPlistDict(ctx, h, storedFile)
		switch {
		case err == nil:
			p.stored = stored
		case errors.Is(err, fs.ErrNotExist):
			p.stored = map[string]any{}
		default:
			errs = append(errs, err)
		}
	}
	return p, errors.Join(errs...)
}

// macUser is a local account the collectors read per-user settings of.
type macUser struct {
	Name string
	UID  int
	Home string
}

// macConsoleUser returns the person signed in at the screen: the owner of
// /dev/console, which is root while the login window shows.
func macConsoleUser(ctx context.Context, h Host) (string, error) {
	b, err := macRunOK(ctx, h, macStat, "-f", "%Su", "/dev/console")
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(b))
	if name == "root" || name == "loginwindow" || name == "_mbsetupuser" {
		return "", nil
	}
	return name, nil
}

// errMacNoUser is returned when nobody is signed in at the screen (the
// login window shows), so there are no per-user settings to read.
var errMacNoUser = errors.New("nobody is signed in at the screen, so there are no one's settings to read")

// macSubjectUser returns whose per-user settings to read. As root that is
// the console user; as anyone else it is the user running the check, since
// other people's preferences are not readable to them.
func macSubjectUser(ctx context.Context, h Host) (macUser, error) {
	name, err := macConsoleUser(ctx, h)
	if err != nil {
		return macUser{}, err
	}
	if !h.Elevated() {
		if me := h.Getenv("USER"); me != "" && me != "root" {
			name = me
		}
	}
	if name == "" {
		return macUser{}, errMacNoUser
	}
	return macLookupUser(ctx, h, name)
}

// macLookupUser reads an account's UID and home folder from the local
// directory.
func macLookupUser(ctx context.Context, h Host, name string) (macUser, error) {
	b, err := macRunOK(ctx, h, macDscl, ".", "-read", "/Users/"+name, "NFSHomeDirectory", "UniqueID")
	if err != nil {
		return macUser{}, err
	}
	u := macUser{Name: name, UID: -1}
	attrs := parseDsclRead(b)
	if v := attrs["NFSHomeDirectory"]; len(v) > 0 {
		u.Home = v[0]
	}
	if v := attrs["UniqueID"]; len(v) > 0 {
		if n, err := strconv.Atoi(v[0]); err == nil {
			u.UID = n
		}
	}
	if u.Home == "" || u.UID < 0 {
		return u, fmt.Errorf("dscl: no home folder or UID for %s", name)
	}
	return u, nil
}

// macRunAsUser runs a tool in u's session. As root it goes through
// `launchctl asuser UID sudo -u NAME`, because tools like sysadminctl
// answer for the user whose session they run in; as anyone else it runs
// directly.
func macRunAsUser(ctx context.Context, h Host, u macUser, name string, args ...string) (Output, error) {
	if h.Elevated() && u.Name != "" && u.Name != "root" {
		full := append([]string{"asuser", strconv.Itoa(u.UID), macSudo, "-u", u.Name, name}, args...)
		return macRun(ctx, h, macLaunchctl, full...)
	}
	return macRun(ctx, h, name, args...)
}

// parseDsclRead parses `dscl . -read RECORD ATTR...`: "Attr: v1 v2" on one
// line, or "Attr:" followed by indented values when one has a space.
func parseDsclRead(b []byte) map[string][]string {
	attrs := map[string][]string{}
	var cur string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if cur != "" {
				attrs[cur] = append(attrs[cur], strings.TrimSpace(line))
			}
			continue
		}
		name, rest, ok := strings.Cut(line, ":")
		if !ok {
			cur = ""
			continue
		}
		cur = name
		if rest = strings.TrimSpace(rest); rest != "" {
			attrs[cur] = append(attrs[cur], strings.Fields(rest)...)
		} else if _, seen := attrs[cur]; !seen {
			attrs[cur] = nil
		}
	}
	return attrs
}
