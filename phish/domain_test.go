package phish

import "testing"

// TestSkeletonASCII checks the per-character table gives what the full
// Unicode folding gives.
func TestSkeletonASCII(t *testing.T) {
	for _, s := range []string{"barclays.co.uk", "rnicrosoft", "Microsoft", "NHS Payroll", "paypa1", "g00gle", "0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz"} {
		if got, want := skeleton(s), fullSkeleton(s); got != want {
			t.Errorf("skeleton(%q) = %q, want %q", s, got, want)
		}
	}
}
