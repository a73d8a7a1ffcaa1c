package collect

import (
	"context"
	"path"
	"strings"

	"github.com/handwash/handwash"
)

// linuxPasswordPolicy fills the rules PAM enforces: the password stack
// (pam_pwquality, pam_cracklib or pam_unix) for length, complexity and the
// dictionary, the auth stack (pam_faillock, pam_tally2) for lockout, and
// login.defs for the maximum age. A module's built-in default is used when
// nothing sets a value: that is what the module enforces.
func linuxPasswordPolicy(ctx context.Context, h Host, f *handwash.Facts, _ *linuxState) error {
	var passwordStack, authStacks []string
	switch {
	case linuxExists(h, "/etc/pam.d/common-password"): // Debian, Ubuntu
		passwordStack, authStacks = []string{"/etc/pam.d/common-password"}, []string{"/etc/pam.d/common-auth"}
	case linuxExists(h, "/etc/pam.d/system-auth"): // Fedora, RHEL (authselect)
		passwordStack, authStacks = []string{"/etc/pam.d/system-auth", "/etc/pam.d/password-auth"}, []string{"/etc/pam.d/system-auth", "/etc/pam.d/password-auth"}
	default:
		f.AddMissing("password_policy", handwash.ReasonNotSupported, "no PAM common-password or system-auth stack")
		return nil
	}
	var pw, auth []linuxPAMLine
	for _, file := range passwordStack {
		pw = append(pw, parsePAMStack(h, file, "password", 0)...)
	}
	for _, file := range authStacks {
		auth = append(auth, parsePAMStack(h, file, "auth", 0)...)
	}

	p := &handwash.PasswordPolicyFacts{}
	var sources []string
	pwq := linuxPWQualityConf(h)
	switch {
	case linuxPAMHas(pw, "pam_pwquality.so"):
		sources = append(sources, "pam_pwquality")
		linuxQualityRules(p, pwq, linuxPAMArgs(pw, "pam_pwquality.so"), 8, true)
	case linuxPAMHas(pw, "pam_cracklib.so"):
		sources = append(sources, "pam_cracklib")
		// pam_cracklib reads no configuration file, only its arguments.
		linuxQualityRules(p, nil, linuxPAMArgs(pw, "pam_cracklib.so"), 9, true)
		p.DenyList = boolPtr(true)
	case linuxPAMHas(pw, "pam_passwdqc.so"):
		sources = append(sources, "pam_passwdqc")
		f.AddMissing("password_policy.min_length", handwash.ReasonNotSupported, "pam_passwdqc's min= rules are not read")
	case linuxPAMHas(pw, "pam_unix.so"):
		sources = append(sources, "pam_unix")
		// pam_unix(8): minlen defaults to 6; obscure adds no dictionary.
		minlen := 6
		if v, ok := linuxAtoi(linuxPAMArgs(pw, "pam_unix.so")["minlen"]); ok {
			minlen = v
		}
		p.MinLength = intPtr(minlen)
		p.Complexity = boolPtr(false)
		p.DenyList = boolPtr(false)
	default:
		f.AddMissing("password_policy.min_length", handwash.ReasonNotSupported, "no known password module in the PAM password stack")
	}

	defs := parseLoginDefs(linuxRead(h, "/etc/login.defs"))
	maxDays := 99999 // shadow's default: never
	if v, ok := linuxAtoi(defs["PASS_MAX_DAYS"]); ok {
		maxDays = v
	}
	if maxDays < 0 || maxDays >= 99999 {
		maxDays = 0
	}
	p.MaxAgeDays = intPtr(maxDays)
	sources = append(sources, "login.defs")

	switch {
	case linuxPAMHas(auth, "pam_faillock.so"):
		sources = append(sources, "pam_faillock")
		conf := parseFaillockConf(linuxRead(h, "/etc/security/faillock.conf"))
		for k, v := range linuxPAMArgs(auth, "pam_faillock.so") {
			conf[k] = v // arguments on the PAM line win over the file
		}
		// faillock.conf(5) defaults: deny 3, fail_interval 900 s, unlock_time 600 s.
		deny, interval, unlock := 3, 900, 600
		if v, ok := linuxAtoi(conf["deny"]); ok {
			deny = v
		}
		if v, ok := linuxAtoi(conf["fail_interval"]); ok {
			interval = v
		}
		if v, ok := linuxAtoi(conf["unlock_time"]); ok {
			unlock = v // 0: stays locked until an administrator unlocks it
		}
		p.LockoutThreshold = intPtr(deny)
		if deny > 0 {
			p.LockoutWindowMinutes = intPtr((interval + 59) / 60)
			p.LockoutMinutes = intPtr((unlock + 59) / 60)
		}
	case linuxPAMHas(auth, "pam_tally2.so"):
		sources = append(sources, "pam_tally2")
		args := linuxPAMArgs(auth, "pam_tally2.so")
		deny, _ := linuxAtoi(args["deny"]) // no deny=: never locks
		p.LockoutThreshold = intPtr(deny)
		if deny > 0 {
			unlock, _ := linuxAtoi(args["unlock_time"])
			p.LockoutMinutes = intPtr((unlock + 59) / 60)
		}
	default:
		// No lockout module in the auth stack: wrong passwords never lock.
		p.LockoutThreshold = intPtr(0)
	}
	p.Source = strings.Join(sources, ", ")
	f.PasswordPolicy = p
	return nil
}

