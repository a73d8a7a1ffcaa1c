package main

import (
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"
)

// sbomSpec is the CycloneDX version the SBOMs are written in.
const sbomSpec = cdx.SpecVersion1_6

// writeSBOM writes the SBOM of one binary. It lists the modules the Go
// linker recorded in the binary itself, so it names what was linked, not
// everything go.mod mentions.
func writeSBOM(binary, path string, r release, s source, t target) error {
	data, err := os.ReadFile(binary)
	if err != nil {
		return err
	}
	bi, err := buildinfo.ReadFile(binary)
	if err != nil {
		return fmt.Errorf("reading the modules linked into %s: %w", filepath.Base(binary), err)
	}
	digest := sha256.Sum256(data)
	bom := newSBOM(bi, filepath.Base(binary), hex.EncodeToString(digest[:]), r, s, t)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := cdx.NewBOMEncoder(f, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false).EncodeVersion(bom, sbomSpec); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// newSBOM makes the SBOM of a binary from its build information. Nothing in
// it depends on the time or machine of the build: its serial number comes
// from the binary's digest and its timestamp is the build date.
func newSBOM(bi *debug.BuildInfo, name, sha256Hex string, r release, s source, t target) *cdx.BOM {
	mainVersion := "v" + r.Version
	app := cdx.Component{
		BOMRef:     purl(modulePath, mainVersion, "goarch="+t.Arch, "goos="+t.OS, "type=module"),
		Type:       cdx.ComponentTypeApplication,
		Name:       modulePath,
		Version:    mainVersion,
		PackageURL: purl(modulePath, mainVersion, "goarch="+t.Arch, "goos="+t.OS, "type=module"),
		Hashes:     &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: sha256Hex}},
	}
	props := []cdx.Property{
		{Name: "cdx:gomod:build:env:GOOS", Value: t.OS},
		{Name: "cdx:gomod:build:env:GOARCH", Value: t.Arch},
		{Name: "cdx:gomod:build:env:CGO_ENABLED", Value: "0"},
		{Name: "handwash:binary:name", Value: name},
		{Name: "handwash:go:version", Value: bi.GoVersion},
	}
	if s.Commit != "" {
		props = append(props, cdx.Property{Name: "handwash:vcs:revision", Value: s.Commit})
		props = append(props, cdx.Property{Name: "handwash:vcs:modified", Value: fmt.Sprint(s.Modified)})
	}
	app.Properties = &props

	// The standard library is a component too: scanners match Go's own
	// advisories against it.
	goVersion, _, _ := strings.Cut(bi.GoVersion, " ") // go1.26.8 X:… carries experiments
	components := []cdx.Component{{
		BOMRef:     purl("std", goVersion, "type=module"),
		Type:       cdx.ComponentTypeLibrary,
		Name:       "std",
		Version:    goVersion,
		PackageURL: purl("std", goVersion, "type=module"),
	}}
	refs := []string{components[0].BOMRef}
	for _, m := range bi.Deps {
		c := moduleComponent(m)
		components = append(components, c)
		refs = append(refs, c.BOMRef)
	}

	bom := cdx.NewBOM()
	bom.SerialNumber = "urn:uuid:" + uuid.NewSHA1(uuid.NameSpaceURL, []byte("urn:sha256:"+sha256Hex)).String()
	bom.Metadata = &cdx.Metadata{
		Timestamp: s.Date.UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type:    cdx.ComponentTypeApplication,
			Name:    modulePath + "/cmd/release",
			Version: mainVersion,
		}}},
		Component: &app,
	}
	bom.Components = &components
	// The binary records which modules were linked, not which needs which,
	// so the application is said to depend on them all.
	bom.Dependencies = &[]cdx.Dependency{{Ref: app.BOMRef, Dependencies: &refs}}
	return bom
}

// moduleComponent describes one linked module; a replaced module is
// described as its replacement, which is what was linked.
func moduleComponent(m *debug.Module) cdx.Component {
	used := m
	if m.Replace != nil {
		used = m.Replace
	}
	c := cdx.Component{
		Type:    cdx.ComponentTypeLibrary,
		Name:    used.Path,
		Version: used.Version,
		Scope:   cdx.ScopeRequired,
	}
	if used.Version != "" {
		c.PackageURL = purl(used.Path, used.Version, "type=module")
		c.BOMRef = c.PackageURL
	} else {
		// A replacement by a local folder has no version or purl.
		c.BOMRef = "module:" + used.Path
	}
	var props []cdx.Property
	if used.Sum != "" {
		// The go.sum hash (h1:, base64 SHA-256 of the module's file list);
		// not a hash of any one file, so a property rather than a hash.
		props = append(props, cdx.Property{Name: "handwash:go:sum", Value: used.Sum})
	}
	if m.Replace != nil {
		props = append(props, cdx.Property{Name: "handwash:go:replaces", Value: m.Path + "@" + m.Version})
	}
	if len(props) > 0 {
		c.Properties = &props
	}
	return c
}

// purl is the package URL of a Go module (pkg:golang/path@version), with
// its qualifiers, given as key=value and sorted by key.
func purl(path, version string, qualifiers ...string) string {
	var b strings.Builder
	b.WriteString("pkg:golang/")
	for i, seg := range strings.Split(path, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(purlEscape(seg))
	}
	if version != "" {
		b.WriteString("@" + purlEscape(version))
	}
	for i, q := range qualifiers {
		k, v, _ := strings.Cut(q, "=")
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(k + "=" + purlEscape(v))
	}
	return b.String()
}

// purlEscape percent-encodes all but the characters a purl may carry as
// they are (a version's + in +incompatible among them).
func purlEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}
