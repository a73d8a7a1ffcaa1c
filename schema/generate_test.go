package schema

// This file is the generator of the published schemas and of docs/FACTS.md.
// It lives in a test so that invopop/jsonschema, which needs the Go source
// tree for the doc comments, stays out of the handwash binary. Run it with
//
//	go generate ./schema
//
// (which runs go test -run ^TestGenerate$ -update); without -update it fails
// when a committed file differs from what it would write.

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/invopop/jsonschema"

	"github.com/handwash/handwash"
)

var update = flag.Bool("update", false, "rewrite the generated schemas, docs/FACTS.md and the golden files")

const module = "github.com/handwash/handwash"

// enums lists the allowed values of string fields whose doc comments name
// them, keyed by Go type name and JSON field name. TestGenerate checks that
// each value still appears in the field's doc comment, so the two cannot
// drift apart. Fields of the named types Platform, Status, Severity and Area
// get their values from the constants (see namedEnums).
//
// Some fields whose comments give examples are left open on purpose: a new
// Wi-Fi cipher, sshd spelling or package manager must not make a device's
// Facts unreadable: SSHFacts.permit_root_login,
// SoftwareItem.source, OSFacts.id and PendingUpdate.severity.
var enums = map[string][]string{
	"DeviceInfo.form_factor":          {handwash.FormLaptop, handwash.FormDesktop, handwash.FormServer, handwash.FormTablet, handwash.FormVM, handwash.FormUnknown},
	"DeviceInfo.join":                 {"workgroup", "domain", "entra", "hybrid"},
	"Volume.role":                     {handwash.RoleSystem, handwash.RoleData, handwash.RoleRemovable},
	"FirewallProfile.default_inbound": {"block", "allow"},
	"LocalAccount.builtin":            {"administrator", "guest"},
	"Listener.protocol":               {"tcp", "udp"},
	"WiFiProfile.security":            {"open", "owe", "wep", "wpa", "wpa2", "wpa3", "enterprise", "unknown"},
	"WiFiProfile.encryption":          {"none", "wep", "tkip", "aes"},
	"RemovableMediaFacts.usb_storage": {"allowed", "read_only", "blocked"},
	"AppControlFacts.install_sources": {"anywhere", "identified_developers", "store_preferred", "store_only"},
	"AppControlFacts.allow_listing":   {"off", "audit", "enforced"},
	"BackupDest.kind":                 {handwash.DestSameDisk, handwash.DestInternalDisk, handwash.DestRemovableDisk, handwash.DestNetworkShare, handwash.DestCloud, handwash.DestUnknown},
	"Missing.reason":                  {handwash.ReasonNeedsAdmin, handwash.ReasonNotInstalled, handwash.ReasonTimedOut, handwash.ReasonNotSupported, handwash.ReasonError, handwash.ReasonNotCollected},
}

// namedEnums gives the values of the domain's named string types.
var namedEnums = map[reflect.Type][]string{
	reflect.TypeFor[handwash.Platform](): {string(handwash.PlatformWindows), string(handwash.PlatformMacOS), string(handwash.PlatformLinux), string(handwash.PlatformOther)},
	reflect.TypeFor[handwash.Status]():   {string(handwash.StatusPass), string(handwash.StatusFail), string(handwash.StatusUnknown), string(handwash.StatusNotApplicable), string(handwash.StatusExcepted)},
	reflect.TypeFor[handwash.Severity](): stringsOf(handwash.Severities),
	reflect.TypeFor[handwash.Area]():     stringsOf(handwash.Areas),
}

func stringsOf[S ~string](xs []S) []string {
	var out []string
	for _, x := range xs {
		out = append(out, string(x))
	}
	return out
}

// maxima bounds integer fields beyond the rule that every integer in Facts is
// a count, a length of time or a port, and so is never negative.
var maxima = map[string]int{
	"Listener.port": 65535,
	"RDPFacts.port": 65535,
}

// notes describe fields that have no doc comment in the domain, so that the
// schema and docs/FACTS.md explain every field. A note is used only while the
// field has no comment; TestGenerate fails when one is no longer needed.
var notes = map[string]string{
	// Every field of the domain types has a doc comment now; add a note
	// here only for a field that cannot have one.
}

// schemaDoc is one generated schema.
type schemaDoc struct {
	id     string
	typ    reflect.Type
	schema string // the const value of its "schema" field
	title  string
	ints   bool // integers are never negative
}

