package password

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/handwash/handwash/internal/zxcvbn/match"
)

// ShortChars is the length below which a password is called short: Cyber
// Essentials asks for at least 12 characters unless the account also has
// multi-factor authentication or blocks common passwords (then 8).
const ShortChars = 12

// NCSCAdvice is the NCSC's advice on passwords, ending every result.
func NCSCAdvice() []string {
	return []string{
		"Use three random words joined together, for example three things you can see around you. A password like that is long, easy to remember and hard to guess (the NCSC's advice).",
		"Keep your passwords in a password manager (the one built into your web browser will do), so that each one can be long and different without you having to remember them all.",
		"Never use the same password for two accounts: criminals try passwords stolen from one website on all the others. Your email password matters most, because whoever has your email can reset your other passwords.",
		"Turn on two-step verification (also called MFA or 2FA) wherever it is offered, starting with email (NHSmail, Microsoft 365 or Google) and online banking.",
	}
}

const addWords = "Add another word or two. Uncommon words are better."

// feedback is zxcvbn's get_feedback in plain English: for a password that
// is not strong, the warning comes from the longest part zxcvbn matched and
// the suggestions from every part, most important first. Any password is
// told when it holds the organisation's own words or is short.
func feedback(pw string, score int, seq []*match.Match, pats []Pattern) (warning string, suggestions []string) {
	if len(seq) == 0 {
		return "No password was given.", nil
	}
	var s suggestionList
	if score < StrongScore {
		longest := 0
		for i, m := range seq {
			if utf8.RuneCountInString(m.Token) > utf8.RuneCountInString(seq[longest].Token) {
				longest = i
			}
		}
		warning = matchWarning(seq[longest], len(seq) == 1)
		s.add(addWords)
		s.add(matchSuggestions(seq[longest])...)
		for i, m := range seq {
			if i != longest {
				s.add(matchSuggestions(m)...)
			}
		}
	}
	for _, p := range pats {
		if p.Dictionary == DictOrganisation {
			const org = "It contains your organisation's name or web address, which is the first thing an attacker targeting you would try."
			if warning == "" {
				warning = org
			} else {
				s.add("Leave out your organisation's name and web address: they are the first thing an attacker targeting you would try.")
			}
			break
		}
	}
	if n := utf8.RuneCountInString(pw); n < ShortChars {
		s.add("Make it at least 12 characters long. Cyber Essentials asks for 12 or more unless the account also has two-step verification (MFA) or blocks common passwords.")
	}
	return warning, s
}

type suggestionList []string

func (l *suggestionList) add(s ...string) {
	for _, x := range s {
		dup := false
		for _, y := range *l {
			dup = dup || x == y
		}
		if !dup {
			*l = append(*l, x)
		}
	}
}

// matchWarning is zxcvbn's get_match_feedback warning for the longest
// match, reworded.
func matchWarning(m *match.Match, sole bool) string {
	switch m.Pattern {
	case "dictionary":
		switch m.DictionaryName {
		case "passwords":
			if sole && !m.L33t && !m.Reversed {
				switch {
				case m.Rank <= 10:
					return "This is one of the 10 most common passwords: attackers try it first."
				case m.Rank <= 100:
					return "This is one of the 100 most common passwords: attackers try it first."
				}
				return "This is a very common password: attackers try it early."
			}
			if m.Guesses > 0 && m.Guesses <= 1e4 {
				return "This is very like a common password: attackers try the usual variations of those too."
			}
		case "english_wikipedia":
			if sole {
				return "A single word on its own is easy to guess."
			}
		case "surnames", "male_names", "female_names":
			if sole {
				return "A name or surname on its own is easy to guess."
			}
			return "Common names and surnames are easy to guess."
		case "user_inputs":
			return "It contains your organisation's name or web address, which is the first thing an attacker targeting you would try."
		}
	case "spatial":
		if m.Turns == 1 {
			return "Straight rows of keys, like qwerty, are easy to guess."
		}
		return "Short keyboard patterns are easy to guess."
	case "repeat":
		if utf8.RuneCountInString(m.BaseToken) == 1 {
			return `Repeated characters, like "aaa", are easy to guess.`
		}
		return `Repeats, like "abcabcabc", are only a little harder to guess than "abc".`
	case "sequence":
		return "Sequences, like abc or 6543, are easy to guess."
	case "regex":
		if m.RegexName == "recent_year" {
			return "Recent years are easy to guess."
		}
	case "date":
		return "Dates are easy to guess."
	}
	return ""
}

