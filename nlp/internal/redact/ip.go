package redact

import (
	"net/netip"
	"strings"
)

// versionWords precede dotted numbers that are versions, not addresses.
var versionWords = map[string]bool{
	"version": true, "ver": true, "v": true, "build": true, "release": true,
	"firmware": true, "ios": true, "android": true, "macos": true, "windows": true,
}

// findIPv4 finds dotted-quad addresses with octets 0-255 and no leading
// zeros. "1.2.3.4.5" and "version 10.0.0.1" are not addresses.
func findIPv4(dst []Span, base int, s string) []Span {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && (wordChar(s[i-1]) || s[i-1] == '.')) {
			continue
		}
		j, ok := i, true
		for part := 0; part < 4 && ok; part++ {
			if part > 0 {
				if j >= len(s) || s[j] != '.' {
					ok = false
					break
				}
				j++
			}
			k, v := j, 0
			for k < len(s) && isDigit(s[k]) && k-j < 4 {
				v = v*10 + int(s[k]-'0')
				k++
			}
			n := k - j
			if n == 0 || n > 3 || v > 255 || (n > 1 && s[j] == '0') {
				ok = false
			}
			j = k
		}
		if !ok || (j < len(s) && (wordChar(s[j]) || (s[j] == '.' && j+1 < len(s) && isDigit(s[j+1])))) {
			// Skip the rest of this dotted number.
			for i+1 < len(s) && (isDigit(s[i+1]) || s[i+1] == '.') {
				i++
			}
			continue
		}
		if w, _ := prevWord(s, i, ":"); versionWords[w] {
			i = j - 1
			continue
		}
		dst = add(dst, base, i, j, IP)
		i = j - 1
	}
	return dst
}

// findIPv6 finds IPv6 addresses (full, compressed or IPv4-mapped) as
// net/netip parses them.
func findIPv6(dst []Span, base int, s string) []Span {
	for off := 0; ; {
		k := strings.IndexByte(s[off:], ':')
		if k < 0 {
			return dst
		}
		c := off + k
		start := c
		for start > 0 && (isHex(s[start-1]) || s[start-1] == ':') {
			start--
		}
		end := c
		for end < len(s) && (isHex(s[end]) || s[end] == ':' || s[end] == '.') {
			end++
		}
		for start+1 < end && s[start] == ':' && s[start+1] != ':' {
			start++ // "IP:2001:db8::1"
		}
		for end > c && (s[end-1] == '.' || (s[end-1] == ':' && (end-2 < 0 || s[end-2] != ':'))) {
			end--
		}
		off = end
		if off <= c {
			off = c + 1
		}
		if start >= end {
			continue
		}
		if (start > 0 && wordChar(s[start-1])) || (end < len(s) && wordChar(s[end])) {
			continue
		}
		cand := s[start:end]
		if strings.Count(cand, ":") < 2 {
			continue
		}
		a, err := netip.ParseAddr(cand)
		if err != nil || !a.Is6() {
			continue
		}
		dst = add(dst, base, start, end, IP)
	}
}
