package policy

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/vuln"
)

// caseNow is the moment every control case is judged at, unless the case
// says otherwise.
var caseNow = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

const (
	win = handwash.PlatformWindows
	mac = handwash.PlatformMacOS
	lin = handwash.PlatformLinux

	pass    = handwash.StatusPass
	fail    = handwash.StatusFail
	unknown = handwash.StatusUnknown
	na      = handwash.StatusNotApplicable

	day = 24 * time.Hour
)

func ptr[T any](v T) *T { return &v }

// ago is a moment the given time before caseNow.
func ago(d time.Duration) *time.Time { t := caseNow.Add(-d); return &t }

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 0, 0, 0, time.UTC) }

// wellKept returns the Facts of a well-kept laptop on platform p: every
// control that applies to it passes (TestWellKeptBaselines checks that).
// Each case changes only what it is about.
func wellKept(p handwash.Platform) *handwash.Facts {
	f := &handwash.Facts{
		Schema:      handwash.FactsSchema,
		CollectedAt: caseNow,
		Device: handwash.DeviceInfo{Platform: p, FormFactor: handwash.FormLaptop, Graphical: ptr(true),
			MDMEnrolled: ptr(true), FindMy: ptr(true)},
		Updates: &handwash.UpdateFacts{Automatic: ptr(true), LastInstalled: ago(3 * day), LastChecked: ago(day),
			Pending: []handwash.PendingUpdate{}, RebootRequired: ptr(false)},
		ScreenLock: &handwash.ScreenLockFacts{Enabled: ptr(true), IdleSeconds: ptr(600), GraceSeconds: ptr(0)},
		Accounts: &handwash.AccountFacts{GuestEnabled: ptr(false), AutoLogon: ptr(false),
			CurrentUser: "jane", CurrentUserAdmin: ptr(false)},
		PasswordPolicy: &handwash.PasswordPolicyFacts{MinLength: ptr(12), MaxAgeDays: ptr(0), LockoutThreshold: ptr(10), DenyList: ptr(false)},
		SMB:            &handwash.SMBFacts{ServerEnabled: ptr(false), V1Server: ptr(false), V1Client: ptr(false)},
		Network:        &handwash.NetworkFacts{Listeners: []handwash.Listener{}},
		WiFi: &handwash.WiFiFacts{Profiles: []handwash.WiFiProfile{
			{SSID: "Office", Security: "wpa2", Encryption: "aes", AutoConnect: ptr(true)},
			{SSID: "CafeGuest", Security: "open", Encryption: "none", AutoConnect: ptr(false)},
		}},
		RemovableMedia:    &handwash.RemovableMediaFacts{AutorunDisabled: ptr(true), USBStorage: "read_only"},
		ContentProtection: &handwash.ContentProtectionFacts{WebFilter: ptr(true), FileExtensionsShown: ptr(true)},
	}
	switch p {
	case win:
		f.Updates.CumulativeMonth = "2026-11"
		f.Device.Hostname = "OFFICE-LAPTOP"
		f.OS = &handwash.OSFacts{Name: "Windows 11 Pro", ID: "windows", Version: "10.0.26200", Build: "26200",
			Edition: "Professional", DisplayVersion: "25H2"}
		f.Firewall = &handwash.FirewallFacts{Product: "Windows Defender Firewall", Profiles: []handwash.FirewallProfile{
			{Name: "domain", Enabled: ptr(true), DefaultInbound: "block"},
			{Name: "private", Enabled: ptr(true), DefaultInbound: "block"},
			{Name: "public", Enabled: ptr(true), DefaultInbound: "block"},
		}}
		f.Malware = &handwash.MalwareFacts{PUAProtection: ptr(true), Products: []handwash.AntiMalwareProduct{
			{Name: "Microsoft Defender Antivirus", Enabled: ptr(true), RealTime: ptr(true), SignaturesUpdated: ago(2 * time.Hour),
				SignaturesCurrent: ptr(true), TamperProtected: ptr(true), Builtin: true},
		}}
		f.Encryption = &handwash.EncryptionFacts{Volumes: []handwash.Volume{
			{Name: "C:", Role: handwash.RoleSystem, Encrypted: ptr(true), Method: "BitLocker"}}}
		f.ScreenLock.GraceSeconds = nil // Windows' lock has no grace period to judge
		f.ScreenLock.PINMinLength = ptr(6)
		f.Accounts.Users = []handwash.LocalAccount{
			{Name: "Administrator", Builtin: "administrator", Enabled: ptr(false), Admin: ptr(true), PasswordRequired: ptr(true)},
			{Name: "Guest", Builtin: "guest", Enabled: ptr(false), PasswordRequired: ptr(false)},
			{Name: "itadmin", Enabled: ptr(true), Admin: ptr(true), PasswordRequired: ptr(true), PasswordEmpty: ptr(false)},
			{Name: "jane", Enabled: ptr(true), Admin: ptr(false), PasswordRequired: ptr(true), PasswordEmpty: ptr(false)},
		}
		f.RemoteAccess = &handwash.RemoteAccessFacts{RDP: &handwash.RDPFacts{Enabled: ptr(false), NLA: ptr(true), Port: ptr(3389)},
			SSH: &handwash.SSHFacts{Enabled: ptr(false)}}
		// Loopback listeners are not exposure, even on a risky port.
		f.Network.Listeners = []handwash.Listener{
			{Protocol: "tcp", Address: "0.0.0.0", Port: 135, Process: "svchost.exe"},
			{Protocol: "tcp", Address: "127.0.0.1", Port: 5900, Process: "tvnserver.exe"},
		}
		f.AppControl = &handwash.AppControlFacts{ReputationCheck: ptr(true), ReputationLevel: "warn",
			InstallSources: "store_preferred", AllowListing: "off", UnverifiedSources: []string{}}
		f.ContentProtection.OfficeMacrosBlocked = ptr(true)
		f.Backup = &handwash.BackupFacts{RestorePoints: ptr(true), Tools: []handwash.BackupTool{
			{Name: "OneDrive", Configured: ptr(true), Automatic: ptr(true), LastSuccess: ago(2 * time.Hour),
				Destination: &handwash.BackupDest{Kind: handwash.DestCloud, Location: "OneDrive - Oak House", AlwaysConnected: ptr(true)}},
			{Name: "File History", Configured: ptr(true), Automatic: ptr(true), LastSuccess: ago(20 * time.Hour),
				Destination: &handwash.BackupDest{Kind: handwash.DestRemovableDisk, Location: "E:", AlwaysConnected: ptr(false), Encrypted: ptr(true)}},
		}}
		f.Software = &handwash.SoftwareFacts{Items: []handwash.SoftwareItem{
			{Name: "Microsoft 365 Apps for business - en-gb", Version: "16.0.19127.20000", Source: "registry"},
			{Name: "Microsoft Visual C++ 2013 Redistributable (x64) - 12.0.40664", Version: "12.0.40664.0", Source: "registry"},
			{Name: "7-Zip 24.09 (x64 edition)", Version: "24.09.00.0", Source: "registry"},
		}}
	case mac:
		f.Device.Hostname = "Janes-MacBook-Air"
		f.OS = &handwash.OSFacts{Name: "macOS", ID: "macos", Version: "15.7.1", Build: "24G231"}
		f.Firewall = &handwash.FirewallFacts{Product: "macOS Application Firewall", Profiles: []handwash.FirewallProfile{
			{Name: "default", Enabled: ptr(true), DefaultInbound: "block"}}}
		f.Malware = &handwash.MalwareFacts{Products: []handwash.AntiMalwareProduct{
			{Name: "XProtect", Enabled: ptr(true), RealTime: ptr(true), TamperProtected: ptr(true), Builtin: true,
				SignaturesUpdated: ago(10 * day)},
		}}
		f.Encryption = &handwash.EncryptionFacts{Volumes: []handwash.Volume{
			{Name: "Macintosh HD", Role: handwash.RoleSystem, Encrypted: ptr(true), Method: "FileVault"}}}
		f.Accounts.Users = []handwash.LocalAccount{
			{Name: "jane", ID: "501", Enabled: ptr(true), Admin: ptr(false), PasswordEmpty: ptr(false)},
			{Name: "itadmin", ID: "502", Enabled: ptr(true), Admin: ptr(true), PasswordEmpty: ptr(false)},
		}
		// The other route Cyber Essentials allows: 8 characters with a deny list.
		f.PasswordPolicy = &handwash.PasswordPolicyFacts{Source: "pwpolicy", MinLength: ptr(8), DenyList: ptr(true),
			MaxAgeDays: ptr(0), LockoutThreshold: ptr(5)}
		f.RemoteAccess = &handwash.RemoteAccessFacts{SSH: &handwash.SSHFacts{Enabled: ptr(false)}, ScreenSharing: ptr(false)}
		f.RemovableMedia.USBStorage = "blocked"
		f.AppControl = &handwash.AppControlFacts{ReputationCheck: ptr(true), InstallSources: "identified_developers",
			SystemIntegrity: ptr(true), UnverifiedSources: []string{}}
		f.Backup = &handwash.BackupFacts{RestorePoints: ptr(true), Tools: []handwash.BackupTool{
			{Name: "Time Machine", Configured: ptr(true), Automatic: ptr(true), LastSuccess: ago(20 * time.Hour),
				Destination: &handwash.BackupDest{Kind: handwash.DestRemovableDisk, Location: "/Volumes/Backup",
					AlwaysConnected: ptr(false), Encrypted: ptr(true)}},
		}}
		f.Software = &handwash.SoftwareFacts{Items: []handwash.SoftwareItem{
			{Name: "QuickTime Player", Version: "10.5", Source: "app"}, // built into macOS and supported
			{Name: "Firefox", Version: "145.0", Source: "app"},
		}}
	case lin:
		f.Device.Hostname = "carer-laptop"
		f.Device.MDMEnrolled, f.Device.FindMy = nil, nil
		f.OS = &handwash.OSFacts{Name: "Ubuntu 24.04.3 LTS", ID: "ubuntu", IDLike: []string{"debian"}, Version: "24.04",
			Codename: "noble", ExtendedSupport: ptr(false)}
		f.Firewall = &handwash.FirewallFacts{Product: "ufw", Profiles: []handwash.FirewallProfile{
			{Name: "default", Enabled: ptr(true), DefaultInbound: "block"}}}
		f.Malware = &handwash.MalwareFacts{Products: []handwash.AntiMalwareProduct{
			{Name: "ClamAV", Enabled: ptr(true), RealTime: ptr(true), SignaturesUpdated: ago(6 * time.Hour)}}}
		f.Encryption = &handwash.EncryptionFacts{Volumes: []handwash.Volume{
			{Name: "/", Role: handwash.RoleSystem, Encrypted: ptr(true), Method: "LUKS"},
			{Name: "/srv", Role: handwash.RoleData, Encrypted: ptr(true), Method: "LUKS"},
		}}
		f.Accounts.Users = []handwash.LocalAccount{
			{Name: "root", ID: "0", Builtin: "administrator", Enabled: ptr(false), Admin: ptr(true), PasswordEmpty: ptr(false)},
			{Name: "jane", ID: "1000", Enabled: ptr(true), Admin: ptr(false), PasswordEmpty: ptr(false)},
		}
		f.PasswordPolicy = &handwash.PasswordPolicyFacts{Source: "pam_pwquality", MinLength: ptr(12), DenyList: ptr(true),
			MaxAgeDays: ptr(0), LockoutThreshold: ptr(5)}
		f.RemoteAccess = &handwash.RemoteAccessFacts{SSH: &handwash.SSHFacts{Enabled: ptr(true), PermitRootLogin: "no",
			PasswordAuthentication: ptr(false), PermitEmptyPasswords: ptr(false)}}
		// UDP 514 is syslog, not rsh, which is TCP 514.
		f.Network.Listeners = []handwash.Listener{
			{Protocol: "tcp", Address: "0.0.0.0", Port: 22, Process: "sshd"},
			{Protocol: "udp", Address: "0.0.0.0", Port: 514, Process: "rsyslogd"},
		}
		f.WiFi.Profiles = append(f.WiFi.Profiles, handwash.WiFiProfile{SSID: "Station", Security: "owe", Encryption: "aes", AutoConnect: ptr(true)})
		f.RemovableMedia.USBStorage = "blocked"
		f.AppControl = &handwash.AppControlFacts{UnverifiedSources: []string{}, ThirdPartySources: []string{"packages.microsoft.com"}}
		f.Backup = &handwash.BackupFacts{RestorePoints: ptr(true), Tools: []handwash.BackupTool{
			{Name: "Déjà Dup", Configured: ptr(true), Automatic: ptr(true), LastSuccess: ago(3 * time.Hour),
				Destination: &handwash.BackupDest{Kind: handwash.DestCloud, Location: "google"}},
		}}
		f.Software = &handwash.SoftwareFacts{Items: []handwash.SoftwareItem{
			{Name: "openssh-server", Version: "1:9.6p1-3ubuntu13.14", Source: "dpkg"},
			{Name: "clamav", Version: "1.4.3+dfsg-0ubuntu0.24.04.1", Source: "dpkg"},
		}}
	}
	return f
}

