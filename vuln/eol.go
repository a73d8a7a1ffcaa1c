package vuln

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/handwash/handwash"
)

// EOL is end-of-life data from endoflife.date (MIT licence): for each
// product (operating systems, browsers, office suites, languages), its
// release cycles and when each stops getting updates. It comes from the
// site's API v1 (ParseEOLAPI) or from a clone of its repository's product
// files (ParseEOLProductFiles); both give the same model.
type EOL struct {
	// Source says where the data came from: "endoflife.date API v1" or
	// "endoflife.date product files".
	Source string `json:"source"`
	// SchemaVersion is the API's schema_version ("1.0.0"); empty for
	// product files.
	SchemaVersion string `json:"schema_version,omitempty"`
	// GeneratedAt is when the API built the data. For product files, which
	// carry no such time, it is the newest release or latest-version date
	// they mention that is not in the future (the data is at least that
	// fresh).
	GeneratedAt time.Time    `json:"generated_at"`
	Products    []EOLProduct `json:"products"`

	byName map[string]int
}

// EOLProduct is one product and its release cycles.
type EOLProduct struct {
	// Name is endoflife.date's ID for the product, as in its URL: windows,
	// debian, ubuntu, macos, chrome, firefox, office, python.
	Name string `json:"name"`
	// Label is the product's title: "Microsoft Windows".
	Label string `json:"label"`
	// Category is os, app, lang, db, server-app, framework, ...
	Category string `json:"category,omitempty"`
	// Aliases are other names the site knows it by ("google-chrome").
	Aliases []string `json:"aliases,omitempty"`
	// Releases are its release cycles in endoflife.date's order, newest
	// first.
	Releases []EOLRelease `json:"releases"`
}

// EOLRelease is one release cycle of a product, such as Debian 12 or
// Windows 11 24H2 for Enterprise.
type EOLRelease struct {
	// Name is the release cycle: "12", "22.04", "11-24h2-e", "2021".
	Name string `json:"name"`
	// Label is the cycle's human name, "11 24H2 (E)" or "12 (Bookworm)",
	// rendered from the product's label template; the cycle's name when
	// there is no template or it needs more than the plain placeholders.
	Label    string `json:"label"`
	Codename string `json:"codename,omitempty"`
	// ReleaseDate is when the first release of the cycle came out (zero if
	// not given).
	ReleaseDate time.Time `json:"release_date,omitzero"`
	// LTS is true for a long-term-support cycle (Ubuntu LTS, Firefox ESR,
	// Windows LTSC); LTSFrom is when it became (or becomes) one, if given.
	LTS     bool      `json:"lts,omitempty"`
	LTSFrom time.Time `json:"lts_from,omitzero"`
	// ActiveSupport is the end of active support: bug fixes and new
	// features ("eoas").
	ActiveSupport EOLDate `json:"active_support"`
	// EOL is the end of security support ("eol"): after it the vendor
	// publishes no more security updates for the cycle.
	EOL EOLDate `json:"eol"`
	// Extended is the end of extended security support, where there is
	// some ("eoes"): Windows 10 ESU, Ubuntu Pro ESM, Debian LTS.
	Extended EOLDate `json:"extended"`
	// Discontinued is when a device stopped being made.
	Discontinued EOLDate `json:"discontinued"`
	// Latest is the newest version in the cycle ("12.15", "10.0.26100"),
	// LatestDate when it came out and Link its release notes.
	Latest     string    `json:"latest,omitempty"`
	LatestDate time.Time `json:"latest_date,omitzero"`
	Link       string    `json:"link,omitempty"`
}

// EOLDate is an end of support as endoflife.date gives it: a date, or a
// boolean when no date is known (true: it has ended; false: it has not, or
// no end is decided).
type EOLDate struct {
	// Given is false when the source says nothing about this end.
	Given bool `json:"given"`
	// Date is the day support ends (midnight UTC), when known.
	Date time.Time `json:"date,omitzero"`
	// Ended is the boolean form, used when there is no date.
	Ended bool `json:"ended,omitempty"`
}

// Passed reports whether the end has come by now. As endoflife.date counts
// it, support continues through the end date itself and is over from the
// next day (UTC).
func (d EOLDate) Passed(now time.Time) bool {
	if !d.Given {
		return false
	}
	if !d.Date.IsZero() {
		return !now.Before(d.Date.AddDate(0, 0, 1))
	}
	return d.Ended
}

