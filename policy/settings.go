package policy

import (
	"fmt"
	"time"
)

// Settings are the choices an organisation may make about how its devices
// are judged. Controls read them as the CEL variable settings, by their
// JSON names (settings.backup_max_age). A zero field takes its default, so
// Settings{} judges as Handwash always has.
type Settings struct {
	// BackupMaxAge is how old the newest successful backup may be before
	// backup.recent fails: 24 hours unless set (the NCSC Small Business
	// Guide's "make backing up part of your everyday business").
	BackupMaxAge time.Duration `json:"backup_max_age"`
}

// The backup age an organisation may set, and the default.
const (
	DefaultBackupMaxAge = 24 * time.Hour
	MinBackupMaxAge     = time.Hour
	MaxBackupMaxAge     = 31 * 24 * time.Hour
)

// WithDefaults returns the settings with every zero field set to its
// default: what Evaluate judges with.
func (s Settings) WithDefaults() Settings {
	if s.BackupMaxAge == 0 {
		s.BackupMaxAge = DefaultBackupMaxAge
	}
	return s
}

// String names the settings, for logs and for telling apart assessments
// made with different ones.
func (s Settings) String() string {
	return "backup_max_age=" + s.BackupMaxAge.String()
}

// CheckBackupMaxAge says what is wrong with a backup age limit people gave,
// or returns nil. The text follows the value, as in `"30m" is too short:
// …`, and says what to give instead. Callers check the value where they
// read it (handwash.yaml, serve's --backup-max-age); Evaluate uses what it
// is given.
func CheckBackupMaxAge(d time.Duration) error {
	const allowed = "give at least 1h and at most 744h (31 days), such as 48h for two days"
	switch {
	case d < MinBackupMaxAge:
		return fmt.Errorf("is too short: %s", allowed)
	case d > MaxBackupMaxAge:
		return fmt.Errorf("is too long: %s", allowed)
	}
	return nil
}

// periodText says exactly how long a limit is: "24 hours", "2 days",
// "36 hours", "90 minutes". Unlike ageText, which rounds down, it never
// says a limit is shorter than it is.
func periodText(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return fmt.Sprintf("%d %ss", n, unit)
	}
	const day = 24 * time.Hour
	switch {
	case d >= 2*day && d%day == 0:
		return plural(int64(d/day), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int64(d/time.Minute), "minute")
	}
	return d.String()
}
