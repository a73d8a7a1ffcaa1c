package agent

import (
	"strings"

	"github.com/handwash/handwash"
)

// Instructions are the commands that enrol a computer and install the
// agent as a service on one platform, as an administrator of that
// computer pastes them.
type Instructions struct {
	Platform handwash.Platform
	// Where says where to run them, in plain words.
	Where    string
	Commands []string
}

// EnrollInstructions returns the commands for Windows, macOS and Linux
// that enrol a computer with server using an enrolment credential (and
// pin the server's certificate when fingerprint is given), then install
// the agent.
func EnrollInstructions(server, credential, fingerprint string) []Instructions {
	posix := "--server " + ShellQuote(server) + " --token " + ShellQuote(credential)
	ps := "--server " + powerShellQuote(server) + " --token " + powerShellQuote(credential)
	if fingerprint != "" {
		posix += " --fingerprint " + ShellQuote(fingerprint)
		ps += " --fingerprint " + powerShellQuote(fingerprint)
	}
	return []Instructions{
		{handwash.PlatformWindows, `PowerShell, "Run as administrator", in the folder with handwash.exe`,
			[]string{`.\handwash.exe agent enroll ` + ps, `.\handwash.exe agent install`}},
		{handwash.PlatformMacOS, "Terminal",
			[]string{"sudo handwash agent enroll " + posix, "sudo handwash agent install"}},
		{handwash.PlatformLinux, "a terminal",
			[]string{"sudo handwash agent enroll " + posix, "sudo handwash agent install"}},
	}
}

// ShellQuote quotes s for a POSIX shell when it needs it, for commands
// printed for people to paste.
func ShellQuote(s string) string {
	return quoteIfNeeded(s, func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" })
}

// powerShellQuote quotes s for PowerShell when it needs it: in single
// quotes nothing is expanded, and a single quote is written twice.
func powerShellQuote(s string) string {
	return quoteIfNeeded(s, func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" })
}

// quoteIfNeeded leaves s alone when it holds only characters no shell
// treats specially, and quotes it otherwise.
func quoteIfNeeded(s string, quote func(string) string) string {
	if s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@%+,", r))
	}) {
		return s
	}
	return quote(s)
}
