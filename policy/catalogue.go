// Package policy judges Facts against the control catalogue.
//
// The catalogue is data: YAML files embedded from controls/, one per area,
// each control with CEL expressions for when it applies and when it passes
// (cel.dev/cel-go, type-checked against the handwash.Facts type). The same
// evaluation runs in `handwash check` on a device and, later, on the server
// for uploaded Facts, so a new control re-judges every device without
// touching it.
//
// Facts that were not observed are CEL unknowns: a control whose result
// depends on one is "unknown" and says which fact was missing and why,
// never "pass" or "fail" on a guess.
package policy

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/ext"
	"github.com/goccy/go-yaml"

	"github.com/handwash/handwash"
)

//go:embed controls/*.yaml
var controlsFS embed.FS

// Catalogue is a loaded, compiled set of controls.
type Catalogue struct {
	// Version names this catalogue; it changes whenever a control does.
	Version  string
	Controls []*handwash.Control
	// Digest is a hash of the control files, to tell catalogues apart.
	Digest string

	env      *cel.Env
	compiled map[string]*compiled
	byID     map[string]*handwash.Control
}

type compiled struct {
	applies, pass, message cel.Program
	evidence               []cel.Program
	// appliesFields and passFields name every field the applies and pass
	// expressions select, so only unobserved list-item facts an expression
	// reads make it unknown.
	appliesFields, passFields map[string]bool
	// reportFields is the same for the message and evidence expressions.
	reportFields map[string]bool
}

var defaultCatalogue = sync.OnceValues(func() (*Catalogue, error) {
	return Load(controlsFS)
})

// Default returns the catalogue built into Handwash.
func Default() (*Catalogue, error) { return defaultCatalogue() }

// Control returns the control with this ID.
func (c *Catalogue) Control(id string) (*handwash.Control, bool) {
	ctl, ok := c.byID[id]
	return ctl, ok
}

type catalogueMeta struct {
	Version string `yaml:"version"`
}

var idPattern = regexp.MustCompile(`^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$`)

