package vercmp

import (
	"math/rand/v2"
	"testing"
)

// checkOrder checks that cmp is a total order on versions: it returns only
// -1, 0 or 1, every version equals itself, swapping the arguments negates
// the result, and the order is transitive on random triples drawn from
// versions (with a fixed seed, so that a failure repeats).
func checkOrder(t *testing.T, name string, cmp func(a, b string) int, versions []string) {
	t.Helper()
	for _, a := range versions {
		if got := cmp(a, a); got != 0 {
			t.Errorf("%s(%q, itself) = %d, want 0", name, a, got)
		}
		for _, b := range versions {
			ab, ba := cmp(a, b), cmp(b, a)
			if ab < -1 || ab > 1 {
				t.Errorf("%s(%q, %q) = %d, want -1, 0 or 1", name, a, b, ab)
			}
			if ab != -ba {
				t.Errorf("%s(%q, %q) = %d but %s(%q, %q) = %d", name, a, b, ab, name, b, a, ba)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		a := versions[r.IntN(len(versions))]
		b := versions[r.IntN(len(versions))]
		c := versions[r.IntN(len(versions))]
		if msg := transitivity(cmp, a, b, c); msg != "" {
			t.Errorf("%s: %s", name, msg)
		}
	}
}

// transitivity returns what is wrong with cmp on a, b and c, if anything:
// a <= b and b <= c must give a <= c, strictly if either step is strict.
func transitivity(cmp func(a, b string) int, a, b, c string) string {
	ab, bc, ac := cmp(a, b), cmp(b, c), cmp(a, c)
	if ab > 0 || bc > 0 {
		// Turn it round: c <= b <= a.
		if ab < 0 || bc < 0 {
			return ""
		}
		ab, bc, ac = -bc, -ab, -ac
		a, c = c, a
	}
	want := 0
	if ab < 0 || bc < 0 {
		want = -1
	}
	if ac != want {
		return "(" + a + ", " + b + ", " + c + ") is not transitive"
	}
	return ""
}

// tableVersions returns every version that appears in a table of pairs.
func tableVersions[T any](tests []T, pair func(T) (string, string), more ...string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	for _, tt := range tests {
		a, b := pair(tt)
		add(a)
		add(b)
	}
	for _, v := range more {
		add(v)
	}
	return out
}
