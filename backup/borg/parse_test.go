package borg

import (
	"bytes"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/handwash/handwash"
	"github.com/handwash/handwash/backup"
)

// stderr as borg 1.2.4 prints it with --log-json.
const (
	logWrongPassphrase = `{"type": "log_message", "time": 1796022212.65548, "message": "passphrase supplied in BORG_PASSPHRASE, by BORG_PASSCOMMAND or via BORG_PASSPHRASE_FD is incorrect.", "levelname": "ERROR", "name": "borg.archiver", "msgid": "PassphraseWrong"}`
	logRelocated       = `{"type": "question_prompt", "msgid": "BORG_RELOCATED_REPO_ACCESS_IS_OK", "message": "Warning: The repository at location /tmp/bx/repo2 was previously located at /tmp/bx/repo\nDo you want to continue? [yN] "}
{"type": "question_accepted_false", "msgid": "BORG_RELOCATED_REPO_ACCESS_IS_OK", "message": "Aborting."}
{"type": "log_message", "time": 1796022231.475822, "message": "Repository access aborted", "levelname": "ERROR", "name": "borg.archiver", "msgid": "Cache.RepositoryAccessAborted"}`
	logDamaged = `{"type": "log_message", "time": 1796022227.5352192, "message": "Data integrity error: Segment entry checksum mismatch [segment 2, offset 98]", "levelname": "ERROR", "name": "borg.repository"}
{"type": "log_message", "time": 1796022227.537161, "message": "Index object count mismatch.", "levelname": "ERROR", "name": "borg.repository"}
{"type": "log_message", "time": 1796022227.5373755, "message": "ID: 0903f2a8 rebuilt index: <not found>      committed index: (2, 98)         ", "levelname": "WARNING", "name": "borg.repository"}
{"type": "log_message", "time": 1796022227.5375152, "message": "Finished full repository check, errors found.", "levelname": "ERROR", "name": "borg.repository"}`
	logTraceback = `{"type": "log_message", "time": 1.0, "message": "Failed to create/acquire the lock /r/lock.exclusive ([Errno 13] Permission denied).", "levelname": "ERROR", "name": "borg.archiver", "msgid": "LockFailed"}
{"type": "log_message", "time": 1.0, "message": "Traceback (most recent call last):\n  File \"/usr/lib/python3/dist-packages/borg/archiver.py\", line 5213, in main\n", "levelname": "ERROR", "name": "borg.archiver"}`
)

func TestParseLog(t *testing.T) {
	got := parseLog([]byte(logRelocated + "\n\nRemote: ssh: connect to host b port 22: Connection refused\n{not json\n"))
	want := []logEntry{
		{Type: "question_prompt", MsgID: "BORG_RELOCATED_REPO_ACCESS_IS_OK", Message: "Warning: The repository at location /tmp/bx/repo2 was previously located at /tmp/bx/repo\nDo you want to continue? [yN] "},
		{Type: "question_accepted_false", MsgID: "BORG_RELOCATED_REPO_ACCESS_IS_OK", Message: "Aborting."},
		{Type: "log_message", Level: "ERROR", Name: "borg.archiver", MsgID: "Cache.RepositoryAccessAborted", Message: "Repository access aborted"},
		{Type: "text", Message: "Remote: ssh: connect to host b port 22: Connection refused"},
		{Type: "text", Message: "{not json"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseLog (-want +got):\n%s", diff)
	}
}

func TestSummary(t *testing.T) {
	tests := []struct{ log, want string }{
		{logDamaged, "Data integrity error: Segment entry checksum mismatch [segment 2, offset 98]. Index object count mismatch. Finished full repository check, errors found."},
		{logTraceback, "Failed to create/acquire the lock /r/lock.exclusive ([Errno 13] Permission denied)."},
		{"Remote: ssh: Could not resolve hostname nas\nConnection closed by remote host\n", "Remote: ssh: Could not resolve hostname nas. Connection closed by remote host."},
		{logDamaged + "\n" + logDamaged, "Data integrity error: Segment entry checksum mismatch [segment 2, offset 98]. Index object count mismatch. Finished full repository check, errors found."},
		{"", ""},
	}
	for _, tt := range tests {
		if got := (output{log: parseLog([]byte(tt.log))}).summary(); got != tt.want {
			t.Errorf("summary of\n%s\n= %q\nwant %q", tt.log, got, tt.want)
		}
	}
	long := strings.Repeat(`{"type": "log_message", "message": "é error number `, 1)
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "%s%d\", \"levelname\": \"ERROR\"}\n", long, i)
	}
	if got := (output{log: parseLog([]byte(b.String()))}).summary(); len(got) > maxSummary+len("…") || !strings.HasSuffix(got, "…") {
		t.Errorf("long summary is %d bytes: %q", len(got), got)
	}
}

