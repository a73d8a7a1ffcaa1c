package handwash

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"
)

// FactsSchema names the version of the Facts document. A change that removes
// or renames a field, or changes its meaning, needs a new version.
const FactsSchema = "handwash.facts/v1"

// MaxFactsSize is the largest Facts document Handwash reads, in bytes.
const MaxFactsSize = 16 << 20

// Facts is what was observed on one device at one moment: never a judgement.
//
// The rule for every field: what could not be observed is absent. A nil
// pointer or a nil slice (null or missing in JSON) means "not observed", and
// Collection.Missing says why; an empty slice ([] in JSON) means "observed,
// and there are none". Nothing is guessed: a collector that cannot tell
// leaves the field out.
type Facts struct {
	// Schema names the version of the document: always "handwash.facts/v1".
	Schema string `json:"schema"`
	// CollectedAt is when collection started, in RFC 3339 form (UTC from handwash collect).
	CollectedAt time.Time `json:"collected_at"`
	// Device identifies the machine and says what kind it is.
	Device DeviceInfo `json:"device"`

	// The topics, each described by its type; nil when not observed, with
	// the reason in Collection.Missing.
	OS                *OSFacts                `json:"os,omitempty"`
	Updates           *UpdateFacts            `json:"updates,omitempty"`
	Firewall          *FirewallFacts          `json:"firewall,omitempty"`
	Malware           *MalwareFacts           `json:"malware,omitempty"`
	Encryption        *EncryptionFacts        `json:"encryption,omitempty"`
	ScreenLock        *ScreenLockFacts        `json:"screen_lock,omitempty"`
	Accounts          *AccountFacts           `json:"accounts,omitempty"`
	PasswordPolicy    *PasswordPolicyFacts    `json:"password_policy,omitempty"`
	RemoteAccess      *RemoteAccessFacts      `json:"remote_access,omitempty"`
	SMB               *SMBFacts               `json:"smb,omitempty"`
	Network           *NetworkFacts           `json:"network,omitempty"`
	WiFi              *WiFiFacts              `json:"wifi,omitempty"`
	RemovableMedia    *RemovableMediaFacts    `json:"removable_media,omitempty"`
	AppControl        *AppControlFacts        `json:"app_control,omitempty"`
	ContentProtection *ContentProtectionFacts `json:"content_protection,omitempty"`
	Backup            *BackupFacts            `json:"backup,omitempty"`
	Software          *SoftwareFacts          `json:"software,omitempty"`

	// Collection says how the Facts were gathered, and why any fact is missing.
	Collection Collection `json:"collection"`
}

// DeviceInfo identifies the machine and says what kind it is.
type DeviceInfo struct {
	// ID is stable for this machine and reveals nothing: an application-specific
	// hash of the OS machine identifier.
	ID string `json:"id,omitempty"`
	// Hostname is the device's network name.
	Hostname string `json:"hostname,omitempty"`
	// Platform is the operating system family: windows, macos, linux or other.
	Platform Platform `json:"platform"`
	// Arch is the processor architecture as Go names it: amd64, arm64, ...
	Arch string `json:"arch,omitempty"`
	// FormFactor is laptop, desktop, server, tablet, virtual_machine or unknown.
	FormFactor string `json:"form_factor,omitempty"`
	// Vendor is the hardware maker, as the firmware reports it.
	Vendor string `json:"vendor,omitempty"`
	// Model is the hardware model, as the firmware reports it.
	Model string `json:"model,omitempty"`
	// Graphical says whether the device has a graphical desktop that people
	// sign in to (screen lock and auto-run apply only then).
	Graphical *bool `json:"graphical,omitempty"`
	// Join is how the device is managed: workgroup, domain, entra, hybrid, or
	// empty when unknown.
	Join string `json:"join,omitempty"`
	// MDMEnrolled says whether a mobile device management service manages it.
	MDMEnrolled *bool `json:"mdm_enrolled,omitempty"`
	// FindMy says whether the device can be located, locked and wiped from
	// elsewhere (Find My Mac, Windows Find my device).
	FindMy *bool `json:"find_my,omitempty"`
}

// Form factors a collector may report.
const (
	FormLaptop  = "laptop"
	FormDesktop = "desktop"
	FormServer  = "server"
	FormTablet  = "tablet"
	FormVM      = "virtual_machine"
	FormUnknown = "unknown"
)

