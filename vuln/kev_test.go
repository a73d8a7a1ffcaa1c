package vuln

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
)

// sharedFixtures holds real third-party data shared by the project's tests.
const sharedFixtures = "../../shared/fixtures"

const kevFixture = sharedFixtures + "/kev/known_exploited_vulnerabilities.json"

// readFixtureFile reads a shared fixture by path, skipping the test when
// the folder is not there.
func readFixtureFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			t.Skipf("shared fixture %s not found: these tests need /work/shared/fixtures beside the repository", path)
		}
		t.Fatal(err)
	}
	return b
}

func TestParseKEVRealCatalogue(t *testing.T) {
	k, err := ParseKEV(bytes.NewReader(readFixtureFile(t, kevFixture)))
	if err != nil {
		t.Fatal(err)
	}
	if k.CatalogVersion != "2025.08.25" || k.Count != 1404 || k.Len() != 1404 {
		t.Errorf("catalogue %s with count %d and %d entries, want 2025.08.25 with 1404", k.CatalogVersion, k.Count, k.Len())
	}
	if want := time.Date(2025, 8, 25, 17, 4, 19, 979600000, time.UTC); !k.DateReleased.Equal(want) {
		t.Errorf("dateReleased = %v, want %v", k.DateReleased, want)
	}
	if k.Title != "CISA Catalog of Known Exploited Vulnerabilities" {
		t.Errorf("title = %q", k.Title)
	}

	// EternalBlue: the SMBv1 flaw WannaCry spread by in May 2017.
	e, ok := k.Lookup("CVE-2017-0144")
	if !ok {
		t.Fatal("CVE-2017-0144 (EternalBlue) is not in the catalogue")
	}
	if e.VendorProject != "Microsoft" || e.Product != "SMBv1" || !e.UsedByRansomware() {
		t.Errorf("CVE-2017-0144: vendor %q, product %q, ransomware %q", e.VendorProject, e.Product, e.KnownRansomwareCampaignUse)
	}
	if got := e.DateAdded.Format(time.DateOnly); got != "2022-02-10" {
		t.Errorf("CVE-2017-0144 added %s, want 2022-02-10", got)
	}
	if got := e.DueDate.Format(time.DateOnly); got != "2022-08-10" {
		t.Errorf("CVE-2017-0144 due %s, want 2022-08-10", got)
	}
	if len(e.CWEs) != 1 || e.CWEs[0] != "CWE-20" {
		t.Errorf("CVE-2017-0144 CWEs = %v, want [CWE-20]", e.CWEs)
	}

	// The newest entry comes first; the oldest last.
	if first := k.Vulnerabilities[0]; first.CVEID != "CVE-2025-48384" || first.VendorProject != "Git" || first.UsedByRansomware() {
		t.Errorf("first entry = %s %s ransomware %q", first.CVEID, first.VendorProject, first.KnownRansomwareCampaignUse)
	}
	if last := k.Vulnerabilities[k.Len()-1]; last.CVEID != "CVE-2020-29583" {
		t.Errorf("last entry = %s, want CVE-2020-29583", last.CVEID)
	}

	// Lookups ignore case and spaces; unknown CVEs are not found.
	if _, ok := k.Lookup(" cve-2017-0144 "); !ok {
		t.Error("lower-case lookup of cve-2017-0144 failed")
	}
	if _, ok := k.Lookup("CVE-1999-0001"); ok {
		t.Error("CVE-1999-0001 found, but it is not in the catalogue")
	}

	ransomware := 0
	for i := range k.Vulnerabilities {
		if k.Vulnerabilities[i].UsedByRansomware() {
			ransomware++
		}
	}
	if ransomware != 293 {
		t.Errorf("%d entries known to be used by ransomware, want 293", ransomware)
	}
}

// kevDoc is a small valid catalogue for the error tests, as a map the test
// can break.
func kevDoc() map[string]any {
	entry := func(id string) map[string]any {
		return map[string]any{
			"cveID": id, "vendorProject": "Microsoft", "product": "SMBv1",
			"vulnerabilityName": "Microsoft SMBv1 Remote Code Execution Vulnerability",
			"dateAdded":         "2022-02-10", "shortDescription": "The SMBv1 server allows remote code execution.",
			"requiredAction": "Apply updates per vendor instructions.", "dueDate": "2022-08-10",
			"knownRansomwareCampaignUse": "Known", "notes": "", "cwes": []any{"CWE-20"},
		}
	}
	return map[string]any{
		"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2025.08.25",
		"dateReleased": "2025-08-25T17:04:19.9796Z", "count": 2,
		"vulnerabilities": []any{entry("CVE-2017-0144"), entry("CVE-2017-0145")},
	}
}

func kevJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseKEVRejects(t *testing.T) {
	entry := func(d map[string]any, i int) map[string]any {
		return d["vulnerabilities"].([]any)[i].(map[string]any)
	}
	real := readFixtureFile(t, kevFixture)
	tests := []struct {
		name  string
		input func() []byte
		want  []string // all must appear in the message
		code  string
	}{
		{"truncated", func() []byte { return real[:len(real)/2] }, []string{"truncated"}, handwash.EINVALID},
		{"empty", func() []byte { return nil }, []string{"empty"}, handwash.EINVALID},
		{"not JSON", func() []byte { return []byte("<html>Access denied</html>") }, []string{"web page"}, handwash.EINVALID},
		{"garbage", func() []byte { return []byte("{\n\"catalogVersion\": 2025.08.25}") }, []string{"not valid JSON at line 2"}, handwash.EINVALID},
		{"array", func() []byte { return []byte(`[1,2]`) }, []string{"JSON object"}, handwash.EINVALID},
		{"trailing", func() []byte { return append(kevJSON(t, kevDoc()), []byte(` {}`)...) }, []string{"more data"}, handwash.EINVALID},
		{"missing catalogVersion", func() []byte {
			d := kevDoc()
			delete(d, "catalogVersion")
			return kevJSON(t, d)
		}, []string{`"catalogVersion" is missing`}, handwash.EINVALID},
		{"OSV record instead", func() []byte {
			return []byte(`{"id":"DSA-5678-1","modified":"2024-05-01T00:00:00Z"}`)
		}, []string{"is missing", "known_exploited_vulnerabilities.json"}, handwash.EINVALID},
		{"bad dateReleased", func() []byte {
			d := kevDoc()
			d["dateReleased"] = "25/08/2025"
			return kevJSON(t, d)
		}, []string{`"dateReleased"`, "25/08/2025"}, handwash.EINVALID},
		{"count as string", func() []byte {
			d := kevDoc()
			d["count"] = "2"
			return kevJSON(t, d)
		}, []string{`"count"`, "whole number"}, handwash.EINVALID},
		{"count does not match", func() []byte {
			d := kevDoc()
			d["count"] = 3
			return kevJSON(t, d)
		}, []string{"says 3 entries", "has 2"}, handwash.EINVALID},
		{"vulnerabilities not an array", func() []byte {
			d := kevDoc()
			d["vulnerabilities"] = map[string]any{}
			return kevJSON(t, d)
		}, []string{`"vulnerabilities" must be an array`}, handwash.EINVALID},
		{"missing field in entry", func() []byte {
			d := kevDoc()
			delete(entry(d, 1), "requiredAction")
			return kevJSON(t, d)
		}, []string{"vulnerabilities[1]", "CVE-2017-0145", `"requiredAction" is missing`}, handwash.EINVALID},
		{"missing cveID", func() []byte {
			d := kevDoc()
			delete(entry(d, 0), "cveID")
			return kevJSON(t, d)
		}, []string{"vulnerabilities[0]", `"cveID" is missing`}, handwash.EINVALID},
		{"bad CVE ID", func() []byte {
			d := kevDoc()
			entry(d, 1)["cveID"] = "CVE-17-0145"
			return kevJSON(t, d)
		}, []string{"vulnerabilities[1]", `"CVE-17-0145"`, "not a CVE ID"}, handwash.EINVALID},
		{"wrong type", func() []byte {
			d := kevDoc()
			entry(d, 1)["dueDate"] = 20220810
			return kevJSON(t, d)
		}, []string{"vulnerabilities[1]", "CVE-2017-0145", `"dueDate" must be a string, not number`}, handwash.EINVALID},
		{"bad date", func() []byte {
			d := kevDoc()
			entry(d, 0)["dateAdded"] = "2022-02-30"
			return kevJSON(t, d)
		}, []string{"vulnerabilities[0]", "CVE-2017-0144", `"dateAdded"`, "YYYY-MM-DD"}, handwash.EINVALID},
		{"bad CWE", func() []byte {
			d := kevDoc()
			entry(d, 0)["cwes"] = []any{"NVD-CWE-noinfo"}
			return kevJSON(t, d)
		}, []string{"CVE-2017-0144", `"cwes"[0]`, "NVD-CWE-noinfo"}, handwash.EINVALID},
		{"entry not an object", func() []byte {
			d := kevDoc()
			d["vulnerabilities"].([]any)[1] = "CVE-2017-0145"
			return kevJSON(t, d)
		}, []string{"vulnerabilities[1]", "must be an object", "a string"}, handwash.EINVALID},
		{"oversize", func() []byte { return bytes.Repeat([]byte(" "), MaxKEVBytes+1) }, []string{"over the limit"}, handwash.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKEV(bytes.NewReader(tt.input()))
			if err == nil {
				t.Fatalf("accepted a bad catalogue (%d entries)", k.Len())
			}
			if code := handwash.ErrorCode(err); code != tt.code {
				t.Errorf("code %s, want %s", code, tt.code)
			}
			msg := handwash.ErrorMessage(err)
			if !strings.HasPrefix(msg, "KEV catalogue: ") {
				t.Errorf("message %q does not say it is about the KEV catalogue", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
}

// The small catalogue the error tests break is itself valid.
func TestParseKEVSmall(t *testing.T) {
	k, err := ParseKEV(bytes.NewReader(kevJSON(t, kevDoc())))
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := k.Lookup("CVE-2017-0145"); !ok || e.Product != "SMBv1" {
		t.Errorf("CVE-2017-0145: %v %v", e, ok)
	}
	// A KEV built by hand is indexed on first lookup.
	hand := &KEV{Vulnerabilities: []KEVEntry{{CVEID: "CVE-2021-44228", Product: "Log4j2"}}}
	if e, ok := hand.Lookup("CVE-2021-44228"); !ok || e.Product != "Log4j2" {
		t.Errorf("hand-built lookup: %v %v", e, ok)
	}
	var none *KEV
	if _, ok := none.Lookup("CVE-2017-0144"); ok || none.Len() != 0 {
		t.Error("nil KEV found something")
	}
}

// DecodeKEVIDs keeps exactly the CVEs of the real catalogue.
func TestDecodeKEVIDsRealCatalogue(t *testing.T) {
	real := readFixtureFile(t, kevFixture)
	k, err := ParseKEV(bytes.NewReader(real))
	if err != nil {
		t.Fatal(err)
	}
	ids, err := DecodeKEVIDs(bytes.NewReader(real))
	if err != nil {
		t.Fatal(err)
	}
	different := map[string]bool{}
	for _, e := range k.Vulnerabilities {
		different[e.CVEID] = true
		if !ids.Contains(e.CVEID) {
			t.Errorf("%s is in the catalogue, not in its IDs", e.CVEID)
		}
	}
	if ids.Len() != len(different) || ids.Len() != 1404 {
		t.Errorf("%d IDs; the catalogue has %d different CVEs", ids.Len(), len(different))
	}
	if !ids.Contains(" cve-2017-0144 ") || ids.Contains("CVE-1999-0001") || ids.Contains("") {
		t.Error("lookups do not ignore case and spaces, or find what is not there")
	}
	var none *KEVIDs
	if none.Contains("CVE-2017-0144") || none.Len() != 0 {
		t.Error("nil KEVIDs found something")
	}
}

// DecodeKEVIDs checks less than ParseKEV (not every field of every entry)
// but still refuses what is not a whole catalogue.
func TestDecodeKEVIDsRejects(t *testing.T) {
	entry := func(d map[string]any, i int) map[string]any {
		return d["vulnerabilities"].([]any)[i].(map[string]any)
	}
	real := readFixtureFile(t, kevFixture)
	edit := func(change func(d map[string]any)) func() []byte {
		return func() []byte {
			d := kevDoc()
			change(d)
			return kevJSON(t, d)
		}
	}
	tests := []struct {
		name  string
		input func() []byte
		want  []string // all must appear in the message
		code  string
	}{
		{"truncated", func() []byte { return real[:len(real)/2] }, []string{"truncated"}, handwash.EINVALID},
		{"empty", func() []byte { return nil }, []string{"empty"}, handwash.EINVALID},
		{"not JSON", func() []byte { return []byte("<html>Access denied</html>") }, []string{"not valid JSON near byte 0"}, handwash.EINVALID},
		{"array", func() []byte { return []byte(`[1,2]`) }, []string{"JSON object"}, handwash.EINVALID},
		{"trailing", func() []byte { return append(kevJSON(t, kevDoc()), []byte(` {}`)...) }, []string{"more data"}, handwash.EINVALID},
		{"missing catalogVersion", edit(func(d map[string]any) { delete(d, "catalogVersion") }), []string{`"catalogVersion" is missing`}, handwash.EINVALID},
		{"OSV record instead", func() []byte {
			return []byte(`{"id":"DSA-5678-1","modified":"2024-05-01T00:00:00Z"}`)
		}, []string{"is missing", "known_exploited_vulnerabilities.json"}, handwash.EINVALID},
		{"count as string", edit(func(d map[string]any) { d["count"] = "2" }), []string{`"count"`, "whole number"}, handwash.EINVALID},
		{"count does not match", edit(func(d map[string]any) { d["count"] = 3 }), []string{"says 3 entries", "has 2"}, handwash.EINVALID},
		{"vulnerabilities not an array", edit(func(d map[string]any) { d["vulnerabilities"] = map[string]any{} }), []string{`"vulnerabilities" must be an array`}, handwash.EINVALID},
		{"vulnerabilities null", edit(func(d map[string]any) { d["vulnerabilities"] = nil }), []string{`"vulnerabilities" must be an array`}, handwash.EINVALID},
		{"missing cveID", edit(func(d map[string]any) { delete(entry(d, 0), "cveID") }), []string{"vulnerabilities[0]", `"cveID" is missing`}, handwash.EINVALID},
		{"bad CVE ID", edit(func(d map[string]any) { entry(d, 1)["cveID"] = "CVE-17-0145" }), []string{"vulnerabilities[1]", `"CVE-17-0145"`, "not a CVE ID"}, handwash.EINVALID},
		{"CVE ID not a string", edit(func(d map[string]any) { entry(d, 1)["cveID"] = 20170145 }), []string{"vulnerabilities[1]", `"cveID" must be a string, not number`}, handwash.EINVALID},
		{"entry not an object", edit(func(d map[string]any) { d["vulnerabilities"].([]any)[1] = "CVE-2017-0145" }), []string{"vulnerabilities[1]", "must be an object", "not string"}, handwash.EINVALID},
		{"oversize", func() []byte { return bytes.Repeat([]byte(" "), MaxKEVBytes+1) }, []string{"over the limit"}, handwash.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, err := DecodeKEVIDs(bytes.NewReader(tt.input()))
			if err == nil {
				t.Fatalf("accepted a bad catalogue (%d IDs)", ids.Len())
			}
			if code := handwash.ErrorCode(err); code != tt.code {
				t.Errorf("code %s, want %s", code, tt.code)
			}
			msg := handwash.ErrorMessage(err)
			if !strings.HasPrefix(msg, "KEV catalogue: ") {
				t.Errorf("message %q does not say it is about the KEV catalogue", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
	// What ParseKEV refuses for an entry's other fields, DecodeKEVIDs,
	// which does not read them, lets by.
	ids, err := DecodeKEVIDs(bytes.NewReader(edit(func(d map[string]any) { delete(entry(d, 1), "requiredAction") })()))
	if err != nil || ids.Len() != 2 {
		t.Errorf("an entry without requiredAction: %v, %v", ids, err)
	}
}

// Whatever ParseKEV accepts, DecodeKEVIDs accepts, with the same CVEs.
func FuzzDecodeKEVIDs(f *testing.F) {
	f.Add([]byte(`{"catalogVersion":"1","dateReleased":"2025-08-25T17:04:19Z","count":0,"vulnerabilities":[]}`))
	f.Add([]byte(`{"catalogVersion":"1","dateReleased":"2025-08-25T17:04:19Z","count":2,"vulnerabilities":[{"cveID":"CVE-2017-0144"},{"cveID":"CVE-2017-0144"}]}`))
	f.Add([]byte(`{"vulnerabilities":[null,1,"x",{"cveID":7}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ids, err := DecodeKEVIDs(bytes.NewReader(data))
		if err != nil && handwash.ErrorCode(err) == handwash.EINTERNAL {
			t.Fatalf("error without a code: %v", err)
		}
		k, kerr := ParseKEV(bytes.NewReader(data))
		if kerr != nil {
			return
		}
		if err != nil {
			t.Fatalf("ParseKEV accepts, DecodeKEVIDs says: %v", err)
		}
		different := map[string]bool{}
		for _, e := range k.Vulnerabilities {
			different[e.CVEID] = true
			if !ids.Contains(e.CVEID) {
				t.Fatalf("%s is not among the IDs", e.CVEID)
			}
		}
		if ids.Len() != len(different) {
			t.Fatalf("%d IDs, %d different CVEs", ids.Len(), len(different))
		}
	})
}

func FuzzParseKEV(f *testing.F) {
	f.Add([]byte(`{"catalogVersion":"1","dateReleased":"2025-08-25T17:04:19Z","count":0,"vulnerabilities":[]}`))
	f.Add([]byte(`{"catalogVersion":"1","dateReleased":"2025-08-25T17:04:19Z","count":1,"vulnerabilities":[{"cveID":"CVE-2017-0144"}]}`))
	f.Add([]byte(`{"vulnerabilities":[null,1,"x",{"cveID":7}]}`))
	f.Add([]byte(`[`))
	if b, err := os.ReadFile(kevFixture); err == nil {
		f.Add(b[:4096])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKEV(bytes.NewReader(data))
		if err != nil {
			if k != nil {
				t.Fatal("returned a catalogue and an error")
			}
			if handwash.ErrorCode(err) == handwash.EINTERNAL {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if k.Count != k.Len() {
			t.Fatalf("count %d, %d entries", k.Count, k.Len())
		}
		for i := range k.Vulnerabilities {
			if _, ok := k.Lookup(k.Vulnerabilities[i].CVEID); !ok {
				t.Fatalf("entry %s cannot be looked up", k.Vulnerabilities[i].CVEID)
			}
		}
	})
}
