package redact

import (
	"slices"
	"strings"
)

// Kind is a kind of personal data.
type Kind uint8

// Kinds of personal data, in priority order: when two findings overlap, the
// earlier kind wins.
const (
	Email Kind = iota
	IBAN
	Card
	IP
	NationalID
	Phone
	NumKinds
)

var (
	kindNames    = [NumKinds]string{"email", "iban", "card", "ip", "national_id", "phone"}
	placeholders = [NumKinds]string{"[EMAIL]", "[IBAN]", "[CARD]", "[IP]", "[NATIONAL_ID]", "[PHONE]"}
)

// String returns the key used in Analysis.PII: email, iban, card, ip,
// national_id, phone.
func (k Kind) String() string { return kindNames[k] }

// Placeholder returns the typed placeholder that replaces a finding, e.g. "[EMAIL]".
func (k Kind) Placeholder() string { return placeholders[k] }

// Span is one finding: s[Start:End] is personal data of the given Kind.
type Span struct {
	Start, End int
	Kind       Kind
}

// Find appends the findings in s to dst and returns it sorted by Start, with
// no two spans overlapping.
func Find(dst []Span, s string) []Span {
	var at, colons, dots, digits int
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '@':
			at++
		case c == ':':
			colons++
		case c == '.':
			dots++
		}
	}
	base := len(dst)
	if at > 0 {
		dst = findEmails(dst, base, s)
	}
	if digits >= 9 {
		dst = findIBANs(dst, base, s)
		dst = findCards(dst, base, s)
	}
	if digits >= 4 && dots >= 3 {
		dst = findIPv4(dst, base, s)
	}
	if colons >= 2 {
		dst = findIPv6(dst, base, s)
	}
	if digits >= 6 {
		dst = findNationalIDs(dst, base, s)
	}
	if digits >= 9 {
		dst = findPhones(dst, base, s)
	}
	found := dst[base:]
	slices.SortFunc(found, func(a, b Span) int { return a.Start - b.Start })
	return dst
}

// Replace returns s with every span replaced by its placeholder, and the
// number of spans of each kind. spans must be sorted and non-overlapping, as
// Find returns them.
func Replace(s string, spans []Span) (string, [NumKinds]int) {
	var counts [NumKinds]int
	if len(spans) == 0 {
		return s, counts
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, sp := range spans {
		b.WriteString(s[last:sp.Start])
		b.WriteString(sp.Kind.Placeholder())
		last = sp.End
		counts[sp.Kind]++
	}
	b.WriteString(s[last:])
	return b.String(), counts
}

// overlaps reports whether [start, end) overlaps a span in found.
func overlaps(found []Span, start, end int) bool {
	for _, sp := range found {
		if start < sp.End && sp.Start < end {
			return true
		}
	}
	return false
}

func add(dst []Span, base, start, end int, k Kind) []Span {
	if overlaps(dst[base:], start, end) {
		return dst
	}
	return append(dst, Span{Start: start, End: end, Kind: k})
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool { return isDigit(c) || isAlpha(c) }
func isHex(c byte) bool   { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'f') }

// wordChar reports whether c continues a word: ASCII letters and digits, and
// any byte of a multi-byte UTF-8 sequence (letters of other scripts).
func wordChar(c byte) bool { return isAlnum(c) || c >= 0x80 }

// prevWord returns the lowercase ASCII word that ends before i, skipping
// spaces and the punctuation in skip, and the index where it starts.
func prevWord(s string, i int, skip string) (string, int) {
	j := i
	for j > 0 && (s[j-1] == ' ' || strings.IndexByte(skip, s[j-1]) >= 0) {
		j--
	}
	end := j
	for j > 0 && isAlpha(s[j-1]) {
		j--
	}
	if end-j > 16 {
		return "", j
	}
	var buf [16]byte
	w := buf[:0]
	for k := j; k < end; k++ {
		w = append(w, s[k]|0x20)
	}
	return string(w), j
}