var (
	factsDoc      = schemaDoc{id: FactsSchemaID, typ: reflect.TypeFor[handwash.Facts](), schema: handwash.FactsSchema, title: "Handwash Facts", ints: true}
	assessmentDoc = schemaDoc{id: AssessmentSchemaID, typ: reflect.TypeFor[handwash.Assessment](), schema: handwash.AssessmentSchema, title: "Handwash Assessment"}
)

func TestGenerate(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	comments := goComments(t)
	used := map[string]bool{}
	facts := generate(t, factsDoc, comments, used)
	assessment := generate(t, assessmentDoc, comments, used)

	factsJSON := marshalSchema(t, facts)
	factsMD := factsMarkdown(t, wd, facts, factsJSON)

	files := map[string][]byte{
		filepath.Join(wd, "facts.schema.json"):                    factsJSON,
		filepath.Join(wd, "..", "docs", "facts.schema.json"):      factsJSON,
		filepath.Join(wd, "..", "docs", "assessment.schema.json"): marshalSchema(t, assessment),
		filepath.Join(wd, "..", "docs", "FACTS.md"):               factsMD,
	}
	for _, path := range slices.Sorted(maps.Keys(files)) {
		want := files[path]
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v: run go generate ./schema", err)
			continue
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s is out of date: run go generate ./schema (-generated +committed):\n%s", path, diff)
		}
	}

	for key := range notes {
		if !used[key] {
			t.Errorf("notes[%q] is not used: the field has a doc comment now, or is gone; delete the note", key)
		}
	}
	for key := range enums {
		if !used["enum:"+key] {
			t.Errorf("enums[%q] is not used: the field is gone or renamed", key)
		}
	}
}

// goComments reads the doc comments of the domain package. It copies the
// package's own files to a temporary directory so that AddGoComments, which
// walks sub-directories, does not parse the other packages.
func goComments(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	files, err := filepath.Glob(filepath.Join("..", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	r := &jsonschema.Reflector{}
	if err := r.AddGoComments(module, ".", jsonschema.WithFullComment()); err != nil {
		t.Fatal(err)
	}
	return r.CommentMap
}

// generate reflects doc's type and then adds what reflection cannot know:
// enums, nullable fields, bounds, the schema const and missing descriptions.
func generate(t *testing.T, doc schemaDoc, comments map[string]string, used map[string]bool) *jsonschema.Schema {
	t.Helper()
	r := &jsonschema.Reflector{
		ExpandedStruct: true,
		CommentMap:     comments,
	}
	s := r.ReflectFromType(doc.typ)
	s.ID = jsonschema.ID(doc.id)
	s.Title = doc.title

	g := &generator{t: t, doc: doc, root: s, comments: comments, used: used, seen: map[reflect.Type]bool{}}
	g.object(doc.typ, s)

	schemaProp, ok := s.Properties.Get("schema")
	if !ok {
		t.Fatalf("%v has no schema field", doc.typ)
	}
	schemaProp.Const = doc.schema

	g.walk(s, func(s *jsonschema.Schema) {
		s.Description = tidy(s.Description)
	})
	return s
}

type generator struct {
	t        *testing.T
	doc      schemaDoc
	root     *jsonschema.Schema
	comments map[string]string
	used     map[string]bool
	seen     map[reflect.Type]bool
}

// field is one JSON field of a struct, as encoding/json sees it.
type field struct {
	owner     reflect.Type // the struct that declares it (an embedded one, for promoted fields)
	sf        reflect.StructField
	name      string
	omitEmpty bool
}

// fields lists t's JSON fields, with embedded structs' fields promoted.
func fields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || (!sf.IsExported() && !sf.Anonymous) {
			continue
		}
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
			out = append(out, fields(sf.Type)...)
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out = append(out, field{owner: t, sf: sf, name: name, omitEmpty: strings.Contains(opts, "omitempty")})
	}
	return out
}

// def returns the definition a struct type's schema refers to.
func (g *generator) def(t reflect.Type) *jsonschema.Schema {
	if t == g.doc.typ {
		return g.root
	}
	d, ok := g.root.Definitions[t.Name()]
	if !ok {
		g.t.Fatalf("no definition for %v", t)
	}
	return d
}

