package s3

// See fake_test.go for what the fake service does for real (gofakes3) and
// what is stubbed.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/lifecycle"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
)

func verify(t *testing.T, opts Options) *backup.Verification {
	t.Helper()
	v, err := Verify(context.Background(), opts)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return v
}

func writeSource(t *testing.T, dir, rel, body string, mtime time.Time) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func probes(keys []string) []string {
	var out []string
	for _, k := range keys {
		if isProbe(k) {
			out = append(out, k)
		}
	}
	return out
}

// A versioned bucket with (stubbed) compliance-mode object lock: newest
// age, a restore checked by MD5 and against the originals, one original
// changed after the backup, one object rotted in storage, and a probe that
// the lock keeps.
func TestVerifyLockedBucket(t *testing.T) {
	f := newFake(t)
	f.makeBucket("care-backups", true)
	f.lock = &lockStub{mode: "COMPLIANCE", days: 30}
	f.encryption = "AES256"
	src := t.TempDir()
	before := testEpoch.Add(-time.Hour)
	files := []struct{ key, body string }{
		{"residents.csv", "name,room\nAda,1\n"},
		{"care/plans.txt", "plan for room 1"},
		{"rota.txt", "monday: Bea"},
		{"meds.txt", "paracetamol 500mg"},
	}
	for i, fl := range files {
		f.put("care-backups", "daily/"+fl.key, fl.body, testEpoch.Add(time.Duration(i)*time.Hour))
		writeSource(t, src, fl.key, fl.body, before)
	}
	f.put("care-backups", "other/not-ours.txt", "x", testEpoch.Add(48*time.Hour))
	f.put("care-backups", "daily/.handwash-probe-earlier", "h", testEpoch.Add(48*time.Hour))
	// Changed after the backup, same size: must be skipped, not mismatched.
	writeSource(t, src, "rota.txt", "monday: Cal", testEpoch.Add(24*time.Hour))
	f.rot("daily/meds.txt")

	f.clock.set(testEpoch.Add(50 * time.Hour))
	opts := f.opts("care-backups", "daily", "AKIAWRITER")
	opts.Source = src
	v := verify(t, opts)

	if v.Kind != backup.KindS3 || v.Location != "s3://care-backups/daily" {
		t.Errorf("kind, location = %q, %q", v.Kind, v.Location)
	}
	if v.Backups != 4 {
		t.Errorf("Backups = %d, want 4 (probe, other prefix left out)", v.Backups)
	}
	if want := testEpoch.Add(3 * time.Hour); v.Newest == nil || !v.Newest.Equal(want) {
		t.Errorf("Newest = %v, want %v", v.Newest, want)
	} else if age := v.FinishedAt.Sub(*v.Newest); age != 47*time.Hour {
		t.Errorf("age = %v, want 47h", age)
	}
	r := v.Restore
	if !r.Ran || r.Files != 4 || r.Bytes == 0 || r.Compared != 3 || r.Matched != 2 {
		t.Errorf("restore = %+v, want 4 files, 3 compared, 2 matched", r)
	}
	if !slices.Equal(r.Mismatched, []string{"daily/meds.txt"}) || len(r.Unreadable) != 0 {
		t.Errorf("mismatched %q, unreadable %q", r.Mismatched, r.Unreadable)
	}
	if r.Changed != 1 || !strings.Contains(r.Detail, "1 object did not match the checksum") {
		t.Errorf("changed %d, restore detail: %s", r.Changed, r.Detail)
	}
	in := v.Integrity
	if !in.Ran || in.OK || in.Subset != "4/4" || !strings.Contains(in.Detail, "daily/meds.txt") {
		t.Errorf("integrity = %+v", in)
	}
	p := v.Protection
	if p.Versioning != "Enabled" || !p.ObjectLock || p.LockMode != "COMPLIANCE" || p.RetentionDays != 30 ||
		p.Encryption != "AES256" || p.LifecycleRules != 0 || len(p.Errors) != 0 {
		t.Errorf("protection = %+v", p)
	}
	e := v.Exposure
	if !e.Known || e.CanDelete || !strings.Contains(e.Detail, "compliance mode, 30 days") ||
		!strings.Contains(e.Detail, "stays in the bucket") {
		t.Errorf("exposure = %+v", e)
	}
	left := probes(f.keys("care-backups"))
	if len(left) != 2 { // the earlier one and this run's, kept by the lock
		t.Errorf("probes in bucket = %q, want 2", left)
	}
	if v2 := verify(t, opts); v2.Backups != 4 {
		t.Errorf("second run counted %d objects, want 4 (probes left out)", v2.Backups)
	}
}

