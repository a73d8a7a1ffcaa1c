package agent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/handwash/handwash"
)

// DefaultInterval is how often the agent collects when nothing says otherwise.
const DefaultInterval = 4 * time.Hour

// MinInterval keeps a mistyped interval ("4m" for "4h") from turning the
// agent into a load on the device and the server.
const MinInterval = time.Minute

// Config is what enrolment leaves behind for run, status and install. It is
// stored as JSON in a file only an administrator or root can read, because
// it holds the device credential.
type Config struct {
	// Server is the server's base URL, e.g. "https://handwash.example:8443".
	Server string `json:"server"`
	// DeviceID is the server's ID of this device ("dev_…").
	DeviceID string `json:"device_id"`
	// Credential is the device credential ("hwd_…"); it never appears in
	// logs or messages.
	Credential Secret `json:"credential"`
	// Fingerprint, when set, is the SHA-256 of the server's certificate in
	// lower-case hex: the agent then trusts that certificate and no other.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Interval is how often to collect; DefaultInterval when zero.
	Interval Duration `json:"interval,omitempty"`
	// OrgID and SiteID are where the server put the device.
	OrgID  string `json:"org_id,omitempty"`
	SiteID string `json:"site_id,omitempty"`
	// EnrolledAt is when the device was enrolled.
	EnrolledAt time.Time `json:"enrolled_at"`
	// Backups are the backups this device verifies on a schedule.
	Backups []BackupTarget `json:"backups,omitempty"`
}

// Secret is a string that prints as "[redacted]", so that a credential
// passed to a logger or a format verb by mistake is not written out. Only
// the JSON encoding, used to store the configuration and nowhere else,
// holds the real value.
type Secret string

const redacted = "[redacted]"

// String hides the secret.
func (Secret) String() string { return redacted }

// GoString hides the secret from %#v.
func (Secret) GoString() string { return redacted }

// LogValue hides the secret from log/slog.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// Format hides the secret from every fmt verb.
func (Secret) Format(f fmt.State, _ rune) { f.Write([]byte(redacted)) }

// Reveal returns the secret itself, for the Authorization header.
func (s Secret) Reveal() string { return string(s) }

// Duration is a time.Duration written in JSON as "4h0m0s".
type Duration time.Duration

// MarshalJSON writes the duration as text.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration written as text ("4h") or as nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if err2 := json.Unmarshal(b, &n); err2 != nil {
			return fmt.Errorf("interval: expected a duration such as \"4h\"")
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("interval: %q is not a duration such as \"4h\"", s)
	}
	*d = Duration(v)
	return nil
}

// EffectiveInterval is the configured interval, or DefaultInterval.
func (c *Config) EffectiveInterval() time.Duration {
	if c.Interval <= 0 {
		return DefaultInterval
	}
	return time.Duration(c.Interval)
}

// validate checks what run needs; the message names the field.
func (c *Config) validate() error {
	if _, err := ParseServerURL(c.Server); err != nil {
		return err
	}
	if _, _, ok := handwash.ParseCredential(handwash.PrefixDevice, c.Credential.Reveal()); !ok {
		return errors.New("credential: not a device credential (they start with hwd_)")
	}
	if c.Fingerprint != "" {
		if _, err := ParseFingerprint(c.Fingerprint); err != nil {
			return err
		}
	}
	if c.Interval != 0 && time.Duration(c.Interval) < MinInterval {
		return fmt.Errorf("interval: %s is shorter than the minimum of %s", time.Duration(c.Interval), MinInterval)
	}
	if len(c.Backups) > maxBackupTargets {
		return fmt.Errorf("backups: %d backups; at most %d can be verified from one device", len(c.Backups), maxBackupTargets)
	}
	seen := map[string]bool{}
	for _, t := range c.Backups {
		if err := t.validate(); err != nil {
			return err
		}
		if seen[t.Key()] {
			return fmt.Errorf("backups: %s is listed twice", t.Key())
		}
		seen[t.Key()] = true
	}
	return nil
}

// maxConfigSize bounds what LoadConfig reads: the file is a few hundred bytes.
const maxConfigSize = 64 << 10

// LoadConfig reads the configuration. A missing file is ENOTFOUND ("not
// enrolled"), a file this user may not read is EINVALID with advice to run
// as an administrator; neither message holds the credential.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &handwash.Error{Code: handwash.ENOTFOUND, Err: err,
			Message: fmt.Sprintf("this computer is not enrolled yet (no %s): enrol it with 'handwash agent enroll --server URL --token TOKEN'", path)}
	case errors.Is(err, fs.ErrPermission):
		return nil, &handwash.Error{Code: handwash.EINVALID, Err: err,
			Message: fmt.Sprintf("cannot read %s: only an administrator (root on Linux and macOS) may; run this command as one", path)}
	case err != nil:
		return nil, fmt.Errorf("reading the agent configuration: %w", err)
	}
	if len(b) > maxConfigSize {
		return nil, handwash.Errorf(handwash.EINVALID, "%s is too large to be an agent configuration", path)
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		// The decoder's message quotes no values, only field names and offsets.
		return nil, handwash.Errorf(handwash.EINVALID, "%s is damaged (%v): enrol again with 'handwash agent enroll'", path, err)
	}
	if err := c.validate(); err != nil {
		return nil, handwash.Errorf(handwash.EINVALID, "%s: %v: enrol again with 'handwash agent enroll'", path, err)
	}
	return &c, nil
}

// Save writes the configuration so that it appears whole or not at all,
// readable only by administrators: the directory is made private first
// (0700, or on Windows an access list of SYSTEM and Administrators), then
// the file is written beside its final name and renamed into place.
func (c *Config) Save(path string) error {
	if err := c.validate(); err != nil {
		return handwash.Errorf(handwash.EINVALID, "agent configuration: %v", err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	if err := PrepareDir(filepath.Dir(path)); err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'), true)
}

// PrepareDir makes the agent's directory, readable only by administrators.
// It fails with advice when this user may not.
func PrepareDir(dir string) error {
	if err := secureDir(dir); err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return &handwash.Error{Code: handwash.EINVALID, Err: err,
				Message: fmt.Sprintf("cannot write in %s: run this command as an administrator (with sudo on Linux and macOS)", dir)}
		}
		return fmt.Errorf("preparing %s: %w", dir, err)
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, flushed to disk before the rename, so a crash leaves either
// the old file or the new one. private files get owner-only permissions
// (an administrators-only access list on Windows) before they get their
// name.
func writeFileAtomic(path string, data []byte, private bool) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name) // after a successful rename this finds nothing
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if private {
		if err := secureFile(name); err != nil {
			return err
		}
	} else if err := os.Chmod(name, 0o644); err != nil {
		return err
	}
	if err := renameReplacing(name, path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// renameReplacing renames old to new, replacing new. Windows refuses to
// replace a file that another program has open at that moment (the running
// agent reading its configuration, say), so a refusal is retried for a
// second before it counts.
func renameReplacing(old, new string) error {
	var err error
	for range 20 {
		if err = os.Rename(old, new); err == nil || !errors.Is(err, fs.ErrPermission) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

// syncDir makes a rename in dir durable where the system allows it
// (Windows does not let a directory be flushed; its renames are journalled).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}

// credentialPattern matches Handwash credentials of every kind.
var credentialPattern = regexp.MustCompile(`\b(hw[dte])_[A-Za-z0-9_]+`)

// RedactCredential removes anything that looks like a Handwash credential
// from text that may be logged or shown, such as a server's error message
// that quoted a request.
func RedactCredential(s string) string {
	return credentialPattern.ReplaceAllString(s, "${1}_"+redacted)
}
