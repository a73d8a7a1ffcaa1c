// Package assess is the self-assessment: the questions about an organisation
// that no device can answer, such as whether a restore has been tested, who
// is accountable for data security, or whether staff know how to report a
// phishing email.
//
// The questions are data: questions.yaml, built into the program. Each names
// its area, plain-English help for a registered manager with no IT
// background, the evidence to keep, and the guidance it comes from (the NCSC
// Small Business Guide, Cyber Essentials and the NHS Data Security and
// Protection Toolkit). Answers are stored elsewhere; this package says which
// answers are valid, which have passed their review date, and how far an
// organisation has got.
package assess

import (
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/handwash/handwash"
)

//go:embed questions.yaml
var questionsYAML []byte

// MaxCatalogueSize is the largest question catalogue Load reads, in bytes.
const MaxCatalogueSize = 1 << 20

// Question is one self-assessment question.
type Question struct {
	// ID is area.short-name, such as backup.offline-copy. Answers and other
	// code link to it, so it never changes once published.
	ID   string        `json:"id" yaml:"id"`
	Area handwash.Area `json:"area" yaml:"area"`
	// Question is what is asked, in plain English, answerable yes, partly
	// or no; it ends with a question mark.
	Question string `json:"question" yaml:"question"`
	// Help says why the question matters to a care provider, what "yes"
	// looks like and how to get there.
	Help string `json:"help" yaml:"help"`
	// Evidence says, in one sentence, what to keep to show the answer.
	Evidence string `json:"evidence" yaml:"evidence"`
	// Refs name the guidance the question comes from.
	Refs Refs `json:"refs" yaml:"refs"`
	// Controls names related device controls in the policy catalogue.
	Controls []string `json:"controls,omitempty" yaml:"controls"`
	// Severity says how much a "no" matters; empty when not set.
	Severity handwash.Severity `json:"severity,omitempty" yaml:"severity"`
	// Effort says how much work a typical care provider needs to get to
	// "yes"; empty when not set.
	Effort Effort `json:"effort,omitempty" yaml:"effort"`
}

// Refs are the guidance a question comes from. At least one is given.
type Refs struct {
	// NCSC names the section of the NCSC Small Business Guide, or of its
	// Response & Recovery companion, optionally followed by ": " and the tip,
	// e.g. "Backing up your data: keep your backup separate from your computer".
	NCSC string `json:"ncsc,omitempty" yaml:"ncsc"`
	// CyberEssentials names the Cyber Essentials requirement: one of
	// CyberEssentialsRequirements, or empty.
	CyberEssentials string `json:"cyber_essentials,omitempty" yaml:"cyber_essentials"`
	// DSPT lists the Data Security and Protection Toolkit evidence items.
	DSPT []DSPTRef `json:"dspt,omitempty" yaml:"dspt"`
}

// DSPTRef is one Data Security and Protection Toolkit evidence item.
type DSPTRef struct {
	// Item is the evidence item number, such as "1.1.5".
	Item string `json:"item" yaml:"item"`
	// Level is the lowest DSPT level that requires the item: DSPTApproaching
	// or DSPTMet, or empty when the sources do not say.
	Level string `json:"level,omitempty" yaml:"level"`
	// Confirmed is true when the level has been checked in the DSPT's own
	// guidance, and false when it is recalled but not verified. The
	// catalogue must say which whenever it gives a level.
	Confirmed bool `json:"confirmed,omitempty" yaml:"confirmed"`
}

// DSPT levels an evidence item can be required at.
const (
	DSPTApproaching = "approaching" // Approaching Standards (social care only)
	DSPTMet         = "met"         // Standards Met
)

// The Cyber Essentials technical requirements.
const (
	CEFirewalls                = "firewalls"
	CESecureConfiguration      = "secure-configuration"
	CESecurityUpdateManagement = "security-update-management"
	CEUserAccessControl        = "user-access-control"
	CEMalwareProtection        = "malware-protection"
)

// CyberEssentialsRequirements lists the Cyber Essentials requirements a
// question can cite.
var CyberEssentialsRequirements = []string{CEFirewalls, CESecureConfiguration, CESecurityUpdateManagement, CEUserAccessControl, CEMalwareProtection}

// NCSCSections lists the NCSC guide sections a question can cite: the five
// of the Small Business Guide and its Response & Recovery companion.
var NCSCSections = []string{
	"Backing up your data",
	"Protecting your organisation from malware",
	"Keeping your smartphones (and tablets) safe",
	"Using passwords to protect your data",
	"Avoiding phishing attacks",
	"Response & Recovery",
}

// Effort is how much work it takes to get a question to "yes".
type Effort string

// Efforts from least to most work.
const (
	EffortLow    Effort = "low"
	EffortMedium Effort = "medium"
	EffortHigh   Effort = "high"
)

