// Package htmltext turns the HTML fragments vendors send (Intercom message
// bodies, Help Scout threads, Freshdesk descriptions) into plain text for
// feedback records.
//
// # Contract
//
// Text is a small, bounded tag stripper, not an HTML parser: it makes one
// linear pass over its input and never allocates more than a constant
// factor of it. Block-level tags (<p>, <div>, <br>, <li>, <tr>, headings,
// …) become line breaks and table cells become spaces; every other tag is
// dropped; the contents of <script>, <style>, <head>, <title> and
// <template> are dropped with the element; comments, CDATA sections,
// doctypes and processing instructions are dropped. Character references
// are decoded with html.UnescapeString after tags are removed, so "&lt;b&gt;"
// stays the literal text "<b>". Whitespace is collapsed: runs of spaces
// become one space, runs of line breaks one line break, and lines are
// trimmed.
//
// A "<" that does not start a tag ("a < b", "I <3 it") is kept as text. An
// input without any tag is treated as plain text: its line breaks are kept
// (HTML would fold them into spaces).
//
// # Errors
//
// Text never fails and never panics. Its output is valid UTF-8: invalid
// bytes become U+FFFD, as encoding/json would make them anyway.
//
// # Concurrency
//
// Text is a pure function, safe for concurrent use.
package htmltext
