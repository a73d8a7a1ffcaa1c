package policy

import "testing"

// ceAccountRules are Cyber Essentials' password, unlocking and account
// rules as ../shared/domain.md quotes them (IASME's requirements for IT
// infrastructure, "Secure configuration" and "User access control"), each
// with the device controls that check it. Rules no device can show (an
// approval process for new accounts, disabling leavers' accounts, MFA on
// cloud services) are checked elsewhere: the cloud account import
// (passwords.cloud-*) and the self-assessment.
var ceAccountRules = []struct {
	rule     string
	controls []string
}{
	{"Device unlocking: a credential such as a biometric, password or PIN must be in place", []string{"devices.screen-lock", "passwords.no-empty", "passwords.auto-logon-off"}},
	{"a PIN of at least six characters only where it just unlocks the device", []string{"devices.pin-length"}},
	{"throttle to no more than 10 guesses in 5 minutes, or lock after no more than 10 unsuccessful attempts", []string{"passwords.lockout"}},
	{"remove or disable unnecessary accounts, such as guest accounts and administrative accounts that won't be used", []string{"passwords.guest-off", "passwords.builtin-admin-off"}},
	{"regularly change any default or guessable account passwords", []string{"passwords.no-empty", "passwords.ssh-empty"}},
	{"disable any auto-run feature which allows file execution without user authorisation", []string{"malware.autorun-off"}},
	{"separate administrator accounts, not used for email and web browsing", []string{"phishing.daily-account-not-admin", "passwords.ssh-root"}},
	{"password quality: at least 12 characters, or at least 8 with a deny list, with no maximum length", []string{"passwords.min-length"}},
	{"not enforcing regular password expiry", []string{"passwords.no-expiry"}},
	{"brute force protection for remote log-in (throttling or MFA)", []string{"passwords.ssh-password", "malware.rdp-nla", "malware.rdp-off"}},
}

// Every Cyber Essentials password and account rule that a device can show
// is checked by a control in the catalogue.
func TestCyberEssentialsAccountRulesCovered(t *testing.T) {
	cat, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ceAccountRules {
		if len(r.controls) == 0 {
			t.Errorf("%q has no control", r.rule)
		}
		for _, id := range r.controls {
			if _, ok := cat.Control(id); !ok {
				t.Errorf("%q: control %s is not in the catalogue", r.rule, id)
			}
		}
	}
}
