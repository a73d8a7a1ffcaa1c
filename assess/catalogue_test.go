package assess

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/policy"
)

func mustDefault(t *testing.T) *Catalogue {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDefaultLoads(t *testing.T) {
	c := mustDefault(t)
	if c.Version == "" {
		t.Error("no version")
	}
	if len(c.Questions) < len(requiredIDs) {
		t.Errorf("%d questions, want at least %d", len(c.Questions), len(requiredIDs))
	}
	// Load must read the embedded file the same way Default does.
	again, err := Load(bytes.NewReader(questionsYAML))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c.Questions, again.Questions); diff != "" {
		t.Errorf("Load and Default differ (-Default +Load):\n%s", diff)
	}
}

// requiredIDs are linked to from other code: each must exist, in its area,
// citing the DSPT items given.
var requiredIDs = map[string][]string{
	"backup.essential-data-identified":      nil,
	"backup.offline-copy":                   nil,
	"backup.restore-tested-12m":             {"7.3.4"},
	"people.accountable-person":             {"1.1.5"},
	"people.incident-plan-offline":          nil,
	"phishing.report-without-blame":         nil,
	"phishing.payment-changes-verified":     nil,
	"updates.nhs-cyber-alerts-registered":   nil,
	"passwords.supplier-remote-access-mfa":  nil,
	"devices.byod-policy":                   nil,
	"malware.admin-interfaces-not-exposed":  nil,
	"people.induction-covers-security":      {"2.1.1"},
	"people.contracts-data-security":        {"2.2.1"},
	"people.training-needs-analysis":        {"3.1.1"},
	"people.admin-accountability-agreement": {"4.3.1"},
	"people.asset-register":                 {"7.1.1"},
	"people.breach-reporting":               {"6.1.1"},
	"passwords.mfa-cloud-services":          nil,
	"updates.unsupported-software-plan":     nil,
	"passwords.leavers-removed":             nil,
	"passwords.admin-accounts-separate":     nil,
}

func TestRequiredQuestionsExist(t *testing.T) {
	c := mustDefault(t)
	for id, items := range requiredIDs {
		q, ok := c.Question(id)
		if !ok {
			t.Errorf("question %s is missing: other code links to it", id)
			continue
		}
		if area, _, _ := strings.Cut(id, "."); string(q.Area) != area {
			t.Errorf("%s is in area %s", id, q.Area)
		}
		for _, item := range items {
			if !citesDSPT(q, item) {
				t.Errorf("%s does not cite DSPT %s", id, item)
			}
		}
	}
	q, _ := c.Question("passwords.mfa-cloud-services")
	if q != nil && q.Refs.CyberEssentials != CEUserAccessControl {
		t.Errorf("passwords.mfa-cloud-services cites Cyber Essentials %q, want %q", q.Refs.CyberEssentials, CEUserAccessControl)
	}
}

func citesDSPT(q *Question, item string) bool {
	for _, d := range q.Refs.DSPT {
		if d.Item == item {
			return true
		}
	}
	return false
}

// dsptLevels is every DSPT item the catalogue may cite, with the level and
// whether it is confirmed, as the domain digest gives them. A new citation
// must be added here from the digest, not guessed.
var dsptLevels = map[string]DSPTRef{
	"1.1.5": {Level: DSPTApproaching, Confirmed: true},
	"1.6.6": {Level: DSPTApproaching, Confirmed: false}, // on the 2020-21 Approaching Standards list; not checked since
	"2.1.1": {Level: DSPTApproaching, Confirmed: true},
	"2.2.1": {Level: DSPTApproaching, Confirmed: true},
	"3.1.1": {Level: DSPTMet, Confirmed: true},
	"3.2.1": {Level: DSPTMet, Confirmed: true},
	"4.3.1": {Level: DSPTMet, Confirmed: true},
	"4.5.3": {Level: DSPTMet, Confirmed: true},
	"6.1.1": {Level: DSPTApproaching, Confirmed: true},
	"6.2.1": {Level: DSPTMet, Confirmed: false},
	"6.3.2": {},
	"7.1.1": {Level: DSPTMet, Confirmed: true},
	"7.3.4": {Level: DSPTMet, Confirmed: false},
	"8.3.1": {},
	"9.1.1": {Level: DSPTMet, Confirmed: false},
}

