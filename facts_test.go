package handwash

import (
	"testing"
	"time"
)

func TestDigestIgnoresWhenAndHowLong(t *testing.T) {
	yes := true
	a := &Facts{Schema: FactsSchema, CollectedAt: time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC),
		Device:     DeviceInfo{Platform: PlatformLinux, Hostname: "pc"},
		Firewall:   &FirewallFacts{Profiles: []FirewallProfile{{Name: "default", Enabled: &yes}}},
		Collection: Collection{DurationMS: 120, Collectors: []CollectorRun{{Name: "linux-os", DurationMS: 4}}}}
	b := *a
	b.CollectedAt = b.CollectedAt.Add(4 * time.Hour)
	b.Collection = Collection{DurationMS: 90, Collectors: []CollectorRun{{Name: "linux-os", DurationMS: 7}}}
	if a.Digest() != b.Digest() {
		t.Error("the digest depends on when or how long the collection took")
	}
	if a.Collection.Collectors[0].DurationMS != 4 {
		t.Error("Digest changed the Facts")
	}
	c := b
	c.Device.Hostname = "pc2"
	if c.Digest() == a.Digest() {
		t.Error("the digest does not depend on what was observed")
	}
	if got := a.Digest(); len(got) != len("sha256:")+64 || got[:7] != "sha256:" {
		t.Errorf("digest = %q", got)
	}
}