// linuxPAMLine is one module line of a PAM stack.
type linuxPAMLine struct {
	Type, Control, Module string
	Args                  []string
}

// parsePAMStack reads a PAM file's lines of one type, following Debian's
// "@include file" and the include/substack controls, a few levels deep.
func parsePAMStack(h Host, file, typ string, depth int) []linuxPAMLine {
	if depth > 4 {
		return nil
	}
	var out []linuxPAMLine
	for _, line := range strings.Split(linuxRead(h, file), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if inc, ok := strings.CutPrefix(line, "@include"); ok {
			out = append(out, parsePAMStack(h, linuxPAMPath(strings.TrimSpace(inc)), typ, depth+1)...)
			continue
		}
		l, ok := parsePAMLine(line)
		if !ok || strings.TrimPrefix(l.Type, "-") != typ {
			continue
		}
		if l.Control == "include" || l.Control == "substack" {
			out = append(out, parsePAMStack(h, linuxPAMPath(l.Module), typ, depth+1)...)
			continue
		}
		out = append(out, l)
	}
	return out
}

func linuxPAMPath(name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	return "/etc/pam.d/" + name
}

// parsePAMLine splits "type control module args", where control may be a
// bracketed list with spaces ("[success=1 default=ignore]").
func parsePAMLine(line string) (linuxPAMLine, bool) {
	i := strings.IndexAny(line, " \t")
	if i < 0 {
		return linuxPAMLine{}, false
	}
	typ, rest := line[:i], strings.TrimSpace(line[i:])
	var control string
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return linuxPAMLine{}, false
		}
		control, rest = rest[:end+1], strings.TrimSpace(rest[end+1:])
	} else {
		f := strings.Fields(rest)
		if len(f) == 0 {
			return linuxPAMLine{}, false
		}
		control, rest = f[0], strings.TrimSpace(strings.TrimPrefix(rest, f[0]))
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return linuxPAMLine{}, false
	}
	return linuxPAMLine{Type: typ, Control: control, Module: f[0], Args: f[1:]}, true
}

// linuxPAMHas reports whether a stack uses a module (by file name, so
// /lib/security/pam_unix.so counts).
func linuxPAMHas(stack []linuxPAMLine, module string) bool {
	for _, l := range stack {
		if path.Base(l.Module) == module {
			return true
		}
	}
	return false
}

// linuxPAMArgs merges the key=value arguments a module is given in a stack;
// a bare argument is recorded as "1".
func linuxPAMArgs(stack []linuxPAMLine, module string) map[string]string {
	args := map[string]string{}
	for _, l := range stack {
		if path.Base(l.Module) != module {
			continue
		}
		for _, a := range l.Args {
			k, v, ok := strings.Cut(a, "=")
			if !ok {
				v = "1"
			}
			args[k] = v
		}
	}
	return args
}

// linuxPWQualityConf reads pwquality.conf and then pwquality.conf.d/*.conf,
// later settings winning, as libpwquality does.
func linuxPWQualityConf(h Host) map[string]string {
	conf := parseFaillockConf(linuxRead(h, "/etc/security/pwquality.conf"))
	names, _ := h.ReadDir("/etc/security/pwquality.conf.d")
	for _, n := range names {
		if strings.HasSuffix(n, ".conf") {
			for k, v := range parseFaillockConf(linuxRead(h, "/etc/security/pwquality.conf.d/"+n)) {
				conf[k] = v
			}
		}
	}
	return conf
}

// parseFaillockConf reads the "key = value" (or bare "key") lines of
// faillock.conf and pwquality.conf.
func parseFaillockConf(text string) map[string]string {
	conf := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			v = "1"
		}
		conf[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return conf
}

// linuxQualityRules applies pwquality's (or cracklib's) settings: conf from
// files, then the PAM arguments. Complexity is required classes (minclass)
// or negative credits; the dictionary check is on unless dictcheck=0.
func linuxQualityRules(p *handwash.PasswordPolicyFacts, conf, args map[string]string, defaultMin int, dict bool) {
	merged := map[string]string{}
	for k, v := range conf {
		merged[k] = v
	}
	for k, v := range args {
		merged[k] = v
	}
	minlen := defaultMin
	if v, ok := linuxAtoi(merged["minlen"]); ok {
		minlen = v
	}
	p.MinLength = intPtr(minlen)
	complex := false
	if v, ok := linuxAtoi(merged["minclass"]); ok && v > 1 {
		complex = true
	}
	for _, c := range []string{"dcredit", "ucredit", "lcredit", "ocredit"} {
		if v, ok := linuxAtoi(merged[c]); ok && v < 0 {
			complex = true
		}
	}
	p.Complexity = boolPtr(complex)
	if dict {
		on := true
		if v, ok := linuxAtoi(merged["dictcheck"]); ok && v == 0 {
			on = false
		}
		p.DenyList = boolPtr(on)
	}
}
