package collect

import (
	"context"
	"errors"
	"io/fs"
	"strings"

	"github.com/handwash/handwash"
)

// Firewall settings live in two stores: the local one the Windows Security
// app writes, and Group Policy's. Reading them needs no administrator
// rights.
const (
	keyFirewallLocal  = `HKLM\SYSTEM\CurrentControlSet\Services\SharedAccess\Parameters\FirewallPolicy`
	keyFirewallPolicy = `HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall`
	keyFirewallSvc    = `HKLM\SYSTEM\CurrentControlSet\Services\mpssvc`
)

// winFirewallProfiles names the three profiles: the local store calls the
// private profile StandardProfile, Group Policy calls it PrivateProfile.
var winFirewallProfiles = []struct{ name, local, policy string }{
	{"domain", "DomainProfile", "DomainProfile"},
	{"private", "StandardProfile", "PrivateProfile"},
	{"public", "PublicProfile", "PublicProfile"},
}

// wqlFirewallProducts lists third-party firewalls registered with Security
// Center (client editions only).
const wqlFirewallProducts = "SELECT displayName, productState FROM FirewallProduct"

type wmiSecurityProduct struct {
	DisplayName              string `json:"displayName"`
	ProductState             uint32 `json:"productState"`
	PathToSignedProductExe   string `json:"pathToSignedProductExe"`
	PathToSignedReportingExe string `json:"pathToSignedReportingExe"`
}

func collectWinFirewall(_ context.Context, _ Host, src winSource, f *handwash.Facts) error {
	reg := regRead{src}
	fw := &handwash.FirewallFacts{Product: "Windows Defender Firewall", Profiles: []handwash.FirewallProfile{}}

	// With its service disabled, or not installed at all, the firewall
	// filters nothing, whatever the profiles say: their defaults would
	// otherwise read as "on".
	svc, err := src.RegValues(keyFirewallSvc)
	svcOff := errors.Is(err, fs.ErrNotExist)
	if err != nil && !svcOff {
		return err
	}
	if start, ok := svc.num("Start"); ok && start == 4 {
		svcOff = true
	}
	for _, p := range winFirewallProfiles {
		local, err := reg.values(keyFirewallLocal + `\` + p.local)
		if err != nil {
			return err
		}
		policy, err := reg.values(keyFirewallPolicy + `\` + p.policy)
		if err != nil {
			return err
		}
		prof := mergeFirewallProfile(p.name, local, policy)
		if svcOff {
			prof.Enabled = boolPtr(false)
		}
		fw.Profiles = append(fw.Profiles, prof)
	}

	var products []wmiSecurityProduct
	err = src.WMI(`root\SecurityCenter2`, wqlFirewallProducts, &products)
	switch {
	case err == nil:
		if p, ok := activeThirdParty(products); ok {
			// Another firewall has taken over: Windows Firewall's profiles
			// are usually off because of it, so they would mislead.
			// Security Center says only that the product is on.
			fw.Product = p.DisplayName
			fw.Profiles = []handwash.FirewallProfile{{Name: "default", Enabled: boolPtr(true)}}
		}
	case errors.Is(err, errWMINotAvailable):
		// Windows Server has no Security Center; nothing to add.
	default:
		f.AddMissing("firewall.product", reasonFor(err), "Security Center: "+err.Error())
	}
	f.Firewall = fw
	return nil
}

// mergeFirewallProfile applies the [MS-FASP] merge law: a setting Group
// Policy configures wins over the local one; a setting neither configures
// takes the Windows default, which is firewall on and inbound blocked.
func mergeFirewallProfile(name string, local, policy regValues) handwash.FirewallProfile {
	pick := func(value string) (uint64, bool) {
		if n, ok := policy.num(value); ok {
			return n, true
		}
		return local.num(value)
	}
	p := handwash.FirewallProfile{Name: name, Enabled: boolPtr(true), DefaultInbound: "block"}
	if n, ok := pick("EnableFirewall"); ok {
		p.Enabled = boolPtr(n != 0)
	}
	// DefaultInboundAction: 1 block, 0 allow.
	if n, ok := pick("DefaultInboundAction"); ok && n == 0 {
		p.DefaultInbound = "allow"
	}
	return p
}

// activeThirdParty returns a registered product other than Windows' own
// that Security Center says is on.
func activeThirdParty(ps []wmiSecurityProduct) (wmiSecurityProduct, bool) {
	for _, p := range ps {
		if isMicrosoftDefender(p) {
			continue
		}
		if st := decodeProductState(p.ProductState); st.enabled {
			return p, true
		}
	}
	return wmiSecurityProduct{}, false
}

// isMicrosoftDefender recognises Windows' own entry in Security Center.
func isMicrosoftDefender(p wmiSecurityProduct) bool {
	return strings.EqualFold(p.PathToSignedProductExe, "windowsdefender://") ||
		strings.Contains(strings.ToLower(p.DisplayName), "windows defender") ||
		strings.Contains(strings.ToLower(p.DisplayName), "microsoft defender")
}

// productState is Security Center's undocumented productState, decoded as
// the community does (neophob.com, 2010; Stack Overflow 4700897): bits
// 16–23 say which kind of provider, bit 12 whether it is on, bit 4 whether
// its definitions are out of date.
type productState struct {
	provider  uint32
	enabled   bool
	outOfDate bool
}

func decodeProductState(s uint32) productState {
	return productState{
		provider:  (s >> 16) & 0xFF,
		enabled:   s&0x1000 != 0,
		outOfDate: s&0x10 != 0,
	}
}
