package policy

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/handwash/handwash"
)

func TestZZProbe(t *testing.T) {
	exprs := []string{
		`facts.updates.pending.map(p, has(p.released))`,
		`facts.updates.pending.map(p, p.released)`,
		`facts.updates.pending.filter(p, has(p.released)).map(p, now - p.released > duration('336h'))`,
		`{21: 'FTP', 23: 'Telnet'}[23]`,
		`23 in [21, 23]`,
		`string(now)`,
		`['Jan','Feb'][now.getMonth() % 2] + ' ' + string(now.getDate())`,
		`'%s items'.format([3])`,
		`(now - timestamp('2026-11-01T00:00:00Z')).getHours() / 24`,
		`facts.updates.pending.sortBy(p, p.name).map(p, p.name)`,
		`facts.updates.last_installed`,
		`has(facts.updates.last_installed)`,
		`facts.os.extended_support`,
		`true || facts.os.extended_support`,
		`facts.device.graphical`,
		`os_support.ends`,
		`os_support.product`,
		`[now, now - duration('1h')].sort()[0]`,
		`string(123)`,
		`facts.device.form_factor in ['laptop', 'tablet']`,
	}
	yaml := ""
	for i, e := range exprs {
		_ = i
		yaml += "    - {label: e" + string(rune('a'+i)) + ", expr: \"" + e + "\"}\n"
	}
	good := `- id: malware.x
  area: malware
  severity: high
  title: T
  checks: C
  why: W.
  pass: "true"
  evidence:
` + yaml + `  fix: {windows: a, macos: b, linux: c}
  references: [{scheme: ce, text: t}]
`
	c, err := Load(fstest.MapFS{
		"controls/catalogue.yaml": {Data: []byte("version: test\n")},
		"controls/malware.yaml":   {Data: []byte(good)},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	f := &handwash.Facts{Device: handwash.Device{Platform: "windows"},
		OS: &handwash.OSFacts{Name: "Windows 10 Pro", Version: "10.0.19045", Build: "19045", Edition: "Professional"},
		Updates: &handwash.UpdateFacts{Pending: []handwash.PendingUpdate{{Name: "b", Security: true}, {Name: "a", Released: &r}}}}
	a := c.Evaluate(f, Options{Now: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)})
	for i, e := range a.Findings[0].Evidence {
		t.Logf("%s => %s", exprs[i], e.Value)
	}
}
