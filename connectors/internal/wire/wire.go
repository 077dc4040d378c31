package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

var null = []byte("null")

// unquote decodes the JSON string literal b as json.Unmarshal would. A
// literal without escapes, control bytes or invalid UTF-8 (nearly every
// vendor string) is copied directly instead of going through the decoder a
// second time.
func unquote(b []byte) (string, error) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		if in := b[1 : len(b)-1]; !hasSpecial(in) && utf8.Valid(in) {
			return string(in), nil
		}
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// hasSpecial reports whether b holds a byte that needs the full decoder.
func hasSpecial(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == '\\' || c == '"' {
			return true
		}
	}
	return false
}

// ID is a vendor id sent either as a JSON string or a JSON number (Zendesk
// and Delighted do both). Numbers keep their literal text, so large ids are
// not rounded through float64. null decodes to "".
type ID string

// UnmarshalJSON accepts a string, a number or null.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, null):
		*id = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return err
		}
		*id = ID(strings.TrimSpace(s))
		return nil
	case len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')):
		*id = ID(b)
		return nil
	}
	return errors.New("id: want a string or a number")
}

// String returns the id as text.
func (id ID) String() string { return string(id) }

// NonZero returns the id as text, or "" for "0", which several vendors
// send for "none" (no organization, unassigned, no recipient).
func (id ID) NonZero() string {
	if id == "0" {
		return ""
	}
	return id.String()
}

// Scalar is a free-form value (a hidden field, a person property) kept only
// when it is a string, number or boolean. Objects and arrays decode without
// error but are not Valid.
type Scalar struct {
	Value string
	Valid bool
}

// UnmarshalJSON keeps strings, numbers and booleans as text.
func (s *Scalar) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*s = Scalar{}
	if len(b) == 0 {
		return nil
	}
	switch c := b[0]; {
	case c == '"':
		v, err := unquote(b)
		if err != nil {
			return err
		}
		*s = Scalar{Value: v, Valid: true}
	case c == 't' || c == 'f':
		var v bool
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = Scalar{Value: strconv.FormatBool(v), Valid: true}
	case c == '-' || (c >= '0' && c <= '9'):
		*s = Scalar{Value: string(b), Valid: true}
	}
	return nil
}

// Time is an RFC 3339 timestamp (fractional seconds allowed) that may be
// missing: null and "" decode to the zero time.
type Time struct{ time.Time }

// UnmarshalJSON parses an RFC 3339 string, or null or "" as absent.
func (t *Time) UnmarshalJSON(b []byte) error {
	v, err := decodeTime(b, false)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// Zoneless is the layout of an RFC 3339 date-time without its zone
// ("2013-09-07T13:37:00", fractional seconds allowed). time.Parse reads
// it as UTC.
const Zoneless = "2006-01-02T15:04:05.999999999"

// TimeOrZoneless is a Time that also accepts the Zoneless form, read as
// UTC; blanks around that form are ignored. null and "" decode to the zero
// time.
type TimeOrZoneless struct{ time.Time }

// UnmarshalJSON parses an RFC 3339 string, else a Zoneless one, or null or
// "" as absent.
func (t *TimeOrZoneless) UnmarshalJSON(b []byte) error {
	v, err := decodeTime(b, true)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// decodeTime decodes the JSON value b for Time, and for TimeOrZoneless
// when zoneless is set: null and a blank string are the zero time.
func decodeTime(b []byte, zoneless bool) (time.Time, error) {
	s, ok, err := timeText(b)
	if err != nil || !ok {
		return time.Time{}, err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	switch {
	case err == nil:
		return v, nil
	case !zoneless:
		return time.Time{}, fmt.Errorf("timestamp %q is not RFC 3339", s)
	}
	if v, err = time.Parse(Zoneless, strings.TrimSpace(s)); err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q is not RFC 3339, with or without a zone", s)
	}
	return v, nil
}

// timeText decodes the JSON value b for Time and its variants: ok is false
// for null and a blank string (absent); otherwise s is the string as sent.
func timeText(b []byte) (s string, ok bool, err error) {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, null) {
		return "", false, nil
	}
	s, err = unquote(b)
	if err != nil {
		return "", false, fmt.Errorf("timestamp: %w", err)
	}
	if strings.TrimSpace(s) == "" {
		return "", false, nil
	}
	return s, true, nil
}

// ParseTime parses s with the first of layouts that accepts it, and
// reports whether one did. s is used as given (trim it first if blanks are
// allowed); a layout without a zone reads s as UTC, as time.Parse does.
func ParseTime(s string, layouts ...string) (time.Time, bool) {
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Bounds of the timestamps a record can marshal.
const (
	// MaxUnix is 9999-12-31T23:59:59Z in Unix seconds.
	MaxUnix = 253402300799
	// MaxUnixMillis is 9999-12-31T23:59:59.999Z in Unix milliseconds.
	MaxUnixMillis = MaxUnix*1000 + 999
)

// Unix converts Unix seconds to a time; zero or negative means absent.
func Unix(sec int64) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	if sec > MaxUnix {
		// Out of range: keep it non-zero so Instant reports it.
		return time.Unix(MaxUnix+1, 0).UTC()
	}
	return time.Unix(sec, 0).UTC()
}

// Instant prepares a vendor timestamp for a record: it returns t in UTC,
// ok=false when t is absent (zero), and an error when t lies outside the
// years 1..9999, which JSON cannot carry.
func Instant(t time.Time) (utc time.Time, ok bool, err error) {
	if t.IsZero() {
		return time.Time{}, false, nil
	}
	u := t.UTC()
	if y := u.Year(); y < 1 || y > 9999 {
		return time.Time{}, false, fmt.Errorf("timestamp %s outside years 1..9999", t.Format(time.RFC3339))
	}
	if u.IsZero() {
		return time.Time{}, false, nil
	}
	return u, true, nil
}

// JoinText joins the non-blank parts with "\n", trimming each.
func JoinText(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p)
	}
	return b.String()
}