// controlCase is one situation a control is judged in.
type controlCase struct {
	name   string
	on     handwash.Platform
	at     time.Time // zero: caseNow
	change func(*handwash.Facts)
	want   handwash.Status
	// mention lists text a failure's summary must contain.
	mention []string
	// vulns is what advisories say about the device's packages: nil means
	// nothing affects them (cleanVulns), unless noVulns says no advisory
	// data was loaded.
	vulns   *Vulnerabilities
	noVulns bool
	// software is what end-of-life data says (nil: nothing out of
	// support), unless noSoftware says none was loaded.
	software   *SoftwareSupport
	noSoftware bool
	// settings are the organisation's settings (zero: the defaults).
	settings Settings
}

// withSettings judges the case with these settings.
func (c controlCase) withSettings(s Settings) controlCase { c.settings = s; return c }

// withSoftware judges the case with this end-of-life data.
func (c controlCase) withSoftwareSupport(s *SoftwareSupport) controlCase { c.software = s; return c }

// withoutSoftwareSupport judges the case with no end-of-life data loaded.
func (c controlCase) withoutSoftwareSupport() controlCase { c.noSoftware = true; return c }

// cleanVulns is advisory data in which nothing affects the device.
func cleanVulns() *Vulnerabilities { return &Vulnerabilities{Checked: 2, Items: []VulnItem{}} }

// withVulns judges the case with this advisory data.
func (c controlCase) withVulns(v *Vulnerabilities) controlCase { c.vulns = v; return c }

// withoutVulns judges the case with no advisory data loaded.
func (c controlCase) withoutVulns() controlCase { c.noVulns = true; return c }

// options are the case's options at now.
func (c controlCase) options(now time.Time) Options {
	o := Options{Now: now, Vulns: c.vulns, Software: c.software, Settings: c.settings}
	if o.Vulns == nil && !c.noVulns {
		o.Vulns = cleanVulns()
	}
	if o.Software == nil && !c.noSoftware {
		o.Software = &SoftwareSupport{Items: []SoftwareEndItem{}}
	}
	return o
}

func passes(on handwash.Platform, name string, change func(*handwash.Facts)) controlCase {
	return controlCase{name: name, on: on, change: change, want: pass}
}

func fails(on handwash.Platform, name string, change func(*handwash.Facts), mention ...string) controlCase {
	return controlCase{name: name, on: on, change: change, want: fail, mention: mention}
}

func unknowns(on handwash.Platform, name string, change func(*handwash.Facts)) controlCase {
	return controlCase{name: name, on: on, change: change, want: unknown}
}

func notApplies(on handwash.Platform, name string, change func(*handwash.Facts)) controlCase {
	return controlCase{name: name, on: on, change: change, want: na}
}

// when judges the case at another moment.
func (c controlCase) when(t time.Time) controlCase { c.at = t; return c }

// Small changes many cases share.
var (
	server = func(f *handwash.Facts) {
		f.Device.FormFactor, f.Device.Graphical = handwash.FormServer, ptr(false)
	}
	noBackupSetUp = func(f *handwash.Facts) {
		for i := range f.Backup.Tools {
			f.Backup.Tools[i].Configured = ptr(false)
		}
	}
	withOS = func(name, id, version, build, edition string) func(*handwash.Facts) {
		return func(f *handwash.Facts) {
			f.OS = &handwash.OSFacts{Name: name, ID: id, Version: version, Build: build, Edition: edition}
		}
	}
	withSoftware = func(items ...handwash.SoftwareItem) func(*handwash.Facts) {
		return func(f *handwash.Facts) { f.Software.Items = append(f.Software.Items, items...) }
	}
	pending = func(name string, security bool, released *time.Time) handwash.PendingUpdate {
		return handwash.PendingUpdate{Name: name, Security: security, Released: released}
	}
	lastBackups = func(newest time.Duration) func(*handwash.Facts) {
		return func(f *handwash.Facts) {
			for i := range f.Backup.Tools {
				f.Backup.Tools[i].LastSuccess = ago(newest + time.Duration(i)*time.Hour)
			}
		}
	}
	withVerifications = func(vs ...handwash.BackupVerification) func(*handwash.Facts) {
		return func(f *handwash.Facts) { f.Backup.Verifications = vs }
	}
)

// Backups that handwash backup verify checks in the cases.
const (
	restServer = "rest:https://backup.oakhouse.lan:8000/office/"
	nasFolder  = `\\NAS\backup\office`
	bucket     = "s3://oakhouse-backups/office"
)

// verified is the newest verification of a backup, the given time before
// caseNow: a test restore of 20 files that came back whole, an integrity
// check that passed, and a backup this device cannot delete. Cases change
// what they are about.
func verified(kind, location string, before time.Duration, change ...func(*handwash.BackupVerification)) handwash.BackupVerification {
	v := handwash.BackupVerification{Kind: kind, Location: location, VerifiedAt: *ago(before), NewestBackup: ago(before + 3*time.Hour),
		RestoreOK: ptr(true), FilesRestored: 20, IntegrityOK: ptr(true), CanDelete: ptr(false)}
	for _, c := range change {
		c(&v)
	}
	return v
}

var (
	restoreFailed   = func(v *handwash.BackupVerification) { v.RestoreOK = ptr(false) }
	integrityFailed = func(v *handwash.BackupVerification) { v.IntegrityOK = ptr(false) }
	deletable       = func(v *handwash.BackupVerification) { v.CanDelete = ptr(true) }
	deleteUnknown   = func(v *handwash.BackupVerification) { v.CanDelete = nil }
	couldNotRun     = func(problem string) func(*handwash.BackupVerification) {
		return func(v *handwash.BackupVerification) {
			v.RestoreOK, v.FilesRestored, v.IntegrityOK, v.CanDelete, v.NewestBackup, v.Problem = nil, 0, nil, nil, nil, problem
		}
	}
)

var win10 = withOS("Windows 10 Pro", "windows", "10.0.19045", "19045", "Professional")

