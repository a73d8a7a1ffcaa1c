package collect

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/handwash/handwash"
)

// sharedFixtures is the folder of real third-party data beside the
// repository (/work/shared/fixtures).
const sharedFixtures = "../../shared/fixtures"

// readFixture reads a shared fixture, skipping the test when the folder is
// not there.
func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedFixtures, name))
	if os.IsNotExist(err) {
		t.Skipf("shared fixture %s not found: these tests need the shared fixtures folder beside the repository", name)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// replayOf builds a ReplayHost from sections given as "kind: name" → body.
func replayOf(sections map[string]string) *ReplayHost {
	h := &ReplayHost{sections: map[string][]byte{}}
	for k, v := range sections {
		h.sections[k] = []byte(v)
	}
	return h
}

func day(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

func TestParseOSRelease(t *testing.T) {
	tests := []struct {
		name, text string
		want       *handwash.OSFacts
	}{{
		name: "debian 12 (captured)",
		text: "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL=\"https://www.debian.org/\"\n",
		want: &handwash.OSFacts{Name: "Debian GNU/Linux 12 (bookworm)", ID: "debian", Version: "12", Codename: "bookworm"},
	}, {
		name: "fedora workstation (written from os-release(5))",
		text: "NAME=\"Fedora Linux\"\nVERSION=\"40 (Workstation Edition)\"\nID=fedora\nVERSION_ID=40\nPRETTY_NAME=\"Fedora Linux 40 (Workstation Edition)\"\nVARIANT=\"Workstation Edition\"\nVARIANT_ID=workstation\nSUPPORT_END=2025-05-13\n",
		want: &handwash.OSFacts{Name: "Fedora Linux 40 (Workstation Edition)", ID: "fedora", Version: "40", Edition: "Workstation Edition", SupportEnd: day("2025-05-13")},
	}, {
		name: "ubuntu with ID_LIKE and UBUNTU_CODENAME",
		text: "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nVERSION_ID=\"24.04\"\nID=ubuntu\nID_LIKE=debian\nUBUNTU_CODENAME=noble\n",
		want: &handwash.OSFacts{Name: "Ubuntu 24.04.1 LTS", ID: "ubuntu", IDLike: []string{"debian"}, Version: "24.04", Codename: "noble"},
	}, {
		name: "escapes, comments, no ID",
		text: "# comment\nPRETTY_NAME='Some \"OS\"'\nNAME=\"A \\\"quoted\\\" name\"\n",
		want: &handwash.OSFacts{Name: `Some "OS"`, ID: "linux"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parseOSRelease(tt.text)); diff != "" {
				t.Errorf("parseOSRelease (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseDistroInfo(t *testing.T) {
	// Header and bookworm line captured on Debian 12; the Ubuntu line is
	// distro-info-data's ubuntu.csv format.
	debian := "version,codename,series,created,release,eol,eol-lts,eol-elts\n11,Bullseye,bullseye,2019-07-06,2021-08-14,2024-08-14,2026-08-31,2031-06-30\n12,Bookworm,bookworm,2021-08-14,2023-06-10,2026-07-11,2028-06-30,2033-06-30\n13,Trixie,trixie,2023-06-10\n"
	ubuntu := "version,codename,series,created,release,eol,eol-server,eol-esm\n24.04 LTS,Noble Numbat,noble,2023-10-26,2024-04-25,2029-05-31,2029-05-31,2034-04-25\n"
	tests := []struct {
		text, version, codename, col string
		want                         *time.Time
	}{
		{debian, "12", "bookworm", "eol-lts", day("2028-06-30")},
		{debian, "", "bullseye", "eol", day("2024-08-14")},
		{debian, "13", "", "eol-lts", nil}, // not released: no date yet
		{debian, "99", "", "eol", nil},
		{ubuntu, "24.04", "noble", "eol", day("2029-05-31")},
		{ubuntu, "24.04", "", "eol-esm", day("2034-04-25")},
		{"garbage\"", "1", "", "eol", nil},
	}
	for _, tt := range tests {
		got, ok := parseDistroInfo(tt.text, tt.version, tt.codename, tt.col)
		var gotp *time.Time
		if ok {
			gotp = &got
		}
		if diff := cmp.Diff(tt.want, gotp); diff != "" {
			t.Errorf("parseDistroInfo(%q, %q, %s) (-want +got):\n%s", tt.version, tt.codename, tt.col, diff)
		}
	}
}

func TestParseDpkgStatusDebian12Image(t *testing.T) {
	b := readFixture(t, "dpkg/debian12-bookworm-image-status")
	pkgs, err := parseDpkgStatus(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(pkgs), 705; got != want {
		t.Errorf("got %d packages, want %d (dpkg-query -W on the image)", got, want)
	}
	want := map[string]linuxPkg{
		"adduser": {Name: "adduser", Version: "3.134", Arch: "all"},
		"zlib1g":  {Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Arch: "amd64", Source: "zlib"},
		// A binary rebuild: the source's version is given beside its name.
		"bash":    {Name: "bash", Version: "5.2.15-2+b8", Arch: "amd64", Source: "bash", SourceVersion: "5.2.15-2"},
		"libssl3": {Name: "libssl3", Version: "3.0.19-1~deb12u2", Arch: "amd64", Source: "openssl"},
	}
	byName := map[string]linuxPkg{}
	for _, p := range pkgs {
		byName[p.Name] = p
	}
	for name, w := range want {
		if diff := cmp.Diff(w, byName[name]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	for _, name := range []string{"base-files", "libc6", "zlib1g", "dpkg", "apt"} {
		if _, ok := byName[name]; !ok {
			t.Errorf("%s missing from the image's packages", name)
		}
	}
}

func TestParseDpkgStatusEdgeCases(t *testing.T) {
	tests := []struct {
		fixture string
		want    []string
	}{
		{"dpkg/scalibr-valid", nil}, // checked by count below
		{"dpkg/scalibr-statusfield", []string{"wantinstall_installed", "wantdeinstall_installed", "wantpurge_installed"}},
		{"dpkg/scalibr-nopackage", []string{"foo", "bar"}},
		{"dpkg/scalibr-noversion", []string{"foo", "bar"}},
		{"dpkg/scalibr-transitional", []string{"iceweasel"}},
		{"dpkg/scalibr-transitional_dummy", []string{"git-core"}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.fixture), func(t *testing.T) {
			pkgs, err := parseDpkgStatus(bytes.NewReader(readFixture(t, tt.fixture)))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pkgs {
				got = append(got, p.Name)
			}
			if tt.want == nil {
				if len(got) < 3 {
					t.Errorf("got %v, want the valid file's packages", got)
				}
				return
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("packages (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRPMQuery(t *testing.T) {
	// InSpec's captured rpm -qa list (NAME  VERSION-RELEASE  ARCH), put in
	// the tab-separated queryformat Handwash asks for.
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(string(readFixture(t, "posture/inspec/cmd-rpm-qa-queryformat"))), "\n") {
		f := strings.Fields(line)
		i := strings.LastIndexByte(f[1], '-')
		b.WriteString(f[0] + "\t(none)\t" + f[1][:i] + "\t" + f[1][i+1:] + "\t" + f[2] + "\t1700000000\tCentOS\n")
	}
	b.WriteString("gpg-pubkey\t(none)\t8483c65d\t5ccc5b19\t(none)\t1700000000\t(none)\n")
	b.WriteString("openssl-libs\t1\t3.2.2\t3.fc40\tx86_64\t1731999999\tFedora Project\n")
	pkgs := parseRPMQuery([]byte(b.String()))
	if got, want := len(pkgs), 13; got != want {
		t.Fatalf("got %d packages, want %d (gpg-pubkey is not software)", got, want)
	}
	want := []linuxPkg{
		{Name: "attr", Version: "2.4.44-7.el6", Arch: "x86_64", Vendor: "CentOS", Installed: time.Unix(1700000000, 0).UTC()},
		{Name: "openssl-libs", Version: "1:3.2.2-3.fc40", Arch: "x86_64", Vendor: "Fedora Project", Installed: time.Unix(1731999999, 0).UTC()},
	}
	if diff := cmp.Diff(want, []linuxPkg{pkgs[0], pkgs[12]}); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if pkgs[10].Arch != "i686" || pkgs[10].Name != "compat-libstdc++-33" {
		t.Errorf("both arches of compat-libstdc++-33 should be kept: %+v", pkgs[9:11])
	}
}

func TestPendingSecurity(t *testing.T) {
	// Stanzas in the format of Debian's bookworm-security Packages list.
	lists := `Package: openssh-client
Version: 1:9.2p1-2+deb12u9
Architecture: amd64
Description: secure shell (SSH) client
 multi-line description

Package: libssl3
Version: 3.0.17-1~deb12u2
Architecture: amd64

Package: libssl3
Version: 3.0.19-1~deb12u2
Architecture: amd64

Package: tzdata
Version: 2025b-0+deb12u2
Architecture: all

Package: libc6
Version: 2.36-9+deb12u13
Architecture: i386
`
	versions := map[string]string{}
	if err := parseAptPackages(strings.NewReader(lists), versions); err != nil {
		t.Fatal(err)
	}
	installed := []linuxPkg{
		{Name: "openssh-client", Version: "1:9.2p1-2+deb12u6", Arch: "amd64"},
		{Name: "libssl3", Version: "3.0.17-1~deb12u2", Arch: "amd64"},
		{Name: "tzdata", Version: "2025b-0+deb12u2", Arch: "all"},  // up to date
		{Name: "libc6", Version: "2.36-9+deb12u10", Arch: "amd64"}, // only i386 is in the list
		{Name: "apt", Version: "2.6.1", Arch: "amd64"},             // not in the list
	}
	want := []handwash.PendingUpdate{
		{Name: "libssl3", Version: "3.0.19-1~deb12u2", Installed: "3.0.17-1~deb12u2", Security: true},
		{Name: "openssh-client", Version: "1:9.2p1-2+deb12u9", Installed: "1:9.2p1-2+deb12u6", Security: true},
	}
	if diff := cmp.Diff(want, linuxPendingSecurity(installed, versions)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := linuxPendingSecurity(nil, versions); got == nil || len(got) != 0 {
		t.Errorf("nothing installed: got %#v, want an empty non-nil list", got)
	}
}

func TestParseAptRelease(t *testing.T) {
	// Captured on Debian 12 (/var/lib/apt/lists/*bookworm-security_InRelease).
	text := "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nOrigin: Debian\nLabel: Debian-Security\nSuite: oldstable-security\nVersion: 12\nCodename: bookworm-security\nDate: Sat, 28 Nov 2026 02:53:00 UTC\nValid-Until: Sat, 05 Dec 2026 02:53:00 UTC\nSHA256:\n e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855        0 contrib/Contents-amd64\n"
	r := parseAptRelease(text)
	if !r.security() || r.origin != "Debian" || !r.date.Equal(time.Date(2026, 11, 28, 2, 53, 0, 0, time.UTC)) {
		t.Errorf("got %+v, want a Debian security release dated 2026-11-28 02:53 UTC", r)
	}
	main := parseAptRelease("Origin: Debian\nLabel: Debian\nSuite: oldstable\nCodename: bookworm\nDate: Sat, 15 Nov 2025 09:27:56 UTC\n")
	if main.security() {
		t.Errorf("bookworm main counted as security")
	}
	ubuntu := parseAptRelease("Origin: Ubuntu\nLabel: Ubuntu\nSuite: noble-security\nCodename: noble\nDate: Thu, 19 Nov 2026 10:12:44 UTC\n")
	if !ubuntu.security() {
		t.Errorf("noble-security not counted as security")
	}
}

func TestParseAptHistory(t *testing.T) {
	// The format captured on Debian 12: two spaces between date and time,
	// local time. The last block installs without upgrading.
	log := `
Start-Date: 2025-06-24  14:36:25
Commandline: apt-get -qqy upgrade
Upgrade: libsystemd0:amd64 (252.36-1~deb12u1, 252.38-1~deb12u1), libudev1:amd64 (252.36-1~deb12u1, 252.38-1~deb12u1)
End-Date: 2025-06-24  14:36:25

Start-Date: 2026-05-09  07:28:46
Commandline: apt-get install -y tzdata
Upgrade: tzdata:amd64 (2025b-0+deb12u1, 2025b-0+deb12u2)
End-Date: 2026-05-09  07:28:50

Start-Date: 2026-06-01  10:00:00
Commandline: apt-get install -y jq
Install: jq:amd64 (1.6-2.1+deb12u1)
End-Date: 2026-06-01  10:00:03
`
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone data:", err)
	}
	got, ok := parseAptHistory([]byte(log), london)
	want := time.Date(2026, 5, 9, 6, 28, 50, 0, time.UTC) // BST is UTC+1
	if !ok || !got.Equal(want) {
		t.Errorf("parseAptHistory = %v, %v; want %v", got, ok, want)
	}
	if _, ok := parseAptHistory([]byte("Start-Date: 2026-06-01  10:00:00\nInstall: jq:amd64 (1.6)\n"), time.UTC); ok {
		t.Error("a log with no upgrade gave a time")
	}
	dpkg := "2026-11-29 18:17:08 upgrade perl:amd64 5.36.0-7+deb12u2 5.36.0-7+deb12u4\n2026-11-29 18:31:57 status half-configured man-db:amd64 2.11.2-2\n2026-11-29 18:17:09 install wine64:amd64 <none> 8.0~repack-4\n"
	if got, ok := parseDpkgLog([]byte(dpkg), time.UTC); !ok || !got.Equal(time.Date(2026, 11, 29, 18, 17, 8, 0, time.UTC)) {
		t.Errorf("parseDpkgLog = %v, %v", got, ok)
	}
}

func TestParseAptConfig(t *testing.T) {
	// Captured on Debian 12 (excerpt of apt-config dump).
	out := "APT::Periodic::Update-Package-Lists \"1\";\nAPT::Periodic::Unattended-Upgrade \"1\";\nUnattended-Upgrade::Origins-Pattern \"\";\nUnattended-Upgrade::Origins-Pattern:: \"origin=Debian,codename=${distro_codename}-security,label=Debian-Security\";\n"
	conf := parseAptConfig([]byte(out))
	if conf["APT::Periodic::Unattended-Upgrade"] != "1" || conf["APT::Periodic::Update-Package-Lists"] != "1" {
		t.Errorf("got %v", conf)
	}
	for v, want := range map[string]bool{"1": true, "0": false, "": false, "always": true, "7": true, "-1": false} {
		if got := linuxAptPeriodicOn(v); got != want {
			t.Errorf("linuxAptPeriodicOn(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestParseDnfCheckUpdate(t *testing.T) {
	// Written from dnf's documented check-update output (C locale).
	out := `Last metadata expiration check: 0:41:07 ago on Thu Nov 19 21:03:11 2026.

kernel.x86_64                 6.11.9-200.fc40        updates
openssl-libs.x86_64           1:3.2.2-3.fc40         updates
openssl-libs.i686             1:3.2.2-3.fc40         updates
tzdata.noarch                 2026a-1.fc40           updates
Obsoleting Packages
grub2-tools.x86_64            1:2.06-123.fc40        updates
    grub2-tools.x86_64        1:2.06-121.fc40        @updates
`
	db := &linuxPackageDB{Manager: "rpm", Pkgs: []linuxPkg{
		{Name: "openssl-libs", Version: "1:3.2.1-2.fc40", Arch: "x86_64"},
		{Name: "kernel", Version: "6.10.3-200.fc40", Arch: "x86_64"},
	}}
	db.index()
	want := []handwash.PendingUpdate{
		{Name: "kernel", Version: "6.11.9-200.fc40", Installed: "6.10.3-200.fc40", Security: true},
		{Name: "openssl-libs", Version: "1:3.2.2-3.fc40", Installed: "1:3.2.1-2.fc40", Security: true},
		{Name: "openssl-libs", Version: "1:3.2.2-3.fc40", Security: true},
		{Name: "tzdata", Version: "2026a-1.fc40", Security: true},
	}
	if diff := cmp.Diff(want, parseDnfCheckUpdate([]byte(out), db)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	got, ok := parseDnfMetadataTime([]byte(out), time.UTC)
	if !ok || !got.Equal(time.Date(2026, 11, 19, 21, 3, 11, 0, time.UTC)) {
		t.Errorf("metadata time = %v, %v", got, ok)
	}
}

func TestLinuxNewerKernel(t *testing.T) {
	deb := &linuxPackageDB{Manager: "dpkg", Pkgs: []linuxPkg{
		{Name: "linux-image-6.1.0-26-amd64", Version: "6.1.112-1"},
		{Name: "linux-image-6.1.0-28-amd64", Version: "6.1.119-1"},
		{Name: "linux-image-amd64", Version: "6.1.119-1"},
	}}
	deb.index()
	rpm := &linuxPackageDB{Manager: "rpm", Pkgs: []linuxPkg{
		{Name: "kernel-core", Version: "6.11.9-200.fc40", Arch: "x86_64"},
		{Name: "kernel-core", Version: "6.10.3-200.fc40", Arch: "x86_64"},
	}}
	rpm.index()
	tests := []struct {
		db              *linuxPackageDB
		running         string
		newer, knowable bool
	}{
		{deb, "6.1.0-26-amd64", true, true},
		{deb, "6.1.0-28-amd64", false, true},
		{deb, "6.18.44-fc-v782", false, false}, // a container's host kernel
		{rpm, "6.10.3-200.fc40.x86_64", true, true},
		{rpm, "6.11.9-200.fc40.x86_64", false, true},
		{rpm, "", false, false},
	}
	for _, tt := range tests {
		newer, ok := linuxNewerKernel(tt.db, tt.running)
		if newer != tt.newer || ok != tt.knowable {
			t.Errorf("linuxNewerKernel(%s) = %v, %v; want %v, %v", tt.running, newer, ok, tt.newer, tt.knowable)
		}
	}
	if got := parseNeedrestartKSTA([]byte("NEEDRESTART-VER: 3.6\nNEEDRESTART-KCUR: 6.18.44-fc-v669\nNEEDRESTART-KSTA: 0\n")); got != "0" {
		t.Errorf("KSTA = %q, want 0 (captured on Debian 12)", got)
	}
}

func TestParseUFWStatus(t *testing.T) {
	active := `Status: active
Logging: on (low)
Default: deny (incoming), allow (outgoing), disabled (routed)
New profiles: skip

To                         Action      From
--                         ------      ----
22/tcp                     ALLOW IN    Anywhere
80,443/tcp                 DENY IN     Anywhere
22/tcp (v6)                ALLOW IN    Anywhere (v6)
`
	p, allowed := parseUFWStatus([]byte(active))
	if diff := cmp.Diff(handwash.FirewallProfile{Name: "default", Enabled: boolPtr(true), DefaultInbound: "block"}, p); diff != "" {
		t.Errorf("captured active ufw (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"22/tcp"}, allowed); diff != "" {
		t.Errorf("allowed (-want +got):\n%s", diff)
	}
	p, allowed = parseUFWStatus([]byte("Status: inactive\n"))
	if diff := cmp.Diff(handwash.FirewallProfile{Name: "default", Enabled: boolPtr(false)}, p); diff != "" || allowed != nil {
		t.Errorf("inactive ufw (-want +got):\n%s %v", diff, allowed)
	}
}

func TestParseNftJSON(t *testing.T) {
	// InSpec's captured ruleset: an input chain with policy accept and no
	// final drop, so inbound is allowed; one rule accepts port 80.
	p, allowed, err := parseNftJSON(readFixture(t, "posture/inspec/cmd-nftables-chain-json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(handwash.FirewallProfile{Name: "default", Enabled: boolPtr(true), DefaultInbound: "allow"}, p); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"80/tcp"}, allowed); diff != "" {
		t.Errorf("allowed (-want +got):\n%s", diff)
	}
	// The base chain ufw writes, captured on Debian 12.
	drop := `{"nftables": [{"metainfo": {"version": "1.0.6"}}, {"chain": {"family": "ip", "table": "filter", "name": "INPUT", "handle": 22, "type": "filter", "hook": "input", "prio": 0, "policy": "drop"}}]}`
	p, _, _ = parseNftJSON([]byte(drop))
	if p.DefaultInbound != "block" || !*p.Enabled {
		t.Errorf("policy drop: got %+v", p)
	}
	empty := `{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}]}`
	p, _, _ = parseNftJSON([]byte(empty))
	if diff := cmp.Diff(handwash.FirewallProfile{Name: "default", Enabled: boolPtr(false)}, p); diff != "" {
		t.Errorf("empty ruleset (-want +got):\n%s", diff)
	}
	if _, _, err := parseNftJSON([]byte("{")); err == nil {
		t.Error("bad JSON gave no error")
	}
	if got := parseNftText(string(readFixture(t, "posture/inspec/cmd-nftables-chain"))); got != "allow" {
		t.Errorf("parseNftText = %q, want allow", got)
	}
	if got := parseNftText("table inet filter {\n chain input {\n  type filter hook input priority 0; policy drop;\n }\n}\n"); got != "block" {
		t.Errorf("parseNftText = %q, want block", got)
	}
}

func TestParseIptablesSave(t *testing.T) {
	p, allowed := parseIptablesSave(readFixture(t, "posture/inspec/cmd-iptables-s"))
	if diff := cmp.Diff(handwash.FirewallProfile{Name: "default", Enabled: boolPtr(true), DefaultInbound: "block"}, p); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"22/tcp", "80/tcp"}, allowed); diff != "" {
		t.Errorf("allowed (-want +got):\n%s", diff)
	}
	save := "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
	p, _ = parseIptablesSave([]byte(save))
	if diff := cmp.Diff(handwash.FirewallProfile{Name: "default", Enabled: boolPtr(false), DefaultInbound: "allow"}, p); diff != "" {
		t.Errorf("empty ruleset (-want +got):\n%s", diff)
	}
	reject := "*nat\n:INPUT DROP [0:0]\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT\n-A INPUT -j REJECT --reject-with icmp-host-prohibited\nCOMMIT\n"
	p, allowed = parseIptablesSave([]byte(reject))
	if p.DefaultInbound != "block" || !cmp.Equal(allowed, []string{"443/tcp"}) {
		t.Errorf("final REJECT: got %+v %v", p, allowed)
	}
}

func TestParseFirewalldZones(t *testing.T) {
	// Written from firewall-cmd --list-all-zones' documented format, with the
	// interfaces and ports of InSpec's captured firewall-cmd outputs.
	out := `block
  target: %%REJECT%%
  interfaces: 
  services: 

FedoraServer (default, active)
  target: default
  icmp-block-inversion: no
  interfaces: enp0s3 eno2
  sources: 
  services: cockpit dhcpv6-client ssh
  ports: 80/tcp 443/tcp
  protocols: 

trusted (active)
  target: ACCEPT
  interfaces: docker0
  services: 
  ports: 
`
	zones := parseFirewalldZones([]byte(out))
	want := []linuxFirewalldZone{
		{Name: "block", Target: "%%REJECT%%"},
		{Name: "FedoraServer", Default: true, Active: true, Target: "default", Services: []string{"cockpit", "dhcpv6-client", "ssh"}, Ports: []string{"80/tcp", "443/tcp"}},
		{Name: "trusted", Active: true, Target: "ACCEPT", Ports: []string{}},
	}
	if diff := cmp.Diff(want, zones, cmp.Comparer(func(a, b []string) bool { return strings.Join(a, " ") == strings.Join(b, " ") })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if zones[1].inbound() != "block" || zones[2].inbound() != "allow" {
		t.Errorf("inbound: default target should block, ACCEPT allow")
	}
}

func TestParseClamHeader(t *testing.T) {
	// The example header of linux.md, padded as the file pads it.
	hdr := []byte("ClamAV-VDB:18 Aug 2025 06-27 +0000:27736:2076535:90:d3b7a2e2a1b0c9f8e7d6c5b4a3928170:sig:raynman:1755498434" + strings.Repeat(" ", 300))
	got, ok := parseClamHeader(hdr)
	if want := time.Unix(1755498434, 0).UTC(); !ok || !got.Equal(want) {
		t.Errorf("got %v, %v; want %v", got, ok, want)
	}
	got, ok = parseClamHeader([]byte("ClamAV-VDB:18 Aug 2025 06-27 +0000:27736:2076535:90"))
	if want := time.Date(2025, 8, 18, 6, 27, 0, 0, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("text time: got %v, %v; want %v", got, ok, want)
	}
	if _, ok := parseClamHeader([]byte("\x1f\x8b garbage")); ok {
		t.Error("garbage parsed")
	}
}

func TestParseLsblk(t *testing.T) {
	crypt := map[string]string{"nvme0n1p3_crypt": "LUKS2"}
	tests := []struct {
		name, json string
		want       []handwash.Volume
	}{{
		name: "encrypted root, LVM on LUKS (linux.md example)",
		json: `{"blockdevices":[{"name":"nvme0n1","type":"disk","fstype":null,"mountpoint":null,"rm":false,"children":[
  {"name":"nvme0n1p1","type":"part","fstype":"vfat","mountpoint":"/boot/efi","rm":false},
  {"name":"nvme0n1p2","type":"part","fstype":"ext4","mountpoint":"/boot","rm":false},
  {"name":"nvme0n1p3","type":"part","fstype":"crypto_LUKS","mountpoint":null,"rm":false,"children":[
    {"name":"nvme0n1p3_crypt","type":"crypt","fstype":"LVM2_member","mountpoint":null,"rm":false,"children":[
      {"name":"vg-root","type":"lvm","fstype":"ext4","mountpoint":"/","rm":false},
      {"name":"vg-swap","type":"lvm","fstype":"swap","mountpoint":"[SWAP]","rm":false}]}]}]},
 {"name":"sda","type":"disk","fstype":null,"mountpoint":null,"rm":true,"children":[
  {"name":"sda1","type":"part","fstype":"exfat","mountpoint":"/media/alice/USB","rm":true}]}]}`,
		want: []handwash.Volume{
			{Name: "/", Role: "system", Encrypted: boolPtr(true), Method: "LUKS2", Detail: "device vg-root"},
			{Name: "/media/alice/USB", Role: "removable", Encrypted: boolPtr(false), Detail: "device sda1"},
		},
	}, {
		name: "this container (captured on Debian 12, util-linux 2.38)",
		json: `{
   "blockdevices": [
      {"name": "zram0", "type": "disk", "fstype": null, "mountpoint": null, "rm": false},
      {"name": "vda", "type": "disk", "fstype": null, "mountpoint": "/", "rm": false}
   ]
}`,
		want: []handwash.Volume{{Name: "/", Role: "system", Encrypted: boolPtr(false), Detail: "device vda"}},
	}, {
		name: "old lsblk: rm as a string, crypt without sysfs",
		json: `{"blockdevices":[{"name":"sda","type":"disk","fstype":null,"mountpoint":null,"rm":"0","children":[
  {"name":"sda2","type":"part","fstype":"crypto_LUKS","mountpoint":null,"rm":"0","children":[
    {"name":"luks-1234","type":"crypt","fstype":"btrfs","mountpoint":"/home","rm":"0"}]},
  {"name":"sda1","type":"part","fstype":"xfs","mountpoint":"/","rm":"0"}]}]}`,
		want: []handwash.Volume{
			{Name: "/", Role: "system", Encrypted: boolPtr(false), Detail: "device sda1"},
			{Name: "/home", Role: "data", Encrypted: boolPtr(true), Method: "dm-crypt", Detail: "device luks-1234"},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseLsblk([]byte(tt.json), crypt)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseGSettings(t *testing.T) {
	// Captured on Debian 12 (schema defaults).
	screensaver := "org.gnome.desktop.screensaver color-shading-type 'solid'\norg.gnome.desktop.screensaver idle-activation-enabled true\norg.gnome.desktop.screensaver lock-delay uint32 0\norg.gnome.desktop.screensaver lock-enabled true\norg.gnome.desktop.screensaver picture-uri 'file:///usr/share/backgrounds/gnome/adwaita-timed.xml'\n"
	session := "org.gnome.desktop.session idle-delay uint32 300\norg.gnome.desktop.session session-name 'gnome'\n"
	got := gnomeScreenLock(parseGSettings([]byte(screensaver)), parseGSettings([]byte(session)))
	want := &handwash.ScreenLockFacts{Enabled: boolPtr(true), IdleSeconds: intPtr(300), GraceSeconds: intPtr(0)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// idle-delay 0 never blanks, so never locks.
	got = gnomeScreenLock(parseGSettings([]byte(screensaver)), map[string]string{"idle-delay": "0"})
	if *got.Enabled {
		t.Error("idle-delay 0 counted as locking")
	}
	media := parseGSettings([]byte("org.gnome.desktop.media-handling automount true\norg.gnome.desktop.media-handling autorun-never false\norg.gnome.desktop.media-handling autorun-x-content-ignore @as []\n"))
	if media["autorun-never"] != "false" || media["autorun-x-content-ignore"] != "[]" {
		t.Errorf("media = %v", media)
	}
	deja := parseGSettings([]byte("org.gnome.DejaDup backend 'remote'\norg.gnome.DejaDup last-backup '2026-11-19T21:04:12.542837Z'\norg.gnome.DejaDup.Remote uri 'smb://nas.local/backups'\n"))
	if deja["Remote.uri"] != "smb://nas.local/backups" || deja["backend"] != "remote" {
		t.Errorf("child schema keys: %v", deja)
	}
}

func TestKDEScreenLock(t *testing.T) {
	tests := []struct {
		text string
		want *handwash.ScreenLockFacts
	}{
		{"", &handwash.ScreenLockFacts{Enabled: boolPtr(true), IdleSeconds: intPtr(300), GraceSeconds: intPtr(5)}},
		{"[Daemon]\nAutolock=false\n", &handwash.ScreenLockFacts{Enabled: boolPtr(false), IdleSeconds: intPtr(300), GraceSeconds: intPtr(5)}},
		{"[Daemon]\nTimeout=15\nLockGrace=0\n", &handwash.ScreenLockFacts{Enabled: boolPtr(true), IdleSeconds: intPtr(900), GraceSeconds: intPtr(0)}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, kdeScreenLock(parseINI(tt.text)["Daemon"])); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.text, diff)
		}
	}
}

func TestLinuxAccountList(t *testing.T) {
	// InSpec's passwd and shadow files (fake hashes), plus people.
	passwd := string(readFixture(t, "posture/inspec/file-passwd")) +
		"alice:x:1000:1000:Alice:/home/alice:/bin/bash\nbob:x:1001:1001:Bob:/home/bob:/bin/bash\nsvc:x:1002:1002::/srv:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\ncarol:x:1003:10:Carol:/home/carol:/bin/zsh\n"
	shadow := string(readFixture(t, "posture/inspec/file-shadow")) + "alice:$y$j9T$abc:19000:0:99999:7:::\nbob::19000:0:99999:7:::\ncarol:!$y$j9T$def:19000:0:99999:7:::\n"
	groups := parseGroups("root:x:0:\nsudo:x:27:alice\nwheel:x:10:\nalice:x:1000:\n")
	got := linuxAccountList(parsePasswd(passwd), groups, parseShadow(shadow), map[string]bool{"sudo": true, "wheel": true}, map[string]bool{}, 1000)
	want := []handwash.LocalAccount{
		{Name: "root", ID: "0", Enabled: boolPtr(true), Admin: boolPtr(true), Builtin: "administrator", PasswordRequired: boolPtr(true), PasswordEmpty: boolPtr(false)},
		{Name: "alice", ID: "1000", Enabled: boolPtr(true), Admin: boolPtr(true), PasswordRequired: boolPtr(true), PasswordEmpty: boolPtr(false)},
		{Name: "bob", ID: "1001", Enabled: boolPtr(true), Admin: boolPtr(false), PasswordRequired: boolPtr(false), PasswordEmpty: boolPtr(true)},
		{Name: "carol", ID: "1003", Enabled: boolPtr(false), Admin: boolPtr(true), PasswordRequired: boolPtr(true), PasswordEmpty: boolPtr(false)},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Without /etc/shadow the password facts are left out.
	got = linuxAccountList(parsePasswd(passwd), groups, nil, map[string]bool{"sudo": true}, nil, 1000)
	if got[1].PasswordEmpty != nil || got[1].Enabled != nil {
		t.Errorf("no shadow: got %+v", got[1])
	}
}

func TestParseSudoers(t *testing.T) {
	text := "Defaults\tenv_reset\n# User privilege specification\nroot\tALL=(ALL:ALL) ALL\n%sudo\tALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\nbackup ALL=(root) NOPASSWD: /usr/bin/restic\ndave ALL=(ALL) NOPASSWD: ALL\nUser_Alias ADMINS = erin\n"
	users, groups := parseSudoers(text)
	if diff := cmp.Diff([]string{"root", "dave"}, users); diff != "" {
		t.Errorf("users (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"sudo"}, groups); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
}

func TestPasswordPolicyDebian12Defaults(t *testing.T) {
	files := map[string]string{}
	for _, n := range []string{"common-password", "common-auth", "common-account", "common-session", "login", "other", "passwd", "su"} {
		files["file: /etc/pam.d/"+n] = string(readFixture(t, "posture/debian12-defaults/pam.d-"+n))
	}
	files["file: /etc/login.defs"] = string(readFixture(t, "posture/debian12-defaults/login.defs"))
	f := &handwash.Facts{}
	if err := linuxPasswordPolicy(t.Context(), replayOf(files), f, &linuxState{}); err != nil {
		t.Fatal(err)
	}
	// The stock Debian 12 policy: pam_unix obscure (minimum 6), no
	// dictionary, no expiry (99999), no lockout module.
	want := &handwash.PasswordPolicyFacts{Source: "pam_unix, login.defs", MinLength: intPtr(6), MaxAgeDays: intPtr(0), LockoutThreshold: intPtr(0), Complexity: boolPtr(false), DenyList: boolPtr(false)}
	if diff := cmp.Diff(want, f.PasswordPolicy); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// The same with pwquality and faillock added as pam-auth-update does.
	files["file: /etc/pam.d/common-password"] = "password\trequisite\t\t\tpam_pwquality.so retry=3\npassword\t[success=1 default=ignore]\tpam_unix.so obscure use_authtok try_first_pass yescrypt\npassword\trequisite\t\t\tpam_deny.so\n"
	files["file: /etc/pam.d/common-auth"] = "auth\trequired\t\t\tpam_faillock.so preauth\nauth\t[success=1 default=ignore]\tpam_unix.so nullok\nauth\t[default=die]\t\t\tpam_faillock.so authfail deny=5\nauth\trequisite\t\t\tpam_deny.so\n"
	files["file: /etc/security/pwquality.conf"] = "# minlen = 8\nminlen = 10\ndcredit = -1\n"
	files["dir: /etc/security/pwquality.conf.d"] = "50-handwash.conf\n"
	files["file: /etc/security/pwquality.conf.d/50-handwash.conf"] = "minlen = 12\n"
	files["file: /etc/security/faillock.conf"] = "# deny = 3\nunlock_time = 900\n"
	f = &handwash.Facts{}
	if err := linuxPasswordPolicy(t.Context(), replayOf(files), f, &linuxState{}); err != nil {
		t.Fatal(err)
	}
	want = &handwash.PasswordPolicyFacts{Source: "pam_pwquality, login.defs, pam_faillock", MinLength: intPtr(12), MaxAgeDays: intPtr(0), LockoutThreshold: intPtr(5), LockoutWindowMinutes: intPtr(15), LockoutMinutes: intPtr(15), Complexity: boolPtr(true), DenyList: boolPtr(true)}
	if diff := cmp.Diff(want, f.PasswordPolicy); diff != "" {
		t.Errorf("pwquality and faillock (-want +got):\n%s", diff)
	}
}

func TestParsePAMLine(t *testing.T) {
	tests := []struct {
		line string
		want linuxPAMLine
		ok   bool
	}{
		{"password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt", linuxPAMLine{Type: "password", Control: "[success=1 default=ignore]", Module: "pam_unix.so", Args: []string{"obscure", "yescrypt"}}, true},
		{"auth       optional   pam_faildelay.so  delay=3000000", linuxPAMLine{Type: "auth", Control: "optional", Module: "pam_faildelay.so", Args: []string{"delay=3000000"}}, true},
		{"-session optional pam_systemd.so", linuxPAMLine{Type: "-session", Control: "optional", Module: "pam_systemd.so", Args: []string{}}, true},
		{"auth [broken", linuxPAMLine{}, false},
		{"auth", linuxPAMLine{}, false},
	}
	for _, tt := range tests {
		got, ok := parsePAMLine(tt.line)
		if ok != tt.ok || !cmp.Equal(tt.want, got, cmp.Comparer(func(a, b []string) bool { return strings.Join(a, " ") == strings.Join(b, " ") })) {
			t.Errorf("parsePAMLine(%q) = %+v, %v; want %+v, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSSHDConfig(t *testing.T) {
	main := string(readFixture(t, "posture/inspec/file-sshd_config"))
	tests := []struct {
		name  string
		files map[string]string
		want  map[string]string
	}{{
		name:  "InSpec's sshd_config: nothing set but Port and UsePAM",
		files: map[string]string{"file: /etc/ssh/sshd_config": main},
		want:  map[string]string{"port": "22", "usepam": "yes"},
	}, {
		name: "Include at the top: the drop-in wins, first value wins, Match ignored",
		files: map[string]string{
			"file: /etc/ssh/sshd_config":                             "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin yes\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\nPasswordAuthentication no\nMatch User alice\n  PermitEmptyPasswords yes\n",
			"file: /etc/ssh/sshd_config.d/50-cloud-init.conf":        "PasswordAuthentication no\n",
			"file: /etc/ssh/sshd_config.d/60-cloudimg-settings.conf": "PasswordAuthentication yes\nPermitRootLogin=without-password\n",
			"file: /etc/ssh/sshd_config.d/README":                    "PermitRootLogin yes\n",
		},
		want: map[string]string{"passwordauthentication": "no", "permitrootlogin": "without-password", "kbdinteractiveauthentication": "no"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := linuxSSHDConfig(replayOf(tt.files))
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
			if _, ok := got["permitemptypasswords"]; ok {
				t.Error("a Match block's setting leaked out")
			}
		})
	}
	// sshd -T, captured on Debian 12 (excerpt).
	eff := parseSSHDEffective([]byte("port 22\nusepam yes\npermitrootlogin without-password\npubkeyauthentication yes\npasswordauthentication yes\nkbdinteractiveauthentication no\npermitemptypasswords no\n"))
	if eff["permitrootlogin"] != "without-password" || eff["passwordauthentication"] != "yes" {
		t.Errorf("sshd -T: %v", eff)
	}
}

func TestParseProcNet(t *testing.T) {
	// Captured on Debian 12: a test sshd on 0.0.0.0:2222 and, on this
	// container, loopback services and :: listeners.
	tcp := `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   1: 00000000:08AE 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 165044 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1111 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 5014 1 0000000057731f3f 100 0 0 10 0
   9: 0100007F:1111 0100007F:D3FC 06 00000000:00000000 03:0000038C 00000000     0        0 0 3 000000000d525bc5
  10: 0100007F:A162 0100007F:1111 01 00000000:00000000 00:00000000 00000000   106        0 5647 1 0000000095f3a494 20 4 30 11 -1
  11: 0101A8C0:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
`
	tcp6 := `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1111 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 5015 1 00000000eb5f7a0f 100 0 0 10 0
   1: 00000000000000000000000000000000:08AE 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   2: 0000000000000000FFFF00000101A8C0:01BB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
`
	udp := `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 00000000:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000   104        0 1 2 0 0
  101: 0F02000A:C350 08080808:0035 01 00000000:00000000 00:00000000 00000000  1000        0 1 2 0 0
`
	var got []handwash.Listener
	got = append(got, parseProcNet([]byte(tcp), "tcp")...)
	got = append(got, parseProcNet([]byte(tcp6), "tcp")...)
	got = append(got, parseProcNet([]byte(udp), "udp")...)
	want := []handwash.Listener{
		{Protocol: "tcp", Address: "0.0.0.0", Port: 2222},
		{Protocol: "tcp", Address: "127.0.0.1", Port: 4369},
		{Protocol: "tcp", Address: "192.168.1.1", Port: 80},
		{Protocol: "tcp", Address: "::1", Port: 4369},
		{Protocol: "tcp", Address: "::", Port: 2222},
		{Protocol: "tcp", Address: "192.168.1.1", Port: 443}, // IPv4-mapped
		{Protocol: "udp", Address: "0.0.0.0", Port: 5353},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for addr, want := range map[string]bool{"127.0.0.1": true, "::1": true, "127.0.0.53": true, "0.0.0.0": false, "::": false, "192.168.1.1": false} {
		if linuxLoopback(addr) != want {
			t.Errorf("linuxLoopback(%s) = %v", addr, !want)
		}
	}
}

func TestParseSSProcesses(t *testing.T) {
	// Captured on Debian 12 as root (excerpts).
	out := `tcp LISTEN 0      128    0.0.0.0:2222 0.0.0.0:* users:(("sshd",pid=21781,fd=3))
tcp LISTEN 0      128       [::]:2222    [::]:* users:(("sshd",pid=21781,fd=4))
tcp LISTEN 0      128      0.0.0.0:2024  0.0.0.0:*
udp UNCONN 0      0            *:5353       *:* users:(("avahi-daemon",pid=512,fd=12))
udp UNCONN 0      0      127.0.0.53%lo:53  0.0.0.0:* users:(("systemd-resolve",pid=400,fd=13))
`
	want := map[string]string{
		"tcp 0.0.0.0 2222":  "sshd",
		"tcp :: 2222":       "sshd",
		"udp 0.0.0.0 5353":  "avahi-daemon",
		"udp :: 5353":       "avahi-daemon",
		"udp 127.0.0.53 53": "systemd-resolve",
	}
	if diff := cmp.Diff(want, parseSSProcesses([]byte(out))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseNmcli(t *testing.T) {
	// Captured on Debian 12, plus a name with an escaped colon.
	got := parseNmcliTerse([]byte("CafeGuest:802-11-wireless:yes\nOffice:802-11-wireless:yes\nWired connection 1:802-3-ethernet:yes\nLab\\:5G:802-11-wireless:no\n"))
	want := [][]string{{"CafeGuest", "802-11-wireless", "yes"}, {"Office", "802-11-wireless", "yes"}, {"Wired connection 1", "802-3-ethernet", "yes"}, {"Lab:5G", "802-11-wireless", "no"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	tests := []struct{ keyMgmt, proto, pairwise, sec, enc string }{
		{"", "", "", "open", "none"},
		{"wpa-psk", "", "", "wpa2", ""},
		{"wpa-psk", "wpa", "tkip", "wpa", "tkip"},
		{"wpa-psk", "rsn", "ccmp", "wpa2", "aes"},
		{"sae", "", "", "wpa3", "aes"},
		{"none", "", "", "wep", "wep"},
		{"wpa-eap", "", "", "enterprise", ""},
		{"owe", "", "", "owe", "aes"},
		{"future", "", "", "unknown", ""},
	}
	for _, tt := range tests {
		sec, enc := linuxWiFiSecurity(tt.keyMgmt, tt.proto, tt.pairwise)
		if sec != tt.sec || enc != tt.enc {
			t.Errorf("linuxWiFiSecurity(%q, %q, %q) = %s, %s; want %s, %s", tt.keyMgmt, tt.proto, tt.pairwise, sec, enc, tt.sec, tt.enc)
		}
	}
	key := "[connection]\nid=CafeGuest\nuuid=1\ntype=wifi\nautoconnect=false\n\n[wifi]\nmode=infrastructure\nssid=CafeGuest\n\n[ipv4]\nmethod=auto\n"
	p, ok := parseNMKeyfile(key)
	if !ok || !cmp.Equal(p, handwash.WiFiProfile{SSID: "CafeGuest", Security: "open", Encryption: "none", AutoConnect: boolPtr(false)}) {
		t.Errorf("keyfile: %+v, %v", p, ok)
	}
	if _, ok := parseNMKeyfile("[connection]\ntype=ethernet\n"); ok {
		t.Error("ethernet counted as Wi-Fi")
	}
}

func TestParseModprobeConf(t *testing.T) {
	tests := []struct {
		text      string
		install   string
		blacklist bool
	}{
		{"install usb-storage /bin/false\n", "/bin/false", false}, // captured on Debian 12
		{"blacklist usb_storage\n", "", true},
		{"# install usb-storage /bin/true\n", "", false},
		{"install usb-storage /sbin/modprobe --ignore-install usb-storage && echo\n", "", false},
		{"install usb-storage /bin/true\nblacklist usb-storage\n", "/bin/true", true},
		{"blacklist uas\n", "", false},
	}
	for _, tt := range tests {
		install, bl := parseModprobeConf(tt.text, "usb_storage")
		if install != tt.install || bl != tt.blacklist {
			t.Errorf("parseModprobeConf(%q) = %q, %v; want %q, %v", tt.text, install, bl, tt.install, tt.blacklist)
		}
	}
}

func TestAptSources(t *testing.T) {
	// debian.sources captured on this Debian 12 container; the .list lines
	// are the usual one-line forms.
	deb822 := `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm

Types: deb
URIs: https://repo.example.com/apt/
Suites: stable
Trusted: yes
Enabled: no
`
	list := "deb [trusted=yes] http://nas.local/debs ./\n# deb http://old.example.com stable main\ndeb [arch=amd64 signed-by=/usr/share/keyrings/cloud.google.gpg] https://packages.cloud.google.com/apt cloud-sdk-bookworm main\ndeb-src http://deb.debian.org/debian bookworm main\n"
	got := append(parseAptDeb822(deb822), parseAptSourcesList(list)...)
	want := []linuxAptSource{
		{URI: "http://deb.debian.org/debian", Suite: "bookworm"},
		{URI: "http://deb.debian.org/debian", Suite: "bookworm-updates"},
		{URI: "http://deb.debian.org/debian-security", Suite: "bookworm-security"},
		{URI: "http://nas.local/debs", Suite: "./", Trusted: true},
		{URI: "https://packages.cloud.google.com/apt", Suite: "cloud-sdk-bookworm"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	for uri, want := range map[string]string{
		"http://deb.debian.org/debian-security": "deb.debian.org_debian-security",
		"https://deb.nodesource.com/node_20.x":  "deb.nodesource.com_node%5f20.x",
		"https://user:pw@repo.example.com/apt":  "repo.example.com_apt",
	} {
		if got := aptURIToFileName(uri); got != want {
			t.Errorf("aptURIToFileName(%s) = %s, want %s", uri, got, want)
		}
	}
}

func TestParseFlatpakRemotes(t *testing.T) {
	// Captured on Debian 12 (remote added for the test), plus flathub.
	unverified, third := parseFlatpakRemotes([]byte("demo-remote\thttps://dl.example.org/repo\tsystem,no-gpg-verify\nflathub\thttps://dl.flathub.org/repo/\tsystem\nfedora\toci+https://registry.fedoraproject.org\tsystem,oci\n"))
	if diff := cmp.Diff([]string{"flatpak demo-remote (no-gpg-verify)"}, unverified); diff != "" {
		t.Errorf("unverified (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"flatpak demo-remote (https://dl.example.org/repo)", "flatpak flathub (https://dl.flathub.org/repo/)"}, third); diff != "" {
		t.Errorf("third party (-want +got):\n%s", diff)
	}
}

func TestLinuxDnfRepos(t *testing.T) {
	h := replayOf(map[string]string{
		"file: /etc/dnf/dnf.conf":               "[main]\ngpgcheck=True\ninstallonly_limit=3\n",
		"file: /etc/yum.repos.d/fedora.repo":    "[fedora]\nname=Fedora $releasever - $basearch\nmetalink=https://mirrors.fedoraproject.org/metalink?repo=fedora-$releasever&arch=$basearch\nenabled=1\ngpgcheck=1\n\n[fedora-source]\nenabled=0\nmetalink=https://mirrors.fedoraproject.org/metalink?repo=fedora-source\n",
		"file: /etc/yum.repos.d/epel.repo":      "[epel]\nmetalink=https://mirrors.fedoraproject.org/metalink?repo=epel-9&arch=$basearch\nenabled=1\n",
		"file: /etc/yum.repos.d/localrepo.repo": "[local]\nbaseurl=http://repo.lan/el9/\ngpgcheck=0\n",
	})
	unverified, third := linuxDnfRepos(h)
	if diff := cmp.Diff([]string{"local (gpgcheck=0)"}, unverified); diff != "" {
		t.Errorf("unverified (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"epel (https://mirrors.fedoraproject.org/metalink?repo=epel-9&arch=$basearch)", "local (http://repo.lan/el9/)"}, linuxDedupe(third)); diff != "" {
		t.Errorf("third party (-want +got):\n%s", diff)
	}
}

func TestLinuxBackupDestinations(t *testing.T) {
	mounts := parseProcMounts("/dev/mapper/vg-root / ext4 rw 0 0\nnas.local:/backup /mnt/nas nfs4 rw 0 0\n/dev/sdb1 /media/alice/Backup ext4 rw 0 0\n/dev/sdc1 /srv/data xfs rw 0 0\n")
	tests := []struct {
		bin, text, loc string
		kind           string
	}{
		{"restic", "ExecStart=/usr/bin/restic -r /mnt/nas/restic backup /home", "/mnt/nas/restic", handwash.DestNetworkShare},
		{"restic", "Environment=RESTIC_REPOSITORY=s3:s3.amazonaws.com/bucket\nExecStart=/usr/bin/restic backup /home", "s3:s3.amazonaws.com/bucket", handwash.DestCloud},
		{"restic", "0 2 * * * root restic --repo=sftp:nas:/restic backup /etc", "sftp:nas:/restic", handwash.DestNetworkShare},
		{"borg", "borg create --stats /media/alice/Backup/borg::{hostname}-{now} /home", "/media/alice/Backup/borg", handwash.DestRemovableDisk},
		{"borg", "borg create ssh://u123@u123.your-storagebox.de:23/./borg::x /home", "ssh://u123@u123.your-storagebox.de:23/./borg", handwash.DestNetworkShare},
		{"borg", "borg create alice@backup.lan:/srv/borg::daily /home", "alice@backup.lan:/srv/borg", handwash.DestNetworkShare},
		{"borg", "borg create zh1234@zh1234.rsync.net:borg::daily /home", "zh1234@zh1234.rsync.net:borg", handwash.DestCloud},
		{"duplicity", "duplicity /home file:///var/backups/dup", "file:///var/backups/dup", handwash.DestSameDisk},
		{"restic", "restic -r /srv/data/restic backup /", "/srv/data/restic", handwash.DestInternalDisk},
		{"restic", "restic snapshots", "", ""},
	}
	for _, tt := range tests {
		loc := linuxBackupTarget(tt.bin, tt.text)
		if loc != tt.loc {
			t.Errorf("linuxBackupTarget(%s, %q) = %q, want %q", tt.bin, tt.text, loc, tt.loc)
			continue
		}
		if loc == "" {
			continue
		}
		if got := linuxDest(loc, mounts).Kind; got != tt.kind {
			t.Errorf("linuxDest(%q) = %s, want %s", loc, got, tt.kind)
		}
	}
	if got := linuxStripCredentials("sftp://bob:secret@nas/backup"); strings.Contains(got, "secret") {
		t.Errorf("password kept: %s", got)
	}
	for text, want := range map[string]bool{"ExecStart=/usr/bin/restic backup": true, "restic-rest-server": false, "# prestic": false, "borg\n": true} {
		bin := "restic"
		if strings.HasPrefix(text, "borg") {
			bin = "borg"
		}
		if got := linuxMentions(text, bin); got != want {
			t.Errorf("linuxMentions(%q) = %v", text, got)
		}
	}
}

func TestDejaDupAndTimeshift(t *testing.T) {
	m := map[string]string{"backend": "remote", "last-backup": "2026-11-19T21:04:12.542837Z", "last-run": "2026-11-19T21:04:12.542837Z", "periodic": "true", "periodic-period": "1", "Remote.uri": "smb://nas.local/backups", "Remote.folder": "laptop"}
	var tool handwash.BackupTool
	dejaDup(&tool, m, nil)
	last := time.Date(2026, 11, 19, 21, 4, 12, 542837000, time.UTC)
	want := handwash.BackupTool{Configured: boolPtr(true), Automatic: boolPtr(true), LastSuccess: &last, LastAttempt: &last, Destination: &handwash.BackupDest{Kind: handwash.DestNetworkShare, Location: "smb://nas.local/backups/laptop"}, Detail: "every 1 days"}
	if diff := cmp.Diff(want, tool); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	tool = handwash.BackupTool{}
	dejaDup(&tool, map[string]string{"backend": "auto", "last-backup": "", "periodic": "false"}, nil)
	if *tool.Configured || tool.LastSuccess != nil || *tool.Automatic {
		t.Errorf("never set up: %+v", tool)
	}
	ts := timeshiftTool(`{"backup_device_uuid" : "0b1c", "schedule_daily" : "true", "schedule_weekly" : "false"}`)
	if !*ts.Configured || !*ts.Automatic || ts.Detail != "system snapshots (daily)" {
		t.Errorf("timeshift: %+v", ts)
	}
}

func TestParseSnapAndFlatpakLists(t *testing.T) {
	// snap list's documented columns; flatpak's tab-separated columns.
	snaps := parseSnapList([]byte("Name      Version          Rev    Tracking         Publisher   Notes\ncore22    20240408         1380   latest/stable    canonical✓  base\nfirefox   125.0.2-1        4173   latest/stable/…  mozilla✓    -\nhello     2.10             42     latest/stable    -           -\n"))
	want := []handwash.SoftwareItem{
		{Name: "core22", Version: "20240408", Publisher: "canonical", Source: "snap"},
		{Name: "firefox", Version: "125.0.2-1", Publisher: "mozilla", Source: "snap"},
		{Name: "hello", Version: "2.10", Source: "snap"},
	}
	if diff := cmp.Diff(want, snaps); diff != "" {
		t.Errorf("snap (-want +got):\n%s", diff)
	}
	fl := parseFlatpakList([]byte("org.mozilla.firefox\t132.0.2\tflathub\tsystem\norg.gnome.Calculator\t\tfedora\tsystem\n"))
	if len(fl) != 2 || fl[0].Version != "132.0.2" || fl[1].Name != "org.gnome.Calculator" {
		t.Errorf("flatpak: %+v", fl)
	}
}

func TestLinuxFormFactor(t *testing.T) {
	tests := []struct {
		virt, chassis string
		battery       bool
		want          string
	}{
		{"", "10", false, handwash.FormLaptop},
		{"", "3", false, handwash.FormDesktop},
		{"", "23", false, handwash.FormServer},
		{"", "30", false, handwash.FormTablet},
		{"", "2", true, handwash.FormLaptop},
		{"", "", false, handwash.FormUnknown},
		{"kvm", "1", false, handwash.FormVM},
		{"docker", "", false, handwash.FormVM},
	}
	for _, tt := range tests {
		if got := linuxFormFactor(tt.virt, tt.chassis, tt.battery); got != tt.want {
			t.Errorf("linuxFormFactor(%q, %q, %v) = %s, want %s", tt.virt, tt.chassis, tt.battery, got, tt.want)
		}
	}
}

func TestLinuxSMB1ClientFromFiles(t *testing.T) {
	cases := []struct {
		name, recording string
		want            bool
	}{
		{"nothing configured", "", false},
		{"smb.conf allows NT1", "-- file: /etc/samba/smb.conf --\n[global]\n   client min protocol = NT1\n", true},
		{"NT1 only in a share", "-- file: /etc/samba/smb.conf --\n[global]\n workgroup = CARE\n[scans]\n client min protocol = NT1\n", false},
		{"commented out", "-- file: /etc/samba/smb.conf --\n[global]\n; client min protocol = NT1\n", false},
		{"fstab vers=1.0", "-- file: /etc/fstab --\n//nas/scans /mnt/scans cifs credentials=/root/c,vers=1.0 0 0\n", true},
		{"fstab vers=3.0", "-- file: /etc/fstab --\n//nas/scans /mnt/scans cifs vers=3.0 0 0\n", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseReplay([]byte(tc.recording))
			if err != nil {
				t.Fatal(err)
			}
			if got := linuxSMB1ClientFromFiles(h); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
