package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tc-hib/winres"
	"github.com/tc-hib/winres/version"
)

// langEnGB is the language of the version resource's strings (en-GB).
const langEnGB = 0x809

// resourcePrefix names the resource files the release build places in
// cmd/handwash: rsrc_windows_amd64.syso and rsrc_windows_arm64.syso. The Go
// command links a .syso whose name ends in _windows_<arch> into that
// target's build only.
const resourcePrefix = "rsrc_windows_"

func resourceFile(root string, t target) string {
	return filepath.Join(root, mainPackage, resourcePrefix+t.Arch+".syso")
}

// windowsResources are the resources of the Windows binary: the icon and
// the version details Explorer shows under Properties, Details.
func windowsResources(r release) (*winres.ResourceSet, error) {
	var rs winres.ResourceSet
	var images []image.Image
	for _, size := range iconSizes {
		images = append(images, drawIcon(size))
	}
	icon, err := winres.NewIconFromImages(images)
	if err != nil {
		return nil, err
	}
	if err := rs.SetIcon(winres.ID(1), icon); err != nil {
		return nil, err
	}

	vi := version.Info{FileVersion: r.Numeric, ProductVersion: r.Numeric}
	vi.Flags.Prerelease = r.Prerelease
	for _, kv := range [][2]string{
		{version.ProductName, "Handwash"},
		{version.FileDescription, "Handwash"},
		{version.Comments, "Cyber hygiene checks for small care providers"},
		{version.CompanyName, "Handwash"},
		{version.LegalCopyright, "Copyright the Handwash authors"},
		{version.InternalName, "handwash"},
		{version.OriginalFilename, "handwash.exe"},
		{version.ProductVersion, r.Version},
		{version.FileVersion, windowsNumeric(r)},
	} {
		if err := vi.Set(langEnGB, kv[0], kv[1]); err != nil {
			return nil, err
		}
	}
	rs.SetVersionInfo(vi)
	return &rs, nil
}

// placeResources writes the resource file for t into cmd/handwash and
// returns the function that removes it.
func placeResources(root string, t target, r release) (remove func(), err error) {
	rs, err := windowsResources(r)
	if err != nil {
		return nil, fmt.Errorf("Windows resources: %w", err)
	}
	var b bytes.Buffer
	if err := rs.WriteObject(&b, winres.Arch(t.Arch)); err != nil {
		return nil, fmt.Errorf("Windows resources for %s: %w", t.Arch, err)
	}
	path := resourceFile(root, t)
	remove = func() { os.Remove(path) }
	// O_EXCL: never overwrite a file the build did not place.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		f.Close()
		remove()
		return nil, err
	}
	if err := f.Close(); err != nil {
		remove()
		return nil, err
	}
	return remove, nil
}

// removeStaleResources removes resource files an earlier release build left
// in cmd/handwash when it was killed, and refuses to build beside any other
// .syso file, which would be linked into the binaries too.
func removeStaleResources(ctx context.Context, root string, stdout io.Writer) error {
	dir := filepath.Join(root, mainPackage)
	found, err := filepath.Glob(filepath.Join(dir, "*.syso"))
	if err != nil {
		return err
	}
	for _, path := range found {
		name := filepath.Base(path)
		ours := name == resourcePrefix+"amd64.syso" || name == resourcePrefix+"arm64.syso"
		if ours {
			// A committed one is not ours to remove.
			if tracked, _ := output(ctx, root, "git", "ls-files", "--", filepath.ToSlash(filepath.Join(mainPackage, name))); tracked != "" {
				ours = false
			}
		}
		if !ours {
			return fmt.Errorf("%s would be linked into the Windows binaries beside the release build's own resources: remove it from %s", name, dir)
		}
		if err := os.Remove(path); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Removed %s, left by an earlier release build that stopped part way\n", filepath.Join(mainPackage, name))
	}
	return nil
}

// windowsNumeric is a release's Windows file version as text: 1.2.3.0.
func windowsNumeric(r release) string {
	s := make([]string, 4)
	for i, n := range r.Numeric {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ".")
}
