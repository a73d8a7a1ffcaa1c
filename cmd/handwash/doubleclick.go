package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/handwash/handwash/policy"
	"github.com/handwash/handwash/report"
)

// interactive reports whether the program was started with a person at a
// console: standard input and output are both terminals. That is so when
// handwash.exe is double-clicked on Windows, which opens a console window,
// and when it is typed in a terminal; it is not so under a service, a
// script, an RMM tool or a pipe.
func interactive(stdin io.Reader, stdout io.Writer) bool {
	in, ok1 := stdin.(*os.File)
	out, ok2 := stdout.(*os.File)
	return ok1 && ok2 && term.IsTerminal(int(in.Fd())) && term.IsTerminal(int(out.Fd()))
}

// runDoubleClick is what handwash does when started with no arguments at
// a console: check this computer, print the report, keep an HTML copy in
// the person's Documents folder and, on Windows, open it in the browser
// and wait for a key before the window closes.
func runDoubleClick(cmd *cobra.Command) error {
	checkMemory()
	out := cmd.OutOrStdout()
	fmt.Fprintln(out, "Handwash is checking this computer. This takes a few seconds…")
	cat, err := policy.Default()
	if err != nil {
		return fmt.Errorf("loading the built-in controls: %w", err)
	}
	a, err := assessMachine(cmd, cat, "", "", "")
	if err != nil {
		return err
	}
	in := report.Input{Assessment: a, Controls: cat.Controls, Version: versionString()}
	if err := writeOutput(cmd, "", func(w io.Writer) error { return report.Render(w, "text", in) }); err != nil {
		return err
	}
	name := "handwash-report-" + safeName(a.Device.Hostname) + "-" + a.EvaluatedAt.Local().Format("2006-01-02") + ".html"
	path := filepath.Join(documentsFolder(), name)
	if err := writeOutput(cmd, path, func(w io.Writer) error { return report.Render(w, "html", in) }); err != nil {
		fmt.Fprintf(out, "\nThe report could not be saved as a web page (%s).\n", err)
	} else {
		fmt.Fprintf(out, "\nA copy of this report, to print or send to your IT provider, is saved as:\n  %s\n", path)
		if runtime.GOOS == "windows" {
			if err := openInBrowser(path); err == nil {
				fmt.Fprintln(out, "It is open in your web browser.")
			}
		}
	}
	fmt.Fprintln(out, "\nTo check again, run Handwash again. For more, see handwash --help.")
	if runtime.GOOS == "windows" {
		fmt.Fprint(out, "\nPress Enter to close this window.")
		bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
	}
	return nil
}

// documentsFolder is where a person keeps documents: Documents in their
// home folder (on Linux, the XDG documents folder when set), or the home
// folder itself, or the current folder.
func documentsFolder() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return "."
	}
	if runtime.GOOS == "linux" {
		if d := xdgDocuments(home); d != "" {
			return d
		}
	}
	if d := filepath.Join(home, "Documents"); isDir(d) {
		return d
	}
	return home
}

// xdgDocuments reads XDG_DOCUMENTS_DIR from the user's user-dirs.dirs.
func xdgDocuments(home string) string {
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		cfg = filepath.Join(home, ".config")
	}
	data, err := readLimited(filepath.Join(cfg, "user-dirs.dirs"), 64<<10)
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "XDG_DOCUMENTS_DIR=")
		if !ok {
			continue
		}
		v = strings.ReplaceAll(strings.Trim(v, `"`), "$HOME", home)
		if filepath.IsAbs(v) && isDir(v) {
			return v
		}
	}
	return ""
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// safeName keeps a hostname's letters, digits and hyphens for a file name.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			return r
		}
		return '-'
	}, s)
	if s = strings.Trim(s, "-"); s == "" || len(s) > 63 {
		return "this-computer"
	}
	return s
}

// openInBrowser opens a saved report with the program Windows uses for
// web pages.
func openInBrowser(path string) error {
	return exec.Command("rundll32", "url.dll,FileProtocolHandler", path).Start()
}
