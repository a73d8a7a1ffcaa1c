package restic

import (
	"net/url"
	"strings"
)

// backends are the prefixes restic gives its repository locations; a
// location without one is a folder.
var backends = []string{"local", "sftp", "rest", "s3", "b2", "azure", "gs", "swift", "rclone"}

// backend splits a repository location into its backend and the rest:
// ("rest", "https://host:8000/"), or ("local", "/srv/restic") for a folder.
func backend(repo string) (kind, rest string) {
	for _, b := range backends {
		if r, ok := strings.CutPrefix(repo, b+":"); ok {
			return b, r
		}
	}
	return "local", repo
}

func isLocal(repo string) bool {
	k, _ := backend(repo)
	return k == "local"
}

// Redact returns a repository location fit to show: a password in a REST
// server's address (rest:https://user:password@host/) is replaced.
func Redact(repo string) string {
	kind, rest := backend(repo)
	if kind != "rest" {
		return repo
	}
	u, err := url.Parse(rest)
	if err != nil {
		return userinfoRE.ReplaceAllString(repo, "$1:***@")
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "***")
	}
	return "rest:" + strings.Replace(u.String(), "%2A%2A%2A@", "***@", 1)
}
