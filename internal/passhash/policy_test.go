package passhash

import (
	"strings"
	"testing"

	"github.com/handwash/handwash"
)

func TestCheckNew(t *testing.T) {
	common := map[string]bool{"letmein1": true, "qwertyuiop": true}
	deny := func(p string) bool { return common[strings.ToLower(p)] }
	for _, tc := range []struct {
		name     string
		password string
		denied   func(string) bool
		want     string // part of the error message; "" for no error
	}{
		{"three words", "kettleorbitmarmalade", deny, ""},
		{"eight", "abcdefgh", deny, ""},
		{"eight with spaces", "ab cd ef", deny, ""},
		{"eight letters in two bytes each", "éééééééé", deny, ""},
		{"only letters, no rules", "aaaaaaaaaaaa", deny, ""},
		{"longest", strings.Repeat("a", MaxPasswordBytes), deny, ""},
		{"common without a deny list", "letmein1", nil, ""},
		{"empty", "", deny, "Enter a password of at least 8 characters."},
		{"one", "a", deny, "it has 1 character and needs at least 8"},
		{"seven", "abcdefg", deny, "it has 7 characters and needs at least 8"},
		{"seven letters in many bytes", "éééééé😀", deny, "it has 7 characters and needs at least 8"},
		{"too long", strings.Repeat("a", MaxPasswordBytes+1), deny, "too long: the limit is 1,024 characters"},
		{"too long in runes", strings.Repeat("é", 513), deny, "too long"},
		{"common", "letmein1", deny, "on a list of common passwords"},
		{"common any case", "QwertyUiop", deny, "on a list of common passwords"},
		{"not UTF-8", "abcdefgh\xff", deny, "could not be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckNew(tc.password, tc.denied)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckNew(%q) = %v, want nil", tc.password, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckNew(%q) = nil, want an error containing %q", tc.password, tc.want)
			}
			if got := handwash.ErrorCode(err); got != handwash.EINVALID {
				t.Errorf("code = %q, want %q", got, handwash.EINVALID)
			}
			msg := handwash.ErrorMessage(err)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message = %q, want it to contain %q", msg, tc.want)
			}
			if !strings.Contains(msg, "three random words") {
				t.Errorf("message = %q does not suggest three random words", msg)
			}
			if len(tc.password) >= 4 && strings.Contains(msg, tc.password) {
				t.Errorf("message %q repeats the password", msg)
			}
		})
	}
}
