package redact

import (
	"slices"
	"strings"
)

// idWords precede numbers that identify orders, tickets and the like; such
// numbers are not phone numbers.
var idWords = map[string]bool{
	"order": true, "orders": true, "invoice": true, "ticket": true, "case": true,
	"ref": true, "reference": true, "tracking": true, "transaction": true,
	"confirmation": true, "booking": true, "reservation": true, "receipt": true,
	"sku": true, "serial": true, "po": true, "id": true, "pnr": true, "claim": true,
	"policy": true, "contract": true, "account": true, "acct": true, "customer": true,
	"member": true, "membership": true, "parcel": true, "shipment": true, "item": true,
	"article": true, "product": true, "model": true, "part": true, "request": true,
	"incident": true, "pedido": true, "commande": true, "bestellung": true,
	"bestelnummer": true, "ordine": true, "factura": true, "facture": true,
	"rechnung": true, "nummer": true, "numero": true, "n": true, "nr": true, "no": true,
	"isbn": true, "issn": true, "imei": true, "imsi": true, "iccid": true, "ean": true,
	"upc": true, "gtin": true, "asin": true, "vin": true, "fedex": true, "ups": true,
	"dhl": true, "usps": true, "awb": true, "version": true, "ver": true, "v": true,
	"build": true, "release": true, "firmware": true,
}

// numberWords may sit between an id word and the number ("order no. 123").
var numberWords = map[string]bool{"no": true, "nr": true, "num": true, "number": true, "n": true}

// currencyWords after a number make it an amount.
var currencyWords = map[string]bool{
	"eur": true, "euro": true, "euros": true, "usd": true, "dollars": true, "gbp": true,
	"pounds": true, "chf": true, "sek": true, "nok": true, "dkk": true, "kr": true,
	"yen": true, "jpy": true, "inr": true, "rupees": true, "cents": true, "pln": true,
}

// currencyBefore reports whether a currency sign directly precedes s[i],
// optionally separated by one space.
func currencyBefore(s string, i int) bool {
	if i > 0 && s[i-1] == ' ' {
		i--
	}
	p := s[:i]
	return strings.HasSuffix(p, "$") || strings.HasSuffix(p, "€") || strings.HasSuffix(p, "£") ||
		strings.HasSuffix(p, "¥") || strings.HasSuffix(p, "₹")
}

const maxPhoneDigits = 15 // E.164

// findPhones finds phone numbers: 9 to 15 digits, optionally led by '+' and
// grouped with spaces, dashes, dots, slashes and parentheses. Order and ticket
// numbers (after '#' or words such as "order"), dates, amounts and dotted
// thousands are not phone numbers.
func findPhones(dst []Span, base int, s string) []Span {
	for i := 0; i < len(s); i++ {
		c := s[i]
		startsNumber := isDigit(c) ||
			((c == '+' || c == '(') && i+1 < len(s) && (isDigit(s[i+1]) || s[i+1] == '(' || s[i+1] == '+'))
		if !startsNumber || (i > 0 && !phoneLeftOK(s, i)) {
			continue
		}
		end, ok := scanPhone(s, i)
		if end <= i {
			continue
		}
		if ok && !overlaps(dst[base:], i, end) {
			dst = append(dst, Span{Start: i, End: end, Kind: Phone})
		}
		i = end - 1
	}
	return dst
}

// phoneLeftOK checks the byte before a number candidate.
func phoneLeftOK(s string, i int) bool {
	p := s[i-1]
	switch {
	case wordChar(p):
		return false
	case p == ':':
		return i < 2 || !isDigit(s[i-2]) // "tel:0612..." yes, "12:30" no
	}
	return strings.IndexByte(".,/-_#@&=%+*", p) < 0
}

