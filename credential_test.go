package handwash

import (
	"strings"
	"testing"
)

func TestCredentialRoundTrip(t *testing.T) {
	id := NewID("dev")
	secret := NewSecret()
	cred := Credential(PrefixDevice, id, secret)
	gotID, gotSecret, ok := ParseCredential(PrefixDevice, cred)
	if !ok || gotID != id || gotSecret != secret {
		t.Fatalf("ParseCredential(%q) = %q, %q, %v", cred, gotID, gotSecret, ok)
	}
	if !SecretMatches(secret, HashSecret(secret)) || SecretMatches(secret+"x", HashSecret(secret)) || SecretMatches(secret, nil) {
		t.Error("SecretMatches compares wrongly")
	}
	if !strings.HasPrefix(id, "dev_") || len(NewSecret()) != 32 || NewID("x") == NewID("x") {
		t.Errorf("id %q", id)
	}
	for _, bad := range []string{"", "hwd_", "hwd_abc", "hwd_abc_", "hwt_dev_x_y", "hwd__secret", "hwd_" + strings.Repeat("a", 70) + "_s"} {
		if _, _, ok := ParseCredential(PrefixDevice, bad); ok {
			t.Errorf("ParseCredential(%q) accepted", bad)
		}
	}
}
