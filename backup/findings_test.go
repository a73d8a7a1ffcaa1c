package backup

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/golden"
)

var (
	started  = time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	finished = started.Add(3200 * time.Millisecond)
)

func at(t time.Time) *time.Time { return &t }

// cases are verifications of each kind, good and bad, as the kinds'
// packages fill them in.
func cases() map[string]*Verification {
	return map[string]*Verification{
		"restic-good": {
			Kind: KindRestic, Location: "rest:https://backup.rosecourt.example:8000/office/", Tool: "restic 0.14.0",
			StartedAt: started, FinishedAt: finished, Newest: at(started.Add(-3 * time.Hour)), Backups: 14,
			Integrity: Integrity{Ran: true, OK: true, Subset: "1/10"},
			Restore: RestoreTest{Ran: true, Snapshot: "4f3c2a1b", Files: 20, Bytes: 5_242_880, Compared: 18, Matched: 18, Changed: 2,
				Seconds: 0.8, Detail: "20 of the 1,412 files in the snapshot were chosen at random."},
			Exposure: Exposure{Known: true, CanDelete: false, Detail: "The REST server refused to delete a test file name that does not exist: it runs in append-only mode, so this computer can add backups but not delete them."},
		},
		"restic-bad": {
			Kind: KindRestic, Location: "/mnt/backup disk/restic", Tool: "restic 0.14.0",
			StartedAt: started, FinishedAt: finished, Newest: at(started.Add(-80 * time.Hour)), Backups: 3,
			Integrity: Integrity{Ran: true, OK: false, Subset: "all", Detail: "restic check reported: Pack ID does not match, want 9314d8e5, got af008a24."},
			Restore: RestoreTest{Ran: true, Snapshot: "9a8b7c6d", Files: 19, Bytes: 1_048_576, Compared: 12, Matched: 11, Changed: 6,
				Mismatched: []string{"/home/office/Documents/rota \x1b[2Jweek 48.xlsx"}, Unreadable: []string{"/home/office/Documents/care plan.docx"}, Seconds: 0.5},
			Exposure: Exposure{Known: true, CanDelete: true, Detail: "This account (office) may delete or change the repository: it can write to the repository's own folder, config, data and 259 more."},
		},
		"restic-empty": {
			Kind: KindRestic, Location: "sftp:backup@nas.local:/srv/restic", Tool: "restic 0.14.0",
			StartedAt: started, FinishedAt: finished,
			Integrity: Integrity{Ran: true, OK: true},
			Restore:   RestoreTest{Detail: "The repository holds no snapshots."},
			Exposure:  Exposure{Known: true, CanDelete: true, Detail: "Very likely: restic needs an SFTP account that can write and delete files, and SFTP has no append-only mode."},
		},
		"folder": {
			Kind: KindFolder, Location: `\\nas\backup\office`, StartedAt: started, FinishedAt: finished,
			Newest: at(started.Add(-50 * time.Hour)), Backups: 1,
			Integrity: Integrity{Detail: "A plain copy has no integrity check of its own: the test restore is its check."},
			Restore: RestoreTest{Ran: true, Files: 20, Bytes: 30_000_000, Seconds: 1.5,
				Detail: "No source folder was given, so the files were not compared with the originals (give --source to do so)."},
			Exposure: Exposure{Detail: "Handwash cannot yet read Windows folder permissions: check the backup share's Security tab."},
		},
		"s3": {
			Kind: KindS3, Location: "s3://rosecourt-backups/office", StartedAt: started, FinishedAt: finished,
			Newest: at(started.Add(-20 * time.Hour)), Backups: 5012,
			Integrity: Integrity{Ran: true, OK: true, Detail: "The checksums the bucket stores matched the 20 objects restored."},
			Restore:   RestoreTest{Ran: true, Files: 20, Bytes: 2_000_000, Compared: 20, Matched: 20, Seconds: 2},
			Exposure:  Exposure{Known: true, CanDelete: true, Detail: "This key may delete objects and their earlier versions."},
			Protection: &BucketProtection{Versioning: "Suspended", LifecycleRules: 1, ExpiresAfterDays: 7,
				Errors: []string{"Could not read the bucket's default encryption: this key is not allowed to. Check the setting in the storage provider's console, or let this key read it."}},
		},
	}
}

