package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/schema"
)

// goldenNow is the moment the golden assessments are judged at: the same
// clock the collectors' golden recordings use.
var goldenNow = time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)

// TestGoldenAssessments judges the Facts that the collector golden tests
// produce from recordings of well-kept and neglected machines on every
// platform (collect/testdata/<os>/*.facts.json), and compares the findings
// with testdata/golden/<os>-<name>.txt. Regenerate with -update and read the
// diff: it is the behaviour change.
func TestGoldenAssessments(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("../collect/testdata/*/*.facts.json")
	if len(files) == 0 {
		t.Fatal("no recorded Facts in ../collect/testdata")
	}
	for _, file := range files {
		name := filepath.Base(filepath.Dir(file)) + "-" + strings.TrimSuffix(filepath.Base(file), ".facts.json")
		t.Run(name, func(t *testing.T) {
			f := decode(t, file)
			a := c.Evaluate(f, Options{Now: goldenNow})
			got := summary(a)
			golden := filepath.Join("testdata", "golden", name+".txt")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./policy -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// A well-kept machine fails nothing serious; a neglected one fails the
// controls that matter most on every platform.
func TestWellKeptAndNeglectedMachines(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, os := range []string{"linux", "windows", "macos"} {
		for _, kind := range []string{"well-kept", "neglected"} {
			file := filepath.Join("..", "collect", "testdata", os, kind+".facts.json")
			if _, err := osStat(file); err != nil {
				t.Errorf("%s: %v", file, err)
				continue
			}
			a := c.Evaluate(decode(t, file), Options{Now: goldenNow})
			var serious []string
			for _, f := range a.Findings {
				if f.Status == handwash.StatusFail && f.Severity.Rank() >= handwash.SeverityHigh.Rank() {
					serious = append(serious, f.ControlID)
				}
			}
			switch kind {
			case "well-kept":
				if len(serious) > 0 {
					t.Errorf("%s well-kept machine fails %v", os, serious)
				}
				if a.Overall.Value < 80 {
					t.Errorf("%s well-kept machine scores %d, want at least 80", os, a.Overall.Value)
				}
			case "neglected":
				if len(serious) < 8 {
					t.Errorf("%s neglected machine fails only %v at high or above", os, serious)
				}
				if a.Overall.Value > 50 {
					t.Errorf("%s neglected machine scores %d, want at most 50", os, a.Overall.Value)
				}
			}
		}
	}
}

var osStat = os.Stat

func decode(t *testing.T, file string) *handwash.Facts {
	t.Helper()
	r, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f, err := schema.DecodeFacts(r, file)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// summary is a readable, diffable form of an assessment.
func summary(a *handwash.Assessment) string {
	var b strings.Builder
	fmt.Fprintf(&b, "overall %d (%d/%d points)\n", a.Overall.Value, a.Overall.Earned, a.Overall.Max)
	for _, s := range a.Areas {
		fmt.Fprintf(&b, "area %-9s %4d  pass %d fail %d unknown %d excepted %d n/a %d\n", s.Area, s.Value, s.Pass, s.Fail, s.Unknown, s.Excepted, s.NotApplicable)
	}
	fmt.Fprintf(&b, "fix first: %s\n\n", strings.Join(a.FixFirst, ", "))
	for _, f := range a.Findings {
		writeFinding(&b, f)
	}
	return b.String()
}

// writeFinding writes one finding as summary does.
func writeFinding(b *strings.Builder, f handwash.Finding) {
	fmt.Fprintf(b, "%-14s %-8s %s\n", f.Status, f.Severity, f.ControlID)
	if f.Summary != "" && f.Status != handwash.StatusNotApplicable {
		fmt.Fprintf(b, "    %s\n", f.Summary)
	}
	for _, e := range f.Evidence {
		fmt.Fprintf(b, "    - %s: %s\n", e.Label, e.Value)
	}
}

// TestGoldenBackupVerifications judges the controls over the results of
// handwash backup verify (facts.backup.verifications) in each situation
// they tell apart, on a well-kept laptop whose agent verified its backups,
// and compares the findings, with their messages and evidence, with
// testdata/golden/backup-verifications.txt. Regenerate with -update and
// read the diff.
func TestGoldenBackupVerifications(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	scenarios := []struct {
		name string
		on   handwash.Platform
		vs   []handwash.BackupVerification
	}{
		{"none verified", lin, nil},
		{"restored last week, append-only server", lin, []handwash.BackupVerification{
			verified("restic", restServer, 6*day)}},
		{"newest successful restore 14 months ago", mac, []handwash.BackupVerification{
			verified("restic", "/Volumes/Backup/restic", 430*day)}},
		{"test restore failed", win, []handwash.BackupVerification{
			verified("folder", nasFolder, 2*day, restoreFailed)}},
		{"integrity check failed", lin, []handwash.BackupVerification{
			verified("restic", restServer, 3*day, integrityFailed)}},
		{"this device can delete the backup", win, []handwash.BackupVerification{
			verified("s3", bucket, day),
			verified("folder", nasFolder, day, deletable)}},
		{"verification could not run", lin, []handwash.BackupVerification{
			verified("borg", "ssh://backup@nas.lan/srv/borg", 12*time.Hour, couldNotRun("The repository's passphrase was wrong."))}},
	}
	var b strings.Builder
	for _, sc := range scenarios {
		f := wellKept(sc.on)
		f.Backup.Verifications = sc.vs
		a := c.Evaluate(f, Options{Now: caseNow, Vulns: cleanVulns(), Software: &SoftwareSupport{Items: []SoftwareEndItem{}}})
		fmt.Fprintf(&b, "== %s (%s)\n", sc.name, sc.on)
		for _, fd := range a.Findings {
			if fd.ControlID == "backup.restore-tested" || fd.ControlID == "backup.verified-protected" {
				writeFinding(&b, fd)
			}
		}
		b.WriteString("\n")
	}
	got := b.String()
	golden := filepath.Join("testdata", "golden", "backup-verifications.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./policy -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", golden, diff)
	}
}