// Rank orders efforts: low 0, medium 1, high 2; unknown values rank -1.
func (e Effort) Rank() int {
	switch e {
	case EffortLow:
		return 0
	case EffortMedium:
		return 1
	case EffortHigh:
		return 2
	}
	return -1
}

// Catalogue is a loaded, checked set of questions. Get one from Default or
// Load: a Catalogue built by hand finds no questions by ID.
type Catalogue struct {
	// Version names this catalogue; it changes whenever a question does.
	Version string
	// Questions are in the order the file gives them.
	Questions []Question

	byID map[string]int
}

var defaultCatalogue = sync.OnceValues(func() (*Catalogue, error) {
	return parse(questionsYAML, "assess/questions.yaml")
})

// Default returns the question catalogue built into Handwash. It is shared:
// do not change it.
func Default() (*Catalogue, error) { return defaultCatalogue() }

// Question returns the question with this ID.
func (c *Catalogue) Question(id string) (*Question, bool) {
	i, ok := c.byID[id]
	if !ok {
		return nil, false
	}
	return &c.Questions[i], true
}

// ByArea returns the questions in one area, in catalogue order.
func (c *Catalogue) ByArea(area handwash.Area) []Question {
	var qs []Question
	for _, q := range c.Questions {
		if q.Area == area {
			qs = append(qs, q)
		}
	}
	return qs
}

// Load reads a question catalogue in the format of questions.yaml: a
// version and a list of questions. Unknown fields are refused. Every
// problem is a *handwash.Error (EINVALID, or ETOOLARGE) naming the line,
// the question and the field, and saying what to change.
func Load(r io.Reader) (*Catalogue, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxCatalogueSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading the question catalogue: %w", err)
	}
	return parse(b, "question catalogue")
}

type catalogueFile struct {
	Version   string     `yaml:"version"`
	Questions []Question `yaml:"questions"`
}

var (
	idPattern      = regexp.MustCompile(`^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$`)
	dsptPattern    = regexp.MustCompile(`^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}$`)
	unknownField   = regexp.MustCompile(`unknown field "([^"]*)"`)
	areaNames      = joinAreas()
	severityChoice = "critical, high, medium, low or info"
)

func joinAreas() string {
	names := make([]string, len(handwash.Areas))
	for i, a := range handwash.Areas {
		names[i] = string(a)
	}
	return strings.Join(names, ", ")
}

// parse reads and checks a catalogue; name starts every message.
func parse(b []byte, name string) (c *Catalogue, err error) {
	// The YAML library panics on some malformed input (see FuzzLoad and
	// policy's FuzzParseExceptions): treat that as bad input.
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, handwash.Errorf(handwash.EINVALID, "%s: this is not a YAML file Handwash can read: compare it with assess/questions.yaml", name)
		}
	}()
	if len(b) > MaxCatalogueSize {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "%s is larger than %d KiB: split long help text or check it is the right file", name, MaxCatalogueSize>>10)
	}
	file, err := parser.ParseBytes(b, 0)
	if err != nil {
		return nil, &handwash.Error{Code: handwash.EINVALID, Message: fmt.Sprintf("%s: %s", name, yamlError(err)), Err: err}
	}
	loc := locator{file: file}
	var raw catalogueFile
	if len(file.Docs) > 1 {
		where := ""
		if tk := file.Docs[1].GetToken(); tk != nil {
			where = fmt.Sprintf("line %d: ", tk.Position.Line)
		}
		return nil, handwash.Errorf(handwash.EINVALID, "%s: %sa second YAML document starts here: keep the whole catalogue in one document, without ---", name, where)
	}
	if len(file.Docs) == 1 && file.Docs[0].Body != nil {
		err = yaml.NodeToValue(file.Docs[0].Body, &raw, yaml.Strict())
	}
	if err != nil {
		return nil, &handwash.Error{Code: handwash.EINVALID, Message: fmt.Sprintf("%s: %s", name, loc.decodeError(err)), Err: err}
	}

	var problems []problem
	if strings.TrimSpace(raw.Version) == "" {
		problems = append(problems, problem{loc.lineOr("$.version", 1), `field "version": missing: give the catalogue a version, such as "2026.11.30", and change it whenever a question changes`})
	}
	if len(raw.Questions) == 0 {
		problems = append(problems, problem{loc.lineOr("$.questions", 1), `field "questions": the catalogue has no questions: add at least one`})
	}
	c = &Catalogue{Version: strings.TrimSpace(raw.Version), Questions: raw.Questions, byID: map[string]int{}}
	firstLine := map[string]int{}
	for i := range c.Questions {
		q := &c.Questions[i]
		trim(q)
		problems = append(problems, loc.check(i, q, firstLine)...)
		if _, dup := c.byID[q.ID]; !dup && q.ID != "" {
			c.byID[q.ID] = i
		}
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool { return problems[i].line < problems[j].line })
		lines := make([]string, len(problems))
		for i, p := range problems {
			lines[i] = fmt.Sprintf("%s: line %d: %s", name, p.line, p.text)
		}
		return nil, handwash.Errorf(handwash.EINVALID, "%s", strings.Join(lines, "\n"))
	}
	return c, nil
}

