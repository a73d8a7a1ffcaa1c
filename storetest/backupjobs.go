package storetest

import (
	"testing"
	"time"

	"github.com/handwash/handwash"
)

func (w *world) backupJob(t *testing.T, scope handwash.Scope, orgID, name string, every time.Duration) *handwash.BackupJob {
	t.Helper()
	j := &handwash.BackupJob{OrgID: orgID, Name: name, Every: every, Grace: time.Hour, SecretHash: handwash.HashSecret("s"), CreatedAt: t0}
	must(t, w.s.CreateBackupJob(w.ctx, scope, j))
	return j
}

// eventsOf lists the pending notices of a kind.
func (w *world) eventsOf(t *testing.T, kind handwash.NotifyKind) []*handwash.NotifyEvent {
	t.Helper()
	var out []*handwash.NotifyEvent
	for _, e := range w.pendingEvents(t) {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func testBackupJobs(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	nas := w.backupJob(t, w.a1, w.orgA1.ID, "  Nightly NAS backup ", 24*time.Hour)
	if nas.ID == "" || nas.Name != "Nightly NAS backup" || nas.ProviderID != w.provA.ID {
		t.Fatalf("CreateBackupJob = %+v", nas)
	}
	w.backupJob(t, w.a, w.orgA2.ID, "Surgery server", 24*time.Hour)
	for name, j := range map[string]handwash.BackupJob{
		"no name":        {OrgID: w.orgA1.ID, Every: time.Hour, SecretHash: []byte("h")},
		"too often":      {OrgID: w.orgA1.ID, Name: "x", Every: time.Minute, SecretHash: []byte("h")},
		"grace too long": {OrgID: w.orgA1.ID, Name: "x", Every: time.Hour, Grace: 2 * time.Hour, SecretHash: []byte("h")},
		"without secret": {OrgID: w.orgA1.ID, Name: "x", Every: time.Hour},
		"negative grace": {OrgID: w.orgA1.ID, Name: "x", Every: time.Hour, Grace: -time.Minute, SecretHash: []byte("h")},
		"over 31 days":   {OrgID: w.orgA1.ID, Name: "x", Every: 40 * 24 * time.Hour, SecretHash: []byte("h")},
	} {
		wantCode(t, "CreateBackupJob with "+name, s.CreateBackupJob(w.ctx, w.a, &j), handwash.EINVALID)
	}
	wantCode(t, "CreateBackupJob in another provider's organisation",
		s.CreateBackupJob(w.ctx, w.b, &handwash.BackupJob{OrgID: w.orgA1.ID, Name: "x", Every: time.Hour, SecretHash: []byte("h")}), handwash.ENOTFOUND)

	jobs, err := s.BackupJobs(w.ctx, w.a1, "")
	if err != nil || len(jobs) != 1 || jobs[0].ID != nas.ID {
		t.Errorf("BackupJobs for A1 = %v, %v", jobs, err)
	}
	if jobs, _ := s.BackupJobs(w.ctx, w.a, ""); len(jobs) != 2 {
		t.Errorf("BackupJobs for provider A = %d jobs, want 2", len(jobs))
	}
	_, err = s.BackupJob(w.ctx, w.a2, nas.ID)
	wantCode(t, "BackupJob from another organisation", err, handwash.ENOTFOUND)
	_, err = s.BackupPings(w.ctx, w.b, nas.ID, 10)
	wantCode(t, "BackupPings from another provider", err, handwash.ENOTFOUND)
	wantCode(t, "DeleteBackupJob from another organisation", s.DeleteBackupJob(w.ctx, w.a2, nas.ID), handwash.ENOTFOUND)

	got, err := s.BackupJobForPing(w.ctx, nas.ID)
	if err != nil || string(got.SecretHash) != string(nas.SecretHash) || got.Every != 24*time.Hour || got.Grace != time.Hour {
		t.Errorf("BackupJobForPing = %+v, %v", got, err)
	}
	must(t, s.DeleteBackupJob(w.ctx, w.a, nas.ID))
	_, err = s.BackupJobForPing(w.ctx, nas.ID)
	wantCode(t, "BackupJobForPing after delete", err, handwash.ENOTFOUND)
}

func testBackupPings(t *testing.T, s handwash.Store) {
	w := newWorld(t, s)
	j := w.backupJob(t, w.a, w.orgA1.ID, "Nightly", 24*time.Hour)
	ping := func(at time.Time, ok bool, msg string) {
		t.Helper()
		must(t, s.RecordBackupPing(w.ctx, &handwash.BackupPing{JobID: j.ID, At: at, Success: ok, Message: msg}))
	}
	state := func(at time.Time) string {
		t.Helper()
		got, err := s.BackupJob(w.ctx, w.a1, j.ID)
		must(t, err)
		return got.State(at)
	}
	if st := state(t0.Add(time.Hour)); st != handwash.BackupWaiting {
		t.Errorf("a new job is %s, want waiting", st)
	}
	ping(t0.Add(2*time.Hour), true, "")
	if st := state(t0.Add(3 * time.Hour)); st != handwash.BackupOK {
		t.Errorf("after a success: %s", st)
	}
	// Failures: the first of a spell is notified, the next are not.
	ping(t0.Add(26*time.Hour), false, "disk full")
	ping(t0.Add(27*time.Hour), false, "disk still full")
	if st := state(t0.Add(27 * time.Hour)); st != handwash.BackupFailed {
		t.Errorf("after failures: %s", st)
	}
	if ev := w.eventsOf(t, handwash.NotifyBackupFailed); len(ev) != 1 || ev[0].JobID != j.ID || ev[0].OrgID != w.orgA1.ID {
		t.Errorf("failure notices = %+v; want one for the job", ev)
	}
	got, err := s.BackupJob(w.ctx, w.a, j.ID)
	must(t, err)
	if got.LastMessage != "disk still full" || !got.LastFailureAt.Equal(norm(t0.Add(27*time.Hour))) {
		t.Errorf("job after failures = %+v", got)
	}
	// Overdue: once per spell.
	n, err := s.QueueBackupOverdue(w.ctx, t0.Add(26*time.Hour))
	if err != nil || n != 0 {
		t.Errorf("QueueBackupOverdue before due = %d, %v", n, err)
	}
	for range 2 {
		n, err = s.QueueBackupOverdue(w.ctx, t0.Add(28*time.Hour))
		must(t, err)
	}
	if ev := w.eventsOf(t, handwash.NotifyBackupOverdue); len(ev) != 1 || !ev[0].At.Equal(norm(t0.Add(27*time.Hour))) {
		t.Errorf("overdue notices = %+v; want one, at the due time", ev)
	}
	// A success ends both spells; the next failure and lateness are news.
	ping(t0.Add(30*time.Hour), true, "done")
	if st := state(t0.Add(31 * time.Hour)); st != handwash.BackupOK {
		t.Errorf("after recovering: %s", st)
	}
	ping(t0.Add(40*time.Hour), false, "again")
	if ev := w.eventsOf(t, handwash.NotifyBackupFailed); len(ev) != 2 {
		t.Errorf("%d failure notices, want 2", len(ev))
	}
	if n, _ := s.QueueBackupOverdue(w.ctx, t0.Add(60*time.Hour)); n != 1 {
		t.Errorf("second overdue spell queued %d notices, want 1", n)
	}
	pings, err := s.BackupPings(w.ctx, w.a1, j.ID, 3)
	if err != nil || len(pings) != 3 || pings[0].Message != "again" || pings[0].Success || !pings[1].Success {
		t.Errorf("BackupPings = %+v, %v; want the newest three, newest first", pings, err)
	}
	// Old reports go; a too-long message changes nothing.
	ping(t0.Add(500*24*time.Hour), true, "a year later")
	if all, _ := s.BackupPings(w.ctx, w.a, j.ID, 100); len(all) != 1 {
		t.Errorf("%d reports kept after a year and more, want only the newest", len(all))
	}
	long := make([]byte, handwash.MaxPingMessage+1)
	wantCode(t, "RecordBackupPing with a long message", s.RecordBackupPing(w.ctx, &handwash.BackupPing{JobID: j.ID, Message: string(long)}), handwash.EINVALID)
	wantCode(t, "RecordBackupPing for no job", s.RecordBackupPing(w.ctx, &handwash.BackupPing{JobID: "bkj_none", Success: true}), handwash.ENOTFOUND)
}
