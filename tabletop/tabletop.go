// Package tabletop holds tabletop exercises for care providers, in the style
// of the NCSC's Exercise in a Box: a facilitator reads out what happens, a
// piece at a time, and the people who would deal with it for real talk
// through what they would do.
//
// Scenarios are data: YAML files embedded from scenarios/, one per
// exercise. Each piece of the story (an inject) says what good looks like,
// and every item of good practice names the device controls (policy
// catalogue IDs) or self-assessment questions it depends on. A gap found in
// discussion so becomes an action tied to something Handwash can check or
// ask about, rather than a note that is forgotten.
//
// Running an exercise is plain data too (Run): the answers people gave and
// how the group rated itself against each item of good practice. Report
// turns a Run into an after-action summary. Nothing here stores anything.
package tabletop

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/handwash/handwash"
)

//go:embed scenarios/*.yaml
var scenariosFS embed.FS

// MaxScenarioSize is the largest scenario file Load reads, in bytes.
const MaxScenarioSize = 256 << 10

// MaxDurationMinutes is the longest exercise a scenario may plan for: a
// working day. Exercise in a Box sessions take about 90 minutes.
const MaxDurationMinutes = 480

// Scenario is one tabletop exercise: the story, who takes part, and what
// good looks like at each step.
type Scenario struct {
	// ID names the scenario in lower case with hyphens, and is also the
	// name of its file (ransomware-friday-night.yaml).
	ID string `yaml:"id" json:"id"`
	// Title is the scenario's name as participants see it.
	Title string `yaml:"title" json:"title"`
	// Summary tells the facilitator in a paragraph what the exercise is
	// about and why it matters.
	Summary string `yaml:"summary" json:"summary"`
	// DurationMinutes is how long the session is planned to take.
	DurationMinutes int `yaml:"duration_minutes" json:"duration_minutes"`
	// Roles are the people round the table; every scenario has at least a
	// registered manager, an IT provider and a data protection lead.
	Roles []Role `yaml:"roles" json:"roles"`
	// Objectives say what the organisation should have learnt or checked
	// by the end.
	Objectives []string `yaml:"objectives" json:"objectives"`
	// Injects are the pieces of the story, in the order they are read out.
	Injects []Inject `yaml:"injects" json:"injects"`
	// Debrief holds the questions for the end of the session.
	Debrief []string `yaml:"debrief" json:"debrief"`
	// File is the file the scenario was read from, for messages; it is
	// empty for a scenario built in code.
	File string `yaml:"-" json:"-"`
}

// Role is one part someone plays in the exercise.
type Role struct {
	// ID names the role in lower case with hyphens, such as
	// registered-manager.
	ID string `yaml:"id" json:"id"`
	// Name is the role as people say it: "Registered manager".
	Name string `yaml:"name" json:"name"`
	// Brief is one line telling the person playing the role what they are
	// responsible for.
	Brief string `yaml:"brief" json:"brief"`
}

// Inject is one piece of the story, read out at a set point in the session.
type Inject struct {
	// AtMinutes is when in the session the inject is read out: 0 for the
	// first, and later for each one after.
	AtMinutes int `yaml:"at_minutes" json:"at_minutes"`
	// Title is a short heading, usually the time and place in the story.
	Title string `yaml:"title" json:"title"`
	// Text is what happens, as the participants hear it.
	Text string `yaml:"text" json:"text"`
	// Questions are for the group to discuss.
	Questions []string `yaml:"questions" json:"questions"`
	// Good says what good looks like at this point.
	Good []Good `yaml:"good" json:"good"`
}

// Good is one item of good practice, tied to what it depends on.
type Good struct {
	// Text says what a well-prepared organisation does or has.
	Text string `yaml:"text" json:"text"`
	// Links are the IDs of the device controls (policy catalogue) and
	// self-assessment questions this item depends on: when the group falls
	// short here, these are the things to fix.
	Links []string `yaml:"links" json:"links"`
}

// requiredRoles are the roles every scenario has: the person in charge,
// the person who fixes the computers and the person who decides about
// personal data.
var requiredRoles = []string{"registered-manager", "it-provider", "data-protection-lead"}