// trim removes the spaces and trailing newlines YAML block scalars leave.
func trim(q *Question) {
	q.ID = strings.TrimSpace(q.ID)
	q.Question = strings.TrimSpace(q.Question)
	q.Help = strings.TrimSpace(q.Help)
	q.Evidence = strings.TrimSpace(q.Evidence)
	q.Refs.NCSC = strings.TrimSpace(q.Refs.NCSC)
	q.Refs.CyberEssentials = strings.TrimSpace(q.Refs.CyberEssentials)
	for i := range q.Refs.DSPT {
		q.Refs.DSPT[i].Item = strings.TrimSpace(q.Refs.DSPT[i].Item)
		q.Refs.DSPT[i].Level = strings.TrimSpace(q.Refs.DSPT[i].Level)
	}
	for i := range q.Controls {
		q.Controls[i] = strings.TrimSpace(q.Controls[i])
	}
}

type problem struct {
	line int
	text string
}

// check returns what is wrong with question i. firstLine maps each ID seen
// so far to the line of its question, to name the first of two duplicates.
func (l locator) check(i int, q *Question, firstLine map[string]int) []problem {
	qpath := fmt.Sprintf("$.questions[%d]", i)
	start := l.lineOr(qpath, 1)
	who := fmt.Sprintf("question %d (no id)", i+1)
	if q.ID != "" {
		who = "question " + q.ID
	}
	var ps []problem
	add := func(field, format string, args ...any) {
		ps = append(ps, problem{
			line: l.lineOr(qpath+"."+field, start),
			text: fmt.Sprintf("%s, field %q: %s", who, field, fmt.Sprintf(format, args...)),
		})
	}

	switch {
	case q.ID == "":
		add("id", "missing: give an ID of the form area.short-name, such as backup.offline-copy")
	case !idPattern.MatchString(q.ID):
		add("id", "%q is not of the form area.short-name in lower case, such as backup.offline-copy", q.ID)
	case q.Area.Valid() && !strings.HasPrefix(q.ID, string(q.Area)+"."):
		add("id", "must start with the question's area, %q", string(q.Area)+".")
	}
	if q.ID != "" {
		if prev, dup := firstLine[q.ID]; dup {
			add("id", "already used by the question on line %d: give each question its own ID", prev)
		} else {
			firstLine[q.ID] = start
		}
	}
	switch {
	case q.Area == "":
		add("area", "missing: use one of %s", areaNames)
	case !q.Area.Valid():
		add("area", "unknown area %q: use one of %s", q.Area, areaNames)
	}
	switch {
	case q.Question == "":
		add("question", "missing: write the question in plain English, answerable yes, partly or no, ending with a question mark")
	case !strings.HasSuffix(q.Question, "?"):
		add("question", "must end with a question mark")
	}
	if q.Help == "" {
		add("help", `missing: say in plain English why this matters to a care provider, what "yes" looks like and how to get there`)
	}
	if q.Evidence == "" {
		add("evidence", "missing: say in one sentence what to keep as evidence")
	}

	r := q.Refs
	if r.NCSC == "" && r.CyberEssentials == "" && len(r.DSPT) == 0 {
		add("refs", "missing: cite at least one of ncsc, cyber_essentials or dspt")
	}
	if r.NCSC != "" && !knownSection(r.NCSC) {
		add("refs.ncsc", "%q is not a section of the NCSC guides, alone or followed by a colon and the tip: use one of %s", r.NCSC, quoteAll(NCSCSections))
	}
	if r.CyberEssentials != "" && !contains(CyberEssentialsRequirements, r.CyberEssentials) {
		add("refs.cyber_essentials", "unknown requirement %q: use one of %s, or leave it out", r.CyberEssentials, strings.Join(CyberEssentialsRequirements, ", "))
	}
	items := map[string]bool{}
	for j, d := range r.DSPT {
		field := fmt.Sprintf("refs.dspt[%d]", j)
		switch {
		case d.Item == "":
			add(field+".item", "missing: give the DSPT evidence item number, such as 1.1.5")
		case !dsptPattern.MatchString(d.Item):
			add(field+".item", "%q is not a DSPT evidence item number such as 1.1.5", d.Item)
		case items[d.Item]:
			add(field+".item", "%s is cited twice: remove one", d.Item)
		}
		items[d.Item] = true
		confirmedGiven := l.present(qpath + "." + field + ".confirmed")
		switch {
		case d.Level != "" && d.Level != DSPTApproaching && d.Level != DSPTMet:
			add(field+".level", "unknown level %q: use %s or %s, or leave it out when the sources do not give one", d.Level, DSPTApproaching, DSPTMet)
		case d.Level != "" && !confirmedGiven:
			add(field+".confirmed", "missing: say confirmed: true if the level is verified in the DSPT guidance, or confirmed: false if it is not")
		case d.Level == "" && confirmedGiven:
			add(field+".confirmed", "says whether a level is verified, but no level is given: give the level or remove confirmed")
		}
	}
	seen := map[string]bool{}
	for j, id := range q.Controls {
		field := fmt.Sprintf("controls[%d]", j)
		switch {
		case !idPattern.MatchString(id):
			add(field, "%q is not a control ID such as backup.restore-tested", id)
		case seen[id]:
			add(field, "%s is listed twice: remove one", id)
		}
		seen[id] = true
	}
	if q.Severity != "" && q.Severity.Rank() < 0 {
		add("severity", "unknown severity %q: use %s, or leave it out", q.Severity, severityChoice)
	}
	if q.Effort != "" && q.Effort.Rank() < 0 {
		add("effort", "unknown effort %q: use low, medium or high, or leave it out", q.Effort)
	}
	return ps
}

