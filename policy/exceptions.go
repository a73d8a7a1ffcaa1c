package policy

import (
	"fmt"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/handwash/handwash"
)

// MaxExceptionsSize is the largest settings file (handwash.yaml) read, in
// bytes.
const MaxExceptionsSize = 1 << 20

// configFile is the YAML settings file (handwash.yaml), with the
// organisation's settings and its exceptions, both optional:
//
//	settings:
//	  backup_max_age: 48h           # default 24h; 1h to 744h (31 days)
//	exceptions:
//	  - control: malware.usb-controlled
//	    device: RECEPTION-PC        # optional: hostname or device ID
//	    reason: The label printer needs a USB stick each week.
//	    owner: Jane Smith, registered manager
//	    expires: 2027-03-31
type configFile struct {
	Settings   *settingsEntry   `yaml:"settings"`
	Exceptions []exceptionEntry `yaml:"exceptions"`
}

type settingsEntry struct {
	BackupMaxAge *string `yaml:"backup_max_age"`
}

// Config is what a settings file holds.
type Config struct {
	// Settings are the organisation's choices; a setting the file does
	// not give is zero, which Evaluate reads as its default.
	Settings   Settings
	Exceptions []handwash.Exception
}

type exceptionEntry struct {
	Control string `yaml:"control"`
	Device  string `yaml:"device"`
	Reason  string `yaml:"reason"`
	Owner   string `yaml:"owner"`
	Expires string `yaml:"expires"`
}

// ParseExceptions reads the exceptions of a settings file; see ParseConfig.
func ParseExceptions(b []byte, name string, known func(id string) bool) ([]handwash.Exception, error) {
	cfg, err := ParseConfig(b, name, known)
	if err != nil {
		return nil, err
	}
	return cfg.Exceptions, nil
}

// ParseConfig reads a settings file (handwash.yaml): its settings and its
// exceptions. name is used in messages; known reports whether a control ID
// exists. Every problem is a *handwash.Error (EINVALID, or ETOOLARGE)
// naming the file, the line and what to change.
func ParseConfig(b []byte, name string, known func(id string) bool) (cfg *Config, err error) {
	// The YAML library panics on some malformed input (found by
	// FuzzParseExceptions; see testdata/fuzz): treat that as bad input.
	defer func() {
		if r := recover(); r != nil {
			cfg, err = nil, handwash.Errorf(handwash.EINVALID, "%s: this is not a YAML file Handwash can read; compare it with the example in handwash check --help", name)
		}
	}()
	if len(b) > MaxExceptionsSize {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "%s is larger than %d KiB: a settings file should be small", name, MaxExceptionsSize>>10)
	}
	var raw configFile
	if err := yaml.UnmarshalWithOptions(b, &raw, yaml.Strict()); err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "%s: %s", name, yamlError(err))
	}
	file, err := parser.ParseBytes(b, 0)
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "%s: %s", name, yamlError(err))
	}
	lineOf := func(path string) (int, bool) {
		p, err := yaml.PathString(path)
		if err != nil {
			return 0, false
		}
		n, err := p.FilterFile(file)
		if err != nil || n == nil {
			return 0, false
		}
		return startLine(n), true
	}
	cfg = &Config{}
	// A key written with no value reads as nil, as does one not written:
	// only the first is a mistake.
	if l, present := lineOf("$.settings.backup_max_age"); present {
		value := ""
		if raw.Settings != nil && raw.Settings.BackupMaxAge != nil {
			value = *raw.Settings.BackupMaxAge
		}
		d, problem := parseBackupMaxAge(value)
		if problem != "" {
			return nil, handwash.Errorf(handwash.EINVALID, "%s: line %d: settings, field %q: %s", name, l, "backup_max_age", problem)
		}
		cfg.Settings.BackupMaxAge = d
	}
	line := func(i int, field string) string {
		p, err := yaml.PathString(fmt.Sprintf("$.exceptions[%d].%s", i, field))
		if err == nil {
			if n, err := p.FilterFile(file); err == nil && n != nil {
				return fmt.Sprintf("line %d", n.GetToken().Position.Line)
			}
		}
		if p, err := yaml.PathString(fmt.Sprintf("$.exceptions[%d]", i)); err == nil {
			if n, err := p.FilterFile(file); err == nil && n != nil {
				return fmt.Sprintf("line %d", startLine(n))
			}
		}
		return fmt.Sprintf("exception %d", i+1)
	}
	for i, e := range raw.Exceptions {
		fail := func(field, format string, args ...any) error {
			return handwash.Errorf(handwash.EINVALID, "%s: %s: exception %d, field %q: %s", name, line(i, field), i+1, field, fmt.Sprintf(format, args...))
		}
		e.Control = strings.TrimSpace(e.Control)
		switch {
		case e.Control == "":
			return nil, fail("control", "missing: give the ID of the control to accept, e.g. malware.usb-controlled (see `handwash check --format json` or --explain)")
		case known != nil && !known(e.Control):
			return nil, fail("control", "no control has the ID %q: check the spelling against the report", e.Control)
		case strings.TrimSpace(e.Reason) == "":
			return nil, fail("reason", "missing: say why this risk is accepted")
		case strings.TrimSpace(e.Owner) == "":
			return nil, fail("owner", "missing: name the person who accepts the risk")
		case strings.TrimSpace(e.Expires) == "":
			return nil, fail("expires", "missing: give the date the exception ends, as YYYY-MM-DD")
		}
		exp, err := time.Parse(time.DateOnly, strings.TrimSpace(e.Expires))
		if err != nil {
			return nil, fail("expires", "%q is not a date: write it as YYYY-MM-DD, e.g. 2027-03-31", e.Expires)
		}
		cfg.Exceptions = append(cfg.Exceptions, handwash.Exception{
			Control: e.Control,
			Device:  strings.TrimSpace(e.Device),
			Reason:  strings.TrimSpace(e.Reason),
			Owner:   strings.TrimSpace(e.Owner),
			// An exception lasts to the end of its expiry day.
			Expires: exp.Add(24*time.Hour - time.Second),
		})
	}
	return cfg, nil
}

