package vuln

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/handwash/handwash"
)

const eolProducts = sharedFixtures + "/eol/products"

// eolProductsFS is the real endoflife.date product files, or a skip.
func eolProductsFS(t testing.TB) fstest.MapFS {
	t.Helper()
	entries, err := os.ReadDir(eolProducts)
	if err != nil {
		if os.IsNotExist(err) {
			t.Skipf("shared fixture %s not found: these tests need /work/shared/fixtures beside the repository", eolProducts)
		}
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, e := range entries {
		b, err := os.ReadFile(eolProducts + "/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		fsys["products/"+e.Name()] = &fstest.MapFile{Data: b}
	}
	return fsys
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func on(s string) EOLDate  { return EOLDate{Given: true, Date: day(s)} }
func ended(b bool) EOLDate { return EOLDate{Given: true, Ended: b} }
func release(t *testing.T, e *EOL, product, cycle string) EOLRelease {
	t.Helper()
	p, ok := e.Product(product)
	if !ok {
		t.Fatalf("product %s not found", product)
	}
	r, ok := p.Release(cycle)
	if !ok {
		t.Fatalf("%s has no release %s", product, cycle)
	}
	return *r
}

// The values below were read from the product files by eye
// (../shared/fixtures/eol/products/*.md, endoflife.date @ a70eca33).
func TestParseEOLProductFilesReal(t *testing.T) {
	e, err := ParseEOLProductFiles(eolProductsFS(t))
	if err != nil {
		t.Fatal(err)
	}
	if e.Len() != 464 {
		t.Errorf("%d products, want 464", e.Len())
	}
	if e.Source != "endoflife.date product files" || e.GeneratedAt.IsZero() || e.GeneratedAt.After(time.Now()) {
		t.Errorf("source %q, generated %v", e.Source, e.GeneratedAt)
	}

	tests := []struct {
		product, cycle string
		want           EOLRelease
	}{
		{"windows", "10-22h2", EOLRelease{
			Name: "10-22h2", Label: "10 22H2", ReleaseDate: day("2022-10-18"),
			ActiveSupport: on("2025-10-14"), EOL: on("2025-10-14"), Extended: on("2028-10-10"),
			Latest: "10.0.19045", Link: "https://learn.microsoft.com/windows/release-health/release-information",
		}},
		{"windows", "11-24h2-iot-lts", EOLRelease{
			Name: "11-24h2-iot-lts", Label: "11 24H2 IoT", ReleaseDate: day("2024-10-01"), LTS: true,
			ActiveSupport: on("2029-10-09"), EOL: on("2034-10-10"), Latest: "10.0.26100",
			Link: "https://learn.microsoft.com/windows/release-health/windows11-release-information#enterprise-and-iot-enterprise-ltsc-editions",
		}},
		{"debian", "12", EOLRelease{
			Name: "12", Label: "12 (Bookworm)", Codename: "Bookworm", ReleaseDate: day("2023-06-10"),
			EOL: on("2026-07-11"), Extended: on("2028-06-30"), Latest: "12.15", LatestDate: day("2026-07-11"),
			Link: "https://www.debian.org/News/2026/2026051602",
		}},
		{"ubuntu", "22.04", EOLRelease{
			Name: "22.04", Label: "22.04 'Jammy Jellyfish'", Codename: "Jammy Jellyfish", ReleaseDate: day("2022-04-21"), LTS: true,
			ActiveSupport: on("2024-09-30"), EOL: on("2027-04-01"), Extended: on("2032-04-09"),
			Latest: "22.04.5", LatestDate: day("2024-09-12"),
		}},
		{"macos", "26", EOLRelease{
			Name: "26", Label: "macOS 26 (Tahoe)", Codename: "Tahoe", ReleaseDate: day("2025-09-15"),
			EOL: ended(false), Latest: "26.6.2", LatestDate: day("2026-08-17"),
			Link: "https://developer.apple.com/documentation/macos-release-notes/macos-26-release-notes",
		}},
		{"chrome", "109", EOLRelease{ // link: null
			Name: "109", Label: "109", ReleaseDate: day("2023-01-10"), EOL: on("2023-02-07"),
		}},
		{"chrome", "151", EOLRelease{
			Name: "151", Label: "151", ReleaseDate: day("2026-07-28"), EOL: on("2026-08-25"),
			Link: "https://developer.chrome.com/release-notes/151",
		}},
		{"firefox", "115", EOLRelease{
			Name: "115", Label: "115", ReleaseDate: day("2023-07-04"), LTS: true, EOL: on("2027-03-31"),
			Latest: "115.38.0", LatestDate: day("2026-07-21"), Link: "https://www.mozilla.org/firefox/115.38.0/releasenotes/",
		}},
		{"office", "2013", EOLRelease{
			Name: "2013", Label: "2013 SP1", ReleaseDate: day("2013-01-09"),
			ActiveSupport: on("2018-04-10"), EOL: on("2023-04-11"),
			Link: "https://learn.microsoft.com/lifecycle/products/microsoft-office-2013",
		}},
		{"python", "2.7", EOLRelease{ // eoas: true; changelog needs Liquid
			Name: "2.7", Label: "2.7", ReleaseDate: day("2010-07-03"),
			ActiveSupport: ended(true), EOL: on("2020-01-01"), Latest: "2.7.18", LatestDate: day("2020-04-19"),
		}},
	}
	for _, tt := range tests {
		got := release(t, e, tt.product, tt.cycle)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s %s (-want +got):\n%s", tt.product, tt.cycle, diff)
		}
	}

	for _, alias := range []struct{ name, product string }{
		{"google-chrome", "chrome"}, {"ubuntu-linux", "ubuntu"}, {"mac", "macos"},
		{"linux-kernel", "linux"}, // file name differs from the permalink
		{"WINDOWS", "windows"},
	} {
		if p, ok := e.Product(alias.name); !ok || p.Name != alias.product {
			t.Errorf("Product(%q) = %v, %v; want %s", alias.name, p, ok, alias.product)
		}
	}
	w, _ := e.Product("windows")
	if w.Label != "Microsoft Windows" || w.Category != "os" || len(w.Releases) != 47 {
		t.Errorf("windows: %q, %q, %d releases", w.Label, w.Category, len(w.Releases))
	}
	if w.Releases[0].Name != "11-26h1-e" {
		t.Errorf("windows releases start with %s, want the newest (11-26h1-e)", w.Releases[0].Name)
	}
}

// Support continues through the end date and is over the next day, as
// endoflife.date counts it: Windows 10 22H2 had its last updates on
// 14 October 2025.
func TestEOLDatePassed(t *testing.T) {
	d := on("2025-10-14")
	for _, tt := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2025, 10, 14, 23, 59, 0, 0, time.UTC), false},
		{time.Date(2025, 10, 15, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), true},
	} {
		if got := d.Passed(tt.now); got != tt.want {
			t.Errorf("Passed(%v) = %v", tt.now, got)
		}
	}
	if !ended(true).Passed(time.Time{}) || ended(false).Passed(time.Now()) || (EOLDate{}).Passed(time.Now()) {
		t.Error("boolean ends")
	}
	for d, want := range map[EOLDate]string{on("2025-10-14"): "2025-10-14", ended(true): "ended", ended(false): "not ended", {}: ""} {
		if d.String() != want {
			t.Errorf("%#v.String() = %q, want %q", d, d.String(), want)
		}
	}
}