// A bucket that never had versioning: the probe is deleted for good, so
// the key could delete every backup. The sample is all good.
func TestVerifyUnversionedCanDelete(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", false)
	for i := range 3 {
		f.put("office", fmt.Sprintf("backup/file%d.txt", i), strings.Repeat("x", i+1), testEpoch)
	}
	v := verify(t, f.opts("office", "backup/", "AKIAWRITER"))
	if !v.Exposure.Known || !v.Exposure.CanDelete || !strings.Contains(v.Exposure.Detail, "ransomware") {
		t.Errorf("exposure = %+v", v.Exposure)
	}
	if left := probes(f.keys("office")); len(left) != 0 {
		t.Errorf("probe left behind: %q", left)
	}
	if !v.Restore.OK() || v.Restore.Files != 3 || !v.Integrity.OK {
		t.Errorf("restore %+v, integrity %+v", v.Restore, v.Integrity)
	}
	if v.Protection.Versioning != "" || v.Protection.ObjectLock {
		t.Errorf("protection = %+v", v.Protection)
	}
}

// Versioning on but no lock: the probe's version is deleted for good.
func TestVerifyVersionedCanDeleteVersions(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", true)
	f.put("office", "a.txt", "a", testEpoch)
	v := verify(t, f.opts("office", "", "AKIAWRITER"))
	if !v.Exposure.CanDelete || !strings.Contains(v.Exposure.Detail, "old version and all") {
		t.Errorf("exposure = %+v", v.Exposure)
	}
	if left := probes(f.keys("office")); len(left) != 0 {
		t.Errorf("probe left behind: %q", left)
	}
}

// Governance mode that this key may bypass is no protection. The lock's
// period is given in years.
func TestVerifyGovernanceBypass(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", true)
	f.lock = &lockStub{mode: "GOVERNANCE", years: 1, bypassOK: true}
	f.put("office", "a.txt", "a", testEpoch)
	v := verify(t, f.opts("office", "", "AKIAWRITER"))
	if v.Protection.RetentionDays != 365 || v.Protection.LockMode != "GOVERNANCE" {
		t.Errorf("protection = %+v", v.Protection)
	}
	if !v.Exposure.CanDelete || !strings.Contains(v.Exposure.Detail, "bypass") {
		t.Errorf("exposure = %+v", v.Exposure)
	}
	if left := probes(f.keys("office")); len(left) != 0 {
		t.Errorf("probe left behind: %q", left)
	}
}

// Governance mode without the bypass permission protects; the probe stays.
func TestVerifyGovernanceNoBypass(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", true)
	f.lock = &lockStub{mode: "GOVERNANCE", days: 14}
	v := verify(t, f.opts("office", "", "AKIAWRITER"))
	if !v.Exposure.Known || v.Exposure.CanDelete || !strings.Contains(v.Exposure.Detail, "governance mode, 14 days") {
		t.Errorf("exposure = %+v", v.Exposure)
	}
	if left := probes(f.keys("office")); len(left) != 1 {
		t.Errorf("probes = %q, want the one the lock keeps", left)
	}
}