// scanPhone reads a number candidate starting at s[i] and reports where it
// ends and whether it is a phone number.
func scanPhone(s string, i int) (end int, ok bool) {
	var groups [maxPhoneDigits + 1]int
	var seps [maxPhoneDigits + 1]byte // the punctuation of the separator after each group, ' ' if only spaces
	ng, digits, dots := 0, 0, 0
	plus := false
	j := i
	if s[j] == '+' {
		plus = true
		j++
	}
	open := 0
	for j < len(s) && s[j] == '(' {
		open++
		j++
	}
	if j < len(s) && s[j] == '+' {
		plus = true
		j++
	}
	for j < len(s) {
		k := j
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k == j {
			break
		}
		groups[ng] = k - j
		digits += k - j
		ng++
		end = k
		if digits > maxPhoneDigits || ng == len(groups) {
			break
		}
		// A separator: up to three of " -./()" with at most one of "-./",
		// balanced parentheses and no spaced slash (" / " separates numbers),
		// followed by a digit.
		j = k
		var punct byte = ' '
		spaces, nPunct, bad := 0, 0, false
		for k < len(s) && k-j < 3 && !bad {
			switch s[k] {
			case ' ':
				spaces++
			case '-', '.', '/':
				punct = s[k]
				nPunct++
			case '(':
				open++
			case ')':
				open--
				bad = open < 0
			default:
				goto sepDone
			}
			k++
		}
	sepDone:
		if k == j || bad || nPunct > 1 || spaces > 2 || (punct == '/' && spaces > 0) || k >= len(s) || !isDigit(s[k]) {
			break
		}
		if punct == '.' {
			dots++
		}
		seps[ng-1] = punct
		j = k
	}
	if digits < 9 || digits > maxPhoneDigits {
		return end, false
	}
	if ng == 1 && !plus && digits > 12 {
		return end, false
	}
	if end < len(s) && (wordChar(s[end]) || s[end] == '%' || decimalAt(s, end) ||
		(s[end] == ':' && end+1 < len(s) && isDigit(s[end+1]))) {
		return end, false
	}
	if isIDContext(s, i) || currencyBefore(s, i) || currencyAfter(s, end) {
		return end, false
	}
	g := groups[:ng]
	sp := seps[:ng-1]
	if isDate(g, sp) || (ng >= 3 && isDate(g[ng-3:], sp[ng-3:])) || allYears(s[i:end]) {
		return end, false
	}
	if dots == 1 && ng >= 2 && sp[ng-2] == '.' && g[ng-1] <= 2 {
		return end, false // a decimal amount: 1234567.89
	}
	if dots == ng-1 && ng >= 3 && slices.Contains(g[1:], 1) {
		return end, false // a version: 10.0.19045.3693 (1.800.555.0199 is a phone)
	}
	if dots == ng-1 && ng >= 3 && g[0] <= 3 && !(ng == 3 && g[0] == 3 && g[1] == 3 && g[2] == 4) {
		thousands := true
		for _, n := range g[1:] {
			thousands = thousands && n == 3
		}
		if thousands {
			return end, false // 1.234.567.890
		}
	}
	return end, true
}

// isDate reports whether the first three groups look like a date with a
// four-digit year: 2025-03-02, 02/03/2025, 2.3.2025.
func isDate(g []int, seps []byte) bool {
	if len(g) < 3 || len(seps) < 2 || seps[0] != seps[1] || seps[0] == ' ' {
		return false
	}
	return (g[0] == 4 && g[1] <= 2 && g[2] <= 2) || (g[0] <= 2 && g[1] <= 2 && g[2] == 4)
}

// allYears reports whether every digit group of number is a four-digit
// year from 1900 to 2099: "since 2019 2020 2021" lists years; no phone
// number is written as three such groups.
func allYears(number string) bool {
	groups := 0
	for i := 0; i < len(number); {
		if !isDigit(number[i]) {
			i++
			continue
		}
		j := i
		for j < len(number) && isDigit(number[j]) {
			j++
		}
		if j-i != 4 || !(number[i:i+2] == "19" || number[i:i+2] == "20") {
			return false
		}
		groups++
		i = j
	}
	return groups >= 2
}

// isIDContext reports whether the number at s[i] follows '#' or an id word
// such as "order" or "ticket no.".
func isIDContext(s string, i int) bool {
	j := i
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	if j > 0 && (s[j-1] == '#' || s[j-1] == '\u00ba') {
		return true
	}
	w, at := prevWord(s, i, ":#.")
	if numberWords[w] {
		if w2, _ := prevWord(s, at, ":#."); idWords[w2] {
			return true
		}
	}
	return idWords[w] && w != "no" && w != "n"
}

// currencyAfter reports whether a currency word or sign follows s[:i].
func currencyAfter(s string, i int) bool {
	j := i
	if j < len(s) && s[j] == ' ' {
		j++
	}
	r := s[j:]
	if strings.HasPrefix(r, "€") || strings.HasPrefix(r, "$") || strings.HasPrefix(r, "£") {
		return true
	}
	k := 0
	for k < len(r) && k < 8 && isAlpha(r[k]) {
		k++
	}
	if k == 0 || (k < len(r) && isAlpha(r[k])) {
		return false
	}
	return currencyWords[strings.ToLower(r[:k])]
}
