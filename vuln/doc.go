// Package vuln knows which installed packages have security advisories
// against them, and which of those are being exploited.
//
// It reads three kinds of data, which package feeds keeps fresh: OSV
// advisories for Linux distributions (Debian, Ubuntu, Alpine and the Red
// Hat family), CISA's catalogue of Known Exploited Vulnerabilities (KEV),
// and endoflife.date's support dates.
//
// # Matching packages against advisories
//
// An Index holds advisories by ecosystem release and package name. Match
// takes a device's installed packages and its ecosystem (Debian 12, Ubuntu
// 22.04, Alpine 3.20, ...) and reports each package an advisory affects,
// with the version that fixes it. Debian's and Ubuntu's advisories name
// source packages, so a binary package is looked up by the source it was
// built from (libssl3 by openssl) and compared by the source's version.
// Versions are compared by the distribution's own rules (package vercmp:
// dpkg, rpm, apk), following the OSV schema's evaluation of ranges:
// "introduced", "fixed" and "last_affected" events in version order, and
// the explicit "versions" list.
package vuln
