package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/handwash/handwash"
)

// linuxFirewall fills the host firewall: firewalld, ufw, nftables or
// iptables, in that order, because the first two write their rules through
// the last two.
//
// Reading the live rules of ufw, nftables and iptables needs root
// (CAP_NET_ADMIN). Without it, what the configuration asks for is recorded
// (the default inbound policy), and whether the firewall is on now is left
// out with a needs_admin reason. firewalld answers queries from anyone.
func linuxFirewall(ctx context.Context, h Host, f *handwash.Facts, _ *linuxState) error {
	has := func(p string) bool { _, err := h.LookPath(p); return err == nil }
	switch {
	case has("firewall-cmd"):
		return linuxFirewalld(ctx, h, f)
	case has("ufw"):
		return linuxUFW(ctx, h, f)
	case has("nft"):
		return linuxNft(ctx, h, f)
	case has("iptables-save") || has("iptables"):
		return linuxIptables(ctx, h, f)
	}
	// No firewall program at all: nothing can have loaded rules, since every
	// tool that does (ufw, firewalld, docker, iptables-persistent) needs one.
	f.Firewall = &handwash.FirewallFacts{Profiles: []handwash.FirewallProfile{{Name: "default", Enabled: boolPtr(false)}}}
	return nil
}

// linuxFirewalld asks firewalld for every zone in one call: the default
// zone, its target and what it lets in.
func linuxFirewalld(ctx context.Context, h Host, f *handwash.Facts) error {
	fw := &handwash.FirewallFacts{Product: "firewalld"}
	out, err := h.Run(ctx, "firewall-cmd", "--list-all-zones")
	if err != nil {
		return err
	}
	// firewall-cmd exits 252 with "FirewallD is not running".
	if out.ExitCode == 252 || strings.Contains(string(out.Stdout)+string(out.Stderr), "not running") {
		fw.Profiles = []handwash.FirewallProfile{{Name: "default", Enabled: boolPtr(false)}}
		f.Firewall = fw
		return nil
	}
	if out.ExitCode != 0 {
		f.AddMissing("firewall", handwash.ReasonError, "firewall-cmd --list-all-zones: "+linuxFirstLine(append(out.Stderr, out.Stdout...)))
		return nil
	}
	zones := parseFirewalldZones(out.Stdout)
	var def *linuxFirewalldZone
	for i := range zones {
		if zones[i].Default {
			def = &zones[i]
		}
	}
	if def == nil {
		f.AddMissing("firewall", handwash.ReasonError, "firewall-cmd named no default zone")
		return nil
	}
	// The default zone takes every interface not bound to another zone.
	fw.Profiles = []handwash.FirewallProfile{{Name: "default", Enabled: boolPtr(true), DefaultInbound: def.inbound()}}
	fw.AllowedInbound = def.allowed()
	for _, z := range zones {
		if z.Active && !z.Default {
			fw.Profiles = append(fw.Profiles, handwash.FirewallProfile{Name: z.Name, Enabled: boolPtr(true), DefaultInbound: z.inbound()})
			for _, a := range z.allowed() {
				fw.AllowedInbound = append(fw.AllowedInbound, z.Name+": "+a)
			}
		}
	}
	f.Firewall = fw
	return nil
}

// linuxFirewalldZone is one zone of firewall-cmd --list-all-zones.
type linuxFirewalldZone struct {
	Name            string
	Default, Active bool
	Target          string
	Services, Ports []string
}

// inbound is what the zone does with traffic no rule allows: only the
// ACCEPT target lets it in ("default" rejects).
func (z linuxFirewalldZone) inbound() string {
	if strings.EqualFold(z.Target, "ACCEPT") {
		return "allow"
	}
	return "block"
}

func (z linuxFirewalldZone) allowed() []string {
	return append(append([]string{}, z.Services...), z.Ports...)
}

// parseFirewalldZones reads firewall-cmd --list-all(-zones): a line naming
// the zone, "public (default, active)", then indented "key: values" lines.
func parseFirewalldZones(b []byte) []linuxFirewalldZone {
	var zones []linuxFirewalldZone
	for _, line := range linuxLines(b) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if line[0] != ' ' && line[0] != '\t' {
			name, flags, _ := strings.Cut(line, " ")
			zones = append(zones, linuxFirewalldZone{
				Name:    strings.TrimSpace(name),
				Default: strings.Contains(flags, "default"),
				Active:  strings.Contains(flags, "active"),
			})
			continue
		}
		if len(zones) == 0 {
			continue
		}
		z := &zones[len(zones)-1]
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		switch k {
		case "target":
			z.Target = strings.TrimSpace(v)
		case "services":
			z.Services = strings.Fields(v)
		case "ports":
			z.Ports = strings.Fields(v)
		}
	}
	return zones
}