// String is the date (2026-07-11), "ended", "not ended" or "" (not given).
func (d EOLDate) String() string {
	switch {
	case !d.Given:
		return ""
	case !d.Date.IsZero():
		return d.Date.Format(time.DateOnly)
	case d.Ended:
		return "ended"
	}
	return "not ended"
}

// Product finds a product by its name or one of its aliases.
func (e *EOL) Product(name string) (*EOLProduct, bool) {
	if e == nil {
		return nil, false
	}
	if e.byName == nil {
		e.index()
	}
	i, ok := e.byName[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		return nil, false
	}
	return &e.Products[i], true
}

func (e *EOL) index() {
	e.byName = make(map[string]int, len(e.Products)*2)
	for i, p := range e.Products {
		if _, dup := e.byName[p.Name]; !dup {
			e.byName[p.Name] = i
		}
	}
	for i, p := range e.Products {
		for _, a := range p.Aliases {
			if _, dup := e.byName[a]; !dup {
				e.byName[a] = i
			}
		}
	}
}

// Release finds a release cycle by name.
func (p *EOLProduct) Release(name string) (*EOLRelease, bool) {
	for i := range p.Releases {
		if p.Releases[i].Name == name {
			return &p.Releases[i], true
		}
	}
	return nil, false
}

// Limits on end-of-life data.
const (
	// MaxEOLBytes bounds the API's products/full document (about 3 MB in
	// 2025 for 450 products).
	MaxEOLBytes = 64 << 20
	// MaxEOLProductFileBytes bounds one product file, and
	// MaxEOLProductFiles their number (464 in 2026).
	MaxEOLProductFileBytes = 1 << 20
	MaxEOLProductFiles     = 5000
)

// EOLAPIv1 is the schema version of endoflife.date's API that
// ParseEOLAPI reads and WriteAPIv1 writes.
const EOLAPIv1 = "1.0.0"

