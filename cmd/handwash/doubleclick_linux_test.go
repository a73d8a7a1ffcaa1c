//go:build linux

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Started with no command at a terminal, handwash checks this computer,
// prints the report and keeps an HTML copy in the Documents folder; with
// no terminal (a script, a service) it prints its help, as before.
func TestDoubleClickMode(t *testing.T) {
	home := t.TempDir()
	docs := filepath.Join(home, "Documents")
	must(t, os.Mkdir(docs, 0o755))
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))

	var out, errOut bytes.Buffer
	if code := run(context.Background(), nil, strings.NewReader(""), &out, &errOut); code != exitOK || !strings.Contains(out.String(), "Usage:") {
		t.Fatalf("without a terminal: exit %d: %s %s", code, out.String(), errOut.String())
	}
	if entries, _ := os.ReadDir(docs); len(entries) != 0 {
		t.Fatalf("without a terminal, a report was saved: %v", entries)
	}

	pt, tty := openPTY(t)
	screen := make(chan string, 1)
	go func() {
		var all []byte
		buf := make([]byte, 4096)
		for {
			n, err := pt.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil || strings.Contains(string(all), "To check again") {
				screen <- string(all)
				return
			}
		}
	}()
	errOut.Reset()
	code := run(context.Background(), nil, tty, tty, &errOut)
	shown := <-screen
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	entries, err := os.ReadDir(docs)
	must(t, err)
	if len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "handwash-report-") || !strings.HasSuffix(entries[0].Name(), ".html") {
		t.Fatalf("Documents holds %v", entries)
	}
	saved := filepath.Join(docs, entries[0].Name())
	for _, want := range []string{"checking this computer", "Scores by area", saved} {
		if !strings.Contains(strings.ReplaceAll(shown, "\r\n", "\n"), want) {
			t.Errorf("the screen lacks %q:\n%s", want, shown)
		}
	}
	page, err := os.ReadFile(saved)
	must(t, err)
	if !strings.Contains(string(page), "<html") {
		t.Error("the saved report is not a web page")
	}
}
