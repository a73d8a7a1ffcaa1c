package collect

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"github.com/handwash/handwash"
)

// linuxEncryption fills disk encryption from lsblk's device tree: a
// filesystem is encrypted when a device-mapper crypt device lies under it
// (LUKS, or plain dm-crypt). The method comes from /sys/block/dm-*/dm/uuid,
// which needs no root.
func linuxEncryption(ctx context.Context, h Host, f *handwash.Facts, _ *linuxState) error {
	out, err := h.Run(ctx, "lsblk", "-J", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINT,RM")
	if err == ErrNotFound {
		f.AddMissing("encryption", handwash.ReasonNotInstalled, "lsblk not found")
		return nil
	}
	if err != nil {
		return err
	}
	if out.ExitCode != 0 {
		f.AddMissing("encryption", handwash.ReasonError, "lsblk: "+linuxFirstLine(out.Stderr))
		return nil
	}
	vols, err := parseLsblk(out.Stdout, linuxDMCrypt(h))
	if err != nil {
		f.AddMissing("encryption", handwash.ReasonError, "lsblk: "+err.Error())
		return nil
	}
	system := false
	for _, v := range vols {
		system = system || v.Role == handwash.RoleSystem
	}
	if !system {
		// In a container on overlayfs, / is on no block device of its own.
		f.AddMissing("encryption.volumes", handwash.ReasonNotSupported, "the root filesystem is not on a block device lsblk shows")
	}
	f.Encryption = &handwash.EncryptionFacts{Volumes: vols}
	return nil
}

// linuxDMCrypt maps device-mapper names (vg-root, nvme0n1p3_crypt) to the
// encryption of crypt targets, from /sys/block/dm-*/dm/{name,uuid}: a uuid
// starting CRYPT-LUKS2- is LUKS2, CRYPT-PLAIN- plain dm-crypt.
func linuxDMCrypt(h Host) map[string]string {
	m := map[string]string{}
	devs, _ := h.ReadDir("/sys/block")
	for _, d := range devs {
		if !strings.HasPrefix(d, "dm-") {
			continue
		}
		name := strings.TrimSpace(linuxRead(h, "/sys/block/"+d+"/dm/name"))
		uuid := strings.TrimSpace(linuxRead(h, "/sys/block/"+d+"/dm/uuid"))
		if name == "" || !strings.HasPrefix(uuid, "CRYPT-") {
			continue
		}
		kind, _, _ := strings.Cut(strings.TrimPrefix(uuid, "CRYPT-"), "-")
		switch kind {
		case "LUKS1", "LUKS2":
			m[name] = kind
		case "PLAIN":
			m[name] = "dm-crypt (plain)"
		default:
			m[name] = "dm-crypt (" + kind + ")"
		}
	}
	return m
}

// lsblkDevice is one node of lsblk -J.
type lsblkDevice struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	FSType     *string         `json:"fstype"`
	Mountpoint *string         `json:"mountpoint"`
	RM         json.RawMessage `json:"rm"` // true/false, or "0"/"1" before util-linux 2.33
	Children   []lsblkDevice   `json:"children"`
}

// parseLsblk turns lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT,RM into volumes:
// one per mounted filesystem, except /boot and the EFI partition, which
// hold no data and stay readable so the machine can start. crypt maps
// device-mapper names to their method (from sysfs).
func parseLsblk(b []byte, crypt map[string]string) ([]handwash.Volume, error) {
	var doc struct {
		Blockdevices []lsblkDevice `json:"blockdevices"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	vols := []handwash.Volume{}
	seen := map[string]bool{}
	var walk func(d lsblkDevice, method string, removable bool)
	walk = func(d lsblkDevice, method string, removable bool) {
		rm := strings.Trim(string(d.RM), `"`)
		removable = removable || rm == "true" || rm == "1"
		if d.Type == "crypt" {
			// Everything above a crypt device is stored encrypted. The LUKS
			// partition under it (fstype crypto_LUKS) is not itself readable.
			method = crypt[d.Name]
			if method == "" {
				method = "dm-crypt"
			}
		}
		if d.Mountpoint != nil && strings.HasPrefix(*d.Mountpoint, "/") && !seen[*d.Mountpoint] {
			mp := *d.Mountpoint
			if mp != "/boot" && mp != "/boot/efi" && mp != "/efi" && d.Type != "loop" && d.Type != "rom" {
				seen[mp] = true
				v := handwash.Volume{Name: mp, Role: handwash.RoleData, Encrypted: boolPtr(method != ""), Method: method}
				switch {
				case mp == "/":
					v.Role = handwash.RoleSystem
				case removable:
					v.Role = handwash.RoleRemovable
				}
				v.Detail = "device " + d.Name
				vols = append(vols, v)
			}
		}
		for _, c := range d.Children {
			walk(c, method, removable)
		}
	}
	for _, d := range doc.Blockdevices {
		walk(d, "", false)
	}
	sort.SliceStable(vols, func(i, j int) bool {
		if (vols[i].Role == handwash.RoleSystem) != (vols[j].Role == handwash.RoleSystem) {
			return vols[i].Role == handwash.RoleSystem
		}
		return vols[i].Name < vols[j].Name
	})
	return vols, nil
}