// OSFacts describes the operating system.
type OSFacts struct {
	// Name is the full name people know, e.g. "Windows 11 Pro" or
	// "Debian GNU/Linux 12 (bookworm)".
	Name string `json:"name,omitempty"`
	// ID is the family: windows, macos, or the os-release ID (debian, ubuntu,
	// fedora, rhel, rocky, almalinux, centos, ...).
	ID string `json:"id,omitempty"`
	// IDLike lists the families a Linux distribution says it derives from (os-release
	// ID_LIKE).
	IDLike []string `json:"id_like,omitzero"`
	// Version is the product version: "10.0.26100" on Windows, "15.5" on
	// macOS, the os-release VERSION_ID on Linux.
	Version string `json:"version,omitempty"`
	// Codename is the release's code name, e.g. "bookworm" or "Sequoia".
	Codename string `json:"codename,omitempty"`
	// Build is Windows' CurrentBuild ("26100") or macOS's build ("24F74").
	Build string `json:"build,omitempty"`
	// Revision is Windows' update build revision (UBR).
	Revision *int `json:"revision,omitempty"`
	// Edition is Windows' EditionID (Professional, Core, Enterprise,
	// EnterpriseS, ...) or a Linux variant.
	Edition string `json:"edition,omitempty"`
	// DisplayVersion is Windows' feature release ("24H2").
	DisplayVersion string `json:"display_version,omitempty"`
	// Kernel is the kernel version.
	Kernel string `json:"kernel,omitempty"`
	// ExtendedSupport says whether paid or extended security updates are
	// active: Windows 10 Extended Security Updates, Ubuntu Pro (ESM).
	ExtendedSupport *bool `json:"extended_support,omitempty"`
	// SupportEnd is an end-of-support date the OS itself declares (Fedora's
	// SUPPORT_END, the distro-info data shipped with Debian and Ubuntu).
	SupportEnd *time.Time `json:"support_end,omitempty"`
}

// UpdateFacts describes how the device gets security updates.
type UpdateFacts struct {
	// Automatic says whether OS security updates install without anyone acting.
	Automatic *bool `json:"automatic,omitempty"`
	// AutomaticDetail says how, e.g. "unattended-upgrades" or "Windows Update (AUOptions 4)".
	AutomaticDetail string `json:"automatic_detail,omitempty"`
	// Source is where updates come from when it is not the vendor directly
	// (WSUS, Intune, a local mirror).
	Source string `json:"source,omitempty"`
	// LastInstalled is when an OS update was last installed successfully.
	LastInstalled *time.Time `json:"last_installed,omitempty"`
	// LastChecked is when the device last learnt which updates exist.
	LastChecked *time.Time `json:"last_checked,omitempty"`
	// CumulativeMonth is the release month ("2026-11") of the newest monthly
	// cumulative update of Windows installed successfully, from its title
	// in the Windows Update history ("2026-11 Cumulative Update for Windows
	// 11 ..."). Windows only.
	CumulativeMonth string `json:"cumulative_month,omitempty"`
	// Pending lists updates available but not installed.
	Pending []PendingUpdate `json:"pending"`
	// RebootRequired says whether installed updates wait for a restart.
	RebootRequired *bool `json:"reboot_required,omitempty"`
}

// PendingUpdate is one update that is available and not installed.
type PendingUpdate struct {
	// Name is the update or package name.
	Name string `json:"name"`
	// Version is the version the update installs.
	Version   string `json:"version,omitempty"`
	Installed string `json:"installed,omitempty"` // the version installed now
	// Security says whether the vendor marks it as a security update.
	Security bool `json:"security"`
	// Severity is the vendor's rating where given (Critical, Important, ...).
	Severity string `json:"severity,omitempty"`
	// Released is when the vendor published it.
	Released *time.Time `json:"released,omitempty"`
	// IDs are the advisory or KB identifiers the vendor gives.
	IDs []string `json:"ids,omitzero"`
}

// FirewallFacts describes the host firewall.
type FirewallFacts struct {
	// Product is what filters inbound traffic: "Windows Defender Firewall",
	// "macOS Application Firewall", ufw, firewalld, nftables, iptables, or a
	// third-party product.
	Product string `json:"product,omitempty"`
	// Profiles lists each network profile (Windows: domain, private, public;
	// elsewhere one profile named "default").
	Profiles []FirewallProfile `json:"profiles"`
	// Stealth says whether the device ignores probes (macOS stealth mode).
	Stealth *bool `json:"stealth,omitempty"`
	// AllowedInbound lists the services or ports let in, where the firewall says.
	AllowedInbound []string `json:"allowed_inbound,omitzero"`
}