func TestDSPTCitationsMatchSources(t *testing.T) {
	for _, q := range mustDefault(t).Questions {
		for _, d := range q.Refs.DSPT {
			want, ok := dsptLevels[d.Item]
			if !ok {
				t.Errorf("%s cites DSPT %s, which the sources do not give", q.ID, d.Item)
				continue
			}
			want.Item = d.Item
			if d != want {
				t.Errorf("%s cites %+v, want %+v", q.ID, d, want)
			}
		}
	}
}

func TestControlsExist(t *testing.T) {
	pc, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range mustDefault(t).Questions {
		// Links name either a control or a question, so the two never share an ID.
		if _, clash := pc.Control(q.ID); clash {
			t.Errorf("question %s has the same ID as a control", q.ID)
		}
		for _, id := range q.Controls {
			if _, ok := pc.Control(id); !ok {
				t.Errorf("%s names control %s, which is not in the policy catalogue", q.ID, id)
			}
		}
	}
}

var mfaWord = regexp.MustCompile(`\bMFA\b`)

func TestQuestionsAreWellWritten(t *testing.T) {
	c := mustDefault(t)
	seen := map[string]bool{}
	perArea := map[handwash.Area]int{}
	for _, q := range c.Questions {
		if seen[q.ID] {
			t.Errorf("%s: duplicate ID", q.ID)
		}
		seen[q.ID] = true
		perArea[q.Area]++
		if !q.Area.Valid() {
			t.Errorf("%s: unknown area %q", q.ID, q.Area)
		}
		if !strings.HasSuffix(q.Question, "?") {
			t.Errorf("%s: question does not end with a question mark", q.ID)
		}
		if q.Help == "" {
			t.Errorf("%s: no help", q.ID)
		}
		if !strings.HasSuffix(q.Help, ".") || !strings.HasSuffix(q.Evidence, ".") {
			t.Errorf("%s: help and evidence should be full sentences", q.ID)
		}
		if strings.Contains(q.Help, "\n") {
			t.Errorf("%s: help has a line break: write it as a folded block (>)", q.ID)
		}
		for field, text := range map[string]string{"question": q.Question, "help": q.Help, "evidence": q.Evidence} {
			if mfaWord.MatchString(text) && !strings.Contains(text, "two-step") && !strings.Contains(text, "multi-factor") {
				t.Errorf("%s: %s says MFA without explaining it as two-step verification or multi-factor authentication", q.ID, field)
			}
		}
		// Every question is ranked in the action plan.
		if q.Severity.Rank() < 0 {
			t.Errorf("%s: severity %q", q.ID, q.Severity)
		}
		if q.Effort.Rank() < 0 {
			t.Errorf("%s: effort %q", q.ID, q.Effort)
		}
	}
	for _, a := range handwash.Areas {
		if perArea[a] == 0 {
			t.Errorf("area %s has no questions", a)
		}
	}
}

func TestQuestionAndByArea(t *testing.T) {
	c := mustDefault(t)
	q, ok := c.Question("backup.offline-copy")
	if !ok || q.ID != "backup.offline-copy" || q.Area != handwash.AreaBackup {
		t.Fatalf("Question(backup.offline-copy) = %+v, %v", q, ok)
	}
	if _, ok := c.Question("backup.nonexistent"); ok {
		t.Error("Question found an ID that does not exist")
	}
	total := 0
	for _, a := range handwash.Areas {
		qs := c.ByArea(a)
		total += len(qs)
		for _, q := range qs {
			if q.Area != a {
				t.Errorf("ByArea(%s) returned %s", a, q.ID)
			}
		}
	}
	if total != len(c.Questions) {
		t.Errorf("ByArea over every area gives %d questions, want %d", total, len(c.Questions))
	}
	if got := c.ByArea("nonsense"); len(got) != 0 {
		t.Errorf("ByArea(nonsense) = %d questions", len(got))
	}
}

const goodCatalogue = `version: "1"
questions:
  - id: backup.offline-copy
    area: backup
    question: Is a copy kept offline?
    help: >
      Ransomware deletes backups it can reach.
    evidence: Where the copy is kept.
    refs:
      ncsc: "Backing up your data: keep your backup separate from your computer"
      dspt:
        - {item: "7.3.4", level: met, confirmed: false}
    controls: [backup.separate]
    severity: high
    effort: medium
  - id: people.accountable-person
    area: people
    question: Is someone accountable?
    help: Someone has to decide.
    evidence: The minutes.
    refs:
      dspt:
        - item: "1.1.5"
          level: approaching
          confirmed: true
`

