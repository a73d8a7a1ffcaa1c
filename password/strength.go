package password

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/handwash/handwash/internal/zxcvbn"
	"github.com/handwash/handwash/internal/zxcvbn/match"
)

// MaxAssessedChars is how many characters of a password Strength looks at.
// zxcvbn's matching takes time that grows faster than the square of the
// length (about 0.1 s at 128 characters, 40 s at 1,024), so longer
// passwords are judged on their first 128 characters; more characters only
// make a password harder to guess, so the estimate stays on the safe side.
const MaxAssessedChars = 128

// StrongScore is the lowest score counted as strong: zxcvbn's "safely
// unguessable", over 10^8 guesses, which resists an attacker with a
// stolen database of well-protected (slowly hashed) passwords.
const StrongScore = 3

// Result is the strength of one password. It never holds the password or
// any part of it: patterns are described by kind and position only.
type Result struct {
	// Score is zxcvbn's 0 to 4: 0 under 10^3 guesses, 1 under 10^6, 2
	// under 10^8, 3 under 10^10, 4 beyond.
	Score int `json:"score"`
	// Rating is the score in words: very weak, weak, not strong enough,
	// strong or very strong.
	Rating string `json:"rating"`
	// Strong is Score >= StrongScore.
	Strong bool `json:"strong"`
	// Guesses is zxcvbn's estimate of the guesses an attacker who knows
	// the common patterns needs; GuessesLog10 is its base-10 logarithm.
	Guesses      float64 `json:"guesses"`
	GuessesLog10 float64 `json:"guesses_log10"`
	// CrackTimes says how long those guesses take in four attacks, from
	// an online login that slows attackers down to a stolen database of
	// quickly hashed passwords.
	CrackTimes []CrackTime `json:"crack_times"`
	// Patterns is how zxcvbn sees the password, part by part, in order.
	Patterns []Pattern `json:"patterns"`
	// Warning is the main problem in a sentence ("" when there is none).
	Warning string `json:"warning,omitempty"`
	// Suggestions say what would make this password stronger.
	Suggestions []string `json:"suggestions,omitempty"`
	// Advice is the NCSC's advice on passwords, the same for every
	// password: three random words, a password manager, no reuse, MFA.
	Advice []string `json:"advice"`
	// Truncated is true when the password is longer than
	// MaxAssessedChars and only its start was assessed.
	Truncated bool `json:"truncated,omitempty"`
}

// CrackTime is how long an attacker needs for Result.Guesses at one rate.
type CrackTime struct {
	// Attack is zxcvbn's name for it, such as
	// "offline_slow_hashing_1e4_per_second".
	Attack string `json:"attack"`
	// Description says in words who is guessing, and how fast.
	Description string  `json:"description"`
	Seconds     float64 `json:"seconds"`
	// Display is Seconds in words, as zxcvbn shows it: "less than a
	// second", "3 hours", "centuries".
	Display string `json:"display"`
}

// Pattern is one part of the password as zxcvbn matched it.
type Pattern struct {
	// Kind is dictionary, spatial (a keyboard pattern), repeat, sequence,
	// year, date or bruteforce (no pattern: each character guessed).
	Kind string `json:"kind"`
	// Start and End are the positions of its first and last characters,
	// counting from 1.
	Start int `json:"start"`
	End   int `json:"end"`
	// Dictionary names the word list of a dictionary match: common
	// passwords, English words, film and TV words, first names, surnames,
	// or your organisation (the --org-name and --org-domain words).
	Dictionary string `json:"dictionary,omitempty"`
	// Rank is the word's place in that list (1 is the most common).
	Rank int `json:"rank,omitempty"`
	// Reversed, L33t and Capitals say the word was written backwards,
	// with look-alike substitutions (@ for a) or with capital letters.
	Reversed bool `json:"reversed,omitempty"`
	L33t     bool `json:"l33t,omitempty"`
	Capitals bool `json:"capitals,omitempty"`
	// Keyboard is the layout of a spatial match: qwerty, dvorak, keypad.
	Keyboard string `json:"keyboard,omitempty"`
	// Guesses is zxcvbn's estimate for this part alone.
	Guesses      float64 `json:"guesses"`
	GuessesLog10 float64 `json:"guesses_log10"`
	// Description says what this part is, in plain English.
	Description string `json:"description"`
}

// Dictionary names in Pattern.Dictionary.
const (
	DictPasswords    = "common passwords"
	DictEnglish      = "English words"
	DictFilmTV       = "film and TV words"
	DictFirstNames   = "first names"
	DictSurnames     = "surnames"
	DictOrganisation = "your organisation"
)

var dictionaryNames = map[string]string{
	"passwords":         DictPasswords,
	"english_wikipedia": DictEnglish,
	"us_tv_and_film":    DictFilmTV,
	"male_names":        DictFirstNames,
	"female_names":      DictFirstNames,
	"surnames":          DictSurnames,
	"user_inputs":       DictOrganisation,
}

var ratings = [...]string{"very weak", "weak", "not strong enough", "strong", "very strong"}

