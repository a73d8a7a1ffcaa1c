package mdmimport

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/handwash/handwash"
	"github.com/handwash/handwash/internal/csvtable"
)

// The limits of one import. A care provider has tens or hundreds of
// devices; the limits stop a wrong or hostile file from using up the
// server's memory.
const (
	MaxBytes = 20 << 20 // 20 MiB
	MaxRows  = 50_000
)

var limits = csvtable.Limits{MaxBytes: MaxBytes, MaxRows: MaxRows}

// A layout is one kind of export Parse reads.
type layout struct {
	source string
	name   string // as people read it
	detect func(t *csvtable.Table) bool
	expect string // its main columns, for the unknown-layout error
	cols   layoutCols
}

// layoutCols names, for one layout, the columns of each field in the
// export's words (compared as csvtable.Key does: case, spaces and
// punctuation do not matter). The first name found is used.
type layoutCols struct {
	id, serial, name, owner, model, modelID, maker, os, version, lastSeen,
	passcode, encrypted, managed, managedBy, mgmtType, status, deviceType []string
}

// The layouts, in the order they are tried: the first whose detect
// matches is used.
var layouts = []layout{
	{
		source: handwash.MobileIntune, name: "Microsoft Intune device export",
		detect: func(t *csvtable.Table) bool {
			return t.Has("Device name", "DeviceName") && t.Has("Last check-in", "LastContact", "Managed by", "Primary user UPN", "Intune registered")
		},
		expect: "Device ID, Device name, OS, OS version, Last check-in, Managed by, Primary user UPN, Primary user display name, Serial number, Manufacturer, Model, Encrypted",
		cols: layoutCols{
			id:        []string{"Device ID", "Intune device ID"},
			serial:    []string{"Serial number"},
			name:      []string{"Device name"},
			owner:     []string{"Primary user display name", "Primary user UPN", "Primary user email address", "UPN", "User principal name"},
			model:     []string{"Model"},
			maker:     []string{"Manufacturer"},
			os:        []string{"OS", "Operating system", "Platform"},
			version:   []string{"OS version"},
			lastSeen:  []string{"Last check-in", "LastContact", "Last sync date time"},
			encrypted: []string{"Encrypted", "Is encrypted"},
			managedBy: []string{"Managed by", "Management agent", "ManagementAgent"},
		},
	},
	{
		source: handwash.MobileJamf, name: "Jamf Pro mobile device search",
		detect: func(t *csvtable.Table) bool {
			return t.Has("Last Inventory Update") || t.Has("UDID") && t.Has("iOS Version", "iPadOS Version")
		},
		expect: "Display Name, Serial Number, Model, iOS Version, Last Inventory Update, Passcode Status, Data Protection, Managed, Full Name or Username",
		cols: layoutCols{
			id:        []string{"JSS Mobile Device ID", "Jamf Pro Mobile Device ID", "Mobile Device ID", "Jamf Pro ID", "ID"},
			serial:    []string{"Serial Number", "UDID"},
			name:      []string{"Display Name", "Mobile Device Name", "Device Name", "Name"},
			owner:     []string{"Full Name", "Real Name", "Username", "User Name", "Email Address"},
			model:     []string{"Model"},
			modelID:   []string{"Model Identifier"},
			os:        []string{"Operating System", "Device Type"},
			version:   []string{"iOS Version", "iPadOS Version", "OS Version", "Operating System Version"},
			lastSeen:  []string{"Last Inventory Update"},
			passcode:  []string{"Passcode Status", "Passcode Present", "Passcode"},
			encrypted: []string{"Data Protection"},
			managed:   []string{"Managed"},
		},
	},
	{
		source: handwash.MobileGoogle, name: "Google endpoint management mobile devices download",
		detect: func(t *csvtable.Table) bool {
			return t.Has("Last Sync", "lastSync") && t.Has("OS", "Operating system")
		},
		expect: "Name, Email, Device ID, Serial Number, Model, OS, Type, Status, Last Sync, Management type, Password status, Encryption status",
		cols: layoutCols{
			id:         []string{"Device ID", "Resource ID"},
			serial:     []string{"Serial Number"},
			name:       []string{"Device name", "Device Name"},
			owner:      []string{"Name", "User name", "Email", "User email"},
			model:      []string{"Model"},
			maker:      []string{"Manufacturer", "Brand"},
			os:         []string{"OS", "Operating system"},
			version:    []string{"OS version", "Release version"},
			lastSeen:   []string{"Last Sync", "lastSync"},
			passcode:   []string{"Password status", "Device password status", "Passcode status"},
			encrypted:  []string{"Encryption status", "Encryption"},
			mgmtType:   []string{"Management type", "Management level"},
			status:     []string{"Status", "Device status"},
			deviceType: []string{"Type", "Device type"},
		},
	},
}

