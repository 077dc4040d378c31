package front

import (
	"html"
	"strings"
)

// htmlBlocks are the elements that start a new line.
var htmlBlocks = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "tr": true, "td": true, "th": true,
	"table": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true,
	"pre": true, "hr": true, "section": true, "article": true, "header": true, "footer": true, "dd": true, "dt": true,
}

// htmlSkipped are the elements whose content is not text.
var htmlSkipped = map[string]bool{"script": true, "style": true, "head": true, "title": true, "template": true}

// htmlToText strips tags from s, drops script/style/head content and
// comments, turns block elements into line breaks, decodes entities, and
// trims and collapses whitespace, one paragraph per line. It runs in one
// pass over s and never fails: malformed markup degrades to text.
func htmlToText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(s[i : i+j])
			i += j
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		if i+1 >= len(s) || !(isLetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!' || s[i+1] == '?') {
			b.WriteByte('<') // "a < b": not a tag
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			b.WriteString(s[i:]) // a lone '<' is text
			break
		}
		name, closing := tagName(s[i+1 : i+end])
		i += end + 1
		if htmlSkipped[name] && !closing {
			// Skip to the matching close tag (case-insensitive), or the end.
			closeTag := "</" + name
			k := indexFold(s[i:], closeTag)
			if k < 0 {
				break
			}
			i += k
			continue
		}
		if htmlBlocks[name] {
			b.WriteByte('\n')
		}
	}
	return tidy(html.UnescapeString(b.String()))
}

// tagName returns the lower-cased element name of the inside of a tag
// ("p class=x", "/div", "br/") and whether it closes an element.
func tagName(inner string) (string, bool) {
	closing := strings.HasPrefix(inner, "/")
	inner = strings.TrimPrefix(inner, "/")
	n := 0
	for n < len(inner) && isNameByte(inner[n]) {
		n++
	}
	return strings.ToLower(inner[:n]), closing
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// indexFold is strings.Index ignoring ASCII case of sub (lower-case).
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// tidy collapses runs of spaces (including non-breaking spaces) within
// each line, trims lines and drops empty ones.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		if l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}