// The built-in OS support dates (policy/lifecycle.json, made by
// policy/internal/genlifecycle from the same files) agree with this
// parser, so the generator can move to it.
func TestEOLAgreesWithBuiltInLifecycle(t *testing.T) {
	e, err := ParseEOLProductFiles(eolProductsFS(t))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../policy/lifecycle.json")
	if err != nil {
		t.Skipf("policy/lifecycle.json: %v", err)
	}
	var lf struct {
		Products map[string][]struct {
			Cycle, Codename, Released, EOL, Latest string
			ExtendedEOL                            string `json:"extended_eol"`
			LTS                                    bool
		}
	}
	if err := json.Unmarshal(b, &lf); err != nil {
		t.Fatal(err)
	}
	n := 0
	for product, rels := range lf.Products {
		for _, want := range rels {
			got := release(t, e, product, want.Cycle)
			eol := got.EOL.String()
			if eol == "not ended" {
				eol = ""
			}
			released := ""
			if !got.ReleaseDate.IsZero() {
				released = got.ReleaseDate.Format(time.DateOnly)
			}
			ext := ""
			if !got.Extended.Date.IsZero() {
				ext = got.Extended.Date.Format(time.DateOnly)
			}
			if got.Codename != want.Codename || released != want.Released || eol != want.EOL || ext != want.ExtendedEOL || got.Latest != want.Latest || (want.LTS && !got.LTS) {
				t.Errorf("%s %s: got codename %q released %q eol %q extended %q latest %q lts %v; lifecycle.json has %+v",
					product, want.Cycle, got.Codename, released, eol, ext, got.Latest, got.LTS, want)
			}
			n++
		}
	}
	if n < 100 {
		t.Errorf("compared only %d releases", n)
	}
}