// Load reads and compiles a catalogue: controls/catalogue.yaml names its
// version and every other controls/*.yaml file holds a list of controls.
func Load(fsys fs.FS) (*Catalogue, error) {
	names, err := fs.Glob(fsys, "controls/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	c := &Catalogue{compiled: map[string]*compiled{}, byID: map[string]*handwash.Control{}}
	h := sha256.New()
	files := make([][]byte, len(names))
	for i, name := range names {
		if files[i], err = fs.ReadFile(fsys, name); err != nil {
			return nil, err
		}
		h.Write([]byte(name))
		h.Write(files[i])
	}
	c.Digest = hex.EncodeToString(h.Sum(nil))[:16]

	// Decoding the YAML and compiling the CEL are most of a check's start-up
	// time, and each file and control stands alone: spread them over the CPUs.
	lists := make([][]*handwash.Control, len(names))
	errs := make([]error, len(names))
	parallel(len(names), func(i int) {
		if path.Base(names[i]) == "catalogue.yaml" {
			var m catalogueMeta
			if err := yaml.UnmarshalWithOptions(files[i], &m, yaml.Strict()); err != nil {
				errs[i] = fmt.Errorf("%s: %s", names[i], yaml.FormatError(err, false, true))
			}
			c.Version = m.Version
			return
		}
		if err := yaml.UnmarshalWithOptions(files[i], &lists[i], yaml.Strict()); err != nil {
			errs[i] = fmt.Errorf("%s: %s", names[i], yaml.FormatError(err, false, true))
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	seen := map[string]string{}
	for i, list := range lists {
		for _, ctl := range list {
			if prev, dup := seen[ctl.ID]; dup {
				return nil, fmt.Errorf("%s: control %s is already defined in %s", names[i], ctl.ID, prev)
			}
			seen[ctl.ID] = names[i]
			trimControl(ctl)
			c.Controls = append(c.Controls, ctl)
			c.byID[ctl.ID] = ctl
		}
	}
	if c.Version == "" {
		return nil, fmt.Errorf("controls/catalogue.yaml: no version")
	}
	if c.env, err = newEnv(); err != nil {
		return nil, err
	}
	compiledList := make([]*compiled, len(c.Controls))
	errs = make([]error, len(c.Controls))
	parallel(len(c.Controls), func(i int) {
		ctl := c.Controls[i]
		if err := validate(ctl); err != nil {
			errs[i] = fmt.Errorf("%s: control %s: %w", seen[ctl.ID], ctl.ID, err)
			return
		}
		cp, err := c.compile(ctl)
		if err != nil {
			errs[i] = fmt.Errorf("%s: control %s: %w", seen[ctl.ID], ctl.ID, err)
			return
		}
		compiledList[i] = cp
	})
	for i, err := range errs {
		if err != nil {
			return nil, err // the first, in catalogue order
		}
		c.compiled[c.Controls[i].ID] = compiledList[i]
	}
	return c, nil
}

// parallel calls f(0) … f(n-1) on as many goroutines as there are CPUs.
func parallel(n int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// trimControl removes the trailing newlines YAML block scalars leave.
func trimControl(c *handwash.Control) {
	c.Title = strings.TrimSpace(c.Title)
	c.Checks = strings.TrimSpace(c.Checks)
	c.Why = strings.TrimSpace(c.Why)
	c.Threshold = strings.TrimSpace(c.Threshold)
	for p, s := range c.Fix {
		c.Fix[p] = strings.TrimSpace(s)
	}
}

// validate checks what the YAML decoder cannot: every control is complete.
func validate(c *handwash.Control) error {
	var problems []string
	if !idPattern.MatchString(c.ID) {
		problems = append(problems, "id must look like area.short-name in lower case")
	} else if !strings.HasPrefix(c.ID, string(c.Area)+".") {
		problems = append(problems, fmt.Sprintf("id must start with its area %q", c.Area))
	}
	if !c.Area.Valid() {
		problems = append(problems, fmt.Sprintf("unknown area %q", c.Area))
	}
	if c.Severity.Rank() < 0 {
		problems = append(problems, fmt.Sprintf("unknown severity %q", c.Severity))
	}
	for field, v := range map[string]string{"title": c.Title, "checks": c.Checks, "why": c.Why, "pass": c.Pass} {
		if strings.TrimSpace(v) == "" {
			problems = append(problems, "no "+field)
		}
	}
	if len(c.References) == 0 {
		problems = append(problems, "no references")
	}
	for i, r := range c.References {
		if r.Scheme == "" || r.Text == "" {
			problems = append(problems, fmt.Sprintf("reference %d needs a scheme and a text", i+1))
		}
	}
	if len(c.Evidence) == 0 {
		problems = append(problems, "no evidence")
	}
	for _, p := range c.Platforms {
		if p != handwash.PlatformWindows && p != handwash.PlatformMacOS && p != handwash.PlatformLinux {
			problems = append(problems, fmt.Sprintf("unknown platform %q", p))
		}
	}
	platforms := c.Platforms
	if len(platforms) == 0 {
		platforms = handwash.Platforms
	}
	for _, p := range platforms {
		if strings.TrimSpace(c.Fix[p]) == "" {
			problems = append(problems, "no fix steps for "+p.Title())
		}
	}
	for p := range c.Fix {
		if !c.AppliesTo(p) {
			problems = append(problems, fmt.Sprintf("fix steps for %s, which the control does not apply to", p))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

func (c *Catalogue) compile(ctl *handwash.Control) (*compiled, error) {
	cp := &compiled{appliesFields: map[string]bool{}, passFields: map[string]bool{}, reportFields: map[string]bool{}}
	var err error
	if ctl.Applies != "" {
		if cp.applies, err = c.program("applies", ctl.Applies, cel.BoolType, cp.appliesFields); err != nil {
			return nil, err
		}
	}
	if cp.pass, err = c.program("pass", ctl.Pass, cel.BoolType, cp.passFields); err != nil {
		return nil, err
	}
	if ctl.Message != "" {
		if cp.message, err = c.program("message", ctl.Message, cel.StringType, cp.reportFields); err != nil {
			return nil, err
		}
	}
	for _, e := range ctl.Evidence {
		if e.Label == "" {
			return nil, fmt.Errorf("evidence without a label")
		}
		p, err := c.program("evidence "+e.Label, e.Expr, nil, cp.reportFields)
		if err != nil {
			return nil, err
		}
		cp.evidence = append(cp.evidence, p)
	}
	return cp, nil
}

// program compiles one expression, checking its result type when want is
// set, and adds the fields it selects to fields when that is not nil.
func (c *Catalogue) program(what, src string, want *cel.Type, fields map[string]bool) (cel.Program, error) {
	checked, iss := c.env.Compile(src)
	if iss.Err() != nil {
		return nil, fmt.Errorf("%s: %w", what, iss.Err())
	}
	if want != nil && !checked.OutputType().IsExactType(want) {
		return nil, fmt.Errorf("%s: gives %s, want %s", what, checked.OutputType(), want)
	}
	if fields != nil {
		root := celast.NavigateAST(checked.NativeRep())
		for _, e := range celast.MatchDescendants(root, celast.KindMatcher(celast.SelectKind)) {
			fields[e.AsSelect().FieldName()] = true
		}
		for _, e := range celast.MatchDescendants(root, celast.KindMatcher(celast.IdentKind)) {
			fields[e.AsIdent()] = true
		}
	}
	// No cost limit: the catalogue is built in and reviewed, and tracking
	// cost made judging a device a fifth slower.
	return c.env.Program(checked, cel.EvalOptions(cel.OptPartialEval, cel.OptOptimize))
}

// newEnv declares what expressions may use: facts (handwash.Facts), now (a
// timestamp), os_support (OSSupport), vulns (Vulnerabilities),
// software_support (SoftwareSupport), settings (Settings, with every
// default filled in), the CEL string and list extensions, and cel.bind to
// name a value used more than once.
func newEnv() (*cel.Env, error) {
	return cel.NewEnv(
		ext.NativeTypes(reflect.TypeOf(&handwash.Facts{}), reflect.TypeOf(&OSSupport{}), reflect.TypeOf(&Vulnerabilities{}), reflect.TypeOf(&SoftwareSupport{}), reflect.TypeOf(&Settings{}), ext.ParseStructTag("json")),
		cel.Variable("facts", cel.ObjectType("handwash.Facts")),
		cel.Variable("os_support", cel.ObjectType("policy.OSSupport")),
		cel.Variable("vulns", cel.ObjectType("policy.Vulnerabilities")),
		cel.Variable("software_support", cel.ObjectType("policy.SoftwareSupport")),
		cel.Variable("settings", cel.ObjectType("policy.Settings")),
		cel.Variable("now", cel.TimestampType),
		ext.Strings(),
		ext.Lists(),
		ext.Bindings(),
		versionFunctions(),
		textFunctions(),
		softwareFunctions(),
	)
}

// Files returns the catalogue's source files, for the catalogue's digest
// test and for people who want to read them.
func Files() fs.FS { return controlsFS }
