package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// Every kind of bad upload is refused with the right status and a JSON
// error that names the problem, and stores nothing.
func TestUploadRefusals(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	_, cred := e.enroll(tn.a, "RECEPTION-PC")
	good := facts(t, windowsNeglected, e.now().Add(-time.Hour))
	e.upload(cred, "first", good).want(http.StatusCreated)

	noise := make([]byte, MaxSnapshotCompressed+1)
	rand.Read(noise)
	// Valid JSON whitespace compresses a thousandfold: a small gzip
	// bomb that is larger than the limit once decompressed.
	bomb := gzipped(t, append([]byte(`{"schema": "handwash.facts/v1"`), bytes.Repeat([]byte(" "), MaxSnapshotSize+1)...))
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d bytes compressed", len(bomb))
	}
	replace := func(old, new string) []byte {
		t.Helper()
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("the Facts have no %s", old)
		}
		return bytes.Replace(good, []byte(old), []byte(new), 1)
	}
	gz := gzipped(t, good)
	gzipHeader := []string{"Content-Encoding", "gzip"}
	withID := func(h ...string) []string { return append([]string{headerSnapshotID, "snap-2"}, h...) }

	before := e.dump()
	for _, c := range []struct {
		name    string
		body    []byte
		chunked bool // send without a Content-Length
		headers []string
		status  int
		code    string
		words   []string
	}{
		{"no snapshot ID", gz, false, gzipHeader, 400, handwash.EINVALID, []string{headerSnapshotID, "missing"}},
		{"bad snapshot ID", gz, false, append(gzipHeader, headerSnapshotID, "../../etc"), 400, handwash.EINVALID, []string{headerSnapshotID}},
		{"malformed digest header", gz, false, withID("Content-Encoding", "gzip", headerFactsDigest, "md5:abc"), 400, handwash.EINVALID, []string{headerFactsDigest}},
		{"unknown encoding", gz, false, withID("Content-Encoding", "br"), 400, handwash.EINVALID, []string{"Content-Encoding"}},
		{"compressed over 4 MiB", noise, false, withID(gzipHeader...), 413, handwash.ETOOLARGE, []string{"compressed", "4 MiB"}},
		{"compressed over 4 MiB, chunked", noise, true, withID(gzipHeader...), 413, handwash.ETOOLARGE, []string{"compressed", "4 MiB"}},
		{"decompressed over 16 MiB", bomb, false, withID(gzipHeader...), 413, handwash.ETOOLARGE, []string{"decompressed", "16 MiB"}},
		{"uncompressed over 16 MiB", bytes.Repeat([]byte(" "), MaxSnapshotSize+1), true, withID(), 413, handwash.ETOOLARGE, []string{"16 MiB"}},
		{"not gzip", good, false, withID(gzipHeader...), 400, handwash.EINVALID, []string{"gzip"}},
		{"truncated gzip", gz[:len(gz)/2], false, withID(gzipHeader...), 400, handwash.EINVALID, []string{"gzip", "cut short"}},
		{"gzip with trailing garbage", append(bytes.Clone(gz), "garbage"...), false, withID(gzipHeader...), 400, handwash.EINVALID, []string{"gzip"}},
		{"truncated JSON", gzipped(t, good[:len(good)/2]), false, withID(gzipHeader...), 400, handwash.EINVALID, []string{"line", "cut short"}},
		{"malformed JSON", gzipped(t, []byte(`{"schema": "handwash.facts/v1",,}`)), false, withID(gzipHeader...), 400, handwash.EINVALID, []string{"line 1"}},
		{"not an object", gzipped(t, []byte(`[1, 2, 3]`)), false, withID(gzipHeader...), 400, handwash.EINVALID, nil},
		{"wrong schema", gzipped(t, replace(`"schema": "handwash.facts/v1"`, `"schema": "handwash.facts/v9"`)), false, withID(gzipHeader...), 400, handwash.EINVALID, []string{"schema", "handwash.facts/v9"}},
		{"wrong field type", gzipped(t, replace(`"graphical": true`, `"graphical": "yes"`)), false, withID(gzipHeader...), 400, handwash.EINVALID, []string{"device.graphical", "line 12"}},
		{"uncompressed and wrong", replace(`"graphical": true`, `"graphical": 1`), false, withID(), 400, handwash.EINVALID, []string{"device.graphical"}},
		{"collected in the future", gzipped(t, facts(t, windowsNeglected, e.now().Add(49*time.Hour))), false, withID(gzipHeader...), 400, handwash.EINVALID, []string{"collected_at", "clock"}},
		{"collected long ago", gzipped(t, facts(t, windowsNeglected, e.now().Add(-31*24*time.Hour))), false, withID(gzipHeader...), 400, handwash.EINVALID, []string{"collected_at", "too old"}},
		{"snapshot ID reused for other Facts", gzipped(t, facts(t, windowsWellKept, e.now())), false, append(gzipHeader, headerSnapshotID, "first"), 409, handwash.ECONFLICT, []string{"first", "snapshot ID"}},
		{"collected_at header in the future, with the digest shortcut", nil, false, withID(headerFactsDigest, digestOf(t, good), headerCollectedAt, e.now().Add(72*time.Hour).Format(time.RFC3339)), 400, handwash.EINVALID, []string{headerCollectedAt}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(c.body)
			if c.chunked {
				body = io.MultiReader(body) // hides the length
			}
			req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/snapshots", body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+cred)
			for i := 0; i+1 < len(c.headers); i += 2 {
				req.Header.Set(c.headers[i], c.headers[i+1])
			}
			res, err := e.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			(&response{t: t, what: c.name, status: res.StatusCode, header: res.Header, body: b}).wantError(c.status, c.code, c.words...)
			if after := e.dump(); after != before {
				t.Errorf("the store changed:\n%s", after)
				before = after
			}
		})
	}
}