// FirewallProfile is the firewall state for one kind of network.
type FirewallProfile struct {
	// Name is the profile: domain, private or public on Windows, "default" elsewhere.
	Name string `json:"name"`
	// Enabled says whether the firewall filters traffic on this kind of network.
	Enabled *bool `json:"enabled,omitempty"`
	// DefaultInbound is block or allow: what happens to an inbound connection
	// that no rule allows.
	DefaultInbound string `json:"default_inbound,omitempty"`
}

// MalwareFacts describes protection from malicious software.
type MalwareFacts struct {
	// Products lists the anti-malware products found; [] means none.
	Products []AntiMalwareProduct `json:"products"`
	// PUAProtection says whether potentially unwanted apps are blocked (Windows).
	PUAProtection *bool `json:"pua_protection,omitempty"`
}

// AntiMalwareProduct is one anti-malware product found on the device.
type AntiMalwareProduct struct {
	// Name is the product's name.
	Name string `json:"name"`
	// Enabled says whether the product is switched on.
	Enabled *bool `json:"enabled,omitempty"`
	// RealTime says whether it scans files as they are opened or run.
	RealTime *bool `json:"real_time,omitempty"`
	// SignaturesUpdated is when its malware definitions were last updated.
	SignaturesUpdated *time.Time `json:"signatures_updated,omitempty"`
	// SignaturesCurrent is the product's own view of whether its definitions
	// are up to date.
	SignaturesCurrent *bool `json:"signatures_current,omitempty"`
	// TamperProtected says whether the product stops other software from switching it off.
	TamperProtected *bool `json:"tamper_protected,omitempty"`
	// Builtin marks protection that comes with the OS (Microsoft Defender,
	// XProtect).
	Builtin bool `json:"builtin,omitempty"`
}

// EncryptionFacts describes disk encryption.
type EncryptionFacts struct {
	// Volumes lists the disk volumes found.
	Volumes []Volume `json:"volumes"`
}

// Volume is one disk volume and whether its contents are encrypted at rest.
type Volume struct {
	// Name is the drive letter, mount point or volume name.
	Name string `json:"name"`
	// Role is system (the OS volume), data (another fixed volume) or removable.
	Role string `json:"role"`
	// Encrypted says whether the volume's contents are encrypted at rest.
	Encrypted *bool `json:"encrypted,omitempty"`
	// Method names the encryption: BitLocker, FileVault, LUKS, ...
	Method string `json:"method,omitempty"`
	// Detail holds the raw state, e.g. "encrypting 42%" or "waiting for activation".
	Detail string `json:"detail,omitempty"`
}

// Volume roles.
const (
	RoleSystem    = "system"
	RoleData      = "data"
	RoleRemovable = "removable"
)

// ScreenLockFacts describes what locks the screen when nobody is using it.
type ScreenLockFacts struct {
	// Enabled says whether the screen locks by itself after a period of
	// inactivity and needs a password, PIN or biometric to unlock.
	Enabled *bool `json:"enabled,omitempty"`
	// IdleSeconds is how long the device waits before locking.
	IdleSeconds *int `json:"idle_seconds,omitempty"`
	// GraceSeconds is how long after the screen saver starts a password is
	// still not needed.
	GraceSeconds *int `json:"grace_seconds,omitempty"`
	// PINMinLength is the minimum unlock PIN length where a policy sets one
	// (Windows Hello).
	PINMinLength *int `json:"pin_min_length,omitempty"`
	// Scope says whose settings these are, e.g. "user alice" or "machine policy".
	Scope string `json:"scope,omitempty"`
}

// AccountFacts describes the device's local accounts.
type AccountFacts struct {
	// Users lists the local accounts that can sign in.
	Users []LocalAccount `json:"users"`
	// GuestEnabled says whether a guest account can sign in.
	GuestEnabled *bool `json:"guest_enabled,omitempty"`
	// AutoLogon says whether the device signs someone in at start without a password.
	AutoLogon *bool `json:"auto_logon,omitempty"`
	// CurrentUser is the person signed in at the console (or who ran the check).
	CurrentUser string `json:"current_user,omitempty"`
	// CurrentUserAdmin says whether that person's everyday account is an administrator.
	CurrentUserAdmin *bool `json:"current_user_admin,omitempty"`
}

