package policy

import (
	_ "embed"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vuln"
)

//go:generate go run ./internal/genlifecycle -products ../../shared/fixtures/eol/products -out lifecycle.json

//go:embed lifecycle.json
var lifecycleJSON []byte

// lifecycleFile is lifecycle.json: end-of-support dates per OS release.
type lifecycleFile struct {
	Source   string                        `json:"source"`
	AsOf     string                        `json:"as_of"`
	Products map[string][]lifecycleRelease `json:"products"`
}

type lifecycleRelease struct {
	Cycle       string `json:"cycle"`
	Label       string `json:"label"`
	Codename    string `json:"codename"`
	Released    string `json:"released"`
	EOL         string `json:"eol"`
	ExtendedEOL string `json:"extended_eol"`
	LTS         bool   `json:"lts"`
	Latest      string `json:"latest"`
}

var lifecycle = sync.OnceValue(func() *lifecycleFile {
	var f lifecycleFile
	if err := json.Unmarshal(lifecycleJSON, &f); err != nil {
		panic("policy: lifecycle.json: " + err.Error()) // embedded and tested: cannot happen
	}
	return &f
})

// OSSupport is what the built-in lifecycle data says about a device's
// operating system. Controls see it as the CEL variable os_support.
type OSSupport struct {
	// Product names the release, e.g. "Windows 11 25H2 (Home and Pro)".
	Product string `json:"product"`
	// Announced is true when an end date for normal support is known.
	Announced bool `json:"announced"`
	// Ends is when the vendor's normal security updates stop (zero unless Announced).
	Ends time.Time `json:"ends"`
	// Ended is true when support has ended and no date is known.
	Ended bool `json:"ended"`
	// Extended is true when extended security updates exist for this release
	// (Windows 10 ESU, Ubuntu Pro, Debian LTS).
	Extended bool `json:"extended"`
	// ExtendedEnds is when extended security updates stop (zero unless Extended).
	ExtendedEnds time.Time `json:"extended_ends"`
	// ExtendedAutomatic is true when the extended updates come to every
	// device without buying or enabling anything (Debian LTS).
	ExtendedAutomatic bool `json:"extended_automatic"`
	// Source says where the dates come from and how fresh they are.
	Source string `json:"source"`
}

// Lifecycle is operating-system support data: the built-in copy, or one
// made from fresher end-of-life data (LifecycleFromEOL).
type Lifecycle struct {
	file *lifecycleFile
}

// LifecycleFromEOL makes support data from end-of-life data (the feeds'),
// for the operating systems the built-in copy covers; a product the data
// lacks keeps its built-in dates. asOf is the day the data was last known
// current.
func LifecycleFromEOL(e *vuln.EOL, source, asOf string) *Lifecycle {
	built := lifecycle()
	lf := &lifecycleFile{Source: source, AsOf: asOf, Products: map[string][]lifecycleRelease{}}
	for name, rels := range built.Products {
		p, ok := e.Product(name)
		if !ok || len(p.Releases) == 0 {
			lf.Products[name] = rels
			continue
		}
		var out []lifecycleRelease
		for _, r := range p.Releases {
			rel := lifecycleRelease{Cycle: r.Name, Codename: r.Codename, LTS: r.LTS, Latest: r.Latest}
			if strings.HasPrefix(name, "windows") && r.Label != r.Name {
				// Windows' cycles are named by their labels ("11 24H2
				// (E)"); the others by release and codename, as the
				// built-in copy does.
				rel.Label = r.Label
			}
			if !r.ReleaseDate.IsZero() {
				rel.Released = r.ReleaseDate.Format(time.DateOnly)
			}
			if eol := r.EOL.String(); eol != "not ended" {
				rel.EOL = eol
			}
			if !r.Extended.Date.IsZero() {
				rel.ExtendedEOL = r.Extended.Date.Format(time.DateOnly)
			}
			out = append(out, rel)
		}
		lf.Products[name] = out
	}
	return &Lifecycle{file: lf}
}

