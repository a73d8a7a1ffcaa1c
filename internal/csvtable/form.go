package csvtable

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Field checks one text field typed into a form, as the imports check a
// cell: it returns the text trimmed and cleaned, or, when the text is not
// valid UTF-8, longer than max characters or holds control or formatting
// characters, what is wrong in words that follow the field's name ("is
// longer than 200 characters").
func Field(v string, max int) (clean, problem string) {
	v = strings.TrimSpace(v)
	switch {
	case !utf8.ValidString(v):
		return "", "is not valid text: type it again"
	case utf8.RuneCountInString(v) > max:
		return "", fmt.Sprintf("is longer than %d characters", max)
	case CleanText(v) != strings.Join(strings.Fields(v), " "):
		return "", "holds control characters: type it again"
	}
	return CleanText(v), ""
}
