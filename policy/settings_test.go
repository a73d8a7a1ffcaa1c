package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

func TestPeriodText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		time.Hour:        "1 hour",
		24 * time.Hour:   "24 hours",
		25 * time.Hour:   "25 hours",
		36 * time.Hour:   "36 hours",
		48 * time.Hour:   "2 days",
		50 * time.Hour:   "50 hours", // never rounded down to "2 days"
		7 * day:          "7 days",
		31 * day:         "31 days",
		90 * time.Minute: "90 minutes",
		90 * time.Second: "1m30s",
	} {
		if got := periodText(d); got != want {
			t.Errorf("periodText(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestCheckBackupMaxAge(t *testing.T) {
	for d, ok := range map[time.Duration]bool{
		0: false, 59 * time.Minute: false, time.Hour: true, 24 * time.Hour: true, 744 * time.Hour: true,
		744*time.Hour + time.Minute: false, -time.Hour: false,
	} {
		err := CheckBackupMaxAge(d)
		if (err == nil) != ok {
			t.Errorf("CheckBackupMaxAge(%s) = %v, want ok %v", d, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), "such as 48h") {
			t.Errorf("CheckBackupMaxAge(%s) = %q: say what to give instead", d, err)
		}
	}
}

// Settings{} judges as the default, 24 hours, and the controls read the
// settings given.
func TestEvaluateUsesSettings(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	f := wellKept(mac)
	f.Backup.Tools[0].LastSuccess = ago(30 * time.Hour)
	for _, tc := range []struct {
		settings Settings
		want     handwash.Status
		limit    string
	}{
		{Settings{}, fail, "24 hours"},
		{Settings{BackupMaxAge: DefaultBackupMaxAge}, fail, "24 hours"},
		{Settings{BackupMaxAge: 48 * time.Hour}, pass, "2 days"},
		{Settings{BackupMaxAge: 29 * time.Hour}, fail, "29 hours"},
	} {
		fd := findingFor(t, c.Evaluate(f, Options{Now: caseNow, Settings: tc.settings}), "backup.recent")
		if fd.Status != tc.want {
			t.Errorf("%v: %s, want %s: %s", tc.settings, fd.Status, tc.want, fd.Summary)
		}
		if tc.want == fail && !strings.Contains(fd.Summary, "no more than "+tc.limit+" old") {
			t.Errorf("%v: summary %q does not give the limit %s", tc.settings, fd.Summary, tc.limit)
		}
		if got := fd.Evidence[len(fd.Evidence)-1]; got.Label != "Age limit" || got.Value != tc.limit {
			t.Errorf("%v: evidence %v, want the age limit %s", tc.settings, got, tc.limit)
		}
	}
}

func TestParseConfigSettings(t *testing.T) {
	known := func(id string) bool { return id == "backup.recent" }
	good := `# Rose House's Handwash settings
settings:
  backup_max_age: 48h   # the NAS backs up every other night
exceptions:
  - control: backup.recent
    reason: Weekly backups until the NAS is replaced.
    owner: IT provider
    expires: 2027-01-31
`
	cfg, err := ParseConfig([]byte(good), "handwash.yaml", known)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Settings.BackupMaxAge != 48*time.Hour || len(cfg.Exceptions) != 1 || cfg.Exceptions[0].Owner != "IT provider" {
		t.Errorf("got %+v", cfg)
	}
	for name, y := range map[string]string{
		"no settings":         "exceptions: []\n",
		"empty settings":      "settings:\n",
		"empty file":          "",
		"settings after":      "exceptions: []\nsettings: {}\n",
		"only exceptions key": "exceptions:\n",
	} {
		cfg, err := ParseConfig([]byte(y), "handwash.yaml", known)
		if err != nil || cfg.Settings != (Settings{}) {
			t.Errorf("%s: %+v, %v; want the defaults", name, cfg, err)
		}
	}

	bad := map[string]struct{ yaml, want string }{
		"words": {strings.Replace(good, "48h  ", "2 days", 1),
			`handwash.yaml: line 3: settings, field "backup_max_age": "2 days" is not a length of time Handwash can read: write it in hours with an h, such as 48h`},
		"no unit": {strings.Replace(good, "48h", "48", 1),
			`handwash.yaml: line 3: settings, field "backup_max_age": "48" is not a length of time`},
		"too short": {strings.Replace(good, "48h", "30m", 1),
			`handwash.yaml: line 3: settings, field "backup_max_age": "30m" is too short: give at least 1h and at most 744h (31 days)`},
		"too long": {strings.Replace(good, "48h", "745h", 1),
			`handwash.yaml: line 3: settings, field "backup_max_age": "745h" is too long`},
		"negative": {strings.Replace(good, "48h", "-48h", 1), `"-48h" is too short`},
		"no value": {strings.Replace(good, "48h", "", 1),
			`handwash.yaml: line 3: settings, field "backup_max_age": empty: give how old the newest backup may be, such as 48h, or remove the line for the default of 24h`},
		"empty text": {strings.Replace(good, "48h", `""`, 1), `line 3: settings, field "backup_max_age": empty`},
		"unknown setting": {strings.Replace(good, "backup_max_age", "backup_max_days", 1),
			`handwash.yaml: line 3, column 3: unknown field "backup_max_days"`},
		"a list":      {strings.Replace(good, "48h", "[48h]", 1), `handwash.yaml: line 3, column `},
		"wrong shape": {"settings: 48h\n", `handwash.yaml: line 1`},
		"bad exception still caught": {strings.Replace(good, "    owner: IT provider\n", "", 1),
			`handwash.yaml: line 5: exception 1, field "owner": missing`},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.yaml), "handwash.yaml", known)
			if err == nil {
				t.Fatal("no error")
			}
			if code := handwash.ErrorCode(err); code != handwash.EINVALID {
				t.Errorf("code = %s", code)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}
