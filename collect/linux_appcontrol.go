package collect

import (
	"context"
	"net/url"
	"sort"
	"strings"

	"github.com/handwash/handwash"
)

// linuxAppControl fills where software can be installed from: apt or dnf
// sources whose signatures are not checked (trusted=yes, gpgcheck=0) or
// that are not the distribution's own, Flatpak remotes, and fapolicyd
// allow-listing.
func linuxAppControl(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	a := &handwash.AppControlFacts{UnverifiedSources: []string{}}
	db := s.packages(ctx, h)
	switch db.Manager {
	case "dpkg":
		for _, src := range linuxAptSources(h) {
			name := src.URI + " " + src.Suite
			if src.Trusted {
				a.UnverifiedSources = append(a.UnverifiedSources, name+" (trusted=yes)")
			}
			if origin, vendor := linuxAptVendor(h, src); !vendor {
				if origin != "" {
					name += " (origin " + origin + ")"
				}
				a.ThirdPartySources = append(a.ThirdPartySources, name)
			}
		}
	case "rpm":
		unverified, third := linuxDnfRepos(h)
		a.UnverifiedSources = append(a.UnverifiedSources, unverified...)
		a.ThirdPartySources = append(a.ThirdPartySources, third...)
	}
	if _, err := h.LookPath("flatpak"); err == nil {
		out, err := h.Run(ctx, "flatpak", "remotes", "--columns=name,url,options")
		if err == nil && out.ExitCode == 0 {
			unverified, third := parseFlatpakRemotes(out.Stdout)
			a.UnverifiedSources = append(a.UnverifiedSources, unverified...)
			a.ThirdPartySources = append(a.ThirdPartySources, third...)
		} else {
			f.AddMissing("app_control.third_party_sources", handwash.ReasonError, "flatpak remotes failed")
		}
	}
	a.UnverifiedSources = linuxDedupe(a.UnverifiedSources)
	a.ThirdPartySources = linuxDedupe(a.ThirdPartySources)

	switch {
	case s.running(h, "fapolicyd"):
		a.AllowListing = "enforced"
		if on, _ := linuxBool(parseFaillockConf(linuxRead(h, "/etc/fapolicyd/fapolicyd.conf"))["permissive"]); on {
			a.AllowListing = "audit"
		}
	default:
		a.AllowListing = "off"
	}
	f.AppControl = a
	return nil
}

// linuxAptSource is one enabled binary package source of apt.
type linuxAptSource struct {
	URI, Suite string
	// Trusted is trusted=yes: apt installs from it without checking
	// signatures.
	Trusted bool
}

// linuxAptSources reads sources.list and sources.list.d (one-line *.list
// and deb822 *.sources files). Source-code (deb-src) and disabled entries
// are left out.
func linuxAptSources(h Host) []linuxAptSource {
	var out []linuxAptSource
	out = append(out, parseAptSourcesList(linuxRead(h, "/etc/apt/sources.list"))...)
	names, _ := h.ReadDir("/etc/apt/sources.list.d")
	for _, n := range names {
		text := linuxRead(h, "/etc/apt/sources.list.d/"+n)
		switch {
		case strings.HasSuffix(n, ".list"):
			out = append(out, parseAptSourcesList(text)...)
		case strings.HasSuffix(n, ".sources"):
			out = append(out, parseAptDeb822(text)...)
		}
	}
	return out
}

// parseAptSourcesList reads one-line style: "deb [trusted=yes arch=amd64] uri suite components".
func parseAptSourcesList(text string) []linuxAptSource {
	var out []linuxAptSource
	for _, line := range strings.Split(text, "\n") {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "deb ") && !strings.HasPrefix(line, "deb\t") {
			continue
		}
		rest := strings.TrimSpace(line[3:])
		src := linuxAptSource{}
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				continue
			}
			for _, opt := range strings.Fields(rest[1:end]) {
				if k, v, ok := strings.Cut(opt, "="); ok && strings.EqualFold(k, "trusted") {
					src.Trusted, _ = linuxBool(v)
				}
			}
			rest = rest[end+1:]
		}
		f := strings.Fields(rest)
		if len(f) < 2 {
			continue
		}
		src.URI, src.Suite = strings.TrimSuffix(f[0], "/"), f[1]
		out = append(out, src)
	}
	return out
}

// parseAptDeb822 reads deb822 style stanzas (Types, URIs, Suites, Enabled,
// Trusted); each URI and suite pair is a source.
func parseAptDeb822(text string) []linuxAptSource {
	var out []linuxAptSource
	parseDebStanzas(strings.NewReader(text), []string{"Types", "URIs", "Suites", "Enabled", "Trusted"}, func(v []string) {
		if !strings.Contains(" "+v[0]+" ", " deb ") {
			return
		}
		if on, ok := linuxBool(v[3]); ok && !on {
			return
		}
		trusted, _ := linuxBool(v[4])
		for _, uri := range strings.Fields(v[1]) {
			for _, suite := range strings.Fields(v[2]) {
				out = append(out, linuxAptSource{URI: strings.TrimSuffix(uri, "/"), Suite: suite, Trusted: trusted})
			}
		}
	})
	return out
}