// Parse reads a device export of Microsoft Intune, Google endpoint
// management or Jamf Pro (see the package documentation for the layouts)
// and returns the source (handwash.MobileIntune, MobileGoogle or
// MobileJamf) and the organisation's phones and tablets: iOS, iPadOS and
// Android devices. Computers and other devices in the export are left
// out, as are Google devices already wiped. An Intune export may be given
// as the ZIP file Intune downloads, holding one CSV file.
//
// On any problem it returns no devices and a *handwash.Error whose message
// names the line and the column: EINVALID for a bad file, ETOOLARGE when
// it is over MaxBytes or MaxRows.
func Parse(r io.Reader, orgID string) (source string, devices []handwash.MobileDevice, err error) {
	data, err := csvtable.ReadAll(r, limits)
	if err != nil {
		return "", nil, err
	}
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		if data, err = unzip(data); err != nil {
			return "", nil, err
		}
	}
	t, err := csvtable.Parse(data, limits)
	if err != nil {
		return "", nil, err
	}
	var l *layout
	for i := range layouts {
		if layouts[i].detect(t) {
			l = &layouts[i]
			break
		}
	}
	if l == nil {
		return "", nil, unknownLayout(t)
	}
	if len(t.Rows) == 0 {
		return "", nil, handwash.Errorf(handwash.EINVALID, "the file has a header row but no devices: export the %s again", l.name)
	}
	devices, err = readDevices(t, l, orgID)
	if err != nil {
		return "", nil, err
	}
	return l.source, devices, nil
}

// unzip returns the one CSV file in a ZIP file, such as Intune's export.
func unzip(data []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "the file looks like a ZIP file but cannot be opened (%v): download the export again", err)
	}
	var csvs []*zip.File
	for _, f := range zr.File {
		base := path.Base(f.Name)
		if f.FileInfo().IsDir() || strings.HasPrefix(f.Name, "__MACOSX/") || strings.HasPrefix(base, ".") {
			continue
		}
		if strings.EqualFold(path.Ext(base), ".csv") {
			csvs = append(csvs, f)
		}
	}
	switch len(csvs) {
	case 0:
		return nil, handwash.Errorf(handwash.EINVALID, "the ZIP file holds no CSV file: export the devices again, or unzip the file and import the CSV file inside")
	case 1:
	default:
		return nil, handwash.Errorf(handwash.EINVALID, "the ZIP file holds %d CSV files: unzip it and import the devices file", len(csvs))
	}
	rc, err := csvs[0].Open()
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "the CSV file in the ZIP file cannot be read (%v): unzip it and import the CSV file", err)
	}
	defer rc.Close()
	out, err := io.ReadAll(io.LimitReader(rc, MaxBytes+1))
	if err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "the CSV file in the ZIP file cannot be read (%v): unzip it and import the CSV file", err)
	}
	if len(out) > MaxBytes {
		return nil, handwash.Errorf(handwash.ETOOLARGE, "the CSV file in the ZIP file is larger than %d MiB, the most Handwash reads", MaxBytes>>20)
	}
	return out, nil
}

func unknownLayout(t *csvtable.Table) error {
	var want []string
	for _, l := range layouts {
		want = append(want, fmt.Sprintf("%s (%s)", l.name, l.expect))
	}
	return handwash.Errorf(handwash.EINVALID, "the file's columns are not those of an export Handwash reads. Its first columns are %s. Handwash expects one of: %s", t.ColumnsFound(), strings.Join(want, "; "))
}

// cols holds the position of each column the file has, or -1.
type cols struct {
	id, serial, name, owner, model, modelID, maker, os, version, lastSeen,
	passcode, encrypted, managed, managedBy, mgmtType, status, deviceType int
}