// controlCases holds, for every control in the catalogue, situations it
// passes and fails in and, where it makes sense, ones where it cannot be
// judged or does not apply. TestEveryControlCanPassAndFail fails when a
// control has no passing or no failing case.
var controlCases = map[string][]controlCase{
	// backup
	"backup.configured": {
		passes(win, "OneDrive and File History", nil),
		fails(win, "no backup tool", func(f *handwash.Facts) { f.Backup.Tools = []handwash.BackupTool{} }, "No backup is set up"),
		fails(mac, "Time Machine without a disk", func(f *handwash.Facts) {
			f.Backup.Tools = []handwash.BackupTool{{Name: "Time Machine", Configured: ptr(false)}}
		}, "nowhere to save", "Time Machine"),
		unknowns(lin, "backups not observed", func(f *handwash.Facts) { f.Backup = nil }),
	},
	"backup.recent": {
		passes(mac, "20 hours old", nil),
		passes(win, "exactly a day old", func(f *handwash.Facts) {
			f.Backup.Tools[0].LastSuccess, f.Backup.Tools[1].LastSuccess = ago(day), ago(3*day)
		}),
		fails(win, "newest 3 days old", func(f *handwash.Facts) {
			f.Backup.Tools[0].LastSuccess, f.Backup.Tools[1].LastSuccess = ago(80*time.Hour), ago(9*day)
		}, "OneDrive", "3 days ago"),
		fails(mac, "25 hours old", func(f *handwash.Facts) { f.Backup.Tools[0].LastSuccess = ago(25 * time.Hour) },
			"25 hours ago", "no more than 24 hours old"),
		// The organisation's own limit (handwash.yaml settings, serve --backup-max-age).
		passes(win, "30 hours old, limit 48 hours", lastBackups(30*time.Hour)).withSettings(Settings{BackupMaxAge: 48 * time.Hour}),
		passes(mac, "exactly at a 36-hour limit", lastBackups(36*time.Hour)).withSettings(Settings{BackupMaxAge: 36 * time.Hour}),
		fails(mac, "50 hours old, limit 48 hours", lastBackups(50*time.Hour), "2 days ago", "no more than 2 days old").
			withSettings(Settings{BackupMaxAge: 48 * time.Hour}),
		fails(lin, "3 hours old, limit 1 hour", lastBackups(3*time.Hour), "3 hours ago", "no more than 1 hour old").
			withSettings(Settings{BackupMaxAge: time.Hour}),
		fails(win, "40 days old, limit 31 days", lastBackups(40*day), "OneDrive", "40 days ago", "no more than 31 days old").
			withSettings(Settings{BackupMaxAge: 31 * day}),
		fails(lin, "tried, never succeeded", func(f *handwash.Facts) {
			f.Backup.Tools[0].LastSuccess, f.Backup.Tools[0].LastAttempt = nil, ago(time.Hour)
		},
			"No successful backup has been recorded by: Déjà Dup"),
		unknowns(lin, "last success not readable", func(f *handwash.Facts) {
			f.Backup.Tools[0] = handwash.BackupTool{Name: "restic", Configured: ptr(true), Automatic: ptr(true),
				Destination: &handwash.BackupDest{Kind: handwash.DestNetworkShare, Location: "sftp:backup@nas.lan:/srv/restic"}}
			f.AddMissing("backup.tools[0].last_success", handwash.ReasonNotSupported, "restic keeps its history in the repository")
		}),
		notApplies(win, "no backup set up", noBackupSetUp),
		notApplies(win, "only a continuous cloud sync", func(f *handwash.Facts) {
			f.Backup.Tools = f.Backup.Tools[:1]
			f.Backup.Tools[0].LastSuccess = nil
		}),
		fails(win, "stale File History beside a continuous cloud sync", func(f *handwash.Facts) {
			f.Backup.Tools[0].LastSuccess, f.Backup.Tools[1].LastSuccess = nil, ago(4*day)
		}, "File History", "4 days ago"),
	},
	"backup.separate": {
		passes(lin, "cloud", nil),
		passes(win, "other internal disk", func(f *handwash.Facts) {
			f.Backup.Tools = f.Backup.Tools[1:]
			f.Backup.Tools[0].Destination.Kind = handwash.DestInternalDisk
		}),
		fails(lin, "same disk", func(f *handwash.Facts) {
			f.Backup.Tools[0].Destination = &handwash.BackupDest{Kind: handwash.DestSameDisk, Location: "/home/backup"}
		}, "Déjà Dup (same disk)"),
		fails(win, "destinations unknown", func(f *handwash.Facts) {
			f.Backup.Tools[0].Destination = nil
			f.Backup.Tools[1].Destination.Kind = handwash.DestUnknown
		}, "OneDrive (destination unknown)", "File History (destination unknown)"),
		notApplies(lin, "no backup set up", noBackupSetUp),
	},
	"backup.not-always-connected": {
		passes(win, "cloud", nil),
		passes(mac, "disk unplugged between backups", nil),
		fails(mac, "disk always attached", func(f *handwash.Facts) { f.Backup.Tools[0].Destination.AlwaysConnected = ptr(true) },
			"stays connected", "Time Machine (a USB or external disk)"),
		fails(mac, "cannot tell whether unplugged", func(f *handwash.Facts) { f.Backup.Tools[0].Destination.AlwaysConnected = nil },
			"cannot see whether these backups are disconnected", "Time Machine (a USB or external disk)", "record an exception"),
		fails(lin, "second internal disk", func(f *handwash.Facts) {
			f.Backup.Tools[0].Destination = &handwash.BackupDest{Kind: handwash.DestInternalDisk, Location: "/mnt/backup", AlwaysConnected: ptr(true)}
		}, "Déjà Dup (another internal disk)"),
		notApplies(mac, "no backup set up", noBackupSetUp),
	},
	"backup.automatic": {
		passes(lin, "scheduled", nil),
		fails(win, "started by hand", func(f *handwash.Facts) {
			f.Backup.Tools[0].Automatic, f.Backup.Tools[1].Automatic = ptr(false), nil
		}, "OneDrive, File History"),
		notApplies(win, "no backup set up", noBackupSetUp),
	},
	"backup.encrypted": {
		passes(mac, "encrypted Time Machine disk", nil),
		fails(mac, "unencrypted disk", func(f *handwash.Facts) { f.Backup.Tools[0].Destination.Encrypted = ptr(false) },
			"These backups are not encrypted: Time Machine (/Volumes/Backup)."),
		fails(win, "encryption not known", func(f *handwash.Facts) { f.Backup.Tools[1].Destination.Encrypted = nil },
			"could not confirm these backups are encrypted: File History (E:)."),
		notApplies(lin, "cloud only", nil),
		unknowns(win, "backups not observed", func(f *handwash.Facts) { f.Backup = nil }),
	},
	"backup.restore-tested": {
		passes(lin, "restored 3 days ago", withVerifications(verified("restic", restServer, 3*day))),
		passes(mac, "restored 11 months ago", withVerifications(verified("restic", restServer, 335*day))),
		passes(win, "one backup restored, another could not be verified", withVerifications(
			verified("folder", nasFolder, 2*day),
			verified("s3", bucket, 2*day, couldNotRun("The access key was refused by the storage service.")))),
		passes(lin, "an integrity failure over 12 months ago", withVerifications(
			verified("restic", restServer, 3*day),
			verified("borg", "/mnt/usb/borg", 400*day, integrityFailed))),
		fails(lin, "newest successful restore 13 months ago", withVerifications(verified("restic", restServer, 400*day)),
			"The newest successful test restore ("+restServer+") was 400 days ago, on 16 October 2025",
			"test a restore at least once every 12 months"),
		fails(win, "test restore failed", withVerifications(verified("folder", nasFolder, 2*day, restoreFailed)),
			"No recorded test restore has brought files back whole.",
			"What went wrong: "+nasFolder+" (18 November 2026): the test restore failed: files did not come back whole."),
		fails(lin, "integrity check failed", withVerifications(verified("restic", restServer, 3*day, integrityFailed)),
			"The backup's own integrity check found damage in "+restServer+" (checked 17 November 2026), so files restored from it may be missing or broken.",
			"The newest successful test restore ("+restServer+") was 3 days ago."),
		fails(win, "integrity failure of one backup beside a good restore of another", withVerifications(
			verified("folder", nasFolder, day),
			verified("restic", restServer, 5*day, integrityFailed)),
			"found damage in "+restServer, "The newest successful test restore ("+nasFolder+") was 24 hours ago."),
		fails(mac, "verification could not run", withVerifications(
			verified("restic", "/Volumes/Backup/restic", 6*time.Hour, couldNotRun("The password file /etc/handwash/restic-password could not be read."))),
			"What went wrong: /Volumes/Backup/restic (20 November 2026): The password file /etc/handwash/restic-password could not be read."),
		fails(lin, "restore found no files", withVerifications(verified("restic", restServer, day, func(v *handwash.BackupVerification) { v.FilesRestored = 0 })),
			"the test restore found no files to bring back"),
		fails(lin, "no test restore ran", withVerifications(verified("borg", "ssh://backup@nas.lan/srv/borg", day, func(v *handwash.BackupVerification) { v.RestoreOK, v.FilesRestored = nil, 0 })),
			"ssh://backup@nas.lan/srv/borg (19 November 2026): no test restore ran"),
		notApplies(lin, "no backup verified", nil),
		notApplies(win, "verifications recorded as none", withVerifications()),
		unknowns(lin, "backups not observed", func(f *handwash.Facts) { f.Backup = nil }),
		unknowns(lin, "restore result not readable", func(f *handwash.Facts) {
			withVerifications(verified("restic", restServer, day, func(v *handwash.BackupVerification) { v.RestoreOK, v.FilesRestored = nil, 0 }))(f)
			f.AddMissing("backup.verifications[0].restore_ok", handwash.ReasonError, "the agent could not read the restore's result")
		}),
	},
	"backup.verified-protected": {
		passes(lin, "append-only server", withVerifications(verified("restic", restServer, 3*day))),
		passes(mac, "one cannot be deleted, one not known", withVerifications(
			verified("restic", restServer, 3*day),
			verified("folder", "/Volumes/Backup", 3*day, deleteUnknown))),
		fails(lin, "repository writable from here", withVerifications(verified("restic", "/mnt/backup/restic", 3*day, deletable)),
			"This computer could delete or overwrite these backups, and so could ransomware running on it: /mnt/backup/restic (restic)."),
		fails(win, "one of two deletable", withVerifications(
			verified("s3", bucket, day),
			verified("folder", nasFolder, day, deletable)),
			"running on it: "+nasFolder+" (folder)."),
		notApplies(lin, "no backup verified", nil),
		notApplies(mac, "could not tell", withVerifications(verified("folder", "/Volumes/Backup", day, deleteUnknown))),
		unknowns(win, "backups not observed", func(f *handwash.Facts) { f.Backup = nil }),
	},
	"backup.restore-points": {
		passes(win, "System Restore on", nil),
		fails(lin, "no snapshots", func(f *handwash.Facts) { f.Backup.RestorePoints = ptr(false) }, "no restore points"),
		unknowns(win, "needs administrator", func(f *handwash.Facts) {
			f.Backup.RestorePoints = nil
			f.AddMissing("backup.restore_points", handwash.ReasonNeedsAdmin, "")
		}),
	},

	// malware
	"malware.firewall-on": {
		passes(win, "every profile on", nil),
		fails(win, "public off", func(f *handwash.Facts) { f.Firewall.Profiles[2].Enabled = ptr(false) }, "The firewall is off for: public."),
		fails(lin, "ufw inactive", func(f *handwash.Facts) { f.Firewall.Profiles[0].Enabled = ptr(false) }, "The firewall is switched off."),
		fails(lin, "no firewall", func(f *handwash.Facts) { f.Firewall.Profiles = []handwash.FirewallProfile{} }, "No firewall was found"),
		unknowns(lin, "needs root", func(f *handwash.Facts) { f.Firewall = nil }),
	},
	"malware.antimalware-on": {
		passes(win, "Defender on", nil),
		passes(mac, "XProtect", nil),
		fails(win, "nothing installed", func(f *handwash.Facts) { f.Malware.Products = []handwash.AntiMalwareProduct{} }, "No anti-malware"),
		fails(mac, "XProtect with SIP off", func(f *handwash.Facts) { f.Malware.Products[0].Enabled = nil }, "switched off: XProtect"),
		notApplies(lin, "Linux has its own control", nil),
		unknowns(win, "not observed", func(f *handwash.Facts) { f.Malware = nil }),
	},
	"malware.realtime": {
		passes(win, "real-time on", nil),
		fails(win, "real-time off", func(f *handwash.Facts) { f.Malware.Products[0].RealTime = ptr(false) },
			"Real-time protection is off in: Microsoft Defender Antivirus"),
		notApplies(win, "nothing switched on", func(f *handwash.Facts) { f.Malware.Products[0].Enabled = ptr(false) }),
	},
	"malware.signatures-current": {
		passes(win, "2 hours old", nil),
		passes(mac, "XProtect 10 days old", nil),
		passes(lin, "ClamAV 6 hours old", nil),
		passes(win, "no date, product says current", func(f *handwash.Facts) { f.Malware.Products[0].SignaturesUpdated = nil }),
		fails(win, "3 days old", func(f *handwash.Facts) { f.Malware.Products[0].SignaturesUpdated = ago(3 * day) },
			"Microsoft Defender Antivirus (last updated 3 days ago)"),
		fails(win, "product says out of date", func(f *handwash.Facts) { f.Malware.Products[0].SignaturesCurrent = ptr(false) },
			"reports them out of date"),
		fails(mac, "XProtect 40 days old", func(f *handwash.Facts) { f.Malware.Products[0].SignaturesUpdated = ago(40 * day) },
			"XProtect (last updated 40 days ago)"),
		fails(lin, "ClamAV never updated", func(f *handwash.Facts) {
			f.Malware.Products[0].SignaturesUpdated, f.Malware.Products[0].SignaturesCurrent = nil, ptr(false)
		}, "ClamAV (the product reports them out of date)"),
		passes(mac, "third-party product reports no date", func(f *handwash.Facts) {
			f.Malware.Products = append(f.Malware.Products, handwash.AntiMalwareProduct{Name: "Microsoft Defender Endpoint Security Extension", Enabled: ptr(true)})
		}),
		notApplies(lin, "only a product that reports no date", func(f *handwash.Facts) { f.Malware.Products[0].SignaturesUpdated = nil }),
		fails(lin, "ClamAV 30 hours old", func(f *handwash.Facts) { f.Malware.Products[0].SignaturesUpdated = ago(30 * time.Hour) },
			"30 hours ago"),
		notApplies(lin, "nothing switched on", func(f *handwash.Facts) { f.Malware.Products[0].Enabled = ptr(false) }),
	},
	"malware.linux-protection": {
		passes(lin, "ClamAV running", nil),
		passes(lin, "allow-listing instead", func(f *handwash.Facts) {
			f.Malware.Products = []handwash.AntiMalwareProduct{}
			f.AppControl.AllowListing = "enforced"
		}),
		fails(lin, "nothing installed", func(f *handwash.Facts) { f.Malware.Products = []handwash.AntiMalwareProduct{} }, "No anti-malware"),
		fails(lin, "ClamAV not running", func(f *handwash.Facts) { f.Malware.Products[0].Enabled = ptr(false) }, "not switched on: ClamAV"),
		notApplies(win, "Windows", nil),
	},
	"malware.tamper-protection": {
		passes(win, "on", nil),
		fails(win, "off", func(f *handwash.Facts) { f.Malware.Products[0].TamperProtected = ptr(false) }, "not on in: Microsoft Defender Antivirus."),
		fails(win, "not readable", func(f *handwash.Facts) { f.Malware.Products[0].TamperProtected = nil }, "could not be read"),
		notApplies(win, "nothing switched on", func(f *handwash.Facts) { f.Malware.Products[0].Enabled = ptr(false) }),
		notApplies(win, "another product protects", func(f *handwash.Facts) {
			f.Malware.Products = []handwash.AntiMalwareProduct{{Name: "Sophos Intercept X", Enabled: ptr(true), RealTime: ptr(true)}}
		}),
		notApplies(mac, "macOS", nil),
	},
	"malware.pua-protection": {
		passes(win, "blocked", nil),
		fails(win, "off", func(f *handwash.Facts) { f.Malware.PUAProtection = ptr(false) }, "potentially unwanted"),
		notApplies(win, "another product protects", func(f *handwash.Facts) {
			f.Malware.Products = []handwash.AntiMalwareProduct{{Name: "Sophos Endpoint", Enabled: ptr(true)}}
		}),
		unknowns(win, "not readable", func(f *handwash.Facts) { f.Malware.PUAProtection = nil }),
	},
	"malware.firewall-default-deny": {
		passes(win, "block everywhere", nil),
		passes(mac, "application firewall on", nil),
		passes(lin, "ufw deny incoming", nil),
		fails(win, "public allows", func(f *handwash.Facts) { f.Firewall.Profiles[2].DefaultInbound = "allow" }, "let in on: public."),
		fails(lin, "ufw allows incoming", func(f *handwash.Facts) { f.Firewall.Profiles[0].DefaultInbound = "allow" },
			"The firewall lets in incoming connections that no rule allows."),
		notApplies(lin, "no firewall (malware.firewall-on fails)", func(f *handwash.Facts) { f.Firewall.Profiles = []handwash.FirewallProfile{} }),
		notApplies(win, "firewall off everywhere", func(f *handwash.Facts) {
			for i := range f.Firewall.Profiles {
				f.Firewall.Profiles[i].Enabled = ptr(false)
			}
		}),
		fails(lin, "configured to allow, running state unknown", func(f *handwash.Facts) {
			f.Firewall.Profiles[0].Enabled, f.Firewall.Profiles[0].DefaultInbound = nil, "allow"
			f.AddMissing("firewall.profiles.enabled", handwash.ReasonNeedsAdmin, "ufw status needs root")
		}, "lets in"),
		fails(lin, "default unreadable", func(f *handwash.Facts) { f.Firewall.Profiles[0].DefaultInbound = "" },
			"could not read what the firewall does"),
		unknowns(lin, "needs root", func(f *handwash.Facts) { f.Firewall = nil }),
	},
	"malware.app-reputation": {
		passes(win, "SmartScreen on", nil),
		passes(mac, "Gatekeeper on", nil),
		fails(win, "SmartScreen off", func(f *handwash.Facts) { f.AppControl.ReputationCheck = ptr(false) }, "SmartScreen"),
		fails(mac, "Gatekeeper off", func(f *handwash.Facts) { f.AppControl.ReputationCheck = ptr(false) }, "Gatekeeper"),
		notApplies(lin, "Linux", nil),
		unknowns(mac, "not observed", func(f *handwash.Facts) { f.AppControl = nil }),
	},
	"malware.install-sources": {
		passes(win, "warn before non-Store apps", nil),
		passes(mac, "identified developers", nil),
		fails(win, "anywhere", func(f *handwash.Facts) { f.AppControl.InstallSources = "anywhere" }, "from anywhere"),
		fails(mac, "not readable", func(f *handwash.Facts) { f.AppControl.InstallSources = "" }, "could not read"),
		notApplies(lin, "Linux", nil),
	},
	"malware.verified-package-sources": {
		passes(lin, "all signed", nil),
		fails(lin, "flatpak without GPG", func(f *handwash.Facts) {
			f.AppControl.UnverifiedSources = []string{"flatpak demo-remote", "deb [trusted=yes] http://repo.example/ stable"}
		}, "flatpak demo-remote, deb [trusted=yes]"),
		unknowns(lin, "not observed", func(f *handwash.Facts) { f.AppControl.UnverifiedSources = nil }),
		notApplies(win, "Windows", nil),
	},
	"malware.system-integrity": {
		passes(mac, "SIP on", nil),
		fails(mac, "SIP off", func(f *handwash.Facts) { f.AppControl.SystemIntegrity = ptr(false) }, "System Integrity Protection"),
		notApplies(win, "Windows", nil),
	},
	"malware.autorun-off": {
		passes(win, "AutoPlay off", nil),
		fails(win, "AutoPlay on", func(f *handwash.Facts) {
			f.RemovableMedia.AutorunDisabled = ptr(false)
			f.RemovableMedia.AutorunDetail = "AutoPlay opens removable drives"
		}, "AutoPlay opens removable drives"),
		fails(lin, "GNOME autorun", func(f *handwash.Facts) { f.RemovableMedia.AutorunDisabled = ptr(false) }, "by themselves."),
		notApplies(lin, "server without a desktop", server),
		notApplies(mac, "macOS runs nothing from media", nil),
		unknowns(win, "not observed", func(f *handwash.Facts) { f.RemovableMedia = nil }),
	},
	"malware.usb-controlled": {
		passes(win, "read-only", nil),
		passes(lin, "blocked", nil),
		fails(mac, "allowed", func(f *handwash.Facts) { f.RemovableMedia.USBStorage = "allowed" }, "without any restriction"),
		fails(win, "not readable", func(f *handwash.Facts) { f.RemovableMedia.USBStorage = "" }, "could not tell"),
	},
	"malware.risky-services": {
		passes(win, "only loopback VNC", nil),
		passes(lin, "syslog on UDP 514 is not rsh", nil),
		fails(lin, "telnet", func(f *handwash.Facts) {
			f.Network.Listeners = append(f.Network.Listeners, handwash.Listener{Protocol: "tcp", Address: "0.0.0.0", Port: 23, Process: "inetd"})
		}, "Telnet (tcp port 23, inetd)"),
		fails(win, "VNC and SNMP", func(f *handwash.Facts) {
			f.Network.Listeners = append(f.Network.Listeners,
				handwash.Listener{Protocol: "tcp", Address: "::", Port: 5900, Process: "tvnserver.exe"},
				handwash.Listener{Protocol: "tcp", Address: "0.0.0.0", Port: 5900, Process: "tvnserver.exe"},
				handwash.Listener{Protocol: "udp", Address: "0.0.0.0", Port: 161})
		}, "VNC (tcp port 5900, tvnserver.exe), SNMP (udp port 161)."),
		passes(mac, "Screen Sharing is judged on its own", func(f *handwash.Facts) {
			f.Network.Listeners = []handwash.Listener{{Protocol: "tcp", Address: "*", Port: 5900, Process: "launchd"}}
		}),
		fails(mac, "FTP", func(f *handwash.Facts) {
			f.Network.Listeners = []handwash.Listener{{Protocol: "tcp", Address: "*", Port: 21, Process: "ftpd"}}
		}, "FTP (tcp port 21, ftpd)"),
		unknowns(mac, "needs root", func(f *handwash.Facts) { f.Network = nil }),
	},
	"malware.rdp-nla": {
		passes(win, "on with NLA", func(f *handwash.Facts) { f.RemoteAccess.RDP.Enabled = ptr(true) }),
		fails(win, "on without NLA", func(f *handwash.Facts) {
			f.RemoteAccess.RDP.Enabled, f.RemoteAccess.RDP.NLA = ptr(true), ptr(false)
		}, "Network Level Authentication"),
		notApplies(win, "Remote Desktop off", nil),
		unknowns(win, "not observed", func(f *handwash.Facts) { f.RemoteAccess.RDP = nil }),
	},
	"malware.rdp-off": {
		passes(win, "off", nil),
		fails(win, "on", func(f *handwash.Facts) { f.RemoteAccess.RDP.Enabled = ptr(true) }, "Remote Desktop is switched on"),
		notApplies(mac, "macOS", nil),
	},
	"malware.screen-sharing-off": {
		passes(mac, "off", nil),
		fails(mac, "on", func(f *handwash.Facts) { f.RemoteAccess.ScreenSharing = ptr(true) }, "Screen Sharing is switched on"),
		notApplies(win, "Windows", nil),
	},

	// devices
	"devices.screen-lock": {
		passes(win, "10 minutes", nil),
		passes(mac, "10 minutes, immediately", nil),
		passes(lin, "15 minutes, 5 seconds' grace", func(f *handwash.Facts) {
			f.ScreenLock.IdleSeconds, f.ScreenLock.GraceSeconds = ptr(900), ptr(5)
		}),
		fails(win, "does not lock", func(f *handwash.Facts) { f.ScreenLock.Enabled, f.ScreenLock.IdleSeconds = ptr(false), nil },
			"does not lock by itself"),
		fails(mac, "30 minutes", func(f *handwash.Facts) { f.ScreenLock.IdleSeconds = ptr(1800) }, "after 30 minutes"),
		fails(lin, "never", func(f *handwash.Facts) { f.ScreenLock.IdleSeconds = ptr(0) }, "never to lock"),
		fails(mac, "a minute's grace", func(f *handwash.Facts) { f.ScreenLock.GraceSeconds = ptr(60) }, "only 60 seconds after"),
		notApplies(lin, "server without a desktop", server),
		unknowns(mac, "grace not readable", func(f *handwash.Facts) { f.ScreenLock.GraceSeconds = nil }),
		unknowns(win, "not observed", func(f *handwash.Facts) { f.ScreenLock = nil }),
	},
	"devices.encryption-portable": {
		passes(win, "BitLocker", nil),
		passes(mac, "FileVault", nil),
		fails(win, "waiting for activation", func(f *handwash.Facts) {
			f.Encryption.Volumes[0].Encrypted, f.Encryption.Volumes[0].Detail = ptr(false), "waiting for activation"
		}, "C: (waiting for activation)"),
		fails(lin, "no system volume", func(f *handwash.Facts) { f.Encryption.Volumes = f.Encryption.Volumes[1:] }, "could not find"),
		notApplies(win, "desktop", func(f *handwash.Facts) { f.Device.FormFactor = handwash.FormDesktop }),
		unknowns(win, "needs administrator", func(f *handwash.Facts) {
			f.Encryption = nil
			f.AddMissing("encryption", handwash.ReasonNeedsAdmin, "")
		}),
	},
	"devices.encryption-system": {
		passes(lin, "LUKS server", server),
		fails(win, "desktop not encrypted", func(f *handwash.Facts) {
			f.Device.FormFactor = handwash.FormDesktop
			f.Encryption.Volumes[0].Encrypted = ptr(false)
		}, "not encrypted: C:"),
		fails(lin, "form factor unknown, not encrypted", func(f *handwash.Facts) {
			f.Device.FormFactor = ""
			f.Encryption.Volumes[0].Encrypted = nil
		}, "not encrypted: / (its state could not be read)."),
		notApplies(mac, "laptop", nil),
	},
	"devices.encryption-data": {
		passes(lin, "/srv encrypted", nil),
		fails(win, "D: not encrypted", func(f *handwash.Facts) {
			f.Encryption.Volumes = append(f.Encryption.Volumes, handwash.Volume{Name: "D:", Role: handwash.RoleData, Encrypted: ptr(false)})
		}, "not encrypted: D:"),
		notApplies(win, "no data volumes", nil),
	},
	"devices.encryption-removable": {
		passes(win, "BitLocker To Go", func(f *handwash.Facts) {
			f.Encryption.Volumes = append(f.Encryption.Volumes, handwash.Volume{Name: "E:", Role: handwash.RoleRemovable, Encrypted: ptr(true)})
		}),
		fails(mac, "plain USB stick", func(f *handwash.Facts) {
			f.Encryption.Volumes = append(f.Encryption.Volumes, handwash.Volume{Name: "UNTITLED", Role: handwash.RoleRemovable, Encrypted: ptr(false)})
		}, "UNTITLED"),
		notApplies(win, "none plugged in", nil),
	},
	"devices.wifi-open-autojoin": {
		passes(win, "open network joined by hand", nil),
		passes(lin, "OWE network joined automatically", nil),
		fails(win, "open network joined automatically", func(f *handwash.Facts) { f.WiFi.Profiles[1].AutoConnect = ptr(true) }, "CafeGuest"),
		fails(mac, "auto-join not stated", func(f *handwash.Facts) { f.WiFi.Profiles[1].AutoConnect = nil }, "CafeGuest"),
		unknowns(lin, "not observed", func(f *handwash.Facts) { f.WiFi = nil }),
	},
	"devices.wifi-weak": {
		passes(win, "WPA2 and open", nil),
		fails(win, "WEP", func(f *handwash.Facts) {
			f.WiFi.Profiles = append(f.WiFi.Profiles, handwash.WiFiProfile{SSID: "OldRouter", Security: "wep", Encryption: "wep"})
		}, "OldRouter (WEP)"),
		fails(lin, "WPA2 with TKIP and WPA", func(f *handwash.Facts) {
			f.WiFi.Profiles = append(f.WiFi.Profiles,
				handwash.WiFiProfile{SSID: "Lounge", Security: "wpa2", Encryption: "tkip"},
				handwash.WiFiProfile{SSID: "Annexe", Security: "wpa"})
		}, "Lounge (TKIP), Annexe (WPA)"),
	},
	"devices.locate-wipe": {
		passes(win, "Intune", nil),
		passes(mac, "Find My only", func(f *handwash.Facts) { f.Device.MDMEnrolled = ptr(false) }),
		fails(win, "neither", func(f *handwash.Facts) { f.Device.MDMEnrolled, f.Device.FindMy = ptr(false), ptr(false) }, "Find my device"),
		fails(mac, "neither", func(f *handwash.Facts) { f.Device.MDMEnrolled, f.Device.FindMy = ptr(false), ptr(false) }, "Find My Mac"),
		notApplies(win, "desktop", func(f *handwash.Facts) { f.Device.FormFactor = handwash.FormDesktop }),
		notApplies(lin, "Linux", nil),
		unknowns(mac, "Find My not readable", func(f *handwash.Facts) { f.Device.MDMEnrolled, f.Device.FindMy = ptr(false), nil }),
	},
	"devices.pin-length": {
		passes(win, "6", nil),
		fails(win, "4", func(f *handwash.Facts) { f.ScreenLock.PINMinLength = ptr(4) }, "as short as 4 characters"),
		unknowns(win, "no policy", func(f *handwash.Facts) { f.ScreenLock.PINMinLength = nil }),
		notApplies(mac, "macOS", nil),
	},

	// passwords
	"passwords.min-length": {
		passes(win, "12", nil),
		passes(mac, "8 with a deny list", nil),
		fails(win, "8 without a deny list", func(f *handwash.Facts) { f.PasswordPolicy.MinLength = ptr(8) },
			"as short as 8 characters and common passwords are not blocked"),
		fails(lin, "6 with a deny list", func(f *handwash.Facts) { f.PasswordPolicy.MinLength = ptr(6) }, "as short as 6 characters;"),
		fails(win, "no minimum", func(f *handwash.Facts) { f.PasswordPolicy.MinLength = ptr(0) }, "Passwords have no minimum length;"),
		unknowns(win, "10, deny list not known", func(f *handwash.Facts) { f.PasswordPolicy.MinLength, f.PasswordPolicy.DenyList = ptr(10), nil }),
		unknowns(mac, "not observed", func(f *handwash.Facts) { f.PasswordPolicy = nil }),
	},
	"passwords.lockout": {
		passes(win, "10", nil),
		passes(lin, "5", nil),
		fails(mac, "never", func(f *handwash.Facts) { f.PasswordPolicy.LockoutThreshold = ptr(0) }, "never lock"),
		fails(lin, "50", func(f *handwash.Facts) { f.PasswordPolicy.LockoutThreshold = ptr(50) }, "after 50 wrong passwords"),
	},
	"passwords.no-expiry": {
		passes(win, "never", nil),
		fails(win, "42 days", func(f *handwash.Facts) { f.PasswordPolicy.MaxAgeDays = ptr(42) }, "every 42 days"),
	},
	"passwords.guest-off": {
		passes(mac, "off", nil),
		fails(win, "on", func(f *handwash.Facts) { f.Accounts.GuestEnabled = ptr(true) }, "guest account"),
		unknowns(lin, "not observed", func(f *handwash.Facts) { f.Accounts.GuestEnabled = nil }),
	},
	"passwords.no-empty": {
		passes(win, "disabled Guest may have none", nil),
		fails(win, "empty password", func(f *handwash.Facts) { f.Accounts.Users[3].PasswordEmpty = ptr(true) }, "none: jane."),
		fails(win, "password not required, state unknown", func(f *handwash.Facts) {
			f.Accounts.Users = append(f.Accounts.Users, handwash.LocalAccount{Name: "kiosk", PasswordRequired: ptr(false)})
		}, "kiosk"),
		unknowns(lin, "not observed", func(f *handwash.Facts) { f.Accounts.Users = nil }),
	},
	"passwords.auto-logon-off": {
		passes(lin, "off", nil),
		fails(win, "on", func(f *handwash.Facts) { f.Accounts.AutoLogon = ptr(true) }, "signs in by itself"),
	},
	"passwords.builtin-admin-off": {
		passes(win, "disabled", nil),
		fails(win, "renamed and enabled", func(f *handwash.Facts) {
			f.Accounts.Users[0].Name, f.Accounts.Users[0].Enabled = "Boss", ptr(true)
		}, "switched on: Boss."),
		notApplies(lin, "root is not Windows' Administrator", nil),
	},
	"passwords.ssh-root": {
		passes(lin, "no", nil),
		passes(lin, "prohibit-password", func(f *handwash.Facts) { f.RemoteAccess.SSH.PermitRootLogin = "prohibit-password" }),
		fails(lin, "yes", func(f *handwash.Facts) { f.RemoteAccess.SSH.PermitRootLogin = "yes" }, "PermitRootLogin yes"),
		notApplies(mac, "Remote Login off", nil),
		notApplies(win, "Windows", nil),
		unknowns(lin, "not observed", func(f *handwash.Facts) { f.RemoteAccess.SSH = nil }),
	},
	"passwords.ssh-password": {
		passes(lin, "keys only", nil),
		fails(lin, "passwords", func(f *handwash.Facts) { f.RemoteAccess.SSH.PasswordAuthentication = ptr(true) }, "accepts passwords"),
		notApplies(win, "no SSH server", nil),
		unknowns(win, "server running, settings not read", func(f *handwash.Facts) { f.RemoteAccess.SSH.Enabled = ptr(true) }),
	},
	"passwords.ssh-empty": {
		passes(lin, "no", nil),
		fails(mac, "yes", func(f *handwash.Facts) {
			f.RemoteAccess.SSH = &handwash.SSHFacts{Enabled: ptr(true), PermitRootLogin: "no", PasswordAuthentication: ptr(true), PermitEmptyPasswords: ptr(true)}
		}, "empty password"),
		notApplies(win, "no SSH server", nil),
	},

	// phishing
	"phishing.daily-account-not-admin": {
		passes(win, "standard user", nil),
		fails(win, "administrator", func(f *handwash.Facts) { f.Accounts.CurrentUserAdmin = ptr(true) }, "The everyday account jane is an administrator"),
		fails(mac, "administrator, name unknown", func(f *handwash.Facts) {
			f.Accounts.CurrentUser, f.Accounts.CurrentUserAdmin = "", ptr(true)
		}, "The everyday account is an administrator"),
		notApplies(lin, "server without a desktop", server),
		unknowns(win, "not observed", func(f *handwash.Facts) { f.Accounts.CurrentUserAdmin = nil }),
	},
	"phishing.web-filter": {
		passes(mac, "Safari warns", nil),
		fails(win, "Edge SmartScreen off", func(f *handwash.Facts) { f.ContentProtection.WebFilter = ptr(false) }, "known phishing"),
		notApplies(win, "server without a desktop", server),
		notApplies(lin, "no collector on Linux", nil),
	},
	"phishing.office-macros": {
		passes(win, "Microsoft 365 blocks them", nil),
		fails(win, "Office 2021 lets them run", func(f *handwash.Facts) {
			f.Software.Items = []handwash.SoftwareItem{{Name: "Microsoft Office Professional Plus 2021 - en-gb", Source: "registry"}}
			f.ContentProtection.OfficeMacrosBlocked = ptr(false)
		}, "macros run"),
		notApplies(win, "no Office", func(f *handwash.Facts) { f.Software.Items = f.Software.Items[2:] }),
		notApplies(mac, "macOS", nil),
		unknowns(win, "nothing observed", func(f *handwash.Facts) { f.Software, f.ContentProtection.OfficeMacrosBlocked = nil, nil }),
	},
	"phishing.file-extensions": {
		passes(win, "shown", nil),
		fails(mac, "hidden", func(f *handwash.Facts) { f.ContentProtection.FileExtensionsShown = ptr(false) }, "extensions are hidden"),
		notApplies(lin, "Linux", nil),
	},

	// updates
	"updates.os-supported": {
		passes(win, "Windows 11 25H2 Pro", nil),
		passes(mac, "macOS 15", nil),
		passes(lin, "Ubuntu 24.04", nil),
		passes(win, "Windows 10 with ESU", func(f *handwash.Facts) { win10(f); f.OS.ExtendedSupport = ptr(true) }),
		fails(win, "Windows 10 without ESU", func(f *handwash.Facts) { win10(f); f.OS.ExtendedSupport = ptr(false) },
			"Windows 10 22H2 stopped getting security updates on 14 October 2025",
			"available until 10 October 2028 but are not switched on"),
		fails(win, "Windows 11 24H2 Pro", withOS("Windows 11 Pro", "windows", "10.0.26100", "26100", "Professional"),
			"Windows 11 24H2 (Home and Pro) stopped getting security updates on 13 October 2026."),
		fails(mac, "macOS 13", withOS("macOS", "macos", "13.7.8", "22H730", ""), "macOS 13 (Ventura) stopped getting security updates on 15 September 2025."),
		fails(lin, "Debian 11 after LTS", withOS("Debian GNU/Linux 11 (bullseye)", "debian", "11", "", ""),
			"Debian 11 (Bullseye)", "extended security updates ended on 31 August 2026."),
		unknowns(win, "Windows 10, ESU not observed", win10),
		unknowns(lin, "OS not observed", func(f *handwash.Facts) { f.OS = nil }),
	},
	"updates.os-support-ending": {
		passes(win, "Windows 11 25H2 Pro, 11 months left", nil),
		passes(lin, "Debian 12 just before LTS", withOS("Debian GNU/Linux 12 (bookworm)", "debian", "12", "", "")).when(date(2026, 6, 1)),
		fails(win, "Windows 11 25H2 Pro, 41 days left", nil).when(date(2027, 9, 1)),
		fails(lin, "Ubuntu 22.04 without Pro", func(f *handwash.Facts) {
			withOS("Ubuntu 22.04.5 LTS", "ubuntu", "22.04", "", "")(f)
			f.OS.ExtendedSupport = ptr(false)
		}, "Ubuntu 22.04 (Jammy Jellyfish) stops getting security updates on 1 April 2027, in 59 days.",
			"available until 9 April 2032 if you switch them on").when(date(2027, 2, 1)),
		passes(lin, "Ubuntu 22.04 with Pro", func(f *handwash.Facts) {
			withOS("Ubuntu 22.04.5 LTS", "ubuntu", "22.04", "", "")(f)
			f.OS.ExtendedSupport = ptr(true)
		}).when(date(2027, 2, 1)),
		unknowns(lin, "Ubuntu 22.04, Pro not observed", withOS("Ubuntu 22.04.5 LTS", "ubuntu", "22.04", "", "")).when(date(2027, 2, 1)),
		fails(win, "Windows 10 ESU ending", func(f *handwash.Facts) { win10(f); f.OS.ExtendedSupport = ptr(true) },
			"extended security updates for Windows 10 22H2 end on 10 October 2028, in 39 days.").when(date(2028, 9, 1)),
		notApplies(win, "Windows 10 already unsupported", func(f *handwash.Facts) { win10(f); f.OS.ExtendedSupport = ptr(false) }),
	},
	"updates.automatic": {
		passes(win, "on", nil),
		fails(win, "notify only", func(f *handwash.Facts) {
			f.Updates.Automatic, f.Updates.AutomaticDetail = ptr(false), "Windows Update (AUOptions 2)"
		}, "(Windows Update (AUOptions 2))"),
		unknowns(lin, "not observed", func(f *handwash.Facts) { f.Updates = nil }),
	},
	"updates.security-pending": {
		passes(win, "nothing waiting", nil),
		passes(win, "released 5 days ago", func(f *handwash.Facts) {
			f.Updates.Pending = []handwash.PendingUpdate{pending("2026-11 Cumulative Update (KB5070001)", true, ago(5*day))}
		}),
		passes(win, "old non-security update", func(f *handwash.Facts) {
			f.Updates.Pending = []handwash.PendingUpdate{pending("Intel display driver", false, ago(60*day))}
		}),
		fails(win, "released 20 days ago", func(f *handwash.Facts) {
			f.Updates.Pending = []handwash.PendingUpdate{
				pending("2026-10 Cumulative Update for Windows 11 Version 25H2 (KB5066835)", true, ptr(date(2026, 10, 31))),
				pending("Intel display driver", false, ago(60*day)),
			}
		}, "not installed: 2026-10 Cumulative Update for Windows 11 Version 25H2 (KB5066835) (released 31 October 2026)."),
		fails(lin, "no dates, nothing installed for 20 days", func(f *handwash.Facts) {
			f.Updates.LastInstalled = ago(20 * day)
			f.Updates.Pending = []handwash.PendingUpdate{{Name: "openssl", Version: "3.0.13-0ubuntu3.6", Security: true}}
		}, "no update has been installed for 20 days: openssl 3.0.13-0ubuntu3.6."),
		fails(mac, "macOS update named with its version", func(f *handwash.Facts) {
			f.Updates.LastInstalled = ago(20 * day)
			f.Updates.Pending = []handwash.PendingUpdate{
				{Name: "macOS Sequoia 15.7.2", Version: "15.7.2", Security: true},
				{Name: "Safari", Version: "26.1", Security: true},
			}
		}, "20 days: macOS Sequoia 15.7.2, Safari 26.1."),
		passes(lin, "no dates, installing daily", func(f *handwash.Facts) {
			f.Updates.Pending = []handwash.PendingUpdate{{Name: "openssl", Security: true}}
		}),
		fails(lin, "many overdue", func(f *handwash.Facts) {
			for _, n := range strings.Fields("a b c d e f g h i j k l") {
				f.Updates.Pending = append(f.Updates.Pending, pending("lib"+n, true, ago(30*day)))
			}
		}, "liba (released", "libj (released", "and 2 more."),
		unknowns(lin, "no dates, last install not observed", func(f *handwash.Facts) {
			f.Updates.LastInstalled = nil
			f.Updates.Pending = []handwash.PendingUpdate{{Name: "openssl", Security: true}}
		}),
		unknowns(mac, "not observed", func(f *handwash.Facts) { f.Updates.Pending = nil }),
	},
	"updates.recent-install": {
		passes(win, "3 days ago", nil),
		fails(mac, "50 days ago", func(f *handwash.Facts) { f.Updates.LastInstalled = ptr(date(2026, 10, 1)) }, "for 50 days (last on 1 October 2026)"),
		unknowns(lin, "not observed", func(f *handwash.Facts) { f.Updates.LastInstalled = nil }),
	},
	"updates.reboot-pending": {
		passes(win, "none", nil),
		fails(lin, "kernel update", func(f *handwash.Facts) { f.Updates.RebootRequired = ptr(true) }, "waiting for a restart"),
		unknowns(lin, "not observed", func(f *handwash.Facts) { f.Updates.RebootRequired = nil }),
	},
	"updates.checked-recently": {
		passes(mac, "yesterday", nil),
		fails(win, "10 days ago", func(f *handwash.Facts) { f.Updates.LastChecked = ago(10 * day) }, "10 days ago"),
	},
	"updates.smbv1-off": {
		passes(win, "off", nil),
		fails(win, "server on", func(f *handwash.Facts) { f.SMB.V1Server = ptr(true) }, "SMBv1"),
		passes(mac, "client allows SMBv1, server off", func(f *handwash.Facts) { f.SMB.V1Server, f.SMB.V1Client = ptr(false), ptr(true) }),
		unknowns(lin, "server not observed", func(f *handwash.Facts) { f.SMB.V1Server = nil }),
		unknowns(win, "not observed", func(f *handwash.Facts) { f.SMB = nil }),
	},
	"updates.smbv1-client-off": {
		passes(win, "off", nil),
		fails(mac, "nsmb.conf default allows SMBv1", func(f *handwash.Facts) { f.SMB.V1Client = ptr(true) }, "SMBv1"),
		passes(lin, "server on does not matter here", func(f *handwash.Facts) { f.SMB.V1Server, f.SMB.V1Client = ptr(true), ptr(false) }),
		unknowns(lin, "client not observed", func(f *handwash.Facts) { f.SMB.V1Client = nil }),
	},
	"updates.unsupported-software": {
		passes(win, "Microsoft 365 and runtimes", nil),
		passes(mac, "QuickTime Player is part of macOS", nil),
		fails(win, "Office 2016 and Flash", withSoftware(
			handwash.SoftwareItem{Name: "Microsoft Office Professional Plus 2016", Version: "16.0.4266.1001"},
			handwash.SoftwareItem{Name: "Adobe Flash Player 32 NPAPI", Version: "32.0.0.465"},
		), "Microsoft Office Professional Plus 2016 16.0.4266.1001, Adobe Flash Player 32 NPAPI 32.0.0.465."),
		fails(win, "QuickTime for Windows", withSoftware(handwash.SoftwareItem{Name: "QuickTime 7", Version: "7.79.80.95"}), "QuickTime 7"),
		fails(win, "names in any case", withSoftware(handwash.SoftwareItem{Name: "ADOBE FLASH PLAYER 32 ActiveX"}), "ADOBE FLASH PLAYER"),
		passes(win, "names that only share a few letters", withSoftware(
			handwash.SoftwareItem{Name: "Adob"}, handwash.SoftwareItem{Name: "Ädobe Flash Player"}, handwash.SoftwareItem{Name: "Flash Player (Adobe)"})),
		fails(win, "Office 2021 after its end", withSoftware(handwash.SoftwareItem{Name: "Microsoft Office LTSC Professional Plus 2021 - en-gb"}),
			"Office LTSC Professional Plus 2021"),
		passes(win, "Office 2021 before its end",
			withSoftware(handwash.SoftwareItem{Name: "Microsoft Office LTSC Professional Plus 2021 - en-gb"})).when(date(2026, 9, 1)),
		fails(win, "Internet Explorer on Pro", withSoftware(handwash.SoftwareItem{Name: "Internet Explorer 11"}), "Internet Explorer 11"),
		passes(win, "Internet Explorer on LTSC", func(f *handwash.Facts) {
			withSoftware(handwash.SoftwareItem{Name: "Internet Explorer 11"})(f)
			f.OS.Edition = "EnterpriseS"
		}),
		fails(lin, "Silverlight package", withSoftware(handwash.SoftwareItem{Name: "Microsoft Silverlight", Version: "5.1", Source: "dpkg"}), "Silverlight 5.1"),
		unknowns(win, "not observed", func(f *handwash.Facts) { f.Software = nil }),
	},
	"updates.packages-known-exploited": {
		passes(lin, "no advisories affect it", nil),
		passes(lin, "fixes waiting, none exploited", nil).withVulns(vulnsOf(advisory("USN-7000-1", "curl", "8.5.0-2ubuntu10.6", "8.5.0-2ubuntu10.7", false))),
		fails(lin, "an exploited flaw in openssl", nil, "1 advisory is for flaws that attackers are exploiting: "+
			"libssl3, openssl 3.0.13-0ubuntu3.1 (USN-7001-1, CVE-2024-0001; fixed in 3.0.13-0ubuntu3.5).").
			withVulns(vulnsOf(advisory("USN-7001-1", "openssl", "3.0.13-0ubuntu3.1", "3.0.13-0ubuntu3.5", true))),
		fails(lin, "an exploited flaw without a fix", nil, "(USN-7002-1, CVE-2024-0002; no fix yet)").
			withVulns(vulnsOf(advisory("USN-7002-1", "sudo", "1.9.15p5-3ubuntu5", "", true))),
		unknowns(lin, "no advisory data", nil).withoutVulns(),
		notApplies(lin, "no distribution packages", func(f *handwash.Facts) {
			f.Software.Items = []handwash.SoftwareItem{{Name: "firefox", Version: "125.0.2-1", Source: "snap"}}
		}),
		notApplies(win, "Windows", nil),
	},
	"updates.advisories-current": {
		passes(lin, "a day old", nil).withVulns(&Vulnerabilities{Checked: 2, Items: []VulnItem{}, DataAgeDays: 1}),
		passes(lin, "a week old", nil).withVulns(&Vulnerabilities{Checked: 2, Items: []VulnItem{}, DataAgeDays: 7}),
		fails(lin, "a month old", nil, "The security advisories Handwash used are 30 days old").
			withVulns(&Vulnerabilities{Checked: 2, Items: []VulnItem{}, DataAgeDays: 30}),
		unknowns(lin, "no advisory data", nil).withoutVulns(),
		notApplies(win, "Windows", nil),
	},
	"updates.support-data-current": {
		passes(win, "a day old", nil).withSoftwareSupport(&SoftwareSupport{Items: []SoftwareEndItem{}, DataAgeDays: 1}),
		passes(mac, "a week old", nil).withSoftwareSupport(&SoftwareSupport{Items: []SoftwareEndItem{}, DataAgeDays: 7}),
		fails(lin, "eight days old", nil, "The end-of-life data Handwash used is 8 days old").
			withSoftwareSupport(&SoftwareSupport{Items: []SoftwareEndItem{}, DataAgeDays: 8}),
		unknowns(win, "no end-of-life data", nil).withoutSoftwareSupport(),
	},
	"updates.windows-monthly-update": {
		passes(win, "this month's, before it is due", nil),
		passes(win, "last month's, before this month's is due", func(f *handwash.Facts) { f.Updates.CumulativeMonth = "2026-10" }),
		fails(win, "last month's, after this month's is due", func(f *handwash.Facts) { f.Updates.CumulativeMonth = "2026-10" },
			"The newest Windows cumulative update installed is from October 2026. The November 2026 update came out on 10 November 2026 and should have been installed within 14 days.").
			when(date(2026, 11, 24)),
		fails(win, "April 2025's", func(f *handwash.Facts) { f.Updates.CumulativeMonth = "2025-04" }, "from April 2025"),
		passes(win, "a new year", func(f *handwash.Facts) { f.Updates.CumulativeMonth = "2026-12" }).when(date(2027, 1, 20)),
		fails(win, "December's in late January", func(f *handwash.Facts) { f.Updates.CumulativeMonth = "2026-12" }, "The January 2027 update came out on 12 January 2027").
			when(date(2027, 1, 26)),
		unknowns(win, "no cumulative update in the history", func(f *handwash.Facts) {
			f.Updates.CumulativeMonth = ""
			f.AddMissing("updates.cumulative_month", handwash.ReasonNotSupported, "the Windows Update history has no successful install of a monthly cumulative update")
		}),
		notApplies(mac, "macOS", nil),
	},
	"updates.software-supported": {
		passes(win, "nothing out of support", nil),
		passes(mac, "a browser a week past its release's end", nil).withSoftwareSupport(&SoftwareSupport{Items: []SoftwareEndItem{
			{Name: "Google Chrome", Version: "142.0.7444.59", Product: "Google Chrome", Cycle: "142", Ended: true, DaysEnded: 7, Ends: "23 November 2026", Latest: "143"}}}),
		fails(win, "old Java and Chrome", nil, "These programs no longer get security fixes: "+
			"Java 8 Update 251 8.0.2510.8 (Oracle JDK 8, support ended 31 March 2022; move to 25.0.4), "+
			"Google Chrome 118.0.5993.118 (Google Chrome 118, support ended 31 October 2023; move to the latest version).").
			withSoftwareSupport(&SoftwareSupport{Items: []SoftwareEndItem{
				{Name: "Java 8 Update 251", Version: "8.0.2510.8", Product: "Oracle JDK", Cycle: "8", Ended: true, DaysEnded: 1705, Ends: "31 March 2022", Latest: "25.0.4"},
				{Name: "Google Chrome", Version: "118.0.5993.118", Product: "Google Chrome", Cycle: "118", Ended: true, DaysEnded: 1126, Ends: "31 October 2023"},
				{Name: "Python 3.10.11 (64-bit)", Version: "3.10.11", Product: "Python", Cycle: "3.10", DaysLeft: 40, Ends: "31 October 2026", Latest: "3.14.0"}}}),
		fails(lin, "ended with no date", nil, "(Node.js 12, support has ended; move to the latest version)").
			withSoftwareSupport(&SoftwareSupport{Items: []SoftwareEndItem{{Name: "node", Version: "12.22.9", Product: "Node.js", Cycle: "12", Ended: true}}}),
		unknowns(win, "no end-of-life data", nil).withoutSoftwareSupport(),
		notApplies(win, "no programs", func(f *handwash.Facts) { f.Software.Items = []handwash.SoftwareItem{} }),
	},
	"updates.software-support-ending": {
		passes(win, "nothing ending", nil),
		passes(win, "only ended ones", nil).withSoftwareSupport(&SoftwareSupport{Items: []SoftwareEndItem{
			{Name: "Google Chrome", Version: "118.0.5993.118", Product: "Google Chrome", Cycle: "118", Ended: true, DaysEnded: 1126, Ends: "31 October 2023"}}}),
		fails(win, "Python 3.10 in 40 days", nil, "Support ends soon for: Python 3.10.11 (64-bit) (Python 3.10, on 31 October 2026, in 40 days; move to 3.14.0).").
			withSoftwareSupport(&SoftwareSupport{Items: []SoftwareEndItem{
				{Name: "Python 3.10.11 (64-bit)", Version: "3.10.11", Product: "Python", Cycle: "3.10", DaysLeft: 40, Ends: "31 October 2026", Latest: "3.14.0"}}}),
		unknowns(mac, "no end-of-life data", nil).withoutSoftwareSupport(),
	},
	"updates.packages-security-fixes": {
		passes(lin, "up to date", nil),
		passes(lin, "only advisories without a fix", nil).withVulns(vulnsOf(advisory("USN-7003-1", "less", "590-2ubuntu2.1", "", false))),
		fails(lin, "one fix waiting", nil, "1 security fix is not installed: curl, libcurl4t64 8.5.0-2ubuntu10.6 (fixed in 8.5.0-2ubuntu10.7, USN-7000-1).").
			withVulns(vulnsOf(advisory("USN-7000-1", "curl", "8.5.0-2ubuntu10.6", "8.5.0-2ubuntu10.7", false))),
		fails(lin, "twelve fixes waiting", nil, "12 security fixes are not installed: ", " and 2 more.").withVulns(vulnsOf(twelveFixes()...)),
		unknowns(lin, "no advisory data", nil).withoutVulns(),
		notApplies(mac, "macOS", nil),
	},
}

