package jira

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// maxTextLen bounds the text extracted from one description or comment.
const maxTextLen = 1 << 20

// adfNode is one node of an Atlassian Document Format document:
// {type, text, content[], attrs}.
type adfNode struct {
	Type    string          `json:"type"`
	Text    string          `json:"text"`
	Content []adfNode       `json:"content"`
	Attrs   json.RawMessage `json:"attrs"`
}

// adfBlocks are the node types that start a new line.
var adfBlocks = map[string]bool{
	"doc": true, "paragraph": true, "heading": true, "blockquote": true, "codeBlock": true,
	"bulletList": true, "orderedList": true, "listItem": true, "taskList": true, "taskItem": true,
	"decisionList": true, "decisionItem": true, "panel": true, "rule": true, "table": true,
	"tableRow": true, "tableHeader": true, "tableCell": true, "mediaSingle": true, "mediaGroup": true,
	"expand": true, "nestedExpand": true, "blockCard": true, "embedCard": true, "layoutSection": true,
	"layoutColumn": true,
}

// richText returns the plain text of a Jira rich-text value: a wiki-markup
// string (returned trimmed, markup kept, backslash escapes such as "\!"
// removed), an ADF document (flattened to text, one block per line), or
// null/absent ("").
func richText(raw json.RawMessage) (string, error) {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 || string(b) == "null" {
		return "", nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return strings.TrimSpace(unescapeWiki(s)), nil
	case '{':
		var doc adfNode
		if err := json.Unmarshal(b, &doc); err != nil {
			return "", err
		}
		if doc.Type != "doc" {
			return "", errors.New(`want a string or an ADF document {"type":"doc"}`)
		}
		var w adfWriter
		w.node(doc)
		return w.text(), nil
	}
	return "", errors.New("want a string or an ADF document")
}

type adfWriter struct {
	b strings.Builder
}

func (w *adfWriter) write(s string) {
	if room := maxTextLen - w.b.Len(); room > 0 {
		if len(s) > room {
			for room > 0 && !utf8.RuneStart(s[room]) {
				room--
			}
			s = s[:room]
		}
		w.b.WriteString(s)
	}
}

func (w *adfWriter) newline() { w.write("\n") }

func (w *adfWriter) node(n adfNode) {
	switch n.Type {
	case "text":
		w.write(n.Text)
		return
	case "hardBreak":
		w.newline()
		return
	case "mention", "emoji", "status", "inlineCard", "date":
		w.write(inlineAttr(n))
		return
	}
	block := adfBlocks[n.Type]
	if block {
		w.newline()
	}
	for _, c := range n.Content {
		w.node(c)
	}
	if block {
		w.newline()
	}
}

// inlineAttr renders an inline atom from its attrs: mention/status/emoji
// text, an emoji's shortName, or a card's url.
func inlineAttr(n adfNode) string {
	var a struct {
		Text      string `json:"text"`
		ShortName string `json:"shortName"`
		URL       string `json:"url"`
	}
	if len(n.Attrs) == 0 || json.Unmarshal(n.Attrs, &a) != nil {
		return ""
	}
	switch {
	case a.Text != "":
		return a.Text
	case a.ShortName != "":
		return a.ShortName
	}
	return a.URL
}

// text trims every line and drops empty ones.
func (w *adfWriter) text() string {
	lines := strings.Split(w.b.String(), "\n")
	kept := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			kept = append(kept, l)
		}
	}
	return strings.Join(kept, "\n")
}

// wikiEscaped are the characters Jira wiki markup escapes with a backslash
// ("issue\!" renders as "issue!").
const wikiEscaped = `!*_-+^~?#|{}[]()`

// unescapeWiki drops the backslash before a wikiEscaped character. "\\"
// (a forced line break in wiki markup, or part of a Windows path) is kept
// as is, and so is a backslash before anything else.
func unescapeWiki(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		next := s[i+1]
		switch {
		case strings.IndexByte(wikiEscaped, next) >= 0:
			b.WriteByte(next)
		case next == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
			continue
		}
		i++
	}
	return b.String()
}
