package mdmimport

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/csvtable"
	"github.com/handwash/handwash/internal/csvtable/csvtabletest"
)

// The file comes from whoever imports it, so Parse must survive anything,
// return all or nothing, and only accept what it promises; and whatever it
// accepts must be judged without a panic.
func FuzzParse(f *testing.F) {
	csvtabletest.AddFiles(f)
	f.Add([]byte(intuneHeader + "d1,n,iOS/iPadOS,17..1,2026-11-01,Intune,True,iPad,P\n"))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("Display Name;Last Inventory Update;Passcode Status\nx;;Present\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		src, devs, err := Parse(bytes.NewReader(data), "org-1")
		if err != nil {
			csvtabletest.CheckRefusal(t, err)
			if src != "" || devs != nil {
				t.Fatalf("returned %q and %d devices with an error", src, len(devs))
			}
			return
		}
		if src != handwash.MobileIntune && src != handwash.MobileGoogle && src != handwash.MobileJamf {
			t.Fatalf("source %q", src)
		}
		if len(devs) == 0 || len(devs) > MaxRows {
			t.Fatalf("%d devices without an error", len(devs))
		}
		seen := map[string]bool{}
		var ptrs []*handwash.MobileDevice
		for i := range devs {
			d := &devs[i]
			if d.OrgID != "org-1" || d.Source != src {
				t.Fatalf("device %+v", d)
			}
			if d.OS != "ios" && d.OS != "ipados" && d.OS != "android" {
				t.Fatalf("kept OS %q", d.OS)
			}
			if d.OSVersion != "" && !validVersion(d.OSVersion) {
				t.Fatalf("accepted version %q", d.OSVersion)
			}
			if d.ExternalID == "" || seen[strings.ToLower(d.ExternalID)] {
				t.Fatalf("external ID %q empty or twice", d.ExternalID)
			}
			seen[strings.ToLower(d.ExternalID)] = true
			for _, s := range []string{d.ExternalID, d.Owner, d.Name, d.Model} {
				if csvtable.CleanText(s) != s {
					t.Fatalf("text %q not clean", s)
				}
			}
			ptrs = append(ptrs, d)
		}
		if fs := Findings(ptrs, support, time.Unix(1e9, 0)); len(fs) != 4 {
			t.Fatalf("%d findings", len(fs))
		}
	})
}

// A form comes from a browser: ParseByHand must refuse what it does not
// promise, and name the field when it does.
func FuzzParseByHand(f *testing.F) {
	f.Add("Jo", "iPhone 13", "ios", "17.4.1", "yes", "2026-11-28")
	f.Add("", "x", "windows", "1..2", "maybe", "28/11/2026")
	f.Fuzz(func(t *testing.T, owner, model, osName, ver, passcode, lastSeen string) {
		d, err := ParseByHand(map[string]string{"owner": owner, "model": model, "os": osName, "os_version": ver, "passcode": passcode, "managed": passcode, "last_seen": lastSeen})
		if err != nil {
			field, _, _ := strings.Cut(err.Error(), ":")
			switch field {
			case FieldOwner, FieldModel, FieldOS, FieldOSVersion, FieldPasscode, FieldManaged, FieldLastSeen:
			default:
				t.Fatalf("error %q names no field", err)
			}
			return
		}
		if d.Owner == "" || d.Model == "" || csvtable.CleanText(d.Owner) != d.Owner || csvtable.CleanText(d.Model) != d.Model {
			t.Fatalf("accepted owner %q model %q", d.Owner, d.Model)
		}
		if d.OS != "ios" && d.OS != "ipados" && d.OS != "android" {
			t.Fatalf("accepted OS %q", d.OS)
		}
		if d.OSVersion != "" && !validVersion(d.OSVersion) {
			t.Fatalf("accepted version %q", d.OSVersion)
		}
	})
}
