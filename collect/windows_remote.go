package collect

import (
	"context"
	"strconv"
	"strings"

	"github.com/handwash/handwash"
)

// Remote Desktop settings: the local ones and their Group Policy overrides,
// all readable without administrator rights.
const (
	keyTerminalServer = `HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server`
	keyRDPTcp         = `HKLM\SYSTEM\CurrentControlSet\Control\Terminal Server\WinStations\RDP-Tcp`
	keyRDPPolicy      = `HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services`
	defaultRDPPort    = 3389
)

// wqlService asks for one service's state (no administrator rights).
func wqlService(name string) string {
	return "SELECT Name, State, StartMode FROM Win32_Service WHERE Name='" + name + "'"
}

type wmiService struct {
	Name      string
	State     string // Running, Stopped, ...
	StartMode string // Auto, Manual, Disabled
}

func collectWinRemoteAccess(_ context.Context, _ Host, src winSource, f *handwash.Facts) error {
	reg := regRead{src}
	cv, err := reg.values(keyCurrentVersion)
	if err != nil {
		return err
	}
	ts, err := reg.values(keyTerminalServer)
	if err != nil {
		return err
	}
	tcp, _ := reg.values(keyRDPTcp)
	pol, _ := reg.values(keyRDPPolicy)
	edition, _ := cv.str("EditionID")
	ra := &handwash.RemoteAccessFacts{RDP: winRDP(edition, ts, tcp, pol)}
	if ra.RDP.Enabled != nil && *ra.RDP.Enabled && ra.RDP.NLA == nil {
		f.AddMissing("remote_access.rdp.nla", handwash.ReasonError, "UserAuthentication is not set for RDP-Tcp")
	}

	var svc []wmiService
	if err := src.WMI(`root\cimv2`, wqlService("sshd"), &svc); err == nil {
		// No sshd service means OpenSSH Server is not installed.
		ra.SSH = &handwash.SSHFacts{Enabled: boolPtr(len(svc) > 0 && svc[0].State == "Running")}
	} else {
		f.AddMissing("remote_access.ssh", reasonFor(err), err.Error())
	}
	f.RemoteAccess = ra
	return nil
}

// winRDP reads Remote Desktop's settings, Group Policy over local. Home
// editions (EditionID Core…) have no Remote Desktop host at all. Network
// Level Authentication needs UserAuthentication 1 and a security layer
// other than 0 (the old RDP layer, with which NLA cannot run).
func winRDP(edition string, ts, tcp, pol regValues) *handwash.RDPFacts {
	if strings.HasPrefix(strings.ToLower(edition), "core") {
		return &handwash.RDPFacts{Enabled: boolPtr(false)}
	}
	pick := func(name string, local regValues) (uint64, bool) {
		if n, ok := pol.num(name); ok {
			return n, true
		}
		return local.num(name)
	}
	r := &handwash.RDPFacts{}
	// fDenyTSConnections absent: Remote Desktop is off until someone turns
	// it on.
	deny, ok := pick("fDenyTSConnections", ts)
	r.Enabled = boolPtr(ok && deny == 0)
	if ua, ok := pick("UserAuthentication", tcp); ok {
		layer, hasLayer := pick("SecurityLayer", tcp)
		r.NLA = boolPtr(ua == 1 && (!hasLayer || layer != 0))
	}
	port := defaultRDPPort
	if n, ok := tcp.num("PortNumber"); ok && n > 0 && n < 65536 {
		port = int(n)
	}
	r.Port = intPtr(port)
	return r
}

// SMB: the protocol switches are registry values and optional features,
// readable by anyone; the server's own configuration class wants an
// administrator.
const (
	keyLanmanServer      = `HKLM\SYSTEM\CurrentControlSet\Services\LanmanServer\Parameters`
	keySMB1ServerDriver  = `HKLM\SYSTEM\CurrentControlSet\Services\srv`
	keySMB1ClientDriver  = `HKLM\SYSTEM\CurrentControlSet\Services\mrxsmb10`
	wqlSMB1Features      = "SELECT Name, InstallState FROM Win32_OptionalFeature WHERE Name LIKE 'SMB1Protocol%'"
	nsSMB                = `root\Microsoft\Windows\SMB`
	wqlSMBServerConfig   = "SELECT EnableSMB1Protocol, RequireSecuritySignature FROM MSFT_SmbServerConfiguration"
	buildSigningRequired = 26100 // Windows 11 24H2 changed the signing defaults
)

type wmiOptionalFeature struct {
	Name string
	// InstallState is 1 enabled, 2 disabled, 3 absent.
	InstallState uint32
}