// Versioning suspended (real gofakes3): new objects keep no old versions,
// so a key that can write can overwrite them.
func TestVerifySuspendedVersioning(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", true)
	if err := f.admin().SuspendVersioning(context.Background(), "office"); err != nil {
		t.Fatal(err)
	}
	v := verify(t, f.opts("office", "", "AKIAWRITER"))
	if v.Protection.Versioning != "Suspended" || !v.Exposure.CanDelete {
		t.Errorf("protection %+v, exposure %+v", v.Protection, v.Exposure)
	}
	if left := probes(f.keys("office")); len(left) != 0 {
		t.Errorf("probe left behind: %q", left)
	}
}

// An object this key may not read (stub: AccessDenied on its GET) is
// unreadable; the others restore.
func TestVerifyUnreadableObject(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", false)
	f.put("office", "a.txt", "a", testEpoch)
	f.put("office", "secret.txt", "s", testEpoch)
	f.denyGet["/office/secret.txt"] = true
	r := verify(t, f.opts("office", "", "AKIAWRITER")).Restore
	if r.OK() || r.Files != 1 || !slices.Equal(r.Unreadable, []string{"secret.txt"}) || !strings.Contains(r.Detail, "access denied") {
		t.Errorf("restore = %+v", r)
	}
}

// A read-only key: the test upload is refused (stub: AccessDenied on PUT
// and DELETE for this key), and so is the harmless test delete.
func TestVerifyReadOnlyKey(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", false)
	f.put("office", "a.txt", "a", testEpoch)
	f.readOnly["AKIAREADER"] = true
	v := verify(t, f.opts("office", "", "AKIAREADER"))
	e := v.Exposure
	if !e.Known || e.CanDelete || !strings.Contains(e.Detail, "may not write") || !strings.Contains(e.Detail, "Nor may it delete") {
		t.Errorf("exposure = %+v", e)
	}
	if !v.Restore.OK() {
		t.Errorf("restore = %+v", v.Restore)
	}
}

// A key that may not write but may delete, in a bucket without versions.
func TestVerifyDeleteOnlyKey(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", false)
	f.noPut["AKIADELETER"] = true
	v := verify(t, f.opts("office", "", "AKIADELETER"))
	if !v.Exposure.Known || !v.Exposure.CanDelete || !strings.Contains(v.Exposure.Detail, "may delete") {
		t.Errorf("exposure = %+v", v.Exposure)
	}
	if v.Restore.Ran || !strings.Contains(v.Restore.Detail, "no objects") {
		t.Errorf("restore of an empty bucket = %+v", v.Restore)
	}
	if v.Newest != nil || v.Integrity.Ran {
		t.Errorf("newest %v, integrity %+v", v.Newest, v.Integrity)
	}
}

// With the probe off, only compliance-mode lock settles the question, and
// nothing is written.
func TestVerifyNoWriteProbe(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", true)
	f.put("office", "a.txt", "a", testEpoch)
	opts := f.opts("office", "", "AKIAWRITER")
	opts.NoWriteProbe = true
	if e := verify(t, opts).Exposure; e.Known || !strings.Contains(e.Detail, "switched off") {
		t.Errorf("versioned, no lock: %+v", e)
	}
	f.lock = &lockStub{mode: "COMPLIANCE", days: 7}
	if e := verify(t, opts).Exposure; !e.Known || e.CanDelete {
		t.Errorf("compliance lock: %+v", e)
	}
	if left := probes(f.keys("office")); len(left) != 0 {
		t.Errorf("probe written with the probe off: %q", left)
	}
}

func TestVerifyMissingBucket(t *testing.T) {
	f := newFake(t)
	_, err := Verify(context.Background(), f.opts("no-such-bucket", "", "AKIAWRITER"))
	if handwash.ErrorCode(err) != handwash.ENOTFOUND || !strings.Contains(err.Error(), `"no-such-bucket"`) {
		t.Fatalf("err = %v (%s)", err, handwash.ErrorCode(err))
	}
}

