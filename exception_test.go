package handwash

import (
	"strings"
	"testing"
	"time"
)

func TestNewStoredException(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	p := Principal{Kind: PrincipalUser, ID: "usr_1", Role: RoleOrgAdmin, Scope: Scope{ProviderID: "prv_1", OrgID: "org_1"}}
	known := func(id string) bool { return id == "malware.firewall-on" }
	e, err := NewStoredException(p, "org_1", "dev_1", "malware.firewall-on", "  the old scanner needs it until March ", "Jo Brown", "2027-03-31", now, known)
	if err != nil {
		t.Fatal(err)
	}
	if e.Reason != "the old scanner needs it until March" || e.ProviderID != "prv_1" || e.CreatedBy != "user:usr_1" ||
		!e.Expires.Equal(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)) || !strings.HasPrefix(e.ID, "exc_") {
		t.Errorf("exception = %+v", e)
	}
	for _, c := range []struct {
		name                                        string
		org, control, reason, owner, expires, field string
	}{
		{"no organisation", "", "malware.firewall-on", "r", "o", "2027-01-01", "org_id:"},
		{"no control", "org_1", "", "r", "o", "2027-01-01", "control: missing"},
		{"unknown control", "org_1", "no.such", "r", "o", "2027-01-01", "control: no control"},
		{"no reason", "org_1", "malware.firewall-on", " ", "o", "2027-01-01", "reason: missing"},
		{"long reason", "org_1", "malware.firewall-on", strings.Repeat("x", 1001), "o", "2027-01-01", "reason: longer"},
		{"control character", "org_1", "malware.firewall-on", "r", "o\x07", "2027-01-01", "owner: contains"},
		{"no date", "org_1", "malware.firewall-on", "r", "o", "", "expires: missing"},
		{"not a date", "org_1", "malware.firewall-on", "r", "o", "31/03/2027", "expires: expected"},
		{"past", "org_1", "malware.firewall-on", "r", "o", "2026-11-30", "expires: 2026-11-30 has passed"},
	} {
		_, err := NewStoredException(p, c.org, "", c.control, c.reason, c.owner, c.expires, now, known)
		if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v, want EINVALID naming %q", c.name, err, c.field)
		}
	}
}
