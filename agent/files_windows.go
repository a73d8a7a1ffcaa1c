//go:build windows

package agent

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/windows"
)

// adminOnly is the security descriptor of the agent's directory and files:
// owned by Administrators, full control for SYSTEM and Administrators and
// nobody else ("P" protects it from the parent's permissions; "OICI" lets
// files and folders made inside inherit it).
const adminOnly = "O:BAD:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)"

// secureDir makes dir and limits it to SYSTEM and Administrators. Files
// created inside inherit that, so a spooled collection is never readable
// by other users, even for the moment before secureFile runs.
func secureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return setAdminOnly(dir)
}

// secureFile limits path to SYSTEM and Administrators.
func secureFile(path string) error { return setAdminOnly(path) }

func setAdminOnly(path string) error {
	sd, err := windows.SecurityDescriptorFromString(adminOnly)
	if err != nil {
		return err
	}
	owner, _, err := sd.Owner()
	if err != nil {
		return err
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return err
	}
	err = windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION,
		owner, nil, dacl, nil)
	if err == windows.ERROR_ACCESS_DENIED || err == windows.ERROR_INVALID_OWNER || err == windows.ERROR_PRIVILEGE_NOT_HELD {
		return &os.PathError{Op: "set permissions", Path: path, Err: os.ErrPermission}
	}
	if err != nil {
		return &os.PathError{Op: "set permissions", Path: path, Err: err}
	}
	return nil
}

// DefaultConfigPath is where enrol writes the configuration and where every
// other agent command looks for it: %ProgramData%\Handwash\agent.json.
func DefaultConfigPath() string {
	dir, err := windows.KnownFolderPath(windows.FOLDERID_ProgramData, 0)
	if err != nil || dir == "" {
		dir = os.Getenv("ProgramData")
	}
	if dir == "" {
		dir = `C:\ProgramData`
	}
	return filepath.Join(dir, "Handwash", "agent.json")
}

// isAdmin reports whether the process runs elevated (or as SYSTEM).
func isAdmin() bool { return windows.GetCurrentProcessToken().IsElevated() }