// linuxUFW reads ufw status verbose as root, or ufw's configuration
// otherwise.
func linuxUFW(ctx context.Context, h Host, f *handwash.Facts) error {
	fw := &handwash.FirewallFacts{Product: "ufw"}
	if h.Elevated() {
		out, err := h.Run(ctx, "ufw", "status", "verbose")
		if err != nil {
			return err
		}
		if out.ExitCode == 0 {
			p, allowed := parseUFWStatus(out.Stdout)
			fw.Profiles = []handwash.FirewallProfile{p}
			fw.AllowedInbound = allowed
			f.Firewall = fw
			return nil
		}
		f.AddMissing("firewall.profiles", handwash.ReasonError, "ufw status: "+linuxFirstLine(append(out.Stderr, out.Stdout...)))
	}
	// Intent only: ufw.conf says whether ufw starts at boot, and
	// /etc/default/ufw holds the default policy it loads.
	conf := parseShellVars(linuxRead(h, "/etc/ufw/ufw.conf"))
	def := parseShellVars(linuxRead(h, "/etc/default/ufw"))
	p := handwash.FirewallProfile{Name: "default"}
	switch strings.ToUpper(def["DEFAULT_INPUT_POLICY"]) {
	case "DROP", "REJECT":
		p.DefaultInbound = "block"
	case "ACCEPT":
		p.DefaultInbound = "allow"
	}
	fw.Profiles = []handwash.FirewallProfile{p}
	if !h.Elevated() {
		f.AddMissing("firewall.profiles.enabled", handwash.ReasonNeedsAdmin,
			fmt.Sprintf("ufw status needs root; /etc/ufw/ufw.conf has ENABLED=%s", conf["ENABLED"]))
	}
	f.Firewall = fw
	return nil
}

// parseUFWStatus reads ufw status verbose: "Status: active", the
// "Default: deny (incoming), ..." line and the rules allowed in.
func parseUFWStatus(b []byte) (handwash.FirewallProfile, []string) {
	p := handwash.FirewallProfile{Name: "default"}
	var allowed []string
	rules := false
	for _, line := range linuxLines(b) {
		switch {
		case strings.HasPrefix(line, "Status:"):
			p.Enabled = boolPtr(strings.TrimSpace(strings.TrimPrefix(line, "Status:")) == "active")
		case strings.HasPrefix(line, "Default:"):
			for _, part := range strings.Split(strings.TrimPrefix(line, "Default:"), ",") {
				part = strings.TrimSpace(part)
				if strings.HasSuffix(part, "(incoming)") {
					if strings.HasPrefix(part, "allow") {
						p.DefaultInbound = "allow"
					} else {
						p.DefaultInbound = "block" // deny or reject
					}
				}
			}
		case strings.HasPrefix(line, "--"):
			rules = true
		case rules && strings.TrimSpace(line) != "":
			// "22/tcp  ALLOW IN  Anywhere": the action starts the second column.
			to, rest := linuxSplitColumns(line)
			if strings.HasPrefix(rest, "ALLOW") || strings.HasPrefix(rest, "LIMIT") {
				if !strings.HasSuffix(to, "(v6)") {
					allowed = append(allowed, to)
				}
			}
		}
	}
	if p.Enabled != nil && !*p.Enabled {
		p.DefaultInbound = "" // the policy does nothing while ufw is off
	}
	return p, allowed
}

// linuxSplitColumns splits a line at the first run of two or more spaces.
func linuxSplitColumns(line string) (string, string) {
	if i := strings.Index(line, "  "); i >= 0 {
		return strings.TrimSpace(line[:i]), strings.TrimSpace(line[i:])
	}
	return strings.TrimSpace(line), ""
}

