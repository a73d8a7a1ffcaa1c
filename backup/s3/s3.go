// Package s3 verifies a backup kept in an S3-compatible bucket (Amazon S3,
// Backblaze B2, Wasabi, a NAS's S3 service) and fills in a
// backup.Verification.
//
// Verify only reads the backups. The one thing it writes is the exposure
// probe: a 1-byte object named <prefix>/.handwash-probe-<random>, which it
// then tries to delete for good, to find out whether this machine's key
// could delete or overwrite the backups as ransomware running here would.
// Options.NoWriteProbe switches the probe off.
//
// The CLI reads the key from the environment variables AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and, for temporary keys, AWS_SESSION_TOKEN, and
// passes them in Options. They never appear in an error, a log line or
// Options.String.
package s3

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/minio/minio-go/v7/pkg/s3utils"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
)

// Defaults.
const (
	DefaultEndpoint       = "s3.amazonaws.com"
	DefaultSample         = 20
	DefaultMaxSampleBytes = 256 << 20
)

// maxListed caps how many objects are listed. A variable so that tests can
// lower it.
var maxListed = 1_000_000

// Options says which bucket to verify and how.
type Options struct {
	// Bucket and Prefix name the backup: s3://Bucket/Prefix (see
	// ParseLocation). Prefix is the folder inside the bucket; "" is the
	// whole bucket, and a trailing "/" is added when it is missing.
	Bucket string
	Prefix string
	// Endpoint is host or host:port, without https://; "" means
	// s3.amazonaws.com.
	Endpoint string
	// Region is the bucket's region; "" asks the service.
	Region string
	// AccessKey, SecretKey and SessionToken are the key this machine
	// uses. The CLI reads them from AWS_ACCESS_KEY_ID,
	// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. All empty means
	// anonymous access. They are secrets: never logged or shown.
	AccessKey    string
	SecretKey    string
	SessionToken string
	// Insecure uses plain HTTP. It is only allowed for an endpoint on this
	// machine (localhost or a loopback address), for tests.
	Insecure bool
	// Source is the original folder, when known: restored objects whose
	// original has not changed since the backup are compared with it.
	Source string
	// Sample is how many objects to restore (default 20); MaxSampleBytes
	// leaves out larger objects (default 256 MiB).
	Sample         int
	MaxSampleBytes int64
	// TempDir is where the sample is restored; "" means the system's.
	TempDir string
	// NoWriteProbe switches off the exposure probe; the exposure is then
	// judged from the bucket's settings alone.
	NoWriteProbe bool
	// Now returns the time; nil means time.Now.
	Now func() time.Time
	// Transport replaces the HTTP transport, for tests.
	Transport http.RoundTripper
}

// String describes the options without the secret key or session token.
func (o Options) String() string {
	key := "none"
	if o.AccessKey != "" {
		key = "set"
	}
	return fmt.Sprintf("s3 %s endpoint=%s region=%s key=%s insecure=%t source=%q sample=%d",
		location(o.Bucket, o.Prefix), o.endpoint(), o.Region, key, o.Insecure, o.Source, o.Sample)
}

// GoString is String, so that %#v does not print the secret either.
func (o Options) GoString() string { return o.String() }

// LogValue is String, for log/slog.
func (o Options) LogValue() slog.Value { return slog.StringValue(o.String()) }

func (o Options) endpoint() string {
	if o.Endpoint == "" {
		return DefaultEndpoint
	}
	return o.Endpoint
}

// ParseLocation splits a location such as s3://bucket/folder/sub into the
// bucket and the prefix ("folder/sub", without leading or trailing "/").
func ParseLocation(s string) (bucket, prefix string, err error) {
	const scheme = "s3://"
	if len(s) < len(scheme) || !strings.EqualFold(s[:len(scheme)], scheme) {
		return "", "", handwash.Errorf(handwash.EINVALID,
			"the backup location %q must start with s3://, as in s3://my-bucket/backups", s)
	}
	bucket, prefix, _ = strings.Cut(s[len(scheme):], "/")
	if err := checkBucket(bucket); err != nil {
		return "", "", err
	}
	prefix = strings.Trim(prefix, "/")
	if err := checkPrefix(prefix); err != nil {
		return "", "", err
	}
	return bucket, prefix, nil
}