// Personal reports whether a free-form key (a hidden field, a person
// property) probably holds personal data (email, name, phone, address), so
// it must not be copied into record attributes, which the NLP stage does
// not redact.
func Personal(key string) bool {
	k := strings.ToLower(strings.TrimSpace(key))
	k = keySeparators.Replace(k)
	for _, s := range []string{"email", "e_mail", "phone", "mobile", "address", "ip_address", "postcode", "zip"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	switch k {
	case "name", "first_name", "last_name", "full_name", "firstname", "lastname", "fullname", "surname", "given_name", "family_name", "ip":
		return true
	}
	return false
}

// keySeparators folds the separators of field names to "_" for Personal.
var keySeparators = strings.NewReplacer("-", "_", " ", "_", ".", "_")

// Seconds is a Unix timestamp in seconds sent as a JSON number (integer or
// not) or a numeric string; null decodes to 0. Time converts it.
type Seconds int64

// UnmarshalJSON accepts a number, a numeric string or null.
func (s *Seconds) UnmarshalJSON(b []byte) error {
	n, _, err := unmarshalSeconds(b)
	if err != nil {
		return err
	}
	*s = n
	return nil
}

// unmarshalSeconds decodes b as Seconds. When b is a string that is not a
// number, it also returns the string, trimmed, so that a variant can try
// other forms without decoding b again.
func unmarshalSeconds(b []byte) (n Seconds, str string, err error) {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, null) {
		return 0, "", nil
	}
	if len(b) > 0 && b[0] == '"' {
		v, err := unquote(b)
		if err != nil {
			return 0, "", err
		}
		str = strings.TrimSpace(v)
		if str == "" {
			return 0, "", nil
		}
		b = []byte(str)
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return Seconds(n), "", nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || f > MaxUnix*2 || f < -MaxUnix*2 {
		return 0, str, fmt.Errorf("unix timestamp %.40q is not a number of seconds", b)
	}
	return Seconds(int64(f)), "", nil
}

// Time returns the instant, or the zero time when s <= 0 (absent).
func (s Seconds) Time() time.Time { return Unix(int64(s)) }

// SecondsOrTime is a timestamp sent as Unix seconds, as Seconds accepts
// them (number, numeric string, null), or else as an RFC 3339 string
// (blanks around it ignored). As for Seconds, an instant whose Unix seconds
// are 0 or less is absent. Time returns it.
type SecondsOrTime struct{ t time.Time }

// UnmarshalJSON accepts what Seconds accepts, then an RFC 3339 string.
func (s *SecondsOrTime) UnmarshalJSON(b []byte) error {
	n, str, err := unmarshalSeconds(b)
	if err == nil {
		s.t = n.Time()
		return nil
	}
	if str == "" {
		return err
	}
	t, perr := time.Parse(time.RFC3339Nano, str)
	if perr != nil {
		return fmt.Errorf("%w, nor RFC 3339", err)
	}
	if t.Unix() <= 0 {
		t = time.Time{} // absent, as Seconds treats 0 and below
	}
	s.t = t
	return nil
}

// Time returns the instant, or the zero time when absent.
func (s SecondsOrTime) Time() time.Time { return s.t }

// Millis is a Unix timestamp in milliseconds sent as a JSON integer or a
// numeric string; null decodes to 0 (absent).
type Millis int64

// UnmarshalJSON accepts an integer, a numeric string or null.
func (m *Millis) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*m = 0
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		s, err := unquote(b)
		if err != nil {
			return err
		}
		b = []byte(strings.TrimSpace(s))
		if len(b) == 0 {
			*m = 0
			return nil
		}
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("timestamp %.40q is not a whole number of milliseconds", b)
	}
	*m = Millis(n)
	return nil
}

// UnmarshalOptional decodes raw into v; absent (empty) and null leave v
// as it is.
func UnmarshalOptional(raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return json.Unmarshal(raw, v)
}