func knownSection(s string) bool {
	for _, sec := range NCSCSections {
		if s == sec || (strings.HasPrefix(s, sec+": ") && strings.TrimSpace(s[len(sec)+2:]) != "") {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func quoteAll(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// locator finds where things are in the parsed YAML, for messages.
type locator struct{ file *ast.File }

// node returns the node at a YAML path such as $.questions[2].area.
func (l locator) node(path string) ast.Node {
	p, err := yaml.PathString(path)
	if err != nil {
		return nil
	}
	n, err := p.FilterFile(l.file)
	if err != nil || n == nil {
		return nil
	}
	return n
}

// present reports whether the path is written in the file.
func (l locator) present(path string) bool { return l.node(path) != nil }

// lineOr returns the line of the node at path, or def if it is not there.
func (l locator) lineOr(path string, def int) int {
	n := l.node(path)
	if n == nil || n.GetToken() == nil {
		return def
	}
	return startLine(n)
}

func startLine(n ast.Node) int {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		return m.Values[0].Key.GetToken().Position.Line
	}
	return n.GetToken().Position.Line
}

// decodeError turns a decoding error into one line naming the line, the
// question it falls in, and, for an unknown field, the field.
func (l locator) decodeError(err error) string {
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return yamlError(err)
	}
	line := ye.GetToken().Position.Line
	msg := ye.GetMessage()
	where := fmt.Sprintf("line %d", line)
	if who := l.questionAt(line); who != "" {
		where += ": " + who
	}
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("%s, field %q: not a field Handwash knows: remove it or correct the spelling, comparing it with the other questions", where, m[1])
	}
	return fmt.Sprintf("%s: %s: compare it with the other questions in the file", where, msg)
}

// questionAt names the question that line falls in, or returns "" if it is
// outside every question.
func (l locator) questionAt(line int) string {
	seq, ok := l.node("$.questions").(*ast.SequenceNode)
	if !ok {
		return ""
	}
	// The list ends where the next top-level key starts.
	end := int(^uint(0) >> 1)
	if len(l.file.Docs) > 0 {
		if root, ok := l.file.Docs[0].Body.(*ast.MappingNode); ok {
			listStart := seq.GetToken().Position.Line
			for _, kv := range root.Values {
				if kl := kv.Key.GetToken().Position.Line; kl > listStart && kl < end {
					end = kl
				}
			}
		}
	}
	if line >= end {
		return ""
	}
	found := -1
	for i, v := range seq.Values {
		if v != nil && v.GetToken() != nil && startLine(v) <= line {
			found = i
		}
	}
	if found < 0 {
		return ""
	}
	if id, ok := l.node(fmt.Sprintf("$.questions[%d].id", found)).(*ast.StringNode); ok && strings.TrimSpace(id.Value) != "" {
		return "question " + strings.TrimSpace(id.Value)
	}
	return fmt.Sprintf("question %d (no id)", found+1)
}

// yamlError turns a YAML library error into one plain line with its
// position.
func yamlError(err error) string {
	s := strings.TrimSpace(yaml.FormatError(err, false, false))
	if i := strings.IndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	// "[3:5] unknown field ..." → "line 3, column 5: unknown field ..."
	if strings.HasPrefix(s, "[") {
		if end := strings.IndexByte(s, ']'); end > 0 {
			var line, col int
			if _, err := fmt.Sscanf(s[1:end], "%d:%d", &line, &col); err == nil {
				s = fmt.Sprintf("line %d, column %d: %s", line, col, strings.TrimSpace(s[end+1:]))
			}
		}
	}
	return s
}