// linuxNft reads the nftables ruleset as root (nft -j list ruleset), or
// /etc/nftables.conf otherwise.
func linuxNft(ctx context.Context, h Host, f *handwash.Facts) error {
	fw := &handwash.FirewallFacts{Product: "nftables"}
	if h.Elevated() {
		out, err := h.Run(ctx, "nft", "-j", "list", "ruleset")
		if err != nil {
			return err
		}
		if out.ExitCode == 0 {
			p, allowed, err := parseNftJSON(out.Stdout)
			if err != nil {
				f.AddMissing("firewall", handwash.ReasonError, "nft -j list ruleset: "+err.Error())
				return nil
			}
			fw.Profiles, fw.AllowedInbound = []handwash.FirewallProfile{p}, allowed
			f.Firewall = fw
			return nil
		}
		f.AddMissing("firewall", handwash.ReasonError, "nft list ruleset: "+linuxFirstLine(out.Stderr))
		return nil
	}
	p := handwash.FirewallProfile{Name: "default"}
	if conf := linuxRead(h, "/etc/nftables.conf"); conf != "" {
		p.DefaultInbound = parseNftText(conf)
	}
	fw.Profiles = []handwash.FirewallProfile{p}
	f.AddMissing("firewall.profiles.enabled", handwash.ReasonNeedsAdmin,
		fmt.Sprintf("nft list ruleset needs root; nftables.service enabled at boot: %v", linuxUnitEnabled(h, "nftables.service")))
	f.Firewall = fw
	return nil
}

// parseNftJSON reads nft -j list ruleset. The firewall is on when some
// chain hooks input; inbound is blocked when every such chain drops what
// it does not accept (policy drop, or a last rule that drops or rejects).
func parseNftJSON(b []byte) (handwash.FirewallProfile, []string, error) {
	var doc struct {
		Nftables []map[string]json.RawMessage `json:"nftables"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return handwash.FirewallProfile{}, nil, err
	}
	type chain struct {
		Family, Table, Name, Hook, Policy string
	}
	type rule struct {
		Family, Table, Chain string
		Expr                 []map[string]json.RawMessage
	}
	var inputs []chain
	last := map[string][]map[string]json.RawMessage{}
	var allowed []string
	for _, obj := range doc.Nftables {
		if raw, ok := obj["chain"]; ok {
			var c chain
			if json.Unmarshal(raw, &c) == nil && c.Hook == "input" {
				inputs = append(inputs, c)
			}
		}
		if raw, ok := obj["rule"]; ok {
			var r rule
			if json.Unmarshal(raw, &r) != nil {
				continue
			}
			key := r.Family + " " + r.Table + " " + r.Chain
			last[key] = r.Expr
			if port := nftAcceptedPort(r.Expr); port != "" {
				allowed = append(allowed, port)
			}
		}
	}
	p := handwash.FirewallProfile{Name: "default", Enabled: boolPtr(len(inputs) > 0)}
	if len(inputs) == 0 {
		return p, nil, nil
	}
	p.DefaultInbound = "block"
	for _, c := range inputs {
		if c.Policy == "drop" {
			continue
		}
		verdict := ""
		for _, e := range last[c.Family+" "+c.Table+" "+c.Name] {
			for k := range e {
				if k == "drop" || k == "reject" {
					verdict = k
				}
			}
		}
		if verdict == "" {
			p.DefaultInbound = "allow"
		}
	}
	return p, linuxDedupe(allowed), nil
}

// nftAcceptedPort returns "80/tcp" for a rule that accepts a destination
// port, "" otherwise.
func nftAcceptedPort(expr []map[string]json.RawMessage) string {
	accept := false
	port, proto := "", ""
	for _, e := range expr {
		if _, ok := e["accept"]; ok {
			accept = true
		}
		raw, ok := e["match"]
		if !ok {
			continue
		}
		var m struct {
			Left struct {
				Payload struct{ Protocol, Field string } `json:"payload"`
			} `json:"left"`
			Right json.RawMessage `json:"right"`
		}
		if json.Unmarshal(raw, &m) != nil || m.Left.Payload.Field != "dport" {
			continue
		}
		proto = m.Left.Payload.Protocol
		var n json.Number
		if json.Unmarshal(m.Right, &n) == nil {
			port = n.String()
		} else {
			port = strings.Trim(string(m.Right), `"`)
		}
	}
	if !accept || port == "" {
		return ""
	}
	return port + "/" + proto
}

