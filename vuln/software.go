package vuln

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/handwash/handwash"
)

// SoftwareEnd is an installed program whose release cycle has ended, or ends
// within the warning window.
type SoftwareEnd struct {
	Name, Version string // as installed
	// Product and ProductLabel are endoflife.date's product id and title:
	// "firefox", "Firefox".
	Product, ProductLabel string
	// Cycle is the release cycle matched ("115"); CycleLabel its human name,
	// marked when it is a long-term one ("115 (ESR)", "17 (LTS)").
	Cycle, CycleLabel string
	// Ends is the end of security support; zero when the data only says it
	// has ended.
	Ends time.Time
	// Ended is true when support has ended by now.
	Ended bool
	// Latest is the newest version in a supported cycle to move to, where
	// known: that cycle's latest version, or the cycle itself when the data
	// gives no version (Chrome "151", Office "2024").
	Latest string
	// Extended is the end of paid extended support, where the vendor sells
	// it beyond Ends (Oracle Java 8 to 2030-12-31, SQL Server ESU); zero
	// when there is none. Ended does not count it: a care provider rarely
	// pays for it, and then its supplier will say so.
	Extended time.Time
}

// SoftwareEOL finds the installed programs whose release cycle has ended by
// now, or ends within warn of now, according to endoflife.date's data.
//
// Programs are recognised by the table of rules below (softwareRules): for
// each endoflife.date product, the names it is installed under for each
// inventory source (Windows registry and MSIX, macOS apps, Homebrew, snap,
// Flatpak) and how its release cycle follows from its version or name.
// Names are compared after normalisation (normaliseSoftwareName): case,
// trademarks, bracketed parts such as "(x64 en-GB)", a trailing locale
// ("- en-us") or architecture ("64-bit"). A product missing from eol is
// skipped, as is a cycle the data does not list (a newer Chrome than the
// data knows, a pre-release).
//
// Packages of a Linux distribution (dpkg, rpm, apk) are never matched: the
// distribution supports what it ships for the life of its release, whatever
// upstream says, and its own end of life is checked elsewhere. Of Homebrew's
// kegs only the newest version of each name counts: older ones stay on disk
// until "brew cleanup" but are not the one in use.
//
// Results are sorted by product, then name (ignoring case) and version; an
// item listed twice (two app folders) is reported once.
func SoftwareEOL(items []handwash.SoftwareItem, eol *EOL, now time.Time, warn time.Duration) []SoftwareEnd {
	if eol == nil || len(items) == 0 {
		return nil
	}
	rules := softwareRulesFor(eol)
	if len(rules.byKey) == 0 {
		return nil
	}
	newestBrew := newestHomebrew(items)
	var out []SoftwareEnd
	seen := map[string]bool{}
	// The status of a cycle is the same for every item in it.
	type statusKey struct {
		release *EOLRelease
		esr     bool
	}
	type status struct {
		end SoftwareEnd
		ok  bool
	}
	statuses := map[statusKey]status{}
	for i := range items {
		it := &items[i]
		if it.Source == "homebrew" && newestBrew[it.Name] != it.Version {
			continue
		}
		m, ok := rules.match(it)
		if !ok {
			continue
		}
		st, done := statuses[statusKey{m.release, m.esr}]
		if !done {
			st.end, st.ok = softwareEnd(m, now, warn)
			statuses[statusKey{m.release, m.esr}] = st
		}
		if !st.ok {
			continue
		}
		end := st.end
		end.Name, end.Version = it.Name, it.Version
		key := end.Product + "\x00" + end.Name + "\x00" + end.Version + "\x00" + end.Cycle
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, end)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Product != b.Product {
			return a.Product < b.Product
		}
		if an, bn := strings.ToLower(a.Name), strings.ToLower(b.Name); an != bn {
			return an < bn
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.Cycle < b.Cycle
	})
	return out
}

// softwareMatch is an installed program recognised as a cycle of a product.
type softwareMatch struct {
	product *EOLProduct
	rule    *softwareRule
	release *EOLRelease
	// esr is true for a Firefox Extended Support Release.
	esr bool
}

// softwareEnd works out the status of a match, leaving Name and Version to
// the caller: nothing when its cycle is supported beyond the warning
// window.
func softwareEnd(m softwareMatch, now time.Time, warn time.Duration) (SoftwareEnd, bool) {
	r := m.release
	end := r.EOL
	lts := r.LTS && (r.LTSFrom.IsZero() || !now.Before(r.LTSFrom))
	if m.rule.product == "firefox" && r.LTS && !m.esr {
		// endoflife.date keeps one cycle for a Firefox version and its ESR
		// branch, with the ESR's end. The ordinary release of that version
		// ended when the next version came out.
		lts = false
		if next, ok := m.product.Release(nextMajor(r.Name)); ok && !next.ReleaseDate.IsZero() {
			end = EOLDate{Given: true, Date: next.ReleaseDate}
		}
	}
	if !end.Given {
		return SoftwareEnd{}, false
	}
	// Support continues through the end date: it stops the next day.
	ended := end.Passed(now)
	if !ended && (end.Date.IsZero() || now.Add(warn).Before(end.Date.AddDate(0, 0, 1))) {
		return SoftwareEnd{}, false
	}
	label := stripTags(r.Label)
	if label == "" {
		label = r.Name
	}
	if lts && !strings.Contains(strings.ToLower(label), "lts") && !strings.Contains(strings.ToLower(label), "esr") {
		if m.rule.product == "firefox" {
			label += " (ESR)"
		} else {
			label += " (LTS)"
		}
	}
	se := SoftwareEnd{
		Product: m.product.Name, ProductLabel: m.product.Label,
		Cycle: r.Name, CycleLabel: label,
		Ends:   end.Date,
		Ended:  ended,
		Latest: latestSupported(m.product, r, lts, now, warn),
	}
	if r.Extended.Given && !r.Extended.Date.IsZero() && r.Extended.Date.After(end.Date) {
		se.Extended = r.Extended.Date
	}
	return se, true
}

