// Package schema publishes the JSON Schemas of Handwash's documents and reads
// Facts documents strictly.
//
// The schemas are generated from the domain types in the module root, with
// each field's description taken from its Go doc comment, and committed as
// docs/facts.schema.json and docs/assessment.schema.json, with the Facts
// reference docs/FACTS.md beside them. A copy of the Facts schema is embedded
// here (FactsSchemaJSON). Regenerate them all with
//
//	go generate ./schema
//
// The generator is a test (TestGenerate in generate_test.go), so that the
// reflection library it uses stays out of the handwash binary; run without
// -update, it fails when a committed file differs from what it would write.
//
// DecodeFacts reads a Facts document from a file, a pipe or an upload, and
// ValidateFacts checks one already in memory. Both enforce the size limit,
// the JSON syntax, the schema version and the schema itself, and only then
// fill a handwash.Facts. Every problem is reported as a *handwash.Error that
// names the file, the line and column, and the field in dotted form
// (firewall.profiles[0].enabled), and says in plain English what is wrong.
//
// Checking with the JSON Schema validator is slow, and a server decodes
// every upload, so a document is first read by a fast path (quick.go) that
// checks the same rules, taken from the same embedded schema, while filling
// the Facts; only a document it does not accept goes through the validator,
// which then explains what is wrong. The answer is the same either way.
package schema

//go:generate go test -run ^TestGenerate$ -update

import (
	"bytes"
	_ "embed"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/handwash/handwash"
)

// FactsSchemaID is the $id of the published JSON Schema of handwash.Facts.
const FactsSchemaID = "https://handwash.dev/schema/facts-v1.json"

// AssessmentSchemaID is the $id of the published JSON Schema of
// handwash.Assessment.
const AssessmentSchemaID = "https://handwash.dev/schema/assessment-v1.json"

// factsSchemaJSON is a copy of docs/facts.schema.json: go:embed cannot reach
// outside the package directory, and TestGenerate keeps the two identical.
//
//go:embed facts.schema.json
var factsSchemaJSON []byte

// FactsSchemaJSON returns the JSON Schema of handwash.Facts, as published at
// FactsSchemaID.
func FactsSchemaJSON() []byte { return bytes.Clone(factsSchemaJSON) }

// factsSchema is the compiled Facts schema, built once on first use.
var factsSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	return compile(FactsSchemaID, factsSchemaJSON)
})

// compile compiles a schema document with format assertions on, so that a
// malformed date fails validation with its field's name instead of failing
// later in encoding/json without one.
func compile(id string, doc []byte) (*jsonschema.Schema, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	// date-time is checked exactly as time.Time's UnmarshalJSON checks it, so
	// that every date the schema accepts also decodes.
	c.RegisterFormat(&jsonschema.Format{Name: "date-time", Validate: validateDateTime})
	if err := c.AddResource(id, v); err != nil {
		return nil, err
	}
	return c.Compile(id)
}

// validateDateTime accepts the RFC 3339 date-times that time.Time decodes.
func validateDateTime(v any) error {
	s, ok := v.(string)
	if !ok {
		return nil
	}
	var t time.Time
	return t.UnmarshalText([]byte(s))
}

// internalError reports a fault of ours, such as an embedded schema that does
// not compile; tests keep it from happening.
func internalError(err error) error {
	return &handwash.Error{Code: handwash.EINTERNAL, Message: "the built-in Facts schema is broken: " + err.Error() + " (please report this)", Err: err}
}
