package vuln

import (
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sameAsUnmarshal fails t unless the fast path decodes data, to what
// json.Unmarshal gives.
func sameAsUnmarshal(t *testing.T, name string, data []byte) {
	t.Helper()
	got, ok := decodeAdvisory(data)
	if !ok {
		t.Fatalf("%s: the fast path gave up on %s", name, clip(string(data)))
	}
	var want Advisory
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: (-json.Unmarshal +fast path)\n%s", name, cmp.Diff(want, got))
	}
}

// eachRecord calls f with every record of an export.
func eachRecord(t *testing.T, export []byte, f func(name string, data []byte)) {
	t.Helper()
	zr, err := openZip(strings.NewReader(string(export)), int64(len(export)))
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range recordFiles(zr) {
		rc, err := file.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		f(file.Name, data)
	}
}

// The fast path decodes every record of the small exports the tests use
// exactly as json.Unmarshal does (TestDecodeAdvisoryDebianSet, beside the
// benchmarks, does the same for the 50,000-record set).
func TestDecodeAdvisoryExports(t *testing.T) {
	eachRecord(t, trickyExport(t), func(name string, data []byte) { sameAsUnmarshal(t, name, data) })
}

// A record written by hand: fields of every kind, escapes and nulls where
// they are skipped or allowed, and unknown nested fields.
const handRecord = `{"schema_version":"1.6.0","id":"DSA-5678-1","modified":"2025-01-02T03:04:05.5+01:00",
	"withdrawn":"2025-02-01T00:00:00Z","aliases":["CVE-2025-1"],"upstream":[],
	"summary":"a \"quoted\" \u00e9 summary\n\/","database_specific":{"x":[1,-0.5e+3,true,false,null,{"y":{}},[]],"id":"not this"},
	"affected":[{"package":{"ecosystem":"Debian:12","name":"curl","purl":null},"ranges":[{"type":"ECOSYSTEM",
	"events":[{"introduced":"0"},{"fixed":"7.88.1-10+deb12u8"},{"last_affected":null},{"limit":"9"}],"database_specific":{}}],
	"versions":null,"ecosystem_specific":{"urgency":"high"}},{"package":null,"ranges":null,"versions":["1"]},{}],
	"credits":[{"name":"Zoë"}],"severity":[]}
`

func TestDecodeAdvisoryHandWritten(t *testing.T) {
	sameAsUnmarshal(t, "by hand", []byte(handRecord))
	for _, s := range []string{
		`{}`,
		` {"id":null,"modified":null,"withdrawn":null,"aliases":null,"affected":null} `,
		`{"affected":[]}`,
	} {
		sameAsUnmarshal(t, s, []byte(s))
	}
}

// Whatever the fast path is not sure to decode as json.Unmarshal does, it
// leaves to json.Unmarshal.
func TestDecodeAdvisoryGivesUp(t *testing.T) {
	for _, s := range []string{
		``,
		`null`,
		`[]`,
		`{"id":"A-1"`,
		`{"id":"A-1"}{}`,
		`{"id":"A-1"} x`,
		`{"ID":"A-1"}`,             // a field only case-insensitively
		`{"Affected":[]}`,          // likewise
		`{"aliaſes":["CVE-1"]}`,    // ſ folds to s
		`{"id":"A-1","id":"A-2"}`,  // a field twice
		`{"id":"A\u002d1"}`,        // an escape in a kept string
		`{"\u0069d":"A-1"}`,        // an escape in a key
		`{"id":1}`,                 // the wrong type
		`{"aliases":"CVE-1"}`,      // likewise
		`{"affected":{}}`,          // likewise
		`{"aliases":[null]}`,       // null in a list
		`{"modified":"yesterday"}`, // time.Time's error
		"{\"id\":\"A-\xff\"}",      // invalid UTF-8
		`{"x":"a` + "\x01" + `b"}`, // a control character
		`{"x":"\q"}`,               // a bad escape in a skipped string
		`{"x":01}`,                 // a bad number
		`{"x":1.}`,                 // likewise
		`{"x":tru}`,                // a bad literal
		`{"x":[1,]}`,               // a trailing comma
		`{"x":` + strings.Repeat("[", maxSkipDepth+1) + strings.Repeat("]", maxSkipDepth+1) + `}`,
	} {
		if a, ok := decodeAdvisory([]byte(s)); ok {
			t.Errorf("%s: the fast path decoded %+v", s, a)
		}
	}
}

func FuzzDecodeAdvisory(f *testing.F) {
	for _, s := range []string{
		handRecord,
		`{"id":"DSA-5678-1","modified":"2025-01-02T03:04:05Z","affected":[{"package":{"ecosystem":"Debian:12","name":"curl"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"7.88.1-10+deb12u8"}]}],"versions":["1"]}]}`,
		`{"id":"A-1","modified":"2025-01-02T03:04:05Z","withdrawn":"2025-01-03T00:00:00Z","details":"x\u0041\n","references":[{"type":"WEB","url":"https://x/?a=1\u0026b"}]}`,
		`{"id":null,"aliases":null,"affected":[{"package":null,"ranges":[{"type":null,"events":[]}]}]}`,
		`{"ID":"A-1","Affected":[{"Package":{"Name":"x"}}]}`,
		`{"id":"A-1","id":"A-2","affected":[{"package":{"name":"x","name":"y"}}]}`,
		`{"id":"A\"1"}`,
		`{"x":{"y":[{"z":[-1.5E-7,0,true]}]}}` + "\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := decodeAdvisory(data)
		if !ok {
			return
		}
		var want Advisory
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("the fast path decoded what json.Unmarshal rejects (%v): %+v", err, got)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("(-json.Unmarshal +fast path)\n%s", cmp.Diff(want, got))
		}
	})
}