func FuzzParseLog(f *testing.F) {
	for _, s := range []string{logWrongPassphrase, logRelocated, logDamaged, logTraceback, "", "{", "{}\n{\"type\":1}", "\xff\xfe"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		log := parseLog(b)
		lines := 0
		for _, l := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				lines++
			}
		}
		if len(log) != lines {
			t.Errorf("%d entries for %d lines", len(log), lines)
		}
		s := output{log: log}.summary()
		if len(s) > maxSummary+len("…") || strings.Contains(s, "\n") {
			t.Errorf("summary %q", s)
		}
	})
}

func TestStopError(t *testing.T) {
	r := &runner{loc: location{display: "/mnt/usb/borg"}, secret: "hunter22"}
	tests := []struct {
		log  string
		code int
		want string // code: words
	}{
		{logWrongPassphrase, 2, handwash.EINVALID + ": The passphrase for the borg repository /mnt/usb/borg is wrong."},
		{logRelocated, 2, handwash.EINVALID + ": was somewhere else when this computer last used it"},
		{`{"type": "log_message", "message": "Repository /mnt/usb/borg does not exist.", "levelname": "ERROR", "msgid": "Repository.DoesNotExist"}`, 2, handwash.ENOTFOUND + ": There is no borg repository at /mnt/usb/borg."},
		{`{"type": "log_message", "message": "Failed to create/acquire the lock /r/lock.exclusive (timeout).", "levelname": "ERROR", "msgid": "LockTimeout"}`, 2, handwash.EINVALID + ": is in use by another borg program"},
		{`{"type": "log_message", "message": "Connection closed by remote host", "levelname": "ERROR", "msgid": "ConnectionClosed"}`, 2, handwash.ENOTFOUND + ": Could not connect to the backup server"},
		{`{"type": "log_message", "message": "can not acquire a passphrase", "levelname": "ERROR", "msgid": "NoPassphraseFailure"}`, 2, handwash.EINVALID + ": no passphrase was given"},
		{`{"type": "log_message", "message": "Remote: ssh: Could not resolve hostname nas.invalid: Name or service not known", "levelname": "WARNING", "name": "root"}
{"type": "log_message", "message": "Connection closed by remote host. Is borg working on the server?", "levelname": "ERROR", "msgid": "ConnectionClosedWithHint"}`, 2, handwash.ENOTFOUND + ": reachable, and that this computer's SSH key is allowed there (Handwash cannot type a password). It said: ssh: Could not resolve hostname nas.invalid: Name or service not known."},
		{logDamaged, 1, ""},
		{logWrongPassphrase, 0, ""},
	}
	for _, tt := range tests {
		err := r.stopError(output{log: parseLog([]byte(tt.log)), code: tt.code})
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v, want none", tt.log, err)
			}
			continue
		}
		code, words, _ := strings.Cut(tt.want, ": ")
		if err == nil {
			t.Errorf("%s: no error, want %s", tt.log, tt.want)
			continue
		}
		wantError(t, err, code, words)
	}
}

func TestIntegrity(t *testing.T) {
	r := &runner{loc: location{display: "/r"}}
	tests := []struct {
		log              string
		code             int
		verify           bool
		ran, ok          bool
		subset, contains string
	}{
		{"", 0, false, true, true, "", "found no problems in the repository or its 3 archives"},
		{"", 0, true, true, true, "all", "read and verified every piece"},
		{logDamaged, 1, false, true, false, "", "found damage in the repository. It said: Data integrity error"},
		{`{"type": "log_message", "message": "Traceback (most recent call last):\n  File x", "levelname": "ERROR"}` + "\n" + `{"type": "log_message", "message": "IntegrityError: Segment entry checksum mismatch", "levelname": "ERROR"}`, 2, false, true, false, "", "stopped before it finished (exit code 2), which usually means damage it could not get past. It said: IntegrityError: Segment entry checksum mismatch."},
		{`{"type": "log_message", "message": "Failed (timeout).", "levelname": "ERROR", "msgid": "LockTimeout"}`, 2, false, false, false, "", "could not run. The borg repository /r is in use"},
	}
	for _, tt := range tests {
		in := r.integrity(output{log: parseLog([]byte(tt.log)), code: tt.code}, tt.verify, 3)
		if in.Ran != tt.ran || in.OK != tt.ok || in.Subset != tt.subset || !strings.Contains(in.Detail, tt.contains) {
			t.Errorf("integrity(%d, %s) = %+v; want ran %t ok %t subset %q, saying %q", tt.code, tt.log, in, tt.ran, tt.ok, tt.subset, tt.contains)
		}
	}
}