// latestSupported is the version to move to: the latest of the newest cycle
// that is out, supported and not ending within the warning window (else
// just supported); a long-term one when the installed cycle is long-term
// (Firefox ESR to the next ESR, Java 17 to the newest LTS rather than a
// six-month release). The installed cycle itself counts only when the data
// gives its latest version: "update Chrome to 120" says nothing to someone
// on Chrome 120.
func latestSupported(p *EOLProduct, installed *EOLRelease, preferLTS bool, now time.Time, warn time.Duration) string {
	for _, lts := range []bool{preferLTS, false} {
		for _, strict := range []bool{true, false} {
			for i := range p.Releases {
				r := &p.Releases[i]
				if lts && !(r.LTS && (r.LTSFrom.IsZero() || !now.Before(r.LTSFrom))) {
					continue
				}
				if !r.EOL.Given || r.EOL.Passed(now) || r.ReleaseDate.After(now) {
					continue
				}
				if strict && !r.EOL.Date.IsZero() && !now.Add(warn).Before(r.EOL.Date.AddDate(0, 0, 1)) {
					continue
				}
				if r == installed && r.Latest == "" {
					continue
				}
				if r.Latest != "" {
					return r.Latest
				}
				return r.Name
			}
		}
		if !preferLTS {
			break
		}
	}
	return ""
}

func nextMajor(cycle string) string {
	n, err := strconv.Atoi(cycle)
	if err != nil {
		return ""
	}
	return strconv.Itoa(n + 1)
}

// newestHomebrew gives, for each Homebrew name, its newest version.
func newestHomebrew(items []handwash.SoftwareItem) map[string]string {
	var newest map[string]string
	for _, it := range items {
		if it.Source != "homebrew" {
			continue
		}
		if newest == nil {
			newest = map[string]string{}
		}
		if v, ok := newest[it.Name]; !ok || compareLoose(it.Version, v) > 0 {
			newest[it.Name] = it.Version
		}
	}
	return newest
}

