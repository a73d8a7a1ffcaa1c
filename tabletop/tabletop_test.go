package tabletop

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/policy"
)

// questionIDs are the self-assessment questions scenarios may link to,
// written in package assess. This package does not import assess, so the
// list is kept here; a link must be a control or one of these.
var questionIDs = []string{
	"backup.essential-data-identified",
	"backup.offline-copy",
	"backup.restore-tested-12m",
	"people.accountable-person",
	"people.incident-plan-offline",
	"phishing.report-without-blame",
	"phishing.payment-changes-verified",
	"updates.nhs-cyber-alerts-registered",
	"passwords.supplier-remote-access-mfa",
	"devices.byod-policy",
	"malware.admin-interfaces-not-exposed",
	"people.induction-covers-security",
	"people.contracts-data-security",
	"people.training-needs-analysis",
	"people.admin-accountability-agreement",
	"people.asset-register",
	"people.breach-reporting",
	"passwords.mfa-cloud-services",
	"updates.unsupported-software-plan",
	"passwords.leavers-removed",
	"passwords.admin-accounts-separate",
}

// knownLinks reports whether a link is a control in the built-in policy
// catalogue or one of questionIDs.
func knownLinks(t *testing.T) func(string) bool {
	t.Helper()
	cat, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	questions := map[string]bool{}
	for _, id := range questionIDs {
		if _, clash := cat.Control(id); clash {
			t.Errorf("question %s has the same ID as a control", id)
		}
		questions[id] = true
	}
	return func(link string) bool {
		_, ok := cat.Control(link)
		return ok || questions[link]
	}
}

func builtIn(t *testing.T) []Scenario {
	t.Helper()
	list, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func TestDefaultHasTheScenarios(t *testing.T) {
	list := builtIn(t)
	var got []string
	for _, s := range list {
		got = append(got, s.ID)
	}
	want := []string{"email-takeover-invoices", "lost-laptop", "ransomware-friday-night", "supplier-offline", "worm-unpatched-pc"}
	for _, id := range want {
		if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+id+" ") {
			t.Errorf("no scenario %s; have %v", id, got)
		}
	}
	if len(list) < 5 {
		t.Errorf("%d scenarios, want at least 5", len(list))
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			t.Errorf("scenarios not in ID order: %v", got)
		}
	}
}

func TestDefaultScenariosAreComplete(t *testing.T) {
	known := knownLinks(t)
	for _, s := range builtIn(t) {
		t.Run(s.ID, func(t *testing.T) {
			if err := s.Validate(known); err != nil {
				t.Error(err)
			}
			roles := map[string]bool{}
			for _, r := range s.Roles {
				roles[r.ID] = true
			}
			for _, id := range []string{"registered-manager", "it-provider", "data-protection-lead"} {
				if !roles[id] {
					t.Errorf("no %s role", id)
				}
			}
			if len(s.Injects) == 0 {
				t.Fatal("no injects")
			}
			if s.Injects[0].AtMinutes != 0 {
				t.Errorf("first inject at %d minutes, want 0", s.Injects[0].AtMinutes)
			}
			for i := 1; i < len(s.Injects); i++ {
				if s.Injects[i].AtMinutes <= s.Injects[i-1].AtMinutes {
					t.Errorf("inject %d at %d minutes is not after inject %d at %d", i, s.Injects[i].AtMinutes, i-1, s.Injects[i-1].AtMinutes)
				}
			}
			if last := s.Injects[len(s.Injects)-1].AtMinutes; last >= s.DurationMinutes {
				t.Errorf("last inject at %d minutes, not before the end at %d", last, s.DurationMinutes)
			}
			for i, in := range s.Injects {
				if len(in.Questions) == 0 {
					t.Errorf("inject %d has no questions", i)
				}
				for j, g := range in.Good {
					if len(g.Links) == 0 {
						t.Errorf("inject %d, good item %d has no links", i, j)
					}
					for _, l := range g.Links {
						if !known(l) {
							t.Errorf("inject %d, good item %d: link %s is neither a control nor a question", i, j, l)
						}
					}
				}
			}
			if len(s.Debrief) == 0 {
				t.Error("no debrief questions")
			}
		})
	}
}

// Every built-in scenario puts personal data at risk, so each must walk
// through the reporting duties, with the ICO's 72 hours and nothing
// invented beside it.
func TestDefaultScenariosCoverReporting(t *testing.T) {
	for _, s := range builtIn(t) {
		var text strings.Builder
		reporting := false
		for _, in := range s.Injects {
			for _, g := range in.Good {
				text.WriteString(g.Text + "\n")
				for _, l := range g.Links {
					reporting = reporting || l == "people.breach-reporting"
				}
			}
		}
		all := text.String()
		for _, want := range []string{"ICO", "within 72 hours", "DSPT incident reporting tool"} {
			if !strings.Contains(all, want) {
				t.Errorf("%s: no good-practice item mentions %q", s.ID, want)
			}
		}
		if !reporting {
			t.Errorf("%s: no good-practice item links to people.breach-reporting", s.ID)
		}
		if strings.Contains(all, "Action Fraud") && !strings.Contains(all, "0300 123 2040") {
			t.Errorf("%s: mentions Action Fraud without its number", s.ID)
		}
	}
}

