package vuln

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/schema"
)

const swEOLDir = "../../shared/fixtures/eol/products"

// swRealEOL is the real endoflife.date data (endoflife.date @ a70eca33),
// read once.
var swRealEOL = sync.OnceValues(func() (*EOL, error) {
	if _, err := os.Stat(swEOLDir); err != nil {
		return nil, err
	}
	return ParseEOLProductFiles(os.DirFS(swEOLDir))
})

func swEOL(t testing.TB) *EOL {
	t.Helper()
	e, err := swRealEOL()
	if os.IsNotExist(err) {
		t.Skipf("shared fixture %s not found: these tests need the endoflife.date product files in /work/shared/fixtures beside the repository", swEOLDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func swDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// swNow is the fixed "now" of the tests against real data.
var swNow = swDay("2026-11-30")

const swWarn = 90 * 24 * time.Hour

// TestSoftwareMatch checks how names and versions, as each source writes
// them, map to a product and release cycle of the real data, and that
// lookalikes do not match ("" product).
func TestSoftwareMatch(t *testing.T) {
	e := swEOL(t)
	ix := softwareRulesFor(e)
	type item = handwash.SoftwareItem
	reg := func(name, version string) item { return item{Name: name, Version: version, Source: "registry"} }
	regBy := func(name, version, publisher string) item {
		return item{Name: name, Version: version, Publisher: publisher, Source: "registry"}
	}
	app := func(name, version string) item { return item{Name: name, Version: version, Source: "app"} }
	brew := func(name, version string) item { return item{Name: name, Version: version, Source: "homebrew"} }
	snap := func(name, version string) item { return item{Name: name, Version: version, Source: "snap"} }
	flatpak := func(name, version string) item { return item{Name: name, Version: version, Source: "flatpak"} }
	msix := func(name, version string) item { return item{Name: name, Version: version, Source: "msix"} }
	tests := []struct {
		it             item
		product, cycle string
		esr            bool
	}{
		// Google Chrome
		{regBy("Google Chrome", "120.0.6099.130", "Google LLC"), "chrome", "120", false},
		{regBy("Google Chrome", "118.0.5993.118", "Google Inc."), "chrome", "118", false},
		{app("Google Chrome", "142.0.7444.176"), "chrome", "142", false},
		{flatpak("com.google.Chrome", "120.0.6099.129-1"), "chrome", "120", false},
		{reg("Google Chrome Beta", "121.0.6167.16"), "", "", false},
		{reg("Google Chrome Dev", "122.0.6182.0"), "", "", false},
		{app("Google Chrome Canary", "122.0.6200.0"), "", "", false},
		{app("Google Chrome for Testing", "120.0.6099.109"), "", "", false},
		{reg("Chrome Remote Desktop Host", "120.0.6099.5"), "", "", false},
		{app("Google Chrome Helper", "120.0.6099.130"), "", "", false},
		{snap("chromium", "120.0.6099.129"), "", "", false},
		{brew("google-chrome", "120.0.6099.129"), "", "", false},
		{regBy("Google Chrome", "120.0.6099.130", "Fast Browser Co"), "", "", false}, // a lookalike installer
		{item{Name: "google-chrome-stable", Version: "120.0.6099.129-1", Source: "dpkg"}, "", "", false},
		{reg("Google Chrome", "999.0.1.2"), "", "", false}, // a cycle the data does not know

		// Firefox
		{regBy("Mozilla Firefox (x64 en-GB)", "121.0", "Mozilla"), "firefox", "121", false},
		{reg("Mozilla Firefox (x86 en-US)", "120.0.1"), "firefox", "120", false},
		{reg("Mozilla Firefox ESR (x64 en-GB)", "115.6.0"), "firefox", "115", true},
		{reg("Mozilla Firefox 115.6.0 ESR (x86 en-US)", "115.6.0"), "firefox", "115", true},
		{reg("Mozilla Firefox 102.15.1 ESR (x64 en-GB)", "102.15.1"), "firefox", "102", true},
		{reg("Mozilla Firefox 91.0 (x64 en-US)", "91.0"), "firefox", "91", false},
		{reg("Mozilla Firefox (x64 en-GB)", "140.5.0"), "firefox", "140", true}, // an ESR point release by its version
		{reg("Mozilla Firefox (x64 en-GB)", "140.0.4"), "firefox", "140", false},
		{app("Firefox", "120.0.1"), "firefox", "120", false},
		{snap("firefox", "132.0.2-1"), "firefox", "132", false},
		{snap("firefox", "128.5.0esr-1"), "firefox", "128", true},
		{flatpak("org.mozilla.firefox", "133.0"), "firefox", "133", false},
		{app("Firefox Developer Edition", "121.0b9"), "", "", false},
		{reg("Firefox Developer Edition (x64 en-US)", "121.0b9"), "", "", false},
		{app("Firefox Nightly", "123.0a1"), "", "", false},
		{reg("Mozilla Maintenance Service", "121.0"), "", "", false},
		{reg("Mozilla Thunderbird (x64 en-GB)", "115.6.0"), "", "", false},
		{brew("firefox", "121.0"), "", "", false},
		{item{Name: "firefox-esr", Version: "115.6.0esr-1~deb12u1", Source: "dpkg"}, "", "", false},
		{reg("Mozilla Firefox 52.9.0 ESR (x86 en-GB)", "52.9.0"), "", "", false}, // older than the data's oldest cycle (78)

		// Microsoft Office (the Windows names carry the year; 16.0 is any of 2016-2024)
		{regBy("Microsoft Office Professional Plus 2019 - en-us", "16.0.10827.20181", "Microsoft Corporation"), "office", "2019", false},
		{reg("Microsoft Office Professional Plus 2016", "16.0.4266.1001"), "office", "2016", false},
		{reg("Microsoft Office Home and Business 2024 - en-gb", "16.0.17928.20114"), "office", "2024", false},
		{reg("Microsoft Office LTSC Professional Plus 2021 - en-us", "16.0.14332.20624"), "office", "2021", false},
		{reg("Microsoft Office LTSC Standard 2024 - en-gb", "16.0.17932.20130"), "office", "2024-ltsc", false},
		{reg("Microsoft Office Home and Student 2021 - en-gb", "16.0.14332.20624"), "office", "2021", false},
		{reg("Microsoft Office Standard 2013", "15.0.4569.1506"), "office", "2013", false},
		{reg("Microsoft Office Professional Plus 2010", "14.0.7015.1000"), "office", "2010", false},
		{reg("Microsoft Office Enterprise 2007", "12.0.6612.1000"), "office", "2007", false},
		{reg("Microsoft® Office Home and Business 2019 - en-gb", "16.0.10827.20181"), "office", "2019", false},
		{reg("Microsoft Word 2016 - en-us", "16.0.4266.1001"), "office", "2016", false},
		{reg("Microsoft 365 Apps for enterprise - en-us", "16.0.17126.20132"), "", "", false},
		{reg("Microsoft 365 Apps for business - en-gb", "16.0.19328.20190"), "", "", false},
		{reg("Microsoft Office 365 ProPlus - en-us", "16.0.11328.20222"), "", "", false},
		{reg("Microsoft Office Proof (English) 2016", "16.0.4266.1001"), "", "", false},
		{reg("Microsoft Office 64-bit Components 2016", "16.0.4266.1001"), "", "", false},
		{reg("Microsoft Office Shared Setup Metadata MUI (English) 2016", "16.0.4266.1001"), "", "", false},
		{reg("Microsoft Visio Professional 2016", "16.0.4266.1001"), "", "", false},
		{reg("Microsoft Project Standard 2019 - en-us", "16.0.10827.20181"), "", "", false},
		{reg("Microsoft Access database engine 2016 (English)", "16.0.5044.1000"), "", "", false},
		{reg("Microsoft Office 2003 Web Components", "12.0.4518.1014"), "", "", false},
		{regBy("Microsoft Office Professional Plus 2016", "16.0.4266.1001", "Counterfeit Software Ltd"), "", "", false},
		{app("Microsoft Word", "16.103"), "", "", false}, // 2019, 2021, 2024 and 365 alike on a Mac
		{app("Microsoft Outlook", "16.103"), "", "", false},
		{app("Microsoft Word", "14.7.7"), "office", "2011-for-mac", false},
		{app("Microsoft Excel", "12.3.6"), "office", "2008-for-mac", false},

		// Oracle Java
		{regBy("Java 8 Update 391", "8.0.3910.13", "Oracle Corporation"), "oracle-jdk", "8", false},
		{reg("Java 8 Update 251", "8.0.2510.8"), "oracle-jdk", "8", false},
		{reg("Java 8 Update 391 (64-bit)", "8.0.3910.13"), "oracle-jdk", "8", false},
		{reg("Java(TM) 7 Update 80 (64-bit)", "7.0.800"), "oracle-jdk", "7", false},
		{reg("Java(TM) 6 Update 45", "6.0.450"), "oracle-jdk", "6", false},
		{reg("Java SE Development Kit 8 Update 391 (64-bit)", "8.0.3910.13"), "oracle-jdk", "8", false},
		{reg("Java(TM) SE Development Kit 17.0.9 (64-bit)", "17.0.9.0"), "oracle-jdk", "17", false},
		{reg("Java™ SE Development Kit 21.0.1 (64-bit)", "21.0.1.0"), "oracle-jdk", "21", false},
		{reg("Java 10.0.2 (64-bit)", "10.0.2.0"), "oracle-jdk", "10", false},
		{reg("J2SE Runtime Environment 5.0 Update 22", "1.5.0.220"), "oracle-jdk", "5", false},
		{reg("Java Auto Updater", "2.8.391.13"), "", "", false},
		{reg("JavaFX 2.1.1", "2.1.1"), "", "", false},
		{regBy("Java 8 Update 391", "8.0.3910.13", "Someone Else"), "", "", false},

		// Other Java builds
		{reg("Eclipse Temurin JDK with Hotspot 17.0.9+9 (x64)", "17.0.9.9"), "eclipse-temurin", "17", false},
		{reg("Eclipse Temurin JRE with Hotspot 8u392-b08 (x64)", "8.0.392.8"), "eclipse-temurin", "8", false},
		{brew("temurin@17", "17.0.9,9"), "eclipse-temurin", "17", false},
		{brew("temurin", "21.0.1,12"), "eclipse-temurin", "21", false},
		{reg("AdoptOpenJDK JDK with Hotspot 11.0.11.9 (x64)", "11.0.11.9"), "", "", false},
		{reg("Amazon Corretto 17.0.9.8.1 (x64)", "17.0.9.8"), "amazon-corretto", "17", false},
		{reg("Amazon Corretto 8 (x64)", "8.392.08.1"), "amazon-corretto", "8", false},
		{brew("corretto@21", "21.0.1.12.1"), "amazon-corretto", "21", false},
		{reg("Zulu JDK 17.46.19 (17.0.9), 64-bit", "17.46.19"), "azul-zulu", "17", false},
		{reg("Azul Zulu JDK FX 21.30.15 (21.0.1), 64-bit", "21.30.15"), "azul-zulu", "21", false},
		{brew("zulu@8", "8.0.392,8.74.0.17"), "azul-zulu", "8", false},
		{reg("Microsoft Build of OpenJDK with Hotspot 17.0.9+8 (x64)", "17.0.9.8"), "microsoft-build-of-openjdk", "17", false},
		{reg("Microsoft Build of OpenJDK with Hotspot 11.0.21+9 (x64)", "11.0.21.9"), "microsoft-build-of-openjdk", "11", false},
		{reg("Liberica JDK 17 Full", "17.0.9+11"), "bellsoft-liberica", "17", false},

		// Python (3.10 must not read as 3.1)
		{reg("Python 3.8.10 (64-bit)", "3.8.10150.0"), "python", "3.8", false},
		{reg("Python 3.10.11 (32-bit)", "3.10.11150.0"), "python", "3.10", false},
		{reg("Python 3.12.1 (64-bit)", "3.12.1150.0"), "python", "3.12", false},
		{reg("Python 2.7.18 (64-bit)", "2.7.18150"), "python", "2.7", false},
		{msix("Python 3.11", "3.11.2032.0"), "python", "3.11", false},
		{brew("python@3.11", "3.11.6_1"), "python", "3.11", false},
		{brew("python@3.9", "3.9.18_2"), "python", "3.9", false},
		{reg("Python Launcher", "3.12.1150.0"), "", "", false},
		{reg("Python 3.11.4 Core Interpreter (64-bit)", "3.11.4150.0"), "", "", false},
		{reg("Python 3.11.4 pip Bootstrap (64-bit)", "3.11.4150.0"), "", "", false},
		{reg("Anaconda3 2023.09-0 (Python 3.11.5 64-bit)", "2023.09-0"), "", "", false},
		{app("Python Launcher", "3.12.1"), "", "", false},
		{app("IDLE", "3.12.1"), "", "", false},

		// Node.js
		{reg("Node.js", "18.19.0"), "nodejs", "18", false},
		{brew("node@18", "18.19.0_1"), "nodejs", "18", false},
		{brew("node", "21.5.0"), "nodejs", "21", false},
		{snap("node", "20.10.0"), "nodejs", "20", false},
		{reg("Node.js Tools for Visual Studio", "1.5"), "", "", false},

		// PHP
		{reg("PHP 8.2.12", "8.2.12"), "php", "8.2", false},
		{brew("php@8.1", "8.1.27"), "php", "8.1", false},
		{brew("php", "8.3.0"), "php", "8.3", false},
		{reg("phpMyAdmin", "5.2.1"), "", "", false},
		{reg("PHP Manager 1.5 for IIS 10", "1.5.0"), "", "", false},

		// .NET
		{reg("Microsoft .NET Runtime - 6.0.25 (x64)", "48.103.8448"), "dotnet", "6", false},
		{reg("Microsoft Windows Desktop Runtime - 6.0.25 (x64)", "6.0.25.33020"), "dotnet", "6", false},
		{reg("Microsoft ASP.NET Core 6.0.25 - Shared Framework (x64)", "6.0.25.23474"), "dotnet", "6", false},
		{reg("Microsoft .NET SDK 8.0.100 (x64)", "8.1.23.52708"), "dotnet", "8", false},
		{reg("Microsoft .NET Core Runtime - 3.1.32 (x64)", "24.64.31915"), "dotnet", "3.1", false},
		{reg("Microsoft .NET Core SDK 3.1.426 (x64)", "3.1.426.16225"), "dotnet", "3.1", false},
		{reg("Microsoft .NET 6.0.25 - Windows Server Hosting", "6.0.25.23474"), "dotnet", "6", false},
		{reg("Microsoft .NET Host - 8.0.0 (x64)", "64.0.3126"), "", "", false},
		{reg("Microsoft .NET Host FX Resolver - 6.0.25 (x64)", "48.103.8448"), "", "", false},
		{reg("Microsoft .NET Targeting Pack - 6.0.25 (x64)", "48.103.8448"), "", "", false},
		{reg("Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.38.33130", "14.38.33130.0"), "", "", false},
		{reg("Microsoft .NET Framework 4.5.2", "4.5.51209"), "dotnetfx", "4.5.2", false},
		{reg("Microsoft .NET Framework 4 Client Profile", "4.0.30319"), "dotnetfx", "4.0", false},
		{reg("Microsoft .NET Framework 3.5 SP1", "3.5.30729"), "dotnetfx", "3.5-sp1", false},
		{reg("Microsoft .NET Framework 4.8 Targeting Pack", "4.8.03761"), "", "", false},
		{reg("Microsoft .NET Framework 4.5.2 Multi-Targeting Pack", "4.5.51209"), "", "", false},

		// Databases
		{reg("PostgreSQL 12 ", "12.17-1"), "postgresql", "12", false},
		{reg("PostgreSQL 9.6", "9.6.24-1"), "postgresql", "9.6", false},
		{brew("postgresql@14", "14.10"), "postgresql", "14", false},
		{reg("pgAdmin 4", "7.8"), "", "", false},
		{reg("psqlODBC_x64", "13.02.0000"), "", "", false},
		{reg("PostgreSQL ODBC Driver (x64)", "13.02.0000"), "", "", false},
		{reg("MySQL Server 5.7", "5.7.44"), "mysql", "5.7", false},
		{reg("MySQL Server 8.0", "8.0.35"), "mysql", "8.0", false},
		{brew("mysql@5.7", "5.7.44_1"), "mysql", "5.7", false},
		{brew("mysql", "8.4.0"), "mysql", "8.4", false},
		{reg("MySQL Workbench 8.0 CE", "8.0.34"), "", "", false},
		{reg("MySQL Connector/ODBC 8.0", "8.0.33"), "", "", false},
		{reg("MySQL Installer - Community", "1.6.8.0"), "", "", false},
		{reg("MariaDB 10.6 (x64)", "10.6.16.0"), "mariadb", "10.6", false},
		{reg("MariaDB Connector C 64-bit", "3.3.8"), "", "", false},
		{regBy("Microsoft SQL Server 2014 (64-bit)", "", "Microsoft Corporation"), "mssqlserver", "12.0-sp3", false},
		{reg("Microsoft SQL Server 2016 (64-bit)", ""), "mssqlserver", "13.0-sp3", false},
		{reg("Microsoft SQL Server 2008 R2 (64-bit)", ""), "mssqlserver", "10.50-sp3", false},
		{reg("Microsoft SQL Server 2008", ""), "mssqlserver", "10.0-sp4", false},
		{reg("Microsoft SQL Server 2019 (64-bit)", ""), "mssqlserver", "15.0", false},
		{reg("Microsoft SQL Server Management Studio - 19.2", "19.2.56.2"), "", "", false},
		{reg("Microsoft SQL Server 2012 Native Client", "11.4.7462.6"), "", "", false},
		{reg("Microsoft SQL Server 2014 Express LocalDB", "12.3.6024.0"), "", "", false},
		{reg("MongoDB 6.0.12 2008R2Plus SSL (64 bit)", "6.0.12"), "mongodb", "6.0", false},
		{reg("MongoDB Compass", "1.40.4"), "", "", false},

		// Office suites and tools
		{reg("LibreOffice 7.6.4.1", "7.6.4.1"), "libreoffice", "7.6", false},
		{reg("LibreOffice 24.2.0.3", "24.2.0.3"), "libreoffice", "24.2", false},
		{app("LibreOffice", "7.5.9"), "libreoffice", "7.5", false},
		{flatpak("org.libreoffice.LibreOffice", "24.8.3.2"), "libreoffice", "24.8", false},
		{reg("LibreOffice 7.6 Help Pack (English (United Kingdom))", "7.6.4.1"), "", "", false},
		{reg("Notepad++ (64-bit x64)", "8.6.2"), "notepad-plus-plus", "8.6", false},
		{reg("Oracle VM VirtualBox 7.0.12", "7.0.12"), "virtualbox", "7.0", false},
		{app("VirtualBox", "7.1.4"), "virtualbox", "7.1", false},
		{reg("Wireshark 4.2.0 64-bit", "4.2.0"), "wireshark", "4.2", false},
		{reg("Npcap", "1.78"), "", "", false},
		{reg("PowerShell 7-x64", "7.3.9.0"), "powershell", "7.3", false},
		{reg("PowerShell 7-preview-x64", "7.5.0.0"), "", "", false},
		{reg("Go Programming Language amd64 go1.21.5", "1.21.5"), "go", "1.21", false},
		{brew("go", "1.25.0"), "go", "1.25", false},
		{reg("Ruby 3.2.2-1-x64 with MSYS2", "3.2.2-1"), "ruby", "3.2", false},
		{brew("ruby@3.1", "3.1.4"), "ruby", "3.1", false},
		{reg("Strawberry Perl (64-bit)", "5.32.1.1"), "perl", "5.32", false},
		{reg("OpenVPN 2.6.8-I001 amd64", "2.6.801"), "openvpn", "2.6", false},
		{reg("OpenVPN Connect", "3.4.2"), "", "", false},
		{reg("Veeam Backup & Replication", "12.1.0.2131"), "veeam-backup-and-replication", "12", false},
		{reg("Veeam Backup & Replication", "9.5.4.2866"), "veeam-backup-and-replication", "9.5", false},
		{reg("Veeam Backup & Replication Console", "12.1.0.2131"), "", "", false},
		{reg("Veeam Agent for Microsoft Windows", "6.1.0.349"), "", "", false},

		// Not in the end-of-life data
		{reg("7-Zip 24.09 (x64 edition)", "24.09.00.0"), "", "", false},
		{reg("Adobe Acrobat Reader DC", "19.012.20036"), "", "", false},
		{reg("Adobe Acrobat (64-bit)", "23.006.20380"), "", "", false},
		{reg("Microsoft Edge", "142.0.3595.80"), "", "", false},
		{reg("Zoom Workplace (64-bit)", "6.6.5 (21550)"), "", "", false},
		{reg("VLC media player", "3.0.20"), "", "", false},
		{reg("TeamViewer 11", "11.0.133222"), "", "", false},
		{reg("", ""), "", "", false},
	}
	for _, tt := range tests {
		var product, cycle string
		var esr bool
		if m, ok := ix.match(&tt.it); ok {
			product, cycle, esr = m.product.Name, m.release.Name, m.esr
		}
		if product != tt.product || cycle != tt.cycle || esr != tt.esr {
			t.Errorf("%s %q %q: got %q %q esr=%v, want %q %q esr=%v", tt.it.Source, tt.it.Name, tt.it.Version, product, cycle, esr, tt.product, tt.cycle, tt.esr)
		}
	}
}

func TestNormaliseSoftwareName(t *testing.T) {
	tests := map[string]string{
		"Mozilla Firefox (x64 en-GB)":                          "mozilla firefox",
		"Microsoft Office Professional Plus 2019 - en-us":      "microsoft office professional plus 2019",
		"Java(TM) SE Development Kit 17.0.9 (64-bit)":          "java se development kit 17.0.9",
		"Java™ 8 Update 391":                                   "java 8 update 391",
		"Microsoft® Office®  Standard 2010":                    "microsoft office standard 2010",
		"Zulu JDK 17.46.19 (17.0.9), 64-bit":                   "zulu jdk 17.46.19",
		"Wireshark 4.2.0 64-bit":                               "wireshark 4.2.0",
		"PowerShell 7-x64":                                     "powershell 7",
		"OpenVPN 2.6.8-I001 amd64":                             "openvpn 2.6.8-i001",
		"LibreOffice 7.6 Help Pack (English (United Kingdom))": "libreoffice 7.6 help pack",
		"Microsoft .NET Runtime - 6.0.25 (x64)":                "microsoft .net runtime - 6.0.25",
		"Microsoft Office LTSC Standard 2024 - sr-latn-rs":     "microsoft office ltsc standard 2024",
		"Unbalanced (bracket":                                  "unbalanced",
		"Stray ) bracket":                                      "stray ) bracket",
		"  ":                                                   "",
		"x64":                                                  "",
	}
	for in, want := range tests {
		if got := normaliseSoftwareName(in); got != want {
			t.Errorf("normaliseSoftwareName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSoftwareCycles(t *testing.T) {
	tests := []struct {
		f    func(string, bool, string, *EOLProduct) string
		v    string
		want string
	}{
		{cycleMajor, "120.0.6099.130", "120"},
		{cycleMajor, "115.6.0esr", "115"},
		{cycleMajor, "v18.19.0", "18"},
		{cycleMajor, "", ""},
		{cycleMajor, "beta", ""},
		{cycleMajorMinor, "3.8.10", "3.8"},
		{cycleMajorMinor, "3.10.11150.0", "3.10"},
		{cycleMajorMinor, "3.11.6_1", "3.11"},
		{cycleMajorMinor, "go1.21.5", "1.21"},
		{cycleMajorMinor, "7", ""},
		{cycleJava, "8", "8"},
		{cycleJava, "17.0.9", "17"},
		{cycleJava, "17.0.9+9", "17"},
		{cycleJava, "8u392-b08", "8"},
		{cycleJava, "1.8.0_391", "8"},
		{cycleJava, "1.4.2_42", "1.4"},
		{cycleJava, "17.0.9,9", "17"},
		{cycleDotnet, "6.0.25", "6"},
		{cycleDotnet, "10.0.1", "10"},
		{cycleDotnet, "3.1.32", "3.1"},
		{cyclePostgres, "12", "12"},
		{cyclePostgres, "12.17-1", "12"},
		{cyclePostgres, "9.6.24", "9.6"},
		{cycleVeeam, "12.1.0.2131", "12"},
		{cycleVeeam, "9.5.4.2866", "9.5"},
	}
	for _, tt := range tests {
		if got := tt.f(tt.v, false, "", &EOLProduct{}); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.v, got, tt.want)
		}
	}
	if got := leadingNums("1234567890.1"); len(got) != 0 {
		t.Errorf("leadingNums of a ten-digit number = %v, want none", got)
	}
}

// swTestEOL is a small, made-up data set for the status rules, as of
// 2024-01-10.
func swTestEOL() *EOL {
	on := func(s string) EOLDate { return EOLDate{Given: true, Date: swDay(s)} }
	return &EOL{Source: "test", Products: []EOLProduct{
		{Name: "chrome", Label: "Google Chrome", Releases: []EOLRelease{
			{Name: "121", Label: "121", ReleaseDate: swDay("2024-01-23"), EOL: on("2024-02-20")},
			{Name: "120", Label: "120", ReleaseDate: swDay("2023-12-05"), EOL: on("2024-01-23")},
			{Name: "119", Label: "119", ReleaseDate: swDay("2023-10-31"), EOL: on("2023-12-05")},
		}},
		{Name: "firefox", Label: "Firefox", Releases: []EOLRelease{
			{Name: "122", Label: "122", ReleaseDate: swDay("2024-01-09"), EOL: EOLDate{Given: true}, Latest: "122.0"},
			{Name: "121", Label: "121", ReleaseDate: swDay("2023-12-19"), EOL: on("2024-01-23"), Latest: "121.0.1"},
			{Name: "116", Label: "116", ReleaseDate: swDay("2023-08-01"), EOL: on("2023-08-29"), Latest: "116.0.3"},
			{Name: "115", Label: "115", LTS: true, ReleaseDate: swDay("2023-07-04"), EOL: on("2024-10-01"), Latest: "115.7.0"},
			{Name: "102", Label: "102", LTS: true, ReleaseDate: swDay("2022-06-28"), EOL: on("2023-09-26"), Latest: "102.15.1"},
		}},
		{Name: "python", Label: "Python", Releases: []EOLRelease{
			{Name: "3.13", Label: "3.13", ReleaseDate: swDay("2024-10-07"), EOL: on("2029-10-31"), Latest: "3.13.0"},
			{Name: "3.12", Label: "3.12", ReleaseDate: swDay("2023-10-02"), EOL: on("2028-10-02"), Latest: "3.12.1"},
			{Name: "3.8", Label: "3.8", ReleaseDate: swDay("2019-10-14"), EOL: on("2024-10-14"), Latest: "3.8.18"},
			{Name: "3.7", Label: "3.7", ReleaseDate: swDay("2018-06-27"), EOL: on("2023-06-27"), Latest: "3.7.17"},
		}},
		{Name: "oracle-jdk", Label: "Oracle JDK", Releases: []EOLRelease{
			{Name: "21", Label: "21", LTS: true, ReleaseDate: swDay("2023-09-19"), EOL: on("2028-09-30"), Extended: on("2031-09-30"), Latest: "21.0.1"},
			{Name: "20", Label: "20", ReleaseDate: swDay("2023-03-21"), EOL: on("2023-09-19"), Latest: "20.0.2"},
			{Name: "17", Label: "17", LTS: true, ReleaseDate: swDay("2021-09-14"), EOL: on("2026-09-30"), Extended: on("2029-09-30"), Latest: "17.0.9"},
			{Name: "8", Label: "8", LTS: true, ReleaseDate: swDay("2014-03-18"), EOL: on("2022-03-31"), Extended: on("2030-12-31"), Latest: "8u391"},
		}},
		{Name: "azul-zulu", Label: "Azul Zulu", Releases: []EOLRelease{
			{Name: "21", Label: "21", LTS: true, EOL: on("2031-09-30")},
			{Name: "20", Label: "20 (<abbr title='Short Term Support'>STS</abbr>)", EOL: on("2023-09-19"), Extended: on("2024-03-31")},
		}},
		{Name: "veeam-backup-and-replication", Label: "Veeam Backup & Replication", Releases: []EOLRelease{
			{Name: "12", Label: "12", EOL: EOLDate{Given: true}, Latest: "12.1.0.2131"},
			{Name: "9.0", Label: "9.0", EOL: EOLDate{Given: true, Ended: true}},
		}},
		{Name: "libreoffice", Label: "LibreOffice", Releases: []EOLRelease{
			{Name: "7.6", Label: "7.6", ReleaseDate: swDay("2023-08-21"), EOL: on("2024-06-12")},
		}},
	}}
}

func TestSoftwareEOLStatus(t *testing.T) {
	e := swTestEOL()
	now := swDay("2024-01-10")
	items := []handwash.SoftwareItem{
		{Name: "Veeam Backup & Replication", Version: "9.0.0.1715", Source: "registry"},
		{Name: "Google Chrome", Version: "120.0.6099.130", Publisher: "Google LLC", Source: "registry"},
		{Name: "Google Chrome", Version: "120.0.6099.129", Source: "app"},
		{Name: "Google Chrome", Version: "120.0.6099.129", Source: "app"}, // the same app in two folders
		{Name: "Mozilla Firefox (x64 en-GB)", Version: "121.0", Source: "registry"},
		{Name: "Mozilla Firefox ESR (x64 en-GB)", Version: "115.6.0", Source: "registry"},
		{Name: "Firefox", Version: "115.0.2", Source: "app"},
		{Name: "Mozilla Firefox 102.15.1 ESR (x86 en-GB)", Version: "102.15.1", Source: "registry"},
		{Name: "Python 3.8.10 (64-bit)", Version: "3.8.10150.0", Source: "registry"},
		{Name: "Python 3.7.9 (64-bit)", Version: "3.7.9150.0", Source: "registry"},
		{Name: "python@3.7", Version: "3.7.9", Source: "homebrew"},
		{Name: "python@3.7", Version: "3.7.17", Source: "homebrew"}, // only the newest keg counts
		{Name: "node@16", Version: "16.20.2", Source: "homebrew"},   // nodejs is not in this data set
		{Name: "Java 8 Update 391", Version: "8.0.3910.13", Source: "registry"},
		{Name: "Java(TM) SE Development Kit 20.0.2 (64-bit)", Version: "20.0.2.0", Source: "registry"},
		{Name: "Java(TM) SE Development Kit 17.0.9 (64-bit)", Version: "17.0.9.0", Source: "registry"},
		{Name: "Zulu JDK 20.32.11 (20.0.2), 64-bit", Version: "20.32.11", Source: "registry"},
		{Name: "python3.7", Version: "3.7.3-1", Source: "dpkg"},
		{Name: "firefox-esr", Version: "102.15.1esr-1", Source: "dpkg"},
		{Name: "python3", Version: "3.7.9-1.fc30", Source: "rpm"},
		{Name: "LibreOffice 7.6.4.1", Version: "7.6.4.1", Source: "registry"},
	}
	want := []SoftwareEnd{
		// Azul labels carry HTML, which goes; paid support runs on.
		{Name: "Zulu JDK 20.32.11 (20.0.2), 64-bit", Version: "20.32.11", Product: "azul-zulu", ProductLabel: "Azul Zulu", Cycle: "20", CycleLabel: "20 (STS)", Ends: swDay("2023-09-19"), Ended: true, Latest: "21", Extended: swDay("2024-03-31")},
		// Chrome 120 ends on 2024-01-23, within the window; 121 is not out
		// yet and 120 has no latest version in the data, so Latest is unknown.
		{Name: "Google Chrome", Version: "120.0.6099.129", Product: "chrome", ProductLabel: "Google Chrome", Cycle: "120", CycleLabel: "120", Ends: swDay("2024-01-23")},
		{Name: "Google Chrome", Version: "120.0.6099.130", Product: "chrome", ProductLabel: "Google Chrome", Cycle: "120", CycleLabel: "120", Ends: swDay("2024-01-23")},
		// An ordinary Firefox 115 ended when 116 came out, although the
		// 115 ESR runs on; its way on is the newest release.
		{Name: "Firefox", Version: "115.0.2", Product: "firefox", ProductLabel: "Firefox", Cycle: "115", CycleLabel: "115", Ends: swDay("2023-08-01"), Ended: true, Latest: "122.0"},
		// Firefox 121 ends 2024-01-23, within the window.
		{Name: "Mozilla Firefox (x64 en-GB)", Version: "121.0", Product: "firefox", ProductLabel: "Firefox", Cycle: "121", CycleLabel: "121", Ends: swDay("2024-01-23"), Latest: "122.0"},
		// ESR 102 ended; its way on is the next ESR.
		{Name: "Mozilla Firefox 102.15.1 ESR (x86 en-GB)", Version: "102.15.1", Product: "firefox", ProductLabel: "Firefox", Cycle: "102", CycleLabel: "102 (ESR)", Ends: swDay("2023-09-26"), Ended: true, Latest: "115.7.0"},
		// Java 8's Premier Support ended; Extended Support is sold to 2030.
		{Name: "Java 8 Update 391", Version: "8.0.3910.13", Product: "oracle-jdk", ProductLabel: "Oracle JDK", Cycle: "8", CycleLabel: "8 (LTS)", Ends: swDay("2022-03-31"), Ended: true, Latest: "21.0.1", Extended: swDay("2030-12-31")},
		// Oracle JDK 20 (not long-term) ended; the newest out is 21.
		{Name: "Java(TM) SE Development Kit 20.0.2 (64-bit)", Version: "20.0.2.0", Product: "oracle-jdk", ProductLabel: "Oracle JDK", Cycle: "20", CycleLabel: "20", Ends: swDay("2023-09-19"), Ended: true, Latest: "21.0.1"},
		{Name: "Python 3.7.9 (64-bit)", Version: "3.7.9150.0", Product: "python", ProductLabel: "Python", Cycle: "3.7", CycleLabel: "3.7", Ends: swDay("2023-06-27"), Ended: true, Latest: "3.12.1"},
		{Name: "python@3.7", Version: "3.7.17", Product: "python", ProductLabel: "Python", Cycle: "3.7", CycleLabel: "3.7", Ends: swDay("2023-06-27"), Ended: true, Latest: "3.12.1"},
		// The data only says 9.0 has ended.
		{Name: "Veeam Backup & Replication", Version: "9.0.0.1715", Product: "veeam-backup-and-replication", ProductLabel: "Veeam Backup & Replication", Cycle: "9.0", CycleLabel: "9.0", Ended: true, Latest: "12.1.0.2131"},
	}
	// Not returned: Firefox ESR 115 and Python 3.8 (ending after the 90
	// days), JDK 17 (2026), LibreOffice 7.6 (June), node (no data), the
	// distribution packages.
	got := SoftwareEOL(items, e, now, swWarn)
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("SoftwareEOL (-want +got):\n%s", diff)
	}

	// A longer window takes in Python 3.8 (2024-10-14) and Firefox ESR 115
	// (2024-10-01), whose way on is then another ESR or none.
	long := SoftwareEOL(items, e, now, 300*24*time.Hour)
	find := func(list []SoftwareEnd, name string) (SoftwareEnd, bool) {
		for _, s := range list {
			if s.Name == name {
				return s, true
			}
		}
		return SoftwareEnd{}, false
	}
	if s, ok := find(long, "Python 3.8.10 (64-bit)"); !ok || s.Ended || !s.Ends.Equal(swDay("2024-10-14")) || s.Latest != "3.12.1" {
		t.Errorf("Python 3.8 with a 300-day window: %+v, %v", s, ok)
	}
	if s, ok := find(long, "Mozilla Firefox ESR (x64 en-GB)"); !ok || s.Ended || s.CycleLabel != "115 (ESR)" || s.Latest != "115.7.0" {
		t.Errorf("Firefox ESR 115 with a 300-day window: %+v, %v", s, ok)
	}
	if s, ok := find(long, "LibreOffice 7.6.4.1"); !ok || s.Latest != "" {
		t.Errorf("LibreOffice 7.6 with a 300-day window: %+v, %v (no other cycle to move to)", s, ok)
	}

	// No window: only what has ended.
	for _, s := range SoftwareEOL(items, e, now, 0) {
		if !s.Ended {
			t.Errorf("warn 0 returned %s %s, which has not ended", s.Name, s.Version)
		}
	}
	// On the end date itself support continues.
	if got := SoftwareEOL(items[1:2], e, swDay("2024-01-23"), 0); len(got) != 0 {
		t.Errorf("Chrome 120 on its end date: %+v, want nothing", got)
	}
	if got := SoftwareEOL(items[1:2], e, swDay("2024-01-24"), 0); len(got) != 1 || !got[0].Ended {
		t.Errorf("Chrome 120 the day after its end date: %+v, want ended", got)
	}
	if got := SoftwareEOL(items, nil, now, swWarn); got != nil {
		t.Errorf("no data: %+v", got)
	}
	if got := SoftwareEOL(nil, e, now, swWarn); got != nil {
		t.Errorf("no items: %+v", got)
	}
	if got := SoftwareEOL(items, &EOL{Products: []EOLProduct{{Name: "debian"}}}, now, swWarn); got != nil {
		t.Errorf("data without any product of the rules: %+v", got)
	}
}

// TestSoftwareEOLCareHomePC runs a care home's Windows PC, as the brief
// lists its programs, against the real data on 2026-11-30.
func TestSoftwareEOLCareHomePC(t *testing.T) {
	e := swEOL(t)
	reg := func(name, version string) handwash.SoftwareItem {
		return handwash.SoftwareItem{Name: name, Version: version, Source: "registry"}
	}
	items := []handwash.SoftwareItem{
		reg("Google Chrome", "151.0.7800.90"),
		reg("Mozilla Firefox ESR (x64 en-GB)", "140.5.0"),
		reg("Mozilla Firefox ESR (x64 en-GB)", "115.30.0"),
		reg("Microsoft Office Professional Plus 2019 - en-us", "16.0.10417.20083"),
		reg("Microsoft Office LTSC Professional Plus 2021 - en-us", "16.0.14332.21000"),
		reg("Microsoft 365 Apps for enterprise - en-us", "16.0.19426.20000"),
		reg("Java 8 Update 391", "8.0.3910.13"),
		reg("Java(TM) SE Development Kit 17.0.9 (64-bit)", "17.0.9.0"),
		reg("Eclipse Temurin JDK with Hotspot 17.0.9+9 (x64)", "17.0.9.9"),
		reg("Python 3.8.10 (64-bit)", "3.8.10150.0"),
		reg("Python 3.13.1 (64-bit)", "3.13.1150.0"),
		reg("Node.js", "18.19.0"),
		reg("PHP 8.2.12", "8.2.12"),
		reg("7-Zip 24.09 (x64 edition)", "24.09.00.0"),
		reg("Adobe Acrobat Reader DC", "24.001.20629"),
		reg("PostgreSQL 14", "14.10-1"),
		reg("MySQL Server 5.7", "5.7.44"),
		reg("Microsoft .NET Runtime - 6.0.25 (x64)", "48.103.8448"),
		reg("Microsoft .NET Runtime - 8.0.11 (x64)", "64.44.23191"),
		reg("Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.38.33130", "14.38.33130.0"),
		reg("LibreOffice 26.2.3.2", "26.2.3.2"),
	}
	want := []SoftwareEnd{
		// Chrome 151's estimated end (the next release) was 2026-08-25; the
		// data knows no newer cycle, so there is no version to name.
		{Name: "Google Chrome", Version: "151.0.7800.90", Product: "chrome", ProductLabel: "Google Chrome", Cycle: "151", CycleLabel: "151", Ends: swDay("2026-08-25"), Ended: true},
		// .NET 6 ended 2024-11-12, .NET 8 on 2026-11-10; the newest LTS is 10.
		{Name: "Microsoft .NET Runtime - 6.0.25 (x64)", Version: "48.103.8448", Product: "dotnet", ProductLabel: "Microsoft .NET", Cycle: "6", CycleLabel: "6 (LTS)", Ends: swDay("2024-11-12"), Ended: true, Latest: "10.0.11"},
		{Name: "Microsoft .NET Runtime - 8.0.11 (x64)", Version: "64.44.23191", Product: "dotnet", ProductLabel: "Microsoft .NET", Cycle: "8", CycleLabel: "8 (LTS)", Ends: swDay("2026-11-10"), Ended: true, Latest: "10.0.11"},
		// Temurin 17 runs to 2027-10-31: not reported. Firefox ESR 140
		// ended 2026-09-29 (ESR 153 follows); ESR 115 runs to 2027-03-31,
		// beyond the 90 days.
		{Name: "Mozilla Firefox ESR (x64 en-GB)", Version: "140.5.0", Product: "firefox", ProductLabel: "Firefox", Cycle: "140", CycleLabel: "140 (ESR)", Ends: swDay("2026-09-29"), Ended: true, Latest: "153.1.0"},
		// LibreOffice 26.2 is supported through today, 2026-11-30: a warning.
		// No other cycle is listed as supported.
		{Name: "LibreOffice 26.2.3.2", Version: "26.2.3.2", Product: "libreoffice", ProductLabel: "LibreOffice", Cycle: "26.2", CycleLabel: "26.2", Ends: swDay("2026-11-30"), Latest: "26.2.5"},
		// MySQL 5.7 ended 2023-10-31; the newest LTS is 9.7.
		{Name: "MySQL Server 5.7", Version: "5.7.44", Product: "mysql", ProductLabel: "MySQL", Cycle: "5.7", CycleLabel: "5.7", Ends: swDay("2023-10-31"), Ended: true, Latest: "9.7.2"},
		// Node.js 18 ended 2025-04-30.
		{Name: "Node.js", Version: "18.19.0", Product: "nodejs", ProductLabel: "Node.js", Cycle: "18", CycleLabel: "18 (LTS)", Ends: swDay("2025-04-30"), Ended: true, Latest: "26.7.0"},
		// Office 2019 ended 2025-10-14 and LTSC 2021 on 2026-10-13.
		{Name: "Microsoft Office LTSC Professional Plus 2021 - en-us", Version: "16.0.14332.21000", Product: "office", ProductLabel: "Microsoft Office", Cycle: "2021", CycleLabel: "2021", Ends: swDay("2026-10-13"), Ended: true, Latest: "2024"},
		{Name: "Microsoft Office Professional Plus 2019 - en-us", Version: "16.0.10417.20083", Product: "office", ProductLabel: "Microsoft Office", Cycle: "2019", CycleLabel: "2019", Ends: swDay("2025-10-14"), Ended: true, Latest: "2024"},
		// Oracle Java 8's Premier Support ended 2022-03-31 and 17's on
		// 2026-09-30 (Extended Support is sold to 2030 and 2029).
		{Name: "Java 8 Update 391", Version: "8.0.3910.13", Product: "oracle-jdk", ProductLabel: "Oracle JDK", Cycle: "8", CycleLabel: "8 (LTS)", Ends: swDay("2022-03-31"), Ended: true, Latest: "25.0.4", Extended: swDay("2030-12-31")},
		{Name: "Java(TM) SE Development Kit 17.0.9 (64-bit)", Version: "17.0.9.0", Product: "oracle-jdk", ProductLabel: "Oracle JDK", Cycle: "17", CycleLabel: "17 (LTS)", Ends: swDay("2026-09-30"), Ended: true, Latest: "25.0.4", Extended: swDay("2029-09-30")},
		// PHP 8.2's security support ends 2026-12-31, within 90 days.
		{Name: "PHP 8.2.12", Version: "8.2.12", Product: "php", ProductLabel: "PHP", Cycle: "8.2", CycleLabel: "8.2", Ends: swDay("2026-12-31"), Latest: "8.5.9"},
		// PostgreSQL 14 ended 2026-11-12.
		{Name: "PostgreSQL 14", Version: "14.10-1", Product: "postgresql", ProductLabel: "PostgreSQL", Cycle: "14", CycleLabel: "14", Ends: swDay("2026-11-12"), Ended: true, Latest: "18.6"},
		// Python 3.8 ended 2024-10-07; 3.13 runs to 2029.
		{Name: "Python 3.8.10 (64-bit)", Version: "3.8.10150.0", Product: "python", ProductLabel: "Python", Cycle: "3.8", CycleLabel: "3.8", Ends: swDay("2024-10-07"), Ended: true, Latest: "3.14.7"},
	}
	got := SoftwareEOL(items, e, swNow, swWarn)
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("SoftwareEOL (-want +got):\n%s", diff)
	}
}

// TestSoftwareEOLRealInventories runs the collectors' recorded inventories
// against the real end-of-life data on 2026-11-30 with a 90-day warning.
func TestSoftwareEOLRealInventories(t *testing.T) {
	e := swEOL(t)
	want := map[string][]SoftwareEnd{
		// Distribution packages only (dpkg, rpm): the distribution supports them.
		"linux/debian12-container": nil,
		"linux/fedora-server":      nil,
		"linux/neglected":          nil,
		// snap firefox 132.0.2-1: 132 ended 2024-11-26, when 133 came out;
		// the newest release is 154.0. (bare, core22 and snapd are not in
		// the data; the dpkg packages are skipped.)
		"linux/well-kept": {
			{Name: "firefox", Version: "132.0.2-1", Product: "firefox", ProductLabel: "Firefox", Cycle: "132", CycleLabel: "132", Ends: swDay("2024-11-26"), Ended: true, Latest: "154.0"},
		},
		// Google Chrome 118.0.5993.117: 118 ended 2023-10-31. Homebrew's
		// python@3.11 (3.11.6_1) is supported to 2027-10-31. AnyDesk,
		// Safari, TeamViewer, zoom.us and wget are not in the data. The
		// data knows no Chrome cycle still supported, so Latest is empty.
		"macos/neglected": {
			{Name: "Google Chrome", Version: "118.0.5993.117", Product: "chrome", ProductLabel: "Google Chrome", Cycle: "118", CycleLabel: "118", Ends: swDay("2023-10-31"), Ended: true},
		},
		// Microsoft Edge is not in the data; Outlook 16.103 could be
		// Microsoft 365 or Office 2019-2024 and is not matched.
		"macos/non-admin": nil,
		// Google Chrome 142.0.7444.176: 142 ended 2025-12-02 (this
		// inventory is a year older than "now"). Word 16.103 is not
		// matched (see above); Defender, Teams and Safari are not in the data.
		"macos/well-kept": {
			{Name: "Google Chrome", Version: "142.0.7444.176", Product: "chrome", ProductLabel: "Google Chrome", Cycle: "142", CycleLabel: "142", Ends: swDay("2025-12-02"), Ended: true},
		},
		// Chrome 118 ended 2023-10-31; Office Professional Plus 2016 ended
		// 2025-10-14 (move to 2024); Java 8 Update 251 is Oracle Java 8,
		// whose Premier Support ended 2022-03-31 (paid Extended Support to
		// 2030-12-31; the newest LTS is 25.0.4). Adobe Acrobat Reader DC and
		// TeamViewer 11 are not in the data.
		"windows/neglected": {
			{Name: "Google Chrome", Version: "118.0.5993.118", Product: "chrome", ProductLabel: "Google Chrome", Cycle: "118", CycleLabel: "118", Ends: swDay("2023-10-31"), Ended: true},
			{Name: "Microsoft Office Professional Plus 2016", Version: "16.0.4266.1001", Product: "office", ProductLabel: "Microsoft Office", Cycle: "2016", CycleLabel: "2016", Ends: swDay("2025-10-14"), Ended: true, Latest: "2024"},
			{Name: "Java 8 Update 251", Version: "8.0.2510.8", Product: "oracle-jdk", ProductLabel: "Oracle JDK", Cycle: "8", CycleLabel: "8 (LTS)", Ends: swDay("2022-03-31"), Ended: true, Latest: "25.0.4", Extended: swDay("2030-12-31")},
		},
		// Microsoft 365 Apps is a subscription, not in the data; EMIS Web
		// and Sophos are not either.
		"windows/non-admin": nil,
		// Microsoft 365 Apps, Edge, Acrobat Reader, OneDrive, 7-Zip, Zoom
		// and Update Health Tools: none in the data.
		"windows/well-kept": nil,
	}
	files, err := filepath.Glob("../collect/testdata/*/*.facts.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no recorded inventories in collect/testdata")
	}
	for _, file := range files {
		key := filepath.Base(filepath.Dir(file)) + "/" + strings.TrimSuffix(filepath.Base(file), ".facts.json")
		t.Run(key, func(t *testing.T) {
			exp, ok := want[key]
			if !ok {
				t.Fatalf("no expected results for %s: add them", file)
			}
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			facts, err := schema.DecodeFacts(f, file)
			if err != nil {
				t.Fatal(err)
			}
			var items []handwash.SoftwareItem
			if facts.Software != nil {
				items = facts.Software.Items
			}
			got := SoftwareEOL(items, e, swNow, swWarn)
			if diff := cmp.Diff(exp, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("SoftwareEOL (-want +got):\n%s", diff)
			}
		})
	}
}

// swBenchItems is a 1,500-item inventory: a Windows PC's worth of programs
// (some in the data, most not) and the Debian image's packages, which are
// skipped.
func swBenchItems(n int) []handwash.SoftwareItem {
	known := []handwash.SoftwareItem{
		{Name: "Google Chrome", Version: "118.0.5993.118", Publisher: "Google LLC", Source: "registry"},
		{Name: "Mozilla Firefox (x64 en-GB)", Version: "121.0", Publisher: "Mozilla", Source: "registry"},
		{Name: "Microsoft Office Professional Plus 2016", Version: "16.0.4266.1001", Source: "registry"},
		{Name: "Microsoft 365 Apps for enterprise - en-gb", Version: "16.0.18827.20230", Source: "registry"},
		{Name: "Java 8 Update 251", Version: "8.0.2510.8", Source: "registry"},
		{Name: "Python 3.8.10 (64-bit)", Version: "3.8.10150.0", Source: "registry"},
		{Name: "Microsoft .NET Runtime - 6.0.25 (x64)", Version: "48.103.8448", Source: "registry"},
		{Name: "Microsoft .NET Host - 8.0.0 (x64)", Version: "64.0.3126", Source: "registry"},
		{Name: "Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.38.33130", Version: "14.38.33130.0", Source: "registry"},
		{Name: "Adobe Acrobat Reader DC", Version: "19.012.20036", Source: "registry"},
		{Name: "7-Zip 24.09 (x64 edition)", Version: "24.09.00.0", Source: "registry"},
		{Name: "Google Chrome", Version: "142.0.7444.176", Source: "app"},
		{Name: "python@3.11", Version: "3.11.6_1", Source: "homebrew"},
		{Name: "firefox", Version: "132.0.2-1", Source: "snap"},
	}
	var items []handwash.SoftwareItem
	for i := 0; len(items) < n; i++ {
		switch {
		case i%10 < 3:
			it := known[i%len(known)]
			items = append(items, it)
		case i%10 < 6:
			items = append(items, handwash.SoftwareItem{Name: fmt.Sprintf("Microsoft Windows Update Helper %d (x64)", i), Version: "1.0." + fmt.Sprint(i), Source: "registry"})
		case i%10 < 8:
			items = append(items, handwash.SoftwareItem{Name: fmt.Sprintf("Vendor Program %d - en-us", i), Version: "2." + fmt.Sprint(i), Source: "registry"})
		default:
			items = append(items, handwash.SoftwareItem{Name: fmt.Sprintf("lib-package-%d", i), Version: "1.2-3", Source: "dpkg"})
		}
	}
	return items
}

func BenchmarkSoftwareEOL(b *testing.B) {
	e := swEOL(b)
	items := swBenchItems(1500)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		SoftwareEOL(items, e, swNow, swWarn)
	}
}

