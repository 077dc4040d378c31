package vendorapi

import (
	"html"
	"strings"
)

// maxTextInput bounds what PlainText reads; question titles are short.
const maxTextInput = 64 << 10

// PlainText turns the HTML vendors put in question titles ("<b>How
// likely</b> is it&hellip;") into text: tags are dropped (block tags and
// <br> become a space), entities are decoded and whitespace is collapsed.
// Inline tags (b, i, span, …) join their text without a space.
// Input beyond 64 KiB is ignored. It is not a sanitizer; its output is
// data, never rendered as HTML.
func PlainText(s string) string {
	if len(s) > maxTextInput {
		s = s[:maxTextInput]
	}
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	var b strings.Builder
	b.Grow(len(s))
	for len(s) > 0 {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		s = s[i:]
		// A '<' not followed by a tag name, '/', '!' or '?' is text.
		if len(s) < 2 || !isTagStart(s[1]) {
			b.WriteByte('<')
			s = s[1:]
			continue
		}
		end := strings.IndexByte(s, '>')
		if end < 0 {
			break // an unterminated tag: drop the rest
		}
		if !inline(s[1:end]) {
			b.WriteByte(' ')
		}
		s = s[end+1:]
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

func isTagStart(c byte) bool {
	return c == '/' || c == '!' || c == '?' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// inline reports whether the tag (without its angle brackets) is an inline
// formatting tag.
func inline(tag string) bool {
	tag = strings.TrimPrefix(tag, "/")
	if i := strings.IndexAny(tag, " \t\n\r/"); i >= 0 {
		tag = tag[:i]
	}
	switch strings.ToLower(tag) {
	case "b", "i", "u", "em", "strong", "span", "font", "a", "small", "sup", "sub", "mark", "s", "strike":
		return true
	}
	return false
}
