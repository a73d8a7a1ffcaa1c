package collect

import (
	"testing"
)

// TestMacOSGolden collects whole Macs from recordings (see the comment at
// the top of each for what is real and what was written from
// documentation) and compares the Facts with the golden files. Run
// `go test ./collect -run TestMacOSGolden -update` to rewrite them, then
// read the diff.
func TestMacOSGolden(t *testing.T) {
	for _, name := range []string{"well-kept", "neglected", "non-admin"} {
		t.Run(name, func(t *testing.T) {
			f := collectReplay(t, "testdata/macos/"+name+".txtar", macosCollectors())
			for _, c := range f.Collection.Collectors {
				if c.Error != "" {
					t.Errorf("collector %s failed: %s", c.Name, c.Error)
				}
			}
			checkGolden(t, "testdata/macos/"+name+".facts.json", f)
		})
	}
}