var (
	scenarioIDPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	// linkPattern is the shape of control and question IDs: area.short-name.
	linkPattern = regexp.MustCompile(`^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$`)
)

var defaultScenarios = sync.OnceValues(func() ([]Scenario, error) {
	return Load(scenariosFS)
})

// Default returns the scenarios built into Handwash, ordered by ID. Each
// call returns a fresh copy, so callers may change what they get.
func Default() ([]Scenario, error) {
	list, err := defaultScenarios()
	if err != nil {
		return nil, err
	}
	out := make([]Scenario, len(list))
	for i, s := range list {
		out[i] = s.clone()
	}
	return out, nil
}

// Load reads every scenarios/*.yaml file in fsys, one scenario per file,
// ordered by file name. Unknown fields, anchors and aliases are refused,
// and each scenario must pass Validate (without checking that its links
// exist: pass the catalogues to Validate for that). Every problem is a
// *handwash.Error (EINVALID, or ETOOLARGE) naming the file, the line, the
// scenario and the field, and saying what to change.
func Load(fsys fs.FS) ([]Scenario, error) {
	names, err := fs.Glob(fsys, "scenarios/*.yaml")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, handwash.Errorf(handwash.EINVALID, "no scenarios found: put each scenario in its own file under scenarios/, named after its id, such as scenarios/lost-laptop.yaml")
	}
	sort.Strings(names)
	list := make([]Scenario, 0, len(names))
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		s, err := parse(b, name)
		if err != nil {
			return nil, err
		}
		list = append(list, s)
	}
	return list, nil
}

// parse reads one scenario file; name is its path, for messages and for
// the check that the file is named after the scenario.
func parse(b []byte, name string) (s Scenario, err error) {
	// The YAML library has panicked on malformed input elsewhere in
	// Handwash (see policy's FuzzParseExceptions): treat that as bad input.
	defer func() {
		if r := recover(); r != nil {
			s, err = Scenario{}, handwash.Errorf(handwash.EINVALID, "%s: this is not a YAML file Handwash can read: compare it with one of the built-in scenarios", name)
		}
	}()
	if len(b) > MaxScenarioSize {
		return Scenario{}, handwash.Errorf(handwash.ETOOLARGE, "%s is larger than %d KiB: a scenario should be much smaller; split it into two scenarios", name, MaxScenarioSize>>10)
	}
	file, err := parser.ParseBytes(b, 0)
	if err != nil {
		return Scenario{}, handwash.Errorf(handwash.EINVALID, "%s: %s", name, yamlError(err))
	}
	var docs []*ast.DocumentNode
	for _, d := range file.Docs {
		if d != nil && d.Body != nil {
			docs = append(docs, d)
		}
	}
	switch {
	case len(docs) == 0:
		return Scenario{}, handwash.Errorf(handwash.EINVALID, "%s: the file is empty: write a scenario in it, starting with its id", name)
	case len(docs) > 1:
		return Scenario{}, handwash.Errorf(handwash.EINVALID, "%s: line %d: the file holds more than one YAML document: put each scenario in a file of its own", name, docs[1].GetToken().Position.Line)
	}
	// Anchors and aliases let a small file expand into a huge one, and
	// scenarios are short enough to write out in full.
	var refs refFinder
	ast.Walk(&refs, docs[0].Body)
	if refs.found != nil {
		return Scenario{}, handwash.Errorf(handwash.EINVALID, "%s: line %d: anchors and aliases (& and *) are not allowed in scenarios: write the value out in full", name, refs.found.GetToken().Position.Line)
	}
	if _, ok := docs[0].Body.(*ast.MappingNode); !ok {
		return Scenario{}, handwash.Errorf(handwash.EINVALID, "%s: line %d: a scenario is a set of fields (id: …, title: …), not a %s: compare it with one of the built-in scenarios", name, startLine(docs[0].Body), strings.ToLower(docs[0].Body.Type().String()))
	}
	if err := yaml.NodeToValue(docs[0].Body, &s, yaml.Strict()); err != nil {
		return Scenario{}, handwash.Errorf(handwash.EINVALID, "%s: %s", name, yamlError(err))
	}
	s.trim()
	s.File = name
	problems := s.problems(nil)
	if want := strings.TrimSuffix(path.Base(name), ".yaml"); s.ID != want && scenarioIDPattern.MatchString(s.ID) {
		// Naming the file after the scenario keeps IDs unique and the order stable.
		problems = append([]problem{{"id", fmt.Sprintf("%q does not match the file name: rename the file to %s.yaml or change the id to %s", s.ID, s.ID, want)}}, problems...)
	}
	if len(problems) > 0 {
		return Scenario{}, problems[0].error(s, lineFinder(file))
	}
	return s, nil
}