func TestDefaultReturnsACopy(t *testing.T) {
	first := builtIn(t)
	want := first[0].Injects[0].Good[0].Links[0]
	first[0].Title = "changed"
	first[0].Injects[0].Good[0].Links[0] = "changed.link"
	second := builtIn(t)
	if second[0].Title == "changed" || second[0].Injects[0].Good[0].Links[0] != want {
		t.Error("changing what Default returned changed the next call's scenarios")
	}
}

// validScenario is a small, complete scenario; the table tests below break
// it one way at a time.
const validScenario = `id: example
title: An example
summary: Something happens.
duration_minutes: 60
roles:
  - {id: registered-manager, name: Registered manager, brief: Leads.}
  - {id: it-provider, name: IT provider, brief: Fixes.}
  - {id: data-protection-lead, name: Data protection lead, brief: Decides about data.}
objectives:
  - Learn something.
injects:
  - at_minutes: 0
    title: First
    text: It starts.
    questions: [What now?]
    good:
      - text: A plan on paper.
        links: [people.incident-plan-offline]
  - at_minutes: 20
    title: Second
    text: It gets worse.
    questions: [And now?]
    good:
      - text: A tested backup.
        links: [backup.restore-tested]
debrief:
  - What did we learn?
`

func loadOne(name, content string) ([]Scenario, error) {
	return Load(fstest.MapFS{name: {Data: []byte(content)}})
}