// linuxAptVendor says whether a source is the distribution's own. The
// Origin apt downloaded with the source's InRelease decides (Debian,
// Debian Backports, Ubuntu, UbuntuESM); a source apt never fetched is
// judged by its host (debian.org, ubuntu.com).
func linuxAptVendor(h Host, src linuxAptSource) (origin string, vendor bool) {
	list := "/var/lib/apt/lists/" + aptURIToFileName(src.URI) + "_dists_" + strings.ReplaceAll(src.Suite, "/", "_")
	for _, name := range []string{list + "_InRelease", list + "_Release"} {
		if text := linuxRead(h, name); text != "" {
			origin = parseAptRelease(text).origin
			if origin != "" {
				return origin, strings.HasPrefix(origin, "Debian") || strings.HasPrefix(origin, "Ubuntu")
			}
		}
	}
	u, err := url.Parse(src.URI)
	if err != nil {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	return "", host == "debian.org" || strings.HasSuffix(host, ".debian.org") || host == "ubuntu.com" || strings.HasSuffix(host, ".ubuntu.com")
}

// aptURIToFileName names a URI the way apt names its list files: no scheme
// or credentials, some characters %-quoted, "/" as "_".
func aptURIToFileName(uri string) string {
	if i := strings.Index(uri, "://"); i >= 0 {
		uri = uri[i+3:]
	}
	if at := strings.IndexByte(uri, '@'); at >= 0 && at < strings.IndexByte(uri+"/", '/') {
		uri = uri[at+1:]
	}
	var b strings.Builder
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		if strings.IndexByte(`\|{}[]<>"^~_=!@#$%^&*`, c) >= 0 {
			b.WriteString("%" + strings.ToLower(hexByte(c)))
			continue
		}
		if c == '/' {
			c = '_'
		}
		b.WriteByte(c)
	}
	return b.String()
}

func hexByte(c byte) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[c>>4], digits[c&15]})
}

// linuxDnfRepos reads the enabled repositories of /etc/yum.repos.d: those
// with gpgcheck off, and those not from the distribution (by host, with
// EPEL, a Fedora-hosted add-on, counted as third party).
func linuxDnfRepos(h Host) (unverified, third []string) {
	mainConf := parseINI(linuxRead(h, "/etc/dnf/dnf.conf"))["main"]
	if mainConf == nil {
		mainConf = parseINI(linuxRead(h, "/etc/yum.conf"))["main"]
	}
	// dnf 4 checks signatures only when told to; dnf 5 by default.
	defCheck := false
	if _, err := h.LookPath("dnf5"); err == nil {
		defCheck = true
	}
	if v, ok := linuxBool(mainConf["gpgcheck"]); ok {
		defCheck = v
	}
	names, _ := h.ReadDir("/etc/yum.repos.d")
	sort.Strings(names)
	for _, n := range names {
		if !strings.HasSuffix(n, ".repo") {
			continue
		}
		for id, kv := range parseINI(linuxRead(h, "/etc/yum.repos.d/"+n)) {
			if id == "" {
				continue
			}
			if on, ok := linuxBool(kv["enabled"]); ok && !on {
				continue
			}
			check := defCheck
			if v, ok := linuxBool(kv["gpgcheck"]); ok {
				check = v
			}
			where := kv["baseurl"]
			if where == "" {
				where = kv["metalink"]
			}
			if where == "" {
				where = kv["mirrorlist"]
			}
			where = strings.Fields(where + " ")[0]
			if !check {
				unverified = append(unverified, id+" (gpgcheck=0)")
			}
			if !linuxRPMVendorRepo(id, where) {
				third = append(third, id+" ("+where+")")
			}
		}
	}
	return unverified, third
}

// linuxRPMVendorRepo reports whether a repository is the distribution's.
func linuxRPMVendorRepo(id, where string) bool {
	if strings.HasPrefix(id, "epel") {
		return false
	}
	u, err := url.Parse(where)
	if err != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, d := range []string{"fedoraproject.org", "redhat.com", "rockylinux.org", "almalinux.org", "centos.org", "oracle.com"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// parseFlatpakRemotes reads flatpak remotes --columns=name,url,options
// (tab separated): no-gpg-verify remotes are unverified, and every remote
// but Fedora's own is third party.
func parseFlatpakRemotes(b []byte) (unverified, third []string) {
	for _, line := range linuxLines(b) {
		f := strings.Split(line, "\t")
		if len(f) < 2 || strings.TrimSpace(f[0]) == "" {
			continue
		}
		name, u := strings.TrimSpace(f[0]), strings.TrimSpace(f[1])
		opts := ""
		if len(f) > 2 {
			opts = f[2]
		}
		if strings.Contains(opts, "disabled") {
			continue
		}
		if strings.Contains(opts, "no-gpg-verify") {
			unverified = append(unverified, "flatpak "+name+" (no-gpg-verify)")
		}
		if name != "fedora" && name != "fedora-testing" {
			third = append(third, "flatpak "+name+" ("+u+")")
		}
	}
	return unverified, third
}