// digestOf is the digest the server computes for Facts.
func digestOf(t *testing.T, factsJSON []byte) string {
	t.Helper()
	var f handwash.Facts
	if err := json.Unmarshal(factsJSON, &f); err != nil {
		t.Fatal(err)
	}
	return f.Digest()
}

// A new snapshot is stored; a retry is recognised; the same Facts
// collected again move only "last seen"; new Facts are stored and queued.
func TestUploadStoresOnceAndRetries(t *testing.T) {
	var stored atomic.Int32
	e := newEnv(t, func(d *Deps) { d.Stored = func() { stored.Add(1) } })
	tn := e.tenancy()
	id, cred := e.enroll(tn.a, "enrolled-name")
	admin := tn.tokens["A admin"]

	neglected := facts(t, windowsNeglected, e.now().Add(-2*time.Hour))
	var got uploadResult
	e.upload(cred, "s1", neglected).want(http.StatusCreated).decode(&got)
	if got != (uploadResult{SnapshotID: "s1", Stored: true}) {
		t.Errorf("first upload: %+v", got)
	}
	var d deviceView
	e.do("GET", "/api/v1/devices/"+id, admin, nil).want(http.StatusOK).decode(&d)
	if d.Hostname != "RECEPTION-PC" || d.Platform != handwash.PlatformWindows || d.OS != "Windows 10 Pro" || d.FactsDigest != digestOf(t, neglected) || d.LastSnapshotID != "s1" || d.LastSeenAt == nil {
		t.Errorf("device after the first upload: %+v", d.Device)
	}

	// The retry: 200, nothing changes.
	before := e.dump()
	got = uploadResult{}
	e.upload(cred, "s1", neglected).want(http.StatusOK).decode(&got)
	if got != (uploadResult{SnapshotID: "s1", Duplicate: true}) {
		t.Errorf("retry: %+v", got)
	}
	if e.dump() != before {
		t.Error("a retry changed the store")
	}

	// The same Facts, collected an hour later: stored as a snapshot, not
	// as Facts again.
	// (sent uncompressed, which the server compresses to store)
	e.do("POST", "/api/v1/snapshots", cred, facts(t, windowsNeglected, e.now().Add(-time.Hour)), headerSnapshotID, "s2").want(http.StatusCreated)
	// New Facts.
	e.upload(cred, "s3", facts(t, windowsWellKept, e.now())).want(http.StatusCreated)

	// New Facts sent uncompressed are stored compressed, and read back
	// as they were.
	linux := facts(t, linuxWellKept, e.now())
	e.do("POST", "/api/v1/snapshots", cred, linux, headerSnapshotID, "s4").want(http.StatusCreated)
	dev, err := e.store.DeviceForAuth(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	back, err := readStoredFacts(e, dev)
	if err != nil {
		t.Fatal(err)
	}
	if back.Digest() != digestOf(t, linux) || dev.FactsDigest != digestOf(t, linux) {
		t.Errorf("stored Facts have digest %s, want %s", back.Digest(), digestOf(t, linux))
	}

	var snaps list[handwash.Snapshot]
	e.do("GET", "/api/v1/devices/"+id+"/snapshots", admin, nil).want(http.StatusOK).decode(&snaps)
	if len(snaps.Items) != 4 {
		t.Fatalf("snapshots: %+v", snaps.Items)
	}
	digests := map[string]string{}
	for _, s := range snaps.Items {
		digests[s.ID] = s.Digest
	}
	if digests["s1"] != digests["s2"] || digests["s1"] == digests["s3"] {
		t.Errorf("digests: %v", digests)
	}
	var blobs int
	if err := e.store.WriteDB().QueryRow(`SELECT COUNT(*) FROM facts`).Scan(&blobs); err != nil {
		t.Fatal(err)
	}
	if blobs != 3 {
		t.Errorf("%d Facts stored for three different Facts", blobs)
	}
	if n := stored.Load(); n != 3 {
		t.Errorf("the workers were woken %d times for three new Facts", n)
	}
}

// readSpy is a request body that records whether it was read.
type readSpy struct {
	r    io.Reader
	read atomic.Bool
}

func (s *readSpy) Read(p []byte) (int, error) {
	s.read.Store(true)
	return s.r.Read(p)
}

// When the agent's digest is the device's newest, the server answers
// before the body is sent: with Expect: 100-continue, Go's client sends
// the body only after "100 Continue", which Go's server sends only when
// the handler reads the body.
func TestUploadDigestShortcut(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	id, cred := e.enroll(tn.a, "RECEPTION-PC")
	admin := tn.tokens["A admin"]
	first := facts(t, windowsNeglected, e.now().Add(-2*time.Hour))
	e.upload(cred, "s1", first).want(http.StatusCreated)
	digest := digestOf(t, first)

	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	defer client.CloseIdleConnections()
	send := func(snapshotID, hint string, collected time.Time, body []byte) (*response, bool) {
		t.Helper()
		gz := gzipped(t, body)
		spy := &readSpy{r: bytes.NewReader(gz)}
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/snapshots", spy)
		req.ContentLength = int64(len(gz))
		req.Header.Set("Authorization", "Bearer "+cred)
		req.Header.Set("Content-Encoding", "gzip")
		req.Header.Set(headerSnapshotID, snapshotID)
		req.Header.Set(headerFactsDigest, hint)
		req.Header.Set(headerCollectedAt, collected.UTC().Format(time.RFC3339))
		req.Header.Set("Expect", "100-continue")
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return &response{t: t, what: "upload " + snapshotID, status: res.StatusCode, header: res.Header, body: b}, spy.read.Load()
	}

	collected := e.now().Add(-time.Hour).Truncate(time.Second)
	res, read := send("s2", digest, collected, first)
	res.want(http.StatusCreated)
	if read {
		t.Error("the body was sent although the server holds the digest")
	}
	var snaps list[handwash.Snapshot]
	e.do("GET", "/api/v1/devices/"+id+"/snapshots", admin, nil).want(http.StatusOK).decode(&snaps)
	if len(snaps.Items) != 2 || snaps.Items[0].ID != "s2" || !snaps.Items[0].CollectedAt.Equal(collected) || snaps.Items[0].Digest != digest {
		t.Errorf("after the shortcut: %+v", snaps.Items)
	}

	// A retry of it is a duplicate, also without the body.
	res, read = send("s2", digest, collected, first)
	res.want(http.StatusOK)
	if read {
		t.Error("a retry's body was sent")
	}

	// Another digest: the body is read, and the server's own digest counts,
	// not the header's.
	second := facts(t, windowsWellKept, e.now())
	wrongHint := "sha256:" + strings.Repeat("0", 64)
	res, read = send("s3", wrongHint, e.now(), second)
	res.want(http.StatusCreated)
	if !read {
		t.Error("new Facts were stored without being read")
	}
	var d deviceView
	e.do("GET", "/api/v1/device", cred, nil).want(http.StatusOK).decode(&d)
	if d.FactsDigest != digestOf(t, second) {
		t.Errorf("digest %s, want the server's own %s", d.FactsDigest, digestOf(t, second))
	}
}

// Uploads from many devices at once are each stored once.
func TestUploadConcurrent(t *testing.T) {
	e := newEnv(t)
	tn := e.tenancy()
	const devices, each = 8, 5
	creds := make([]string, devices)
	for i := range creds {
		_, creds[i] = e.enroll(tn.a, "PC")
	}
	files := []string{windowsNeglected, windowsWellKept, linuxWellKept, macosNeglected}
	errs := make(chan error, devices*each)
	for i, cred := range creds {
		go func() {
			for j := range each {
				b := facts(t, files[(i+j)%len(files)], e.now().Add(-time.Duration(each-j)*time.Minute))
				req, _ := http.NewRequestWithContext(context.Background(), "POST", e.srv.URL+"/api/v1/snapshots", bytes.NewReader(b))
				req.Header.Set("Authorization", "Bearer "+cred)
				req.Header.Set(headerSnapshotID, "snap-"+string(rune('a'+j)))
				res, err := http.DefaultClient.Do(req)
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusCreated {
						err = &handwash.Error{Code: "status", Message: res.Status}
					}
				}
				errs <- err
			}
		}()
	}
	for range devices * each {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	var n int
	if err := e.store.WriteDB().QueryRow(`SELECT COUNT(*) FROM snapshots`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != devices*each {
		t.Errorf("%d snapshots stored, want %d", n, devices*each)
	}
}