// object completes the schema s of struct type t and, once each, the structs
// it contains.
func (g *generator) object(t reflect.Type, s *jsonschema.Schema) {
	if g.seen[t] {
		return
	}
	g.seen[t] = true
	for _, f := range fields(t) {
		key := f.owner.Name() + "." + f.name
		prop, ok := s.Properties.Get(f.name)
		if !ok {
			g.t.Fatalf("%s: no property in the reflected schema", key)
		}
		ft := f.sf.Type
		nullable := ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice
		elem := ft
		for elem.Kind() == reflect.Pointer || elem.Kind() == reflect.Slice {
			elem = elem.Elem()
		}
		target := prop // the schema of the value, or of a list's items
		if ft.Kind() == reflect.Slice {
			target = prop.Items
		}

		// Doc comments start with the Go name; readers of JSON know the JSON one.
		if rest, ok := strings.CutPrefix(prop.Description, f.sf.Name+" "); ok {
			prop.Description = f.name + " " + rest
		}
		if prop.Description == "" {
			if note, ok := notes[key]; ok {
				prop.Description = note
				g.used[key] = true
			}
		}
		// A field of a struct type without a comment of its own takes its
		// type's: "os describes the operating system."
		if prop.Description == "" && elem.Kind() == reflect.Struct {
			if rest, ok := strings.CutPrefix(g.comments[module+"."+elem.Name()], elem.Name()+" "); ok {
				prop.Description = f.name + " " + rest
			}
		}

		if vals, ok := enums[key]; ok {
			g.used["enum:"+key] = true
			comment := g.comments[module+"."+f.owner.Name()+"."+f.sf.Name]
			if comment == "" {
				comment = notes[key]
			}
			for _, v := range vals {
				if !strings.Contains(comment, v) {
					g.t.Errorf("%s: enum value %q is not in the doc comment %q: update enums in generate_test.go", key, v, comment)
				}
			}
			target.Enum = anySlice(vals)
		}
		if vals, ok := namedEnums[elem]; ok {
			target.Enum = anySlice(vals)
			if prop.Description == "" {
				prop.Description = g.comments[module+"."+elem.Name()]
			}
		}
		if target.Type == "integer" && g.doc.ints {
			target.Minimum = "0"
			if max, ok := maxima[key]; ok {
				target.Maximum = json.Number(fmt.Sprint(max))
			}
		}

		if elem.Kind() == reflect.Struct && elem != reflect.TypeFor[time.Time]() {
			g.object(elem, g.def(elem))
		}

		if nullable {
			s.Required = slices.DeleteFunc(s.Required, func(n string) bool { return n == f.name })
			s.Properties.Set(f.name, nullableOf(prop))
		} else if !f.omitEmpty && !slices.Contains(s.Required, f.name) {
			g.t.Errorf("%s: expected the reflector to make it required", key)
		}
	}
	if len(s.Required) == 0 {
		s.Required = nil
	}
}

// nullableOf lets a property be null as well, which encoding/json reads as a
// nil pointer or slice: "not observed".
func nullableOf(prop *jsonschema.Schema) *jsonschema.Schema {
	if prop.Ref != "" {
		return &jsonschema.Schema{
			AnyOf:       []*jsonschema.Schema{{Ref: prop.Ref}, {Type: "null"}},
			Description: prop.Description,
		}
	}
	if prop.Enum != nil {
		prop.Enum = append(prop.Enum, nil)
	}
	if prop.Extras == nil {
		prop.Extras = map[string]any{}
	}
	prop.Extras["type"] = []string{prop.Type, "null"}
	prop.Type = ""
	return prop
}

func anySlice(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// walk calls fn for s and every schema within it.
func (g *generator) walk(s *jsonschema.Schema, fn func(*jsonschema.Schema)) {
	if s == nil {
		return
	}
	fn(s)
	for _, name := range slices.Sorted(maps.Keys(s.Definitions)) {
		g.walk(s.Definitions[name], fn)
	}
	if s.Properties != nil {
		for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
			g.walk(pair.Value, fn)
		}
	}
	g.walk(s.Items, fn)
	for _, x := range s.AnyOf {
		g.walk(x, fn)
	}
}

// tidy turns a doc comment into a description: lines joined, paragraphs kept.
func tidy(s string) string {
	paras := strings.Split(strings.TrimSpace(s), "\n\n")
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(paras, "\n\n")
}

func marshalSchema(t *testing.T, s *jsonschema.Schema) []byte {
	t.Helper()
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}
