package redact

// findCards finds payment card numbers: 13 to 19 digits, optionally in groups
// separated by single spaces or dashes, starting with 2-6 (the major
// networks) and passing the Luhn check. A run that fails is retried on its
// shorter group-aligned prefixes, so "4111 1111 1111 1111 12/27" still finds
// the card.
func findCards(dst []Span, base int, s string) []Span {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) || (i > 0 && (wordChar(s[i-1]) || s[i-1] == '.' || s[i-1] == ',')) {
			continue
		}
		if afterIBANHead(s, i) {
			continue // the rest of an IBAN that failed its checksum
		}
		var digits [19]byte
		var ends [19]int // ends[k]: byte end of the group ending after digit k (0 if none)
		n, j := 0, i
		for j < len(s) {
			c := s[j]
			if isDigit(c) {
				if n == len(digits) {
					n++ // too long
					break
				}
				digits[n] = c - '0'
				n++
				j++
				continue
			}
			if (c == ' ' || c == '-') && j+1 < len(s) && isDigit(s[j+1]) {
				ends[n-1] = j
				j++
				continue
			}
			break
		}
		runEnd := j
		if n > len(digits) {
			// Skip the rest of the over-long run.
			for j < len(s) && (isDigit(s[j]) || s[j] == ' ' || s[j] == '-') {
				j++
			}
			i = j
			continue
		}
		ends[n-1] = runEnd
		found := false
		for k := n; k >= 13; k-- {
			end := ends[k-1]
			if end == 0 || (k == n && end < len(s) && (wordChar(s[end]) || decimalAt(s, end))) {
				continue
			}
			if digits[0] < 2 || digits[0] > 6 || !luhn(digits[:k]) {
				continue
			}
			dst = add(dst, base, i, end, Card)
			i = end - 1
			found = true
			break
		}
		if !found {
			i = runEnd - 1
		}
	}
	return dst
}

// afterIBANHead reports whether s[i] follows "XX99 ", the country code and
// check digits of a grouped IBAN.
func afterIBANHead(s string, i int) bool {
	return i >= 5 && s[i-1] == ' ' && isDigit(s[i-2]) && isDigit(s[i-3]) &&
		isAlpha(s[i-4]) && isAlpha(s[i-5]) && (i == 5 || !wordChar(s[i-6]))
}

// decimalAt reports whether s[i:] continues a number as a decimal fraction
// (".5", ",50").
func decimalAt(s string, i int) bool {
	return i+1 < len(s) && (s[i] == '.' || s[i] == ',') && isDigit(s[i+1])
}

// luhn reports whether the digits pass the Luhn check.
func luhn(d []byte) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i])
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}
