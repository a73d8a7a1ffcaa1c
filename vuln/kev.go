package vuln

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// KEV is CISA's catalogue of Known Exploited Vulnerabilities
// (https://www.cisa.gov/known-exploited-vulnerabilities-catalog): the
// vulnerabilities attackers are using now, which US federal agencies must
// fix by a due date. A care provider should treat them the same way.
type KEV struct {
	Title string `json:"title,omitempty"`
	// CatalogVersion is the catalogue's own version, such as "2025.08.25".
	CatalogVersion string `json:"catalogVersion"`
	// DateReleased is when CISA published this version.
	DateReleased    time.Time  `json:"dateReleased"`
	Count           int        `json:"count"`
	Vulnerabilities []KEVEntry `json:"vulnerabilities"`

	byCVE map[string]int
}

// KEVEntry is one exploited vulnerability in the catalogue.
type KEVEntry struct {
	CVEID             string `json:"cveID"`
	VendorProject     string `json:"vendorProject"`
	Product           string `json:"product"`
	VulnerabilityName string `json:"vulnerabilityName"`
	// DateAdded is the day CISA added it (midnight UTC).
	DateAdded        time.Time `json:"dateAdded"`
	ShortDescription string    `json:"shortDescription"`
	RequiredAction   string    `json:"requiredAction"`
	// DueDate is the day US federal agencies must have acted by (midnight UTC).
	DueDate time.Time `json:"dueDate"`
	// KnownRansomwareCampaignUse is "Known" when ransomware gangs are known
	// to use it, "Unknown" otherwise.
	KnownRansomwareCampaignUse string   `json:"knownRansomwareCampaignUse,omitempty"`
	Notes                      string   `json:"notes,omitempty"`
	CWEs                       []string `json:"cwes,omitempty"`
}

// UsedByRansomware reports whether CISA knows of ransomware campaigns that
// use the vulnerability.
func (e *KEVEntry) UsedByRansomware() bool {
	return strings.EqualFold(e.KnownRansomwareCampaignUse, "Known")
}

// MaxKEVBytes bounds a KEV catalogue. The real one is about 1.3 MB for
// 1,400 entries (August 2025) and grows by a few hundred entries a year.
const MaxKEVBytes = 32 << 20

// The catalogue schema's patterns
// (known_exploited_vulnerabilities_schema.json in cisagov/kev-data).
var (
	cvePattern = regexp.MustCompile(`^CVE-[0-9]{4}-[0-9]{4,19}$`)
	cwePattern = regexp.MustCompile(`^CWE-[0-9]+$`)
)

// ParseKEV reads a KEV catalogue in CISA's JSON format and checks it
// against what the catalogue's JSON schema requires: the required fields,
// their types, the CVE and CWE ID patterns and the date formats. It also
// checks that "count" matches the entries, which catches a catalogue cut
// short. Errors are EINVALID (ETOOLARGE over MaxKEVBytes) and name the
// entry by index and CVE, and the field.
func ParseKEV(r io.Reader) (*KEV, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxKEVBytes+1))
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "KEV catalogue: cannot be read: %v", err)
	}
	if len(data) > MaxKEVBytes {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "KEV catalogue: is over the limit of %d MiB: this is not CISA's catalogue (about 1.3 MB in 2025)", MaxKEVBytes>>20)
	}
	invalid := func(format string, args ...any) error {
		return handwash.Errorf(handwash.EINVALID, "KEV catalogue: "+format, args...)
	}
	var top map[string]json.RawMessage
	if err := strictDecode(data, &top); err != nil {
		return nil, invalid("%s", jsonProblem(data, err))
	}
	if top == nil {
		return nil, invalid("is JSON null, not a catalogue object")
	}
	k := &KEV{}
	for _, f := range []string{"catalogVersion", "dateReleased", "count", "vulnerabilities"} {
		if _, ok := top[f]; !ok {
			return nil, invalid("field %q is missing: is this CISA's known_exploited_vulnerabilities.json?", f)
		}
	}
	if raw, ok := top["title"]; ok {
		if err := json.Unmarshal(raw, &k.Title); err != nil {
			return nil, invalid("field \"title\" %s", typeProblem(err, "a string"))
		}
	}
	if err := json.Unmarshal(top["catalogVersion"], &k.CatalogVersion); err != nil {
		return nil, invalid("field \"catalogVersion\" %s", typeProblem(err, "a string"))
	}
	if strings.TrimSpace(k.CatalogVersion) == "" {
		return nil, invalid("field \"catalogVersion\" is empty")
	}
	var released string
	if err := json.Unmarshal(top["dateReleased"], &released); err != nil {
		return nil, invalid("field \"dateReleased\" %s", typeProblem(err, "a string"))
	}
	if k.DateReleased, err = time.Parse(time.RFC3339, released); err != nil {
		return nil, invalid("field \"dateReleased\" %q is not a date-time such as 2025-08-25T17:04:19.9796Z", clip(released))
	}
	if err := json.Unmarshal(top["count"], &k.Count); err != nil || k.Count < 0 {
		return nil, invalid("field \"count\" must be a whole number of entries, not %s", clip(string(top["count"])))
	}
	var entries []json.RawMessage
	if err := json.Unmarshal(top["vulnerabilities"], &entries); err != nil || entries == nil {
		return nil, invalid("field \"vulnerabilities\" must be an array of entries")
	}
	k.Vulnerabilities = make([]KEVEntry, len(entries))
	k.byCVE = make(map[string]int, len(entries))
	for i, raw := range entries {
		if err := parseKEVEntry(raw, &k.Vulnerabilities[i]); err != nil {
			return nil, invalid("vulnerabilities[%d]%s", i, err.Error())
		}
		// The catalogue lists each CVE once; should it ever repeat one,
		// the first (newest) entry is the one looked up.
		if _, dup := k.byCVE[k.Vulnerabilities[i].CVEID]; !dup {
			k.byCVE[k.Vulnerabilities[i].CVEID] = i
		}
	}
	if k.Count != len(entries) {
		return nil, invalid("field \"count\" says %d entries but the catalogue has %d: the file is incomplete or altered; download it again", k.Count, len(entries))
	}
	return k, nil
}

