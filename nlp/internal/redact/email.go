package redact

import "strings"

func isLocalChar(c byte) bool {
	return isAlnum(c) || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0
}

func isDomainChar(c byte) bool { return isAlnum(c) || c == '.' || c == '-' }

// findEmails finds addresses of the form local@domain.tld (ASCII only).
func findEmails(dst []Span, base int, s string) []Span {
	for off := 0; ; {
		k := strings.IndexByte(s[off:], '@')
		if k < 0 {
			return dst
		}
		at := off + k
		off = at + 1
		start := at
		for start > 0 && isLocalChar(s[start-1]) {
			start--
		}
		// Quotes and dots may wrap an address ('john@x.com'); they are not part of it.
		for start < at && strings.IndexByte(".'`{|}", s[start]) >= 0 {
			start++
		}
		if start == at {
			continue
		}
		end := at + 1
		for end < len(s) && isDomainChar(s[end]) {
			end++
		}
		for end > at+1 && (s[end-1] == '.' || s[end-1] == '-') {
			end--
		}
		if !validDomain(s[at+1 : end]) {
			continue
		}
		dst = add(dst, base, start, end, Email)
		off = end
	}
}

// validDomain requires at least two non-empty labels and an alphabetic TLD of
// two or more letters.
func validDomain(d string) bool {
	dot := strings.LastIndexByte(d, '.')
	if dot <= 0 || len(d)-dot-1 < 2 || d[0] == '-' || strings.Contains(d, "..") {
		return false
	}
	for i := dot + 1; i < len(d); i++ {
		if !isAlpha(d[i]) {
			return false
		}
	}
	return true
}