func checkBucket(bucket string) error {
	if err := s3utils.CheckValidBucketName(bucket); err != nil {
		return &handwash.Error{Code: handwash.EINVALID, Err: err, Message: fmt.Sprintf(
			"%q is not a valid bucket name: bucket names are 3 to 63 letters, digits, dots and hyphens, and start and end with a letter or digit", bucket)}
	}
	return nil
}

func checkPrefix(prefix string) error {
	if !utf8.ValidString(prefix) || strings.ContainsFunc(prefix, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return handwash.Errorf(handwash.EINVALID,
			"the folder in the backup location has characters a bucket cannot hold; check the location")
	}
	if len(prefix) > 1000 {
		return handwash.Errorf(handwash.EINVALID, "the folder in the backup location is too long (S3 allows 1024 bytes)")
	}
	return nil
}

// location formats s3://bucket/prefix.
func location(bucket, prefix string) string {
	if prefix == "" {
		return "s3://" + bucket
	}
	return "s3://" + bucket + "/" + strings.Trim(prefix, "/")
}

// config is Options checked and with defaults filled in.
type config struct {
	Options
	prefix string // "" or ending in "/"
}

func (o Options) check() (*config, error) {
	if err := checkBucket(o.Bucket); err != nil {
		return nil, err
	}
	prefix := strings.TrimLeft(o.Prefix, "/")
	if err := checkPrefix(prefix); err != nil {
		return nil, err
	}
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	if err := checkEndpoint(o.endpoint(), o.Insecure); err != nil {
		return nil, err
	}
	if (o.AccessKey == "") != (o.SecretKey == "") {
		return nil, handwash.Errorf(handwash.EINVALID,
			"give both the access key (AWS_ACCESS_KEY_ID) and the secret key (AWS_SECRET_ACCESS_KEY), or neither")
	}
	c := &config{Options: o, prefix: prefix}
	c.fillDefaults()
	return c, nil
}

func (c *config) fillDefaults() {
	c.Endpoint = c.endpoint()
	if c.Sample <= 0 {
		c.Sample = DefaultSample
	}
	if c.MaxSampleBytes <= 0 {
		c.MaxSampleBytes = DefaultMaxSampleBytes
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

func checkEndpoint(endpoint string, insecure bool) error {
	host := endpoint
	if strings.Contains(endpoint, "://") || strings.ContainsAny(endpoint, "/?#@ ") {
		return handwash.Errorf(handwash.EINVALID,
			"the endpoint %q should be a host name, with a port if needed (such as s3.eu-west-2.wasabisys.com or nas.local:9000), without https:// or a path", endpoint)
	}
	if h, _, err := net.SplitHostPort(endpoint); err == nil {
		host = h
	}
	if insecure && !isLoopback(host) {
		return handwash.Errorf(handwash.EINVALID,
			"plain HTTP (insecure) is only allowed for a test server on this machine, and %s is not on this machine; remove the insecure setting so that the key and backups travel encrypted", endpoint)
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Verify verifies the backup in the bucket: its settings, the newest
// object, a test restore of a sample, the checksums the bucket stores for
// them, and whether this machine's key could delete the backups.
//
// It returns an error only when the bucket cannot be verified at all
// (bad options, missing bucket, wrong key, service unreachable); a part
// that could not be done is reported in the Verification.
func Verify(ctx context.Context, opts Options) (*backup.Verification, error) {
	c, err := opts.check()
	if err != nil {
		return nil, err
	}
	cl, err := newClient(c)
	if err != nil {
		return nil, err
	}
	v := &backup.Verification{Kind: backup.KindS3, Location: location(c.Bucket, c.prefix), StartedAt: c.Now()}
	listed, err := cl.list(ctx)
	if err != nil {
		return nil, err
	}
	listed.fill(v)
	v.Protection = cl.protection(ctx)
	res, err := cl.restore(ctx, listed)
	if err != nil {
		return nil, err
	}
	res.fill(v, listed, c)
	v.Exposure = cl.exposure(ctx, v.Protection)
	v.FinishedAt = c.Now()
	return v, nil
}
