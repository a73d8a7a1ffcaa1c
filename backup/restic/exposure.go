package restic

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/handwash/handwash/backup"
)

// exposure answers the ransomware question for the repository: could
// this computer delete or overwrite its backups?
func exposure(ctx context.Context, c *config) backup.Exposure {
	kind, rest := backend(c.Repo)
	switch kind {
	case "local":
		return localExposure(rest)
	case "rest":
		client := &http.Client{Timeout: c.HTTPTimeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		return restExposure(ctx, client, rest)
	case "sftp":
		return backup.Exposure{Known: true, CanDelete: true, Detail: "Very likely: restic needs an SFTP account that can write and delete files (it removes its own lock files), and SFTP has no append-only mode. " +
			"If the server keeps snapshots that this account cannot change (ZFS, Btrfs or a NAS's snapshots), the backups survive even so: then record an exception."}
	case "s3", "b2", "azure", "gs", "swift":
		return backup.Exposure{Detail: "restic reaches this cloud storage with a key that can write to it, and whether that key can also delete depends on the storage's settings, which restic does not show. " +
			"For S3-compatible storage, check the bucket's versioning and object lock with handwash backup verify --kind s3."}
	}
	return backup.Exposure{Detail: "Handwash cannot tell what the account that rclone uses may do with these backups: check that it cannot delete them."}
}

// localExposure asks the system whether this user could change the
// repository's folders, without writing anything to them.
func localExposure(repo string) backup.Exposure {
	paths := []string{repo}
	for _, d := range []string{"config", "data", "index", "snapshots", "keys"} {
		paths = append(paths, filepath.Join(repo, d))
	}
	if subdirs, err := os.ReadDir(filepath.Join(repo, "data")); err == nil {
		for _, d := range subdirs {
			paths = append(paths, filepath.Join(repo, "data", d.Name()))
		}
	}
	return backup.LocalExposure(repo, paths, "the repository")
}

// restExposure asks a restic REST server whether it is in append-only
// mode, without changing anything: it asks to delete a data file with a
// random name that cannot exist. restic's rest-server refuses every
// delete outside locks/ in append-only mode (403 Forbidden) before it
// looks for the file, and otherwise answers that the file is not there
// (404 Not Found).
func restExposure(ctx context.Context, client *http.Client, rest string) backup.Exposure {
	u, err := url.Parse(rest)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return backup.Exposure{Detail: "The REST server's address could not be read, so Handwash could not ask it whether it accepts deletions."}
	}
	name := make([]byte, 32)
	_, _ = rand.Read(name)
	probe := u.JoinPath("data", hex.EncodeToString(name))
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, probe.String(), nil)
	if err != nil {
		return backup.Exposure{Detail: "Handwash could not ask the REST server whether it accepts deletions: " + err.Error() + "."}
	}
	resp, err := client.Do(req)
	if err != nil {
		return backup.Exposure{Detail: "Handwash could not ask the REST server whether it accepts deletions: " + probeError(err) + "."}
	}
	resp.Body.Close()
	return restAnswer(resp.StatusCode)
}

func restAnswer(code int) backup.Exposure {
	switch code {
	case http.StatusForbidden:
		return backup.Exposure{Known: true, Detail: "The REST server refused to delete a test file name that does not exist: it runs in append-only mode, so this computer can add backups but not delete or change them."}
	case http.StatusNotFound, http.StatusOK, http.StatusNoContent:
		return backup.Exposure{Known: true, CanDelete: true, Detail: "The REST server accepts deletions: asked to delete a test file name that does not exist, it looked for the file instead of refusing, so it is not in append-only mode and would delete backups if asked."}
	case http.StatusUnauthorized:
		return backup.Exposure{Detail: "The REST server asked for a user name and password before answering whether it accepts deletions: give them in the repository address (rest:https://user:password@host:8000/)."}
	}
	return backup.Exposure{Detail: fmt.Sprintf("The REST server gave an unexpected answer (HTTP %d) when asked whether it accepts deletions.", code)}
}

// probeError says why the probe failed, without the URL (which may hold a
// password).
func probeError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}
