package phish

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// link is one address a reader could follow.
type link struct {
	href   string // as written
	text   string // what the reader sees, for HTML links
	inHTML bool
}

// form is one HTML form, or loose inputs outside any form.
type form struct {
	action   string
	password bool
	inputs   int
}

// htmlDoc is what one pass over an HTML body finds.
type htmlDoc struct {
	text  string
	links []link
	forms []form
}

// parseHTML tokenises s once, collecting the visible text, the links with
// the text shown for them, and the forms. A tokenizer rather than a full
// parse keeps this fast and never builds a tree a hostile message could
// make deep.
func parseHTML(s string, maxLinks int) htmlDoc {
	var doc htmlDoc
	var text, outside strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	z.SetMaxBuf(8 << 20)
	var (
		inAnchor  bool
		anchor    link
		anchorTxt strings.Builder
		skip      int // depth inside script, style and the like
		cur       = -1
	)
	closeAnchor := func() {
		if !inAnchor {
			return
		}
		inAnchor = false
		anchor.text = collapseSpace(anchorTxt.String())
		anchorTxt.Reset()
		if anchor.href != "" && len(doc.links) < maxLinks {
			doc.links = append(doc.links, anchor)
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			closeAnchor()
			doc.text = text.String()
			doc.links = append(doc.links, textLinks(outside.String(), maxLinks-len(doc.links))...)
			return doc
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := z.Text()
			if text.Len() < maxText {
				text.Write(t)
			}
			if inAnchor {
				if anchorTxt.Len() < 1024 {
					anchorTxt.Write(t)
				}
			} else if outside.Len() < maxText {
				outside.Write(t)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if tt == html.EndTagToken {
				switch a {
				case atom.A:
					closeAnchor()
				case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Title:
					if skip > 0 {
						skip--
					}
				case atom.Form:
					cur = -1
				}
				if blockTags[a] {
					text.WriteByte('\n')
					outside.WriteByte('\n')
				}
				continue
			}
			if blockTags[a] {
				text.WriteByte('\n')
				outside.WriteByte('\n')
			}
			attrs := readAttrs(z, hasAttr)
			switch a {
			case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Title:
				if tt == html.StartTagToken {
					skip++
				}
			case atom.A, atom.Area:
				if a == atom.A {
					closeAnchor()
				}
				href := strings.TrimSpace(attrs["href"])
				if href == "" || strings.HasPrefix(href, "#") {
					continue
				}
				l := link{href: href, inHTML: true}
				if a == atom.Area {
					l.text = attrs["alt"]
					if len(doc.links) < maxLinks {
						doc.links = append(doc.links, l)
					}
					continue
				}
				if tt == html.StartTagToken {
					inAnchor, anchor = true, l
				} else if len(doc.links) < maxLinks {
					doc.links = append(doc.links, l)
				}
			case atom.Img:
				// The alt text stands in for the picture, and phishing
				// often puts its words in pictures; keep what we can.
				if inAnchor && attrs["alt"] != "" {
					anchorTxt.WriteString(" " + attrs["alt"] + " ")
				}
			case atom.Meta:
				if strings.EqualFold(attrs["http-equiv"], "refresh") {
					if _, u, ok := strings.Cut(strings.ToLower(attrs["content"]), "url="); ok && len(doc.links) < maxLinks {
						doc.links = append(doc.links, link{href: strings.Trim(u, `'" `), inHTML: true})
					}
				}
			case atom.Form:
				if len(doc.forms) < 100 {
					doc.forms = append(doc.forms, form{action: strings.TrimSpace(attrs["action"])})
					cur = len(doc.forms) - 1
				}
			case atom.Input, atom.Textarea, atom.Select, atom.Button:
				if a == atom.Button || strings.EqualFold(attrs["type"], "hidden") || strings.EqualFold(attrs["type"], "submit") {
					continue
				}
				if cur < 0 {
					// Inputs outside any form still show boxes to type into.
					if len(doc.forms) >= 100 {
						continue
					}
					doc.forms = append(doc.forms, form{})
					cur = len(doc.forms) - 1
				}
				doc.forms[cur].inputs++
				if strings.EqualFold(attrs["type"], "password") {
					doc.forms[cur].password = true
				}
			}
		}
	}
}

// readAttrs returns the attributes the rules use, lowercased by name.
func readAttrs(z *html.Tokenizer, more bool) map[string]string {
	if !more {
		return nil
	}
	attrs := map[string]string{}
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		switch string(k) {
		case "href", "alt", "http-equiv", "content", "action", "type":
			attrs[string(k)] = string(v)
		}
	}
	return attrs
}

var blockTags = map[atom.Atom]bool{
	atom.Br: true, atom.P: true, atom.Div: true, atom.Tr: true, atom.Td: true, atom.Li: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Table: true, atom.Blockquote: true, atom.Hr: true,
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// urlInText finds web addresses written out in text, as mail programs turn
// them into links.
var urlInText = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'\x60{}|\\^\[\]]+`)

func textLinks(s string, limit int) []link {
	if limit <= 0 || !(strings.Contains(s, "://") || strings.Contains(s, "ww.") || strings.Contains(s, "WW.")) {
		return nil
	}
	var out []link
	for _, u := range urlInText.FindAllString(s, limit) {
		if len(u) > maxURL {
			u = u[:maxURL]
		}
		u = strings.TrimRight(u, ".,;:!?)*")
		out = append(out, link{href: u})
	}
	return out
}
