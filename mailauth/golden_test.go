package mailauth

import (
	"bytes"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/handwash/handwash/internal/golden"
)

// TestGolden renders whole reports, as text and as JSON, for domains at
// each end of the scale, and compares them with testdata/<name>.txt and
// .json. Run with -update to rewrite them after a deliberate change, and
// read the diff: it is what people will see.
func TestGolden(t *testing.T) {
	base := goodM365(t)
	tests := []struct {
		name  string
		zone  records
		setup func(*setup)
	}{
		{name: "good-m365", zone: base},
		{
			// A new Microsoft 365 customer who has done only what the set-up
			// wizard asked: MX and SPF.
			name: "bare-m365",
			zone: records{"mx": base["mx"], "spf": base["spf"]},
			setup: func(s *setup) {
				s.policies, s.signed = nil, nil
			},
		},
		{
			name: "partial-google",
			zone: records{
				"mx":      "sunnyside.example. MX 1 aspmx.l.google.com.\naspmx.l.google.com. A 192.0.2.30",
				"spf":     `sunnyside.example. TXT "v=spf1 include:_spf.google.com ~all"` + "\n" + `_spf.google.com. TXT "v=spf1 ip4:192.0.2.0/24 ~all"`,
				"dmarc":   `_dmarc.sunnyside.example. TXT "v=DMARC1; p=none; rua=mailto:d@reports.example.net; ruf=mailto:f@reports.example.net"`,
				"dkim":    `google._domainkey.sunnyside.example. TXT ` + txt("v=DKIM1; k=rsa; p="+testKey(t, "1024")),
				"mta-sts": `_mta-sts.sunnyside.example. TXT "v=STSv1; id=1"`,
			},
			setup: func(s *setup) {
				s.signed = nil
				s.policies["mta-sts."+home] = policy{body: "version: STSv1\nmode: testing\nmx: aspmx.l.google.com\nmax_age: 86400\n"}
			},
		},
		{
			name:  "dns-failing",
			zone:  base,
			setup: func(s *setup) { s.servfail = []string{"_dmarc." + home, "selector1._domainkey." + home} },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := goodSetup()
			if tt.setup != nil {
				tt.setup(&s)
			}
			rep := run(t, tt.zone.zone(), home, s)
			var text bytes.Buffer
			if err := WriteText(&text, rep); err != nil {
				t.Fatal(err)
			}
			js, err := json.MarshalIndent(rep, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			// The test DNS server's port changes from run to run.
			port := regexp.MustCompile(`127\.0\.0\.1:[0-9]+`)
			golden.Check(t, tt.name+".txt", port.ReplaceAll(text.Bytes(), []byte("127.0.0.1:53")))
			golden.Check(t, tt.name+".json", port.ReplaceAll(append(js, '\n'), []byte("127.0.0.1:53")))
		})
	}
}
