package pdfkit

import "testing"

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain ASCII", "plain ASCII"},
		{"’é—€…“”•–™ £ ½ ß", "’é—€…“”•–™ £ ½ ß"},
		{"Zoë Müller", "Zoë Müller"},
		{"2→3, a ⇒ b, 1 ≤ 2 ≥ 0, x − y", "2->3, a => b, 1 <= 2 >= 0, x - y"},
		{"Łódź, Kraków, Ștefan, Dvořák, Đorđe, Ōtsuka", "Lódz, Kraków, Stefan, Dvorák, Dorde, Otsuka"},
		{"ﬁle Ａ１ x²", "file A1 x²"},
		{"e\u0301 combining", "é combining"},
		{"smile 🙂 ok", "smile ? ok"},
		{"thumbs 👍🏽 family 👨‍👩‍👧 flag 🏳️‍🌈 end", "thumbs ? family ? flag ? end"},
		{"zero\u200bwidth\ufeff soft\u00adhyphen", "zerowidth softhyphen"},
		{"tab\tcr\r\nnewline", "tab cr \nnewline"},
		{"bell\x07 c1\u0080 nbsp\u00a0 thin\u2009space next\u0085line", "bell c1 nbsp\u00a0 thin space next line"},
		{"漢字 and ‽", "?? and ?"},
		{"\uFFFD", "?"},
	} {
		got := Fold(c.in)
		if got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
		for _, r := range got {
			if !inCP1252(r) {
				t.Errorf("Fold(%q) keeps %q, which Windows-1252 lacks", c.in, r)
			}
		}
	}
}

func TestMetaText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Handwash 1.4.0", "Handwash 1.4.0"},
		// Everything in the Basic Multilingual Plane stays, Windows-1252
		// or not.
		{"Zoë’s Care — Łukasz → 漢字", "Zoë’s Care — Łukasz → 漢字"},
		{"smile 🙂 ok", "smile ? ok"},
		{"thumbs 👍🏽 family 👨‍👩‍👧 flag 🏳️‍🌈 end", "thumbs ? family ? flag ? end"},
		{"zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen"},
	} {
		if got := MetaText(c.in); got != c.want {
			t.Errorf("MetaText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestUTF16(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "\xfe\xff"},
		{"Aé", "\xfe\xff\x00A\x00\xe9"},
		{"Ł 🙂", "\xfe\xff\x01\x41\x00 \x00?"},
	} {
		if got := UTF16(c.in); got != c.want {
			t.Errorf("UTF16(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