// Strength estimates how hard pw is to guess, as zxcvbn 4.4.2 does, with
// userInputs (such as the words of OrgWords) as words an attacker would try
// first. It explains the result in plain English and never returns any
// part of pw.
func Strength(pw string, userInputs []string) Result {
	var r Result
	assessed := pw
	if !utf8.ValidString(assessed) {
		// zxcvbn refuses text that is not UTF-8; judge what can be read.
		assessed = strings.ToValidUTF8(assessed, "\uFFFD")
	}
	if utf8.RuneCountInString(assessed) > MaxAssessedChars {
		n := 0
		for i := range assessed {
			if n == MaxAssessedChars {
				assessed = assessed[:i]
				break
			}
			n++
		}
		r.Truncated = true
	}
	z := zxcvbn.PasswordStrength(assessed, cleanInputs(userInputs))
	r.Score = z.Score
	r.Rating = ratings[r.Score]
	r.Strong = r.Score >= StrongScore
	r.Guesses = z.Guesses
	if z.Guesses > 0 {
		r.GuessesLog10 = math.Log10(z.Guesses)
	}
	r.CrackTimes = crackTimes(z.Guesses)
	r.Patterns = make([]Pattern, 0, len(z.Sequence))
	for _, m := range z.Sequence {
		r.Patterns = append(r.Patterns, pattern(assessed, m))
	}
	r.Warning, r.Suggestions = feedback(assessed, r.Score, z.Sequence, r.Patterns)
	if r.Truncated {
		r.Suggestions = append(r.Suggestions, "Only the first 128 characters were assessed; the rest can only make it stronger.")
	}
	r.Advice = NCSCAdvice()
	return r
}

// cleanInputs lower-cases the user inputs and drops empty and one-letter
// ones, which would match every password.
func cleanInputs(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if utf8.RuneCountInString(s) < 2 || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out
}

func pattern(pw string, m *match.Match) Pattern {
	p := Pattern{
		Kind:    m.Pattern,
		Start:   utf8.RuneCountInString(pw[:m.I]) + 1,
		End:     utf8.RuneCountInString(pw[:m.J+1]),
		Guesses: m.Guesses,
	}
	if m.Guesses > 0 {
		p.GuessesLog10 = math.Log10(m.Guesses)
	}
	switch m.Pattern {
	case "dictionary":
		p.Dictionary = dictionaryNames[m.DictionaryName]
		if p.Dictionary == "" {
			p.Dictionary = m.DictionaryName
		}
		p.Rank = m.Rank
		p.Reversed = m.Reversed
		p.L33t = m.L33t
		p.Capitals = hasUpper(m.Token)
	case "spatial":
		p.Keyboard = m.Graph
	case "regex":
		if m.RegexName == "recent_year" {
			p.Kind = "year"
		}
	}
	p.Description = describe(p, m)
	return p
}

func hasUpper(s string) bool {
	for _, c := range s {
		if unicode.IsUpper(c) {
			return true
		}
	}
	return false
}

// The four attacks of zxcvbn's crack_times_seconds, in its order.
var attacks = []struct {
	name, description string
	perSecond         float64
}{
	{"online_throttling_100_per_hour", "online, at a login that slows guessing (100 an hour)", 100.0 / 3600},
	{"online_no_throttling_10_per_second", "online, at a login that does not (10 a second)", 10},
	{"offline_slow_hashing_1e4_per_second", "stolen passwords, well protected (10,000 a second)", 1e4},
	{"offline_fast_hashing_1e10_per_second", "stolen passwords, poorly protected (10 billion a second)", 1e10},
}

func crackTimes(guesses float64) []CrackTime {
	out := make([]CrackTime, 0, len(attacks))
	for _, a := range attacks {
		s := guesses / a.perSecond
		out = append(out, CrackTime{Attack: a.name, Description: a.description, Seconds: s, Display: DisplayTime(s)})
	}
	return out
}

// DisplayTime says a number of seconds in words as zxcvbn's display_time
// does: "less than a second", "1 minute", "3 hours", "centuries" (a month
// is 31 days, a year 12 such months).
func DisplayTime(seconds float64) string {
	const (
		minute  = 60.0
		hour    = minute * 60
		day     = hour * 24
		month   = day * 31
		year    = month * 12
		century = year * 100
	)
	count := func(n float64, unit string) string {
		c := int64(math.Floor(n + 0.5)) // JavaScript's Math.round
		if c == 1 {
			return "1 " + unit
		}
		return strconv.FormatInt(c, 10) + " " + unit + "s"
	}
	switch {
	case seconds < 1:
		return "less than a second"
	case seconds < minute:
		return count(seconds, "second")
	case seconds < hour:
		return count(seconds/minute, "minute")
	case seconds < day:
		return count(seconds/hour, "hour")
	case seconds < month:
		return count(seconds/day, "day")
	case seconds < year:
		return count(seconds/month, "month")
	case seconds < century:
		return count(seconds/year, "year")
	}
	return "centuries"
}
