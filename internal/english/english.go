// Package english writes counts and lists as the sentences of findings and
// reports need them: "3 people have", "a, b and 2 more".
package english

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Count is n with its noun: "1 person", "3 people".
func Count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// HasHave is the verb that agrees with n: "has" for one, "have" otherwise.
func HasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

// List joins items as a sentence does, with "N more" at the end when more
// is over 0: "a", "a and b", "a, b and 3 more". items is not changed.
func List(items []string, more int) string {
	items = slices.Clone(items)
	if more > 0 {
		items = append(items, fmt.Sprintf("%d more", more))
	}
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