// gofakes3 checks no signatures: the stub answers InvalidAccessKeyId for
// this key, as AWS does for an unknown key.
func TestVerifyWrongKey(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", false)
	f.badKeys["AKIAWRONG"] = true
	opts := f.opts("office", "", "AKIAWRONG")
	opts.SessionToken = "session-token-do-not-print"
	_, err := Verify(context.Background(), opts)
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "the access key or secret key is wrong") {
		t.Fatalf("err = %v", err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("verify", "opts", opts)
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), opts.String(), fmt.Sprintf("%v %+v %#v", opts, opts, opts), logged.String()} {
		if strings.Contains(s, opts.SecretKey) || strings.Contains(s, opts.SessionToken) {
			t.Errorf("secret key shown in %q", s)
		}
	}
}

func TestVerifyUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	opts := Options{Bucket: "office", Endpoint: addr, Insecure: true, AccessKey: "k", SecretKey: "s-secret", Region: "us-east-1"}
	_, err = Verify(context.Background(), opts)
	if handwash.ErrorCode(err) != handwash.ENOTFOUND || !strings.Contains(err.Error(), "could not reach the storage service at "+addr) {
		t.Fatalf("err = %v (%s)", err, handwash.ErrorCode(err))
	}
}

// A lifecycle rule (stubbed XML) that deletes backups after a day.
func TestVerifyLifecycle(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", false)
	f.put("office", "backups/a.txt", "a", testEpoch)
	f.lifecycle = `<LifecycleConfiguration>
		<Rule><ID>tidy</ID><Filter><Prefix>backups/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>
		<Rule><ID>logs</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>90</Days></Expiration></Rule>
	</LifecycleConfiguration>`
	p := verify(t, f.opts("office", "backups", "AKIAWRITER")).Protection
	if p.LifecycleRules != 2 || p.ExpiresAfterDays != 1 {
		t.Errorf("protection = %+v", p)
	}
}

// A setting this key may not read, or that the service does not support
// (stub: AccessDenied, NotImplemented), goes to Errors.
func TestVerifySettingDenied(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", false)
	f.put("office", "a.txt", "a", testEpoch)
	f.deny["encryption"] = "AccessDenied"
	f.deny["object-lock"] = "NotImplemented"
	v := verify(t, f.opts("office", "", "AKIAWRITER"))
	errs := v.Protection.Errors
	if len(errs) != 2 || !strings.Contains(errs[0], "object lock, so Handwash could not check it") ||
		!strings.Contains(errs[1], "default encryption: this key is not allowed") {
		t.Errorf("errors = %q", errs)
	}
	if !v.Restore.OK() {
		t.Errorf("restore = %+v", v.Restore)
	}
}

// Keys that try to climb out of the folder never make Handwash write
// outside its temporary folder, nor read an original outside Source.
func TestVerifyHostileKeys(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", false)
	base := t.TempDir()
	src, tmp := filepath.Join(base, "src"), filepath.Join(base, "tmp")
	for _, d := range []string{src, tmp} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	hostile := []string{"b/../escape.txt", "b/../../escape2.txt", "b//abs.txt", "b/..\\win.txt"}
	for _, k := range hostile {
		f.put("office", k, "gotcha", testEpoch)
	}
	// An "original" the first key would reach if Source were not contained.
	writeSource(t, base, "escape.txt", "gotcha", testEpoch.Add(-time.Hour))
	opts := f.opts("office", "b", "AKIAWRITER")
	opts.Source, opts.TempDir = src, tmp
	v := verify(t, opts)
	if v.Restore.Files != len(hostile) || v.Restore.Compared != 0 {
		t.Errorf("restore = %+v", v.Restore)
	}
	for _, name := range []string{"escape2.txt", "abs.txt", "win.txt", "..\\win.txt"} {
		for _, dir := range []string{base, filepath.Dir(base), src, tmp, "/"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				t.Errorf("%s written in %s", name, dir)
			}
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary folder not cleaned up: %v", left)
	}
}