// kevEntryJSON is an entry as CISA writes it; pointers tell a missing field
// from an empty one.
type kevEntryJSON struct {
	CVEID                      *string  `json:"cveID"`
	VendorProject              *string  `json:"vendorProject"`
	Product                    *string  `json:"product"`
	VulnerabilityName          *string  `json:"vulnerabilityName"`
	DateAdded                  *string  `json:"dateAdded"`
	ShortDescription           *string  `json:"shortDescription"`
	RequiredAction             *string  `json:"requiredAction"`
	DueDate                    *string  `json:"dueDate"`
	KnownRansomwareCampaignUse *string  `json:"knownRansomwareCampaignUse"`
	Notes                      *string  `json:"notes"`
	CWEs                       []string `json:"cwes"`
}

// parseKEVEntry checks one entry. Its error starts where the entry's index
// ends: " (CVE-2017-0144): field ...".
func parseKEVEntry(raw json.RawMessage, e *KEVEntry) error {
	var j kevEntryJSON
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return errors.New(" is null, not an entry")
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		// Name the CVE if it can be read at all.
		var id struct {
			CVEID string `json:"cveID"`
		}
		_ = json.Unmarshal(raw, &id)
		where := ""
		if id.CVEID != "" {
			where = " (" + clip(id.CVEID) + ")"
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			want := "a string"
			if te.Field == "cwes" {
				want = "an array of strings such as [\"CWE-20\"]"
			}
			return fmt.Errorf("%s: field %q must be %s, not %s", where, te.Field, want, te.Value)
		}
		return fmt.Errorf("%s must be an object with the entry's fields, not %s", where, jsonKind(raw))
	}
	if j.CVEID == nil {
		return errors.New(": field \"cveID\" is missing")
	}
	id := *j.CVEID
	if !cvePattern.MatchString(id) {
		return fmt.Errorf(": field \"cveID\" %q is not a CVE ID such as CVE-2017-0144", clip(id))
	}
	where := " (" + id + ")"
	required := []struct {
		name string
		v    *string
		to   *string
	}{
		{"vendorProject", j.VendorProject, &e.VendorProject},
		{"product", j.Product, &e.Product},
		{"vulnerabilityName", j.VulnerabilityName, &e.VulnerabilityName},
		{"shortDescription", j.ShortDescription, &e.ShortDescription},
		{"requiredAction", j.RequiredAction, &e.RequiredAction},
	}
	for _, f := range required {
		if f.v == nil {
			return fmt.Errorf("%s: field %q is missing", where, f.name)
		}
		*f.to = *f.v
	}
	dates := []struct {
		name string
		v    *string
		to   *time.Time
	}{
		{"dateAdded", j.DateAdded, &e.DateAdded},
		{"dueDate", j.DueDate, &e.DueDate},
	}
	for _, f := range dates {
		if f.v == nil {
			return fmt.Errorf("%s: field %q is missing", where, f.name)
		}
		t, err := time.Parse(time.DateOnly, *f.v)
		if err != nil {
			return fmt.Errorf("%s: field %q %q is not a date in the form YYYY-MM-DD", where, f.name, clip(*f.v))
		}
		*f.to = t
	}
	for n, cwe := range j.CWEs {
		if !cwePattern.MatchString(cwe) {
			return fmt.Errorf("%s: field \"cwes\"[%d] %q is not a CWE ID such as CWE-20", where, n, clip(cwe))
		}
	}
	e.CVEID = id
	if j.KnownRansomwareCampaignUse != nil {
		e.KnownRansomwareCampaignUse = *j.KnownRansomwareCampaignUse
	}
	if j.Notes != nil {
		e.Notes = *j.Notes
	}
	e.CWEs = j.CWEs
	return nil
}

