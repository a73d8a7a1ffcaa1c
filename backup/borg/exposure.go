package borg

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/handwash/handwash/backup"
)

// maxConfig bounds a repository's config file.
const maxConfig = 1 << 20

// exposure answers the ransomware question for the repository: could a
// program running here, as this account, delete or overwrite the backups?
// It writes nothing. readOnly says this account cannot write to a local
// repository.
func exposure(loc location) (e backup.Exposure, readOnly bool) {
	if !loc.local {
		return backup.Exposure{Detail: remoteExposure(loc.host)}, false
	}
	appendOnly, cfgErr := readAppendOnly(filepath.Join(loc.path, "config"))
	where, known, err := changeable(loc.path)
	if !known {
		return backup.Exposure{Detail: unknownExposure(loc.display, err)}, false
	}
	e = backup.Exposure{Known: true, CanDelete: where != ""}
	example := where
	if where == loc.path {
		example = ""
	}
	e.Detail = localExposure(loc.display, where, example) + appendOnlyNote(appendOnly, cfgErr, where != "")
	return e, where == ""
}

func remoteExposure(host string) string {
	return fmt.Sprintf("The backups are on another computer (%s), reached over SSH, so Handwash cannot tell from here whether a program on this computer could delete them. They are safe from that only if the server lets this computer's SSH key run nothing but 'borg serve --append-only': in the server's authorized_keys file, the key's line should begin command=\"borg serve --append-only --restrict-to-path /path/to/repo\",restrict. Ask whoever looks after the server to confirm.", host)
}

func unknownExposure(repo string, err error) string {
	s := fmt.Sprintf("Handwash could not tell whether this account can change or delete the files in %s", repo)
	if err != nil {
		s += " (" + plainOSError(err) + ")"
	}
	return s + ". Check the folder's permissions: only the account that makes the backups should be able to change it, and ideally the backups should also be kept where this computer cannot change them."
}

// localExposure explains whether this account can change the local
// repository: where is a path it can change, or ""; example is one to
// name, if any.
func localExposure(repo, where, example string) string {
	if where == "" {
		return fmt.Sprintf("This account (%s) cannot change or delete the files in the borg repository %s, so a program running here as this account could not destroy the backups.", accountName(), repo)
	}
	if example != "" {
		example = " (for example " + example + ")"
	}
	return fmt.Sprintf("This account (%s) can change or delete the files in the borg repository %s%s, so ransomware running here could destroy the backups along with everything else. Keep a copy this computer cannot change: a backup server reached with 'borg serve --append-only', or a disk that is unplugged after each backup.", accountName(), repo, example)
}

// appendOnlyNote explains the repository's append-only setting.
func appendOnlyNote(appendOnly bool, cfgErr error, writable bool) string {
	switch {
	case cfgErr != nil:
		return " Handwash could not read the repository's config file (" + plainOSError(cfgErr) + "), so does not know whether it is append-only."
	case !appendOnly:
		return ""
	case writable:
		return " The repository is append-only: when borg deletes or prunes backups the data is kept and the change can be undone. That stops mistakes made with borg, but not a program that deletes the files directly, as this account can."
	}
	return " The repository is also append-only: when borg deletes or prunes backups the data is kept and the change can be undone."
}

func accountName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "the one Handwash runs as"
}

// readAppendOnly reads append_only from a repository's config file.
func readAppendOnly(name string) (bool, error) {
	f, err := os.Open(name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfig))
	if err != nil {
		return false, err
	}
	return parseAppendOnly(b), nil
}

// parseAppendOnly reads the [repository] append_only setting of a borg
// config file (INI), true for 1, yes, true or on, as Python's configparser
// reads it.
func parseAppendOnly(b []byte) bool {
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), maxConfig)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue // blank, or the continuation of a value such as key
		}
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.ToLower(strings.TrimSpace(line[1 : len(line)-1]))
			continue
		}
		k, v, ok := cut(line)
		if ok && section == "repository" && k == "append_only" {
			switch strings.ToLower(v) {
			case "1", "yes", "true", "on":
				return true
			}
			return false
		}
	}
	return false
}

// cut splits "key = value" or "key: value".
func cut(line string) (key, value string, ok bool) {
	i := strings.IndexAny(line, "=:")
	if i < 0 {
		return "", "", false
	}
	return strings.ToLower(strings.TrimSpace(line[:i])), strings.TrimSpace(line[i+1:]), true
}
