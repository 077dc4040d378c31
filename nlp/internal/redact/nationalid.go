package redact

// findNationalIDs finds US Social Security numbers written in their 3-2-4
// groups ("123-45-6789", "123 45 6789") with a valid area, group and serial
// (area not 000, 666 or 9xx; group not 00; serial not 0000), and UK National
// Insurance numbers ("QQ123456C", "QQ 12 34 56 C") with a valid prefix.
// Nine bare digits are left to the phone scanner: as an SSN they are too
// ambiguous. A NINO-shaped code after an id word ("SKU AB123456C") is left
// alone.
func findNationalIDs(dst []Span, base int, s string) []Span {
	for i := 0; i < len(s); i++ {
		if i > 0 && wordChar(s[i-1]) {
			continue
		}
		if end := ssnAt(s, i); end > 0 {
			dst = add(dst, base, i, end, NationalID)
			i = end - 1
			continue
		}
		if end := ninoAt(s, i); end > 0 {
			if w, _ := prevWord(s, i, "#:"); !idWords[w] {
				dst = add(dst, base, i, end, NationalID)
			}
			i = end - 1
		}
	}
	return dst
}

// ssnAt returns the end of an SSN starting at s[i], or 0.
func ssnAt(s string, i int) int {
	if i+11 > len(s) {
		return 0
	}
	sep := s[i+3]
	if sep != '-' && sep != ' ' || s[i+6] != sep {
		return 0
	}
	for _, k := range [...]int{0, 1, 2, 4, 5, 7, 8, 9, 10} {
		if !isDigit(s[i+k]) {
			return 0
		}
	}
	if i+11 < len(s) && (wordChar(s[i+11]) || s[i+11] == '-' || (s[i+11] == sep && i+12 < len(s) && isDigit(s[i+12]))) {
		return 0 // longer number: a phone or an id
	}
	area, group, serial := s[i:i+3], s[i+4:i+6], s[i+7:i+11]
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return 0
	}
	return i + 11
}

// ninoAt returns the end of a UK National Insurance number starting at
// s[i], or 0: two prefix letters, six digits (optionally in spaced pairs)
// and a suffix letter A to D.
func ninoAt(s string, i int) int {
	if i+9 > len(s) || !isAlpha(s[i]) || !isAlpha(s[i+1]) {
		return 0
	}
	a, b := s[i]&^0x20, s[i+1]&^0x20 // upper case
	switch {
	case a == 'D' || a == 'F' || a == 'I' || a == 'Q' || a == 'U' || a == 'V':
		return 0
	case b == 'D' || b == 'F' || b == 'I' || b == 'O' || b == 'Q' || b == 'U' || b == 'V':
		return 0
	}
	switch string([]byte{a, b}) {
	case "BG", "GB", "NK", "KN", "TN", "NT", "ZZ":
		return 0
	}
	j := i + 2
	for pair := 0; pair < 3; pair++ {
		if j < len(s) && s[j] == ' ' {
			j++
		}
		if j+2 > len(s) || !isDigit(s[j]) || !isDigit(s[j+1]) {
			return 0
		}
		j += 2
	}
	if j < len(s) && s[j] == ' ' {
		j++
	}
	if j >= len(s) {
		return 0
	}
	if c := s[j] &^ 0x20; c < 'A' || c > 'D' {
		return 0
	}
	j++
	if j < len(s) && wordChar(s[j]) {
		return 0
	}
	return j
}
