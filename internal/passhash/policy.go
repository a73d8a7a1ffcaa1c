package passhash

import (
	"unicode/utf8"

	"github.com/handwash/handwash"
)

// MinPasswordChars is the shortest password CheckNew accepts. Cyber
// Essentials accepts 8 characters when common passwords are blocked with a
// deny list, 12 without one, or any length behind multi-factor
// authentication; the dashboard asks for MFA and passes a deny list.
const MinPasswordChars = 8

// tryWords is the advice every refusal ends with, from the NCSC's guidance
// on passwords people can remember.
const tryWords = "Try three random words, for example three things you can see around you, joined together."

// CheckNew reports whether password may be set as a new password, as a
// handwash.Error with code EINVALID that tells the person what to do if not.
// It asks for at least 8 characters, refuses passwords that denied reports
// as common (when denied is not nil), and refuses passwords over
// MaxPasswordBytes only to bound the cost of hashing. It has no rules about
// kinds of characters: the NCSC advises against them, because they lead to
// predictable passwords without making them stronger.
func CheckNew(password string, denied func(string) bool) error {
	if len(password) > MaxPasswordBytes {
		return handwash.Errorf(handwash.EINVALID,
			"Your password is too long: the limit is 1,024 characters (fewer if it has accented letters or letters from other alphabets), so that checking it stays quick. %s", tryWords)
	}
	if !utf8.ValidString(password) {
		return handwash.Errorf(handwash.EINVALID,
			"Your password has characters that could not be read. Type it again, or choose another one. %s", tryWords)
	}
	switch n := utf8.RuneCountInString(password); {
	case n == 0:
		return handwash.Errorf(handwash.EINVALID,
			"Enter a password of at least %d characters. %s", MinPasswordChars, tryWords)
	case n == 1:
		return handwash.Errorf(handwash.EINVALID,
			"Your password is too short: it has 1 character and needs at least %d. %s", MinPasswordChars, tryWords)
	case n < MinPasswordChars:
		return handwash.Errorf(handwash.EINVALID,
			"Your password is too short: it has %d characters and needs at least %d. %s", n, MinPasswordChars, tryWords)
	}
	if denied != nil && denied(password) {
		return handwash.Errorf(handwash.EINVALID,
			"That password is on a list of common passwords that attackers try first. Choose a different one. %s", tryWords)
	}
	return nil
}
