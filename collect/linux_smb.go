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
		f.AddMissing("smb.v1_client", handwash.ReasonNotInstalled, "testparm not found")
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
		smb.V1Client = boolPtr(linuxSMB1(v))
	} else {
		f.AddMissing("smb.v1_client", handwash.ReasonError, "testparm could not read client min protocol")
	}
	return nil
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