// advisory is a match of one advisory against an installed source package.
func advisory(id, source, installed, fixed string, exploited bool) vuln.Match {
	pkgs := map[string][]string{"openssl": {"libssl3", "openssl"}, "curl": {"curl", "libcurl4t64"}}[source]
	if pkgs == nil {
		pkgs = []string{source}
	}
	var n int
	fmt.Sscanf(id, "USN-%d-1", &n)
	cve := fmt.Sprintf("CVE-2024-%04d", n-7000)
	return vuln.Match{Packages: pkgs, Source: source, Version: installed, Fixed: fixed, Ecosystem: "Ubuntu:24.04:LTS",
		Advisory: &vuln.Advisory{ID: id}, CVEs: []string{cve}, KnownExploited: exploited}
}

func vulnsOf(ms ...vuln.Match) *Vulnerabilities {
	return VulnerabilitiesOf(vuln.TallyOf(ms, MaxVulnItems), 2)
}

func twelveFixes() []vuln.Match {
	var ms []vuln.Match
	for i := range 12 {
		ms = append(ms, advisory(fmt.Sprintf("USN-71%02d-1", i), fmt.Sprintf("lib%02d", i), "1.0-1", "1.0-2", false))
	}
	return ms
}

func TestCumulativeDue(t *testing.T) {
	for _, c := range []struct {
		now  time.Time
		want string
	}{
		{date(2026, 11, 20), "2026-10"},                              // November's came out on the 10th: due on the 24th
		{date(2026, 11, 24), "2026-11"},                              // due today
		{date(2026, 1, 5), "2025-12"},                                // across the year
		{date(2026, 3, 24), "2026-03"},                               // 10 March + 14 days
		{date(2026, 3, 23), "2026-02"},                               // one day before
		{time.Date(2026, 12, 22, 0, 0, 0, 0, time.UTC), "2026-12"},   // 8 December + 14 days: due from midnight
		{time.Date(2026, 12, 21, 23, 59, 0, 0, time.UTC), "2026-11"}, // a minute before
	} {
		if got := CumulativeDue(c.now); got != c.want {
			t.Errorf("CumulativeDue(%v) = %s, want %s", c.now, got, c.want)
		}
	}
	for _, c := range []struct {
		y    int
		m    time.Month
		want int
	}{{2026, time.November, 10}, {2026, time.December, 8}, {2027, time.January, 12}, {2026, time.September, 8}, {2025, time.April, 8}} {
		if got := PatchTuesday(c.y, c.m); got.Day() != c.want || got.Weekday() != time.Tuesday {
			t.Errorf("PatchTuesday(%d, %s) = %v, want the %dth", c.y, c.m, got, c.want)
		}
	}
}