// LocalAccount is one account that can sign in on the device.
type LocalAccount struct {
	// Name is the account's user name.
	Name string `json:"name"`
	// ID is the SID on Windows or the UID elsewhere.
	ID string `json:"id,omitempty"`
	// Enabled says whether the account can sign in.
	Enabled *bool `json:"enabled,omitempty"`
	// Admin says whether the account has administrator (or root) rights.
	Admin *bool `json:"admin,omitempty"`
	// Builtin is administrator or guest for the accounts the OS creates.
	Builtin string `json:"builtin,omitempty"`
	// PasswordRequired is false when the account may have an empty password.
	PasswordRequired *bool `json:"password_required,omitempty"`
	// PasswordEmpty is true when the account has no password at all.
	PasswordEmpty *bool `json:"password_empty,omitempty"`
}

// PasswordPolicyFacts describes the rules the device enforces on local
// passwords and sign-in attempts.
type PasswordPolicyFacts struct {
	// Source says where the rules come from: "local security policy",
	// "pam_pwquality", "pwpolicy", ...
	Source string `json:"source,omitempty"`
	// MinLength is the shortest password allowed; 0 means no minimum.
	MinLength *int `json:"min_length,omitempty"`
	// MaxAgeDays is how often a password must change; 0 means never.
	MaxAgeDays *int `json:"max_age_days,omitempty"`
	// LockoutThreshold is how many wrong attempts lock the account; 0 means never.
	LockoutThreshold *int `json:"lockout_threshold,omitempty"`
	// LockoutWindowMinutes is the period over which wrong attempts count.
	LockoutWindowMinutes *int `json:"lockout_window_minutes,omitempty"`
	// LockoutMinutes is how long a locked account stays locked.
	LockoutMinutes *int `json:"lockout_minutes,omitempty"`
	// Complexity says whether passwords must mix kinds of character.
	Complexity *bool `json:"complexity,omitempty"`
	// DenyList says whether common or dictionary passwords are refused.
	DenyList *bool `json:"deny_list,omitempty"`
}

// RemoteAccessFacts describes ways to control the device from elsewhere.
type RemoteAccessFacts struct {
	// RDP describes the Windows Remote Desktop host.
	RDP *RDPFacts `json:"rdp,omitempty"`
	// SSH describes the SSH server.
	SSH *SSHFacts `json:"ssh,omitempty"`
	// ScreenSharing says whether others can view or control the screen over the network (macOS
	// Screen Sharing, VNC).
	ScreenSharing *bool `json:"screen_sharing,omitempty"`
}

// RDPFacts describes the Windows Remote Desktop host.
type RDPFacts struct {
	// Enabled says whether Remote Desktop accepts connections.
	Enabled *bool `json:"enabled,omitempty"`
	// NLA says whether Network Level Authentication is required.
	NLA *bool `json:"nla,omitempty"`
	// Port is the TCP port Remote Desktop listens on.
	Port *int `json:"port,omitempty"`
}

// SSHFacts describes the SSH server.
type SSHFacts struct {
	// Enabled says whether the SSH server is running or starts at boot.
	Enabled *bool `json:"enabled,omitempty"`
	// PermitRootLogin is sshd's value: yes, no, prohibit-password or forced-commands-only.
	PermitRootLogin string `json:"permit_root_login,omitempty"`
	// PasswordAuthentication says whether sshd accepts passwords (sshd's
	// PasswordAuthentication).
	PasswordAuthentication *bool `json:"password_authentication,omitempty"`
	// PermitEmptyPasswords says whether sshd lets accounts with empty passwords in (sshd's
	// PermitEmptyPasswords).
	PermitEmptyPasswords *bool `json:"permit_empty_passwords,omitempty"`
}

// SMBFacts describes Windows file sharing (SMB), the way WannaCry spread.
type SMBFacts struct {
	// ServerEnabled says whether the device shares files over SMB.
	ServerEnabled *bool `json:"server_enabled,omitempty"`
	// V1Server says whether the SMB server accepts the old, unsafe SMB version 1.
	V1Server *bool `json:"v1_server,omitempty"`
	// V1Client says whether the device can connect to SMB version 1 servers.
	V1Client *bool `json:"v1_client,omitempty"`
	// SigningRequired says whether the server refuses unsigned SMB sessions.
	SigningRequired *bool `json:"signing_required,omitempty"`
}