type wmiSMBServerConfig struct {
	EnableSMB1Protocol       *bool
	RequireSecuritySignature *bool
}

func collectWinSMB(_ context.Context, h Host, src winSource, f *handwash.Facts) error {
	reg := regRead{src}
	s := &handwash.SMBFacts{}
	params, err := reg.values(keyLanmanServer)
	if err != nil {
		return err
	}
	var svc []wmiService
	if err := src.WMI(`root\cimv2`, wqlService("LanmanServer"), &svc); err == nil {
		s.ServerEnabled = boolPtr(len(svc) > 0 && svc[0].State == "Running")
	} else {
		f.AddMissing("smb.server_enabled", reasonFor(err), err.Error())
	}

	var feats []wmiOptionalFeature
	featErr := src.WMI(`root\cimv2`, wqlSMB1Features, &feats)
	state := map[string]uint32{}
	for _, ft := range feats {
		state[strings.ToLower(ft.Name)] = ft.InstallState
	}
	srv, srvErr := reg.values(keySMB1ServerDriver)
	srvExists, _ := reg.exists(keySMB1ServerDriver)
	cli, _ := reg.values(keySMB1ClientDriver)
	cliExists, cliErr := reg.exists(keySMB1ClientDriver)

	// The server side: the feature must be installed (or, if the features
	// cannot be listed, the SMBv1 server driver present and not disabled),
	// and the SMB1 parameter not 0 (absent means on).
	serverInstalled, known := smb1Installed(state, featErr == nil, "smb1protocol-server", srvExists, srv)
	if known && srvErr == nil {
		v1 := serverInstalled
		if n, ok := params.num("SMB1"); ok && n == 0 {
			v1 = false
		}
		s.V1Server = boolPtr(v1)
	}
	clientInstalled, known := smb1Installed(state, featErr == nil, "smb1protocol-client", cliExists, cli)
	if known && cliErr == nil {
		s.V1Client = boolPtr(clientInstalled)
	}

	build := 0
	if cv, err := reg.values(keyCurrentVersion); err == nil {
		b, _ := cv.str("CurrentBuild")
		build, _ = strconv.Atoi(b)
	}
	if n, ok := params.num("RequireSecuritySignature"); ok {
		s.SigningRequired = boolPtr(n == 1)
	} else if build > 0 && build < buildSigningRequired {
		// Before 24H2 a server that is not a domain controller does not
		// require signing unless told to.
		s.SigningRequired = boolPtr(false)
	}

	if h.Elevated() {
		var cfg []wmiSMBServerConfig
		if err := src.WMI(nsSMB, wqlSMBServerConfig, &cfg); err == nil && len(cfg) > 0 {
			// The server's own answer beats reading its settings; an
			// uninstalled feature stays off whatever it says.
			if e := cfg[0].EnableSMB1Protocol; e != nil {
				s.V1Server = boolPtr(*e && (s.V1Server == nil || serverInstalled))
			}
			if cfg[0].RequireSecuritySignature != nil {
				s.SigningRequired = cfg[0].RequireSecuritySignature
			}
		}
	}
	if s.V1Server == nil {
		f.AddMissing("smb.v1_server", handwash.ReasonError, "neither the optional features nor the SMBv1 server driver could be read")
	}
	if s.V1Client == nil {
		f.AddMissing("smb.v1_client", handwash.ReasonError, "neither the optional features nor the SMBv1 client driver could be read")
	}
	if s.SigningRequired == nil {
		f.AddMissing("smb.signing_required", handwash.ReasonNeedsAdmin, "RequireSecuritySignature is not set, and since Windows 11 24H2 the default depends on the edition: the SMB server configuration needs an administrator")
	}
	f.SMB = s
	return nil
}

// smb1Installed says whether one side of SMBv1 is installed: from the
// optional feature when Windows lists it (SMB1Protocol-Server/-Client
// since 1709, SMB1Protocol alone before), else from its driver's service
// key (absent when the feature is removed; Start 4 when disabled).
func smb1Installed(state map[string]uint32, listed bool, feature string, driverExists bool, driver regValues) (installed, known bool) {
	if listed {
		if st, ok := state[feature]; ok {
			return st == 1, true
		}
		if st, ok := state["smb1protocol"]; ok {
			return st == 1, true
		}
		if len(state) == 0 {
			return false, true // no SMB1 feature at all: not installed
		}
	}
	if !driverExists {
		return false, true
	}
	start, ok := driver.num("Start")
	return !ok || start != 4, true
}