func FuzzSoftwareEOL(f *testing.F) {
	for _, it := range swBenchItems(14 * 10 / 3) {
		f.Add(it.Name, it.Version, it.Source, it.Publisher)
	}
	f.Add("Mozilla Firefox 115.6.0 ESR (x86 en-US)", "115.6.0esr", "registry", "")
	f.Add("Microsoft SQL Server 2008 R2 (64-bit)", "", "registry", "Microsoft")
	f.Add("Microsoft Word", "14.7.7", "app", "")
	f.Add("((((", "99999999999999999999.1", "msix", "")
	f.Add("Java(TM) 1 Update 4", "1.4.2_42", "registry", "Sun Microsystems")
	f.Add("0(TM)0", "0", "0", "0") // once normalised to "00"
	e, err := swRealEOL()
	if err != nil {
		e = swTestEOL()
	}
	now := swNow
	f.Fuzz(func(t *testing.T, name, version, source, publisher string) {
		if w, ok := firstNameWord(name); ok {
			first, _, _ := strings.Cut(normaliseSoftwareName(name), " ")
			first, _, _ = strings.Cut(first, "@")
			if first != "" && w != first {
				t.Errorf("%q: quick first word %q, normalised name's %q", name, w, first)
			}
		}
		items := []handwash.SoftwareItem{{Name: name, Version: version, Source: source, Publisher: publisher}}
		for _, s := range SoftwareEOL(items, e, now, swWarn) {
			if s.Name != name || s.Version != version || s.Product == "" || s.Cycle == "" {
				t.Errorf("%q %q: result %+v does not describe the item", name, version, s)
			}
			if !s.Ended && (s.Ends.IsZero() || s.Ends.AddDate(0, 0, 1).After(now.Add(swWarn))) {
				t.Errorf("%q %q: returned though supported beyond the window: %+v", name, version, s)
			}
		}
	})
}
