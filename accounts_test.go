package handwash

import "testing"

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