// TestGolden judges each case and renders it as text and JSON, comparing
// with testdata/<name>.txt and .json. Run with -update to rewrite them
// after a deliberate change, and read the diff: it is what people see.
func TestGolden(t *testing.T) {
	for name, v := range cases() {
		t.Run(name, func(t *testing.T) {
			fs := Findings(v, FindingOptions{})
			var text bytes.Buffer
			if err := WriteText(&text, v, fs); err != nil {
				t.Fatal(err)
			}
			js, err := json.MarshalIndent(NewResult(v, fs), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, name+".txt", text.Bytes())
			golden.Check(t, name+".json", append(js, '\n'))
		})
	}
}

func statuses(fs []handwash.Finding) map[string]handwash.Status {
	m := map[string]handwash.Status{}
	for _, f := range fs {
		m[f.ControlID] = f.Status
	}
	return m
}

func TestFindingsStatuses(t *testing.T) {
	const (
		pass = handwash.StatusPass
		fail = handwash.StatusFail
		unk  = handwash.StatusUnknown
		na   = handwash.StatusNotApplicable
	)
	want := map[string]map[string]handwash.Status{
		"restic-good":  {ControlRecent: pass, ControlRestore: pass, ControlIntegrity: pass, ControlProtected: pass},
		"restic-bad":   {ControlRecent: fail, ControlRestore: fail, ControlIntegrity: fail, ControlProtected: fail},
		"restic-empty": {ControlRecent: fail, ControlRestore: fail, ControlIntegrity: pass, ControlProtected: fail},
		"folder":       {ControlRecent: fail, ControlRestore: pass, ControlIntegrity: na, ControlProtected: unk},
		"s3":           {ControlRecent: pass, ControlRestore: pass, ControlIntegrity: pass, ControlProtected: fail, ControlBucket: fail},
	}
	for name, v := range cases() {
		fs := Findings(v, FindingOptions{})
		if d := cmp.Diff(want[name], statuses(fs)); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
		for _, f := range fs {
			if f.Area != handwash.AreaBackup || f.Title == "" || f.Summary == "" {
				t.Errorf("%s %s: area %q, title %q, summary %q", name, f.ControlID, f.Area, f.Title, f.Summary)
			}
			needsAdvice := f.Status == fail || f.Status == unk
			if needsAdvice != (f.Why != "" && f.Fix != "") {
				t.Errorf("%s %s (%s): why %q, fix %q", name, f.ControlID, f.Status, f.Why, f.Fix)
			}
			if strings.Contains(f.Fix, "{{") {
				t.Errorf("%s %s: fix left a placeholder: %s", name, f.ControlID, f.Fix)
			}
		}
	}
}

func TestRecentMaxAgeAndNow(t *testing.T) {
	v := &Verification{Kind: KindRestic, Newest: at(started.Add(-30 * time.Hour)), Backups: 1}
	get := func(o FindingOptions) handwash.Finding { return Findings(v, o)[0] }
	if f := get(FindingOptions{Now: started}); f.Status != handwash.StatusFail || !strings.Contains(f.Summary, "30 hours ago") {
		t.Errorf("default max age: %s %q", f.Status, f.Summary)
	}
	if f := get(FindingOptions{Now: started, MaxAge: 48 * time.Hour}); f.Status != handwash.StatusPass || f.Title != "Newest backup no more than 48 hours old" {
		t.Errorf("48h: %s %q", f.Status, f.Title)
	}
	v.Newest = at(started.Add(2 * time.Hour))
	if f := get(FindingOptions{Now: started}); f.Status != handwash.StatusPass || !strings.Contains(f.Summary, "in the future") {
		t.Errorf("future: %s %q", f.Status, f.Summary)
	}
}