// refFinder finds the first anchor or alias in a YAML tree.
type refFinder struct{ found ast.Node }

func (f *refFinder) Visit(n ast.Node) ast.Visitor {
	if f.found != nil {
		return nil
	}
	switch n.(type) {
	case *ast.AnchorNode, *ast.AliasNode:
		f.found = n
		return nil
	}
	return f
}

// lineFinder returns a function giving the line of a field, such as
// "injects[2].at_minutes", or of the nearest enclosing item that is
// written; 0 when neither is.
func lineFinder(file *ast.File) func(field string) int {
	return func(field string) int {
		for field != "" {
			if p, err := yaml.PathString("$." + field); err == nil {
				if n, err := p.FilterFile(file); err == nil && n != nil {
					return startLine(n)
				}
			}
			// Up one level: "injects[2].good[0]" → "injects[2].good" → "injects[2]" → "injects".
			i := strings.LastIndexAny(field, ".[")
			if i <= 0 {
				break
			}
			field = field[:i]
		}
		return 0
	}
}

func startLine(n ast.Node) int {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		return m.Values[0].Key.GetToken().Position.Line
	}
	return n.GetToken().Position.Line
}

// yamlError turns a YAML library error into one plain line with its position.
func yamlError(err error) string {
	s := strings.TrimSpace(yaml.FormatError(err, false, false))
	if i := strings.IndexByte(s, '\n'); i > 0 {
		s = s[:i]
	}
	// "[3:5] unknown field ..." → "line 3, column 5: unknown field ..."
	if strings.HasPrefix(s, "[") {
		if end := strings.IndexByte(s, ']'); end > 0 {
			var l, c int
			if _, err := fmt.Sscanf(s[1:end], "%d:%d", &l, &c); err == nil {
				s = fmt.Sprintf("line %d, column %d: %s", l, c, strings.TrimSpace(s[end+1:]))
			}
		}
	}
	switch {
	case strings.Contains(s, "unknown field"):
		s += ": check the spelling against one of the built-in scenarios, or remove the field"
	case strings.Contains(s, "already defined"):
		s += ": keep one of them"
	default:
		// "cannot unmarshal string into Go struct field Scenario.Injects of type int"
		if m := typeError.FindStringSubmatch(s); m != nil {
			s = strings.Replace(s, m[0], fmt.Sprintf("this field needs %s, not %s", typeWords(m[2]), typeWords(m[1])), 1)
		}
	}
	return s
}

var typeError = regexp.MustCompile(`cannot unmarshal (.+?) into Go struct field \S+ of type (\S+)`)

// typeWords says a Go or YAML type name the way a scenario author thinks
// of it.
func typeWords(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"), t == "sequence", t == "array", t == "slice":
		return "a list"
	case t == "string":
		return "text"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"), t == "number", t == "float64":
		return "a whole number"
	case t == "bool":
		return "yes or no"
	case t == "map", t == "mapping", t == "object", strings.HasPrefix(t, "tabletop."), strings.HasPrefix(t, "map["):
		return "a set of fields"
	}
	return t
}

// problem is one thing wrong with a scenario.
type problem struct {
	field string // a YAML path below the top of the file: "injects[2].good[0].links"
	msg   string // what is wrong and what to do
}

// error formats the problem as a handwash error; line, when not nil, finds
// the line the field is on.
func (p problem) error(s Scenario, line func(field string) int) error {
	var b strings.Builder
	if s.File != "" {
		b.WriteString(s.File + ": ")
		if line != nil {
			if l := line(p.field); l > 0 {
				fmt.Fprintf(&b, "line %d: ", l)
			}
		}
	}
	if s.ID != "" {
		fmt.Fprintf(&b, "scenario %s, ", s.ID)
	}
	fmt.Fprintf(&b, "field %s: %s", p.field, p.msg)
	return handwash.Errorf(handwash.EINVALID, "%s", b.String())
}

