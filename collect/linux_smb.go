package collect

import (
	"context"
	"strings"

	"github.com/handwash/handwash"
)

// linuxSMB fills Samba's file sharing: whether the server is installed and
// running, and the protocols and signing testparm says it uses (testparm
// gives Samba's own defaults for anything the configuration leaves out).
func linuxSMB(ctx context.Context, h Host, f *handwash.Facts, s *linuxState) error {
	db := s.packages(ctx, h)
	_, installed := db.installed("samba")
	installed = installed || linuxExists(h, "/usr/sbin/smbd")
	smb := &handwash.SMBFacts{}
	f.SMB = smb
	smb.ServerEnabled = boolPtr(installed && (s.running(h, "smbd") || s.listening(h, "tcp", 445)))

	if _, err := h.LookPath("testparm"); err != nil {
		if installed {
			f.AddMissing("smb.v1_server", handwash.ReasonNotInstalled, "testparm (samba-common-bin) not found")
		} else {
			// No server, no SMB1 server. The kernel's CIFS client is not judged.
			smb.V1Server = boolPtr(false)
		}
		smb.V1Client = boolPtr(linuxSMB1ClientFromFiles(h))
		return nil
	}
	param := func(name string) (string, bool) {
		out, err := h.Run(ctx, "testparm", "-s", "--parameter-name="+name)
		if err != nil || out.ExitCode != 0 {
			return "", false
		}
		return strings.TrimSpace(linuxFirstLine(out.Stdout)), true
	}
	if installed {
		if v, ok := param("server min protocol"); ok {
			smb.V1Server = boolPtr(linuxSMB1(v))
		} else {
			f.AddMissing("smb.v1_server", handwash.ReasonError, "testparm could not read server min protocol")
		}
		if v, ok := param("server signing"); ok {
			// "mandatory" (or its synonym "required") refuses unsigned sessions.
			v = strings.ToLower(v)
			smb.SigningRequired = boolPtr(v == "mandatory" || v == "required")
		}
	} else {
		smb.V1Server = boolPtr(false)
	}
	if v, ok := param("client min protocol"); ok {
		smb.V1Client = boolPtr(linuxSMB1(v) || linuxCIFSv1Mount(h))
	} else {
		f.AddMissing("smb.v1_client", handwash.ReasonError, "testparm could not read client min protocol")
	}
	return nil
}

// linuxSMB1ClientFromFiles says whether SMB1 is allowed for connecting to
// shares when testparm is not installed: Samba's client libraries (used by
// the desktop's file manager) read "client min protocol" from smb.conf, and
// since Samba 4.11 it defaults to SMB2_02; the kernel's CIFS client uses SMB1
// only for a mount that asks for vers=1.0 (its default has been SMB 2.1 or
// later since Linux 4.13).
func linuxSMB1ClientFromFiles(h Host) bool {
	if b, err := h.ReadFile("/etc/samba/smb.conf"); err == nil {
		section := ""
		for _, line := range linuxLines(b) {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' || line[0] == ';' {
				continue
			}
			if strings.HasPrefix(line, "[") {
				section = strings.ToLower(strings.Trim(line, "[] "))
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			key := strings.Join(strings.Fields(strings.ToLower(k)), " ")
			if ok && section == "global" && (key == "client min protocol" || key == "client protocol") && linuxSMB1(v) {
				return true
			}
		}
	}
	return linuxCIFSv1Mount(h)
}

// linuxCIFSv1Mount reports whether /etc/fstab mounts a share with SMB1.
func linuxCIFSv1Mount(h Host) bool {
	b, err := h.ReadFile("/etc/fstab")
	if err != nil {
		return false
	}
	for _, line := range linuxLines(b) {
		f := strings.Fields(line)
		if len(f) < 4 || strings.HasPrefix(f[0], "#") || (f[2] != "cifs" && f[2] != "smb3") {
			continue
		}
		for _, opt := range strings.Split(f[3], ",") {
			if opt == "vers=1.0" || opt == "vers=1" {
				return true
			}
		}
	}
	return false
}

// linuxSMB1 reports whether a minimum protocol lets SMB1 in: NT1 and the
// older dialects.
func linuxSMB1(proto string) bool {
	switch strings.ToUpper(strings.TrimSpace(proto)) {
	case "NT1", "LANMAN1", "LANMAN2", "CORE", "COREPLUS":
		return true
	}
	return false
}