var (
	startUpper = regexp.MustCompile(`^[A-Z][^A-Z]+$`)
	allUpper   = regexp.MustCompile(`^[^a-z]+$`)
)

// matchSuggestions is zxcvbn's suggestions for one match, reworded.
func matchSuggestions(m *match.Match) []string {
	var out []string
	switch m.Pattern {
	case "dictionary":
		switch {
		case startUpper.MatchString(m.Token):
			out = append(out, "A capital letter at the start does not make it much harder to guess.")
		case allUpper.MatchString(m.Token) && strings.ToLower(m.Token) != m.Token:
			out = append(out, "All capitals are almost as easy to guess as no capitals.")
		}
		if m.Reversed && utf8.RuneCountInString(m.Token) >= 4 {
			out = append(out, "Words written backwards are not much harder to guess.")
		}
		if m.L33t {
			out = append(out, "Swapping letters for look-alike numbers or symbols (@ for a, 0 for o) does not help much: attackers try those swaps too.")
		}
		switch m.DictionaryName {
		case "surnames", "male_names", "female_names":
			out = append(out, "Avoid names, especially of family, friends and pets: they are easy to find out.")
		}
	case "spatial":
		out = append(out, "Avoid patterns of keys that are next to each other on the keyboard.")
	case "repeat":
		out = append(out, "Avoid repeated words and characters.")
	case "sequence":
		out = append(out, "Avoid sequences, like abc or 1234.")
	case "regex":
		if m.RegexName == "recent_year" {
			out = append(out, "Avoid recent years, and years linked to you.")
		}
	case "date":
		out = append(out, "Avoid dates and years linked to you, such as birthdays and anniversaries.")
	}
	return out
}

// describe says what one part of the password is, without showing it.
func describe(p Pattern, m *match.Match) string {
	var d string
	switch p.Kind {
	case "dictionary":
		switch m.DictionaryName {
		case "passwords":
			switch {
			case p.Rank <= 10:
				d = "one of the 10 most common passwords"
			case p.Rank <= 100:
				d = "one of the 100 most common passwords"
			case p.Rank <= 1000:
				d = "one of the 1,000 most common passwords"
			default:
				d = "a common password"
			}
		case "english_wikipedia":
			d = "a common English word"
		case "us_tv_and_film":
			d = "a common word from films and television"
		case "male_names", "female_names":
			d = "a common first name"
		case "surnames":
			d = "a common surname"
		case "user_inputs":
			d = "your organisation's name or web address"
		default:
			d = "a word from the list " + m.DictionaryName
		}
		var how []string
		if p.Capitals {
			how = append(how, "capitals")
		}
		if p.L33t {
			how = append(how, "look-alike swaps such as @ for a")
		}
		if len(how) > 0 {
			d += " with " + strings.Join(how, " and ")
		}
		if p.Reversed {
			d += ", written backwards"
		}
	case "spatial":
		if p.Keyboard == "keypad" || p.Keyboard == "mac_keypad" {
			d = "a pattern of neighbouring keys on the number pad"
		} else {
			d = "a pattern of neighbouring keys on the keyboard"
		}
	case "repeat":
		if utf8.RuneCountInString(m.BaseToken) == 1 {
			d = "one character repeated"
		} else {
			d = "a group of characters repeated"
		}
	case "sequence":
		d = "a sequence of letters or numbers, like abc or 6543"
	case "year":
		d = "a recent year"
	case "date":
		d = "a date"
	case "bruteforce":
		d = "no pattern: guessed character by character"
	default:
		d = "a pattern (" + p.Kind + ")"
	}
	return d
}
