package collect

import (
	"context"
	"sort"
	"strings"

	"github.com/handwash/handwash"
)

// linuxSoftware fills the installed software: the distribution's packages
// (dpkg's status file, or rpm -qa), Flatpak apps and snaps.
func linuxSoftware(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	db := s.packages(ctx, h)
	items := []handwash.SoftwareItem{}
	switch {
	case db.Err != nil && db.Manager == "":
		f.AddMissing("software", handwash.ReasonNotSupported, db.Err.Error())
		return nil
	case db.Err != nil:
		f.AddMissing("software", handwash.ReasonError, db.Manager+": "+db.Err.Error())
		return nil
	}
	for _, p := range db.Pkgs {
		items = append(items, p.item(db.Manager))
	}
	if _, err := h.LookPath("flatpak"); err == nil {
		out, err := h.Run(ctx, "flatpak", "list", "--app", "--columns=application,version,origin,installation")
		if err == nil && out.ExitCode == 0 {
			items = append(items, parseFlatpakList(out.Stdout)...)
		} else {
			f.AddMissing("software.items", handwash.ReasonError, "flatpak list failed")
		}
	}
	if _, err := h.LookPath("snap"); err == nil {
		out, err := h.Run(ctx, "snap", "list")
		switch {
		case err == nil && out.ExitCode == 0:
			items = append(items, parseSnapList(out.Stdout)...)
		case err == nil && strings.Contains(string(out.Stderr), "No snaps"):
		default:
			f.AddMissing("software.items", handwash.ReasonError, "snap list failed")
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		if items[i].Source != items[j].Source {
			return items[i].Source < items[j].Source
		}
		if items[i].Name != items[j].Name {
			return items[i].Name < items[j].Name
		}
		return items[i].Arch < items[j].Arch
	})
	f.Software = &handwash.SoftwareFacts{Items: items}
	return nil
}

// parseFlatpakList reads flatpak list --app
// --columns=application,version,origin,installation (tab separated).
func parseFlatpakList(b []byte) []handwash.SoftwareItem {
	var items []handwash.SoftwareItem
	for _, line := range linuxLines(b) {
		f := strings.Split(line, "\t")
		if len(f) < 1 || strings.TrimSpace(f[0]) == "" || strings.HasPrefix(f[0], "Application") {
			continue
		}
		it := handwash.SoftwareItem{Name: strings.TrimSpace(f[0]), Source: "flatpak"}
		if len(f) > 1 {
			it.Version = strings.TrimSpace(f[1])
		}
		items = append(items, it)
	}
	return items
}

// parseSnapList reads snap list: a header line (Name Version Rev Tracking
// Publisher Notes), then columns separated by spaces. Verified publishers
// carry a mark (✓ or **) that is dropped.
func parseSnapList(b []byte) []handwash.SoftwareItem {
	var items []handwash.SoftwareItem
	for i, line := range linuxLines(b) {
		f := strings.Fields(line)
		if i == 0 || len(f) < 2 {
			continue
		}
		it := handwash.SoftwareItem{Name: f[0], Version: f[1], Source: "snap"}
		if len(f) > 4 && f[4] != "-" {
			it.Publisher = strings.TrimRight(f[4], "✓*")
		}
		items = append(items, it)
	}
	return items
}