func findCols(t *csvtable.Table, lc layoutCols) (c cols, err error) {
	for _, f := range []struct {
		dst   *int
		names []string
	}{
		{&c.id, lc.id}, {&c.serial, lc.serial}, {&c.name, lc.name}, {&c.owner, lc.owner},
		{&c.model, lc.model}, {&c.modelID, lc.modelID}, {&c.maker, lc.maker}, {&c.os, lc.os},
		{&c.version, lc.version}, {&c.lastSeen, lc.lastSeen}, {&c.passcode, lc.passcode},
		{&c.encrypted, lc.encrypted}, {&c.managed, lc.managed}, {&c.managedBy, lc.managedBy},
		{&c.mgmtType, lc.mgmtType}, {&c.status, lc.status}, {&c.deviceType, lc.deviceType},
	} {
		*f.dst = -1
		if len(f.names) == 0 {
			continue
		}
		if *f.dst, err = t.Col(f.names...); err != nil {
			return c, err
		}
	}
	return c, nil
}

func readDevices(t *csvtable.Table, l *layout, orgID string) ([]handwash.MobileDevice, error) {
	c, err := findCols(t, l.cols)
	if err != nil {
		return nil, err
	}
	if c.id < 0 && c.serial < 0 {
		return nil, handwash.Errorf(handwash.EINVALID, "the file has no %s column: Handwash needs one to recognise each device when the export is imported again", strings.Join(append(append([]string{}, l.cols.id...), l.cols.serial...), " or "))
	}
	if c.os < 0 && c.model < 0 && c.modelID < 0 && l.source != handwash.MobileJamf {
		return nil, handwash.Errorf(handwash.EINVALID, "the file has no OS column: Handwash needs it to tell phones and tablets from computers")
	}
	seen := map[string]int{} // lower-case external ID -> line
	var devices []handwash.MobileDevice
	for _, r := range t.Rows {
		d, keep, err := readDevice(t, l, c, r)
		if err != nil {
			return nil, err
		}
		if !keep {
			continue
		}
		k := strings.ToLower(d.ExternalID)
		if first, dup := seen[k]; dup {
			return nil, handwash.Errorf(handwash.EINVALID, "lines %d and %d: device %s appears twice: remove one and import again", first, r.Line, d.ExternalID)
		}
		seen[k] = r.Line
		d.OrgID = orgID
		d.Source = l.source
		devices = append(devices, d)
	}
	if len(devices) == 0 {
		hint := ""
		if l.source == handwash.MobileJamf {
			hint = " If this is a computer search, export a mobile device search instead."
		}
		which := fmt.Sprintf("none of the %d devices in the file is", len(t.Rows))
		if len(t.Rows) == 1 {
			which = "the one device in the file is not"
		}
		return nil, handwash.Errorf(handwash.EINVALID, "%s a phone or tablet (iOS, iPadOS or Android), so there is nothing to import.%s", which, hint)
	}
	return devices, nil
}

