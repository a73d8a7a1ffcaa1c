package s3

// The fake S3 service used by the tests.
//
// REAL (gofakes3 v1.2.0 with its in-memory backend, served by httptest on
// 127.0.0.1): buckets, PUT/GET/HEAD/DELETE of objects, listing (V2),
// ETags (the MD5 of the content), Content-MD5 checks, versioning (enable,
// version IDs, delete by version ID, delete markers), NoSuchBucket,
// GetBucketLocation, and LastModified from a test clock.
//
// STUBBED by fakeS3.ServeHTTP in front of gofakes3, because gofakes3 lacks
// them (each stub answers with the XML or error that AWS documents):
//   - GET ?object-lock, ?encryption, ?lifecycle: the configured XML, or the
//     "not configured" error AWS gives (ObjectLockConfigurationNotFoundError,
//     ServerSideEncryptionConfigurationNotFoundError,
//     NoSuchLifecycleConfiguration), or the error code in deny
//     (AccessDenied, or NotImplemented as some S3-compatible services say).
//   - Object lock's refusal: with a lock configured, every DELETE by
//     version ID is refused with 403 AccessDenied ("protected by object
//     lock"), as default retention protects every new version, unless the
//     lock is in governance mode, the request carries
//     x-amz-bypass-governance-retention: true and bypass is allowed.
//   - Access keys: gofakes3 checks no signatures, so a key listed in
//     badKeys gets 403 InvalidAccessKeyId, one in readOnly gets 403
//     AccessDenied for PUT, POST and DELETE, one in noPut only for PUT;
//     a GET of an object path in denyGet gets 403 AccessDenied.
//   - Corruption: rotBackend wraps the real in-memory backend and flips
//     the first byte of chosen objects when they are read, while the ETag
//     stays the MD5 of what was uploaded, as bit rot on disk would.

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

const (
	adminKey    = "AKIAADMIN"
	adminSecret = "admin-secret-do-not-print"
)

// clock is a test time source, safe to read from the server's goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// rotBackend is the real in-memory backend, except that objects named in
// rotten come back with their first byte flipped.
type rotBackend struct {
	*s3mem.Backend
	mu     sync.Mutex
	rotten map[string]bool
}

func (b *rotBackend) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	obj, err := b.Backend.GetObject(bucket, key, rng)
	b.mu.Lock()
	rot := b.rotten[key]
	b.mu.Unlock()
	if err != nil || !rot {
		return obj, err
	}
	body, err := io.ReadAll(obj.Contents)
	obj.Contents.Close()
	if err != nil {
		return nil, err
	}
	if len(body) > 0 {
		body[0] ^= 0xff
	}
	obj.Contents = io.NopCloser(bytes.NewReader(body))
	return obj, nil
}

type lockStub struct {
	mode      string // GOVERNANCE or COMPLIANCE
	days      int
	years     int
	bypassOK  bool // governance bypass allowed for every key
	noDefault bool // lock enabled without a default retention rule
}

type fakeS3 struct {
	t       *testing.T
	srv     *httptest.Server
	clock   *clock
	backend *rotBackend
	inner   http.Handler

	mu         sync.Mutex
	lock       *lockStub
	encryption string
	lifecycle  string
	deny       map[string]string // bucket setting ("encryption", …) → error code answered
	badKeys    map[string]bool
	readOnly   map[string]bool
	noPut      map[string]bool
	denyGet    map[string]bool // object paths ("/bucket/key") whose GET is refused
}

var testEpoch = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newFake(t *testing.T) *fakeS3 {
	t.Helper()
	clk := &clock{t: testEpoch}
	be := &rotBackend{Backend: s3mem.New(s3mem.WithTimeSource(clk)), rotten: map[string]bool{}}
	faker := gofakes3.New(be, gofakes3.WithTimeSource(clk), gofakes3.WithTimeSkewLimit(0))
	f := &fakeS3{t: t, clock: clk, backend: be, inner: faker.Server(),
		deny: map[string]string{}, badKeys: map[string]bool{}, readOnly: map[string]bool{}, noPut: map[string]bool{}, denyGet: map[string]bool{}}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeS3) endpoint() string { return strings.TrimPrefix(f.srv.URL, "http://") }

// opts returns Options for the bucket with the given key.
func (f *fakeS3) opts(bucket, prefix, key string) Options {
	return Options{Bucket: bucket, Prefix: prefix, Endpoint: f.endpoint(), Region: "us-east-1",
		AccessKey: key, SecretKey: key + "-secret", Insecure: true, TempDir: f.t.TempDir(),
		Now: func() time.Time { return f.clock.Now() }}
}