// Validate checks that the scenario is complete: an id, a title, a
// summary, a duration, the three required roles (registered-manager,
// it-provider, data-protection-lead) each with a one-line brief,
// objectives, injects whose times start at 0, rise strictly and end before
// the duration, each with questions and items of good practice, every item
// with at least one link, and debrief questions. When known is not nil,
// every link must also be one it knows: pass a function that looks IDs up
// in the control catalogue and the self-assessment questions. The error,
// for the first problem found, is a *handwash.Error (EINVALID) naming the
// file (when known), the scenario and the field.
func (s Scenario) Validate(known func(link string) bool) error {
	if p := s.problems(known); len(p) > 0 {
		return p[0].error(s, nil)
	}
	return nil
}

// problems lists what is wrong with the scenario, in the order of the
// fields in a file.
func (s Scenario) problems(known func(string) bool) []problem {
	var ps []problem
	add := func(field, format string, args ...any) {
		ps = append(ps, problem{field, fmt.Sprintf(format, args...)})
	}
	oneLine := func(field, v, what string) {
		switch {
		case strings.TrimSpace(v) == "":
			add(field, "missing: give %s", what)
		case strings.ContainsAny(v, "\r\n"):
			add(field, "keep it to one line")
		}
	}
	switch {
	case s.ID == "":
		add("id", "missing: give the scenario an id in lower case with hyphens, the same as its file name, such as lost-laptop")
	case !scenarioIDPattern.MatchString(s.ID):
		add("id", "%q is not a valid id: use lower-case letters, digits and single hyphens, such as lost-laptop", s.ID)
	}
	oneLine("title", s.Title, "a short title participants will see")
	if strings.TrimSpace(s.Summary) == "" {
		add("summary", "missing: give a paragraph telling the facilitator what the exercise is about")
	}
	switch {
	case s.DurationMinutes <= 0:
		add("duration_minutes", "missing: give the planned length of the session in minutes, such as 90")
	case s.DurationMinutes > MaxDurationMinutes:
		add("duration_minutes", "%d minutes is longer than a working day: plan at most %d, or split the scenario", s.DurationMinutes, MaxDurationMinutes)
	}

	roles := map[string]int{}
	for i, r := range s.Roles {
		f := fmt.Sprintf("roles[%d]", i)
		switch {
		case r.ID == "":
			add(f+".id", "missing: give the role an id in lower case with hyphens, such as registered-manager")
		case !scenarioIDPattern.MatchString(r.ID):
			add(f+".id", "%q is not a valid role id: use lower-case letters, digits and single hyphens", r.ID)
		default:
			if prev, dup := roles[r.ID]; dup {
				add(f+".id", "role %s is already listed as roles[%d]: list each role once", r.ID, prev)
			}
			roles[r.ID] = i
		}
		oneLine(f+".name", r.Name, "the role's name, such as Registered manager")
		oneLine(f+".brief", r.Brief, "one line telling the person playing this role what they are responsible for")
	}
	for _, id := range requiredRoles {
		if _, ok := roles[id]; !ok {
			add("roles", "no role with id %s: every scenario needs the roles %s", id, strings.Join(requiredRoles, ", "))
		}
	}

	if len(s.Objectives) == 0 {
		add("objectives", "missing: list what the organisation should have learnt or checked by the end")
	}
	for i, o := range s.Objectives {
		if strings.TrimSpace(o) == "" {
			add(fmt.Sprintf("objectives[%d]", i), "empty: write the objective or remove the line")
		}
	}

	if len(s.Injects) == 0 {
		add("injects", "missing: list the pieces of the story, the first at_minutes: 0")
	}
	for i, in := range s.Injects {
		f := fmt.Sprintf("injects[%d]", i)
		switch {
		case i == 0 && in.AtMinutes != 0:
			add(f+".at_minutes", "the first inject starts the exercise: set at_minutes to 0, not %d", in.AtMinutes)
		case i > 0 && in.AtMinutes <= s.Injects[i-1].AtMinutes:
			add(f+".at_minutes", "%d is not after the inject before it (%d): put the injects in time order, each later than the last", in.AtMinutes, s.Injects[i-1].AtMinutes)
		case s.DurationMinutes > 0 && in.AtMinutes >= s.DurationMinutes:
			add(f+".at_minutes", "%d is not before the end of the session (duration_minutes: %d): bring the inject forward or lengthen the session", in.AtMinutes, s.DurationMinutes)
		}
		oneLine(f+".title", in.Title, "a short heading, such as Friday 22:40, the night office")
		if strings.TrimSpace(in.Text) == "" {
			add(f+".text", "missing: write what happens, as the participants will hear it")
		}
		if len(in.Questions) == 0 {
			add(f+".questions", "missing: give at least one question for the group to discuss")
		}
		for j, q := range in.Questions {
			if strings.TrimSpace(q) == "" {
				add(fmt.Sprintf("%s.questions[%d]", f, j), "empty: write the question or remove the line")
			}
		}
		if len(in.Good) == 0 {
			add(f+".good", "missing: say what good looks like at this point, as a list of items each with a text and links")
		}
		for j, g := range in.Good {
			gf := fmt.Sprintf("%s.good[%d]", f, j)
			if strings.TrimSpace(g.Text) == "" {
				add(gf+".text", "missing: say what a well-prepared organisation does or has")
			}
			if len(g.Links) == 0 {
				add(gf+".links", "missing: name at least one control or question ID this depends on, such as backup.restore-tested, so a gap becomes an action")
			}
			seen := map[string]bool{}
			for k, l := range g.Links {
				lf := fmt.Sprintf("%s.links[%d]", gf, k)
				switch {
				case !linkPattern.MatchString(l):
					add(lf, "%q is not a control or question ID: they look like area.short-name, such as devices.locate-wipe", l)
				case seen[l]:
					add(lf, "%s is listed twice: list each link once", l)
				case known != nil && !known(l):
					add(lf, "no control or question has the ID %q: check the spelling against the control catalogue and the self-assessment questions", l)
				}
				seen[l] = true
			}
		}
	}

	if len(s.Debrief) == 0 {
		add("debrief", "missing: give the questions for the end of the session")
	}
	for i, q := range s.Debrief {
		if strings.TrimSpace(q) == "" {
			add(fmt.Sprintf("debrief[%d]", i), "empty: write the question or remove the line")
		}
	}
	return ps
}

