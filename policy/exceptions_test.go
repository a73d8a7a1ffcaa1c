package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

func TestParseExceptions(t *testing.T) {
	known := func(id string) bool { return id == "malware.usb-controlled" || id == "backup.recent" }
	good := `# Accepted risks for the care home's PCs
exceptions:
  - control: malware.usb-controlled
    device: RECEPTION-PC
    reason: The label printer needs a USB stick each week.
    owner: Jane Smith, registered manager
    expires: 2027-03-31
  - control: backup.recent
    reason: Weekly backups until the NAS is replaced.
    owner: IT provider
    expires: "2026-12-31"
`
	got, err := ParseExceptions([]byte(good), "handwash.yaml", known)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Device != "RECEPTION-PC" || got[1].Owner != "IT provider" {
		t.Fatalf("got %+v", got)
	}
	if want := time.Date(2027, 3, 31, 23, 59, 59, 0, time.UTC); !got[0].Expires.Equal(want) {
		t.Errorf("expires = %v, want the end of the day %v", got[0].Expires, want)
	}

	bad := map[string]struct{ yaml, want string }{
		"unknown control": {strings.Replace(good, "control: backup.recent", "control: backup.recnt", 1),
			`handwash.yaml: line 8: exception 2, field "control": no control has the ID "backup.recnt"`},
		"no owner": {strings.Replace(good, "    owner: IT provider\n", "", 1),
			`handwash.yaml: line 8: exception 2, field "owner": missing`},
		"bad date": {strings.Replace(good, "2027-03-31", "31/03/2027", 1),
			`handwash.yaml: line 7: exception 1, field "expires": "31/03/2027" is not a date: write it as YYYY-MM-DD`},
		"unknown key": {strings.Replace(good, "    owner: IT provider", "    ownr: IT provider", 1),
			`handwash.yaml: line 10, column 5: unknown field "ownr"`},
		"not yaml":    {"exceptions:\n  - control: [unclosed\n", `handwash.yaml: line `},
		"wrong shape": {"exceptions: yes\n", `handwash.yaml: line 1`},
		"too large":   {"# " + strings.Repeat("x", MaxExceptionsSize), `larger than 1024 KiB`},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := ParseExceptions([]byte(tc.yaml), "handwash.yaml", known)
			if err == nil {
				t.Fatal("no error")
			}
			if code := handwash.ErrorCode(err); code != handwash.EINVALID && code != handwash.ETOOLARGE {
				t.Errorf("code = %s", code)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func FuzzParseExceptions(f *testing.F) {
	f.Add([]byte("exceptions:\n  - control: a.b\n    reason: r\n    owner: o\n    expires: 2027-01-01\n"))
	f.Add([]byte("exceptions: []\n"))
	f.Add([]byte("exceptions:\n  - {control: a.b, expires: x}\n"))
	f.Add([]byte("- - -\n"))
	f.Add([]byte("settings:\n  backup_max_age: 48h\nexceptions: []\n"))
	f.Add([]byte("settings:\n  backup_max_age:\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		cfg, err := ParseConfig(b, "f.yaml", func(string) bool { return true })
		if err != nil {
			if code := handwash.ErrorCode(err); code != handwash.EINVALID && code != handwash.ETOOLARGE {
				t.Fatalf("error %v has code %s", err, code)
			}
			return
		}
		if d := cfg.Settings.BackupMaxAge; d != 0 && CheckBackupMaxAge(d) != nil {
			t.Fatalf("backup_max_age %s accepted", d)
		}
		for _, e := range cfg.Exceptions {
			if e.Control == "" || e.Reason == "" || e.Owner == "" || e.Expires.IsZero() {
				t.Fatalf("incomplete exception accepted: %+v", e)
			}
		}
	})
}