func TestVulnerabilitiesOf(t *testing.T) {
	ms := append(twelveFixes(), advisory("USN-7002-1", "sudo", "1.9.15p5-3ubuntu5", "", true), advisory("USN-7003-1", "less", "590-2ubuntu2.1", "", false))
	v := VulnerabilitiesOf(vuln.TallyOf(ms, MaxVulnItems), 700)
	if v.Checked != 700 || v.Fixable != 12 || v.Unfixed != 2 || v.KnownExploited != 1 || len(v.Items) != 13 {
		t.Fatalf("summary: %+v", v)
	}
	if !v.Items[0].KnownExploited || v.Items[0].Advisory != "USN-7002-1" || v.Items[1].Advisory != "USN-7100-1" {
		t.Errorf("the exploited one first, then the fixable in order: %+v", v.Items[:2])
	}
	var many []vuln.Match
	for range 3 {
		many = append(many, twelveFixes()...)
	}
	many = append(many, many...)
	if v := VulnerabilitiesOf(vuln.TallyOf(many, MaxVulnItems), 1); len(v.Items) != MaxVulnItems || v.Fixable != 72 {
		t.Errorf("%d items and %d fixable, want %d and 72", len(v.Items), v.Fixable, MaxVulnItems)
	}
}

func TestEveryControlCanPassAndFail(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, ctl := range c.Controls {
		has := map[handwash.Status]bool{}
		for _, tc := range controlCases[ctl.ID] {
			has[tc.want] = true
		}
		if !has[pass] || !has[fail] {
			t.Errorf("%s needs a case where it passes and one where it fails (add them to controlCases)", ctl.ID)
		}
	}
	ids := make([]string, 0, len(controlCases))
	for id := range controlCases {
		if _, ok := c.Control(id); !ok {
			t.Errorf("controlCases has cases for %s, which is not in the catalogue", id)
		}
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		for _, tc := range controlCases[id] {
			t.Run(id+"/"+string(tc.on)+"/"+tc.name, func(t *testing.T) {
				f := wellKept(tc.on)
				if tc.change != nil {
					tc.change(f)
				}
				now := caseNow
				if !tc.at.IsZero() {
					now = tc.at
				}
				fd := findingFor(t, c.Evaluate(f, tc.options(now)), id)
				if fd.Status != tc.want {
					t.Fatalf("status %s, want %s\nsummary: %s\nmissing: %v\nevidence: %v", fd.Status, tc.want, fd.Summary, fd.Missing, fd.Evidence)
				}
				switch fd.Status {
				case fail:
					if fd.Summary == "" {
						t.Errorf("a failure needs a message; evidence: %v", fd.Evidence)
					}
					for _, m := range tc.mention {
						if !strings.Contains(fd.Summary, m) {
							t.Errorf("summary %q does not mention %q", fd.Summary, m)
						}
					}
				case unknown:
					if len(fd.Missing) == 0 {
						t.Errorf("unknown without saying which fact was missing")
					}
				}
				if fd.Status != na {
					checkEvidence(t, fd)
				}
			})
		}
	}
}

