package borg

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestExposure(t *testing.T) {
	e, readOnly := exposure(location{host: "nas.local"})
	if e.Known || readOnly || !strings.Contains(e.Detail, "borg serve --append-only") || !strings.Contains(e.Detail, "nas.local") {
		t.Errorf("remote: %+v, %t", e, readOnly)
	}
	dir := filepath.Join(t.TempDir(), "repo")
	missing := location{local: true, path: dir, display: dir}
	if e, readOnly = exposure(missing); e.Known || readOnly || !strings.Contains(e.Detail, "could not tell") {
		t.Errorf("missing folder: %+v, %t", e, readOnly)
	}
	if runtime.GOOS == "windows" {
		return
	}
	if err := os.MkdirAll(filepath.Join(dir, "data", "0"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("[repository]\nappend_only = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e, readOnly = exposure(missing)
	if !e.Known || !e.CanDelete || readOnly || !strings.Contains(e.Detail, "can change or delete") || !strings.Contains(e.Detail, "append-only") {
		t.Errorf("this account's own folder: %+v, %t", e, readOnly)
	}
}
