package schema

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/handwash/handwash"
)

// TestAssessmentSchema checks that the published Assessment schema accepts
// a fully populated Assessment as encoding/json writes it, and refuses one
// with a misspelt field.
func TestAssessmentSchema(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "assessment.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	sch, err := compile(AssessmentSchemaID, doc)
	if err != nil {
		t.Fatalf("docs/assessment.schema.json does not compile: %v", err)
	}

	when := time.Date(2026, 6, 1, 9, 31, 0, 0, time.UTC)
	yes := true
	score := handwash.Score{Value: 80, Earned: 40, Max: 50, Pass: 8, Fail: 2, Unknown: 1, Excepted: 1, NotApplicable: 3, Assessed: true}
	a := handwash.Assessment{
		Schema:           handwash.AssessmentSchema,
		CatalogueVersion: "2026.06",
		EvaluatedAt:      when,
		Device:           handwash.DeviceInfo{ID: "hw1-1", Hostname: "PC-1", Platform: handwash.PlatformWindows, FormFactor: handwash.FormLaptop, Graphical: &yes},
		Overall:          score,
		Areas:            []handwash.AreaScore{{Area: handwash.AreaMalware, Title: handwash.AreaMalware.Title(), Score: score}},
		FixFirst:         []string{"malware.realtime"},
		Findings: []handwash.Finding{{
			ControlID: "malware.realtime",
			Area:      handwash.AreaMalware,
			Severity:  handwash.SeverityHigh,
			Title:     "Real-time protection on",
			Status:    handwash.StatusExcepted,
			Summary:   "Real-time protection is off.",
			Evidence:  []handwash.Evidence{{Label: "product", Value: "Microsoft Defender Antivirus"}},
			Missing:   []handwash.Missing{{Fact: "malware.products[0].real_time", Reason: handwash.ReasonNeedsAdmin, Detail: "needs an elevated prompt"}},
			Exception: &handwash.AppliedException{
				Exception: handwash.Exception{Control: "malware.realtime", Device: "PC-1", Reason: "vendor software conflict", Owner: "IT provider", Expires: when.AddDate(0, 1, 0)},
				Expired:   false,
			},
		}},
		Facts:         handwash.FactsSummary{Schema: handwash.FactsSchema, CollectedAt: when, OS: "Windows 11 Pro", Elevated: true, DurationMS: 812, Software: 120, Missing: 2, Errors: []string{"wifi: did not finish in time"}},
		ReferenceData: []handwash.DataSource{{Name: "Windows lifecycle", Source: "endoflife.date", AsOf: "2026-05-30"}},
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("the Assessment schema refuses an encoded Assessment: %v\n%s", err, b)
	}

	// Nil lists encode as null, which the schema allows.
	empty := a
	empty.Areas, empty.FixFirst, empty.Findings = nil, nil, nil
	b, _ = json.Marshal(empty)
	v, _ = jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err := sch.Validate(v); err != nil {
		t.Errorf("the Assessment schema refuses null lists: %v", err)
	}

	bad := bytes.Replace(b, []byte(`"catalogue_version"`), []byte(`"catalog_version"`), 1)
	v, _ = jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err := sch.Validate(v); err == nil {
		t.Errorf("the Assessment schema accepts an unknown field")
	}
}
