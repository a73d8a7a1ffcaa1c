package training

import (
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

func TestParseByHand(t *testing.T) {
	m, err := ParseByHand(map[string]string{
		"name": "  Jo   Bloggs ", "email": "jo.bloggs@rosecourtcare.co.uk", "role": "Senior carer",
		"started_on": "2024-09-02", "left_on": "2026-10-31", "csrf_token": "ignored",
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := describeStaff(m); got != "Jo Bloggs|jo.bloggs@rosecourtcare.co.uk|Senior carer|2024-09-02|2026-10-31" {
		t.Errorf("got %s", got)
	}
	m, err = ParseByHand(map[string]string{"name": "Trustee Two"})
	if err != nil || describeStaff(m) != "Trustee Two|||-|-" {
		t.Errorf("only a name: %s, %v", describeStaff(m), err)
	}
}

func TestParseByHandErrors(t *testing.T) {
	ok := map[string]string{"name": "Jo Bloggs", "started_on": "2024-09-02"}
	with := func(k, v string) map[string]string {
		m := maps.Clone(ok)
		m[k] = v
		return m
	}
	for _, c := range []struct {
		form map[string]string
		msg  string
	}{
		{with("name", ""), "name: is empty"},
		{with("name", " \t "), "name: is empty"},
		{with("name", strings.Repeat("a", 201)), "name: is longer than 200 characters"},
		{with("name", "Jo\x1b[2J"), "name: holds control characters"},
		{with("name", "jo@example.co.uk"), `name: "jo@example.co.uk" looks like an email address`},
		{with("role", "ok\u202eevil"), "role: holds control characters"},
		{with("name", "\xff"), "name: is not valid text"},
		{with("email", "jo bloggs"), `email: "jo bloggs" is not an email address`},
		{with("email", "jo@localhost"), `email: "jo@localhost" is not an email address`},
		{with("email", "a@b@c.uk"), `email: "a@b@c.uk" is not an email address`},
		{with("started_on", "02/09/2024"), `started_on: "02/09/2024" is not a date: use the form YYYY-MM-DD`},
		{with("started_on", "2024-02-30"), `started_on: "2024-02-30" is not a date`},
		{with("started_on", "1850-01-01"), "started_on: 1850-01-01 is not a likely date"},
		{with("left_on", "tomorrow"), `left_on: "tomorrow" is not a date`},
		{with("left_on", "2024-09-01"), "left_on: 2024-09-01 is before the start date, 2024-09-02"},
	} {
		_, err := ParseByHand(c.form)
		var he *handwash.Error
		if !errors.As(err, &he) || he.Code != handwash.EINVALID || !strings.HasPrefix(err.Error(), c.msg) {
			t.Errorf("%v: error %v, want an EINVALID error starting %q", c.form, err, c.msg)
		}
	}
}
