package dashboard

import "testing"

// A staff link's secret never reaches the logs.
func TestLogPath(t *testing.T) {
	for in, want := range map[string]string{
		"/s/hws_stl_abc123_SECRETSECRET/phone": "/s/hws_stl_abc123_…/phone",
		"/s/hws_stl_abc123_SECRETSECRET":       "/s/hws_stl_abc123_…/",
		"/s/whatever-was-typed":                "/s/hws_?_…/",
		"/orgs/org_1/phones":                   "/orgs/org_1/phones",
	} {
		if got := logPath(in); got != want {
			t.Errorf("logPath(%q) = %q, want %q", in, got, want)
		}
	}
}
