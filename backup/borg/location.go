package borg

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/handwash/handwash"
)

// location is a repository as borg is given it.
type location struct {
	// arg is what borg is given: an absolute path for a local repository.
	arg string
	// display names the repository to people, without secrets.
	display string
	// local says the repository is a folder on this machine (or a share
	// mounted on it); path is then its absolute path.
	local bool
	path  string
	// host is the server of a remote repository.
	host string
}

// scpLike matches borg's remote form user@host:path (host without / or :,
// or a bracketed IPv6 address).
var scpLike = regexp.MustCompile(`^(?:[^@:/]+@)?([^:/\[\]]+|\[[0-9a-fA-F:.]+\]):(.+)$`)

// parseLocation reads a repository as the user gave it.
func parseLocation(repo string) (location, error) {
	repo = strings.TrimSpace(repo)
	if i := archiveSep(repo); i >= 0 {
		return location{}, handwash.Errorf(handwash.EINVALID, "Give the borg repository without an archive name: %s, not %s.", redactURL(repo[:i]), redactURL(repo))
	}
	if strings.HasPrefix(repo, "ssh://") {
		return sshLocation(repo)
	}
	if p, ok := strings.CutPrefix(repo, "file://"); ok {
		return localLocation(p)
	}
	if m := scpLike.FindStringSubmatch(repo); m != nil && !isDrive(m[1]) {
		return location{arg: repo, display: repo, host: strings.Trim(m[1], "[]")}, nil
	}
	return localLocation(repo)
}

// archiveSep returns where "::" (borg's REPO::ARCHIVE) begins in repo,
// outside an IPv6 address in brackets, or -1.
func archiveSep(repo string) int {
	masked := ipv6.ReplaceAllStringFunc(repo, func(a string) string { return strings.Repeat("_", len(a)) })
	return strings.Index(masked, "::")
}

// ipv6 matches an IPv6 address in brackets.
var ipv6 = regexp.MustCompile(`\[[0-9a-fA-F:.]+\]`)

func sshLocation(repo string) (location, error) {
	u, err := url.Parse(repo)
	if err != nil || u.Host == "" || u.Path == "" {
		return location{}, handwash.Errorf(handwash.EINVALID, "The borg repository %q is not a valid address: use ssh://user@server/path/to/repo or ssh://user@server:port/path/to/repo.", redactURL(repo))
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		return location{}, handwash.Errorf(handwash.EINVALID, "Take the password out of the borg repository address %s: borg logs in to the server with an SSH key, and a password there would show on this computer's list of running programs.", u.Redacted())
	}
	return location{arg: repo, display: repo, host: u.Hostname()}, nil
}

// redactURL hides a password in a URL, even one that does not parse.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	if at := strings.LastIndex(s, "@"); at >= 0 && strings.HasPrefix(s, "ssh://") {
		return "ssh://…" + s[at:]
	}
	return s
}

func localLocation(p string) (location, error) {
	if p == "" {
		return location{}, handwash.Errorf(handwash.EINVALID, "Give the borg repository's folder.")
	}
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, p[1:])
		}
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return location{}, handwash.Errorf(handwash.EINVALID, "The borg repository folder %s could not be found: %v.", p, err)
	}
	return location{arg: abs, display: p, local: true, path: abs}, nil
}

// isDrive reports whether host is a Windows drive letter, as in C:\backup.
func isDrive(host string) bool {
	return runtime.GOOS == "windows" && len(host) == 1
}