// TestWellKeptBaselines checks the starting point of every case: a
// well-kept device fails nothing and leaves nothing unknown, so each case's
// status comes from its own change.
func TestWellKeptBaselines(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range handwash.Platforms {
		a := c.Evaluate(wellKept(p), Options{Now: caseNow, Vulns: cleanVulns(), Software: &SoftwareSupport{Items: []SoftwareEndItem{}}})
		for _, fd := range a.Findings {
			if fd.Status != pass && fd.Status != na {
				t.Errorf("%s: %s is %s: %s %v", p, fd.ControlID, fd.Status, fd.Summary, fd.Missing)
			}
			if fd.Status == pass {
				checkEvidence(t, fd)
			}
		}
	}
}

// A device about which nothing was observed is never passed or failed:
// every control is unknown (saying what was missing) or does not apply.
func TestNothingObservedIsNeverJudged(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range handwash.Platforms {
		a := c.Evaluate(&handwash.Facts{Device: handwash.DeviceInfo{Platform: p}}, Options{Now: caseNow})
		for _, fd := range a.Findings {
			switch {
			case fd.Status != unknown && fd.Status != na:
				t.Errorf("%s: %s is %s with nothing observed: %s", p, fd.ControlID, fd.Status, fd.Summary)
			case fd.Status == unknown && (len(fd.Missing) == 0 || fd.Missing[0].Reason == handwash.ReasonError):
				t.Errorf("%s: %s: unknown without a missing fact: %v", p, fd.ControlID, fd.Missing)
			}
		}
	}
}