func (f *fakeS3) admin() *minio.Client {
	f.t.Helper()
	mc, err := minio.New(f.endpoint(), &minio.Options{Creds: credentials.NewStaticV4(adminKey, adminSecret, ""), Region: "us-east-1"})
	if err != nil {
		f.t.Fatal(err)
	}
	return mc
}

func (f *fakeS3) makeBucket(name string, versioned bool) {
	f.t.Helper()
	mc, ctx := f.admin(), context.Background()
	if err := mc.MakeBucket(ctx, name, minio.MakeBucketOptions{}); err != nil {
		f.t.Fatal(err)
	}
	if versioned {
		if err := mc.EnableVersioning(ctx, name); err != nil {
			f.t.Fatal(err)
		}
	}
}

// put uploads an object (a single-part upload) at the clock's time at.
func (f *fakeS3) put(bucket, key, body string, at time.Time) {
	f.t.Helper()
	f.clock.set(at)
	_, err := f.admin().PutObject(context.Background(), bucket, key, strings.NewReader(body), int64(len(body)), minio.PutObjectOptions{})
	if err != nil {
		f.t.Fatalf("put %s: %v", key, err)
	}
}

func (f *fakeS3) keys(bucket string) []string {
	f.t.Helper()
	var keys []string
	for o := range f.admin().ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			f.t.Fatal(o.Err)
		}
		keys = append(keys, o.Key)
	}
	return keys
}

func (f *fakeS3) rot(key string) {
	f.backend.mu.Lock()
	defer f.backend.mu.Unlock()
	f.backend.rotten[key] = true
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key, q := accessKey(r), r.URL.Query()
	bucketOnly := !strings.Contains(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case f.badKeys[key]:
		s3Error(w, http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	case f.readOnly[key] && r.Method != http.MethodGet && r.Method != http.MethodHead,
		f.noPut[key] && r.Method == http.MethodPut,
		f.denyGet[r.URL.Path] && r.Method == http.MethodGet:
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied")
	case bucketOnly && r.Method == http.MethodGet && f.setting(w, q):
	case r.Method == http.MethodDelete && q.Get("versionId") != "" && f.lockRefuses(r):
		s3Error(w, http.StatusForbidden, "AccessDenied", "Access Denied because object protected by object lock.")
	default:
		f.inner.ServeHTTP(w, r)
	}
}

// setting answers the bucket settings gofakes3 lacks; false for others.
func (f *fakeS3) setting(w http.ResponseWriter, q map[string][]string) bool {
	for _, name := range []string{"object-lock", "encryption", "lifecycle"} {
		if _, ok := q[name]; !ok {
			continue
		}
		if code := f.deny[name]; code != "" {
			s3Error(w, map[bool]int{true: http.StatusForbidden, false: http.StatusNotImplemented}[code == "AccessDenied"], code, code)
			return true
		}
		f.writeSetting(w, name)
		return true
	}
	return false
}

func (f *fakeS3) writeSetting(w http.ResponseWriter, name string) {
	switch {
	case name == "object-lock" && f.lock != nil:
		writeXML(w, lockXML(f.lock))
	case name == "object-lock":
		s3Error(w, http.StatusNotFound, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket")
	case name == "encryption" && f.encryption != "":
		writeXML(w, `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>`+
			f.encryption+`</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`)
	case name == "encryption":
		s3Error(w, http.StatusNotFound, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found")
	case name == "lifecycle" && f.lifecycle != "":
		writeXML(w, f.lifecycle)
	default:
		s3Error(w, http.StatusNotFound, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist")
	}
}

func lockXML(l *lockStub) string {
	if l.noDefault {
		return `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>`
	}
	period := "<Days>" + strconv.Itoa(l.days) + "</Days>"
	if l.years > 0 {
		period = "<Years>" + strconv.Itoa(l.years) + "</Years>"
	}
	return `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>` +
		l.mode + `</Mode>` + period + `</DefaultRetention></Rule></ObjectLockConfiguration>`
}

// lockRefuses reports whether the stubbed object lock refuses a delete by
// version ID.
func (f *fakeS3) lockRefuses(r *http.Request) bool {
	l := f.lock
	if l == nil || l.noDefault {
		return false
	}
	bypass := strings.EqualFold(r.Header.Get("X-Amz-Bypass-Governance-Retention"), "true")
	return !(l.mode == "GOVERNANCE" && bypass && l.bypassOK)
}

// accessKey returns the access key of a SigV4-signed request.
func accessKey(r *http.Request) string {
	_, cred, ok := strings.Cut(r.Header.Get("Authorization"), "Credential=")
	if !ok {
		return ""
	}
	key, _, _ := strings.Cut(cred, "/")
	return key
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>`+msg+`</Message></Error>`)
}

func writeXML(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/xml")
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+body)
}
