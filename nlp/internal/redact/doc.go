// Package redact finds personal data in free text: email addresses, phone
// numbers, payment card numbers, IBANs, IP addresses and national ids (US
// Social Security and UK National Insurance numbers).
//
// The scanners are hand-written byte loops, not regular expressions: a text
// with no '@', fewer than four digits and fewer than two ':' costs one pass
// over its bytes and no allocation.
package redact
