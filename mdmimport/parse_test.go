package mdmimport

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

func boolStr(p *bool) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func describe(d handwash.MobileDevice) string {
	seen := "nil"
	if d.LastSeen != nil {
		seen = d.LastSeen.Format(time.RFC3339)
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|pass=%s|enc=%s|man=%s|%s", d.OS, d.OSVersion, d.Owner, d.Name, d.Model,
		d.ExternalID, boolStr(d.Passcode), boolStr(d.Encrypted), boolStr(d.Managed), seen)
}

// The files in testdata are made up, with the real exports' column names:
// see testdata/README.md for where each comes from.
func TestParseLayouts(t *testing.T) {
	for _, c := range []struct {
		file, source string
		want         []string
	}{
		{"intune-devices.csv", handwash.MobileIntune, []string{
			"ios|18.1.1|Priya Shah|RC-IPHONE-01|iPhone 13|0b1e6a52-7d21-4c0e-9a53-000000000001|pass=nil|enc=true|man=true|2026-11-29T07:12:33Z",
			"ipados|16.7.10||RC-IPAD-LOUNGE|iPad (6th generation)|0b1e6a52-7d21-4c0e-9a53-000000000002|pass=nil|enc=true|man=true|2026-09-02T18:40:00Z",
			"android|14|Tom Okafor|RC-ANDROID-07|Samsung SM-A546B|0b1e6a52-7d21-4c0e-9a53-000000000003|pass=nil|enc=true|man=true|2026-11-30T06:01:10Z",
			"android|12|Alys Jones|Alys’s Galaxy|Samsung Galaxy A12|0b1e6a52-7d21-4c0e-9a53-000000000004|pass=nil|enc=false|man=true|2026-11-20T21:14:09Z",
			// Exchange ActiveSync only: cannot be wiped by an MDM.
			"android|13|Sam Lee|Sam-phone|Google Pixel 7|0b1e6a52-7d21-4c0e-9a53-000000000005|pass=nil|enc=nil|man=false|2026-11-25T12:00:00Z",
			// The Windows PC and the Mac are left out.
		}},
		{"google-mobile-devices.csv", handwash.MobileGoogle, []string{
			"android|14|Maria Silva||Samsung Galaxy A54 5G|a1b2c3d4e5f60001|pass=true|enc=true|man=true|2026-11-29T16:12:03Z",
			"ios|17.6.1|Joe Bloggs||iPhone 11|a1b2c3d4e5f60002|pass=false|enc=true|man=false|2026-10-02T16:12:03Z",
			"ipados|18.1|Zoë Ward||iPad Air (5th generation)|a1b2c3d4e5f60003|pass=nil|enc=nil|man=true|2026-11-27T08:00:00Z",
			// The wiped Pixel and the Windows laptop are left out.
		}},
		{"jamf-mobile-devices.csv", handwash.MobileJamf, []string{
			"ipados|18.1||Lounge iPad|iPad (9th generation)|11|pass=true|enc=true|man=true|2026-11-29T22:01:09Z",
			"ios|16.7.10|Night Team|Night shift iPhone|iPhone SE (2nd generation)|12|pass=false|enc=false|man=true|2026-10-12T07:30:00Z",
			"ios|18.1.1|Dee Clarke|Manager iPhone|iPhone 15|13|pass=true|enc=true|man=false|2026-11-30T08:15:00Z",
			// The Apple TV is left out.
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			src, devs := parseFile(t, c.file)
			if src != c.source {
				t.Errorf("source %q, want %q", src, c.source)
			}
			var got []string
			for _, d := range devs {
				if d.OrgID != "org-1" || d.Source != c.source || d.ID != "" {
					t.Errorf("%s: org %q source %q id %q", d.ExternalID, d.OrgID, d.Source, d.ID)
				}
				got = append(got, describe(d))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// Intune downloads its export as a ZIP file holding the CSV file.
func TestParseZip(t *testing.T) {
	csv, err := os.ReadFile("testdata/intune-devices.csv")
	if err != nil {
		t.Fatal(err)
	}
	mk := func(files map[string][]byte) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, data := range files {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(data)
		}
		zw.Close()
		return buf.Bytes()
	}
	src, devs, err := Parse(bytes.NewReader(mk(map[string][]byte{"DevicesWithInventory_2026-11-30.csv": csv, "__MACOSX/._x.csv": {1}})), "org-1")
	if err != nil || src != handwash.MobileIntune || len(devs) != 5 {
		t.Fatalf("zip: %q %d %v", src, len(devs), err)
	}
	for name, c := range map[string]struct {
		files map[string][]byte
		msg   string
	}{
		"no CSV":   {map[string][]byte{"readme.txt": []byte("hi")}, "holds no CSV file"},
		"two CSVs": {map[string][]byte{"a.csv": csv, "b.csv": csv}, "holds 2 CSV files"},
	} {
		_, devs, err := Parse(bytes.NewReader(mk(c.files)), "org-1")
		if err == nil || devs != nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A ZIP bomb stops at MaxBytes.
	big := mk(map[string][]byte{"big.csv": bytes.Repeat([]byte("a"), MaxBytes+1)})
	if _, _, err := Parse(bytes.NewReader(big), "org-1"); handwash.ErrorCode(err) != handwash.ETOOLARGE {
		t.Errorf("zip over the limit: %v", err)
	}
	if _, _, err := Parse(strings.NewReader("PK\x03\x04 not really"), "org-1"); handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("broken zip: %v", err)
	}
}

const intuneHeader = "Device ID,Device name,OS,OS version,Last check-in,Managed by,Encrypted,Model,Primary user display name\n"

func TestParseErrors(t *testing.T) {
	var many strings.Builder
	many.WriteString(intuneHeader)
	for i := range MaxRows + 1 {
		fmt.Fprintf(&many, "d%d,n,Android,14,2026-11-01 10:00:00,Intune,True,Pixel 8,P\n", i)
	}
	for _, c := range []struct {
		name, in, code, msg string
	}{
		{"bad date", intuneHeader + "d1,n,Android,14,2026-11-01 10:00:00,Intune,True,Pixel 8,P\nd2,n,iOS,17.1,yesterday,Intune,True,iPhone 15,Q\n", handwash.EINVALID,
			`line 3: "Last check-in" is "yesterday": expected a date`},
		{"bad yes/no", intuneHeader + "d1,n,Android,14,2026-11-01 10:00:00,Intune,maybe,Pixel 8,P\n", handwash.EINVALID,
			`line 2: "Encrypted" is "maybe": expected Yes or No`},
		{"bad version", intuneHeader + "d1,n,Android,fourteen,2026-11-01 10:00:00,Intune,True,Pixel 8,P\n", handwash.EINVALID,
			`line 2: "OS version" is "fourteen": expected a version number such as 17.4.1`},
		{"no ID", intuneHeader + ",n,Android,14,2026-11-01 10:00:00,Intune,True,Pixel 8,P\n", handwash.EINVALID,
			`line 2: "Device ID" is empty`},
		{"duplicate device", intuneHeader + "d1,n,Android,14,,Intune,True,Pixel 8,P\nd2,n,Android,14,,Intune,True,Pixel 8,P\nD1,n,Android,14,,Intune,True,Pixel 8,P\n", handwash.EINVALID,
			"lines 2 and 4: device D1 appears twice"},
		{"no ID column", "Device name,OS,Last check-in\nn,Android,\n", handwash.EINVALID, "has no Device ID or Intune device ID or Serial number column"},
		{"empty", "", handwash.EINVALID, "the file is empty"},
		{"header only", intuneHeader, handwash.EINVALID, "a header row but no devices"},
		{"unknown layout", "Asset,Owner\nA1,Jo\n", handwash.EINVALID, `Its first columns are "Asset", "Owner". Handwash expects one of: Microsoft Intune device export (Device ID`},
		{"only computers", intuneHeader + "d1,PC1,Windows,10.0.26100,2026-11-01 10:00:00,Intune,True,ProBook,P\n", handwash.EINVALID, "the one device in the file is not a phone or tablet"},
		{"Jamf computers", string(must(os.ReadFile("testdata/jamf-computers.csv"))), handwash.EINVALID, "export a mobile device search instead"},
		{"bad Jamf passcode", "Display Name,Serial Number,Model,iOS Version,Last Inventory Update,Passcode Status\niPad,S1,iPad Air,18.1,2026-11-01 10:00:00,Sometimes\n", handwash.EINVALID,
			`line 2: "Passcode Status" is "Sometimes": expected Yes or No (or Present or Not Present)`},
		{"bad quoting", intuneHeader + "d1,\"n,Android\n", handwash.EINVALID, "line 2: the file is not valid CSV"},
		{"too large", strings.Repeat("x", MaxBytes+1), handwash.ETOOLARGE, "larger than 20 MiB"},
		{"too many rows", many.String(), handwash.ETOOLARGE, "more than 50000 rows"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, devs, err := Parse(strings.NewReader(c.in), "org-1")
			if err == nil {
				t.Fatalf("no error; %d devices", len(devs))
			}
			if src != "" || devs != nil {
				t.Errorf("returned %q and %d devices with the error", src, len(devs))
			}
			var he *handwash.Error
			if !errors.As(err, &he) || he.Code != c.code {
				t.Errorf("error %T %v, want code %s", err, err, c.code)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q\nwant it to contain %q", err, c.msg)
			}
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

func TestParseValues(t *testing.T) {
	for in, want := range map[string]string{
		"17.4.1": "17.4.1", "14": "14", "14 (UP1A.231005.007)": "14", "Unknown": "", "": "", "16.": "16",
	} {
		if got, ok := version(in); !ok || got != want {
			t.Errorf("version(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"fourteen", ".5", "1..2", "v17"} {
		if _, ok := version(in); ok {
			t.Errorf("version(%q) accepted", in)
		}
	}
	for _, c := range []struct{ os, model, want string }{
		{"iOS/iPadOS", "iPhone 13", "ios"}, {"iOS/iPadOS", "iPad Pro 11-inch (M4)", "ipados"}, {"iPadOS", "", "ipados"},
		{"iOS 17.6.1", "iPad Air", "ipados"}, {"Android (Corporate-Owned Work Profile)", "", "android"},
		{"AndroidForWork", "", "android"}, {"AOSP (User-based)", "", "android"}, {"Windows", "", ""}, {"macOS", "", ""},
		{"Linux", "", ""}, {"ChromeOS", "", ""}, {"", "iPhone 13", ""},
	} {
		got, keep := osFamily(c.os, c.model)
		if got != c.want || keep != (c.want != "") {
			t.Errorf("osFamily(%q, %q) = %q, %v; want %q", c.os, c.model, got, keep, c.want)
		}
	}
	for _, c := range []struct{ maker, model, want string }{
		{"samsung", "SM-A546B", "Samsung SM-A546B"}, {"Apple", "iPhone 15", "iPhone 15"}, {"Google", "Google Pixel 8", "Google Pixel 8"},
		{"", "Pixel 8", "Pixel 8"}, {"Motorola", "", "Motorola"},
	} {
		if got := modelName(c.maker, c.model); got != c.want {
			t.Errorf("modelName(%q, %q) = %q", c.maker, c.model, got)
		}
	}
	for in, want := range map[string]string{
		"Present": "true", "Not Present": "false", "PASSWORD_NOT_SET": "false", "Encrypted": "true", "Not encrypted": "false",
		"Unmanaged": "false", "Unsupported": "nil", "": "nil",
	} {
		v, ok := yesNo(in)
		if !ok || boolStr(v) != want {
			t.Errorf("yesNo(%q) = %s, %v; want %s", in, boolStr(v), ok, want)
		}
	}
}

// Excel re-saving and other encodings read the same.
func TestParseEncodings(t *testing.T) {
	plain := intuneHeader + "d1,Zoë’s phone,Android,14,29/11/2026 07:12,Intune,True,Pixel 8,Zoë Ward\n"
	for name, in := range map[string]string{
		"plain":      plain,
		"BOM":        "\ufeff" + plain,
		"semicolons": strings.ReplaceAll(plain, ",", ";"),
		"sep line":   "sep=\t\n" + strings.ReplaceAll(plain, ",", "\t"),
		"CRLF":       strings.ReplaceAll(plain, "\n", "\r\n"),
	} {
		_, devs, err := Parse(strings.NewReader(in), "org-1")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := describe(devs[0]); got != "android|14|Zoë Ward|Zoë’s phone|Pixel 8|d1|pass=nil|enc=true|man=true|2026-11-29T07:12:00Z" {
			t.Errorf("%s: %s", name, got)
		}
	}
}

func TestParseTestdataStable(t *testing.T) {
	files, _ := filepath.Glob("testdata/*-devices.csv")
	if len(files) != 3 {
		t.Fatalf("%d device files", len(files))
	}
	for _, f := range files {
		data := must(os.ReadFile(f))
		_, a, err1 := Parse(bytes.NewReader(data), "o")
		_, b, err2 := Parse(bytes.NewReader(data), "o")
		if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("%s: %v %v", f, err1, err2)
		}
	}
}
