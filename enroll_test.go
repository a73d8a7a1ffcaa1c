package handwash

import (
	"strings"
	"testing"
	"time"
)

func TestNewEnrollToken(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	tok, secret, err := NewEnrollToken("prv_1", "org_1", "sit_1", 20, 24*time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	if !SecretMatches(secret, tok.SecretHash) || tok.MaxUses != 20 || !tok.ExpiresAt.Equal(now.Add(24*time.Hour)) || tok.SiteID != "sit_1" || !strings.HasPrefix(tok.ID, "enr_") {
		t.Errorf("token = %+v", tok)
	}
	for _, c := range []struct {
		name  string
		org   string
		uses  int
		life  time.Duration
		field string
	}{
		{"no organisation", "", 1, time.Hour, "org_id:"},
		{"no uses", "org_1", 0, time.Hour, "max_uses:"},
		{"too many uses", "org_1", MaxEnrollUses + 1, time.Hour, "max_uses:"},
		{"too short", "org_1", 1, time.Minute, "expires_in:"},
		{"too long", "org_1", 1, MaxEnrollLife + time.Hour, "expires_in:"},
	} {
		if _, _, err := NewEnrollToken("prv_1", c.org, "", c.uses, c.life, now); ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: %v, want EINVALID naming %s", c.name, err, c.field)
		}
	}
}
