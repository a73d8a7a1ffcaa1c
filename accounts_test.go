package handwash

import (
	"testing"
	"time"
)

func TestSourceNamesAndOrder(t *testing.T) {
	for _, s := range CloudSources {
		if CloudSourceName(s) == "" {
			t.Errorf("cloud source %q has no name", s)
		}
	}
	for _, s := range MobileSources {
		if MobileSourceName(s) == "" {
			t.Errorf("mobile source %q has no name", s)
		}
	}
	if CloudSourceName("okta") != "" || MobileSourceName("airwatch") != "" {
		t.Error("an unknown source has a name")
	}
	if SourceRank(MobileSources, MobileIntune) != 0 || SourceRank(MobileSources, MobileSelfCheck) != 4 || SourceRank(MobileSources, "airwatch") != 5 {
		t.Error("SourceRank does not follow the order")
	}
	if !IsMDM(MobileJamf) || IsMDM(MobileByHand) || IsMDM(MobileSelfCheck) {
		t.Error("IsMDM is wrong")
	}
}

func TestDurationAndEveryWords(t *testing.T) {
	for d, want := range map[time.Duration][2]string{
		time.Hour:          {"1 hour", "every hour"},
		6 * time.Hour:      {"6 hours", "every 6 hours"},
		24 * time.Hour:     {"1 day", "every day"},
		7 * 24 * time.Hour: {"7 days", "every 7 days"},
		36 * time.Hour:     {"36 hours", "every 36 hours"},
		90 * time.Minute:   {"90 minutes", "every 90 minutes"},
	} {
		if got := DurationWords(d); got != want[0] {
			t.Errorf("DurationWords(%s) = %q, want %q", d, got, want[0])
		}
		if got := EveryWords(d); got != want[1] {
			t.Errorf("EveryWords(%s) = %q, want %q", d, got, want[1])
		}
	}
}
