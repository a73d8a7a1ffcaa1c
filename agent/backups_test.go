package agent

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/agent/agenttest"
)

// fakeVerifier records the verifications asked for.
type fakeVerifier struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeVerifier) verify(_ context.Context, t BackupTarget, subset string) handwash.BackupVerification {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, t.Repo+" "+subset)
	ok := true
	return handwash.BackupVerification{Kind: t.Kind, Location: t.Repo, RestoreOK: &ok, FilesRestored: 20}
}

func (f *fakeVerifier) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// Due backups are verified before a collection, at most once per interval,
// and their newest results travel in every collection's Facts.
func TestBackupsVerifiedOnSchedule(t *testing.T) {
	srv := agenttest.NewServer()
	defer srv.Close()
	path := enrolled(t, srv, "")
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Backups = []BackupTarget{{Kind: "restic", Repo: "/srv/restic", PasswordFile: "/etc/handwash/restic-pass"},
		{Kind: "folder", Repo: "/mnt/nas/copy", Every: Duration(24 * time.Hour)}}
	if err := cfg.Save(path); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	r, _, _ := testRunner(t, path)
	fv := &fakeVerifier{}
	r.VerifyBackup, r.Now = fv.verify, func() time.Time { return clock }
	run := func() {
		t.Helper()
		if err := r.Once(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	run()
	if fv.count() != 2 {
		t.Fatalf("first run verified %d backups, want 2: %v", fv.count(), fv.calls)
	}
	snaps := srv.Snapshots()
	last := snaps[len(snaps)-1].Facts
	if last == nil || last.Backup == nil || len(last.Backup.Verifications) != 2 || last.Backup.Verifications[0].Location != "/srv/restic" {
		t.Fatalf("the collection does not carry the verifications: %+v", last)
	}
	// A day later only the daily one is due; a week later both again.
	clock = clock.Add(25 * time.Hour)
	run()
	clock = clock.Add(6 * 24 * time.Hour)
	run()
	want := []string{"/srv/restic " + RollingSubset(time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)), "/mnt/nas/copy"}
	if fv.count() != 5 || !strings.HasPrefix(fv.calls[0], want[0]) || !strings.HasPrefix(fv.calls[2], want[1]) {
		t.Errorf("verifications = %v; want both, the daily one, then both", fv.calls)
	}
	// A removed backup's result no longer travels.
	cfg.Backups = cfg.Backups[1:]
	if err := cfg.Save(path); err != nil {
		t.Fatal(err)
	}
	run()
	snaps = srv.Snapshots()
	if vs := snaps[len(snaps)-1].Facts.Backup.Verifications; len(vs) != 1 || vs[0].Location != "/mnt/nas/copy" {
		t.Errorf("after removing a backup: %+v", vs)
	}
}

// Thirteen weekly verifications read every part of a repository once:
// the whole of it within a quarter.
func TestRollingSubsetCoversAQuarter(t *testing.T) {
	seen := map[string]bool{}
	start := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	for w := range backupParts {
		seen[RollingSubset(start.AddDate(0, 0, 7*w))] = true
	}
	for n := 1; n <= backupParts; n++ {
		if !seen[fmt.Sprintf("%d/%d", n, backupParts)] {
			t.Errorf("part %d/%d is never read in 13 weeks: %v", n, backupParts, seen)
		}
	}
}

func TestBackupTargetsValidated(t *testing.T) {
	for name, targets := range map[string][]BackupTarget{
		"unknown kind": {{Kind: "tape", Repo: "x"}},
		"no repo":      {{Kind: "restic"}},
		"too often":    {{Kind: "restic", Repo: "x", Every: Duration(time.Minute)}},
		"twice":        {{Kind: "restic", Repo: "x"}, {Kind: "restic", Repo: "x"}},
	} {
		c := testConfig()
		c.Backups = targets
		if err := c.validate(); err == nil || !strings.HasPrefix(err.Error(), "backups:") {
			t.Errorf("%s: err = %v; want one naming backups", name, err)
		}
	}
}
