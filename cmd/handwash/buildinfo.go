package main

import (
	"regexp"
	"runtime/debug"
	"strings"
)

// pseudoVersion matches the end of a Go pseudo-version: the commit's time
// and the start of its hash, then perhaps +dirty.
var pseudoVersion = regexp.MustCompile(`[.-]\d{14}-[0-9a-f]{12}(\+dirty)?$`)

// commit and date are set with version by the release build (cmd/release):
//
//	-ldflags "-X main.version=1.2.3 -X main.commit=<git commit> -X main.date=<RFC 3339 time>"
//
// commit ends in "-modified" when the release was built from a working tree
// with uncommitted changes.
var (
	commit = ""
	date   = ""
)

// buildDetails says which source a binary was built from, for `handwash
// version`.
type buildDetails struct {
	// Release is true for a release build: version was set by the linker.
	Release bool
	// Version is the release version, or for a development build the
	// module version the Go command stamped, if any.
	Version string
	// Commit is the Git commit, "" when unknown.
	Commit string
	// Modified says the working tree had uncommitted changes.
	Modified bool
	// Date is the release's build date, or for a development build the
	// commit's date; "" when unknown.
	Date string
}

// thisBuild describes this binary.
func thisBuild() buildDetails {
	bi, _ := debug.ReadBuildInfo()
	return describeBuild(version, commit, date, bi)
}

// describeBuild prefers what the release build set with -X; without it (a
// plain go build or go install) it reads the version control details the Go
// command records, when it recorded any.
func describeBuild(version, commit, date string, bi *debug.BuildInfo) buildDetails {
	if version != "" {
		d := buildDetails{Release: true, Version: version, Commit: commit, Date: date}
		if c, ok := strings.CutSuffix(d.Commit, "-modified"); ok {
			d.Commit, d.Modified = c, true
		}
		return d
	}
	var d buildDetails
	if bi == nil {
		return d
	}
	// A pseudo-version (v0.0.0-20261130094442-7093102a109f+dirty) only
	// repeats the commit and its date; a tag's version says more.
	if v := bi.Main.Version; v != "" && v != "(devel)" && !pseudoVersion.MatchString(v) {
		d.Version = v
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			d.Commit = s.Value
		case "vcs.time":
			d.Date = s.Value
		case "vcs.modified":
			d.Modified = s.Value == "true"
		}
	}
	return d
}