// Lookup finds a CVE in the catalogue. The ID is matched without regard to
// case or surrounding spaces.
func (k *KEV) Lookup(cve string) (*KEVEntry, bool) {
	if k == nil {
		return nil, false
	}
	cve = strings.ToUpper(strings.TrimSpace(cve))
	if k.byCVE == nil {
		// A KEV built some other way than ParseKEV: index it now.
		k.byCVE = make(map[string]int, len(k.Vulnerabilities))
		for i := range k.Vulnerabilities {
			if _, dup := k.byCVE[k.Vulnerabilities[i].CVEID]; !dup {
				k.byCVE[k.Vulnerabilities[i].CVEID] = i
			}
		}
	}
	i, ok := k.byCVE[cve]
	if !ok {
		return nil, false
	}
	return &k.Vulnerabilities[i], true
}

// Len is the number of entries.
func (k *KEV) Len() int {
	if k == nil {
		return 0
	}
	return len(k.Vulnerabilities)
}

// strictDecode decodes one JSON value and refuses anything after it.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errTrailing
	}
	return nil
}

var errTrailing = errors.New("more data follows the JSON value")

// jsonProblem explains a JSON decoding error in words, with the line where
// the file went wrong.
func jsonProblem(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || (errors.As(err, &se) && se.Offset >= int64(len(data))):
		if len(bytes.TrimSpace(data)) == 0 {
			return "the file is empty"
		}
		return "the JSON ends too soon: the file is truncated (an interrupted download?); get it again"
	case bytes.HasPrefix(bytes.TrimSpace(data), []byte("<")):
		return "is a web page or XML, not JSON: a proxy or sign-in page may have answered instead of the real source"
	case errors.As(err, &se):
		return fmt.Sprintf("is not valid JSON at line %d: %v", lineAt(data, se.Offset), se)
	case errors.As(err, &te):
		return fmt.Sprintf("must be a JSON object, not %s", te.Value)
	case errors.Is(err, errTrailing):
		return "has more data after the closing brace: give one JSON document"
	}
	return "is not valid JSON: " + err.Error()
}

// typeProblem words a type error on a known field.
func typeProblem(err error, want string) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("must be %s, not %s", want, te.Value)
	}
	return fmt.Sprintf("must be %s", want)
}

