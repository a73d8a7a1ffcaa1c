package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/handwash/handwash/agent/release"
)

// downloadTimeout bounds a release download: 200 MB over a slow line.
const downloadTimeout = time.Hour

// releasesPath is where the server serves release binaries (docs/api.md).
const releasesPath = "/api/v1/agent/releases/"

// LatestRelease asks the server for a release for goos and goarch newer
// than version. It returns nil when there is none, including from a
// server too old to offer updates (which answers 404).
func (c *Client) LatestRelease(ctx context.Context, goos, goarch, version string) (*release.Offer, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodGet, "agent/release", nil, c.credential.Reveal())
	if err != nil {
		return nil, err
	}
	req.URL.RawQuery = url.Values{"os": {goos}, "arch": {goarch}, "version": {version}}.Encode()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.connectionError(err)
	}
	if resp.StatusCode == http.StatusNoContent {
		resp.Body.Close()
		return nil, nil
	}
	var o release.Offer
	if err := readAnswer(resp, &o); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return nil, nil
		}
		return nil, err
	}
	return &o, nil
}

// notAsOffered says a download is not what the server offered: cut
// short, longer, or announced with another size.
type notAsOffered struct{ msg string }

func (e *notAsOffered) Error() string { return e.msg }

func notOffered(format string, args ...any) error {
	return &notAsOffered{msg: fmt.Sprintf(format, args...)}
}

// releaseFile returns the file name of an offer's URL, which must be a
// release of this server's, the one offered.
func releaseFile(o *release.Offer) (string, error) {
	file, ok := strings.CutPrefix(o.URL, releasesPath)
	n, named := release.ParseName(file)
	if !ok || !named || n.Version != o.Version || n.OS != o.OS || n.Arch != o.Arch {
		return "", fmt.Errorf("the server offered a download at %q, which is not where this server keeps version %s", o.URL, o.Version)
	}
	return file, nil
}

// DownloadRelease writes the offered binary to w and returns how many
// bytes it wrote. It fetches only from this server, with this device's
// credential, and only the file the offer names; it never writes more
// than the offered size. A download of another size than offered is a
// *notAsOffered error.
func (c *Client) DownloadRelease(ctx context.Context, o *release.Offer, w io.Writer) (int64, error) {
	file, err := releaseFile(o)
	if err != nil {
		return 0, err
	}
	if o.Size <= 0 || o.Size > release.MaxSize {
		return 0, fmt.Errorf("the server offered a download of %d bytes; at most %d MB is allowed", o.Size, release.MaxSize>>20)
	}
	ctx, cancel := context.WithTimeout(ctx, downloadTimeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodGet, "agent/releases/"+file, nil, c.credential.Reveal())
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/octet-stream")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, c.connectionError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, readAnswer(resp, nil)
	}
	if resp.ContentLength >= 0 && resp.ContentLength != o.Size {
		return 0, notOffered("the server is sending %d bytes, not the %d it offered", resp.ContentLength, o.Size)
	}
	// One byte more than offered, to tell a longer file from a whole one.
	dst := &trackedWriter{w: w}
	written, err := io.Copy(dst, io.LimitReader(resp.Body, o.Size+1))
	switch {
	case dst.err != nil:
		return written, dst.err
	case written > o.Size:
		return written, notOffered("the server sent more than the %d bytes it offered", o.Size)
	case err != nil && written < o.Size:
		return written, notOffered("the download was cut short: %d of %d bytes (%v)", written, o.Size, RedactCredential(err.Error()))
	case err != nil:
		return written, err
	case written < o.Size:
		return written, notOffered("the download was cut short: %d of %d bytes", written, o.Size)
	}
	return written, nil
}

// trackedWriter keeps its writer's error, to tell a full disk from a
// download cut short.
type trackedWriter struct {
	w   io.Writer
	err error
}

func (t *trackedWriter) Write(p []byte) (int, error) {
	n, err := t.w.Write(p)
	if err != nil && t.err == nil {
		t.err = err
	}
	return n, err
}