// parseBackupMaxAge reads settings.backup_max_age, or says what is wrong
// with it and what to write instead.
func parseBackupMaxAge(s string) (time.Duration, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, "empty: give how old the newest backup may be, such as 48h, or remove the line for the default of 24h"
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Sprintf("%q is not a length of time Handwash can read: write it in hours with an h, such as 48h for two days or 168h for a week", s)
	}
	if err := CheckBackupMaxAge(d); err != nil {
		return 0, fmt.Sprintf("%q %v", s, err)
	}
	return d, ""
}

func startLine(n ast.Node) int {
	if m, ok := n.(*ast.MappingNode); ok && len(m.Values) > 0 {
		return m.Values[0].Key.GetToken().Position.Line
	}
	return n.GetToken().Position.Line
}

// yamlError turns a YAML library error into one plain line with its position.
func yamlError(err error) string {
	s := yaml.FormatError(err, false, false)
	s = strings.TrimSpace(s)
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
	return s
}

// ApplyExceptions marks failed or unknown findings that an exception covers
// as excepted. An expired exception no longer applies: the finding keeps its
// status and carries the exception, marked expired, so the report can say so.
func ApplyExceptions(a *handwash.Assessment, f *handwash.Facts, ex []handwash.Exception, now time.Time) {
	for i := range a.Findings {
		fd := &a.Findings[i]
		if fd.Status != handwash.StatusFail && fd.Status != handwash.StatusUnknown {
			continue
		}
		var best *handwash.Exception
		for j := range ex {
			e := &ex[j]
			if e.Control != fd.ControlID || !deviceMatches(e.Device, f) {
				continue
			}
			if best == nil || e.Expires.After(best.Expires) {
				best = e
			}
		}
		if best == nil {
			continue
		}
		expired := !now.Before(best.Expires)
		fd.Exception = &handwash.AppliedException{Exception: *best, Expired: expired}
		if !expired {
			fd.Status = handwash.StatusExcepted
		}
	}
}

func deviceMatches(device string, f *handwash.Facts) bool {
	return device == "" || strings.EqualFold(device, f.Device.Hostname) || device == f.Device.ID
}
