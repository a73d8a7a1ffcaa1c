package web

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// A backup job's address records successes and failures, with what the
// backup software said, and wakes the notifier on a failure.
func TestBackupPing(t *testing.T) {
	var woken atomic.Int32
	e := newEnv(t, func(d *Deps) { d.Notified = func() { woken.Add(1) } })
	tn := e.tenancy()
	ctx := context.Background()
	scope := handwash.Scope{ProviderID: tn.p.ID}
	secret := handwash.NewSecret()
	job := &handwash.BackupJob{OrgID: tn.b.ID, Name: "Nightly NAS", Every: 24 * time.Hour, Grace: time.Hour, SecretHash: handwash.HashSecret(secret)}
	if err := e.store.CreateBackupJob(ctx, scope, job); err != nil {
		t.Fatal(err)
	}
	cred := handwash.Credential(handwash.PrefixBackupJob, job.ID, secret)
	e.remember(cred)

	e.do("GET", "/hb/"+cred, "", nil).want(http.StatusOK)
	e.advance(time.Hour)
	res := e.do("POST", "/hb/"+cred+"/fail", "", []byte("Backup failed: the destination disk is full.\n")).want(http.StatusOK)
	if !strings.Contains(string(res.body), `"recorded":"failure"`) {
		t.Errorf("failure answer: %s", res.body)
	}
	e.advance(time.Hour)
	long := strings.Repeat("log line é\n", 1000)
	e.do("POST", "/hb/"+cred, "", []byte(long)).want(http.StatusOK)
	e.do("GET", "/hb/"+cred+"?msg=by+query", "", nil).want(http.StatusOK)

	pings, err := e.store.BackupPings(ctx, scope, job.ID, 10)
	if err != nil || len(pings) != 4 {
		t.Fatalf("pings = %v, %v; want 4", pings, err)
	}
	if pings[2].Success || pings[2].Message != "Backup failed: the destination disk is full." {
		t.Errorf("the failure was recorded as %+v", pings[2])
	}
	if n := len(pings[1].Message); n > handwash.MaxPingMessage || !strings.HasSuffix(pings[1].Message, "…") {
		t.Errorf("a long log was kept as %d bytes, want it clipped to %d", n, handwash.MaxPingMessage)
	}
	if pings[0].Message != "by query" {
		t.Errorf("query message = %q", pings[0].Message)
	}
	if woken.Load() != 1 {
		t.Errorf("notifier woken %d times, want once for the failure", woken.Load())
	}
	got, err := e.store.BackupJob(ctx, scope, job.ID)
	if err != nil || got.State(e.now()) != handwash.BackupOK {
		t.Errorf("job after recovering: %+v, %v", got, err)
	}
}