func TestIntegrityUnknownWhenNotRun(t *testing.T) {
	v := &Verification{Kind: KindBorg, Integrity: Integrity{Detail: "borg check was stopped."}}
	f := Findings(v, FindingOptions{Now: started})[2]
	if f.ControlID != ControlIntegrity || f.Status != handwash.StatusUnknown || !strings.Contains(f.Summary, "borg check was stopped") || len(f.Missing) != 1 {
		t.Errorf("%+v", f)
	}
}

func TestRestoreNotRunIsUnknown(t *testing.T) {
	v := &Verification{Kind: KindRestic, Newest: at(started), Backups: 2, Restore: RestoreTest{Detail: "The temporary folder could not be made."}}
	f := Findings(v, FindingOptions{Now: started})[1]
	if f.Status != handwash.StatusUnknown || !strings.Contains(f.Summary, "temporary folder") {
		t.Errorf("%s %q", f.Status, f.Summary)
	}
}

func TestBucket(t *testing.T) {
	good := &BucketProtection{Versioning: "Enabled", ObjectLock: true, LockMode: "COMPLIANCE", RetentionDays: 30, Encryption: "AES256"}
	tests := []struct {
		name string
		p    BucketProtection
		want handwash.Status
		says string
	}{
		{"good", *good, handwash.StatusPass, "keeps each backup for 30 days"},
		{"short lock", func() BucketProtection { p := *good; p.RetentionDays = 7; return p }(), handwash.StatusFail, "only 7 days"},
		{"lock without retention", func() BucketProtection { p := *good; p.RetentionDays = 0; return p }(), handwash.StatusFail, "no default retention"},
		{"long expiry", func() BucketProtection { p := *good; p.ExpiresAfterDays = 90; p.LifecycleRules = 1; return p }(), handwash.StatusPass, "Versioning is on"},
		{"unread only", BucketProtection{Versioning: "Enabled", ObjectLock: true, RetentionDays: 30,
			Errors: []string{"This storage service does not report default encryption, so Handwash could not check it."}}, handwash.StatusUnknown, "could not be read"},
		{"never versioned", func() BucketProtection { p := *good; p.Versioning = ""; return p }(), handwash.StatusFail, "Versioning is off"},
	}
	for _, tt := range tests {
		v := &Verification{Kind: KindS3, Location: "s3://b", Protection: &tt.p}
		f := Findings(v, FindingOptions{Now: started})[4]
		if f.ControlID != ControlBucket || f.Status != tt.want || !strings.Contains(f.Summary, tt.says) {
			t.Errorf("%s: %s %q", tt.name, f.Status, f.Summary)
		}
		if f.Status == handwash.StatusFail && !strings.Contains(f.Fix, "--bucket b ") {
			t.Errorf("%s: fix does not name the bucket: %s", tt.name, f.Fix)
		}
	}
	if n := len(Findings(&Verification{Kind: KindRestic}, FindingOptions{})); n != 4 {
		t.Errorf("restic has %d findings, want 4 (no bucket)", n)
	}
}

func TestFixQuotesLocation(t *testing.T) {
	v := &Verification{Kind: KindRestic, Location: "/mnt/it's here"}
	f := Findings(v, FindingOptions{Now: started})[2] // integrity, not run
	if !strings.Contains(f.Fix, `restic -r '/mnt/it'\''s here' check`) {
		t.Errorf("fix: %s", f.Fix)
	}
}

func TestWriteTextControlCharacters(t *testing.T) {
	v := cases()["restic-bad"]
	v.Integrity.Detail = "bad \x1b]0;owned\x07 \u202e name"
	var b bytes.Buffer
	if err := WriteText(&b, v, Findings(v, FindingOptions{})); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07\r\u202e") {
		t.Errorf("control characters reached the output:\n%q", b.String())
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "under a minute", time.Minute: "1 minute", 90 * time.Minute: "90 minutes",
		3 * time.Hour: "3 hours", 71 * time.Hour: "71 hours", 80 * time.Hour: "3 days",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}