// readDevice reads one row; keep is false for a row that is not a phone or
// tablet in use.
func readDevice(t *csvtable.Table, l *layout, c cols, r csvtable.Row) (d handwash.MobileDevice, keep bool, err error) {
	f := func(i int) string {
		if i < 0 {
			return ""
		}
		return r.Fields[i]
	}

	// Which rows are phones and tablets.
	model, modelID := f(c.model), f(c.modelID)
	switch l.source {
	case handwash.MobileJamf:
		d.OS, keep = jamfOS(f(c.os), model, modelID)
	case handwash.MobileGoogle:
		if s := words(f(c.status)); strings.Contains(s, "wipe") || strings.Contains(s, "wiping") {
			return d, false, nil // wiped: no longer holds the organisation's data
		}
		d.OS, keep = osFamily(f(c.os), model)
		if !keep {
			// Google Sync devices may say only their type.
			d.OS, keep = osFamily(f(c.deviceType), model)
		}
	default:
		d.OS, keep = osFamily(f(c.os), model)
	}
	if !keep {
		return d, false, nil
	}

	d.ExternalID = csvtable.CleanText(f(c.id))
	if d.ExternalID == "" {
		d.ExternalID = csvtable.CleanText(f(c.serial))
	}
	if d.ExternalID == "" {
		col := c.id
		if col < 0 {
			col = c.serial
		}
		return d, false, t.EmptyValue(r, col, "Handwash needs the device's ID or serial number to recognise it when the export is imported again")
	}
	d.Name = csvtable.CleanText(f(c.name))
	d.Owner = csvtable.CleanText(f(c.owner))
	if d.Owner == "" && l.source == handwash.MobileGoogle {
		d.Owner = csvtable.CleanText(f(findFallback(t, "Email")))
	}
	d.Model = modelName(f(c.maker), model)
	if d.Model == "" {
		d.Model = csvtable.CleanText(modelID)
	}

	if c.version >= 0 && f(c.version) != "" {
		v, ok := version(f(c.version))
		if !ok {
			return d, false, t.BadValue(r, c.version, "a version number such as 17.4.1")
		}
		d.OSVersion = v
	} else {
		d.OSVersion = osVersionIn(f(c.os))
	}

	if c.lastSeen >= 0 {
		tm, ok := when(f(c.lastSeen))
		if !ok {
			return d, false, t.BadValue(r, c.lastSeen, csvtable.DateExpected)
		}
		d.LastSeen = tm
	}
	for _, x := range []struct {
		col      int
		dst      **bool
		expected string
	}{
		{c.passcode, &d.Passcode, "Yes or No (or Present or Not Present)"},
		{c.encrypted, &d.Encrypted, "Yes or No (or Encrypted or Not encrypted)"},
		{c.managed, &d.Managed, "Yes or No (or Managed or Unmanaged)"},
	} {
		if x.col < 0 {
			continue
		}
		b, ok := yesNo(f(x.col))
		if !ok {
			return d, false, t.BadValue(r, x.col, x.expected)
		}
		*x.dst = b
	}
	if c.managedBy >= 0 {
		d.Managed = intuneManaged(f(c.managedBy))
	}
	if l.source == handwash.MobileGoogle {
		d.Managed = googleManaged(f(c.mgmtType), f(c.deviceType))
	}
	return d, true, nil
}

// findFallback finds a column outside a layout's list, or -1.
func findFallback(t *csvtable.Table, name string) int {
	i, err := t.Col(name)
	if err != nil {
		return -1
	}
	return i
}

// jamfOS tells an iPhone from an iPad in a Jamf Pro export, and leaves out
// Macs, Apple TVs, watches and HomePods. Jamf's mobile device searches
// hold Apple devices only, so a row whose model says nothing is taken as
// an iPhone.
func jamfOS(osName, model, modelID string) (string, bool) {
	if os, ok := osFamily(osName, model, modelID); ok {
		return os, true
	}
	all := strings.ToLower(osName + " " + model + " " + modelID)
	for _, w := range []string{"mac", "tvos", "apple tv", "appletv", "watch", "vision", "homepod", "audioaccessory"} {
		if strings.Contains(all, w) {
			return "", false
		}
	}
	if isIPad(model, modelID) {
		return "ipados", true
	}
	return "ios", true
}

// intuneManaged reads Intune's "Managed by": the MDM agent (Intune,
// co-management with Configuration Manager, a partner MDM) can lock and
// wipe the device; Exchange ActiveSync alone is only mail settings.
// Anything else says nothing.
func intuneManaged(v string) *bool {
	w := words(v)
	switch {
	case strings.Contains(w, "intune"), strings.Contains(w, "mdm"), strings.Contains(w, "co managed"),
		strings.Contains(w, "comanaged"), strings.Contains(w, "configmgr"), strings.Contains(w, "configuration manager"),
		strings.Contains(w, "jamf"), strings.Contains(w, "google"):
		return ptr(true)
	case w == "eas", w == "exchange activesync", w == "eas only", w == "activesync":
		return ptr(false)
	}
	return nil
}

// googleManaged reads Google's management type: advanced (or custom)
// management can lock and wipe the device; basic management can only
// remove the work account, and a Google Sync device is mail only.
func googleManaged(mgmtType, deviceType string) *bool {
	w := words(mgmtType)
	switch {
	case strings.Contains(w, "advanced"), strings.Contains(w, "custom"), strings.Contains(w, "company owned"):
		return ptr(true)
	case strings.Contains(w, "basic"), strings.Contains(w, "unmanaged"), strings.Contains(w, "none"):
		return ptr(false)
	}
	if strings.Contains(words(deviceType), "sync") {
		return ptr(false)
	}
	return nil
}