func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// jsonKind names the JSON type of a raw value for messages.
func jsonKind(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// KEVIDs is the set of CVE IDs a KEV catalogue lists: all that marking
// matches as known exploited needs (MarkKnownExploited), in a small
// fraction of the memory of the whole catalogue.
type KEVIDs struct {
	ids []string // sorted, unique
}

// Contains reports whether the catalogue lists the CVE. The ID is matched
// without regard to case or surrounding spaces, as KEV.Lookup does.
func (s *KEVIDs) Contains(cve string) bool {
	if s == nil {
		return false
	}
	_, ok := slices.BinarySearch(s.ids, strings.ToUpper(strings.TrimSpace(cve)))
	return ok
}

// Len is the number of different CVEs listed.
func (s *KEVIDs) Len() int {
	if s == nil {
		return 0
	}
	return len(s.ids)
}

// DecodeKEVIDs reads a KEV catalogue as a stream, one entry at a time, and
// keeps only its CVE IDs: the whole file and its descriptions are never in
// memory at once. It is for catalogues ParseKEV has already accepted (the
// feeds cache's, bound to their SHA-256): it checks that the document is
// one JSON object with the catalogue's required fields, that every entry
// has a CVE ID of the right form and that "count" matches the entries, not
// every field of every entry. Errors are EINVALID (ETOOLARGE over
// MaxKEVBytes).
func DecodeKEVIDs(r io.Reader) (*KEVIDs, error) {
	invalid := func(format string, args ...any) error {
		return handwash.Errorf(handwash.EINVALID, "KEV catalogue: "+format, args...)
	}
	lr := &limitedReader{r: r, left: MaxKEVBytes}
	dec := json.NewDecoder(lr)
	syntax := func(err error) error {
		if lr.over {
			return handwash.Errorf(handwash.ETOOLARGE, "KEV catalogue: is over the limit of %d MiB: this is not CISA's catalogue (about 1.3 MB in 2025)", MaxKEVBytes>>20)
		}
		return invalid("%s", streamProblem(dec, err))
	}
	if tok, err := dec.Token(); err != nil {
		return nil, syntax(err)
	} else if tok != json.Delim('{') {
		return nil, invalid("must be a JSON object, not %s", tokenKind(tok))
	}
	// A field given twice counts as its last value, as in ParseKEV.
	var ids []string
	count, seen := 0, map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		key, _ := tok.(string)
		seen[key] = true
		switch key {
		case "count":
			if err := dec.Decode(&count); err != nil || count < 0 {
				if err != nil && !isTypeError(err) {
					return nil, syntax(err)
				}
				return nil, invalid("field \"count\" must be a whole number of entries")
			}
		case "vulnerabilities":
			if tok, err := dec.Token(); err != nil {
				return nil, syntax(err)
			} else if tok != json.Delim('[') {
				return nil, invalid("field \"vulnerabilities\" must be an array of entries")
			}
			ids = make([]string, 0, 2048)
			for i := 0; dec.More(); i++ {
				var e struct {
					CVEID *string `json:"cveID"`
				}
				if err := dec.Decode(&e); err != nil {
					var te *json.UnmarshalTypeError
					switch {
					case errors.As(err, &te) && te.Field != "":
						return nil, invalid("vulnerabilities[%d]: field %q must be a string, not %s", i, te.Field, te.Value)
					case errors.As(err, &te):
						return nil, invalid("vulnerabilities[%d] must be an object with the entry's fields, not %s", i, te.Value)
					}
					return nil, syntax(err)
				}
				switch {
				case e.CVEID == nil:
					return nil, invalid("vulnerabilities[%d]: field \"cveID\" is missing", i)
				case !cvePattern.MatchString(*e.CVEID):
					return nil, invalid("vulnerabilities[%d]: field \"cveID\" %q is not a CVE ID such as CVE-2017-0144", i, clip(*e.CVEID))
				}
				ids = append(ids, *e.CVEID)
			}
			if _, err := dec.Token(); err != nil {
				return nil, syntax(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, syntax(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntax(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if lr.over {
			return nil, syntax(err)
		}
		return nil, invalid("has more data after the closing brace: give one JSON document")
	}
	for _, f := range []string{"catalogVersion", "dateReleased", "count", "vulnerabilities"} {
		if !seen[f] {
			return nil, invalid("field %q is missing: is this CISA's known_exploited_vulnerabilities.json?", f)
		}
	}
	if ids == nil {
		return nil, invalid("field \"vulnerabilities\" must be an array of entries")
	}
	if count != len(ids) {
		return nil, invalid("field \"count\" says %d entries but the catalogue has %d: the file is incomplete or altered; download it again", count, len(ids))
	}
	slices.Sort(ids)
	return &KEVIDs{ids: slices.Clip(slices.Compact(ids))}, nil
}

// streamProblem explains in words a JSON error met while decoding a
// stream, as jsonProblem does for a whole document, with the byte where
// the stream went wrong.
func streamProblem(dec *json.Decoder, err error) string {
	switch {
	case (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)) && dec.InputOffset() == 0:
		return "the file is empty"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too soon: the file is truncated (an interrupted download?); get it again"
	}
	return fmt.Sprintf("is not valid JSON near byte %d: %v", dec.InputOffset(), err)
}

// isTypeError reports whether a decoding error is a JSON value of the
// wrong type, rather than malformed JSON.
func isTypeError(err error) bool {
	var te *json.UnmarshalTypeError
	return errors.As(err, &te)
}

// limitedReader reads at most left bytes from r, then fails, noting that
// the input was over the limit.
type limitedReader struct {
	r    io.Reader
	left int64
	over bool
}

var errOverLimit = errors.New("over the size limit")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Is there more?
		var one [1]byte
		if n, _ := io.ReadFull(l.r, one[:]); n > 0 {
			l.over = true
			return 0, errOverLimit
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
