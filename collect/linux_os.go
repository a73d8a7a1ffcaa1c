package collect

import (
	"context"
	"encoding/csv"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// linuxOS fills the operating system: os-release, the kernel, the
// end-of-support date the distribution declares and Ubuntu Pro or Debian
// ELTS.
func linuxOS(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	text := linuxRead(h, "/etc/os-release")
	if text == "" {
		text = linuxRead(h, "/usr/lib/os-release")
	}
	if text == "" {
		f.AddMissing("os", handwash.ReasonNotSupported, "no /etc/os-release or /usr/lib/os-release")
		return nil
	}
	o := parseOSRelease(text)
	o.Kernel = strings.TrimSpace(linuxRead(h, "/proc/sys/kernel/osrelease"))
	if o.Kernel == "" {
		if out, err := h.Run(ctx, "uname", "-r"); err == nil && out.ExitCode == 0 {
			o.Kernel = strings.TrimSpace(string(out.Stdout))
		}
	}

	if o.SupportEnd == nil {
		if end, ok := linuxDistroInfoEnd(h, o, false); ok {
			o.SupportEnd = &end
		}
	}
	switch {
	case o.ID == "ubuntu" || o.ID == "debian":
		srcs := linuxAptSources(h)
		esm := false
		for _, src := range srcs {
			if strings.Contains(src.URI, "esm.ubuntu.com") || strings.Contains(src.URI, "freexian.com/extended-lts") {
				esm = true
			}
		}
		o.ExtendedSupport = boolPtr(esm)
		if esm && o.ID == "ubuntu" {
			// Ubuntu Pro carries security updates to the end of ESM.
			if end, ok := linuxDistroInfoEnd(h, o, true); ok {
				o.SupportEnd = &end
			}
		}
	case o.ID == "fedora":
		o.ExtendedSupport = boolPtr(false) // Fedora has no extended support offering
	default:
		f.AddMissing("os.extended_support", handwash.ReasonNotSupported, "extended support is not known for "+o.ID)
	}
	if o.SupportEnd == nil {
		f.AddMissing("os.support_end", handwash.ReasonNotSupported, "the OS declares no end of support (no SUPPORT_END, no distro-info entry)")
	}
	f.OS = o
	return nil
}

// parseOSRelease reads os-release(5).
func parseOSRelease(text string) *handwash.OSFacts {
	v := parseShellVars(text)
	o := &handwash.OSFacts{
		Name:     v["PRETTY_NAME"],
		ID:       strings.ToLower(v["ID"]),
		Version:  v["VERSION_ID"],
		Codename: v["VERSION_CODENAME"],
		Edition:  v["VARIANT"],
	}
	if like := strings.Fields(v["ID_LIKE"]); len(like) > 0 {
		o.IDLike = like
	}
	if o.Name == "" {
		o.Name = strings.TrimSpace(v["NAME"] + " " + v["VERSION"])
	}
	if o.ID == "" {
		o.ID = "linux" // os-release(5): ID defaults to "linux"
	}
	if o.Codename == "" {
		o.Codename = v["UBUNTU_CODENAME"]
	}
	if o.Edition == "" {
		o.Edition = v["VARIANT_ID"]
	}
	if end, err := time.Parse("2006-01-02", v["SUPPORT_END"]); err == nil {
		o.SupportEnd = &end
	}
	return o
}

// linuxDistroInfoEnd looks the release up in distro-info-data's CSV
// (/usr/share/distro-info/debian.csv, ubuntu.csv).
//
// For Debian the date is eol-lts: Debian LTS security updates come from the
// ordinary security archive with no subscription, so updates keep coming
// until then. For Ubuntu it is eol (standard support), or eol-esm when
// Ubuntu Pro is attached (esm).
func linuxDistroInfoEnd(h Host, o *handwash.OSFacts, esm bool) (time.Time, bool) {
	if o.ID != "debian" && o.ID != "ubuntu" {
		return time.Time{}, false
	}
	text := linuxRead(h, "/usr/share/distro-info/"+o.ID+".csv")
	if text == "" {
		return time.Time{}, false
	}
	col := "eol"
	switch {
	case o.ID == "debian":
		col = "eol-lts"
	case esm:
		col = "eol-esm"
	}
	return parseDistroInfo(text, o.Version, o.Codename, col)
}

// parseDistroInfo finds the release by version or series (codename) and
// returns the date in column col, falling back to eol when col is empty.
func parseDistroInfo(text, version, codename, col string) (time.Time, bool) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || len(rows) < 2 {
		return time.Time{}, false
	}
	idx := map[string]int{}
	for i, name := range rows[0] {
		idx[strings.TrimSpace(name)] = i
	}
	get := func(row []string, name string) string {
		if i, ok := idx[name]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	for _, row := range rows[1:] {
		ver := strings.TrimSuffix(get(row, "version"), " LTS")
		if !(version != "" && ver == version) && !(codename != "" && get(row, "series") == codename) {
			continue
		}
		d := get(row, col)
		if d == "" {
			d = get(row, "eol")
		}
		if t, err := time.Parse("2006-01-02", d); err == nil {
			return t, true
		}
		return time.Time{}, false
	}
	return time.Time{}, false
}

// OSRelease reads this machine's os-release(5), as the Linux collector
// does; nil elsewhere, or when the machine has none.
func OSRelease() *handwash.OSFacts {
	if Platform() != handwash.PlatformLinux {
		return nil
	}
	h := NewHost()
	text := linuxRead(h, "/etc/os-release")
	if text == "" {
		text = linuxRead(h, "/usr/lib/os-release")
	}
	if text == "" {
		return nil
	}
	return parseOSRelease(text)
}