// compareLoose orders versions by their leading numbers, then as text.
func compareLoose(a, b string) int {
	na, nb := leadingNums(a), leadingNums(b)
	for i := 0; i < len(na) && i < len(nb); i++ {
		if na[i] != nb[i] {
			if na[i] < nb[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(na) != len(nb):
		if len(na) < len(nb) {
			return -1
		}
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Sources of an inventory item, as a set.
type softwareSources uint8

const (
	srcRegistry softwareSources = 1 << iota
	srcMSIX
	srcApp
	srcHomebrew
	srcFlatpak
	srcSnap

	srcWindows = srcRegistry | srcMSIX
)

func softwareSourceOf(s string) softwareSources {
	switch s {
	case "registry":
		return srcRegistry
	case "msix":
		return srcMSIX
	case "app":
		return srcApp
	case "homebrew":
		return srcHomebrew
	case "flatpak":
		return srcFlatpak
	case "snap":
		return srcSnap
	}
	// dpkg, rpm, apk: the distribution supports them. Anything else: unknown.
	return 0
}

// softwareRule recognises one endoflife.date product.
type softwareRule struct {
	// product is endoflife.date's id.
	product string
	// names are the normalised names it is installed under.
	names []namePattern
	// publisher, where set, must match the item's publisher when it has one.
	publisher *regexp.Regexp
	// cycle turns a version into a release cycle of p; v comes from the
	// name's "v" group when it has one, else from the item's version
	// (fromName says which). "" when there is none.
	cycle func(v string, fromName bool, name string, p *EOLProduct) string
	// esr tells a Firefox ESR from an ordinary release (firefox only).
	esr func(name, version string) bool
}

// namePattern is a way a product's name is written in some sources.
type namePattern struct {
	sources softwareSources
	// keys are the first word (before a space or @), or first two words,
	// of the names the pattern can match ("python", "microsoft office"):
	// they index the patterns, so that an item is tried against a few of
	// them only.
	keys []string
	// re matches the whole normalised name. A group named v, where
	// present, holds a version or cycle written in the name ("Python
	// 3.8.10", "PostgreSQL 12", "python@3.11"); when it matched, it takes
	// the place of the item's version.
	re *regexp.Regexp
}

// pat makes a namePattern; keys are separated by "|".
func pat(src softwareSources, keys, re string) namePattern {
	return namePattern{sources: src, keys: strings.Split(keys, "|"), re: regexp.MustCompile(re)}
}

// softwareRules is the table of products recognised. Each rule's comment
// says what it leaves out on purpose (lookalikes).
var softwareRules = []softwareRule{
	// Google Chrome. Cycle: major version (120.0.6099.130 is 120). Its
	// cycles end every four weeks, when the next one comes out; Chrome
	// updates itself, so an old one means updating is stuck or blocked.
	// Not matched: Beta, Dev, Canary and Chrome for Testing (pre-releases,
	// ahead of the data), Chrome Remote Desktop Host, Google Chrome Helper,
	// Chromium (another product, updated by its packager), and Homebrew's
	// google-chrome cask (its folder keeps the version first installed
	// while the app updates itself; the app is listed anyway).
	{
		product:   "chrome",
		publisher: regexp.MustCompile(`(?i)google`),
		cycle:     cycleMajor,
		names: []namePattern{
			pat(srcWindows|srcApp, "google", `^google chrome$`),
			pat(srcFlatpak, "com.google.chrome", `^com\.google\.chrome$`),
		},
	},
	// Mozilla Firefox and Firefox ESR. Cycle: major version (115.6.0esr is
	// 115). An ESR is told by "ESR" in the name or version, or a minor
	// version above 0 (ordinary releases are X.0 and X.0.Y; ESR updates
	// X.1.0, X.2.0, ...); an ordinary release of an ESR version (140.0.4)
	// ended when the next version came out, not with the ESR. Not matched:
	// Firefox Developer Edition, Beta and Nightly (pre-releases), Mozilla
	// Maintenance Service, Thunderbird (not in the data), and Homebrew's
	// firefox cask (as for Chrome).
	{
		product:   "firefox",
		publisher: regexp.MustCompile(`(?i)mozilla`),
		cycle:     cycleMajor,
		esr:       firefoxESR,
		names: []namePattern{
			pat(srcWindows, "mozilla", `^mozilla firefox(?: esr)?(?: (?P<v>\d+(?:\.\d+)*(?:esr)?))?(?: esr)?$`),
			pat(srcApp, "firefox", `^firefox(?: esr)?$`),
			pat(srcSnap, "firefox", `^firefox$`),
			pat(srcFlatpak, "org.mozilla.firefox", `^org\.mozilla\.firefox$`),
		},
	},
	// Microsoft Office, the versions bought once (2007 to 2024, LTSC).
	// Cycle: the year in the name (the version, 16.0.x, is the same for
	// 2016 to 2024); LTSC 2024 is "2024-ltsc", LTSC 2021 is "2021". On a
	// Mac, the apps' version tells only Office 2011 (14.x) and 2008 (12.x);
	// 16.x is 2019, 2021, 2024 or Microsoft 365 alike, so it is not matched.
	// Not matched: Microsoft 365 Apps and Office 365 (a subscription kept
	// up to date, which endoflife.date does not list), Office components
	// and language packs ("Office Proof", "Office Shared Setup Metadata",
	// "Office 64-bit Components"), Visio and Project (other products in
	// Microsoft's lifecycle, though they end on the same days), and the
	// Access Database Engine redistributable.
	{
		product:   "office",
		publisher: regexp.MustCompile(`(?i)microsoft`),
		cycle:     cycleOffice,
		names: []namePattern{
			pat(srcWindows, "microsoft office", `^microsoft office (?:ltsc )?(?:(?:professional plus|professional academic|professional|standard|home and business|home & business|home and student|home & student|home|small business premium|small business|basic|enterprise|ultimate|starter|personal) )?(?P<v>20\d\d)$`),
			pat(srcWindows, "microsoft word|microsoft excel|microsoft powerpoint|microsoft outlook|microsoft publisher|microsoft access|microsoft onenote", `^microsoft (?:word|excel|powerpoint|outlook|publisher|access|onenote) (?:ltsc )?(?P<v>20\d\d)$`),
			pat(srcApp, "microsoft word|microsoft excel|microsoft powerpoint|microsoft outlook", `^microsoft (?:word|excel|powerpoint|outlook)$`),
		},
	},
	// Oracle Java: the JRE ("Java 8 Update 391", "Java(TM) 7 Update 80
	// (64-bit)", "Java 10.0.2") and JDK ("Java SE Development Kit 8 Update
	// 391", "Java(TM) SE Development Kit 17.0.9"). Cycle: the Java version
	// (8, 17; 1.4 and older as 1.x). Ends is Oracle's Premier Support; the
	// paid Extended Support is in Extended (Java 8 to 2030), since without
	// a subscription a business gets no Java 8 updates. Not matched: Java
	// Auto Updater, JavaFX, and the OpenJDK builds of other vendors (their
	// own rules).
	{
		product:   "oracle-jdk",
		publisher: regexp.MustCompile(`(?i)oracle|sun micro`),
		cycle:     cycleJava,
		names: []namePattern{
			pat(srcWindows, "java|j2se", `^(?:java|java se development kit|java se runtime environment|j2se runtime environment|j2se development kit) (?P<v>\d+(?:\.\d+)*)(?: update \d+)?$`),
		},
	},
	// Eclipse Temurin ("Eclipse Temurin JDK with Hotspot 17.0.9+9 (x64)",
	// "Eclipse Temurin JRE with Hotspot 8u392-b08 (x64)"; Homebrew's temurin
	// and temurin@17 casks, as the JDK itself is not an app). Cycle: the Java
	// version. Not matched: AdoptOpenJDK (its builds stopped in 2021; the data
	// does not list it).
	{
		product: "eclipse-temurin",
		cycle:   cycleJava,
		names: []namePattern{
			pat(srcWindows, "eclipse", `^eclipse temurin (?:jdk|jre) with hotspot (?P<v>\d\S*)$`),
			pat(srcHomebrew, "temurin", `^temurin(?:@(?P<v>\d+))?$`),
		},
	},
	// Amazon Corretto ("Amazon Corretto 17.0.9.8.1"; casks corretto,
	// corretto@17). Cycle: the Java version.
	{
		product: "amazon-corretto",
		cycle:   cycleJava,
		names: []namePattern{
			pat(srcWindows, "amazon", `^amazon corretto(?: jdk)?(?: (?P<v>\d+(?:\.\d+)*))?$`),
			pat(srcHomebrew, "corretto", `^corretto(?:@(?P<v>\d+))?$`),
		},
	},
	// Azul Zulu ("Zulu JDK 17.46.19 (17.0.9), 64-bit", "Azul Zulu JDK FX
	// 21.30.15"; casks zulu, zulu@17). Cycle: the Java version (Zulu's own
	// version starts with it).
	{
		product: "azul-zulu",
		cycle:   cycleJava,
		names: []namePattern{
			pat(srcWindows, "azul|zulu", `^(?:azul )?zulu(?: (?:jdk|jre)(?: fx)?)?(?: (?P<v>\d+(?:\.\d+)*))?$`),
			pat(srcHomebrew, "zulu", `^zulu(?:@(?P<v>\d+))?$`),
		},
	},
	// Microsoft Build of OpenJDK ("Microsoft Build of OpenJDK with Hotspot
	// 17.0.9+8 (x64)"; casks microsoft-openjdk, microsoft-openjdk@17).
	{
		product: "microsoft-build-of-openjdk",
		cycle:   cycleJava,
		names: []namePattern{
			pat(srcWindows, "microsoft build", `^microsoft build of openjdk with hotspot (?P<v>\d\S*)$`),
			pat(srcHomebrew, "microsoft-openjdk", `^microsoft-openjdk(?:@(?P<v>\d+))?$`),
		},
	},
	// BellSoft Liberica ("Liberica JDK 17 Full"). Not matched: Homebrew's
	// liberica-jdk17 casks (rare; their names carry the cycle).
	{
		product: "bellsoft-liberica",
		cycle:   cycleJava,
		names: []namePattern{
			pat(srcWindows, "bellsoft|liberica", `^(?:bellsoft )?liberica (?:jdk|jre)(?: (?P<v>\d+(?:\.\d+)*))?(?: full| lite| standard)?$`),
		},
	},
	// Python from python.org ("Python 3.8.10 (64-bit)", "Python 2.7.18"),
	// the Microsoft Store ("Python 3.11") and Homebrew (python,
	// python@3.11). Cycle: major.minor. Not matched: Python Launcher (py.exe,
	// which follows the newest Python installed), the installer's component
	// entries ("Python 3.11.4 Core Interpreter", "... pip Bootstrap"), IDLE,
	// and Anaconda or Miniconda (a distribution that bundles its own Python
	// and updates it with conda).
	{
		product: "python",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "python", `^python (?P<v>\d+\.\d+(?:\.\d+)?(?:(?:a|b|rc)\d+)?)$`),
			pat(srcHomebrew, "python", `^python(?:@(?P<v>\d+\.\d+))?$`),
		},
	},
	// Node.js ("Node.js" with version 18.19.0; Homebrew node, node@18; the
	// node snap). Cycle: major version. Not matched: Node.js tools for
	// editors, nvm.
	{
		product: "nodejs",
		cycle:   cycleMajor,
		names: []namePattern{
			pat(srcWindows, "node.js|nodejs", `^node\.?js$`),
			pat(srcHomebrew, "node", `^node(?:@(?P<v>\d+))?$`),
			pat(srcSnap, "node", `^node$`),
		},
	},
	// PHP ("PHP 8.2.12"; Homebrew php, php@8.1). Cycle: major.minor. Not
	// matched: phpMyAdmin, PHP Manager for IIS, XAMPP and WampServer (they
	// bundle PHP but are listed under their own names).
	{
		product: "php",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "php", `^php(?: (?P<v>\d+\.\d+(?:\.\d+)*))?$`),
			pat(srcHomebrew, "php", `^php(?:@(?P<v>\d+\.\d+))?$`),
		},
	},
	// .NET (Core): the runtimes, the Windows Desktop Runtime, ASP.NET Core's
	// shared framework and hosting bundle, and the SDK ("Microsoft .NET
	// Runtime - 6.0.25 (x64)", "Microsoft Windows Desktop Runtime - 6.0.25
	// (x64)", "Microsoft ASP.NET Core 6.0.25 - Shared Framework (x64)",
	// "Microsoft .NET SDK 8.0.100 (x64)"). Cycle: the major version from 5 on
	// (6.0.25 is 6), major.minor before (Core 3.1). Not matched: the .NET
	// Host, Host FX Resolver, targeting and AppHost packs and templates
	// (parts installed beside a runtime or SDK, which is matched itself);
	// .NET Framework (its own rule); the Visual C++ Redistributables (not in
	// the data: 2015-2022 is supported and updated by Windows Update, older
	// ones are not but are needed by old programs, which is for another
	// check).
	{
		product: "dotnet",
		cycle:   cycleDotnet,
		names: []namePattern{
			pat(srcWindows, "microsoft .net|microsoft windows", `^microsoft (?:\.net|\.net core|windows desktop|\.net desktop) runtime - (?P<v>\d+\.\d+\S*)$`),
			pat(srcWindows, "microsoft asp.net", `^microsoft asp\.net core (?P<v>\d+\.\d+\S*) - shared framework$`),
			pat(srcWindows, "microsoft asp.net", `^microsoft asp\.net core (?:runtime )?(?P<v>\d+\.\d+\S*)(?: - windows server)? hosting bundle$`),
			pat(srcWindows, "microsoft .net", `^microsoft \.net(?: core)? (?P<v>\d+\.\d+\S*) - windows server hosting$`),
			pat(srcWindows, "microsoft .net", `^microsoft \.net(?: core)? sdk (?P<v>\d+\.\d+\S*)$`),
			pat(srcHomebrew, "dotnet|dotnet-sdk", `^dotnet(?:-sdk)?(?:@(?P<v>\d+))?$`),
		},
	},
	// .NET Framework, where it has its own entry (Windows 7 and Server
	// 2008/2012 era: "Microsoft .NET Framework 4.5.2"; on Windows 10 and 11
	// it is part of Windows). Cycle: the version in the name; "3.5 SP1" is
	// 3.5-sp1, "4 Client Profile" and "4 Extended" are 4.0. Not matched:
	// targeting, multi-targeting and language packs, the SDK.
	{
		product: "dotnetfx",
		cycle:   cycleDotnetFX,
		names: []namePattern{
			pat(srcWindows, "microsoft .net", `^microsoft \.net framework (?P<v>4\.\d(?:\.\d)?|3\.5 sp1|4 client profile|4 extended)$`),
		},
	},
	// PostgreSQL ("PostgreSQL 12", "PostgreSQL 9.6"; Homebrew postgresql,
	// postgresql@14). Cycle: the major version from 10 on, major.minor
	// before. Not matched: pgAdmin, the ODBC driver, Stack Builder,
	// Postgres.app (which bundles several versions).
	{
		product: "postgresql",
		cycle:   cyclePostgres,
		names: []namePattern{
			pat(srcWindows, "postgresql", `^postgresql(?: (?P<v>\d+(?:\.\d+)?))?$`),
			pat(srcHomebrew, "postgresql", `^postgresql(?:@(?P<v>\d+(?:\.\d+)?))?$`),
		},
	},
	// MySQL Server ("MySQL Server 5.7"; Homebrew mysql, mysql@8.0). Cycle:
	// major.minor. Not matched: Workbench, Shell, Router, Installer,
	// Notifier, the connectors, examples and documentation (client tools
	// with their own versions), mysql-client.
	{
		product: "mysql",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "mysql", `^mysql server(?: (?P<v>\d+\.\d+))?$`),
			pat(srcHomebrew, "mysql", `^mysql(?:@(?P<v>\d+\.\d+))?$`),
		},
	},
	// MariaDB ("MariaDB 10.6 (x64)"; Homebrew mariadb, mariadb@10.6).
	// Cycle: major.minor. Not matched: the C connector and ODBC driver,
	// HeidiSQL.
	{
		product: "mariadb",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "mariadb", `^mariadb(?: (?P<v>\d+\.\d+))?$`),
			pat(srcHomebrew, "mariadb", `^mariadb(?:@(?P<v>\d+\.\d+))?$`),
		},
	},
	// Microsoft SQL Server, by the main entry of an instance ("Microsoft SQL
	// Server 2014 (64-bit)", "Microsoft SQL Server 2008 R2 (64-bit)"), which
	// names the year but not the service pack. Cycle: the year's newest
	// service pack, whose end is the latest of the year's: an older service
	// pack ended sooner, but updating to the newest is free and a message
	// about the year's end is the one that matters. Not matched: Management
	// Studio, Native Client, Management Objects, LocalDB, setup support files
	// and other client parts.
	{
		product:   "mssqlserver",
		publisher: regexp.MustCompile(`(?i)microsoft`),
		cycle:     cycleSQLServer,
		names: []namePattern{
			pat(srcWindows, "microsoft sql", `^microsoft sql server (?P<v>20\d\d(?: r2)?)$`),
		},
	},
	// LibreOffice ("LibreOffice 7.6.4.1"; the macOS app, snap and Flatpak).
	// Cycle: major.minor (7.6, 24.2). Not matched: help packs and language
	// packs, Homebrew's libreoffice cask (the app is listed anyway).
	{
		product: "libreoffice",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "libreoffice", `^libreoffice(?: (?P<v>\d+\.\d+(?:\.\d+)*))?$`),
			pat(srcApp|srcSnap, "libreoffice", `^libreoffice$`),
			pat(srcFlatpak, "org.libreoffice.libreoffice", `^org\.libreoffice\.libreoffice$`),
		},
	},
	// Notepad++ ("Notepad++ (64-bit x64)"). Cycle: major.minor (8.6); each
	// ends when the next comes out.
	{
		product: "notepad-plus-plus",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "notepad++", `^notepad\+\+$`),
		},
	},
	// Oracle VirtualBox ("Oracle VM VirtualBox 7.0.12"; the macOS app).
	// Cycle: major.minor.
	{
		product: "virtualbox",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "oracle", `^oracle (?:vm )?virtualbox(?: (?P<v>\d+(?:\.\d+)*))?$`),
			pat(srcApp, "virtualbox", `^virtualbox$`),
		},
	},
	// Wireshark ("Wireshark 4.2.0 64-bit"; the macOS app, Flatpak). Cycle:
	// major.minor. Not matched: Npcap, USBPcap.
	{
		product: "wireshark",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "wireshark", `^wireshark(?: (?P<v>\d+(?:\.\d+)*))?$`),
			pat(srcApp, "wireshark", `^wireshark$`),
			pat(srcFlatpak, "org.wireshark.wireshark", `^org\.wireshark\.wireshark$`),
		},
	},
	// PowerShell 7 ("PowerShell 7-x64" with version 7.3.9.0; Homebrew's
	// powershell cask; the snap). Cycle: major.minor of the version. Not
	// matched: previews ("PowerShell 7-preview-x64"); Windows PowerShell 5.1
	// is part of Windows.
	{
		product: "powershell",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "powershell", `^powershell \d+$`),
			pat(srcHomebrew|srcSnap, "powershell", `^powershell$`),
		},
	},
	// Go ("Go Programming Language amd64 go1.21.5"; Homebrew go, go@1.20;
	// the snap). Cycle: major.minor.
	{
		product: "go",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "go", `^go programming language(?: (?:amd64|386|arm64))? go(?P<v>\d+\.\d+(?:\.\d+)?)$`),
			pat(srcHomebrew, "go", `^go(?:@(?P<v>\d+\.\d+))?$`),
			pat(srcSnap, "go", `^go$`),
		},
	},
	// Ruby ("Ruby 3.2.2-1-x64 with MSYS2" from RubyInstaller; Homebrew ruby,
	// ruby@3.1). Cycle: major.minor.
	{
		product: "ruby",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "ruby", `^ruby (?P<v>\d+\.\d+\.\d+)(?:-\d+)?(?:-(?:x64|x86))?(?: with (?:msys2|devkit))?$`),
			pat(srcHomebrew, "ruby", `^ruby(?:@(?P<v>\d+\.\d+))?$`),
		},
	},
	// Perl (Strawberry Perl, version 5.32.1.1; Homebrew perl). Cycle:
	// major.minor. Not matched: ActivePerl (its own builds and support).
	{
		product: "perl",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "strawberry", `^strawberry perl$`),
			pat(srcHomebrew, "perl", `^perl$`),
		},
	},
	// OpenVPN 2, the community client ("OpenVPN 2.6.8-I001 amd64"; Homebrew
	// openvpn). Cycle: major.minor. Not matched: OpenVPN Connect (another
	// client, version 3, not in the data).
	{
		product: "openvpn",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "openvpn", `^openvpn (?P<v>\d+\.\d+(?:\.\d+)?)(?:-i\d+)?$`),
			pat(srcHomebrew, "openvpn", `^openvpn$`),
		},
	},
	// MongoDB Server ("MongoDB 6.0.12 2008R2Plus SSL (64 bit)"; Homebrew
	// mongodb-community, mongodb-community@6.0). Cycle: major.minor. Not
	// matched: Compass, the shell, the tools.
	{
		product: "mongodb",
		cycle:   cycleMajorMinor,
		names: []namePattern{
			pat(srcWindows, "mongodb", `^mongodb (?P<v>\d+\.\d+(?:\.\d+)?)(?: 2008r2plus)?(?: ssl)?$`),
			pat(srcHomebrew, "mongodb-community", `^mongodb-community(?:@(?P<v>\d+\.\d+))?$`),
		},
	},
	// Veeam Backup & Replication, the server ("Veeam Backup & Replication",
	// version 12.1.0.2131). Cycle: the major version from 10 on, major.minor
	// before (9.5). Not matched: its console, catalog and transport parts,
	// Veeam Agent for Windows (another product).
	{
		product: "veeam-backup-and-replication",
		cycle:   cycleVeeam,
		names: []namePattern{
			pat(srcWindows, "veeam", `^veeam backup (?:&|and) replication(?: server)?$`),
		},
	},
}

