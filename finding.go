package handwash

import "time"

// Finding is the judgement of one control on one device.
type Finding struct {
	ControlID string   `json:"control_id"`
	Area      Area     `json:"area"`
	Severity  Severity `json:"severity"`
	Title     string   `json:"title"`
	Status    Status   `json:"status"`
	// Summary says in one plain sentence what was found.
	Summary string `json:"summary,omitempty"`
	// Evidence is what the judgement was based on.
	Evidence []Evidence `json:"evidence,omitempty"`
	// Missing lists the facts that were needed but not observed (status unknown).
	Missing []Missing `json:"missing,omitempty"`
	// Why and Fix repeat, for failed, unknown and excepted findings, why the
	// control matters and how to put it right on this device's platform, so
	// the JSON report stands on its own.
	Why string `json:"why,omitempty"`
	Fix string `json:"fix,omitempty"`
	// Exception is the accepted risk that applied, or the expired one that no
	// longer does.
	Exception *AppliedException `json:"exception,omitempty"`
}

// Evidence is one labelled value a finding was judged on.
type Evidence struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Exception accepts a control's failure on a device for a while, with a
// reason and an owner, as osv-scanner's ignoreUntil does.
type Exception struct {
	Control string `json:"control" yaml:"control"`
	// Device limits the exception to one device (hostname or device ID);
	// empty means every device the file is used on.
	Device  string    `json:"device,omitempty" yaml:"device"`
	Reason  string    `json:"reason" yaml:"reason"`
	Owner   string    `json:"owner" yaml:"owner"`
	Expires time.Time `json:"expires" yaml:"expires"`
}

// AppliedException is an exception as it bore on a finding.
type AppliedException struct {
	Exception
	// Expired is true when the exception's date has passed: the finding keeps
	// its real status and the report says the exception expired.
	Expired bool `json:"expired"`
}

// Score is a 0-100 summary of a set of findings, weighted by severity.
type Score struct {
	// Value is 0-100, or -1 when nothing in the set could be judged.
	Value  int `json:"value"`
	Earned int `json:"earned"`
	Max    int `json:"max"`
	// Counts per status.
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	Unknown       int `json:"unknown"`
	Excepted      int `json:"excepted"`
	NotApplicable int `json:"not_applicable"`
	// Assessed is false for an area with no controls judged on this device
	// (people, until the self-assessment covers it).
	Assessed bool `json:"assessed"`
}

// Assessment is the result of judging one device's Facts: what check prints
// and what the server stores.
type Assessment struct {
	// Schema names the version of this document.
	Schema string `json:"schema"`
	// CatalogueVersion is the version of the controls used.
	CatalogueVersion string      `json:"catalogue_version"`
	EvaluatedAt      time.Time   `json:"evaluated_at"`
	Device           DeviceInfo  `json:"device"`
	Overall          Score       `json:"overall"`
	Areas            []AreaScore `json:"areas"`
	// FixFirst lists the failed findings' control IDs, most serious first.
	FixFirst []string  `json:"fix_first"`
	Findings []Finding `json:"findings"`
	// Facts summarises what the findings were judged on.
	Facts FactsSummary `json:"facts"`
	// ReferenceData says how fresh the built-in data used was.
	ReferenceData []DataSource `json:"reference_data,omitempty"`
}

// AssessmentSchema names the version of the Assessment document.
const AssessmentSchema = "handwash.assessment/v1"

// AreaScore is the score of one area.
type AreaScore struct {
	Area  Area   `json:"area"`
	Title string `json:"title"`
	Score
}

// FactsSummary is a short description of the Facts an assessment used.
type FactsSummary struct {
	Schema      string    `json:"schema"`
	CollectedAt time.Time `json:"collected_at"`
	OS          string    `json:"os,omitempty"`
	Elevated    bool      `json:"elevated"`
	DurationMS  int64     `json:"duration_ms"`
	Software    int       `json:"software_items"`
	Missing     int       `json:"missing_facts"`
	Errors      []string  `json:"collector_errors,omitempty"`
}

// DataSource names built-in reference data and how old it is.
type DataSource struct {
	Name   string `json:"name"`
	Source string `json:"source"`
	AsOf   string `json:"as_of"`
}
