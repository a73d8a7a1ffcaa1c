package english

import "testing"

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 people", 1: "1 person", 2: "2 people", 1500: "1500 people"} {
		if got := Count(n, "person", "people"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
	if HasHave(1) != "has" || HasHave(0) != "have" || HasHave(2) != "have" {
		t.Error("HasHave does not agree with its number")
	}
}

func TestList(t *testing.T) {
	for _, c := range []struct {
		items []string
		more  int
		want  string
	}{
		{nil, 0, ""},
		{nil, 3, "3 more"},
		{[]string{"a"}, 0, "a"},
		{[]string{"a", "b"}, 0, "a and b"},
		{[]string{"a", "b", "c"}, 0, "a, b and c"},
		{[]string{"a", "b"}, 3, "a, b and 3 more"},
	} {
		if got := List(c.items, c.more); got != c.want {
			t.Errorf("List(%q, %d) = %q, want %q", c.items, c.more, got, c.want)
		}
	}
	// The caller's slice is left alone, even with room to grow.
	backing := make([]string, 1, 4)
	backing[0] = "a"
	List(backing, 2)
	if got := backing[:2][1]; got != "" {
		t.Errorf("List wrote %q into the caller's slice", got)
	}
}