// Not in the rules, for want of end-of-life data or a way to tell the
// cycle: Microsoft Edge, Thunderbird, Adobe Acrobat and Reader, 7-Zip, VLC,
// Zoom, TeamViewer, AnyDesk (not in endoflife.date); Internet Explorer
// (flagged by name by the updates.unsupported-software control); FileMaker
// (its cycles mix 19.x and years whose apps say 20.x and up); Visual
// Studio, Blender and NVIDIA drivers (not what a care provider runs, or
// cycles that need more than the version).

// softwareIndex is the rules whose product is in some EOL data, by the
// keys of their name patterns.
type softwareIndex struct {
	byKey map[string][]softwareCandidate
	// first holds the first word of every key, to pass over most items
	// before normalising their names.
	first map[string]bool
}

type softwareCandidate struct {
	rule    *softwareRule
	product *EOLProduct
	pattern *namePattern
}

// SoftwareEOLProducts are the endoflife.date products SoftwareEOL looks
// up: end-of-life data without the others gives it the same results.
func SoftwareEOLProducts() []string {
	var names []string
	for i := range softwareRules {
		if !slices.Contains(names, softwareRules[i].product) {
			names = append(names, softwareRules[i].product)
		}
	}
	slices.Sort(names)
	return names
}

func softwareRulesFor(eol *EOL) softwareIndex {
	ix := softwareIndex{byKey: map[string][]softwareCandidate{}, first: map[string]bool{}}
	for i := range softwareRules {
		r := &softwareRules[i]
		p, ok := eol.Product(r.product)
		if !ok {
			continue
		}
		for j := range r.names {
			np := &r.names[j]
			for _, k := range np.keys {
				ix.byKey[k] = append(ix.byKey[k], softwareCandidate{rule: r, product: p, pattern: np})
				w, _, _ := strings.Cut(k, " ")
				ix.first[w] = true
			}
		}
	}
	return ix
}