// NetworkFacts lists network services reachable from other machines.
type NetworkFacts struct {
	// Listeners are sockets listening beyond loopback; loopback-only ones are
	// left out.
	Listeners []Listener `json:"listeners"`
}

// Listener is one listening socket.
type Listener struct {
	Protocol string `json:"protocol"` // tcp or udp
	// Address is the local address the socket listens on, e.g. "0.0.0.0" or "::".
	Address string `json:"address"`
	// Port is the port number.
	Port int `json:"port"`
	// Process is the program listening, where known.
	Process string `json:"process,omitempty"`
}

// WiFiFacts lists saved wireless networks.
type WiFiFacts struct {
	// Profiles lists the saved wireless networks; [] means none.
	Profiles []WiFiProfile `json:"profiles"`
}

// WiFiProfile is one saved wireless network.
type WiFiProfile struct {
	// SSID is the network's name.
	SSID string `json:"ssid"`
	// Security is open, owe, wep, wpa, wpa2, wpa3, enterprise or unknown.
	Security string `json:"security"`
	// AutoConnect says whether the device joins the network by itself when in range.
	AutoConnect *bool `json:"auto_connect,omitempty"`
	// Encryption is the cipher where known: none, wep, tkip, aes.
	Encryption string `json:"encryption,omitempty"`
}

// RemovableMediaFacts describes USB storage and auto-run.
type RemovableMediaFacts struct {
	// AutorunDisabled says whether inserted media can start programs or open
	// by themselves; a prompt each time counts as disabled.
	AutorunDisabled *bool `json:"autorun_disabled,omitempty"`
	// AutorunDetail holds the raw auto-run setting.
	AutorunDetail string `json:"autorun_detail,omitempty"`
	// USBStorage is allowed, read_only or blocked.
	USBStorage string `json:"usb_storage,omitempty"`
	// USBStorageDetail holds the raw USB storage setting.
	USBStorageDetail string `json:"usb_storage_detail,omitempty"`
}

// AppControlFacts describes what stops untrusted software being installed.
type AppControlFacts struct {
	// ReputationCheck says whether downloaded apps are checked before they
	// run (Windows SmartScreen, macOS Gatekeeper).
	ReputationCheck *bool `json:"reputation_check,omitempty"`
	// ReputationLevel is how strict the reputation check is, in the OS's words.
	ReputationLevel string `json:"reputation_level,omitempty"`
	// InstallSources is anywhere, identified_developers, store_preferred or store_only.
	InstallSources string `json:"install_sources,omitempty"`
	// AllowListing is off, audit or enforced (App Control, AppLocker, Smart App Control).
	AllowListing string `json:"allow_listing,omitempty"`
	// SystemIntegrity says whether OS files are protected from change (macOS SIP).
	SystemIntegrity *bool `json:"system_integrity,omitempty"`
	// UnverifiedSources lists package sources whose signatures are not checked.
	UnverifiedSources []string `json:"unverified_sources"`
	// ThirdPartySources lists package sources other than the OS vendor's.
	ThirdPartySources []string `json:"third_party_sources,omitzero"`
}

// ContentProtectionFacts describes defences against harmful websites, files
// and attachments.
type ContentProtectionFacts struct {
	// WebFilter says whether the browser warns about or blocks known phishing
	// and malware sites (Microsoft Defender SmartScreen in Edge, Safari's
	// fraudulent website warning).
	WebFilter *bool `json:"web_filter,omitempty"`
	// OfficeMacrosBlocked says whether Office blocks macros in files from the internet.
	OfficeMacrosBlocked *bool `json:"office_macros_blocked,omitempty"`
	// FileExtensionsShown says whether file names show their real type
	// (so "invoice.pdf.exe" cannot pass as a PDF).
	FileExtensionsShown *bool `json:"file_extensions_shown,omitempty"`
}

