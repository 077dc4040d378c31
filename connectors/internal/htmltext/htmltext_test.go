package htmltext

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "Dark mode please!", "Dark mode please!"},
		{"plain keeps line breaks", "Line one\r\nLine two\n\n\nLine three  ", "Line one\nLine two\nLine three"},
		{"plain decodes entities", "Fish &amp; chips &eacute;", "Fish & chips é"},
		{"paragraphs", "<p>Dark mode please!</p><p>My eyes hurt at night.</p>", "Dark mode please!\nMy eyes hurt at night."},
		{"br variants", "one<br>two<BR/>three<br />four", "one\ntwo\nthree\nfour"},
		{"inline tags dropped", "<p>It is <b>really</b> <a href=\"https://x.test/?a=1&amp;b=2\">slow</a></p>", "It is really slow"},
		{"list items", "<ul><li>Export fails</li><li>Search is slow</li></ul>", "Export fails\nSearch is slow"},
		{"table cells", "<table><tr><td>Plan</td><td>Pro</td></tr><tr><td>Seats</td><td>12</td></tr></table>", "Plan Pro\nSeats 12"},
		{"source newlines are spaces in HTML", "<div>The invoice\nshows the wrong\r\nVAT rate</div>", "The invoice shows the wrong VAT rate"},
		{"whitespace collapsed", "<p>  lots   of \t space&nbsp;&nbsp;here </p>\n\n<p>\n</p><p>next</p>", "lots of space here\nnext"},
		{"script and style dropped", "<style>p{color:red}</style><p>Hi</p><script type=\"text/javascript\">alert('<p>x</p>')</script><p>there</p>", "Hi\nthere"},
		{"raw element case-insensitive", "<SCRIPT>var a = '</scriptx>';</ScRiPt >after", "after"},
		{"unterminated script drops the rest", "before<script>never closed <p>text", "before"},
		{"head and title dropped", "<html><head><title>Re: order</title><meta charset=utf-8></head><body><p>Body</p></body></html>", "Body"},
		{"comments dropped", "a<!-- <p>hidden</p> -->b<!--unterminated", "ab"},
		{"cdata and doctype dropped", "<!DOCTYPE html><![CDATA[x<y]]>text<?xml version=\"1.0\"?>", "text"},
		{"escaped tags stay text", "&lt;b&gt;not bold&lt;/b&gt;", "<b>not bold</b>"},
		{"escaped tags stay text in HTML", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>", "<script>alert(1)</script>"},
		{"numeric entities", "<p>caf&#233; &#x2764;&#xfe0f; &#10;x</p>", "café ❤️ x"},
		{"stray less-than", "1 < 2 and I <3 it", "1 < 2 and I <3 it"},
		{"stray less-than with tags", "<p>1 < 2</p><p>ok</p>", "1 < 2\nok"},
		{"trailing less-than", "<p>x</p><", "x\n<"},
		{"quoted attribute with >", "<a title=\"a > b\" href='c>d'>link</a> text", "link text"},
		{"unterminated tag", "hello <span class=\"x", "hello"},
		{"closing tag only", "</div>text</p>", "text"},
		{"headings", "<h1>Title</h1>Body", "Title\nBody"},
		{"nbsp only", "<p>&nbsp;</p>", ""},
		{"intercom body", "<p>Hi, the export to CSV is broken since Tuesday.</p><p>Can you help? 🙏</p>", "Hi, the export to CSV is broken since Tuesday.\nCan you help? 🙏"},
		{"email quote", "<div dir=\"ltr\">Thanks, that worked!</div><br><div class=\"gmail_quote\">On Mon, wrote:<blockquote>old</blockquote></div>", "Thanks, that worked!\nOn Mon, wrote:\nold"},
		{"long tag name", "<abcdefghijklmnopqrstuvwxyz>x</abcdefghijklmnopqrstuvwxyz>", "x"},
		{"invalid utf-8 replaced", "<p>a\xffb</p>", "a\ufffdb"},
		{"invalid utf-8 replaced in plain text", "a\xff\xfeb", "a\ufffd\ufffdb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Text(tt.in))
		})
	}
}

func TestTextLarge(t *testing.T) {
	// Linear: a large, adversarial input finishes quickly and stays small.
	in := strings.Repeat("<p>a <b>b</b> &amp; <!-- c --> <script>d</script>", 20000) + strings.Repeat("<", 100000)
	out := Text(in)
	assert.LessOrEqual(t, len(out), len(in))
	assert.True(t, strings.HasPrefix(out, "a b & \na b &") || strings.HasPrefix(out, "a b &\na b &"), out[:40])
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"", "<p>x</p>", "a < b", "<script>", "<!--", "&amp;&#x110000;", "<a b='>'>c</a>", "x\n\ny"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Text(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 output: %q", out)
		}
		if out != strings.TrimSpace(out) {
			t.Fatalf("output not trimmed: %q", out)
		}
		for _, bad := range []string{"  ", "\n\n", " \n", "\n "} {
			if strings.Contains(out, bad) {
				t.Fatalf("output has %q: %q", bad, out)
			}
		}
	})
}
