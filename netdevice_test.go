package handwash

import (
	"strings"
	"testing"
	"time"
)

func TestNetworkDeviceFindings(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	past, future := now.AddDate(0, -1, 0), now.AddDate(2, 0, 0)
	yes, no := true, false
	status := func(ds []*NetworkDevice) (Status, Status, []Finding) {
		fs := NetworkDeviceFindings(ds, now)
		return fs[0].Status, fs[1].Status, fs
	}
	if pw, fw, _ := status(nil); pw != StatusNotApplicable || fw != StatusNotApplicable {
		t.Errorf("empty register: %s, %s", pw, fw)
	}
	good := &NetworkDevice{Name: "Router", DefaultPasswordChanged: &yes, SupportEnds: &future}
	if pw, fw, _ := status([]*NetworkDevice{good}); pw != StatusPass || fw != StatusPass {
		t.Errorf("good router: %s, %s", pw, fw)
	}
	old := &NetworkDevice{Name: "Printer", Model: "HP 1020", DefaultPasswordChanged: &no, SupportEnds: &past}
	pw, fw, fs := status([]*NetworkDevice{good, old, {Name: "Camera"}})
	if pw != StatusFail || fw != StatusFail || !strings.Contains(fs[0].Summary, "1 of 3") || !strings.Contains(fs[0].Summary, "Printer (HP 1020)") ||
		!strings.Contains(fs[1].Summary, "since 30 October 2026") || fs[0].Fix == "" || fs[1].Why == "" {
		t.Errorf("failing register: %+v", fs)
	}
	if pw, fw, _ := status([]*NetworkDevice{good, {Name: "Camera"}}); pw != StatusUnknown || fw != StatusUnknown {
		t.Errorf("unknown camera: %s, %s", pw, fw)
	}
}