// BackupFacts describes backup tools found on the device.
type BackupFacts struct {
	// Tools lists the backup tools found; [] means none.
	Tools []BackupTool `json:"tools"`
	// RestorePoints says whether the OS keeps restore points or snapshots
	// (Windows System Restore, Time Machine local snapshots, Timeshift).
	RestorePoints *bool `json:"restore_points,omitempty"`
	// Verifications are the newest results of the backup verifications
	// the agent runs (handwash backup verify), one per backup verified.
	Verifications []BackupVerification `json:"verifications,omitempty"`
}

// BackupVerification is the outcome of verifying one backup from this
// device: its age, a test restore, its own integrity check and whether
// this device could delete it.
type BackupVerification struct {
	// Kind is restic, borg, folder or s3.
	Kind string `json:"kind"`
	// Location names the backup, without secrets.
	Location string `json:"location"`
	// VerifiedAt is when the verification finished.
	VerifiedAt time.Time `json:"verified_at"`
	// NewestBackup is when the newest backup in it was taken.
	NewestBackup *time.Time `json:"newest_backup,omitempty"`
	// RestoreOK says whether a sample of files was restored and came back
	// whole; nil when no test restore ran. FilesRestored counts them.
	RestoreOK     *bool `json:"restore_ok,omitempty"`
	FilesRestored int   `json:"files_restored"`
	// IntegrityOK is the backup's own integrity check; nil when it has
	// none or it did not run.
	IntegrityOK *bool `json:"integrity_ok,omitempty"`
	// CanDelete says whether this device could delete or overwrite the
	// backups, as ransomware running here could; nil when not known.
	CanDelete *bool `json:"can_delete,omitempty"`
	// Problem is what stopped the verification (a wrong password, a
	// missing repository), in plain English; empty when it ran.
	Problem string `json:"problem,omitempty"`
}

// BackupTool is one backup tool and what it says of its last run.
type BackupTool struct {
	// Name is the backup tool's name.
	Name string `json:"name"`
	// Configured says whether it has a destination set up.
	Configured *bool `json:"configured,omitempty"`
	// Automatic says whether it runs on a schedule.
	Automatic *bool `json:"automatic,omitempty"`
	// LastSuccess is when a backup last completed.
	LastSuccess *time.Time `json:"last_success,omitempty"`
	// LastAttempt is when a backup was last tried, whether or not it worked.
	LastAttempt *time.Time `json:"last_attempt,omitempty"`
	// Destination is where the tool writes.
	Destination *BackupDest `json:"destination,omitempty"`
	// Detail holds what the tool says, in its words.
	Detail string `json:"detail,omitempty"`
}

// BackupDest is where a backup tool writes.
type BackupDest struct {
	// Kind is same_disk, internal_disk, removable_disk, network_share, cloud or unknown.
	Kind string `json:"kind"`
	// Location is a path, share or service name, with any credentials removed.
	Location string `json:"location,omitempty"`
	// AlwaysConnected says whether the destination stays attached and writable.
	AlwaysConnected *bool `json:"always_connected,omitempty"`
	// Encrypted says whether the backup is encrypted.
	Encrypted *bool `json:"encrypted,omitempty"`
}

// Backup destination kinds.
const (
	DestSameDisk      = "same_disk"
	DestInternalDisk  = "internal_disk"
	DestRemovableDisk = "removable_disk"
	DestNetworkShare  = "network_share"
	DestCloud         = "cloud"
	DestUnknown       = "unknown"
)

// SoftwareFacts is the installed software inventory.
type SoftwareFacts struct {
	// Items lists the installed programs and packages.
	Items []SoftwareItem `json:"items"`
}

// SoftwareItem is one installed program or package.
type SoftwareItem struct {
	// Name is the program or package name.
	Name string `json:"name"`
	// Version is the installed version, as the source reports it.
	Version string `json:"version,omitempty"`
	// Publisher is who made it, where the source says.
	Publisher string `json:"publisher,omitempty"`
	// Source is where the inventory came from: dpkg, rpm, flatpak, snap,
	// registry, msix, app, homebrew.
	Source string `json:"source"`
	// Arch is the architecture the package is built for.
	Arch string `json:"arch,omitempty"`
	// SourcePackage is the source package a Linux binary package was built
	// from, where dpkg records one (its Source field): Debian's and
	// Ubuntu's security advisories are written per source package.
	SourcePackage string `json:"source_package,omitempty"`
	// SourceVersion is the source package's version, where it differs from
	// the binary package's (a rebuild such as 5.2.15-2+b8 of 5.2.15-2).
	SourceVersion string `json:"source_version,omitempty"`
}

