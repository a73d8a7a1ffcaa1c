package mdmimport

import (
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

func TestParseByHand(t *testing.T) {
	d, err := ParseByHand(map[string]string{
		"owner": "  Jo Bloggs ", "model": "iPhone 13", "os": "iOS", "os_version": "17.4.1",
		"passcode": "yes", "encrypted": "unknown", "managed": "No", "last_seen": "2026-11-28",
		"name": "Night phone", "serial": "F4GZK1", "csrf_token": "ignored",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := describe(d); got != "ios|17.4.1|Jo Bloggs|Night phone|iPhone 13|F4GZK1|pass=true|enc=nil|man=false|2026-11-28T00:00:00Z" {
		t.Errorf("got %s", got)
	}
	if d.Source != handwash.MobileByHand {
		t.Errorf("source %q", d.Source)
	}
	// Only what is needed.
	d, err = ParseByHand(map[string]string{"owner": "Jo", "model": "Galaxy A54", "os": "android"})
	if err != nil || d.OSVersion != "" || d.Passcode != nil || d.LastSeen != nil {
		t.Errorf("minimal: %+v %v", d, err)
	}
}

func TestParseByHandErrors(t *testing.T) {
	ok := map[string]string{"owner": "Jo", "model": "iPhone 13", "os": "ios"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range ok {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, c := range []struct {
		form map[string]string
		msg  string
	}{
		{with("owner", ""), "owner: is empty"},
		{with("model", "   "), "model: is empty"},
		{with("os", ""), "os: is empty: choose ios, ipados or android"},
		{with("os", "windows"), `os: "windows" is not a phone or tablet system: choose ios, ipados or android`},
		{with("os_version", "17.4b"), `os_version: "17.4b" is not a version number`},
		{with("os_version", "17..4"), `os_version: "17..4" is not a version number`},
		{with("passcode", "maybe"), `passcode: "maybe" is not an answer: choose yes, no or unknown`},
		{with("managed", "true"), `managed: "true" is not an answer`},
		{with("encrypted", "y"), `encrypted: "y" is not an answer`},
		{with("last_seen", "28/11/2026"), `last_seen: "28/11/2026" is not a date: use the form YYYY-MM-DD`},
		{with("last_seen", "2999-01-01"), "last_seen: 2999-01-01 is not a date the device could have been checked"},
		{with("last_seen", "1999-12-31"), "last_seen: 1999-12-31 is not a date"},
		{with("owner", strings.Repeat("a", 201)), "owner: is longer than 200 characters"},
		{with("model", "iPhone\x1b[2J"), "model: holds control characters"},
		{with("name", "ok\u202eevil"), "name: holds control characters"},
		{with("owner", "\xff\xfe"), "owner: is not valid text"},
	} {
		_, err := ParseByHand(c.form)
		if err == nil {
			t.Errorf("%v: no error", c.form)
			continue
		}
		if handwash.ErrorCode(err) != handwash.EINVALID || !strings.HasPrefix(err.Error(), c.msg) {
			t.Errorf("error %q (%s)\nwant it to start with %q", err, handwash.ErrorCode(err), c.msg)
		}
	}
}
