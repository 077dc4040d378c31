package sink

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

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
	value, err := json.Marshal(rec)
	if err != nil {
		return Message{}, fmt.Errorf("sink: encode record %s: %w", rec.ID, err)
	}
	return Message{
		Topic: topic,
		Key:   []byte(rec.Key()),
		Value: value,
		Headers: []Header{
			{Key: "ce_specversion", Value: []byte(CESpecVersion)},
			{Key: "ce_id", Value: []byte(rec.ID)},
			{Key: "ce_source", Value: []byte("/corridor/sources/" + rec.Source)},
			{Key: "ce_type", Value: []byte(CETypeFeedback)},
			{Key: "ce_time", Value: []byte(rec.OccurredAt.UTC().Format(time.RFC3339Nano))},
			{Key: "ce_subject", Value: []byte(rec.EventID)},
			{Key: "content-type", Value: []byte("application/json")},
		},
	}, nil
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
var withheldHeaders = map[string]bool{"Authorization": true, "Cookie": true, "Proxy-Authorization": true}

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
	m := rawMessage(topic, key, r)
	if len(recordIDs) > 0 {
		m.Headers = append(m.Headers, Header{Key: HeaderRecordIDs, Value: []byte(strings.Join(recordIDs, ","))})
	}
	return m
}

// DLQMessage encodes a rejected request with the reason label and the error
// message it was answered with. It is keyed by source.
func DLQMessage(topic string, r *Raw, reason, errMsg string) Message {
	m := rawMessage(topic, r.Source, r)
	m.Headers = append(m.Headers,
		Header{Key: HeaderReason, Value: []byte(reason)},
		Header{Key: HeaderError, Value: []byte(errMsg)},
	)
	return m
}

func rawMessage(topic, key string, r *Raw) Message {
	names := make([]string, 0, len(r.Header))
	for name := range r.Header {
		if !withheldHeaders[http.CanonicalHeaderKey(name)] {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	hs := make([]Header, 0, 5+len(names))
	hs = append(hs,
		Header{Key: HeaderSource, Value: []byte(r.Source)},
		Header{Key: HeaderMethod, Value: []byte(r.Method)},
		Header{Key: HeaderURI, Value: []byte(r.URI)},
		Header{Key: HeaderReceivedAt, Value: []byte(r.ReceivedAt.UTC().Format(time.RFC3339Nano))},
		Header{Key: "content-type", Value: []byte(r.ContentType)},
	)
	for _, name := range names {
		for _, v := range r.Header[name] {
			hs = append(hs, Header{Key: HTTPHeaderPrefix + strings.ToLower(name), Value: []byte(v)})
		}
	}
	return Message{Topic: topic, Key: []byte(key), Value: r.Body, Headers: hs}
}
