package agent

import (
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

func TestEnrollInstructions(t *testing.T) {
	got := EnrollInstructions("https://hw.example:8443", "hwe_tok_abc_secret", "sha256:AB")
	if len(got) != 3 || got[0].Platform != handwash.PlatformWindows || got[1].Platform != handwash.PlatformMacOS || got[2].Platform != handwash.PlatformLinux {
		t.Fatalf("platforms: %+v", got)
	}
	if want := `.\handwash.exe agent enroll --server https://hw.example:8443 --token hwe_tok_abc_secret --fingerprint sha256:AB`; got[0].Commands[0] != want {
		t.Errorf("Windows: %q, want %q", got[0].Commands[0], want)
	}
	if want := "sudo handwash agent enroll --server https://hw.example:8443 --token hwe_tok_abc_secret --fingerprint sha256:AB"; got[2].Commands[0] != want {
		t.Errorf("Linux: %q, want %q", got[2].Commands[0], want)
	}
	// A server address with characters a shell would read is quoted for
	// each shell.
	odd := EnrollInstructions("https://care home's server", "hwe_x_y", "")
	if !strings.Contains(odd[0].Commands[0], `'https://care home''s server'`) || !strings.Contains(odd[1].Commands[0], `'https://care home'\''s server'`) {
		t.Errorf("quoting: %q, %q", odd[0].Commands[0], odd[1].Commands[0])
	}
	if strings.Contains(odd[2].Commands[0], "--fingerprint") {
		t.Error("a fingerprint flag without a fingerprint")
	}
}
