package redact

// findCards finds payment card numbers: 13 to 19 digits, optionally in groups
// separated by single spaces or dashes, with the prefix and length of a card
// network (cardPrefix) and passing the Luhn check. A run that fails is retried on its
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
			if !cardPrefix(digits[:k]) || !luhn(digits[:k]) {
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

// cardPrefix reports whether d starts like a number of a card network of
// that length (ISO/IEC 7812 issuer ranges): Visa 4 (13, 16, 19 digits),
// Mastercard 51-55 and 2221-2720 (16), Amex 34 and 37 (15), Diners 300-305,
// 36, 38, 39 (14-19), JCB 3528-3589, Discover 6011, 644-649 and 65, UnionPay
// 62, Mir 2200-2204 (16-19), Maestro 50 and 56-69 (13-19). Other Luhn-valid
// numbers, such as a phone's IMEI (15 digits, mostly 35...), are not cards.
func cardPrefix(d []byte) bool {
	n := len(d)
	p2 := int(d[0])*10 + int(d[1])
	p4 := p2*100 + int(d[2])*10 + int(d[3])
	between := func(v, lo, hi int) bool { return v >= lo && v <= hi }
	switch d[0] {
	case 4:
		return n == 13 || n == 16 || n == 19
	case 2:
		return (between(p4, 2221, 2720) && n == 16) || (between(p4, 2200, 2204) && n >= 16)
	case 3:
		switch {
		case p2 == 34 || p2 == 37:
			return n == 15
		case between(p4, 3528, 3589):
			return n >= 16
		case between(p4/10, 300, 305) || p2 == 36 || p2 == 38 || p2 == 39:
			return n >= 14
		}
		return false
	case 5:
		return (between(p2, 51, 55) && n == 16) || p2 == 50 || p2 >= 56
	case 6:
		return true // Discover, UnionPay, Maestro: 13-19 digits
	}
	return false
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