// LifecycleProducts are the endoflife.date products whose release cycles
// LifecycleFromEOL reads: the operating systems of the built-in copy.
func LifecycleProducts() []string {
	names := make([]string, 0, len(lifecycle().Products))
	for name := range lifecycle().Products {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Source describes the data for reports.
func (l *Lifecycle) Source() handwash.DataSource {
	return handwash.DataSource{Name: "Operating system support dates", Source: l.file.Source, AsOf: l.file.AsOf}
}

// builtInLifecycle is the support data built into Handwash.
var builtInLifecycle = sync.OnceValue(func() *Lifecycle { return &Lifecycle{file: lifecycle()} })

// LookupOSSupport finds the support dates of the OS the Facts describe,
// in the built-in data.
func LookupOSSupport(f *handwash.Facts) (OSSupport, bool) {
	return builtInLifecycle().LookupOSSupport(f)
}

// LookupOSSupport finds the support dates of the OS the Facts describe.
func (l *Lifecycle) LookupOSSupport(f *handwash.Facts) (OSSupport, bool) {
	return lookupOSSupport(l.file, f)
}

func lookupOSSupport(lf *lifecycleFile, f *handwash.Facts) (OSSupport, bool) {
	if f.OS == nil {
		return OSSupport{}, false
	}
	src := "endoflife.date data as of " + lf.AsOf
	os := f.OS
	var product, cycle string
	var rel *lifecycleRelease
	switch {
	case f.Device.Platform == handwash.PlatformWindows || os.ID == "windows":
		product, rel = windowsRelease(lf, os)
	case f.Device.Platform == handwash.PlatformMacOS || os.ID == "macos":
		product = "macos"
		cycle = strings.SplitN(os.Version, ".", 2)[0]
		if cycle == "10" { // 10.15 Catalina and older are cycles of their own
			cycle = majorMinor(os.Version)
		}
		rel = findCycle(lf.Products[product], cycle)
	default:
		product = linuxProducts[os.ID]
		if product == "" {
			return fromDeclared(os)
		}
		cycle = os.Version
		switch product {
		case "ubuntu", "linuxmint", "opensuse", "fedora":
			cycle = majorMinor(os.Version)
			if product == "fedora" {
				cycle = strings.SplitN(os.Version, ".", 2)[0]
			}
		default:
			cycle = strings.SplitN(os.Version, ".", 2)[0]
		}
		rel = findCycle(lf.Products[product], cycle)
	}
	if rel == nil {
		return fromDeclared(os)
	}
	s := OSSupport{Product: productTitle(product, rel), Source: src}
	switch rel.EOL {
	case "":
	case "ended":
		s.Ended = true
	default:
		s.Ends, _ = time.Parse(time.DateOnly, rel.EOL)
		s.Announced = !s.Ends.IsZero()
	}
	if rel.ExtendedEOL != "" {
		s.ExtendedEnds, _ = time.Parse(time.DateOnly, rel.ExtendedEOL)
		s.Extended = !s.ExtendedEnds.IsZero()
		s.ExtendedAutomatic = product == "debian" // Debian LTS reaches every bookworm machine through the security archive
	}
	return s, true
}

// linuxProducts maps os-release IDs to endoflife.date products.
var linuxProducts = map[string]string{
	"debian": "debian", "ubuntu": "ubuntu", "fedora": "fedora", "rhel": "rhel",
	"rocky": "rocky-linux", "almalinux": "almalinux", "centos": "centos", "linuxmint": "linuxmint",
	"opensuse-leap": "opensuse", "sles": "sles", "amzn": "amazon-linux",
}

// fromDeclared uses the end-of-support date the OS itself declares.
func fromDeclared(os *handwash.OSFacts) (OSSupport, bool) {
	if os.SupportEnd == nil {
		return OSSupport{}, false
	}
	return OSSupport{Product: os.Name, Announced: true, Ends: *os.SupportEnd, Source: "the end-of-support date the operating system declares"}, true
}

// windowsRelease picks the Windows release by build and edition: Home and
// Pro ("W") get 24 months of updates, Enterprise and Education ("E") 36, and
// LTSC editions (EditionID ending in S) their own long term.
func windowsRelease(lf *lifecycleFile, os *handwash.OSFacts) (string, *lifecycleRelease) {
	build := os.Build
	if build == "" {
		if parts := strings.Split(os.Version, "."); len(parts) >= 3 {
			build = parts[2]
		}
	}
	if build == "" {
		return "windows", nil
	}
	version := "10.0." + build
	if n, err := strconv.Atoi(build); err == nil && n < 9200 {
		version = os.Version // Windows 7 and older are 6.x
	}
	server := strings.Contains(strings.ToLower(os.Name), "server") || strings.HasPrefix(os.Edition, "Server")
	if server {
		for i, r := range lf.Products["windows-server"] {
			if r.Latest == version {
				return "windows-server", &lf.Products["windows-server"][i]
			}
		}
		return "windows-server", nil
	}
	ed := os.Edition
	var want []string
	switch {
	case strings.HasPrefix(ed, "IoTEnterprise") && strings.HasSuffix(ed, "S"):
		want = []string{"-iot-lts", "-e-lts"}
	case strings.HasSuffix(ed, "S") || strings.HasSuffix(ed, "SN"):
		want = []string{"-e-lts"}
	case strings.HasPrefix(ed, "Enterprise") || strings.HasPrefix(ed, "Education") || strings.HasPrefix(ed, "IoTEnterprise"):
		want = []string{"-e"}
	default:
		want = []string{"-w"}
	}
	rels := lf.Products["windows"]
	var plain *lifecycleRelease
	for _, suffix := range want {
		for i, r := range rels {
			if r.Latest != version {
				continue
			}
			if strings.HasSuffix(r.Cycle, suffix) {
				return "windows", &rels[i]
			}
		}
	}
	for i, r := range rels {
		// Releases without an edition split (Windows 10 22H2) apply to all
		// editions but LTSC.
		if r.Latest == version && strings.Count(r.Cycle, "-") == 1 && !strings.HasSuffix(want[0], "lts") {
			plain = &rels[i]
			break
		}
	}
	return "windows", plain
}

func findCycle(rels []lifecycleRelease, cycle string) *lifecycleRelease {
	for i := range rels {
		if rels[i].Cycle == cycle {
			return &rels[i]
		}
	}
	return nil
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

func productTitle(product string, r *lifecycleRelease) string {
	names := map[string]string{
		"windows": "Windows", "windows-server": "Windows Server", "macos": "macOS", "debian": "Debian",
		"ubuntu": "Ubuntu", "fedora": "Fedora", "rhel": "Red Hat Enterprise Linux", "rocky-linux": "Rocky Linux",
		"almalinux": "AlmaLinux", "centos": "CentOS", "linuxmint": "Linux Mint", "opensuse": "openSUSE Leap",
		"sles": "SUSE Linux Enterprise Server", "amazon-linux": "Amazon Linux",
	}
	name := names[product]
	switch {
	case product == "windows" && r.Label != "":
		label := r.Label
		label = strings.Replace(label, "(W)", "(Home and Pro)", 1)
		label = strings.Replace(label, "(E)", "(Enterprise and Education)", 1)
		if r.LTS {
			label += " LTSC"
		}
		return name + " " + label
	case r.Label != "" && !strings.Contains(r.Label, "{{"):
		if strings.HasPrefix(r.Label, name) {
			return r.Label
		}
		return name + " " + r.Label
	case r.Codename != "":
		return name + " " + r.Cycle + " (" + r.Codename + ")"
	}
	return name + " " + r.Cycle
}

// LifecycleSource describes the built-in lifecycle data for reports.
func LifecycleSource() handwash.DataSource { return builtInLifecycle().Source() }
