package pdfkit

import (
	"strings"
	"unicode"
	"unicode/utf16"

	"golang.org/x/text/unicode/norm"
)

// cp1252Extra are the characters Windows-1252 has at 0x80-0x9F, where
// ISO 8859-1 has control characters; 0xA0-0xFF match Unicode.
var cp1252Extra = map[rune]bool{
	'€': true, '‚': true, 'ƒ': true, '„': true, '…': true, '†': true, '‡': true,
	'ˆ': true, '‰': true, 'Š': true, '‹': true, 'Œ': true, 'Ž': true, '‘': true,
	'’': true, '“': true, '”': true, '•': true, '–': true, '—': true, '˜': true,
	'™': true, 'š': true, '›': true, 'œ': true, 'ž': true, 'Ÿ': true,
}

// inCP1252 reports whether r is a printable character of Windows-1252
// (or a newline, which breaks lines).
func inCP1252(r rune) bool {
	return r == '\n' || r >= 0x20 && r < 0x7f || r >= 0xa0 && r <= 0xff || cp1252Extra[r]
}

// spelled are characters outside Windows-1252 with a well-known spelling
// inside it, or letters that no Unicode decomposition reduces to one.
var spelled = map[rune]string{
	'→': "->", '⇒': "=>", '←': "<-", '⇐': "<=", '↔': "<->", '⟶': "->", '➔': "->", '➜': "->",
	'≤': "<=", '≥': ">=", '≠': "!=", '≈': "~", '−': "-", '∞': "infinity",
	'‐': "-", '‑': "-", '‒': "–", '―': "—", '⁃': "-",
	'′': "'", '″': "\"", '‛': "'", '‟': "\"",
	'✓': "yes", '✔': "yes", '✗': "x", '✘': "x",
	'Ł': "L", 'ł': "l", 'Đ': "D", 'đ': "d", 'Ħ': "H", 'ħ': "h", 'ı': "i",
	'Ŋ': "N", 'ŋ': "n", 'Ŧ': "T", 'ŧ': "t", 'ĸ': "k", 'ẞ': "SS",
	'Ə': "E", 'ə': "e", '№': "No.", '\uFFFD': "?",
}

// Fold returns s in characters of Windows-1252, the only ones the core
// fonts can show, keeping as much meaning as it can: curly quotes, dashes,
// "é" and "€" stay as they are, arrows and comparison signs become their
// ASCII spellings, letters with accents the code page lacks lose the
// accent ("ș" becomes "s", "Ł" becomes "L"), and what has no spelling at
// all (an emoji, a Chinese character) becomes "?", once per symbol.
// Newlines are kept; tabs and other spaces become spaces, and control
// characters are dropped.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x7f || c < 0x20 && c != '\n' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	// Composed first, so a letter and its combining accent become the one
	// character the code page may have ("e" + U+0301 is "é").
	s = norm.NFC.String(s)
	var b strings.Builder
	joined := false // the previous symbol was followed by a zero-width joiner
	for _, r := range s {
		switch {
		case r == '\t' || r == '\r':
			b.WriteByte(' ')
			continue
		case r == '\u200d':
			// An emoji sequence (a family, a flag) is one symbol: one "?".
			joined = true
			continue
		case ignorable(r):
			continue
		}
		skip := joined
		joined = false
		switch {
		case inCP1252(r):
			b.WriteRune(r)
		case spelled[r] != "":
			b.WriteString(spelled[r])
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case r < 0x20 || r >= 0x7f && r < 0xa0:
			// Control characters print nothing.
		default:
			if s := decompose(r); s != "" {
				b.WriteString(s)
			} else if !skip {
				b.WriteByte('?')
			}
		}
	}
	return b.String()
}

// ignorable reports whether r prints nothing by itself: a combining mark
// (its letter is kept), a zero-width character, a variation selector, an
// emoji skin tone or tag.
func ignorable(r rune) bool {
	switch {
	case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r):
		return true
	case r == '\u200b' || r == '\u200c' || r == '\u2060' || r == '\ufeff' || r == '\u00ad':
		return true
	case r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef: // variation selectors
		return true
	case r >= 0x1f3fb && r <= 0x1f3ff: // skin tones
		return true
	case r >= 0xe0000 && r <= 0xe007f: // tags
		return true
	}
	return false
}

// decompose spells r by its compatibility decomposition without the
// accents the code page lacks: "ș" is "s", "ﬁ" is "fi", a full-width "Ａ"
// is "A". It returns "" when that leaves nothing the code page has.
func decompose(r rune) string {
	d := norm.NFKD.String(string(r))
	if d == string(r) {
		return ""
	}
	var b strings.Builder
	for _, x := range d {
		switch {
		case inCP1252(x) && x != '\n':
			b.WriteRune(x)
		case unicode.Is(unicode.Mn, x):
		default:
			if s := spelled[x]; s != "" {
				b.WriteString(s)
			} else {
				return ""
			}
		}
	}
	return b.String()
}

// MetaText prepares text for the document's properties, which PDF readers
// show in full Unicode: fpdf writes them as UTF-16 but without surrogate
// pairs, so characters beyond the Basic Multilingual Plane (emoji) become
// "?", once per symbol.
func MetaText(s string) string {
	var b strings.Builder
	joined := false
	for _, r := range s {
		switch {
		case r == '\u200d':
			joined = true
			continue
		case ignorable(r):
			continue
		case r > 0xffff:
			if !joined {
				b.WriteByte('?')
			}
		default:
			b.WriteRune(r)
		}
		joined = false
	}
	return b.String()
}

// UTF16 encodes s, after MetaText, as a PDF text string in UTF-16 with a
// byte order mark, for text that fpdf writes as it is given, such as
// bookmark titles: unlike text in the fonts' encoding, it keeps every
// character of the Basic Multilingual Plane.
func UTF16(s string) string {
	b := []byte{0xfe, 0xff}
	for _, u := range utf16.Encode([]rune(MetaText(s))) {
		b = append(b, byte(u>>8), byte(u))
	}
	return string(b)
}
