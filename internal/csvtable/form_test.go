package csvtable

import "testing"

func TestField(t *testing.T) {
	for _, c := range []struct {
		in, clean, problem string
	}{
		{"  Ann  Lee ", "Ann Lee", ""},
		{"", "", ""},
		{"bad\xff", "", "is not valid text: type it again"},
		{"a\x07b", "", "holds control characters: type it again"},
		{"abcdefghijk", "", "is longer than 10 characters"},
		{"Zoë", "Zoë", ""},
	} {
		clean, problem := Field(c.in, 10)
		if clean != c.clean || problem != c.problem {
			t.Errorf("Field(%q) = %q, %q; want %q, %q", c.in, clean, problem, c.clean, c.problem)
		}
	}
}