// Collection says how the Facts were gathered.
type Collection struct {
	// Version is the version of Handwash that collected them.
	Version string `json:"version,omitempty"`
	// DurationMS is how long collection took, in milliseconds.
	DurationMS int64 `json:"duration_ms"`
	// Elevated says whether the collector ran as administrator or root.
	Elevated bool `json:"elevated"`
	// Collectors lists each collector that ran.
	Collectors []CollectorRun `json:"collectors,omitzero"`
	// Missing says, for each fact that could not be observed, why.
	Missing []Missing `json:"missing,omitzero"`
}

// CollectorRun records one collector's run.
type CollectorRun struct {
	// Name is the collector's name.
	Name string `json:"name"`
	// DurationMS is how long it ran, in milliseconds.
	DurationMS int64 `json:"duration_ms"`
	// Error is what went wrong, if the collector failed.
	Error string `json:"error,omitempty"`
}

// Missing records one fact that could not be observed.
type Missing struct {
	// Fact is the dotted path of the fact, e.g. "firewall" or
	// "password_policy.lockout_threshold".
	Fact string `json:"fact"`
	// Reason is why: needs_admin, not_installed, timed_out, not_supported, error or
	// not_collected.
	Reason string `json:"reason"`
	// Detail says more, in the collector's words.
	Detail string `json:"detail,omitempty"`
}

// Reasons a fact can be missing.
const (
	ReasonNeedsAdmin   = "needs_admin"   // run as administrator or root to see it
	ReasonNotInstalled = "not_installed" // the tool that holds it is not installed
	ReasonTimedOut     = "timed_out"
	ReasonNotSupported = "not_supported" // this platform or version does not expose it
	ReasonError        = "error"         // the source gave an error or output we could not read
	ReasonNotCollected = "not_collected" // no collector for it ran (or the Facts file left it out)
)

// ReasonText explains a missing-fact reason in plain English.
func ReasonText(reason string) string {
	switch reason {
	case ReasonNeedsAdmin:
		return "needs administrator rights: run the check as an administrator (or with sudo) to see it"
	case ReasonNotInstalled:
		return "the tool that would tell is not installed"
	case ReasonTimedOut:
		return "the check took too long and was stopped"
	case ReasonNotSupported:
		return "this system does not expose it"
	case ReasonError:
		return "the system gave an error when asked"
	case ReasonNotCollected:
		return "it was not collected"
	}
	return reason
}

// AddMissing records that fact could not be observed.
func (f *Facts) AddMissing(fact, reason, detail string) {
	f.Collection.Missing = append(f.Collection.Missing, Missing{Fact: fact, Reason: reason, Detail: detail})
}

// MissingFor returns the record that best explains why path was not
// observed: the one for path itself or its nearest parent.
func (f *Facts) MissingFor(path string) (Missing, bool) {
	best, found := Missing{}, false
	for _, m := range f.Collection.Missing {
		if m.Fact == path || strings.HasPrefix(path, m.Fact+".") || strings.HasPrefix(path, m.Fact+"[") {
			if !found || len(m.Fact) > len(best.Fact) {
				best, found = m, true
			}
		}
	}
	return best, found
}

// Digest identifies what the Facts observed: the SHA-256 of their compact
// JSON with the moment and durations of collection zeroed, written
// "sha256:<hex>". Two collections that saw the same things have the same
// digest, so the server stores an unchanged snapshot once.
func (f *Facts) Digest() string {
	c := *f
	c.CollectedAt = time.Time{}
	c.Collection.DurationMS = 0
	if len(f.Collection.Collectors) > 0 {
		c.Collection.Collectors = make([]CollectorRun, len(f.Collection.Collectors))
		for i, r := range f.Collection.Collectors {
			r.DurationMS = 0
			c.Collection.Collectors[i] = r
		}
	}
	bp := digestBuffers.Get().(*[]byte)
	b := appendFactsJSON((*bp)[:0], &c)
	sum := sha256.Sum256(b)
	if cap(b) <= 4<<20 {
		*bp = b
		digestBuffers.Put(bp)
	}
	return "sha256:" + hex.EncodeToString(sum[:])
}

// digestBuffers keep the encodings Digest hashes: one is as large as the
// Facts.
var digestBuffers = sync.Pool{New: func() any { return new([]byte) }}
