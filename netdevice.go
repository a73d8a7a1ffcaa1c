package handwash

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Kinds of network device in the register.
var NetworkKinds = []string{"router", "firewall", "wifi", "switch", "nas", "printer", "camera", "other"}

// NetworkDevice is a router, NAS box, printer, camera or other device on
// the organisation's network that no agent can run on: kept in a register
// by hand, with whether its default password was changed (DSPT 9.1.1) and
// until when its maker supports its firmware (Cyber Essentials counts
// router and firewall firmware as software that must be supported).
type NetworkDevice struct {
	ID       string `json:"id"`
	OrgID    string `json:"org_id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Model    string `json:"model,omitempty"`
	Location string `json:"location,omitempty"`
	// DefaultPasswordChanged is nil when nobody knows.
	DefaultPasswordChanged *bool  `json:"default_password_changed,omitempty"`
	Firmware               string `json:"firmware,omitempty"`
	// SupportEnds is when the maker stops fixing its firmware, if known.
	SupportEnds *time.Time `json:"support_ends,omitempty"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// NetworkDeviceService keeps the register of network devices.
type NetworkDeviceService interface {
	// PutNetworkDevice adds a device, or updates the one with its ID.
	PutNetworkDevice(ctx context.Context, scope Scope, d *NetworkDevice) error
	NetworkDevices(ctx context.Context, scope Scope, orgID string) ([]*NetworkDevice, error)
	DeleteNetworkDevice(ctx context.Context, scope Scope, id string) error
}

// Validate checks a register entry; the message names the field.
func (d *NetworkDevice) Validate() error {
	d.Name, d.Model, d.Location, d.Firmware = strings.TrimSpace(d.Name), strings.TrimSpace(d.Model), strings.TrimSpace(d.Location), strings.TrimSpace(d.Firmware)
	known := false
	for _, k := range NetworkKinds {
		known = known || d.Kind == k
	}
	switch {
	case !known:
		return Errorf(EINVALID, "kind: choose what the device is: %s", strings.Join(NetworkKinds, ", "))
	case d.Name == "" || len(d.Name) > 100:
		return Errorf(EINVALID, "name: give the device a name of up to 100 characters, such as “Office router”")
	case len(d.Model) > 100 || len(d.Location) > 100 || len(d.Firmware) > 100:
		return Errorf(EINVALID, "model: keep the model, location and firmware to 100 characters each")
	}
	return nil
}

// NetworkDeviceFindings judges the register: default passwords changed
// and firmware still supported, each naming the devices that fail.
func NetworkDeviceFindings(ds []*NetworkDevice, now time.Time) []Finding {
	pw := Finding{ControlID: "devices.network-default-passwords", Area: AreaDevices, Severity: SeverityHigh,
		Title: "Network devices' default passwords changed"}
	fw := Finding{ControlID: "devices.network-firmware-supported", Area: AreaDevices, Severity: SeverityHigh,
		Title: "Network devices' firmware still supported"}
	var noPW, unknownPW, ended, unknownFW []string
	for _, d := range ds {
		label := d.Name
		if d.Model != "" {
			label += " (" + d.Model + ")"
		}
		switch {
		case d.DefaultPasswordChanged == nil:
			unknownPW = append(unknownPW, label)
		case !*d.DefaultPasswordChanged:
			noPW = append(noPW, label)
		}
		switch {
		case d.SupportEnds == nil:
			unknownFW = append(unknownFW, label)
		case now.After(*d.SupportEnds):
			ended = append(ended, fmt.Sprintf("%s, since %s", label, d.SupportEnds.Format("2 January 2006")))
		}
	}
	judge(&pw, len(ds), noPW, unknownPW, "still use the password they came with", "nobody has recorded whether the default password was changed")
	judge(&fw, len(ds), ended, unknownFW, "no longer get firmware fixes from their maker", "have no support end date recorded")
	if pw.Status != StatusPass && pw.Status != StatusNotApplicable {
		pw.Why = "A router, NAS box, printer or camera that still has its maker's password can be taken over by anyone who looks the password up, often from the internet. Attackers use such devices to get into the network, read files on the NAS or watch cameras. The DSPT (9.1.1) asks that networking components' default passwords are changed; Cyber Essentials asks the same of every device."
		pw.Fix = "Sign in to each device's settings page (its address is usually on a label, such as 192.168.1.1), change the administrator password to three random words, and keep it in a password manager. Turn off remote administration from the internet unless you need it. Then mark the device as changed here."
	}
	if fw.Status != StatusPass && fw.Status != StatusNotApplicable {
		fw.Why = "Firmware is the software inside a router or NAS. Once its maker stops fixing it, known flaws stay open for good, and attackers scan the internet for them. Cyber Essentials counts router and firewall firmware as software that must be supported and updated."
		fw.Fix = "Look up the model on the maker's website for its end-of-support or end-of-life date and record it here. Replace devices past that date, starting with the router and anything reachable from the internet, and switch on automatic firmware updates where the device offers them."
	}
	return []Finding{pw, fw}
}

// judge sets a register finding's status and summary from the devices
// that fail and those nobody knows about.
func judge(f *Finding, total int, failing, unknown []string, failWords, unknownWords string) {
	switch {
	case total == 0:
		f.Status, f.Summary = StatusNotApplicable, "No network devices are in the register yet."
	case len(failing) > 0:
		f.Status, f.Summary = StatusFail, fmt.Sprintf("%d of %d %s: %s.", len(failing), total, failWords, strings.Join(failing, "; "))
	case len(unknown) > 0:
		f.Status, f.Summary = StatusUnknown, fmt.Sprintf("%d of %d %s: %s.", len(unknown), total, unknownWords, strings.Join(unknown, "; "))
	default:
		f.Status, f.Summary = StatusPass, fmt.Sprintf("All %d devices in the register pass.", total)
	}
}