// match recognises an item: its product and a release cycle the data lists.
func (ix softwareIndex) match(it *handwash.SoftwareItem) (softwareMatch, bool) {
	src := softwareSourceOf(it.Source)
	if src == 0 {
		return softwareMatch{}, false
	}
	if w, ok := firstNameWord(it.Name); ok && !ix.first[w] {
		return softwareMatch{}, false
	}
	name := normaliseSoftwareName(it.Name)
	one, rest, _ := strings.Cut(name, " ")
	one, _, _ = strings.Cut(one, "@")
	two, _, _ := strings.Cut(rest, " ")
	if m, ok := ix.try(ix.byKey[one], it, src, name); ok {
		return m, true
	}
	if two == "" {
		return softwareMatch{}, false
	}
	return ix.try(ix.byKey[one+" "+two], it, src, name)
}

func (ix softwareIndex) try(cands []softwareCandidate, it *handwash.SoftwareItem, src softwareSources, name string) (softwareMatch, bool) {
	for _, c := range cands {
		if c.pattern.sources&src == 0 {
			continue
		}
		sub := c.pattern.re.FindStringSubmatch(name)
		if sub == nil {
			continue
		}
		if c.rule.publisher != nil && it.Publisher != "" && !c.rule.publisher.MatchString(it.Publisher) {
			continue
		}
		v, fromName := strings.TrimSpace(it.Version), false
		if k := c.pattern.re.SubexpIndex("v"); k > 0 && sub[k] != "" {
			v, fromName = sub[k], true
		}
		cycle := c.rule.cycle(v, fromName, name, c.product)
		if cycle == "" {
			continue
		}
		r, ok := c.product.Release(cycle)
		if !ok {
			continue
		}
		m := softwareMatch{product: c.product, rule: c.rule, release: r}
		if c.rule.esr != nil {
			m.esr = c.rule.esr(name, it.Version)
		}
		return m, true
	}
	return softwareMatch{}, false
}