func TestParseArchives(t *testing.T) {
	b := []byte(`{"archives": [
		{"archive": "mon", "name": "mon", "start": "2026-11-30T07:03:27.000000", "time": "2026-11-30T07:03:27.000000"},
		{"name": "wed", "start": "2026-12-02T23:59:01.500000"},
		{"name": "tue", "time": "2026-12-01T01:00:00.000000"},
		{"name": "wed-again", "start": "2026-12-02T23:59:01.500000"}
	], "encryption": {"mode": "repokey"}}`)
	arcs, err := parseArchives(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []archive{
		{"mon", time.Date(2026, 11, 30, 7, 3, 27, 0, time.UTC)},
		{"wed", time.Date(2026, 12, 2, 23, 59, 1, 5e8, time.UTC)},
		{"tue", time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)},
		{"wed-again", time.Date(2026, 12, 2, 23, 59, 1, 5e8, time.UTC)},
	}
	if diff := cmp.Diff(want, arcs); diff != "" {
		t.Errorf("parseArchives (-want +got):\n%s", diff)
	}
	if n := newestArchive(arcs); n == nil || n.Name != "wed-again" {
		t.Errorf("newest = %v, want wed-again (the later-listed of two equals)", n)
	}
	if newestArchive(nil) != nil {
		t.Error("newest of none is not nil")
	}
	for _, bad := range []string{`{`, `{"archives": [{"name": "x", "start": "yesterday"}]}`, `{"archives": [{"start": "2026-11-30T07:03:27.000000"}]}`} {
		if _, err := parseArchives([]byte(bad)); err == nil {
			t.Errorf("parseArchives(%s): no error", bad)
		}
	}
	if arcs, err := parseArchives([]byte(`{"archives": []}`)); err != nil || len(arcs) != 0 {
		t.Errorf("no archives: %v, %v", arcs, err)
	}
}