// What a product name (its permalink) and a release cycle (the product
// schema's releaseCycle pattern) may look like.
var (
	productNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._+-]*$`)
	cyclePattern       = regexp.MustCompile(`^[a-z0-9.\-+_]+$`)
)

// eolAPI is endoflife.date's API v1 envelope (generate-api-v1.rb in the
// endoflife.date repository). Pointers tell a missing field from null.
type eolAPI struct {
	SchemaVersion *string           `json:"schema_version"`
	GeneratedAt   *string           `json:"generated_at"`
	Total         *int              `json:"total"`
	Result        []json.RawMessage `json:"result"`
}

type eolAPIProduct struct {
	Name     *string           `json:"name"`
	Aliases  []string          `json:"aliases"`
	Label    *string           `json:"label"`
	Category *string           `json:"category"`
	Releases []json.RawMessage `json:"releases"`
}

type eolAPIRelease struct {
	Name             *string       `json:"name"`
	Codename         *string       `json:"codename"`
	Label            *string       `json:"label"`
	ReleaseDate      *string       `json:"releaseDate"`
	IsLts            *bool         `json:"isLts"`
	LtsFrom          *string       `json:"ltsFrom"`
	IsEoas           *bool         `json:"isEoas"`
	EoasFrom         *string       `json:"eoasFrom"`
	IsEol            *bool         `json:"isEol"`
	EolFrom          *string       `json:"eolFrom"`
	IsEoes           *bool         `json:"isEoes"`
	EoesFrom         *string       `json:"eoesFrom"`
	IsDiscontinued   *bool         `json:"isDiscontinued"`
	DiscontinuedFrom *string       `json:"discontinuedFrom"`
	IsMaintained     *bool         `json:"isMaintained"`
	Latest           *eolAPILatest `json:"latest"`
}

type eolAPILatest struct {
	Name *string `json:"name"`
	Date *string `json:"date"`
	Link *string `json:"link"`
}

// ParseEOLAPI reads endoflife.date's API v1 document of every product
// with its releases (https://endoflife.date/api/v1/products/full). It
// checks the envelope (schema_version 1.x, generated_at, result), each
// product's name and each release's name, dates and booleans; errors are
// EINVALID (ETOOLARGE over MaxEOLBytes) and name the product, the release
// and the field.
func ParseEOLAPI(r io.Reader) (*EOL, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxEOLBytes+1))
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "end-of-life data: cannot be read: %v", err)
	}
	if len(data) > MaxEOLBytes {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "end-of-life data: is over the limit of %d MiB: this is not endoflife.date's products/full document", MaxEOLBytes>>20)
	}
	invalid := func(format string, args ...any) error {
		return handwash.Errorf(handwash.EINVALID, "end-of-life data: "+format, args...)
	}
	var doc eolAPI
	if err := strictDecode(data, &doc); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, invalid("field %q has the wrong type (%s): is this endoflife.date's API v1 (https://endoflife.date/api/v1/products/full)?", te.Field, te.Value)
		}
		return nil, invalid("%s", jsonProblem(data, err))
	}
	switch {
	case doc.SchemaVersion == nil:
		return nil, invalid("field \"schema_version\" is missing: is this endoflife.date's API v1 (https://endoflife.date/api/v1/products/full)?")
	case !strings.HasPrefix(*doc.SchemaVersion, "1."):
		return nil, invalid("schema_version %q is not 1.x: Handwash reads endoflife.date's API v1", clip(*doc.SchemaVersion))
	case doc.GeneratedAt == nil:
		return nil, invalid("field \"generated_at\" is missing")
	case doc.Result == nil:
		return nil, invalid("field \"result\" is missing: give the list of every product with its releases (api/v1/products/full)")
	case len(doc.Result) == 0:
		return nil, invalid("field \"result\" lists no products")
	}
	gen, err := time.Parse(time.RFC3339, *doc.GeneratedAt)
	if err != nil {
		return nil, invalid("field \"generated_at\" %q is not a date-time such as 2025-08-25T06:12:00+00:00", clip(*doc.GeneratedAt))
	}
	if doc.Total != nil && *doc.Total != len(doc.Result) {
		return nil, invalid("field \"total\" says %d products but \"result\" has %d: the file is incomplete or altered; download it again", *doc.Total, len(doc.Result))
	}
	e := &EOL{Source: "endoflife.date API v1", SchemaVersion: *doc.SchemaVersion, GeneratedAt: gen.UTC(), Products: make([]EOLProduct, len(doc.Result))}
	for i, raw := range doc.Result {
		if err := parseAPIProduct(raw, &e.Products[i]); err != nil {
			return nil, invalid("result[%d]%s", i, err.Error())
		}
	}
	e.index()
	return e, nil
}

// DecodeEOLAPI reads the same document as ParseEOLAPI, and gives the same
// model, as a stream: it holds one product's JSON at a time, never the
// whole document. keep, when not nil, chooses the products to keep by
// name: a product is kept when keep accepts its name or one of its
// aliases, so that Product finds the same product for every name keep
// accepts as it would in the whole data. It makes ParseEOLAPI's checks of
// the envelope and of every product it keeps, and accepts what ParseEOLAPI
// accepts; a product it leaves out is not checked beyond its name.
// Malformed JSON is reported by byte offset rather than line. The feeds
// cache reads its stored copy, which ParseEOLAPI accepted when it was
// stored, with it.
func DecodeEOLAPI(r io.Reader, keep func(name string) bool) (*EOL, error) {
	invalid := func(format string, args ...any) error {
		return handwash.Errorf(handwash.EINVALID, "end-of-life data: "+format, args...)
	}
	lr := &limitedReader{r: r, left: MaxEOLBytes}
	dec := json.NewDecoder(lr)
	syntax := func(err error) error {
		if lr.over {
			return handwash.Errorf(handwash.ETOOLARGE, "end-of-life data: is over the limit of %d MiB: this is not endoflife.date's products/full document", MaxEOLBytes>>20)
		}
		return invalid("%s", streamProblem(dec, err))
	}
	if tok, err := dec.Token(); err != nil {
		return nil, syntax(err)
	} else if tok != json.Delim('{') {
		return nil, invalid("must be a JSON object, not %s", tokenKind(tok))
	}
	// The envelope's other fields are gathered into a small object and
	// decoded as ParseEOLAPI decodes them (field names matched without
	// regard to case, the last of a repeated field winning).
	envelope := []byte{'{'}
	var (
		products   []EOLProduct
		total      int  // products in "result", kept or not
		hasResult  bool // "result" was given and not null
		productErr error
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		key, _ := tok.(string)
		if !strings.EqualFold(key, "result") {
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, syntax(err)
			}
			k, _ := json.Marshal(key)
			if len(envelope) > 1 {
				envelope = append(envelope, ',')
			}
			envelope = append(append(append(envelope, k...), ':'), v...)
			continue
		}
		// A repeated "result" replaces the one before, as in ParseEOLAPI.
		products, total, hasResult, productErr = products[:0], 0, false, nil
		tok, err = dec.Token()
		if err != nil {
			return nil, syntax(err)
		}
		if tok == nil { // null: as if not given
			continue
		}
		if tok != json.Delim('[') {
			return nil, invalid("field \"result\" has the wrong type (%s): is this endoflife.date's API v1 (https://endoflife.date/api/v1/products/full)?", tokenKind(tok))
		}
		hasResult = true
		for ; dec.More(); total++ {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, syntax(err)
			}
			if productErr != nil || !keepProduct(raw, keep) {
				continue
			}
			var p EOLProduct
			if err := parseAPIProduct(raw, &p); err != nil {
				productErr = invalid("result[%d]%s", total, err.Error())
				continue
			}
			products = append(products, p)
		}
		if _, err := dec.Token(); err != nil {
			return nil, syntax(err)
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntax(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if lr.over || err != nil && !errors.Is(err, io.EOF) {
			return nil, syntax(err)
		}
		return nil, invalid("has more data after the closing brace: give one JSON document")
	}
	var doc eolAPI
	if err := json.Unmarshal(append(envelope, '}'), &doc); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, invalid("field %q has the wrong type (%s): is this endoflife.date's API v1 (https://endoflife.date/api/v1/products/full)?", te.Field, te.Value)
		}
		return nil, invalid("is not valid JSON: %v", err)
	}
	switch {
	case doc.SchemaVersion == nil:
		return nil, invalid("field \"schema_version\" is missing: is this endoflife.date's API v1 (https://endoflife.date/api/v1/products/full)?")
	case !strings.HasPrefix(*doc.SchemaVersion, "1."):
		return nil, invalid("schema_version %q is not 1.x: Handwash reads endoflife.date's API v1", clip(*doc.SchemaVersion))
	case doc.GeneratedAt == nil:
		return nil, invalid("field \"generated_at\" is missing")
	case !hasResult:
		return nil, invalid("field \"result\" is missing: give the list of every product with its releases (api/v1/products/full)")
	case total == 0:
		return nil, invalid("field \"result\" lists no products")
	}
	gen, err := time.Parse(time.RFC3339, *doc.GeneratedAt)
	if err != nil {
		return nil, invalid("field \"generated_at\" %q is not a date-time such as 2025-08-25T06:12:00+00:00", clip(*doc.GeneratedAt))
	}
	if doc.Total != nil && *doc.Total != total {
		return nil, invalid("field \"total\" says %d products but \"result\" has %d: the file is incomplete or altered; download it again", *doc.Total, total)
	}
	if productErr != nil {
		return nil, productErr
	}
	e := &EOL{Source: "endoflife.date API v1", SchemaVersion: *doc.SchemaVersion, GeneratedAt: gen.UTC(), Products: slices.Clip(products)}
	if e.Products == nil {
		e.Products = []EOLProduct{}
	}
	e.index()
	return e, nil
}

// keepProduct reports whether keep accepts a product's name or one of its
// aliases (always, when keep is nil). A product whose name cannot be read
// is kept, so that parseAPIProduct says what is wrong with it.
func keepProduct(raw json.RawMessage, keep func(string) bool) bool {
	if keep == nil {
		return true
	}
	var names struct {
		Name    string   `json:"name"`
		Aliases []string `json:"aliases"`
	}
	if err := json.Unmarshal(raw, &names); err != nil || names.Name == "" {
		return true
	}
	if keep(names.Name) {
		return true
	}
	for _, a := range names.Aliases {
		if keep(a) {
			return true
		}
	}
	return false
}

// tokenKind names a JSON token from json.Decoder.Token for messages.
func tokenKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "object"
		}
		return "array"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	}
	return "null"
}

func parseAPIProduct(raw json.RawMessage, p *EOLProduct) error {
	var j eolAPIProduct
	if err := json.Unmarshal(raw, &j); err != nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("%s: field %q has the wrong type (%s)", productWhere(raw), te.Field, te.Value)
		}
		return fmt.Errorf(" must be a product object, not %s", jsonKind(raw))
	}
	if j.Name == nil || !productNamePattern.MatchString(*j.Name) {
		if j.Name == nil {
			return errors.New(": field \"name\" is missing")
		}
		return fmt.Errorf(": field \"name\" %q is not a product name such as windows or debian", clip(*j.Name))
	}
	where := " (" + *j.Name + ")"
	if j.Releases == nil {
		return fmt.Errorf("%s: field \"releases\" is missing", where)
	}
	p.Name = *j.Name
	p.Label = deref(j.Label)
	p.Category = deref(j.Category)
	p.Aliases = j.Aliases
	p.Releases = make([]EOLRelease, len(j.Releases))
	for k, rr := range j.Releases {
		if err := parseAPIRelease(rr, &p.Releases[k]); err != nil {
			return fmt.Errorf("%s.releases[%d]%s", where, k, err.Error())
		}
	}
	return nil
}

func productWhere(raw json.RawMessage) string {
	var n struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(raw, &n)
	if n.Name == "" {
		return ""
	}
	return " (" + clip(n.Name) + ")"
}

func parseAPIRelease(raw json.RawMessage, r *EOLRelease) error {
	var j eolAPIRelease
	if err := json.Unmarshal(raw, &j); err != nil || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return fmt.Errorf("%s: field %q has the wrong type (%s)", productWhere(raw), te.Field, te.Value)
		}
		return fmt.Errorf(" must be a release object, not %s", jsonKind(raw))
	}
	if j.Name == nil || *j.Name == "" {
		return errors.New(": field \"name\" is missing")
	}
	r.Name = *j.Name
	where := " (" + clip(r.Name) + ")"
	r.Label = deref(j.Label)
	if r.Label == "" {
		r.Label = r.Name
	}
	r.Codename = deref(j.Codename)
	var err error
	date := func(field string, v *string) (time.Time, error) {
		if v == nil {
			return time.Time{}, nil
		}
		t, err := time.Parse(time.DateOnly, *v)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s: field %q %q is not a date in the form YYYY-MM-DD", where, field, clip(*v))
		}
		return t, nil
	}
	if r.ReleaseDate, err = date("releaseDate", j.ReleaseDate); err != nil {
		return err
	}
	if r.LTSFrom, err = date("ltsFrom", j.LtsFrom); err != nil {
		return err
	}
	r.LTS = (j.IsLts != nil && *j.IsLts) || j.LtsFrom != nil
	ends := []struct {
		field string
		is    *bool
		from  *string
		to    *EOLDate
	}{
		{"eoasFrom", j.IsEoas, j.EoasFrom, &r.ActiveSupport},
		{"eolFrom", j.IsEol, j.EolFrom, &r.EOL},
		{"eoesFrom", j.IsEoes, j.EoesFrom, &r.Extended},
		{"discontinuedFrom", j.IsDiscontinued, j.DiscontinuedFrom, &r.Discontinued},
	}
	for _, f := range ends {
		d, err := date(f.field, f.from)
		if err != nil {
			return err
		}
		switch {
		case !d.IsZero():
			*f.to = EOLDate{Given: true, Date: d}
		case f.is != nil:
			*f.to = EOLDate{Given: true, Ended: *f.is}
		}
	}
	if j.Latest != nil {
		r.Latest = deref(j.Latest.Name)
		if r.LatestDate, err = date("latest.date", j.Latest.Date); err != nil {
			return err
		}
		r.Link = deref(j.Latest.Link)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// WriteAPIv1 writes the data as endoflife.date's API v1 products/full
// document, which ParseEOLAPI reads back to the same model. The feeds cache
// uses it to keep data imported from product files in one format. The
// booleans (isEol, isMaintained, ...) are worked out as of GeneratedAt, as
// the site does when it builds the API.
func (e *EOL) WriteAPIv1(w io.Writer) error {
	type latest struct {
		Name string  `json:"name"`
		Date *string `json:"date"`
		Link *string `json:"link"`
	}
	type release struct {
		Name             string  `json:"name"`
		Codename         *string `json:"codename"`
		Label            string  `json:"label"`
		ReleaseDate      *string `json:"releaseDate"`
		IsLts            bool    `json:"isLts"`
		LtsFrom          *string `json:"ltsFrom"`
		IsEoas           *bool   `json:"isEoas,omitempty"`
		EoasFrom         *string `json:"eoasFrom,omitempty"`
		IsEol            *bool   `json:"isEol"`
		EolFrom          *string `json:"eolFrom"`
		IsDiscontinued   *bool   `json:"isDiscontinued,omitempty"`
		DiscontinuedFrom *string `json:"discontinuedFrom,omitempty"`
		IsEoes           *bool   `json:"isEoes,omitempty"`
		EoesFrom         *string `json:"eoesFrom,omitempty"`
		IsMaintained     bool    `json:"isMaintained"`
		Latest           *latest `json:"latest"`
	}
	type product struct {
		Name     string    `json:"name"`
		Aliases  []string  `json:"aliases"`
		Label    string    `json:"label"`
		Category string    `json:"category"`
		Releases []release `json:"releases"`
	}
	type doc struct {
		SchemaVersion string    `json:"schema_version"`
		GeneratedAt   string    `json:"generated_at"`
		Total         int       `json:"total"`
		Result        []product `json:"result"`
	}
	at := e.GeneratedAt
	dateOrNil := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := t.Format(time.DateOnly)
		return &s
	}
	strOrNil := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	end := func(d EOLDate) (*bool, *string) {
		if !d.Given {
			return nil, nil
		}
		passed := d.Passed(at)
		return &passed, dateOrNil(d.Date)
	}
	out := doc{SchemaVersion: EOLAPIv1, GeneratedAt: at.UTC().Format(time.RFC3339), Total: len(e.Products), Result: make([]product, 0, len(e.Products))}
	for _, p := range e.Products {
		op := product{Name: p.Name, Aliases: p.Aliases, Label: p.Label, Category: p.Category, Releases: make([]release, 0, len(p.Releases))}
		if op.Aliases == nil {
			op.Aliases = []string{}
		}
		for _, r := range p.Releases {
			or := release{
				Name: r.Name, Codename: strOrNil(r.Codename), Label: r.Label,
				ReleaseDate: dateOrNil(r.ReleaseDate),
				IsLts:       r.LTS && (r.LTSFrom.IsZero() || !at.Before(r.LTSFrom)),
				LtsFrom:     dateOrNil(r.LTSFrom),
			}
			or.IsEoas, or.EoasFrom = end(r.ActiveSupport)
			or.IsEol, or.EolFrom = end(r.EOL)
			or.IsEoes, or.EoesFrom = end(r.Extended)
			or.IsDiscontinued, or.DiscontinuedFrom = end(r.Discontinued)
			or.IsMaintained = maintained(r, at)
			if r.Latest != "" || !r.LatestDate.IsZero() || r.Link != "" {
				or.Latest = &latest{Name: r.Latest, Date: dateOrNil(r.LatestDate), Link: strOrNil(r.Link)}
			}
			op.Releases = append(op.Releases, or)
		}
		out.Result = append(out.Result, op)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// maintained is endoflife.date's isMaintained: some kind of support (active,
// security, extended) has not ended, or a device is still made.
func maintained(r EOLRelease, now time.Time) bool {
	for _, d := range []EOLDate{r.ActiveSupport, r.EOL, r.Extended, r.Discontinued} {
		if d.Given && !d.Passed(now) {
			return true
		}
	}
	return false
}

// productFrontMatter is the part of a product file Handwash reads.
type productFrontMatter struct {
	Title         string           `yaml:"title"`
	Category      string           `yaml:"category"`
	Permalink     string           `yaml:"permalink"`
	AlternateURLs []string         `yaml:"alternate_urls"`
	ReleaseLabel  string           `yaml:"releaseLabel"`
	Changelog     string           `yaml:"changelogTemplate"`
	Releases      []map[string]any `yaml:"releases"`
}

// ParseEOLProductFiles reads the product files of a clone of the
// endoflife.date repository (https://github.com/endoflife-date/endoflife.date):
// the Markdown files whose YAML front matter lists a product's releases.
// fsys is the clone (its products folder is read) or the products folder
// itself. Each file is checked against what the repository's
// product-schema.json requires of the fields Handwash uses (title,
// category, permalink, releases; each release's releaseCycle, and dates or
// booleans for releaseDate, lts, eoas, eol, eoes, discontinued); errors are
// EINVALID and name the file, the release and the field.
func ParseEOLProductFiles(fsys fs.FS) (*EOL, error) {
	dir := "."
	if st, err := fs.Stat(fsys, "products"); err == nil && st.IsDir() {
		dir = "products"
	}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "end-of-life product files: cannot list the folder: %v", err)
	}
	var names []string
	for _, de := range entries {
		if !de.IsDir() && strings.HasSuffix(de.Name(), ".md") {
			names = append(names, de.Name())
		}
	}
	switch {
	case len(names) == 0:
		return nil, handwash.Errorf(handwash.EINVALID, "end-of-life product files: the folder has no product files (*.md): give a clone of github.com/endoflife-date/endoflife.date or its products folder")
	case len(names) > MaxEOLProductFiles:
		return nil, handwash.Errorf(handwash.ETOOLARGE, "end-of-life product files: the folder has %d files, over the limit of %d", len(names), MaxEOLProductFiles)
	}
	sort.Strings(names)
	e := &EOL{Source: "endoflife.date product files", Products: make([]EOLProduct, 0, len(names))}
	var newest time.Time
	today := time.Now().UTC()
	for _, name := range names {
		b, err := readLimitedFS(fsys, path.Join(dir, name), MaxEOLProductFileBytes)
		if err != nil {
			return nil, err
		}
		p, err := parseProductFile(name, b)
		if err != nil {
			return nil, err
		}
		for _, r := range p.Releases {
			for _, t := range []time.Time{r.ReleaseDate, r.LatestDate} {
				if t.After(newest) && !t.After(today) {
					newest = t
				}
			}
		}
		e.Products = append(e.Products, p)
	}
	e.GeneratedAt = newest
	e.index()
	for i, p := range e.Products {
		if j := e.byName[p.Name]; j != i {
			return nil, handwash.Errorf(handwash.EINVALID, "end-of-life product files: %s and %s both have the permalink /%s", names[j], names[i], p.Name)
		}
	}
	return e, nil
}

func readLimitedFS(fsys fs.FS, name string, max int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "end-of-life product files: %s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "end-of-life product files: %s: %v", name, err)
	}
	if int64(len(b)) > max {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "end-of-life product files: %s is over the limit of %d KiB", name, max>>10)
	}
	return b, nil
}

// frontMatter returns the YAML between the opening "---" line and the
// closing one.
func frontMatter(b []byte) ([]byte, bool) {
	b = bytes.TrimPrefix(b, []byte("\ufeff"))
	rest, ok := bytes.CutPrefix(b, []byte("---\n"))
	if !ok {
		if rest, ok = bytes.CutPrefix(b, []byte("---\r\n")); !ok {
			return nil, false
		}
	}
	for off := 0; off < len(rest); {
		nl := bytes.IndexByte(rest[off:], '\n')
		line := rest[off:]
		if nl >= 0 {
			line = rest[off : off+nl]
		}
		if string(bytes.TrimRight(line, " \t\r")) == "---" {
			return rest[:off], true
		}
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	return nil, false
}

func parseProductFile(file string, b []byte) (EOLProduct, error) {
	invalid := func(format string, args ...any) error {
		return handwash.Errorf(handwash.EINVALID, "end-of-life product files: "+file+": "+format, args...)
	}
	fm, ok := frontMatter(b)
	if !ok {
		return EOLProduct{}, invalid("has no YAML front matter between --- lines")
	}
	var d productFrontMatter
	if err := decodeYAML(fm, &d); err != nil {
		return EOLProduct{}, invalid("front matter is not valid YAML: %s", oneLine(yaml.FormatError(err, false, false)))
	}
	switch {
	case d.Title == "":
		return EOLProduct{}, invalid("field \"title\" is missing")
	case d.Category == "":
		return EOLProduct{}, invalid("field \"category\" is missing")
	case !strings.HasPrefix(d.Permalink, "/"):
		return EOLProduct{}, invalid("field \"permalink\" %q must start with /", clip(d.Permalink))
	case d.Releases == nil:
		return EOLProduct{}, invalid("field \"releases\" is missing")
	}
	name := strings.TrimPrefix(d.Permalink, "/")
	if !productNamePattern.MatchString(name) {
		return EOLProduct{}, invalid("field \"permalink\" %q is not a product path such as /windows", clip(d.Permalink))
	}
	p := EOLProduct{Name: name, Label: d.Title, Category: d.Category, Releases: make([]EOLRelease, 0, len(d.Releases))}
	for _, u := range d.AlternateURLs {
		if a := strings.TrimPrefix(u, "/"); a != "" && a != name {
			p.Aliases = append(p.Aliases, a)
		}
	}
	if base := strings.TrimSuffix(file, ".md"); base != name && !contains(p.Aliases, base) {
		// genlifecycle and people know products by file name
		// (linux-kernel.md is /linux).
		p.Aliases = append(p.Aliases, base)
	}
	for i, m := range d.Releases {
		r, err := productRelease(m, d.ReleaseLabel, d.Changelog)
		if err != nil {
			return EOLProduct{}, invalid("releases[%d]%s", i, err.Error())
		}
		p.Releases = append(p.Releases, r)
	}
	return p, nil
}

// decodeYAML is yaml.Unmarshal made safe for files from elsewhere: go-yaml
// v1.19.2 panics on some malformed input (a bare tag where a list should
// be, found by FuzzParseEOLProductFiles).
func decodeYAML(b []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the YAML parser failed on it (%v)", r)
		}
	}()
	return yaml.Unmarshal(b, v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func productRelease(m map[string]any, labelTemplate, linkTemplate string) (EOLRelease, error) {
	var r EOLRelease
	cycle, ok := m["releaseCycle"]
	if !ok || cycle == nil {
		return r, errors.New(": field \"releaseCycle\" is missing")
	}
	c, ok := cycle.(string)
	if !ok {
		// An unquoted 3.10 reads as the number 3.1: the schema asks for a string.
		return r, fmt.Errorf(": field \"releaseCycle\" must be a quoted string such as \"3.10\", not %v", cycle)
	}
	if !cyclePattern.MatchString(c) {
		return r, fmt.Errorf(": field \"releaseCycle\" %q may hold only a-z, 0-9 and . - + _", clip(c))
	}
	r.Name = c
	where := " (" + c + ")"
	str := func(field string) (string, error) {
		switch v := m[field].(type) {
		case nil:
			return "", nil
		case string:
			return v, nil
		case uint64, int64, float64, int:
			return fmt.Sprint(v), nil
		default:
			return "", fmt.Errorf("%s: field %q must be a string, not %v", where, field, v)
		}
	}
	date := func(field string) (time.Time, error) {
		v, ok := m[field]
		if !ok || v == nil {
			return time.Time{}, nil
		}
		if t, ok := yamlDate(v); ok {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("%s: field %q %v is not a date in the form YYYY-MM-DD", where, field, v)
	}
	boolOrDate := func(field string) (EOLDate, error) {
		v, ok := m[field]
		if !ok || v == nil {
			return EOLDate{}, nil
		}
		if b, ok := v.(bool); ok {
			return EOLDate{Given: true, Ended: b}, nil
		}
		if t, ok := yamlDate(v); ok {
			return EOLDate{Given: true, Date: t}, nil
		}
		return EOLDate{}, fmt.Errorf("%s: field %q must be a date in the form YYYY-MM-DD, true or false, not %v", where, field, v)
	}
	var err error
	if r.Codename, err = str("codename"); err != nil {
		return r, err
	}
	if r.Latest, err = str("latest"); err != nil {
		return r, err
	}
	if r.ReleaseDate, err = date("releaseDate"); err != nil {
		return r, err
	}
	if r.LatestDate, err = date("latestReleaseDate"); err != nil {
		return r, err
	}
	lts, err := boolOrDate("lts")
	if err != nil {
		return r, err
	}
	r.LTS, r.LTSFrom = lts.Ended || !lts.Date.IsZero(), lts.Date
	for _, f := range []struct {
		field string
		to    *EOLDate
	}{{"eoas", &r.ActiveSupport}, {"eol", &r.EOL}, {"eoes", &r.Extended}, {"discontinued", &r.Discontinued}} {
		if *f.to, err = boolOrDate(f.field); err != nil {
			return r, err
		}
	}
	label, err := str("releaseLabel")
	if err != nil {
		return r, err
	}
	if label == "" {
		label = labelTemplate
	}
	r.Label = renderTemplate(label, r)
	if r.Label == "" {
		r.Label = r.Name
	}
	link, hasLink := m["link"]
	switch l := link.(type) {
	case string:
		r.Link = renderTemplate(l, r)
	case nil:
		if !hasLink {
			r.Link = renderTemplate(linkTemplate, r)
		}
	default:
		return r, fmt.Errorf("%s: field \"link\" must be a URL or null, not %v", where, link)
	}
	return r, nil
}

// renderTemplate fills endoflife.date's placeholders. Templates that need
// Liquid ({{ }} or {% %}) are not rendered: they give "".
func renderTemplate(t string, r EOLRelease) string {
	t = strings.TrimSpace(t)
	if t == "" || strings.Contains(t, "{{") || strings.Contains(t, "{%") {
		return ""
	}
	latestDate := ""
	if !r.LatestDate.IsZero() {
		latestDate = r.LatestDate.Format(time.DateOnly)
	}
	return strings.NewReplacer(
		"__RELEASE_CYCLE__", r.Name,
		"__CODENAME__", r.Codename,
		"__LATEST__", r.Latest,
		"__LATEST_RELEASE_DATE__", latestDate,
	).Replace(t)
}

// yamlDate reads a YAML date: go-yaml gives unquoted dates as strings (or
// time.Time when decoding into one).
func yamlDate(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC), true
	case string:
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(x))
		return t, err == nil
	}
	return time.Time{}, false
}

// Len is the number of products.
func (e *EOL) Len() int {
	if e == nil {
		return 0
	}
	return len(e.Products)
}

// Releases is the number of release cycles of all products.
func (e *EOL) Releases() int {
	if e == nil {
		return 0
	}
	n := 0
	for _, p := range e.Products {
		n += len(p.Releases)
	}
	return n
}
