package htmltext

import (
	"html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// blockTags become a line break, opening or closing.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "br": true,
	"dd": true, "details": true, "div": true, "dl": true, "dt": true, "fieldset": true,
	"figcaption": true, "figure": true, "footer": true, "form": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"header": true, "hr": true, "li": true, "main": true, "nav": true, "ol": true,
	"p": true, "pre": true, "section": true, "summary": true, "table": true,
	"tbody": true, "tfoot": true, "thead": true, "tr": true, "ul": true,
}

// cellTags become a space.
var cellTags = map[string]bool{"td": true, "th": true}

// rawTags have contents that are never text; the element is dropped whole.
var rawTags = map[string]bool{"script": true, "style": true, "head": true, "title": true, "template": true}

// maxTagName bounds the tag name we read; longer names are not tags we know.
const maxTagName = 16

// Text returns the plain text of the HTML fragment s. See the package
// documentation for the rules.
func Text(s string) string {
	if !strings.Contains(s, "<") {
		return collapse(html.UnescapeString(s), true)
	}
	var b strings.Builder
	b.Grow(len(s))
	var chunk strings.Builder // text since the last tag, unescaped when flushed
	// flush writes the pending text, unescaped, with its line breaks
	// folded into spaces: in HTML only tags break lines.
	flush := func() {
		if chunk.Len() > 0 {
			b.WriteString(strings.Map(foldBreak, html.UnescapeString(chunk.String())))
			chunk.Reset()
		}
	}
	sawTag := false
	i := 0
	for i < len(s) {
		c := s[i]
		if c != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			chunk.WriteString(s[i : i+j])
			i += j
			continue
		}
		// s[i] == '<'
		if i+1 >= len(s) {
			chunk.WriteByte(c)
			i++
			continue
		}
		n := s[i+1]
		switch {
		case n == '!':
			sawTag = true
			flush()
			i = skipMarkup(s, i)
		case n == '?':
			sawTag = true
			flush()
			i = skipTo(s, i+2, ">")
		case n == '/' || isASCIILetter(n):
			end, name, closing, ok := readTag(s, i)
			if !ok {
				// "<abc" never closed: an unterminated tag, dropped with
				// the rest of the input, as browsers do.
				sawTag = true
				flush()
				i = len(s)
				continue
			}
			sawTag = true
			flush()
			i = end
			switch {
			case rawTags[name] && !closing:
				i = skipRaw(s, i, name)
				b.WriteByte('\n')
			case blockTags[name]:
				b.WriteByte('\n')
			case cellTags[name]:
				b.WriteByte(' ')
			}
		default:
			// "a < b", "<3": not a tag.
			chunk.WriteByte(c)
			i++
		}
	}
	if !sawTag {
		// Only stray "<" characters: plain text after all.
		return collapse(html.UnescapeString(s), true)
	}
	flush()
	return collapse(b.String(), false)
}

// foldBreak maps source line breaks to spaces.
func foldBreak(r rune) rune {
	switch r {
	case '\n', '\r', '\u2028', '\u2029':
		return ' '
	}
	return r
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// readTag reads the tag starting at s[i] == '<' (followed by '/' or a
// letter). It returns the index after its '>', its lower-cased name and
// whether it closes an element; ok is false when no '>' ends it. Quoted
// attribute values may contain '>'.
func readTag(s string, i int) (end int, name string, closing, ok bool) {
	j := i + 1
	if s[j] == '/' {
		closing = true
		j++
	}
	start := j
	for j < len(s) && j-start <= maxTagName && (isASCIILetter(s[j]) || (j > start && s[j] >= '0' && s[j] <= '9')) {
		j++
	}
	name = strings.ToLower(s[start:j])
	var quote byte
	for ; j < len(s); j++ {
		switch c := s[j]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return j + 1, name, closing, true
		}
	}
	return len(s), name, closing, false
}

// skipMarkup skips a comment, CDATA section or declaration starting at
// s[i] == '<' followed by '!'.
func skipMarkup(s string, i int) int {
	rest := s[i:]
	switch {
	case strings.HasPrefix(rest, "<!--"):
		return skipTo(s, i+4, "-->")
	case strings.HasPrefix(rest, "<![CDATA["):
		return skipTo(s, i+9, "]]>")
	}
	return skipTo(s, i+2, ">")
}

// skipTo returns the index after the first sep at or after from, or len(s).
func skipTo(s string, from int, sep string) int {
	if from > len(s) {
		return len(s)
	}
	j := strings.Index(s[from:], sep)
	if j < 0 {
		return len(s)
	}
	return from + j + len(sep)
}

// skipRaw skips the contents of a raw element up to and including its
// closing tag (matched case-insensitively), or to the end of s.
func skipRaw(s string, from int, name string) int {
	closing := "</" + name
	for j := from; j < len(s); {
		k := strings.IndexByte(s[j:], '<')
		if k < 0 {
			return len(s)
		}
		j += k
		if len(s)-j >= len(closing) && strings.EqualFold(s[j:j+len(closing)], closing) {
			after := j + len(closing)
			if after == len(s) || !isASCIILetter(s[after]) {
				return skipTo(s, after, ">")
			}
		}
		j++
	}
	return len(s)
}

// collapse folds whitespace. '\n' is a line break (in HTML mode Text has
// already folded source line breaks, so only block tags produce one); with
// keepNewlines, '\r', U+2028 and U+2029 are line breaks too. Every other
// whitespace rune (and NBSP, zero-width space, BOM) is a space. Runs of spaces become one space, runs of
// line breaks one line break, and each line is trimmed.
func collapse(s string, keepNewlines bool) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace, pendingNewline := false, false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\n' || (keepNewlines && (r == '\r' || r == '\u2028' || r == '\u2029')):
			pendingNewline = true
			pendingSpace = false
		case unicode.IsSpace(r) || r == '\u00a0' || r == '\u200b' || r == '\ufeff':
			if !pendingNewline {
				pendingSpace = true
			}
		default:
			writePending(&b, &pendingSpace, &pendingNewline)
			b.WriteRune(r)
		}
	}
	return b.String()
}

func writePending(b *strings.Builder, space, newline *bool) {
	if b.Len() > 0 {
		switch {
		case *newline:
			b.WriteByte('\n')
		case *space:
			b.WriteByte(' ')
		}
	}
	*space, *newline = false, false
}