func TestLoadValid(t *testing.T) {
	list, err := loadOne("scenarios/example.yaml", validScenario)
	if err != nil {
		t.Fatal(err)
	}
	want := []Scenario{{
		ID:              "example",
		Title:           "An example",
		Summary:         "Something happens.",
		DurationMinutes: 60,
		Roles: []Role{
			{"registered-manager", "Registered manager", "Leads."},
			{"it-provider", "IT provider", "Fixes."},
			{"data-protection-lead", "Data protection lead", "Decides about data."},
		},
		Objectives: []string{"Learn something."},
		Injects: []Inject{
			{AtMinutes: 0, Title: "First", Text: "It starts.", Questions: []string{"What now?"}, Good: []Good{{"A plan on paper.", []string{"people.incident-plan-offline"}}}},
			{AtMinutes: 20, Title: "Second", Text: "It gets worse.", Questions: []string{"And now?"}, Good: []Good{{"A tested backup.", []string{"backup.restore-tested"}}}},
		},
		Debrief: []string{"What did we learn?"},
		File:    "scenarios/example.yaml",
	}}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name    string
		file    string // default scenarios/example.yaml
		content string
		code    string // default EINVALID
		want    []string
	}{
		{
			name:    "unknown field",
			content: strings.Replace(validScenario, "summary:", "sumary:", 1),
			want:    []string{"scenarios/example.yaml", "line 3", `unknown field "sumary"`, "check the spelling"},
		},
		{
			name:    "unknown field in a good item",
			content: strings.Replace(validScenario, "links: [backup.restore-tested]", "link: [backup.restore-tested]", 1),
			want:    []string{"scenarios/example.yaml", `unknown field "link"`},
		},
		{
			name:    "decreasing at_minutes",
			content: strings.Replace(validScenario, "at_minutes: 20", "at_minutes: 0", 1),
			want:    []string{"scenarios/example.yaml", "line 19", "scenario example", "field injects[1].at_minutes", "not after the inject before it", "time order"},
		},
		{
			name:    "first inject not at 0",
			content: strings.Replace(validScenario, "at_minutes: 0", "at_minutes: 5", 1),
			want:    []string{"scenarios/example.yaml", "field injects[0].at_minutes", "set at_minutes to 0"},
		},
		{
			name:    "inject at the end of the session",
			content: strings.Replace(validScenario, "at_minutes: 20", "at_minutes: 60", 1),
			want:    []string{"scenarios/example.yaml", "field injects[1].at_minutes", "not before the end of the session"},
		},
		{
			name:    "missing role",
			content: strings.Replace(validScenario, "  - {id: it-provider, name: IT provider, brief: Fixes.}\n", "", 1),
			want:    []string{"scenarios/example.yaml", "line 6", "scenario example", "field roles", "no role with id it-provider"},
		},
		{
			name:    "role brief over two lines",
			content: strings.Replace(validScenario, "brief: Leads.}", "brief: \"Leads.\\nAnd more.\"}", 1),
			want:    []string{"scenarios/example.yaml", "field roles[0].brief", "one line"},
		},
		{
			name:    "good item with no link",
			content: strings.Replace(validScenario, "links: [backup.restore-tested]", "links: []", 1),
			want:    []string{"scenarios/example.yaml", "line 25", "scenario example", "field injects[1].good[0].links", "name at least one control or question ID"},
		},
		{
			name:    "good item with links left out",
			content: strings.Replace(validScenario, "        links: [backup.restore-tested]\n", "", 1),
			want:    []string{"scenarios/example.yaml", "line 24", "field injects[1].good[0].links", "missing"},
		},
		{
			name:    "link that is not an ID",
			content: strings.Replace(validScenario, "[backup.restore-tested]", "[Backup restore tested]", 1),
			want:    []string{"scenarios/example.yaml", "field injects[1].good[0].links[0]", "area.short-name"},
		},
		{
			name:    "link twice",
			content: strings.Replace(validScenario, "[backup.restore-tested]", "[backup.restore-tested, backup.restore-tested]", 1),
			want:    []string{"field injects[1].good[0].links[1]", "listed twice"},
		},
		{
			name:    "no injects",
			content: validScenario[:strings.Index(validScenario, "injects:")] + "debrief: [Why?]\n",
			want:    []string{"scenarios/example.yaml", "field injects", "missing"},
		},
		{
			name:    "no duration",
			content: strings.Replace(validScenario, "duration_minutes: 60\n", "", 1),
			want:    []string{"scenarios/example.yaml", "field duration_minutes", "missing"},
		},
		{
			name:    "at_minutes not a number",
			content: strings.Replace(validScenario, "at_minutes: 20", "at_minutes: twenty", 1),
			want:    []string{"scenarios/example.yaml", "line 19, column 17", "needs a whole number, not text"},
		},
		{
			name:    "id does not match the file name",
			file:    "scenarios/other.yaml",
			content: validScenario,
			want:    []string{"scenarios/other.yaml", "line 1", "field id", "rename the file to example.yaml"},
		},
		{
			name:    "id not in lower case",
			file:    "scenarios/Example.yaml",
			content: strings.Replace(validScenario, "id: example", "id: Example", 1),
			want:    []string{"scenarios/Example.yaml", "field id", "lower-case"},
		},
		{
			name:    "duplicate key",
			content: strings.Replace(validScenario, "title: An example\n", "title: An example\ntitle: Again\n", 1),
			want:    []string{"scenarios/example.yaml", "line 3", `"title" already defined`, "keep one"},
		},
		{
			name:    "alias",
			content: strings.Replace(strings.Replace(validScenario, "[people.incident-plan-offline]", "&l [people.incident-plan-offline]", 1), "[backup.restore-tested]", "*l", 1),
			want:    []string{"scenarios/example.yaml", "line 18", "anchors and aliases"},
		},
		{
			name:    "two documents",
			content: validScenario + "---\n" + validScenario,
			want:    []string{"scenarios/example.yaml", "more than one YAML document"},
		},
		{
			name:    "empty file",
			content: "# nothing yet\n",
			want:    []string{"scenarios/example.yaml", "empty"},
		},
		{
			name:    "a list, not a scenario",
			content: "- id: example\n",
			want:    []string{"scenarios/example.yaml", "not a sequence"},
		},
		{
			name:    "too large",
			content: validScenario + "# " + strings.Repeat("x", MaxScenarioSize) + "\n",
			code:    handwash.ETOOLARGE,
			want:    []string{"scenarios/example.yaml", "larger than 256 KiB"},
		},
		{
			name:    "no scenario files",
			file:    "scenarios/example.yml",
			content: validScenario,
			want:    []string{"no scenarios found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := tt.file
			if file == "" {
				file = "scenarios/example.yaml"
			}
			_, err := loadOne(file, tt.content)
			if err == nil {
				t.Fatal("loaded without an error")
			}
			code := tt.code
			if code == "" {
				code = handwash.EINVALID
			}
			var he *handwash.Error
			if !errors.As(err, &he) || he.Code != code {
				t.Fatalf("error %T %q, want a *handwash.Error with code %s", err, err, code)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

// A scenario built in code has no file, and Validate checks its links
// against what the caller knows.
func TestValidate(t *testing.T) {
	list, err := loadOne("scenarios/example.yaml", validScenario)
	if err != nil {
		t.Fatal(err)
	}
	s := list[0]
	s.File = ""
	if err := s.Validate(knownLinks(t)); err != nil {
		t.Fatalf("valid scenario: %v", err)
	}
	s.Injects[1].Good[0].Links = []string{"backup.restore-tested", "backup.restore-testd"}
	err = s.Validate(knownLinks(t))
	want := "scenario example, field injects[1].good[0].links[1]: no control or question has the ID \"backup.restore-testd\": check the spelling against the control catalogue and the self-assessment questions"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if handwash.ErrorCode(err) != handwash.EINVALID {
		t.Errorf("code %s, want %s", handwash.ErrorCode(err), handwash.EINVALID)
	}
	if err := s.Validate(nil); err != nil {
		t.Errorf("without a catalogue, links are only checked for shape: %v", err)
	}
}