func TestLoadGood(t *testing.T) {
	c, err := Load(strings.NewReader(goodCatalogue))
	if err != nil {
		t.Fatal(err)
	}
	q, ok := c.Question("backup.offline-copy")
	if !ok {
		t.Fatal("question not found")
	}
	want := Question{
		ID:       "backup.offline-copy",
		Area:     handwash.AreaBackup,
		Question: "Is a copy kept offline?",
		Help:     "Ransomware deletes backups it can reach.",
		Evidence: "Where the copy is kept.",
		Refs: Refs{
			NCSC: "Backing up your data: keep your backup separate from your computer",
			DSPT: []DSPTRef{{Item: "7.3.4", Level: DSPTMet}},
		},
		Controls: []string{"backup.separate"},
		Severity: handwash.SeverityHigh,
		Effort:   EffortMedium,
	}
	if diff := cmp.Diff(want, *q); diff != "" {
		t.Errorf("question (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := map[string]struct {
		yaml string
		want []string // each must appear in the message
	}{
		"unknown field": {
			strings.Replace(goodCatalogue, "    severity: high\n", "    severity: high\n    colour: red\n", 1),
			[]string{"line 15", "question backup.offline-copy", `field "colour"`, "remove it or correct the spelling"},
		},
		"unknown field in refs": {
			strings.Replace(goodCatalogue, "      ncsc:", "      nscs:", 1),
			[]string{"line 10", "question backup.offline-copy", `field "nscs"`},
		},
		"duplicate id": {
			strings.Replace(goodCatalogue, "id: people.accountable-person\n    area: people", "id: backup.offline-copy\n    area: backup", 1),
			[]string{"line 16", "question backup.offline-copy", `field "id"`, "already used by the question on line 3"},
		},
		"bad area": {
			strings.Replace(goodCatalogue, "area: backup", "area: bakup", 1),
			[]string{"line 4", "question backup.offline-copy", `field "area"`, `unknown area "bakup"`, "use one of backup, malware"},
		},
		"missing question": {
			strings.Replace(goodCatalogue, "    question: Is someone accountable?\n", "", 1),
			[]string{"line 16", "question people.accountable-person", `field "question"`, "missing: write the question"},
		},
		"not a question": {
			strings.Replace(goodCatalogue, "Is someone accountable?", "Someone is accountable.", 1),
			[]string{"question people.accountable-person", `field "question"`, "question mark"},
		},
		"missing id": {
			strings.Replace(goodCatalogue, "  - id: people.accountable-person\n    area", "  - area", 1),
			[]string{"line 16", "question 2 (no id)", `field "id"`, "missing"},
		},
		"id outside its area": {
			strings.Replace(goodCatalogue, "area: backup", "area: malware", 1),
			[]string{"question backup.offline-copy", `field "id"`, `must start with the question's area, "malware."`},
		},
		"missing help": {
			strings.Replace(goodCatalogue, "    help: Someone has to decide.\n", "", 1),
			[]string{"question people.accountable-person", `field "help"`, "missing"},
		},
		"no refs": {
			strings.Replace(goodCatalogue, "    refs:\n      dspt:\n        - item: \"1.1.5\"\n          level: approaching\n          confirmed: true\n", "", 1),
			[]string{"question people.accountable-person", `field "refs"`, "cite at least one"},
		},
		"bad ncsc section": {
			strings.Replace(goodCatalogue, `ncsc: "Backing up your data:`, `ncsc: "Backups:`, 1),
			[]string{"line 10", "question backup.offline-copy", `field "refs.ncsc"`, `"Backing up your data"`},
		},
		"bad cyber essentials requirement": {
			strings.Replace(goodCatalogue, "      dspt:\n        - {item", "      cyber_essentials: patching\n      dspt:\n        - {item", 1),
			[]string{"question backup.offline-copy", `field "refs.cyber_essentials"`, `unknown requirement "patching"`, "security-update-management"},
		},
		"bad dspt item": {
			strings.Replace(goodCatalogue, `item: "7.3.4"`, `item: "7.3"`, 1),
			[]string{"line 12", "question backup.offline-copy", `field "refs.dspt[0].item"`, `"7.3" is not a DSPT evidence item number`},
		},
		"bad dspt level": {
			strings.Replace(goodCatalogue, "level: met", "level: exceeded", 1),
			[]string{"question backup.offline-copy", `field "refs.dspt[0].level"`, `unknown level "exceeded"`},
		},
		"level without confirmed": {
			strings.Replace(goodCatalogue, "          confirmed: true\n", "", 1),
			[]string{"question people.accountable-person", `field "refs.dspt[0].confirmed"`, "confirmed: false"},
		},
		"confirmed without level": {
			strings.Replace(goodCatalogue, "          level: approaching\n", "", 1),
			[]string{"question people.accountable-person", `field "refs.dspt[0].confirmed"`, "no level is given"},
		},
		"bad control id": {
			strings.Replace(goodCatalogue, "[backup.separate]", "[Backup Separate]", 1),
			[]string{"question backup.offline-copy", `field "controls[0]"`, "not a control ID"},
		},
		"bad severity": {
			strings.Replace(goodCatalogue, "severity: high", "severity: urgent", 1),
			[]string{"line 14", "question backup.offline-copy", `field "severity"`, `unknown severity "urgent"`},
		},
		"bad effort": {
			strings.Replace(goodCatalogue, "effort: medium", "effort: lots", 1),
			[]string{"line 15", "question backup.offline-copy", `field "effort"`, `unknown effort "lots"`},
		},
		"wrong type": {
			strings.Replace(goodCatalogue, "[backup.separate]", "{a: b}", 1),
			[]string{"line 13", "question backup.offline-copy"},
		},
		"no version": {
			strings.Replace(goodCatalogue, "version: \"1\"\n", "", 1),
			[]string{`field "version"`, "missing"},
		},
		"no questions":      {"version: \"1\"\n", []string{`field "questions"`, "no questions"}},
		"unknown top level": {goodCatalogue + "extra: 1\n", []string{"line 26", `field "extra"`}},
		"not yaml":          {"version: [unclosed\n", []string{"question catalogue: line 1"}},
		"a list":            {"- a\n- b\n", []string{"question catalogue: line 1"}},
		"empty":             {"", []string{`field "version"`}},
		"two documents":     {goodCatalogue + "---\nversion: \"2\"\n", []string{"line 27", "second YAML document"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Load(strings.NewReader(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			if code := handwash.ErrorCode(err); code != handwash.EINVALID {
				t.Errorf("code = %s, want %s", code, handwash.EINVALID)
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error = %q\nwant it to contain %q", err, want)
				}
			}
		})
	}
}

func TestLoadTooLarge(t *testing.T) {
	_, err := Load(strings.NewReader("# " + strings.Repeat("x", MaxCatalogueSize)))
	if code := handwash.ErrorCode(err); code != handwash.ETOOLARGE {
		t.Errorf("code = %s (%v), want %s", code, err, handwash.ETOOLARGE)
	}
}

// A broken catalogue names every problem, not only the first.
func TestLoadReportsEveryProblem(t *testing.T) {
	bad := strings.Replace(goodCatalogue, "area: backup", "area: bakup", 1)
	bad = strings.Replace(bad, "effort: medium", "effort: lots", 1)
	_, err := Load(strings.NewReader(bad))
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "line 4") || !strings.Contains(lines[1], "line 15") {
		t.Errorf("error = %q, want the area problem (line 4) then the effort problem (line 15)", err)
	}
}

func FuzzLoad(f *testing.F) {
	f.Add(questionsYAML)
	f.Add([]byte(goodCatalogue))
	f.Add([]byte("version: \"1\"\nquestions: []\n"))
	f.Add([]byte("questions:\n  - {id: a.b, area: backup}\n"))
	f.Add([]byte("questions:\n  - refs: {dspt: [{item: 1.1.5, confirmed: yes}]}\n"))
	f.Add([]byte("- - -\n"))
	f.Add([]byte("questions:\n  ! #0000000000000000000"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Load(bytes.NewReader(b))
		if err != nil {
			if code := handwash.ErrorCode(err); code != handwash.EINVALID && code != handwash.ETOOLARGE {
				t.Fatalf("error %v has code %s", err, code)
			}
			return
		}
		if c.Version == "" || len(c.Questions) == 0 {
			t.Fatalf("incomplete catalogue accepted: version %q, %d questions", c.Version, len(c.Questions))
		}
		for i := range c.Questions {
			q := &c.Questions[i]
			if !idPattern.MatchString(q.ID) || !q.Area.Valid() || !strings.HasSuffix(q.Question, "?") || q.Help == "" || q.Evidence == "" {
				t.Fatalf("invalid question accepted: %+v", q)
			}
			if got, ok := c.Question(q.ID); !ok || got != q {
				t.Fatalf("Question(%q) does not find question %d", q.ID, i)
			}
		}
	})
}
