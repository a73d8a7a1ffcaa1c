package schema

// This file writes docs/FACTS.md from testdata/FACTS.md.tmpl, the generated
// Facts schema, the example files and the messages DecodeFacts gives for the
// bad inputs, so that the reference never drifts from the code.

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"

	"github.com/invopop/jsonschema"
	jsonschemav6 "github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/handwash/handwash"
)

// docErrorCases are the bad inputs whose messages docs/FACTS.md shows.
var docErrorCases = []string{"truncated", "wrong-version", "wrong-type-deep", "unknown-field", "wrong-enum", "missing-required"}

type docRow struct {
	Field, Type, Meaning string
}

type docSection struct {
	Name, Intro string
	Rows        []docRow
}

type docError struct {
	Case, Message string
}

func factsMarkdown(t *testing.T, wd string, s *jsonschema.Schema, schemaJSON []byte) []byte {
	t.Helper()
	// The messages come from the schema just generated, which may not be
	// the one embedded yet.
	compiled, err := compile(FactsSchemaID, schemaJSON)
	if err != nil {
		t.Fatalf("the generated Facts schema does not compile: %v", err)
	}
	sch := func() (*jsonschemav6.Schema, error) { return compiled, nil }

	var tmpl *template.Template
	tmpl, err = template.New("FACTS.md.tmpl").Funcs(template.FuncMap{
		"cell": func(s string) string {
			s = strings.ReplaceAll(s, "|", `\|`)
			return strings.ReplaceAll(s, "\n\n", "<br><br>")
		},
	}).ParseFiles(filepath.Join(wd, "testdata", "FACTS.md.tmpl"))
	if err != nil {
		t.Fatal(err)
	}

	top := docSection{Name: "The document", Intro: "The top level of a Facts document."}
	var sections []docSection
	for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
		name, prop := pair.Key, pair.Value
		def, _ := resolve(s, prop)
		kind := typeText(s, prop, slices.Contains(s.Required, name))
		desc := prop.Description
		if def.Properties != nil {
			sec := docSection{Name: name, Intro: topicIntro(name, def.Description)}
			rows(s, def, "", &sec.Rows)
			sections = append(sections, sec)
			kind = fmt.Sprintf("object, see [%s](#%s)", name, name)
			if slices.Contains(s.Required, name) {
				kind += ", required"
			}
			if desc == "" {
				desc = topicIntro(name, def.Description)
			}
		}
		top.Rows = append(top.Rows, docRow{Field: name, Type: kind, Meaning: meaning(name, desc, nil)})
	}

	var reasons []docRow
	for _, r := range enums["Missing.reason"] {
		reasons = append(reasons, docRow{Field: r, Meaning: handwash.ReasonText(r)})
	}

	var errs []docError
	for _, c := range docErrorCases {
		b, err := os.ReadFile(filepath.Join(wd, "testdata", "invalid", c+".json"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = decodeSlow(b, "facts.json", sch)
		if err == nil {
			t.Fatalf("testdata/invalid/%s.json decodes without error", c)
		}
		errs = append(errs, docError{Case: c, Message: err.Error()})
	}

	readExample := func(name string) string {
		b, err := os.ReadFile(filepath.Join(wd, "testdata", "valid", name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}

	var out bytes.Buffer
	err = tmpl.Execute(&out, map[string]any{
		"Schema":   handwash.FactsSchema,
		"SchemaID": FactsSchemaID,
		"MaxSize":  fmt.Sprintf("%d MiB", handwash.MaxFactsSize>>20),
		"Top":      top,
		"Sections": sections,
		"Reasons":  reasons,
		"Errors":   errs,
		"Minimal":  readExample("minimal.json"),
		"Example":  readExample("example.json"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// resolve returns the schema a property describes, following $ref and the
// anyOf that makes it nullable, and whether null is allowed.
func resolve(root, prop *jsonschema.Schema) (*jsonschema.Schema, bool) {
	nullable := false
	if len(prop.AnyOf) == 2 && prop.AnyOf[1].Type == "null" {
		prop, nullable = prop.AnyOf[0], true
	}
	if name, ok := strings.CutPrefix(prop.Ref, "#/$defs/"); ok {
		return root.Definitions[name], nullable
	}
	if ts, ok := prop.Extras["type"].([]string); ok && slices.Contains(ts, "null") {
		nullable = true
	}
	return prop, nullable
}

// typeName is the JSON type a schema describes, null aside.
func typeName(s *jsonschema.Schema) string {
	if s.Type != "" {
		return s.Type
	}
	if ts, ok := s.Extras["type"].([]string); ok {
		for _, t := range ts {
			if t != "null" {
				return t
			}
		}
	}
	if s.Properties != nil {
		return "object"
	}
	return ""
}

// typeText says in plain words what a property holds.
func typeText(root, prop *jsonschema.Schema, required bool) string {
	s, _ := resolve(root, prop)
	text := docValueText(root, s)
	if required {
		text += ", required"
	}
	return text
}

func docValueText(root, s *jsonschema.Schema) string {
	switch typeName(s) {
	case "string":
		switch {
		case s.Const != nil:
			return fmt.Sprintf("text: always `%v`", s.Const)
		case s.Format == "date-time":
			return "date and time (RFC 3339)"
		case len(s.Enum) > 0:
			var vals []string
			for _, v := range s.Enum {
				if v != nil {
					vals = append(vals, fmt.Sprintf("`%v`", v))
				}
			}
			return "one of " + strings.Join(vals, ", ")
		}
		return "text"
	case "boolean":
		return "true or false"
	case "integer":
		text := "whole number"
		if s.Maximum != "" {
			text += fmt.Sprintf(" (%s to %s)", s.Minimum, s.Maximum)
		} else if s.Minimum == "0" {
			text += " (0 or more)"
		}
		return text
	case "number":
		return "number"
	case "array":
		item, _ := resolve(root, s.Items)
		if typeName(item) == "object" {
			return "list of objects"
		}
		return "list of " + plural(docValueText(root, item))
	case "object":
		return "object"
	}
	return "any"
}

func plural(s string) string {
	switch {
	case s == "text":
		return "text"
	case strings.HasPrefix(s, "one of "):
		return "values, each " + s
	}
	return s
}

// rows lists def's fields, and those of the objects within it, with dotted
// paths relative to the section.
func rows(root, def *jsonschema.Schema, prefix string, out *[]docRow) {
	for pair := def.Properties.Oldest(); pair != nil; pair = pair.Next() {
		path := prefix + pair.Key
		prop := pair.Value
		s, _ := resolve(root, prop)
		*out = append(*out, docRow{Field: path, Type: typeText(root, prop, slices.Contains(def.Required, pair.Key)), Meaning: meaning(pair.Key, prop.Description, s.Enum)})
		switch {
		case s.Properties != nil:
			rows(root, s, path+".", out)
		case typeName(s) == "array":
			if item, _ := resolve(root, s.Items); item.Properties != nil {
				rows(root, item, path+"[].", out)
			}
		}
	}
}

// topicIntro turns a type's comment ("FirewallFacts describes the host
// firewall.") into one about the JSON field ("`firewall` describes ...").
func topicIntro(name, desc string) string {
	if word, rest, ok := strings.Cut(desc, " "); ok && word != "" && word[0] >= 'A' && word[0] <= 'Z' {
		return "`" + name + "` " + rest
	}
	return desc
}

// meaning shortens a field's description for a table whose first column
// already names the field: "name is the product's name." becomes "The
// product's name.", "enabled says whether ..." becomes "Says whether ...".
// A description that starts with one of the field's values keeps it as it
// is written.
func meaning(field, desc string, enum []any) string {
	rest, ok := strings.CutPrefix(desc, field+" ")
	if !ok {
		rest = desc
	} else if r, ok := strings.CutPrefix(rest, "is "); ok {
		rest = r
	} else if r, ok := strings.CutPrefix(rest, "are "); ok {
		rest = r
	}
	if rest == "" {
		return ""
	}
	if words := strings.FieldsFunc(rest, func(r rune) bool { return r == ' ' || r == ',' }); len(words) > 0 && slices.Contains(enum, any(words[0])) {
		return rest
	}
	return strings.ToUpper(rest[:1]) + rest[1:]
}
