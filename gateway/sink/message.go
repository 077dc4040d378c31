package sink

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/corridorhq/corridor/gateway/feedback"
)

// Header is one Kafka record header.
type Header struct {
	Key   string
	Value []byte
}

// Message is one Kafka record to write.
type Message struct {
	Topic   string
	Key     []byte
	Value   []byte
	Headers []Header
}

// Header returns the value of the first header named key, or "".
func (m Message) Header(key string) string {
	for _, h := range m.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

// CloudEvents attributes of feedback messages.
const (
	CESpecVersion  = "1.0"
	CETypeFeedback = "com.corridorhq.feedback.v1"
)

// FeedbackMessage encodes rec as a CloudEvents binary-mode message.
func FeedbackMessage(topic string, rec *feedback.Record) (Message, error) {
	value, err := rec.AppendJSON(make([]byte, 0, valueSizeHint(rec)))
	if err != nil {
		return Message{}, fmt.Errorf("sink: encode record %s: %w", rec.ID, err)
	}
	key := rec.Key()
	b := newByteArena(len(CESpecVersion) + len(rec.ID) + len(sourcePrefix) + len(rec.Source) + len(CETypeFeedback) +
		len(time.RFC3339Nano) + len(rec.EventID) + len(jsonContentType) + len(key))
	return Message{
		Topic: topic,
		Key:   b.add(key),
		Value: value,
		Headers: []Header{
			{Key: "ce_specversion", Value: b.add(CESpecVersion)},
			{Key: "ce_id", Value: b.add(rec.ID)},
			{Key: "ce_source", Value: b.add(sourcePrefix, rec.Source)},
			{Key: "ce_type", Value: b.add(CETypeFeedback)},
			{Key: "ce_time", Value: b.addTime(rec.OccurredAt)},
			{Key: "ce_subject", Value: b.add(rec.EventID)},
			{Key: "content-type", Value: b.add(jsonContentType)},
		},
	}, nil
}

const (
	sourcePrefix    = "/corridor/sources/"
	jsonContentType = "application/json"
)

// valueSizeHint guesses the length of rec's JSON from its strings and
// counts, erring a little high so that most records encode without
// regrowing: a minimal record's keys, numbers and times take ~230 bytes,
// a score ~100, a theme with a sentiment and two matches ~200.
func valueSizeHint(rec *feedback.Record) int {
	n := 256 + len(rec.ID) + len(rec.Source) + len(rec.EventID) + len(rec.Customer.ID) + len(rec.Customer.AccountID) +
		len(rec.Touchpoint) + len(rec.Team) + len(rec.Location) + len(rec.Agent) + len(rec.Text)
	if rec.Score != nil {
		n += 128
	}
	if rec.Sentiment != nil {
		n += 64
	}
	for i := range rec.Answers {
		n += 48 + len(rec.Answers[i].Field) + len(rec.Answers[i].Question) + len(rec.Answers[i].Text)
	}
	return n + 224*len(rec.Themes) + 32*len(rec.PII) + 32*len(rec.Phrases) + 48*len(rec.Attributes)
}

// byteArena hands out the key and header values of one message as
// slices of one allocation. Each slice is capped at its length, so an
// append to one cannot overwrite the next.
type byteArena struct{ buf []byte }

func newByteArena(size int) *byteArena { return &byteArena{buf: make([]byte, 0, size)} }

// add returns the concatenation of ss.
func (a *byteArena) add(ss ...string) []byte {
	start := len(a.buf)
	for _, s := range ss {
		a.buf = append(a.buf, s...)
	}
	return a.buf[start:len(a.buf):len(a.buf)]
}

// addTime returns t in UTC as RFC 3339 with nanoseconds.
func (a *byteArena) addTime(t time.Time) []byte {
	start := len(a.buf)
	a.buf = t.UTC().AppendFormat(a.buf, time.RFC3339Nano)
	return a.buf[start:len(a.buf):len(a.buf)]
}

// Raw describes one received request for the raw and dead-letter topics.
type Raw struct {
	Source      string
	Method      string
	URI         string
	ContentType string // as received, with parameters
	Header      http.Header
	Body        []byte
	ReceivedAt  time.Time
}

// withheldHeaders are credentials never copied to Kafka.
var withheldHeaders = [...]string{"Authorization", "Cookie", "Proxy-Authorization"}

// withheld reports whether http.CanonicalHeaderKey(name) is one of
// withheldHeaders, without canonicalizing: a name with only letters and
// dashes canonicalizes to a withheld one exactly when it equals it up to
// ASCII case.
func withheld(name string) bool {
	for _, w := range withheldHeaders {
		if len(name) == len(w) && equalFoldASCII(name, w) {
			return true
		}
	}
	return false
}

// equalFoldASCII reports whether s and t, of equal length, are equal up to
// ASCII case.
func equalFoldASCII(s, t string) bool {
	for i := range len(s) {
		if lowerASCII(s[i]) != lowerASCII(t[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Header names used on raw and dead-letter messages.
const (
	HeaderSource     = "corridor-source"
	HeaderMethod     = "corridor-method"
	HeaderURI        = "corridor-uri"
	HeaderReceivedAt = "corridor-received-at"
	HeaderRecordIDs  = "corridor-record-ids"
	HeaderReason     = "reason"
	HeaderError      = "error"
	HTTPHeaderPrefix = "http-"
)

// RawMessage encodes r for the raw topic, keyed by key (the first record's
// key, so a customer's raw and tagged messages share a partition).
func RawMessage(topic string, key string, r *Raw, recordIDs []string) Message {
	if len(recordIDs) == 0 {
		return rawMessage(topic, key, r)
	}
	return rawMessage(topic, key, r, [2]string{HeaderRecordIDs, strings.Join(recordIDs, ",")})
}

// DLQMessage encodes a rejected request with the reason label and the error
// message it was answered with. It is keyed by source.
func DLQMessage(topic string, r *Raw, reason, errMsg string) Message {
	return rawMessage(topic, r.Source, r, [2]string{HeaderReason, reason}, [2]string{HeaderError, errMsg})
}

// rawMessage encodes r with its request headers as http-<lower-case name>,
// sorted by name, credentials withheld, followed by the extra headers given
// as {name, value}. The key and all header values share one allocation, and
// so do the http- header names.
func rawMessage(topic, key string, r *Raw, extra ...[2]string) Message {
	names := make([]string, 0, len(r.Header))
	size := len(key) + len(r.Source) + len(r.Method) + len(r.URI) + len(time.RFC3339Nano) + len(r.ContentType)
	values := 0
	for name, vs := range r.Header {
		if withheld(name) {
			continue
		}
		names = append(names, name)
		for _, v := range vs {
			size += len(v)
		}
		values += len(vs)
	}
	for _, h := range extra {
		size += len(h[1])
	}
	slices.Sort(names)

	b := newByteArena(size)
	hs := make([]Header, 0, 5+values+len(extra))
	hs = append(hs,
		Header{Key: HeaderSource, Value: b.add(r.Source)},
		Header{Key: HeaderMethod, Value: b.add(r.Method)},
		Header{Key: HeaderURI, Value: b.add(r.URI)},
		Header{Key: HeaderReceivedAt, Value: b.addTime(r.ReceivedAt)},
		Header{Key: "content-type", Value: b.add(r.ContentType)},
	)
	keys := httpHeaderKeys(names)
	for _, name := range names {
		k := keys[:len(HTTPHeaderPrefix)+len(name)]
		keys = keys[len(k):]
		if !isASCII(name) {
			k = HTTPHeaderPrefix + strings.ToLower(name)
		}
		for _, v := range r.Header[name] {
			hs = append(hs, Header{Key: k, Value: b.add(v)})
		}
	}
	for _, h := range extra {
		hs = append(hs, Header{Key: h[0], Value: b.add(h[1])})
	}
	return Message{Topic: topic, Key: b.add(key), Value: r.Body, Headers: hs}
}

// httpHeaderKeys returns the concatenation of HTTPHeaderPrefix + the
// name in ASCII lower case for each of names: one allocation for every
// key, each HTTPHeaderPrefix + len(name) bytes long. The key of a name
// with other than ASCII bytes must come from strings.ToLower instead,
// which lowers Unicode too.
func httpHeaderKeys(names []string) string {
	size := 0
	for _, name := range names {
		size += len(HTTPHeaderPrefix) + len(name)
	}
	var sb strings.Builder
	sb.Grow(size)
	for _, name := range names {
		sb.WriteString(HTTPHeaderPrefix)
		for i := range len(name) {
			sb.WriteByte(lowerASCII(name[i]))
		}
	}
	return sb.String()
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
