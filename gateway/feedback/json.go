package feedback

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends to dst the bytes json.Marshal(r) returns and returns
// the extended buffer. It fails where json.Marshal does: on a NaN or
// infinite float, or a time RFC 3339 cannot express (a year outside
// 0..9999, a zone offset of 24 hours or more); dst is then returned
// unchanged.
//
// It follows the struct tags by hand, so a change to the Record types must
// be made here too; the differential tests against encoding/json catch a
// mismatch.
func (r *Record) AppendJSON(dst []byte) ([]byte, error) {
	if r == nil {
		return append(dst, "null"...), nil
	}
	b, err := r.appendJSON(dst)
	if err != nil {
		return dst, fmt.Errorf("feedback: encode record json: %w", err)
	}
	return b, nil
}

func (r *Record) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"schema_version":`...)
	b = strconv.AppendInt(b, int64(r.SchemaVersion), 10)
	b = append(b, `,"id":`...)
	b = appendString(b, r.ID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, r.Version, 10)
	b = append(b, `,"source":`...)
	b = appendString(b, r.Source)
	b = append(b, `,"kind":`...)
	b = appendString(b, string(r.Kind))
	b = append(b, `,"event_id":`...)
	b = appendString(b, r.EventID)
	b = append(b, `,"occurred_at":`...)
	if b, err = appendTime(b, r.OccurredAt); err != nil {
		return b, fmt.Errorf("occurred_at: %w", err)
	}
	b = append(b, `,"received_at":`...)
	if b, err = appendTime(b, r.ReceivedAt); err != nil {
		return b, fmt.Errorf("received_at: %w", err)
	}
	b = append(b, `,"customer":`...)
	b = r.Customer.appendJSON(b)
	b = appendOptionalString(b, `,"touchpoint":`, r.Touchpoint)
	b = appendOptionalString(b, `,"team":`, r.Team)
	b = appendOptionalString(b, `,"location":`, r.Location)
	b = appendOptionalString(b, `,"agent":`, r.Agent)
	if r.Score != nil {
		b = append(b, `,"score":`...)
		if b, err = r.Score.appendJSON(b); err != nil {
			return b, fmt.Errorf("score: %w", err)
		}
	}
	b = append(b, `,"text":`...)
	b = appendString(b, r.Text)
	if len(r.Answers) > 0 {
		b = append(b, `,"answers":[`...)
		for i := range r.Answers {
			if i > 0 {
				b = append(b, ',')
			}
			b = r.Answers[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	b = appendOptionalString(b, `,"language":`, r.Language)
	b = append(b, `,"themes":`...)
	if r.Themes == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range r.Themes {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = r.Themes[i].appendJSON(b); err != nil {
				return b, fmt.Errorf("themes[%d]: %w", i, err)
			}
		}
		b = append(b, ']')
	}
	if r.Sentiment != nil {
		b = append(b, `,"sentiment":`...)
		if b, err = r.Sentiment.appendJSON(b); err != nil {
			return b, fmt.Errorf("sentiment: %w", err)
		}
	}
	b = append(b, `,"pii":`...)
	b = appendIntMap(b, r.PII)
	if len(r.Phrases) > 0 {
		b = append(b, `,"phrases":[`...)
		for i, p := range r.Phrases {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, p)
		}
		b = append(b, ']')
	}
	if len(r.Attributes) > 0 {
		b = append(b, `,"attributes":`...)
		b = appendStringMap(b, r.Attributes)
	}
	return append(b, '}'), nil
}

func (c *Customer) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if c.ID != "" {
		b = append(b, `"id":`...)
		b = appendString(b, c.ID)
		b = append(b, ',')
	}
	if c.AccountID != "" {
		b = append(b, `"account_id":`...)
		b = appendString(b, c.AccountID)
		b = append(b, ',')
	}
	b = append(b, `"role":`...)
	b = appendString(b, string(c.Role))
	return append(b, '}')
}

func (s *Score) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"value":`...)
	if b, err = appendFloat(b, s.Value); err != nil {
		return b, fmt.Errorf("value: %w", err)
	}
	b = append(b, `,"min":`...)
	if b, err = appendFloat(b, s.Min); err != nil {
		return b, fmt.Errorf("min: %w", err)
	}
	b = append(b, `,"max":`...)
	if b, err = appendFloat(b, s.Max); err != nil {
		return b, fmt.Errorf("max: %w", err)
	}
	b = append(b, `,"type":`...)
	b = appendString(b, string(s.Type))
	b = append(b, `,"normalized":`...)
	if b, err = appendFloat(b, s.Normalized); err != nil {
		return b, fmt.Errorf("normalized: %w", err)
	}
	b = appendOptionalString(b, `,"nps_category":`, s.NPSCategory)
	return append(b, '}'), nil
}