func TestParseVersion(t *testing.T) {
	tests := []struct {
		in           string
		major, minor int
		ok           bool
	}{
		{"borg 1.2.4", 1, 2, true},
		{"borg 1.4.0", 1, 4, true},
		{"borg 1.2.0.dev12+gabc", 1, 2, true},
		{"borg 2.0.0b14", 2, 0, true},
		{"borg-linux64 1.2.4", 0, 0, false},
		{"borg 1", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		major, minor, ok := parseVersion(tt.in)
		if major != tt.major || minor != tt.minor || ok != tt.ok {
			t.Errorf("parseVersion(%q) = %d, %d, %t", tt.in, major, minor, ok)
		}
	}
}

func TestParseLocation(t *testing.T) {
	cwd, _ := filepath.Abs(".")
	tests := []struct {
		in      string
		want    location
		errWord string
	}{
		{in: "/mnt/usb/borg", want: location{arg: "/mnt/usb/borg", display: "/mnt/usb/borg", local: true, path: "/mnt/usb/borg"}},
		{in: "file:///mnt/usb/borg", want: location{arg: "/mnt/usb/borg", display: "/mnt/usb/borg", local: true, path: "/mnt/usb/borg"}},
		{in: "repo", want: location{arg: filepath.Join(cwd, "repo"), display: "repo", local: true, path: filepath.Join(cwd, "repo")}},
		{in: "./odd:name", want: location{arg: filepath.Join(cwd, "odd:name"), display: "./odd:name", local: true, path: filepath.Join(cwd, "odd:name")}},
		{in: "ssh://backup@nas.local:2222/volume1/borg", want: location{arg: "ssh://backup@nas.local:2222/volume1/borg", display: "ssh://backup@nas.local:2222/volume1/borg", host: "nas.local"}},
		{in: "ssh://u:pw@nas/./repo", errWord: "Take the password out of the borg repository address ssh://u:xxxxx@nas/./repo"},
		{in: "backup@nas.local:borg/repo", want: location{arg: "backup@nas.local:borg/repo", display: "backup@nas.local:borg/repo", host: "nas.local"}},
		{in: "[::1]:/srv/borg", want: location{arg: "[::1]:/srv/borg", display: "[::1]:/srv/borg", host: "::1"}},
		{in: "/mnt/usb/borg::monday", errWord: "without an archive name"},
		{in: "ssh://nas", errWord: "not a valid address"},
		{in: "file://", errWord: "Give the borg repository"},
	}
	if runtime.GOOS == "windows" {
		t.Skip("paths are Unix ones")
	}
	for _, tt := range tests {
		got, err := parseLocation(tt.in)
		if tt.errWord != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errWord) || handwash.ErrorCode(err) != handwash.EINVALID {
				t.Errorf("parseLocation(%q) error %v, want one saying %q", tt.in, err, tt.errWord)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseLocation(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseLocation(f *testing.F) {
	for _, s := range []string{"/mnt/b", "ssh://u:p@h:22/x", "u@h:x", "[::1]:/x", "a::b", "file://x", "~/b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		loc, err := parseLocation(s)
		if err != nil {
			return
		}
		if strings.Contains(brackets.ReplaceAllString(s, "_"), "::") {
			t.Errorf("%q accepted with an archive name", s)
		}
		if loc.local != (loc.path != "") || loc.arg == "" {
			t.Errorf("%q gave %+v", s, loc)
		}
		if u := strings.Index(s, "://"); strings.HasPrefix(s, "ssh://") && strings.Contains(s[u+3:], ":") && strings.Contains(s, "@") {
			if pw := passwordOf(s); pw != "" && len(pw) > 3 && strings.Contains(loc.display, pw) && pw != "xxxxx" {
				t.Errorf("%q shows its password: %q", s, loc.display)
			}
		}
	})
}

// brackets matches IPv6 addresses in brackets, which hold "::".
var brackets = regexp.MustCompile(`\[[0-9a-fA-F:.]+\]`)

// passwordOf is the password in ssh://user:password@host/..., or "".
func passwordOf(s string) string {
	rest := strings.TrimPrefix(s, "ssh://")
	userinfo, _, ok := strings.Cut(rest, "@")
	if !ok || strings.Contains(userinfo, "/") {
		return ""
	}
	_, pw, _ := strings.Cut(userinfo, ":")
	return pw
}

func TestParseAppendOnly(t *testing.T) {
	tests := []struct {
		config string
		want   bool
	}{
		{"[repository]\nversion = 1\nappend_only = 1\nkey = hqlhbGdv\n\tCWNcBKyS\n", true},
		{"[repository]\nversion = 1\nappend_only = 0\n", false},
		{"[repository]\nappend_only=true\n", true},
		{"[Repository]\nAPPEND_ONLY : yes\n", true},
		{"[repository]\nkey = x\n\tappend_only = 1\n", false}, // part of key's value
		{"[other]\nappend_only = 1\n", false},
		{"# append_only = 1\n[repository]\n", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := parseAppendOnly([]byte(tt.config)); got != tt.want {
			t.Errorf("parseAppendOnly(%q) = %t", tt.config, got)
		}
	}
}

func FuzzParseAppendOnly(f *testing.F) {
	f.Add([]byte("[repository]\nappend_only = 1\n"))
	f.Add([]byte("[repository]\n\tappend_only = 1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if parseAppendOnly(b) && !bytes.Contains(bytes.ToLower(b), []byte("append_only")) {
			t.Errorf("append-only found in %q", b)
		}
	})
}

func TestOriginalCandidates(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("paths are Unix ones")
	}
	tests := []struct {
		source, archived string
		want             []string
	}{
		{"/home/ann", "home/ann/docs/a.txt", []string{"docs/a.txt", "home/ann/docs/a.txt"}},
		{"/home/ann", "ann/docs/a.txt", []string{"docs/a.txt", "ann/docs/a.txt"}},
		{"/home/ann", "docs/a.txt", []string{"docs/a.txt"}},
		{"/home/ann", "ann", []string{"ann"}},
		{"/", "etc/hosts", []string{"etc/hosts"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, originalCandidates(tt.source, tt.archived)); diff != "" {
			t.Errorf("originalCandidates(%q, %q) (-want +got):\n%s", tt.source, tt.archived, diff)
		}
	}
}

func TestPicker(t *testing.T) {
	var lines strings.Builder
	for i := range 500 {
		fmt.Fprintf(&lines, `{"type": "-", "path": "f/%d", "size": %d, "healthy": %t, "mtime": "2026-11-30T07:03:26.458817"}`+"\n", i, i%50, i != 7)
	}
	lines.WriteString(`{"type": "d", "path": "f", "size": 0}` + "\n")
	lines.WriteString(`{"type": "-", "path": "../escape", "size": 9}` + "\n")
	lines.WriteString(`{"type": "-", "path": "bad\ufffdname", "size": 9}` + "\n")
	lines.WriteString(`{"type": "-", "path": "huge", "size": 1000000}` + "\n")
	lines.WriteString(`{"type": "-", "path": "` + strings.Repeat("x", maxLine) + `", "size": 9}` + "\n")
	lines.WriteString(`not json` + "\n")
	lines.WriteString(`{"type": "-", "path": "last-no-newline", "size": 9}`)
	p := newPicker(20, 100)
	w := &lineWriter{fn: p.line}
	// Write in awkward pieces, as a pipe might deliver them.
	s := lines.String()
	for i := 0; i < len(s); i += 333 {
		if _, err := w.Write([]byte(s[i:min(i+333, len(s))])); err != nil {
			t.Fatal(err)
		}
	}
	w.flush()
	if p.files != 504 || p.damaged != 1 || p.sample.Seen() != 490+1 || len(p.sample.Sample()) != 20 {
		t.Errorf("files %d damaged %d seen %d chosen %d; want 504, 1, 491, 20", p.files, p.damaged, p.sample.Seen(), len(p.sample.Sample()))
	}
	for _, it := range p.sample.Sample() {
		if !it.restorable() || it.Size > 100 {
			t.Errorf("chose %+v", it)
		}
	}
	chosen, left := p.within(200)
	var total int64
	for _, it := range chosen {
		total += it.Size
	}
	if total > 200 || left+len(chosen) != 20 {
		t.Errorf("within 200 bytes: kept %d files of %d bytes, left %d", len(chosen), total, left)
	}
}

func TestBorgEnv(t *testing.T) {
	base := []string{"PATH=/bin", "BORG_PASSCOMMAND=pass show borg", "BORG_REPO=/elsewhere", "BORG_RSH=ssh -i key", "TZ=Europe/London", "BORG_RELOCATED_REPO_ACCESS_IS_OK=yes"}
	env := borgEnv(base, Options{Passphrase: "pw"})
	want := []string{"PATH=/bin", "BORG_RSH=ssh -i key", "TZ=Europe/London", "BORG_RELOCATED_REPO_ACCESS_IS_OK=yes"}
	want = append(append(want, safetyEnv...), "BORG_PASSPHRASE=pw")
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("borgEnv with a passphrase (-want +got):\n%s", diff)
	}
	env = borgEnv([]string{"PATH=/bin", "BORG_PASSCOMMAND=pass show borg"}, Options{Env: []string{"BORG_KEY_FILE=/k"}})
	want = append([]string{"PATH=/bin", "BORG_PASSCOMMAND=pass show borg", "BORG_KEY_FILE=/k", "BORG_RSH=ssh -o BatchMode=yes"}, safetyEnv...)
	if diff := cmp.Diff(want, env); diff != "" {
		t.Errorf("borgEnv without a passphrase (-want +got):\n%s", diff)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 bytes", 1: "1 byte", 999: "999 bytes", 1500: "1.5 kB", 3_200_000: "3.2 MB", 5e9: "5.0 GB", 7e12: "7.0 TB", 7e15: "7000.0 TB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestRestoredFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("paths are Unix ones")
	}
	healthy, broken := true, false
	files := []item{
		{Type: "-", Path: "home/ann/docs/a.txt", Size: 3, Mtime: "2026-11-30T07:03:26.458817", Healthy: &healthy},
		{Type: "-", Path: "docs/b.txt", Size: 4, Mtime: "not a time"},
		{Type: "-", Path: "docs/c.txt", Size: 5, Healthy: &broken},
	}
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	mt := time.Date(2026, 11, 30, 7, 3, 26, 458817000, time.UTC)
	got, damaged := restoredFiles(files, "/home/ann", at)
	want := []backup.Restored{
		{Name: "home/ann/docs/a.txt", Path: "home/ann/docs/a.txt", Original: "docs/a.txt", Alternatives: []string{"home/ann/docs/a.txt"}, Size: 3, ModTime: mt, BackupTime: at},
		{Name: "docs/b.txt", Path: "docs/b.txt", Original: "docs/b.txt", Size: 4, BackupTime: at},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("restoredFiles (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"docs/c.txt"}, damaged); diff != "" {
		t.Errorf("damaged (-want +got):\n%s", diff)
	}
	got, _ = restoredFiles(files, "", at)
	if len(got) != 2 || got[0].Original != "" || got[0].Alternatives != nil {
		t.Errorf("without a source: %+v", got)
	}
}
