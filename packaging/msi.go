package packaging

import (
	"bytes"
	"context"
	"crypto/sha1"
	_ "embed"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"

	"github.com/handwash/handwash/agent"
)

// The MSI's fixed identities. The upgrade code ties every version of
// Handwash together, so that installing a newer MSI replaces the older
// one; it must never change. The component's GUID stays the same as long
// as handwash.exe is its key file in the same folder.
const (
	UpgradeCode   = "5F3C13A6-79D1-4534-9F04-FA1F594A694F"
	componentGUID = "3C4DC0F8-39F5-4247-B1B2-973801679392"
)

// WindowsDataFolder is the agent's folder under %ProgramData% (see
// agent.DefaultConfigPath on Windows): its configuration, with the
// device's credential, its state and its spool. Uninstalling removes it.
const WindowsDataFolder = "Handwash"

// eventLogKey is where a Windows event log source is registered.
const eventLogKey = `SYSTEM\CurrentControlSet\Services\EventLog\Application\`

// MSIProperties are the public properties msiexec passes to the
// installation: the server, the enrolment token and, optionally, the
// server certificate's fingerprint.
var MSIProperties = []string{"SERVER", "TOKEN", "FINGERPRINT"}

//go:embed handwash.wxs.tmpl
var wxsTemplate string

var wxs = template.Must(template.New("handwash.wxs").Funcs(template.FuncMap{
	"xml": func(s string) (string, error) {
		var b strings.Builder
		err := xml.EscapeText(&b, []byte(s))
		return b.String(), err
	},
}).Parse(wxsTemplate))

// MSI is the Windows installer to build.
type MSI struct {
	// Version is the release, such as 1.2.3 or 1.2.3-rc.1.
	Version string
	// Binary is handwash.exe, built for windows/amd64.
	Binary string
}

// MSIVersion is the version the MSI carries: Windows Installer knows only
// numbers (major and minor up to 255, the third up to 65535), so a
// pre-release carries the number of its release.
func MSIVersion(version string) (string, error) {
	v, err := ParseVersion(version)
	if err != nil {
		return "", err
	}
	if v.Major > 255 || v.Minor > 255 || v.Patch > 65535 {
		return "", fmt.Errorf("version %s is too large for Windows Installer (at most 255.255.65535)", version)
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch), nil
}

// ProductCode is the MSI's product code for a version: a name-based UUID
// (version 5) of the MSI version in the upgrade code's namespace, so that
// every build of a version has the same code and every version its own.
func ProductCode(version string) (string, error) {
	mv, err := MSIVersion(version)
	if err != nil {
		return "", err
	}
	return nameUUID(UpgradeCode, "ProductCode "+mv), nil
}

// nameUUID is RFC 9562's version 5 UUID of name in namespace, in upper
// case as Windows Installer writes GUIDs.
func nameUUID(namespace, name string) string {
	ns, err := parseUUID(namespace)
	if err != nil {
		panic(err) // namespaces are constants
	}
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16]))
}

func parseUUID(s string) ([16]byte, error) {
	var u [16]byte
	hex := strings.ReplaceAll(strings.Trim(s, "{}"), "-", "")
	if len(hex) != 32 {
		return u, fmt.Errorf("%q is not a UUID", s)
	}
	for i := range u {
		if _, err := fmt.Sscanf(hex[2*i:2*i+2], "%02x", &u[i]); err != nil {
			return u, fmt.Errorf("%q is not a UUID", s)
		}
	}
	return u, nil
}

// FileName is the MSI's file name, such as handwash-1.2.3-x64.msi.
func (m MSI) FileName() (string, error) {
	v, err := ParseVersion(m.Version)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s-%s-x64.msi", Name, v), nil
}

// wxsData fills the template.
type wxsData struct {
	ProductCode, UpgradeCode, ComponentGUID string
	ProductName, Manufacturer, MSIVersion   string
	Description, Comments, Homepage         string
	// Source is the file wixl puts in the MSI as handwash.exe.
	Source      string
	Service     agent.WindowsService
	ServiceArgs string
	EventLogKey string
	DataFolder  string
}

// WXS returns the WiX source of the MSI, with source as the path of
// handwash.exe that wixl reads.
func (m MSI) WXS(source string) ([]byte, error) {
	v, err := ParseVersion(m.Version)
	if err != nil {
		return nil, err
	}
	mv, err := MSIVersion(m.Version)
	if err != nil {
		return nil, err
	}
	pc, err := ProductCode(m.Version)
	if err != nil {
		return nil, err
	}
	// The service runs with the default configuration, so its arguments
	// are just "agent run".
	svc := agent.WindowsServiceFor("", "")
	d := wxsData{
		ProductCode:   pc,
		UpgradeCode:   UpgradeCode,
		ComponentGUID: componentGUID,
		ProductName:   "Handwash",
		Manufacturer:  Vendor,
		MSIVersion:    mv,
		Description:   fmt.Sprintf("Handwash %s: %s", v, strings.ToLower(Summary[:1])+Summary[1:]),
		Comments:      "Install silently and enrol with: msiexec /i " + mustFileName(m) + " SERVER=https://handwash.example:8443 TOKEN=hwe_... /qn",
		Homepage:      Homepage,
		Source:        source,
		Service:       svc,
		ServiceArgs:   strings.Join(svc.Args, " "),
		EventLogKey:   eventLogKey + svc.Name,
		DataFolder:    WindowsDataFolder,
	}
	var b bytes.Buffer
	if err := wxs.Execute(&b, d); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func mustFileName(m MSI) string {
	n, err := m.FileName()
	if err != nil {
		return "handwash.msi"
	}
	return n
}

// hideTarget is the custom action type bit that keeps its command line
// out of the installer's log.
const hideTarget = 0x2000

// MSITools are the programs Build runs, from Debian's wixl and msitools
// packages.
var MSITools = []string{"wixl", "msibuild", "msiinfo"}

// Build writes the MSI to out with wixl, then adds SERVER, TOKEN and
// FINGERPRINT to SecureCustomProperties with msibuild (wixl cannot), so
// that msiexec passes them to the installation however it is started.
func (m MSI) Build(ctx context.Context, out string) error {
	if err := CheckBinary(m.Binary, "windows", "amd64"); err != nil {
		return err
	}
	for _, tool := range MSITools {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is missing: install Debian's wixl and msitools packages (apt-get install wixl msitools)", tool)
		}
	}
	dir, err := os.MkdirTemp("", "handwash-msi-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// wixl finds the file relative to where it runs; a link named
	// handwash.exe avoids copying the program and quoting its path.
	bin, err := filepath.Abs(m.Binary)
	if err != nil {
		return err
	}
	if err := os.Symlink(bin, filepath.Join(dir, "handwash.exe")); err != nil {
		return err
	}
	src, err := m.WXS("handwash.exe")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "handwash.wxs"), src, 0o644); err != nil {
		return err
	}
	if err := run(ctx, dir, "wixl", "--arch", "x64", "--output", "handwash.msi", "handwash.wxs"); err != nil {
		return err
	}
	msi := filepath.Join(dir, "handwash.msi")
	props, err := MSITable(ctx, msi, "Property")
	if err != nil {
		return err
	}
	secure := MSIProperties
	query := "INSERT INTO `Property` (`Property`, `Value`) VALUES ('SecureCustomProperties', '%s')"
	for _, row := range props {
		if len(row) == 2 && row[0] == "SecureCustomProperties" {
			secure = append(secure[:len(secure):len(secure)], strings.Split(row[1], ";")...)
			query = "UPDATE `Property` SET `Value` = '%s' WHERE `Property` = 'SecureCustomProperties'"
		}
	}
	queries := []string{"-q", fmt.Sprintf(query, strings.Join(secure, ";"))}
	// Keep the enrolment's command line, which holds the token, out of
	// the installer's log too (msidbCustomActionTypeHideTarget).
	actions, err := MSITable(ctx, msi, "CustomAction")
	if err != nil {
		return err
	}
	for _, row := range actions {
		if len(row) > 1 && row[0] == "EnrolAgent" {
			typ, err := strconv.Atoi(row[1])
			if err != nil {
				return fmt.Errorf("wixl wrote EnrolAgent's type as %q", row[1])
			}
			queries = append(queries, "-q", fmt.Sprintf("UPDATE `CustomAction` SET `Type` = %d WHERE `Action` = 'EnrolAgent'", typ|hideTarget))
		}
	}
	if err := run(ctx, dir, "msibuild", append([]string{"handwash.msi"}, queries...)...); err != nil {
		return err
	}
	_, err = writeFile(out, func(w io.Writer) error {
		f, err := os.Open(msi)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
	return err
}

// Write builds the MSI into dir under its file name and returns its path.
func (m MSI) Write(ctx context.Context, dir string) (string, error) {
	name, err := m.FileName()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	if err := m.Build(ctx, path); err != nil {
		return "", err
	}
	return path, nil
}

// MSITable returns the rows of one table of an MSI, read with msiinfo
// export: each row's columns, without the three header lines.
func MSITable(ctx context.Context, msi, table string) ([][]string, error) {
	out, err := output(ctx, "", "msiinfo", "export", msi, table)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.ReplaceAll(string(out), "\r\n", "\n"), "\n")
	var rows [][]string
	for i, l := range lines {
		if i < 3 || l == "" {
			continue
		}
		rows = append(rows, strings.Split(l, "\t"))
	}
	return rows, nil
}

func run(ctx context.Context, dir, name string, args ...string) error {
	_, err := output(ctx, dir, name, args...)
	return err
}

// output runs a tool and returns what it printed; its error output goes
// into the error.
func output(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