func TestVerifySampleLimits(t *testing.T) {
	f := newFake(t)
	f.makeBucket("office", false)
	for i := range 6 {
		f.put("office", fmt.Sprintf("f%d", i), strings.Repeat("y", 1+i%2*10), testEpoch)
	}
	opts := f.opts("office", "", "AKIAWRITER")
	opts.Sample, opts.MaxSampleBytes = 2, 5
	v := verify(t, opts)
	if v.Restore.Files != 2 || v.Backups != 6 || !strings.Contains(v.Restore.Detail, "3 objects larger than 5 bytes") {
		t.Errorf("restore = %+v", v.Restore)
	}
	defer func(n int) { maxListed = n }(maxListed)
	maxListed = 4
	v = verify(t, opts)
	if v.Backups != 4 || !strings.Contains(v.Restore.Detail, "Listing stopped at 4 objects") {
		t.Errorf("capped listing: backups %d, %s", v.Backups, v.Restore.Detail)
	}
}

func TestInsecureRefusedForRemoteEndpoint(t *testing.T) {
	for _, ep := range []string{"s3.eu-west-2.amazonaws.com", "192.168.1.20:9000", "localhost.example.com", ""} {
		_, err := Verify(context.Background(), Options{Bucket: "office", Endpoint: ep, Insecure: true})
		if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "only allowed for a test server on this machine") {
			t.Errorf("%q: err = %v", ep, err)
		}
	}
	for _, ep := range []string{"localhost:9000", "127.0.0.1:9000", "[::1]:9000", "127.0.0.1"} {
		if err := checkEndpoint(ep, true); err != nil {
			t.Errorf("%q refused: %v", ep, err)
		}
	}
	if err := checkEndpoint("https://s3.example.com", false); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("endpoint with scheme: %v", err)
	}
}

func TestOptionsChecks(t *testing.T) {
	_, err := Verify(context.Background(), Options{Bucket: "office", AccessKey: "k"})
	if handwash.ErrorCode(err) != handwash.EINVALID || !strings.Contains(err.Error(), "both") {
		t.Errorf("key without secret: %v", err)
	}
	_, err = Verify(context.Background(), Options{Bucket: "no..such"})
	if handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("bad bucket name: %v", err)
	}
}

func TestParseLocation(t *testing.T) {
	tests := []struct {
		in, bucket, prefix string
		ok                 bool
	}{
		{"s3://care-backups", "care-backups", "", true},
		{"s3://care-backups/", "care-backups", "", true},
		{"S3://care-backups/daily/", "care-backups", "daily", true},
		{"s3://care-backups//daily/sub", "care-backups", "daily/sub", true},
		{"https://care-backups/daily", "", "", false},
		{"care-backups/daily", "", "", false},
		{"s3://", "", "", false},
		{"s3://ab/x", "", "", false},
		{"s3://-bad-/x", "", "", false},
		{"s3://bad bucket/x", "", "", false},
		{"s3://Legacy_Bucket/x", "Legacy_Bucket", "x", true}, // old us-east-1 names
		{"s3://care-backups/a\nb", "", "", false},
	}
	for _, tt := range tests {
		b, p, err := ParseLocation(tt.in)
		if (err == nil) != tt.ok || b != tt.bucket || p != tt.prefix {
			t.Errorf("ParseLocation(%q) = %q, %q, %v", tt.in, b, p, err)
		}
		if err != nil && handwash.ErrorCode(err) != handwash.EINVALID {
			t.Errorf("ParseLocation(%q): code %s", tt.in, handwash.ErrorCode(err))
		}
	}
}