// firstNameWord is the first word of a name as normaliseSoftwareName would
// give it, read cheaply; ok is false when it cannot tell (the name starts
// with a bracket, or is not plain enough), and the name must be normalised.
func firstNameWord(s string) (string, bool) {
	s = strings.TrimLeft(s, " ")
	end := len(s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '@' || c == '(' || c == '[' {
			end = i
			break
		}
		if c < 0x20 || c >= 0x7f || c == ')' || c == ']' {
			return "", false // trademark signs, other spaces, Unicode case
		}
	}
	if end == 0 {
		return "", false
	}
	w := strings.ToLower(s[:end])
	if archWords[w] || strings.ContainsAny(w, ",;:") || strings.HasSuffix(w, "-") || strings.Contains(w, "-x") || strings.Contains(w, "-a") {
		return "", false // a suffix normalisation might take off
	}
	return w, true
}

// normaliseSoftwareName makes a program's name comparable: lower case,
// without trademark signs, bracketed parts ("(x64 en-GB)", "(64-bit)"), a
// trailing locale ("- en-us"), architecture ("64-bit", "x64", "-x64") or
// punctuation, and with single spaces.
func normaliseSoftwareName(s string) string {
	s = strings.ToLower(s)
	if strings.ContainsAny(s, "™®©") {
		s = trademarks.Replace(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	depth := 0
	for _, r := range s {
		switch {
		case r == '(' || r == '[':
			depth++
			b.WriteByte(' ')
		case (r == ')' || r == ']') && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	words := strings.Fields(b.String())
	for len(words) > 0 {
		last := words[len(words)-1]
		trimmed := strings.TrimRight(last, ",;:-")
		switch {
		case trimmed == "":
			words = words[:len(words)-1]
			continue
		case archWords[trimmed]:
			words = words[:len(words)-1]
			continue
		case len(words) >= 2 && words[len(words)-2] == "-" && localeWord.MatchString(trimmed):
			words = words[:len(words)-2]
			continue
		}
		for _, suffix := range []string{"-x64", "-x86", "-arm64", "-amd64"} {
			if t, ok := strings.CutSuffix(trimmed, suffix); ok && t != "" {
				trimmed = t
				break
			}
		}
		words[len(words)-1] = trimmed
		break
	}
	return strings.Join(words, " ")
}

var (
	// "(TM)" and "(R)" go with the other bracketed parts.
	trademarks = strings.NewReplacer("™", "", "®", "", "©", "")
	archWords  = map[string]bool{
		"x64": true, "x86": true, "x86_64": true, "amd64": true, "arm64": true, "aarch64": true,
		"64-bit": true, "32-bit": true, "64bit": true, "32bit": true, "win64": true, "win32": true,
	}
	localeWord = regexp.MustCompile(`^[a-z]{2,3}(?:-[a-z0-9]{2,4}){1,2}$`)
)

// firefoxESR tells a Firefox Extended Support Release: "esr" in the name or
// version (115.6.0esr), or a minor version above 0, which only ESR updates
// have (140.5.0; ordinary releases are 140.0 and 140.0.4).
func firefoxESR(name, version string) bool {
	if strings.Contains(name, "esr") || strings.Contains(strings.ToLower(version), "esr") {
		return true
	}
	n := leadingNums(version)
	return len(n) >= 2 && n[1] > 0
}

// leadingNums reads the numbers at the start of a version, separated by
// dots: 120.0.6099.130 is [120 0 6099 130], 8u392-b08 is [8], 3.11.6_1 is
// [3 11 6]. A leading "v" or "go" is skipped. Numbers over nine digits end
// the reading.
func leadingNums(v string) []int {
	v = strings.TrimSpace(v)
	v = strings.TrimPrefix(strings.TrimPrefix(v, "v"), "go")
	var out []int
	for len(out) < 8 {
		i := 0
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			i++
		}
		if i == 0 || i > 9 {
			break
		}
		n, _ := strconv.Atoi(v[:i])
		out = append(out, n)
		if i == len(v) || v[i] != '.' {
			break
		}
		v = v[i+1:]
	}
	return out
}

func cycleMajor(v string, _ bool, _ string, _ *EOLProduct) string {
	n := leadingNums(v)
	if len(n) == 0 {
		return ""
	}
	return strconv.Itoa(n[0])
}

func cycleMajorMinor(v string, _ bool, _ string, _ *EOLProduct) string {
	n := leadingNums(v)
	if len(n) < 2 {
		return ""
	}
	return strconv.Itoa(n[0]) + "." + strconv.Itoa(n[1])
}

// majorFrom names cycles by major version from version from on, and by
// major.minor before it.
func majorFrom(from int) func(v string, fromName bool, name string, p *EOLProduct) string {
	return func(v string, fromName bool, name string, p *EOLProduct) string {
		n := leadingNums(v)
		if len(n) == 0 {
			return ""
		}
		if n[0] >= from {
			return strconv.Itoa(n[0])
		}
		return cycleMajorMinor(v, fromName, name, p)
	}
}

// The products whose cycle naming changed: .NET 5 and later by major
// version (.NET Core by major.minor), PostgreSQL 10 and later (9.6 and
// older by major.minor), Veeam 10 and later (9.5 and older).
var (
	cycleDotnet   = majorFrom(5)
	cyclePostgres = majorFrom(10)
	cycleVeeam    = majorFrom(10)
)

// cycleJava: the Java feature version. 17.0.9+9, 17.46.19 (Zulu) and
// 17.0.9,9 (a cask) are 17; 8, 8u392-b08 and 8.0.2510.8 are 8; 1.8.0_391
// is 8 and 1.4.2 is 1.4, as the data names them.
func cycleJava(v string, _ bool, _ string, _ *EOLProduct) string {
	n := leadingNums(v)
	switch {
	case len(n) == 0:
		return ""
	case n[0] == 1 && len(n) >= 2 && n[1] >= 5:
		return strconv.Itoa(n[1])
	case n[0] == 1 && len(n) >= 2:
		return "1." + strconv.Itoa(n[1])
	}
	return strconv.Itoa(n[0])
}

// cycleOffice: the year in the name, LTSC 2024 as 2024-ltsc where the data
// has it. A Mac app's version tells Office 2011 (14.x) and 2008 (12.x)
// only.
func cycleOffice(v string, fromName bool, name string, p *EOLProduct) string {
	if !fromName {
		n := leadingNums(v)
		switch {
		case len(n) == 0:
			return ""
		case n[0] == 14:
			return "2011-for-mac"
		case n[0] == 12:
			return "2008-for-mac"
		}
		return ""
	}
	if strings.Contains(name, "ltsc") {
		if _, ok := p.Release(v + "-ltsc"); ok {
			return v + "-ltsc"
		}
	}
	return v
}

// cycleDotnetFX: the .NET Framework version in the name.
func cycleDotnetFX(v string, _ bool, _ string, _ *EOLProduct) string {
	switch v {
	case "3.5 sp1":
		return "3.5-sp1"
	case "4 client profile", "4 extended":
		return "4.0"
	}
	return v
}

// cycleSQLServer: of the cycles whose label starts with the year ("2014
// 'Hekaton' SP3"; "2008 R2 ..." only for 2008 R2), the one supported
// longest, which is the newest service pack.
func cycleSQLServer(v string, _ bool, _ string, p *EOLProduct) string {
	year, r2 := strings.CutSuffix(v, " r2")
	best, bestEnd := "", time.Time{}
	for _, r := range p.Releases {
		label := strings.ToLower(r.Label)
		rest, ok := strings.CutPrefix(label, year)
		if !ok || (rest != "" && rest[0] != ' ') {
			continue
		}
		isR2 := strings.HasPrefix(rest, " r2") || strings.HasSuffix(r.Name, "-r2")
		if isR2 != r2 || !r.EOL.Given || r.EOL.Date.IsZero() {
			continue
		}
		if best == "" || r.EOL.Date.After(bestEnd) || (r.EOL.Date.Equal(bestEnd) && len(r.Name) < len(best)) {
			best, bestEnd = r.Name, r.EOL.Date
		}
	}
	return best
}

// stripTags removes HTML tags from a label ("20 (<abbr title='Short Term
// Support'>STS</abbr>)" is "20 (STS)").
func stripTags(s string) string {
	if !strings.Contains(s, "<") {
		return s
	}
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
		case !in:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}