// trim removes the spaces and trailing newlines YAML block scalars leave.
func (s *Scenario) trim() {
	s.ID = strings.TrimSpace(s.ID)
	s.Title = strings.TrimSpace(s.Title)
	s.Summary = strings.TrimSpace(s.Summary)
	for i := range s.Roles {
		r := &s.Roles[i]
		r.ID, r.Name, r.Brief = strings.TrimSpace(r.ID), strings.TrimSpace(r.Name), strings.TrimSpace(r.Brief)
	}
	trimAll(s.Objectives)
	for i := range s.Injects {
		in := &s.Injects[i]
		in.Title, in.Text = strings.TrimSpace(in.Title), strings.TrimSpace(in.Text)
		trimAll(in.Questions)
		for j := range in.Good {
			in.Good[j].Text = strings.TrimSpace(in.Good[j].Text)
			trimAll(in.Good[j].Links)
		}
	}
	trimAll(s.Debrief)
}

func trimAll(list []string) {
	for i, v := range list {
		list[i] = strings.TrimSpace(v)
	}
}

// clone returns a copy of s that shares no slices with it.
func (s Scenario) clone() Scenario {
	c := s
	c.Roles = append([]Role(nil), s.Roles...)
	c.Objectives = append([]string(nil), s.Objectives...)
	c.Debrief = append([]string(nil), s.Debrief...)
	c.Injects = make([]Inject, len(s.Injects))
	for i, in := range s.Injects {
		in.Questions = append([]string(nil), in.Questions...)
		good := make([]Good, len(in.Good))
		for j, g := range in.Good {
			good[j] = Good{Text: g.Text, Links: append([]string(nil), g.Links...)}
		}
		in.Good = good
		c.Injects[i] = in
	}
	return c
}
