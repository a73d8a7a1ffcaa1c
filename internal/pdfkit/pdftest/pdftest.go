// Package pdftest reads PDFs back with poppler's command-line tools, for
// tests of the documents pdfkit draws.
package pdftest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Poppler runs poppler's tool name (such as pdftotext or pdfinfo) on pdf,
// with args and text in UTF-8, and returns what it prints. It skips the
// test when the tool is not installed, and fails it then under
// HANDWASH_TEST_ALL=1.
func Poppler(t testing.TB, name string, pdf []byte, args ...string) string {
	t.Helper()
	tool, err := exec.LookPath(name)
	if err != nil {
		msg := name + " is not installed, so the PDF cannot be read back: install it with apt-get install poppler-utils"
		if os.Getenv("HANDWASH_TEST_ALL") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	file := filepath.Join(t.TempDir(), "document.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(append([]string{"-enc", "UTF-8"}, args...), file)
	if name == "pdftotext" {
		args = append(args, "-") // to standard output
	}
	out, err := exec.Command(tool, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(out)
}