func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{"s3://care-backups/daily", "s3://b", "S3://abc//x/", "s3://a.b-c/\x00", "s3://xyz/é/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		bucket, prefix, err := ParseLocation(s)
		if err != nil {
			var he *handwash.Error
			if !errors.As(err, &he) || he.Code != handwash.EINVALID {
				t.Fatalf("error not EINVALID: %v", err)
			}
			return
		}
		if checkBucket(bucket) != nil || strings.HasPrefix(prefix, "/") || strings.HasSuffix(prefix, "/") {
			t.Fatalf("ParseLocation(%q) = %q, %q", s, bucket, prefix)
		}
		b2, p2, err := ParseLocation(location(bucket, prefix))
		if err != nil || b2 != bucket || p2 != prefix {
			t.Fatalf("round trip of %q: %q, %q, %v", s, b2, p2, err)
		}
	})
}

func TestShortestExpiry(t *testing.T) {
	rule := func(prefix, status string, days int) lifecycle.Rule {
		r := lifecycle.Rule{Status: status, Expiration: lifecycle.Expiration{Days: lifecycle.ExpirationDays(days)}}
		r.RuleFilter.Prefix = prefix
		return r
	}
	rules := []lifecycle.Rule{
		rule("logs/", "Enabled", 1),        // another folder
		rule("backups/", "Disabled", 1),    // switched off
		rule("", "Enabled", 0),             // no expiry of current objects
		rule("backups/old/", "Enabled", 5), // part of the backups
		rule("back", "Enabled", 9),         // all of them
	}
	if got := shortestExpiry(rules, "backups/"); got != 5 {
		t.Errorf("shortestExpiry = %d, want 5", got)
	}
	if got := shortestExpiry(rules, ""); got != 1 {
		t.Errorf("whole bucket: shortestExpiry = %d, want 1", got)
	}
}

func TestETagMD5(t *testing.T) {
	const sum = "9e107d9d372bb6826bd81d3542a419d6"
	for _, tt := range []struct {
		etag, sse string
		ok        bool
	}{
		{`"` + sum + `"`, "", true},
		{sum, "AES256", true},
		{sum, "aws:kms", false},
		{sum + "-3", "", false},
		{"abc", "", false},
		{strings.Repeat("z", 32), "", false},
	} {
		info := minio.ObjectInfo{ETag: tt.etag, Headers: map[string][]string{}}
		if tt.sse != "" {
			info.Headers.Set("X-Amz-Server-Side-Encryption", tt.sse)
		}
		if _, ok := etagMD5(info); ok != tt.ok {
			t.Errorf("etagMD5(%q, %q) ok = %v", tt.etag, tt.sse, ok)
		}
	}
}

func TestBytesText(t *testing.T) {
	for n, want := range map[int64]string{5: "5 bytes", 2048: "2 KiB", 256 << 20: "256 MiB", 1536 << 20: "1.5 GiB"} {
		if got := bytesText(n); got != want {
			t.Errorf("bytesText(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestJudgeSettings(t *testing.T) {
	for _, tt := range []struct {
		p            backup.BucketProtection
		known, del   bool
		detailPhrase string
	}{
		{backup.BucketProtection{Versioning: "Enabled", ObjectLock: true, LockMode: "COMPLIANCE", RetentionDays: 30}, true, false, "30 days"},
		{backup.BucketProtection{Versioning: "Enabled", ObjectLock: true, LockMode: "GOVERNANCE", RetentionDays: 30}, false, false, "governance"},
		{backup.BucketProtection{Versioning: "Enabled"}, false, false, "keeps old versions"},
		{backup.BucketProtection{Errors: []string{"x"}}, false, false, "could not read"},
		{backup.BucketProtection{}, false, false, "keeps no old versions"},
	} {
		e := judgeSettings(&tt.p)
		if e.Known != tt.known || e.CanDelete != tt.del || !strings.Contains(e.Detail, tt.detailPhrase) {
			t.Errorf("judgeSettings(%+v) = %+v", tt.p, e)
		}
	}
}