// parseNftText reads the input chains of an nftables.conf ("type filter
// hook input priority 0; policy drop;") and returns block, allow or "".
func parseNftText(text string) string {
	found, allow := false, false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if !strings.Contains(line, "hook input") {
			continue
		}
		found = true
		if !strings.Contains(line, "policy drop") {
			allow = true
		}
	}
	switch {
	case !found:
		return ""
	case allow:
		return "allow"
	}
	return "block"
}

// linuxIptables reads iptables-save (and ip6tables-save) as root, or the
// iptables-persistent rules file otherwise.
func linuxIptables(ctx context.Context, h Host, f *handwash.Facts) error {
	fw := &handwash.FirewallFacts{Product: "iptables"}
	if h.Elevated() {
		out, err := h.Run(ctx, "iptables-save")
		if err != nil {
			return err
		}
		if out.ExitCode != 0 {
			f.AddMissing("firewall", handwash.ReasonError, "iptables-save: "+linuxFirstLine(out.Stderr))
			return nil
		}
		p, allowed := parseIptablesSave(out.Stdout)
		if out6, err := h.Run(ctx, "ip6tables-save"); err == nil && out6.ExitCode == 0 && len(out6.Stdout) > 0 {
			// An IPv6 path that lets everything in undoes an IPv4 block.
			p6, allowed6 := parseIptablesSave(out6.Stdout)
			if p6.DefaultInbound == "allow" {
				p.DefaultInbound = "allow"
			}
			allowed = linuxDedupe(append(allowed, allowed6...))
		}
		fw.Profiles, fw.AllowedInbound = []handwash.FirewallProfile{p}, allowed
		f.Firewall = fw
		return nil
	}
	p := handwash.FirewallProfile{Name: "default"}
	if rules := linuxRead(h, "/etc/iptables/rules.v4"); rules != "" {
		saved, _ := parseIptablesSave([]byte(rules))
		p.DefaultInbound = saved.DefaultInbound
	}
	fw.Profiles = []handwash.FirewallProfile{p}
	f.AddMissing("firewall.profiles.enabled", handwash.ReasonNeedsAdmin, "iptables-save needs root")
	f.Firewall = fw
	return nil
}

// parseIptablesSave reads iptables-save or iptables -S output: the INPUT
// chain's policy (":INPUT DROP [0:0]" or "-P INPUT DROP") and its rules.
// The firewall counts as on when INPUT has rules or a policy other than
// ACCEPT; inbound is blocked by a DROP policy or a final DROP/REJECT rule.
func parseIptablesSave(b []byte) (handwash.FirewallProfile, []string) {
	policy := ""
	var rules []string
	var allowed []string
	table := "filter"
	for _, line := range linuxLines(b) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "*"):
			table = line[1:]
		case table != "filter":
		case strings.HasPrefix(line, ":INPUT "):
			policy = strings.Fields(line)[1]
		case strings.HasPrefix(line, "-P INPUT "):
			policy = strings.TrimSpace(strings.TrimPrefix(line, "-P INPUT "))
		case strings.HasPrefix(line, "-A INPUT "):
			rules = append(rules, line)
			if strings.HasSuffix(line, "-j ACCEPT") {
				if port := linuxFlagValue(line, "--dport"); port != "" {
					allowed = append(allowed, port+"/"+linuxFlagValue(line, "-p"))
				}
			}
		}
	}
	p := handwash.FirewallProfile{Name: "default", Enabled: boolPtr(len(rules) > 0 || (policy != "" && policy != "ACCEPT"))}
	switch {
	case policy == "DROP" || policy == "REJECT":
		p.DefaultInbound = "block"
	case len(rules) > 0 && (strings.HasSuffix(rules[len(rules)-1], "-j DROP") || strings.Contains(rules[len(rules)-1], "-j REJECT")):
		p.DefaultInbound = "block"
	default:
		p.DefaultInbound = "allow"
	}
	return p, linuxDedupe(allowed)
}

// linuxFlagValue returns the word after flag in a command line.
func linuxFlagValue(line, flag string) string {
	f := strings.Fields(line)
	for i := 0; i+1 < len(f); i++ {
		if f[i] == flag {
			return f[i+1]
		}
	}
	return ""
}

// linuxDedupe sorts and removes repeats, keeping nil as nil.
func linuxDedupe(s []string) []string {
	if len(s) == 0 {
		return s
	}
	sort.Strings(s)
	out := s[:1]
	for _, v := range s[1:] {
		if v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}