// Windows 10 lost support on 14 October 2025: it passes only with
// Extended Security Updates. The other rows pin down the lifecycle data
// the control relies on, judged on 20 November 2026.
func TestWindows10ESU(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	osFacts := func(p handwash.Platform, name, id, version, build, edition string, esu *bool) *handwash.Facts {
		f := wellKept(p)
		f.OS = &handwash.OSFacts{Name: name, ID: id, Version: version, Build: build, Edition: edition, ExtendedSupport: esu}
		return f
	}
	tests := []struct {
		name    string
		facts   *handwash.Facts
		want    handwash.Status
		mention string
	}{
		{"Windows 10 22H2 without ESU", osFacts(win, "Windows 10 Pro", "windows", "10.0.19045", "19045", "Professional", ptr(false)),
			fail, "Windows 10 22H2 stopped getting security updates on 14 October 2025"},
		{"Windows 10 22H2 with ESU", osFacts(win, "Windows 10 Pro", "windows", "10.0.19045", "19045", "Professional", ptr(true)), pass, ""},
		{"Windows 10 22H2, ESU unknown", osFacts(win, "Windows 10 Pro", "windows", "10.0.19045", "19045", "Professional", nil), unknown, ""},
		{"Windows 10 Home without ESU", osFacts(win, "Windows 10 Home", "windows", "10.0.19045", "19045", "Core", ptr(false)),
			fail, "Extended security updates are available until 10 October 2028"},
		{"Windows 11 25H2 Pro", osFacts(win, "Windows 11 Pro", "windows", "10.0.26200", "26200", "Professional", nil), pass, ""},
		{"Windows 11 24H2 Pro", osFacts(win, "Windows 11 Pro", "windows", "10.0.26100", "26100", "Professional", nil),
			fail, "Windows 11 24H2 (Home and Pro) stopped getting security updates on 13 October 2026."},
		{"Windows 11 24H2 Enterprise", osFacts(win, "Windows 11 Enterprise", "windows", "10.0.26100", "26100", "Enterprise", nil), pass, ""},
		{"macOS 13", osFacts(mac, "macOS", "macos", "13.7.8", "22H730", "", nil), fail, "macOS 13 (Ventura)"},
		{"macOS 26", osFacts(mac, "macOS", "macos", "26.1", "25B78", "", nil), pass, ""},
		{"Debian 12 in LTS", osFacts(lin, "Debian GNU/Linux 12 (bookworm)", "debian", "12", "", "", nil), pass, ""},
		{"Ubuntu 22.04 in standard support", osFacts(lin, "Ubuntu 22.04.5 LTS", "ubuntu", "22.04", "", "", nil), pass, ""},
		{"Ubuntu 20.04 without Pro", osFacts(lin, "Ubuntu 20.04.6 LTS", "ubuntu", "20.04", "", "", ptr(false)),
			fail, "Ubuntu 20.04 (Focal Fossa) stopped getting security updates on 31 May 2025. Extended security updates are available until 2 April 2030"},
		{"Ubuntu 20.04 with Pro", osFacts(lin, "Ubuntu 20.04.6 LTS", "ubuntu", "20.04", "", "", ptr(true)), pass, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fd := findingFor(t, c.Evaluate(tc.facts, Options{Now: caseNow}), "updates.os-supported")
			if fd.Status != tc.want {
				t.Fatalf("status %s, want %s: %s %v", fd.Status, tc.want, fd.Summary, fd.Missing)
			}
			if !strings.Contains(fd.Summary, tc.mention) {
				t.Errorf("summary %q does not mention %q", fd.Summary, tc.mention)
			}
		})
	}
	// Ubuntu 22.04's standard support ends on 1 April 2027; afterwards only
	// Ubuntu Pro keeps it supported.
	after := date(2027, 6, 1)
	for esu, want := range map[bool]handwash.Status{false: fail, true: pass} {
		f := osFacts(lin, "Ubuntu 22.04.5 LTS", "ubuntu", "22.04", "", "", ptr(esu))
		if got := findingFor(t, c.Evaluate(f, Options{Now: after}), "updates.os-supported").Status; got != want {
			t.Errorf("Ubuntu 22.04 on %s with Ubuntu Pro %v: %s, want %s", after.Format(time.DateOnly), esu, got, want)
		}
	}
}

func findingFor(t *testing.T, a *handwash.Assessment, id string) handwash.Finding {
	t.Helper()
	for _, fd := range a.Findings {
		if fd.ControlID == id {
			return fd
		}
	}
	t.Fatalf("no finding for %s", id)
	return handwash.Finding{}
}

// checkEvidence fails when an evidence expression could not be worked out:
// evidence is shown with every finding, so it must never error.
func checkEvidence(t *testing.T, fd handwash.Finding) {
	t.Helper()
	if len(fd.Evidence) == 0 {
		t.Errorf("%s: no evidence", fd.ControlID)
	}
	for _, e := range fd.Evidence {
		if strings.HasPrefix(e.Value, "could not be worked out") {
			t.Errorf("%s: evidence %q %s", fd.ControlID, e.Label, e.Value)
		}
	}
}