// Product files written out as API v1 read back the same: the cache keeps
// imported product files in that one format.
func TestEOLAPIRoundTrip(t *testing.T) {
	all := eolProductsFS(t)
	fsys := fstest.MapFS{}
	for _, name := range []string{"windows", "debian", "ubuntu", "macos", "chrome", "firefox", "office", "python"} {
		fsys[name+".md"] = all["products/"+name+".md"]
	}
	from, err := ParseEOLProductFiles(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := from.WriteAPIv1(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ParseEOLAPI(&buf)
	if err != nil {
		t.Fatalf("API v1 written from product files does not read back: %v", err)
	}
	if back.Source != "endoflife.date API v1" || back.SchemaVersion != EOLAPIv1 || !back.GeneratedAt.Equal(from.GeneratedAt) {
		t.Errorf("back: %q %q %v", back.Source, back.SchemaVersion, back.GeneratedAt)
	}
	opts := cmpopts.IgnoreFields(EOL{}, "Source", "SchemaVersion", "byName")
	if diff := cmp.Diff(from, back, opts, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("round trip (-product files +API):\n%s", diff)
	}
	if back.Releases() != from.Releases() || back.Releases() < 300 {
		t.Errorf("%d releases back, %d before", back.Releases(), from.Releases())
	}
}

// apiDoc is the shape of https://endoflife.date/api/v1/products/full
// (generate-api-v1.rb in the endoflife.date repository), with values from
// the real product files.
const apiDoc = `{
  "schema_version": "1.0.0",
  "generated_at": "2026-08-20T06:12:45+00:00",
  "total": 2,
  "result": [
    {
      "name": "debian", "aliases": [], "label": "Debian", "category": "os", "tags": ["linux-distribution", "os"],
      "versionCommand": "cat /etc/os-release",
      "identifiers": [{"type": "cpe", "id": "cpe:2.3:o:debian:debian_linux"}],
      "labels": {"eoas": null, "discontinued": null, "eol": "Debian Security Support", "eoes": "Debian LTS"},
      "links": {"icon": "https://cdn.jsdelivr.net/npm/simple-icons/icons/debian.svg", "html": "https://endoflife.date/debian", "releasePolicy": "https://wiki.debian.org/DebianReleases"},
      "releases": [
        {"name": "12", "codename": "Bookworm", "label": "12 (Bookworm)", "releaseDate": "2023-06-10",
         "isLts": false, "ltsFrom": null, "isEol": true, "eolFrom": "2026-07-11",
         "isEoes": false, "eoesFrom": "2028-06-30", "isMaintained": true,
         "latest": {"name": "12.15", "date": "2026-07-11", "link": "https://www.debian.org/News/2026/2026051602"}},
        {"name": "9", "codename": "Stretch", "label": "9 (Stretch)", "releaseDate": "2017-06-17",
         "isLts": false, "ltsFrom": null, "isEol": true, "eolFrom": "2020-07-18",
         "isEoes": true, "eoesFrom": "2022-06-30", "isMaintained": false, "latest": null}
      ]
    },
    {
      "name": "macos", "aliases": ["mac"], "label": "Apple macOS", "category": "os", "tags": ["apple", "os"],
      "releases": [
        {"name": "26", "codename": "Tahoe", "label": "macOS 26 (Tahoe)", "releaseDate": "2025-09-15",
         "isLts": false, "ltsFrom": null, "isEol": false, "eolFrom": null, "isMaintained": true,
         "latest": {"name": "26.6.2", "date": "2026-08-17", "link": null}}
      ]
    }
  ]
}`

func TestParseEOLAPI(t *testing.T) {
	e, err := ParseEOLAPI(strings.NewReader(apiDoc))
	if err != nil {
		t.Fatal(err)
	}
	if e.SchemaVersion != "1.0.0" || !e.GeneratedAt.Equal(time.Date(2026, 8, 20, 6, 12, 45, 0, time.UTC)) || e.Len() != 2 {
		t.Errorf("schema %q generated %v, %d products", e.SchemaVersion, e.GeneratedAt, e.Len())
	}
	want := EOLRelease{
		Name: "12", Label: "12 (Bookworm)", Codename: "Bookworm", ReleaseDate: day("2023-06-10"),
		EOL: on("2026-07-11"), Extended: on("2028-06-30"), Latest: "12.15", LatestDate: day("2026-07-11"),
		Link: "https://www.debian.org/News/2026/2026051602",
	}
	if diff := cmp.Diff(want, release(t, e, "debian", "12")); diff != "" {
		t.Errorf("debian 12 (-want +got):\n%s", diff)
	}
	if r := release(t, e, "debian", "9"); r.Latest != "" || !r.Extended.Passed(time.Now()) {
		t.Errorf("debian 9: %+v", r)
	}
	if r := release(t, e, "mac", "26"); r.EOL != ended(false) || r.Latest != "26.6.2" || r.Link != "" || r.ActiveSupport.Given {
		t.Errorf("macos 26: %+v", r)
	}
}

func TestParseEOLAPIRejects(t *testing.T) {
	edit := func(from, to string) func() []byte {
		return func() []byte {
			if !strings.Contains(apiDoc, from) {
				panic("apiDoc lacks " + from)
			}
			return []byte(strings.Replace(apiDoc, from, to, 1))
		}
	}
	tests := []struct {
		name  string
		input func() []byte
		want  []string
		code  string
	}{
		{"truncated", func() []byte { return []byte(apiDoc[:len(apiDoc)/2]) }, []string{"truncated"}, handwash.EINVALID},
		{"KEV catalogue instead", func() []byte {
			return []byte(`{"title":"CISA Catalog of Known Exploited Vulnerabilities","catalogVersion":"2025.08.25","count":0,"vulnerabilities":[]}`)
		}, []string{`"schema_version" is missing`, "API v1"}, handwash.EINVALID},
		{"API v0 list", func() []byte { return []byte(`[{"cycle":"12","eol":"2026-06-10"}]`) }, []string{"JSON object"}, handwash.EINVALID},
		{"schema 2", edit(`"schema_version": "1.0.0"`, `"schema_version": "2.0.0"`), []string{`"2.0.0" is not 1.x`}, handwash.EINVALID},
		{"no generated_at", edit(`"generated_at": "2026-08-20T06:12:45+00:00",`, ``), []string{`"generated_at" is missing`}, handwash.EINVALID},
		{"bad generated_at", edit(`2026-08-20T06:12:45+00:00`, `20 August 2026`), []string{`"generated_at"`, "20 August 2026"}, handwash.EINVALID},
		{"result not a list", func() []byte {
			return []byte(`{"schema_version":"1.0.0","generated_at":"2026-08-20T06:12:45Z","result":{"name":"debian"}}`)
		}, []string{`"result" has the wrong type`}, handwash.EINVALID},
		{"total mismatch", edit(`"total": 2`, `"total": 3`), []string{"says 3 products", "has 2"}, handwash.EINVALID},
		{"product without name", edit(`"name": "macos", `, ``), []string{"result[1]", `"name" is missing`}, handwash.EINVALID},
		{"release without name", edit(`"name": "9", `, ``), []string{"result[0] (debian).releases[1]", `"name" is missing`}, handwash.EINVALID},
		{"bad eol date", edit(`"eolFrom": "2026-07-11"`, `"eolFrom": "11/07/2026"`), []string{"(debian).releases[0] (12)", `"eolFrom"`, "YYYY-MM-DD"}, handwash.EINVALID},
		{"wrong type", edit(`"isEol": false`, `"isEol": "no"`), []string{"result[1] (macos).releases[0] (26)", `"isEol"`, "wrong type"}, handwash.EINVALID},
		{"releases not a list", func() []byte {
			return []byte(`{"schema_version":"1.0.0","generated_at":"2026-08-20T06:12:45Z","result":[{"name":"debian","releases":{"12":{}}}]}`)
		}, []string{"result[0] (debian)", `"releases" has the wrong type`}, handwash.EINVALID},
		{"oversize", func() []byte { return bytes.Repeat([]byte(" "), MaxEOLBytes+1) }, []string{"over the limit"}, handwash.ETOOLARGE},
	}
	// DecodeEOLAPI, reading as a stream, rejects the same with the same
	// words.
	parsers := []struct {
		name  string
		parse func([]byte) (*EOL, error)
	}{
		{"ParseEOLAPI", func(b []byte) (*EOL, error) { return ParseEOLAPI(bytes.NewReader(b)) }},
		{"DecodeEOLAPI", func(b []byte) (*EOL, error) { return DecodeEOLAPI(bytes.NewReader(b), nil) }},
	}
	for _, tt := range tests {
		for _, p := range parsers {
			t.Run(tt.name+"/"+p.name, func(t *testing.T) {
				_, err := p.parse(tt.input())
				if err == nil {
					t.Fatal("accepted")
				}
				if code := handwash.ErrorCode(err); code != tt.code {
					t.Errorf("code %s, want %s", code, tt.code)
				}
				msg := handwash.ErrorMessage(err)
				if !strings.HasPrefix(msg, "end-of-life data: ") {
					t.Errorf("message %q does not say it is about end-of-life data", msg)
				}
				for _, w := range tt.want {
					if !strings.Contains(msg, w) {
						t.Errorf("message %q lacks %q", msg, w)
					}
				}
			})
		}
	}
}

// DecodeEOLAPI gives ParseEOLAPI's model, read as a stream; asked for some
// products, it keeps those (by name or alias) and finds them as the whole
// data does.
func TestDecodeEOLAPI(t *testing.T) {
	all := eolProductsFS(t)
	from, err := ParseEOLProductFiles(all)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := from.WriteAPIv1(&buf); err != nil {
		t.Fatal(err)
	}
	doc := buf.Bytes()
	for _, in := range [][]byte{doc, []byte(apiDoc)} {
		want, err := ParseEOLAPI(bytes.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeEOLAPI(bytes.NewReader(in), nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(EOL{}, "byName")); diff != "" {
			t.Errorf("(-ParseEOLAPI +DecodeEOLAPI):\n%s", diff)
		}
	}

	whole, _ := ParseEOLAPI(bytes.NewReader(doc))
	names := []string{"windows", "mac", "firefox", "linux-kernel", "no-such-product"}
	keep := func(n string) bool { return slices.Contains(names, n) }
	some, err := DecodeEOLAPI(bytes.NewReader(doc), keep)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range some.Products {
		got = append(got, p.Name)
	}
	// macos by its alias mac, linux by its file name linux-kernel.
	if want := []string{"firefox", "linux", "macos", "windows"}; !slices.Equal(got, want) {
		t.Errorf("kept %v, want %v", got, want)
	}
	for _, n := range names {
		a, okA := whole.Product(n)
		b, okB := some.Product(n)
		if okA != okB || okA && !cmp.Equal(a, b) {
			t.Errorf("%s: found %v in the whole data, %v in the products kept, or found differently", n, okA, okB)
		}
	}
	if !some.GeneratedAt.Equal(whole.GeneratedAt) || some.SchemaVersion != whole.SchemaVersion {
		t.Errorf("kept: %v %q; whole: %v %q", some.GeneratedAt, some.SchemaVersion, whole.GeneratedAt, whole.SchemaVersion)
	}
	// Keeping none is an empty list, not an error; "total" still counts all.
	none, err := DecodeEOLAPI(bytes.NewReader(doc), func(string) bool { return false })
	if err != nil || none.Len() != 0 || none.Products == nil {
		t.Errorf("keeping none: %v, %v", none, err)
	}
	// A product left out is not checked; one kept is.
	bad := strings.Replace(apiDoc, `"isEol": false`, `"isEol": "no"`, 1) // macos 26
	if _, err := DecodeEOLAPI(strings.NewReader(bad), func(n string) bool { return n == "debian" }); err != nil {
		t.Errorf("a damaged product left out: %v", err)
	}
	if _, err := DecodeEOLAPI(strings.NewReader(bad), func(n string) bool { return n == "mac" }); err == nil || !strings.Contains(handwash.ErrorMessage(err), "result[1] (macos)") {
		t.Errorf("a damaged product kept: %v", err)
	}
}

// Where the stream and the whole document could differ: a field given
// twice, names in another case, data after the document, a stream over
// the size limit (never held whole).
func TestDecodeEOLAPIEdges(t *testing.T) {
	second := `{"schema_version":"1.0.0","generated_at":"2026-08-20T06:12:45Z","result":[{"name":"a","releases":[]}],` +
		`"RESULT":[{"name":"b","releases":[]},{"name":"c","releases":[]}],"Total":2}`
	for _, in := range []string{second, apiDoc + "\n\t "} {
		want, err := ParseEOLAPI(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeEOLAPI(strings.NewReader(in), nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(EOL{}, "byName")); diff != "" {
			t.Errorf("(-ParseEOLAPI +DecodeEOLAPI):\n%s", diff)
		}
	}
	for _, in := range []string{apiDoc + " {}", apiDoc + "x", `{"schema_version":"1.0.0","generated_at":"2026-08-20T06:12:45Z","result":[{"name":"a","releases":[]}],"result":null}`} {
		if _, err := ParseEOLAPI(strings.NewReader(in)); err == nil {
			t.Errorf("ParseEOLAPI accepted %q", in[max(0, len(in)-20):])
		}
		if _, err := DecodeEOLAPI(strings.NewReader(in), nil); err == nil {
			t.Errorf("DecodeEOLAPI accepted %q", in[max(0, len(in)-20):])
		}
	}
	r := &countingReader{r: io.MultiReader(strings.NewReader(`{"schema_version":"1.0.0","x":"`), endless('a'))}
	_, err := DecodeEOLAPI(r, nil)
	if handwash.ErrorCode(err) != handwash.ETOOLARGE || r.n > MaxEOLBytes+64<<10 {
		t.Errorf("endless input: read %d bytes, %v", r.n, err)
	}
}

// endless is a reader that never ends.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestParseEOLProductFilesRejects(t *testing.T) {
	const good = "---\ntitle: Debian\ncategory: os\npermalink: /debian\nreleases:\n  - releaseCycle: \"12\"\n    releaseDate: 2023-06-10\n    eol: 2026-07-11\n---\n\n> Debian is a free operating system.\n"
	tests := []struct {
		name string
		fsys fstest.MapFS
		want []string
		code string
	}{
		{"empty folder", fstest.MapFS{"README.txt": {Data: []byte("hi")}}, []string{"no product files"}, handwash.EINVALID},
		{"no front matter", fstest.MapFS{"debian.md": {Data: []byte("# Debian\n")}}, []string{"debian.md", "no YAML front matter"}, handwash.EINVALID},
		{"unclosed front matter", fstest.MapFS{"debian.md": {Data: []byte(strings.Replace(good, "---\n\n>", "\n>", 1))}}, []string{"debian.md", "no YAML front matter"}, handwash.EINVALID},
		{"bad YAML", fstest.MapFS{"debian.md": {Data: []byte("---\ntitle: [Debian\n---\n")}}, []string{"debian.md", "not valid YAML"}, handwash.EINVALID},
		{"missing title", fstest.MapFS{"debian.md": {Data: []byte(strings.Replace(good, "title: Debian\n", "", 1))}}, []string{"debian.md", `"title" is missing`}, handwash.EINVALID},
		{"missing releases", fstest.MapFS{"debian.md": {Data: []byte("---\ntitle: Debian\ncategory: os\npermalink: /debian\n---\n")}}, []string{`"releases" is missing`}, handwash.EINVALID},
		{"bad permalink", fstest.MapFS{"debian.md": {Data: []byte(strings.Replace(good, "/debian", "debian", 1))}}, []string{`"permalink"`, "start with /"}, handwash.EINVALID},
		{"missing releaseCycle", fstest.MapFS{"debian.md": {Data: []byte(strings.Replace(good, `releaseCycle: "12"`, `codename: Bookworm`, 1))}}, []string{"debian.md: releases[0]", `"releaseCycle" is missing`}, handwash.EINVALID},
		{"unquoted cycle", fstest.MapFS{"python.md": {Data: []byte(strings.NewReplacer("Debian", "Python", "/debian", "/python", `"12"`, `3.10`).Replace(good))}}, []string{"python.md: releases[0]", "quoted string", "3.1"}, handwash.EINVALID},
		{"capital cycle", fstest.MapFS{"debian.md": {Data: []byte(strings.Replace(good, `"12"`, `"Bookworm"`, 1))}}, []string{`"Bookworm"`, "a-z"}, handwash.EINVALID},
		{"bad eol", fstest.MapFS{"debian.md": {Data: []byte(strings.Replace(good, "eol: 2026-07-11", "eol: soon", 1))}}, []string{"releases[0] (12)", `"eol"`, "true or false", "soon"}, handwash.EINVALID},
		{"bad release date", fstest.MapFS{"debian.md": {Data: []byte(strings.Replace(good, "releaseDate: 2023-06-10", "releaseDate: June 2023", 1))}}, []string{"releases[0] (12)", `"releaseDate"`, "YYYY-MM-DD"}, handwash.EINVALID},
		{"same permalink twice", fstest.MapFS{"debian.md": {Data: []byte(good)}, "debian-linux.md": {Data: []byte(good)}}, []string{"debian-linux.md and debian.md", "/debian"}, handwash.EINVALID},
		{"oversize file", fstest.MapFS{"debian.md": {Data: []byte(good + strings.Repeat("x", MaxEOLProductFileBytes))}}, []string{"debian.md", "over the limit"}, handwash.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEOLProductFiles(tt.fsys)
			if err == nil {
				t.Fatal("accepted")
			}
			if code := handwash.ErrorCode(err); code != tt.code {
				t.Errorf("code %s, want %s", code, tt.code)
			}
			msg := handwash.ErrorMessage(err)
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
		})
	}
	// The good file itself is accepted, with its Markdown body ignored.
	e, err := ParseEOLProductFiles(fstest.MapFS{"debian.md": {Data: []byte(good)}})
	if err != nil {
		t.Fatal(err)
	}
	if r := release(t, e, "debian", "12"); r.EOL != on("2026-07-11") {
		t.Errorf("debian 12 eol %v", r.EOL)
	}
}

func FuzzParseEOLAPI(f *testing.F) {
	f.Add([]byte(apiDoc))
	f.Add([]byte(`{"schema_version":"1.0.0","generated_at":"2026-08-20T06:12:45Z","result":[{"name":"x","releases":[{"name":"1","latest":null}]}]}`))
	f.Add([]byte(`{"schema_version":"1.0.0","result":[null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEOLAPI(bytes.NewReader(data))
		if err != nil {
			if handwash.ErrorCode(err) == handwash.EINTERNAL {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		for _, p := range e.Products {
			if _, ok := e.Product(p.Name); !ok {
				t.Fatalf("product %q cannot be found", p.Name)
			}
		}
		var buf bytes.Buffer
		if err := e.WriteAPIv1(&buf); err != nil {
			t.Fatal(err)
		}
		if _, err := ParseEOLAPI(&buf); err != nil {
			t.Fatalf("written back, it does not read: %v", err)
		}
	})
}

// DecodeEOLAPI accepts exactly what ParseEOLAPI accepts, with the same
// model; keeping some products, it accepts at least that, and finds those
// products the same.
func FuzzDecodeEOLAPI(f *testing.F) {
	f.Add([]byte(apiDoc))
	f.Add([]byte(`{"schema_version":"1.0.0","generated_at":"2026-08-20T06:12:45Z","result":[{"name":"x","releases":[{"name":"1","latest":null}]}]}`))
	f.Add([]byte(`{"schema_version":"1.0.0","result":[null]}`))
	f.Add([]byte(`{"Schema_Version":"1.0.0","generated_at":"2026-08-20T06:12:45Z","result":[{"name":"debian","aliases":["x"],"releases":[]}],"Result":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := ParseEOLAPI(bytes.NewReader(data))
		got, gerr := DecodeEOLAPI(bytes.NewReader(data), nil)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("ParseEOLAPI: %v; DecodeEOLAPI: %v", werr, gerr)
		}
		if gerr != nil {
			if handwash.ErrorCode(gerr) == handwash.EINTERNAL {
				t.Fatalf("error without a code: %v", gerr)
			}
			return
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(EOL{}, "byName")); diff != "" {
			t.Fatalf("(-ParseEOLAPI +DecodeEOLAPI):\n%s", diff)
		}
		some, err := DecodeEOLAPI(bytes.NewReader(data), func(n string) bool { return n == "debian" || n == "x" })
		if err != nil {
			t.Fatalf("keeping some products: %v", err)
		}
		for _, n := range []string{"debian", "x"} {
			a, okA := want.Product(n)
			b, okB := some.Product(n)
			if okA != okB || okA && !cmp.Equal(a, b) {
				t.Fatalf("%s: found %v in the whole data, %v in the products kept, or found differently", n, okA, okB)
			}
		}
	})
}

func FuzzParseEOLProductFiles(f *testing.F) {
	f.Add([]byte("---\ntitle: Debian\ncategory: os\npermalink: /debian\nreleases:\n  - releaseCycle: \"12\"\n    releaseDate: 2023-06-10\n    eol: 2026-07-11\n    lts: 2024-01-01\n---\n"))
	f.Add([]byte("---\ntitle: x\ncategory: os\npermalink: /x\nreleaseLabel: \"__RELEASE_CYCLE__ (__CODENAME__)\"\nreleases:\n  - releaseCycle: \"1\"\n    eol: true\n    link: null\n---\n"))
	f.Add([]byte("---\nreleases: [&a {releaseCycle: *a}]\n---\n"))
	// go-yaml v1.19.2 panics on a bare tag where a list should be.
	f.Add([]byte("---\ntitle: 0\ncategory: 0\npermalink: /aaaaa\nreleases:\n  !\n---"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := ParseEOLProductFiles(fstest.MapFS{"x.md": {Data: data}})
		if err != nil {
			if handwash.ErrorCode(err) == handwash.EINTERNAL {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := e.WriteAPIv1(&buf); err != nil {
			t.Fatal(err)
		}
		if _, err := ParseEOLAPI(&buf); err != nil {
			t.Fatalf("written as API v1, it does not read back: %v", err)
		}
	})
}