func (a *Answer) appendJSON(b []byte) []byte {
	b = append(b, '{')
	if a.Field != "" {
		b = append(b, `"field":`...)
		b = appendString(b, a.Field)
		b = append(b, ',')
	}
	if a.Question != "" {
		b = append(b, `"question":`...)
		b = appendString(b, a.Question)
		b = append(b, ',')
	}
	b = append(b, `"text":`...)
	b = appendString(b, a.Text)
	return append(b, '}')
}

func (t *Theme) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = appendString(b, t.ID)
	b = append(b, `,"label":`...)
	b = appendString(b, t.Label)
	b = appendOptionalString(b, `,"group":`, t.Group)
	b = append(b, `,"confidence":`...)
	if b, err = appendFloat(b, t.Confidence); err != nil {
		return b, fmt.Errorf("confidence: %w", err)
	}
	if t.Sentiment != nil {
		b = append(b, `,"sentiment":`...)
		if b, err = t.Sentiment.appendJSON(b); err != nil {
			return b, fmt.Errorf("sentiment: %w", err)
		}
	}
	b = append(b, `,"matches":`...)
	if t.Matches == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range t.Matches {
			if i > 0 {
				b = append(b, ',')
			}
			b = t.Matches[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

func (s *Sentiment) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"score":`...)
	if b, err = appendFloat(b, s.Score); err != nil {
		return b, fmt.Errorf("score: %w", err)
	}
	b = append(b, `,"label":`...)
	b = appendString(b, s.Label)
	return append(b, '}'), nil
}

func (m *Match) appendJSON(b []byte) []byte {
	b = append(b, `{"text":`...)
	b = appendString(b, m.Text)
	b = append(b, `,"start":`...)
	b = strconv.AppendInt(b, int64(m.Start), 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, int64(m.End), 10)
	return append(b, '}')
}

// appendOptionalString appends key (`,"name":`) and s unless s is empty,
// as omitempty does.
func appendOptionalString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendString(append(b, key...), s)
}

// appendIntMap appends m as encoding/json does: null when nil, else an
// object with the keys in order.
func appendIntMap(b []byte, m map[string]int) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var buf [16]string
	b = append(b, '{')
	for i, k := range sortedKeys(buf[:0], m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(m[k]), 10)
	}
	return append(b, '}')
}

// appendStringMap is appendIntMap for string values.
func appendStringMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return append(b, "null"...)
	}
	var buf [16]string
	b = append(b, '{')
	for i, k := range sortedKeys(buf[:0], m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// sortedKeys appends m's keys to keys in byte order; a caller passing a
// stack array's slice keeps small maps free of allocations.
func sortedKeys[V any](keys []string, m map[string]V) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

const hexDigits = "0123456789abcdef"

// jsonSafe[c] reports whether byte c goes into a JSON string as is: it is
// ASCII and not a control character, a quote, a backslash, or < > & (which
// encoding/json escapes for HTML).
var jsonSafe = func() (safe [256]bool) {
	for c := byte(' '); c < utf8.RuneSelf; c++ {
		safe[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return safe
}()

// AppendJSONString appends s quoted as json.Marshal writes a string. The
// gateway's answers use it too.
func AppendJSONString(b []byte, s string) []byte { return appendString(b, s) }

// appendString appends s quoted as encoding/json does with HTML escaping:
// `"` and `\` backslash-escaped, \b \f \n \r \t short-escaped, other
// control characters and < > & as \u00XX, U+2028 and U+2029 as \u2028 and
// \u2029, and each byte of invalid UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0 // s[start:i] is pending, copied verbatim
	for i := 0; i < len(s); {
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendFloat appends f as encoding/json's float64 encoder does: like
// strconv 'f' with the shortest precision, or 'e' below 1e-6 and from 1e21
// on, with a two-digit negative exponent cut to one digit (1e-07 → 1e-7).
// NaN and ±Inf are errors, as JSON has no literal for them.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, errors.New("unsupported value " + strconv.FormatFloat(f, 'g', -1, 64))
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendTime appends t quoted as time.Time.MarshalJSON does: RFC 3339 with
// nanoseconds, refusing what RFC 3339 cannot express, with the same checks.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	n := len(b)
	b = t.AppendFormat(b, time.RFC3339Nano)
	if b[n+len("9999")] != '-' {
		return b, errors.New("year outside of range [0,9999]")
	}
	if b[len(b)-1] != 'Z' {
		c := b[len(b)-len("Z07:00")]
		hh := b[len(b)-len("07:00"):]
		if '0' <= c && c <= '9' || 10*(hh[0]-'0')+(hh[1]-'0') >= 24 {
			return b, errors.New("timezone hour outside of range [0,23]")
		}
	}
	return append(b, '"'), nil
}
