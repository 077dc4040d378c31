package nlp

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedact(t *testing.T) {
	a := analyzer(t)
	tests := []struct {
		name string
		in   string
		want string
		pii  map[string]int
	}{
		// Emails.
		{"email", "write to jane.doe+cx@example.co.uk.", "write to [EMAIL].", map[string]int{"email": 1}},
		{"email in brackets", "(j_smith@mail.example.org)", "([EMAIL])", map[string]int{"email": 1}},
		{"two emails", "a@b.io, c.d@e-f.com", "[EMAIL], [EMAIL]", map[string]int{"email": 2}},
		{"not email: handle", "ping @support or me@localhost", "ping @support or me@localhost", nil},

		// Phones.
		{"phone intl", "call +44 20 7946 0958 now", "call [PHONE] now", map[string]int{"phone": 1}},
		{"phone us", "ring (555) 123-4567 or +1 (555) 123-4567", "ring [PHONE] or [PHONE]", map[string]int{"phone": 2}},
		{"phone fr", "tel: 06 12 34 56 78 ou 06.12.34.56.78", "tel: [PHONE] ou [PHONE]", map[string]int{"phone": 2}},
		{"phone de", "+49 (0)30 1234567", "[PHONE]", map[string]int{"phone": 1}},
		{"phone es", "mi número es 612 345 678", "mi número es [PHONE]", map[string]int{"phone": 1}},
		{"phone bare", "my number is 0612345678.", "my number is [PHONE].", map[string]int{"phone": 1}},
		{"not phone: order #", "order #123456789 is late", "order #123456789 is late", nil},
		{"not phone: order no.", "order no. 123456789 and ticket 987654321", "order no. 123456789 and ticket 987654321", nil},
		{"not phone: tracking", "tracking number 123456789012", "tracking number 123456789012", nil},
		{"not phone: dates", "on 2025-03-02, 03/02/2025 and 02.03.2025 at 14:30", "on 2025-03-02, 03/02/2025 and 02.03.2025 at 14:30", nil},
		{"not phone: date and time", "since 2025-03-02 14:30:00", "since 2025-03-02 14:30:00", nil},
		{"not phone: version", "Version 10.0.19045.3693 of Windows, build 22621.2428.1.0 and 10.0.19045.3693", "Version 10.0.19045.3693 of Windows, build 22621.2428.1.0 and 10.0.19045.3693", nil},
		{"phone: dotted with a one-digit country code", "call 1.800.555.0199", "call [PHONE]", map[string]int{"phone": 1}},
		{"not phone: ISBN", "ISBN 978-3-16-148410-0 was the wrong edition", "ISBN 978-3-16-148410-0 was the wrong edition", nil},
		{"not phone: carrier tracking", "FedEx 123456789012 shows delivered", "FedEx 123456789012 shows delivered", nil},
		{"not phone: years", "customer since 2019 2020 2021, renewed 1998-2004-2010", "customer since 2019 2020 2021, renewed 1998-2004-2010", nil},
		{"phone: 4-4-4 groups that are not all years", "call 0201 9202 0211", "call [PHONE]", map[string]int{"phone": 1}},
		{"not phone: prices", "paid $1,234,567.89, 1234567.89 EUR and € 123456789", "paid $1,234,567.89, 1234567.89 EUR and € 123456789", nil},
		{"not phone: thousands", "1.234.567.890 points", "1.234.567.890 points", nil},
		{"not phone: short", "call 555-1234", "call 555-1234", nil},
		{"not phone: in word", "SKU AB123456789X", "SKU AB123456789X", nil},

		// Cards.
		{"card spaced", "card 4111 1111 1111 1111 exp 12/27", "card [CARD] exp 12/27", map[string]int{"card": 1}},
		{"card dashed", "5555-5555-5555-4444", "[CARD]", map[string]int{"card": 1}},
		{"card compact amex", "amex 378282246310005", "amex [CARD]", map[string]int{"card": 1}},
		{"not card: luhn", "ref 4111 1111 1111 1112", "ref 4111 1111 1111 1112", nil},
		{"not card: 16 digits", "1234567812345678", "1234567812345678", nil},
		{"cards of other networks", "jcb 3530 1113 3330 0000, diners 3056 9309 0259 04, discover 6011 1111 1111 1117, unionpay 6200 0000 0000 0005, mc 2223 0031 2200 3222, visa 4222222222222",
			"jcb [CARD], diners [CARD], discover [CARD], unionpay [CARD], mc [CARD], visa [CARD]", map[string]int{"card": 6}},
		{"not card: IMEI (Luhn-valid, no card network)", "IMEI 356938035643809 is blocked, 356938035643809", "IMEI 356938035643809 is blocked, 356938035643809", nil},
		{"not card: Luhn-valid, visa prefix, 15 digits", "ref 411111111111108", "ref 411111111111108", nil},

		// IBANs.
		{"iban grouped", "IBAN DE89 3704 0044 0532 0130 00 please", "IBAN [IBAN] please", map[string]int{"iban": 1}},
		{"iban compact", "GB82WEST12345698765432.", "[IBAN].", map[string]int{"iban": 1}},
		{"iban fr", "FR14 2004 1010 0505 0001 3M02 606", "[IBAN]", map[string]int{"iban": 1}},
		{"not iban: checksum", "IBAN DE89 3704 0044 0532 0130 01", "IBAN DE89 3704 0044 0532 0130 01", nil},
		{"not iban: length", "DE89370400440532013", "DE89370400440532013", nil},

		// IPs.
		{"ipv4", "from 192.168.1.100, then 10.0.0.1.", "from [IP], then [IP].", map[string]int{"ip": 2}},
		{"ipv6", "2001:db8::1 and fe80::1ff:fe23:4567:890a", "[IP] and [IP]", map[string]int{"ip": 2}},
		{"ipv6 after label", "IP:2001:db8::8a2e:370:7334.", "IP:[IP].", map[string]int{"ip": 1}},
		{"not ip: versions", "v1.2.3.4, version 10.0.0.1, 4.2.1 and 1.2.3.4.5", "v1.2.3.4, version 10.0.0.1, 4.2.1 and 1.2.3.4.5", nil},
		{"not ip: octets", "999.1.1.1 and 01.02.03.04", "999.1.1.1 and 01.02.03.04", nil},
		{"not ip: time", "at 12:30:45 sharp", "at 12:30:45 sharp", nil},

		// National ids: US SSN in its groups, UK National Insurance numbers.
		{"ssn", "my SSN is 123-45-6789, spouse 234 56 7890", "my SSN is [NATIONAL_ID], spouse [NATIONAL_ID]", map[string]int{"national_id": 2}},
		{"not ssn: invalid area or group", "000-12-3456 666-12-3456 912-34-5678 123-00-4567",
			"000-12-3456 666-12-3456 912-34-5678 123-00-4567", nil},
		{"not ssn: part of a longer number", "ref 123-45-6789-01", "ref 123-45-6789-01", nil},
		{"nino", "NI number AB 12 34 56 C and jg103759a", "NI number [NATIONAL_ID] and [NATIONAL_ID]", map[string]int{"national_id": 2}},
		{"not nino: prefix, suffix, id word", "QQ123456C, AB123456E, SKU AB123456C", "QQ123456C, AB123456E, SKU AB123456C", nil},

		// Mixed.
		{"mixed", "jo@x.io / +33 6 12 34 56 78 / 4111111111111111 / 10.1.2.3",
			"[EMAIL] / [PHONE] / [CARD] / [IP]", map[string]int{"email": 1, "phone": 1, "card": 1, "ip": 1}},
		{"nothing", "The courier was late.", "The courier was late.", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, pii := a.Redact(tt.in)
			assert.Equal(t, tt.want, got)
			want := tt.pii
			if want == nil {
				want = map[string]int{}
			}
			assert.Equal(t, want, pii)
		})
	}
}

func TestRedactDoesNotTruncate(t *testing.T) {
	cfg := NewDefaultConfig()
	cfg.MaxTextBytes = 10
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got, pii := a.Redact("a long answer that mentions a@b.io at the end")
	assert.Equal(t, "a long answer that mentions [EMAIL] at the end", got)
	assert.Equal(t, map[string]int{"email": 1}, pii)
}
